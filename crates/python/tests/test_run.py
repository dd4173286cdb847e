"""fzc.run and fzc.compare against the CLI's files, and Python plugins (pricing schemes and
flow models) against the built-in ones they reimplement."""

import json
import math
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
BTH_RAW = ROOT / "crates" / "scenario" / "tests" / "data" / "bth-raw" / "scenario.toml"
BTH = ROOT / "examples" / "bth-2020" / "scenario.toml"


def fzc_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("FZC_BIN", ROOT / "target" / "debug" / "fzc"))
    assert path.is_file(), f"{path}: build the CLI first (cargo build -p fzc-cli) or set FZC_BIN"
    return path


def cli(*args) -> None:
    subprocess.run([str(fzc_bin()), "--quiet", *map(str, args)], check=True,
                   capture_output=True)


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[])


def assert_frame_close(got: pd.DataFrame, want: pd.DataFrame, tol: float) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for col in got.columns:
        if pd.api.types.is_numeric_dtype(want[col]) and not pd.api.types.is_bool_dtype(want[col]):
            a, b = got[col].to_numpy(float), want[col].to_numpy(float)
            scale = np.maximum(1.0, np.abs(b))
            assert np.all(np.abs(a - b) <= tol * scale), (col, np.max(np.abs(a - b) / scale))
        else:
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col


def raw_scenario(tmp_path, model=None) -> pathlib.Path:
    """bth-raw (CSSF from the city polygons and a balance table) with absolute paths, and
    with ``[cssf] model = "plugin:<model>"`` when given."""
    text = BTH_RAW.read_text(encoding="utf-8")
    base = BTH_RAW.parent
    lines = []
    for line in text.splitlines():
        key, sep, rest = line.partition("=")
        value = rest.split("#")[0].strip()
        if sep and value.startswith('"') and key.strip() in (
            "standards", "economy", "net", "bilateral", "regions", "balance"
        ):
            target = (base / value.strip('"')).resolve()
            line = f'{key}= "{target.as_posix()}"'
        lines.append(line)
    text = "\n".join(lines) + "\n"
    if model:
        text = text.replace('core = "centroid"', f'core = "centroid"\nmodel = "plugin:{model}"')
        text += f'\n[[plugin]]\nname = "{model}"\npath = "in-process.so"\n'
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- fzc.run and fzc.compare equal the CLI's files --------------------------------------


@pytest.mark.parametrize("scenario", [None, BTH])
def test_run_equals_the_cli_files(tmp_path, scenario):
    args = ["run"] + ([scenario] if scenario else []) + ["--out", tmp_path / "cli"]
    cli(*args)
    res = fzc.run(scenario, quiet=True)
    assert list(res.zoning.columns) == fzc.ZONING_COLUMNS
    assert list(res.ledger.columns) == fzc.LEDGER_COLUMNS
    assert_frame_close(res.zoning, read_csv(tmp_path / "cli" / "zoning.csv"), 1e-12)
    assert_frame_close(res.ledger, read_csv(tmp_path / "cli" / "ledger.csv"), 1e-12)
    assert res.summary == json.loads((tmp_path / "cli" / "summary.json").read_text())


