"""fzc.mc: in this process, and sharded over a Dask LocalCluster, byte-identical to `fzc mc`."""

import os
import pathlib
import subprocess

import pytest

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
STANZAS = ROOT / "examples" / "bth-2020" / "uncertainty.toml"
FILES = ["draws.csv", "params.csv", "summary.csv", "draws.parquet", "params.parquet", "mc.json"]


def fzc_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("FZC_BIN", ROOT / "target" / "debug" / "fzc"))
    assert path.is_file(), f"{path}: build the CLI first (cargo build -p fzc-cli) or set FZC_BIN"
    return path


def cli_mc(out, draws=300, seed=7):
    subprocess.run([str(fzc_bin()), "--quiet", "mc", "--uncertainty", str(STANZAS),
                    "--draws", str(draws), "--seed", str(seed), "--out", str(out)],
                   check=True, capture_output=True)


def same_files(a, b):
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_mc_equals_the_cli(tmp_path):
    cli_mc(tmp_path / "cli")
    res = fzc.mc(draws=300, seed=7, uncertainty=STANZAS, out=tmp_path / "py", quiet=True)
    same_files(tmp_path / "py", tmp_path / "cli")
    assert list(res.summary.columns) == ["region", "p_payer", "mean", "sd", "p05", "p50", "p95"]
    assert len(res.summary) == 13


def test_mc_on_a_dask_local_cluster_is_byte_identical(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    cli_mc(tmp_path / "cli")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        res = fzc.mc(draws=300, seed=7, uncertainty=STANZAS, out=tmp_path / "dask",
                     client=client, shards=3)
    same_files(tmp_path / "dask", tmp_path / "cli")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli", "dask"]  # shards removed
    assert res.out == str(tmp_path / "dask")


def test_mc_errors_are_fzc_errors(tmp_path):
    with pytest.raises(fzc.FzcError) as err:
        fzc.mc(draws=10, seed=1, out=tmp_path / "x", quiet=True)
    assert "no [[uncertainty]] stanzas" in str(err.value)
    assert not (tmp_path / "x").exists()


class Payer(fzc.PricingScheme):
    """The built-in ``payer`` scheme (the embedded case's), written in Python."""

    name = "py-payer"

    def parameters(self):
        return {}

    def price(self, inp):
        import numpy as np

        payer = inp.flows["payer"].to_numpy()
        payee = inp.flows["payee"].to_numpy()
        standards = inp.standards[payer]
        amounts = standards * inp.flows["tonnes"].to_numpy()
        region = np.zeros(len(inp.regions))
        np.add.at(region, payer, amounts)
        np.subtract.at(region, payee, amounts)
        return fzc.PricingOutput(region_amounts=region, flow_standards=standards)


class Raises(Payer):
    name = "raises"

    def price(self, inp):
        raise ValueError("deliberate failure in price()")


def test_a_python_scheme_prices_every_draw(tmp_path):
    import json

    import pandas as pd

    cli_mc(tmp_path / "cli", draws=60)
    res = fzc.mc(draws=60, seed=7, uncertainty=STANZAS, out=tmp_path / "py", pricing=Payer(),
                 quiet=True)
    manifest = json.loads((tmp_path / "py" / "mc.json").read_text())
    assert manifest["scheme"] == "py-payer"
    cli = pd.read_csv(tmp_path / "cli" / "draws.csv")
    py = pd.read_csv(tmp_path / "py" / "draws.csv")
    # The same draws priced by the same rule: equal to the written 2 decimals (1 cent).
    assert (cli["zone"] == py["zone"]).all()
    for column in ("ledger_net", "ect_net", "cssf_net"):
        assert (cli[column] - py[column]).abs().max() <= 0.011, column
    assert len(res.summary) == 13
    with pytest.raises(fzc.PluginError, match="deliberate failure"):
        fzc.mc(draws=5, seed=1, uncertainty=STANZAS, out=tmp_path / "bad", pricing=Raises(),
               quiet=True)
    assert not (tmp_path / "bad").exists()


def cli_sensitivity(out, method, samples):
    subprocess.run([str(fzc_bin()), "--quiet", "sensitivity", "--uncertainty", str(STANZAS),
                    "--method", method, "--samples", str(samples), "--seed", "3", "--out",
                    str(out)], check=True, capture_output=True)


@pytest.mark.parametrize("method,name", [("sobol", "sobol.csv"), ("morris", "morris.csv")])
def test_sensitivity_equals_the_cli(tmp_path, method, name):
    cli_sensitivity(tmp_path / "cli", method, 32)
    res = fzc.sensitivity(method=method, samples=32, seed=3, uncertainty=STANZAS,
                          out=tmp_path / "py", quiet=True)
    for file in (name, "runs.csv", "sensitivity.json"):
        assert (tmp_path / "py" / file).read_bytes() == (tmp_path / "cli" / file).read_bytes()
    columns = {"sobol": ["output", "param", "s1", "s1_conf", "st", "st_conf"],
               "morris": ["output", "param", "mu_star", "mu_star_conf", "sigma"]}[method]
    assert list(res.indices.columns) == columns
    assert set(res.indices["output"]) >= {"total_paid", "ledger_net.langfang"}


def test_sensitivity_on_a_dask_local_cluster_is_byte_identical(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    cli_sensitivity(tmp_path / "cli", "sobol", 32)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        fzc.sensitivity(samples=32, seed=3, uncertainty=STANZAS, out=tmp_path / "dask",
                        client=client, shards=3)
    for file in ("sobol.csv", "runs.csv", "sensitivity.json"):
        assert (tmp_path / "dask" / file).read_bytes() == (tmp_path / "cli" / file).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli", "dask"]


def test_sensitivity_errors(tmp_path):
    with pytest.raises(ValueError, match="method='fast'"):
        fzc.sensitivity(samples=8, seed=1, out=tmp_path / "x", method="fast",
                        uncertainty=STANZAS)
    with pytest.raises(fzc.FzcError, match="samples"):
        fzc.sensitivity(samples=1, seed=1, out=tmp_path / "x", uncertainty=STANZAS, quiet=True)
    assert not (tmp_path / "x").exists()


def test_mc_with_mrio_noise_and_densities_equals_the_cli(tmp_path):
    """Per-cell noise on an MRIO's Y and F (the EXIOBASE example) and drawn carbon densities
    (the open raster example) run from Python exactly as from the CLI."""
    for scenario, stanzas in [
        (ROOT / "examples" / "exiobase-synthetic" / "scenario.toml",
         ROOT / "examples" / "exiobase-synthetic" / "uncertainty.toml"),
        (ROOT / "examples" / "bth-2020-open" / "scenario.toml", None),
    ]:
        if stanzas is None:
            stanzas = tmp_path / "pools.toml"
            stanzas.write_text('[[uncertainty]]\nparam = "pools.*.c_soil"\ndist = "lognormal"\n'
                               'mean = 1.0\ncv = 0.3\nscale = "relative"\n')
        name = scenario.parent.name
        subprocess.run([str(fzc_bin()), "--quiet", "mc", str(scenario), "--uncertainty",
                        str(stanzas), "--draws", "40", "--seed", "5", "--out",
                        str(tmp_path / f"cli-{name}")], check=True, capture_output=True)
        fzc.mc(scenario, draws=40, seed=5, uncertainty=stanzas, out=tmp_path / f"py-{name}",
               quiet=True)
        same_files(tmp_path / f"py-{name}", tmp_path / f"cli-{name}")
