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