def test_out_writes_the_same_files_as_the_cli(tmp_path):
    cli("run", "--out", tmp_path / "cli")
    res = fzc.run(out=tmp_path / "py", quiet=True)
    for name in ("zoning.csv", "ledger.csv", "summary.json"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    got = sorted(p.relative_to(tmp_path / "py") for p in (tmp_path / "py").rglob("*"))
    want = sorted(p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*"))
    assert got == want
    assert str(tmp_path / "py" / "zoning.csv") in res.written


def test_a_year_series_equals_the_cli_file_and_each_single_year(tmp_path):
    import shutil
    for year in (2019, 2020):
        shutil.copytree(ROOT / "examples" / "mrio-small", tmp_path / f"mrio-{year}")
    f = tmp_path / "mrio-2020" / "emissions" / "F.txt"
    f.write_text(f.read_text().replace("\t100\t685\t137\n", "\t2000\t2000\t2000\n"))
    shutil.copy(ROOT / "crates" / "scenario" / "tests" / "data" / "mrio-small" / "standards.csv",
                tmp_path)

    def scenario(mrio: str, years: str = "") -> pathlib.Path:
        path = tmp_path / "scenario.toml"
        path.write_text(
            'name = "series"\nregions = ["Beijing", "Tianjin", "Hebei", "Henan"]\n'
            '[pricing]\nprice_yuan_per_tonne = 46.66\nstandards = "standards.csv"\n'
            f'[ect]\nmrio = "{mrio}"\nstressor = "CO2"\n{years}')
        return path

    cli("run", scenario("mrio-{year}", "years = [2019, 2020]\n"), "--out", tmp_path / "cli")
    res = fzc.run(scenario("mrio-{year}", 'years = "2019..2020"\n'), quiet=True)
    want = read_csv(tmp_path / "cli" / "zoning-series.csv")
    assert res.zoning_series is not None
    assert list(res.zoning_series.columns) == ["year"] + fzc.ZONING_COLUMNS
    assert_frame_close(res.zoning_series, want, 1e-12)
    years = []
    for year, block in res.zoning_series.groupby("year"):
        alone = fzc.run(scenario(f"mrio-{year}"), quiet=True)
        assert alone.zoning_series is None
        assert_frame_close(block.drop(columns="year").reset_index(drop=True), alone.zoning, 1e-12)
        years.append(year)
    assert years == [2019, 2020]
    # The rest of the outcome is the last year's.
    assert_frame_close(res.zoning, alone.zoning, 1e-12)


def test_compare_equals_the_cli_file(tmp_path):
    cli("compare", "--pricing", "paper,uniform,eq17", "--out", tmp_path / "cli")
    res = fzc.compare(pricing=["paper", "uniform", "eq17"], quiet=True)
    assert_frame_close(res.table, read_csv(tmp_path / "cli" / "compare.csv"), 1e-12)


def test_a_failing_run_raises_fzc_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nregions = ["a"]\n[pricing]\nstandards = "nowhere.csv"\n')
    with pytest.raises(fzc.FzcError) as err:
        fzc.run(bad, quiet=True)
    assert "nowhere.csv" in str(err.value) or "bad.toml" in str(err.value)


# --- A Python pricing scheme ------------------------------------------------------------


class Payer(fzc.PricingScheme):
    """The built-in ``payer`` scheme (METHOD 4, Eq 18): each flow is priced at its payer's
    standard, C = standard x tonnes; a region's amount is what it pays minus what it
    receives."""

    name = "py-payer"

    def parameters(self):
        return {"standard": "payer's"}

    def price(self, inp):
        payer = inp.flows["payer"].to_numpy()
        payee = inp.flows["payee"].to_numpy()
        standards = inp.standards[payer]
        amounts = standards * inp.flows["tonnes"].to_numpy()
        region = np.zeros(len(inp.regions))
        np.add.at(region, payer, amounts)
        np.subtract.at(region, payee, amounts)
        return fzc.PricingOutput(region_amounts=region, flow_standards=standards)


@pytest.mark.parametrize("scenario", [None, BTH])
def test_python_payer_reproduces_the_builtin_ledger(scenario):
    builtin = fzc.run(scenario, quiet=True)
    python = fzc.run(scenario, pricing=Payer(), quiet=True)
    assert python.scheme == "py-payer"
    assert_frame_close(python.ledger, builtin.ledger, 1e-9)
    cols = [c for c in builtin.zoning.columns if c.startswith("ledger_") or c == "zone"]
    assert_frame_close(python.zoning[cols], builtin.zoning[cols], 1e-9)


def test_a_python_scheme_in_compare_and_by_scenario_name(tmp_path):
    res = fzc.compare(pricing=["paper", Payer()], quiet=True)
    assert "plugin:py-payer_amount" in res.table.columns
    np.testing.assert_allclose(res.table["plugin:py-payer_diff"], 0.0, atol=1e-6)
    toml = BTH.read_text(encoding="utf-8").replace('scheme = "paper"', 'scheme = "plugin:mine"')
    toml = toml.replace('"standards.csv"', f'"{(BTH.parent / "standards.csv").as_posix()}"')
    toml = toml.replace('"economy.csv"', f'"{(BTH.parent / "economy.csv").as_posix()}"')
    toml = toml.replace('"ect-net.csv"', f'"{(BTH.parent / "ect-net.csv").as_posix()}"')
    toml = toml.replace('"ect-bilateral.csv"', f'"{(BTH.parent / "ect-bilateral.csv").as_posix()}"')
    toml = toml.replace('"cssf-transfers.csv"', f'"{(BTH.parent / "cssf-transfers.csv").as_posix()}"')
    toml += '\n[[plugin]]\nname = "mine"\npath = "in-process.so"\n'
    path = tmp_path / "s.toml"
    path.write_text(toml, encoding="utf-8")
    res = fzc.run(path, plugins={"mine": Payer()}, quiet=True)
    assert res.scheme == "py-payer"
    assert_frame_close(res.ledger, fzc.run(quiet=True).ledger, 1e-9)


def test_the_flows_frame_a_scheme_receives_is_what_pandas_builds():
    """The pricing input's ``flows`` comes from a fast internal pandas path; it must equal,
    dtypes and index included, the frame pandas' public constructor builds from the same
    columns, and the scheme must see the run's flows in it."""
    seen = []

    class Spy(Payer):
        def price(self, inp):
            seen.append(inp.flows.copy())
            return super().price(inp)

    fzc.run(pricing=Spy(), quiet=True)
    (flows,) = seen
    public = pd.DataFrame({c: flows[c].to_numpy(dtype=object if c == "layer" else None)
                           for c in flows.columns})
    pd.testing.assert_frame_equal(flows, public)
    assert list(flows.columns) == ["payer", "payee", "layer", "tonnes"]
    assert set(flows["layer"]) == {"ect", "cssf"} and (flows["tonnes"] > 0).all()
    columns = [np.array([0, 1]), np.array([1, 0]), np.array(["ect", "cssf"], dtype=object),
               np.array([1.5, 2.5])]
    pd.testing.assert_frame_equal(
        fzc._flow_frame(columns),
        pd.DataFrame(dict(zip(["payer", "payee", "layer", "tonnes"], columns)), copy=False))


# --- Plugin faults: PluginError, nothing written ------------------------------------------


class Raises(fzc.PricingScheme):
    name = "raises"

    def price(self, inp):
        raise ValueError("deliberate failure in price()")


class WrongLength(Payer):
    name = "wrong-length"

    def price(self, inp):
        out = super().price(inp)
        return fzc.PricingOutput(region_amounts=out.region_amounts[:-1],
                                 flow_standards=out.flow_standards)


class NaN(Payer):
    name = "nan"

    def price(self, inp):
        out = super().price(inp)
        out.region_amounts[0] = float("nan")
        return out


class WrongType(fzc.PricingScheme):
    name = "wrong-type"

    def price(self, inp):
        return {"region_amounts": [0.0] * len(inp.regions)}


class Unbalanced(Payer):
    name = "unbalanced"

    def price(self, inp):
        out = super().price(inp)
        out.region_amounts[0] += 1e6
        return out


@pytest.mark.parametrize("scheme,text", [
    (Raises(), "deliberate failure in price()"),
    (WrongLength(), "region_amounts has 12 values, expected one per region (13)"),
    (NaN(), "nan"),
    (WrongType(), "expected fzc.PricingOutput"),
    (Unbalanced(), "refused"),
])
def test_plugin_faults_raise_plugin_error_and_write_nothing(tmp_path, scheme, text):
    out = tmp_path / "out"
    fzc.run(out=out, quiet=True)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(fzc.PluginError) as err:
        fzc.run(pricing=scheme, out=out, quiet=True)
    assert text in str(err.value)
    assert scheme.name in str(err.value)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_the_traceback_of_a_raising_plugin_is_in_the_error():
    with pytest.raises(fzc.PluginError) as err:
        fzc.run(pricing=Raises(), quiet=True)
    assert "Traceback" in str(err.value) and "test_run.py" in str(err.value)


# --- Properties the Rust proptests state, through a Python scheme -------------------------


class Scaled(fzc.PricingScheme):
    """Each flow priced at a drawn standard per layer; balanced by construction of the
    ledger from the flows."""

    name = "scaled"

    def __init__(self, ect, cssf):
        self.ect, self.cssf = ect, cssf

    def price(self, inp):
        layer = inp.flows["layer"].to_numpy()
        standards = np.where(layer == "ect", self.ect, self.cssf) * inp.standards[
            inp.flows["payer"].to_numpy()]
        amounts = standards * inp.flows["tonnes"].to_numpy()
        region = np.zeros(len(inp.regions))
        np.add.at(region, inp.flows["payer"].to_numpy(), amounts)
        np.subtract.at(region, inp.flows["payee"].to_numpy(), amounts)
        return fzc.PricingOutput(region_amounts=region, flow_standards=standards)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.0, 10.0), st.floats(0.0, 10.0))
