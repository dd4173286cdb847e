"""fzc.cssf.flows and fzc.cssf.run against the CLI's files on the same inputs, a DataFrame
balance and a GeoDataFrame of regions against the files they were made from, a Python flow
model in place of the breakpoint model, and bad inputs."""

import math
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
BOUNDARIES = ROOT / "examples" / "bth-2020" / "boundaries"
BALANCE = ROOT / "crates" / "scenario" / "tests" / "data" / "bth-raw" / "balance.csv"
OPEN = ROOT / "examples" / "bth-2020-open"
DATA = ROOT / "crates" / "cssf-flow" / "data"


def fzc_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("FZC_BIN", ROOT / "target" / "debug" / "fzc"))
    assert path.is_file(), f"{path}: build the CLI first (cargo build -p fzc-cli) or set FZC_BIN"
    return path


def cli(*args) -> None:
    subprocess.run([str(fzc_bin()), "--quiet", *map(str, args)], check=True,
                   capture_output=True)


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[])


def test_flows_equal_the_cli_files(tmp_path):
    cli("cssf", "flows", "--regions", BOUNDARIES, "--balance", BALANCE, "--unit", "Mt",
        "--mass", "supply", "--out", tmp_path / "cli")
    res = fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", mass="supply", quiet=True,
                         out=tmp_path / "py")
    assert list(res.regions.columns) == fzc.cssf.REGIONS_COLUMNS
    assert list(res.flows.columns) == fzc.cssf.FLOWS_COLUMNS
    pd.testing.assert_frame_equal(res.regions, read_csv(tmp_path / "cli" / "cssf-regions.csv"))
    pd.testing.assert_frame_equal(res.flows, read_csv(tmp_path / "cli" / "cssf-flows.csv"))
    assert len(res.flows) > 0 and (res.flows["transfer"] > 0).any()
    for name in ("cssf-regions.csv", "cssf-flows.csv", "cssf-flows.geojson"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
        assert str(tmp_path / "py" / name) in res.written


def test_a_dataframe_balance_equals_its_csv():
    table = pd.read_csv(BALANCE)[["region", "supply", "demand"]]
    from_frame = fzc.cssf.flows(BOUNDARIES, table.iloc[::-1], unit="Mt", mass="supply",
                                quiet=True)
    from_file = fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", mass="supply", quiet=True)
    pd.testing.assert_frame_equal(from_frame.regions, from_file.regions)
    pd.testing.assert_frame_equal(from_frame.flows, from_file.flows)


def test_a_geodataframe_in_another_crs_equals_the_files(tmp_path):
    import geopandas as gpd  # installed by .ci/run (pip install ... geopandas)

    frames = [
        gpd.GeoDataFrame({"region": [path.stem]},
                         geometry=[gpd.read_file(path).geometry.union_all()], crs=4326)
        for path in sorted(BOUNDARIES.glob("*.geojson"))
    ]
    gdf = pd.concat(frames, ignore_index=True).to_crs(3857)  # web mercator metres
    res = fzc.cssf.flows(gdf, BALANCE, unit="Mt", mass="supply", quiet=True)
    want = fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", mass="supply", quiet=True)
    assert list(res.regions["region"]) == list(want.regions["region"])
    # Reprojected there and back: areas and distances agree closely, not bit for bit.
    for col in ("cssdr", "core_lon", "core_lat"):
        np.testing.assert_allclose(res.regions[col].astype(float),
                                   want.regions[col].astype(float), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(res.flows["transfer"], want.flows["transfer"], rtol=1e-5)


def test_run_equals_the_cli_files(tmp_path):
    common = dict(
        regions=BOUNDARIES, lulc=OPEN / "landcover-bth.tif", raster_crs="EPSG:4326",
        lulc_map=DATA / "igbp-to-paper-classes.csv", pools=DATA / "paper-pools.csv",
        emissions=OPEN / "emissions.csv", emissions_unit="Mt", census=OPEN / "census.csv",
        class_weights=DATA / "dasymetric-weights.csv",
    )
    args = ["cssf", "run"]
    for key, value in common.items():
        args += ["--" + key.replace("_", "-"), value]
    cli(*args, "--mass", "balance", "--out", tmp_path / "cli")
    res = fzc.cssf.run(**common, mass="balance", out=tmp_path / "py", quiet=True)
    for name in ("cssf-regions.csv", "cssf-flows.csv", "supply-regions.csv",
                 "demand-regions.csv", "cssf-flows.geojson", "supply.tif", "demand.tif",
                 "cssdr.tif"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    pd.testing.assert_frame_equal(res.regions, read_csv(tmp_path / "cli" / "cssf-regions.csv"))
    pd.testing.assert_frame_equal(res.flows, read_csv(tmp_path / "cli" / "cssf-flows.csv"))
    # The balance is the unrounded supply and demand the region table rounds.
    assert list(res.balance["region"]) == list(res.regions["region"])
    np.testing.assert_allclose(res.balance["supply"].round(3), res.regions["supply"])
    np.testing.assert_allclose(res.balance["demand"].round(3), res.regions["demand"])
    assert res.estimator
    # Without out, nothing is written and the tables are the same.
    quiet = fzc.cssf.run(**common, mass="balance", quiet=True)
    assert quiet.written == []
    pd.testing.assert_frame_equal(quiet.flows, res.flows)


class Nearest(fzc.FlowModel):
    """Each input region draws its deficit from the nearest output region (by given
    order), a rule unlike the breakpoint model's, so its flows are recognisably its own."""

    name = "nearest"

    def flows(self, regions):
        cores = [(116.0 + i * 0.1, 40.0) for i in range(len(regions))]
        rows = []
        outputs = [i for i, r in enumerate(regions) if r.supply > r.demand]
        for j, r in enumerate(regions):
            if r.demand > r.supply and outputs:
                i = outputs[0]
                rows.append(dict(zip(fzc.FLOW_COLUMNS, [i, j, 1.0, 2.0, 3.0, 4.0,
                                                         r.demand - r.supply])))
        return fzc.FlowOutput(cores=cores, flows=pd.DataFrame(rows, columns=fzc.FLOW_COLUMNS))


def test_a_python_flow_model_replaces_the_flows():
    res = fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", model=Nearest(), quiet=True)
    builtin = fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", quiet=True)
    # CSSDR and roles are Eq 13's whatever the model; cores and flows are the model's.
    pd.testing.assert_series_equal(res.regions["cssdr"], builtin.regions["cssdr"])
    assert list(res.regions["core_lat"]) == [40.0] * len(res.regions)
    assert set(res.flows["distance_km"]) == {1.0}
    assert any("nearest" in n for n in res.notes)


def test_a_raising_flow_model_is_a_plugin_error_and_writes_nothing(tmp_path):
    class Broken(fzc.FlowModel):
        name = "broken"

        def flows(self, regions):
            raise RuntimeError("no flows today")

    with pytest.raises(fzc.PluginError, match="no flows today"):
        fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", model=Broken(), quiet=True,
                       out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("change, message", [
    (lambda t: t.assign(supply=t["supply"].where(t["region"] != "beijing", -1.0)),
     "region \"beijing\": supply is -1"),
    (lambda t: t.assign(demand=t["demand"].where(t["region"] != "tianjin", math.nan)),
     "region \"tianjin\": demand is NaN"),
    (lambda t: t[t["region"] != "hengshui"], "only in the polygons: [hengshui]"),
    (lambda t: pd.concat([t, t.iloc[:1]]), "appears twice"),
    (lambda t: t.drop(columns="demand"), "lacks the columns ['demand']"),
])
def test_bad_balances_are_clear_errors(change, message):
    table = pd.read_csv(BALANCE)[["region", "supply", "demand"]]
    with pytest.raises((fzc.FzcError, ValueError)) as err:
        fzc.cssf.flows(BOUNDARIES, change(table), unit="Mt", quiet=True)
    assert message in str(err.value)


def test_bad_options_name_the_option():
    with pytest.raises(ValueError, match=r"mass=\"mostly\": expected one of demand, supply"):
        fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", mass="mostly", quiet=True)
    with pytest.raises(ValueError, match="k=1.5"):
        fzc.cssf.flows(BOUNDARIES, BALANCE, unit="Mt", k=1.5, quiet=True)
    with pytest.raises(fzc.FzcError, match="nowhere.csv"):
        fzc.cssf.flows(BOUNDARIES, ROOT / "nowhere.csv", quiet=True)
    with pytest.raises(ValueError, match="census with class_weights"):
        fzc.cssf.run(lulc=OPEN / "landcover-bth.tif", pools=DATA / "paper-pools.csv",
                     regions=BOUNDARIES, emissions=OPEN / "emissions.csv", quiet=True)