def test_the_ledger_balances_and_netting_is_antisymmetric(ect, cssf):
    res = fzc.run(pricing=Scaled(ect, cssf), quiet=True)
    net = res.zoning.set_index("region")["ledger_net"]
    scale = max(1.0, float(np.abs(net).sum()))
    # The region nets sum to zero (each amount is paid once and received once).
    assert abs(float(net.sum())) <= 1e-9 * scale + 0.01 * len(net)
    # Netting is antisymmetric: what a pays b in the ledger is what b receives from a, and
    # a pair appears in one direction only.
    pairs = {(r.payer, r.payee, r.layer) for r in res.ledger.itertuples()}
    assert not any((b, a, layer) in pairs for (a, b, layer) in pairs)
    assert (res.ledger["amount"] >= 0).all()


# --- A Python flow model -------------------------------------------------------------------


class Breakpoint(fzc.FlowModel):
    """The breakpoint model of METHOD 2.3-2.4 written with shapely and pyproj, as
    benches/reference/cssf_flows_shapely.py writes it, with bth-raw's options: core =
    planar centroid, mass = supply, intensity = surplus over range squared, k = 0.6, a
    720-vertex geodesic circle."""

    name = "py-breakpoint"

    def flows(self, regions):
        from pyproj import Geod
        from shapely.geometry import shape
        geod = Geod(ellps="WGS84")
        polys = [shape(r.shape) for r in regions]
        cores = [r.core or (p.centroid.x, p.centroid.y) for r, p in zip(regions, polys)]
        role = [np.sign(r.supply - r.demand) if r.supply + r.demand > 0 else 0 for r in regions]
        bearings = 360.0 - 360.0 * np.arange(720) / 720
        rows = []
        for s, rs in enumerate(regions):
            if role[s] <= 0:
                continue
            for t, rt in enumerate(regions):
                if role[t] >= 0:
                    continue
                _, _, d = geod.inv(*cores[s], *cores[t])
                dist = d / 1000.0
                rng = dist / (1.0 + math.sqrt(rt.supply / rs.supply)) if dist > 0 else 0.0
                area = 0.0
                if rng > 0:
                    lons, lats, _ = geod.fwd(np.full(720, cores[s][0]), np.full(720, cores[s][1]),
                                             bearings, np.full(720, rng * 1000.0))
                    from shapely.geometry import Polygon
                    inter = Polygon(zip(lons, lats)).intersection(polys[t])
                    if not inter.is_empty:
                        area = abs(geod.geometry_area_perimeter(inter)[0]) / 1e6
                intensity = max((rs.supply - rs.demand) / rng ** 2, 0.0) if rng > 0 else 0.0
                rows.append((s, t, dist, rng, area, intensity, 0.6 * area * intensity))
        return fzc.FlowOutput(cores=cores, flows=pd.DataFrame(rows, columns=fzc.FLOW_COLUMNS))


def test_a_python_breakpoint_model_reproduces_the_builtin_flows(tmp_path):
    pytest.importorskip("shapely")
    pytest.importorskip("pyproj")
    (tmp_path / "builtin").mkdir()
    builtin = fzc.run(raw_scenario(tmp_path / "builtin"), quiet=True)
    python = fzc.run(raw_scenario(tmp_path, "pyflow"), plugins={"pyflow": Breakpoint()},
                     quiet=True)
    assert python.summary["cssf_transfers"] == builtin.summary["cssf_transfers"] > 0
    want = builtin.ledger[builtin.ledger["layer"] == "cssf"].reset_index(drop=True)
    got = python.ledger[python.ledger["layer"] == "cssf"].reset_index(drop=True)
    assert got[["payer", "payee"]].equals(want[["payer", "payee"]])
    # The ledger writes tonnes with 3 decimals; the engines agree to ~1e-7 (BENCHMARKS.md).
    np.testing.assert_allclose(got["tonnes"], want["tonnes"], rtol=1e-6, atol=2e-3)
    np.testing.assert_allclose(python.zoning["v_net"], builtin.zoning["v_net"], rtol=1e-6,
                               atol=2e-3)


class BadFlows(fzc.FlowModel):
    name = "bad-flows"

    def __init__(self, fault):
        self.fault = fault

    def flows(self, regions):
        if self.fault == "raise":
            raise RuntimeError("deliberate failure in flows()")
        cores = [(116.0, 40.0)] * (len(regions) - (self.fault == "cores"))
        row = [0, 0 if self.fault == "self" else 1, 1.0, 1.0, 1.0, 1.0,
               float("nan") if self.fault == "nan" else 1.0]
        return fzc.FlowOutput(cores=cores, flows=pd.DataFrame([row], columns=fzc.FLOW_COLUMNS))


@pytest.mark.parametrize("fault,text", [
    ("raise", "deliberate failure in flows()"),
    ("cores", "cores has 12 entries"),
    ("self", "to itself"),
    ("nan", "transfer_t = NaN"),
])
def test_flow_model_faults_raise_plugin_error(tmp_path, fault, text):
    with pytest.raises(fzc.PluginError) as err:
        fzc.run(raw_scenario(tmp_path, "pyflow"), plugins={"pyflow": BadFlows(fault)},
                quiet=True)
    assert text in str(err.value) and "bad-flows" in str(err.value)
