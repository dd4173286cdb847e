"""fzc.ect: CLI equivalence, pymrio reference, numpy input, errors."""

import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pymrio
import pytest

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
PYMRIO_FIXTURE = ROOT / "tests" / "fixtures" / "mrio" / "small-pymrio"
EXAMPLE = ROOT / "examples" / "mrio-small"


def fzc_bin() -> pathlib.Path:
    """The CLI built from this checkout (FZC_BIN overrides); the test fails if it is missing."""
    path = pathlib.Path(os.environ.get("FZC_BIN", ROOT / "target" / "debug" / "fzc"))
    assert path.is_file(), f"{path}: build the CLI first (cargo build -p fzc-cli) or set FZC_BIN"
    return path


def cli_ect(tmp_path, mrio, stressor, method="final-demand"):
    out = tmp_path / "cli"
    subprocess.run(
        [str(fzc_bin()), "ect", "--mrio", str(mrio), "--stressor", stressor,
         "--method", method, "--out", str(out)],
        check=True, capture_output=True,
    )
    return (pd.read_csv(out / "ect-regions.csv", keep_default_na=False),
            pd.read_csv(out / "ect-bilateral.csv", keep_default_na=False))


def assert_frame_close(got: pd.DataFrame, want: pd.DataFrame, tol: float):
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for col in got.columns:
        if not pd.api.types.is_numeric_dtype(want[col]):
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col
        else:
            a, b = got[col].to_numpy(float), want[col].to_numpy(float)
            scale = np.maximum(1.0, np.abs(b))
            assert np.all(np.abs(a - b) <= tol * scale), (col, np.max(np.abs(a - b) / scale))


@pytest.mark.parametrize("mrio,stressor", [(EXAMPLE, "CO2"), (PYMRIO_FIXTURE, "CO2")])
@pytest.mark.parametrize("method", ["final-demand", "eebt"])
def test_path_input_equals_cli_files(tmp_path, mrio, stressor, method):
    regions, bilateral = cli_ect(tmp_path, mrio, stressor, method)
    res = fzc.ect(mrio, stressor=stressor, method=method)
    assert list(res.regions.columns) == fzc.ECT_REGIONS_COLUMNS
    assert list(res.bilateral.columns) == fzc.ECT_BILATERAL_COLUMNS
    assert_frame_close(res.regions, regions, 1e-12)
    assert_frame_close(res.bilateral, bilateral, 1e-12)


def test_in_memory_pymrio_equals_the_same_table_read_from_its_folder(tmp_path):
    io = pymrio.load_test()
    io.save_all(tmp_path / "saved")
    from_files = fzc.ect(tmp_path / "saved", stressor="emission_type1")
    in_memory = fzc.ect(io, stressor="emission_type1")
    assert_frame_close(in_memory.regions, from_files.regions, 1e-12)
    assert_frame_close(in_memory.bilateral, from_files.bilateral, 1e-12)


def test_pymrio_test_system_equals_pymrio_accounts():
    """docs/formats/ect-regions.md: consumption + F_Y = D_cba_reg, production + F_Y =
    D_pba_reg, inflow = D_exp_reg, outflow = D_imp_reg."""
    io = pymrio.load_test()
    res = fzc.ect(io, stressor="emission_type1").regions.set_index("region")
    io.calc_all()
    ext = io.emissions
    row = [r for r in ext.D_cba_reg.index if r[0] == "emission_type1"][0]
    f_y = ext.F_Y.loc[row].groupby(level=0, sort=False).sum().reindex(res.index)
    rel = lambda a, b: np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.maximum(1.0, np.abs(np.asarray(b))))
    assert rel(res["consumption"] + f_y, ext.D_cba_reg.loc[row, res.index]) < 1e-9
    assert rel(res["production"] + f_y, ext.D_pba_reg.loc[row, res.index]) < 1e-9
    assert rel(res["inflow"], ext.D_exp_reg.loc[row, res.index]) < 1e-9
    assert rel(res["outflow"], ext.D_imp_reg.loc[row, res.index]) < 1e-9
    assert abs(res["net"].sum()) < 1e-6 * res["production"].sum()


def test_numpy_mrio_equals_pymrio_input():
    io = pymrio.load_test()
    want = fzc.ect(io, stressor="emission_type1")
    mrio = fzc._from_pymrio(io, "emission_type1", None)
    got = fzc.ect(fzc.Mrio(Z=np.asfortranarray(mrio.Z), Y=mrio.Y, F=mrio.F, F_Y=mrio.F_Y,
                           regions=mrio.regions, sectors=mrio.sectors, unit=mrio.unit),
                  stressor="emission_type1")
    assert_frame_close(got.regions, want.regions, 1e-12)


def test_two_by_two_by_hand():
    z = np.array([[5.0, 2, 1, 0.5], [1, 8, 0.5, 1], [6, 1, 10, 2], [0.5, 0.5, 1, 4]])
    y = np.array([[10.0, 1], [30, 2], [8, 12], [1, 15]])
    res = fzc.ect(fzc.Mrio(Z=z, Y=y, F=np.array([20.0, 5, 90, 10]), F_Y=np.array([3.0, 2]),
                           regions=["beijing", "tangshan"], sectors=["energy", "services"], unit="t"),
                  stressor="CO2")
    r = res.regions.set_index("region")
    assert r.loc["beijing", "production"] == pytest.approx(25.0, rel=1e-12)
    assert r.loc["tangshan", "production"] == pytest.approx(100.0, rel=1e-12)
    assert r.loc["beijing", "net"] > 0 > r.loc["tangshan", "net"]
    b = res.bilateral
    assert np.allclose(b["total"], b["intermediate"] + b["final"], rtol=0, atol=1e-12)


def test_errors_are_fzc_errors_with_the_rust_message(tmp_path):
    missing = tmp_path / "no-such-table"
    with pytest.raises(fzc.InputError) as e:
        fzc.ect(missing, stressor="CO2")
    assert isinstance(e.value, fzc.FzcError) and "no-such-table" in str(e.value)
    with pytest.raises(fzc.InputError, match="NOPE"):
        fzc.ect(EXAMPLE, stressor="NOPE")
    # A table whose sectors use more than they produce is not productive.
    z = np.array([[5.0, 0], [0, 1]])
    with pytest.raises(fzc.MrioError) as e:
        fzc.ect(fzc.Mrio(Z=z, Y=np.array([[-4.9], [1.0]]), F=np.array([1.0, 1]),
                         regions=["a"], sectors=["s1", "s2"], unit="t"), stressor="x")
    assert isinstance(e.value, fzc.FzcError)
    with pytest.raises(fzc.InputError, match="F\\[1\\]"):
        fzc.ect(fzc.Mrio(Z=np.eye(2) * 0.1, Y=np.ones((2, 1)), F=np.array([1.0, np.nan]),
                         regions=["a"], sectors=["s1", "s2"], unit="t"), stressor="x")
    with pytest.raises(TypeError):
        fzc.ect(42, stressor="x")


def test_final_demand_categories_are_summed_per_region():
    z = np.array([[5.0, 2, 1, 0.5], [1, 8, 0.5, 1], [6, 1, 10, 2], [0.5, 0.5, 1, 4]])
    y = np.array([[10.0, 1], [30, 2], [8, 12], [1, 15]])
    split = np.repeat(y, 2, axis=1) / 2.0  # two equal categories per region
    kw = dict(F=np.array([20.0, 5, 90, 10]), regions=["a", "b"], sectors=["e", "s"], unit="t")
    want = fzc.ect(fzc.Mrio(Z=z, Y=y, **kw), stressor="CO2")
    got = fzc.ect(fzc.Mrio(Z=z, Y=split, **kw), stressor="CO2")
    assert_frame_close(got.bilateral, want.bilateral, 1e-12)
    with pytest.raises(fzc.InputError, match="Y: 3 columns"):
        fzc.ect(fzc.Mrio(Z=z, Y=y[:, [0, 1, 1]], **kw), stressor="CO2")


EXIOBASE_ZIP = ROOT / "tests" / "fixtures" / "exiobase3" / "IOT_2022_pxp.zip"
CO2 = "CO2 - combustion - air"


def test_exiobase_zip_by_path_and_as_parsed_by_pymrio_agree_with_calc_all():
    """EXIOBASE 3 from Python: the zip by path, and pymrio's parse_exiobase3 result (A and x,
    no Z), both against pymrio's own accounts."""
    io = pymrio.parse_exiobase3(EXIOBASE_ZIP)
    assert io.Z is None and io.A is not None
    by_path = fzc.ect(EXIOBASE_ZIP, stressor=CO2, extension="satellite")
    by_object = fzc.ect(io, stressor=CO2, extension="satellite")
    io.calc_all()
    sat = io.satellite
    for got in (by_path, by_object):
        assert got.unit == "kg"
        regions = got.regions.set_index("region")
        for region in io.get_regions():
            want_exp = sat.D_exp_reg.loc[CO2, region]
            want_imp = sat.D_imp_reg.loc[CO2, region]
            assert regions.loc[region, "inflow"] == pytest.approx(want_exp, rel=1e-9)
            assert regions.loc[region, "outflow"] == pytest.approx(want_imp, rel=1e-9)


def test_ect_tables_equal_the_cli_files_for_several_stressors_and_years(tmp_path):
    import shutil
    import subprocess

    fzc_bin = os.environ.get("FZC_BIN", str(ROOT / "target" / "debug" / "fzc"))
    small = ROOT / "examples" / "mrio-small"
    subprocess.run([fzc_bin, "--quiet", "ect", "--mrio", str(small), "--stressor", "CO2",
                    "--stressor", "CH4", "--out", str(tmp_path / "cli")], check=True)
    res = fzc.ect_tables(small, stressor=["CO2", "CH4"], out=tmp_path / "py", quiet=True)
    for name in ("ect-regions.csv", "ect-bilateral.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()

    def cli_frame(folder, name):
        return pd.read_csv(tmp_path / folder / name, keep_default_na=False, na_values=[])

    # The tables come back as numbers, not read from the files: equal to the CLI's files
    # exactly (the files hold each f64's shortest round-trip text). The accounts are always
    # float64, where read_csv makes a column of whole numbers int64.
    pd.testing.assert_frame_equal(res.regions, cli_frame("cli", "ect-regions.csv"),
                                  check_exact=True,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(res.bilateral, cli_frame("cli", "ect-bilateral.csv"),
                                  check_exact=True,
                                  check_dtype=False)
    assert all(res.regions[c].dtype == np.float64
               for c in ("production", "consumption", "inflow", "outflow", "net"))
    assert all(res.bilateral[c].dtype == np.float64 for c in ("total", "intermediate", "final"))
    assert set(res.regions["stressor"].str.split(" ").str[0]) == {"CO2", "CH4"}
    # The CO2 rows are the single-stressor accounts.
    one = fzc.ect(small, stressor="CO2")
    co2 = res.regions[res.regions["stressor"].str.startswith("CO2")]
    np.testing.assert_allclose(co2["net"].to_numpy(), one.regions["net"].to_numpy(),
                               rtol=0, atol=1e-6)

    # A year series: two copies of the table; without out, nothing is left behind.
    for year in (2019, 2020):
        shutil.copytree(small, tmp_path / f"t-{year}")
    series = fzc.ect_tables(tmp_path / "t-{year}", stressor="CO2", years=[2019, 2020],
                            quiet=True)
    assert series.written == []
    assert sorted(set(series.regions["year"])) == [2019, 2020]
    subprocess.run([fzc_bin, "--quiet", "ect", "--mrio", str(tmp_path / "t-{year}"),
                    "--years", "2019,2020", "--stressor", "CO2", "--out",
                    str(tmp_path / "cli-series")], check=True)
    pd.testing.assert_frame_equal(series.regions, cli_frame("cli-series", "ect-regions.csv"),
                                  check_exact=True,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(series.bilateral,
                                  cli_frame("cli-series", "ect-bilateral.csv"),
                                  check_exact=True,
                                  check_dtype=False)
    for _, block in series.regions.groupby("year"):
        np.testing.assert_allclose(block["net"].to_numpy(), co2["net"].to_numpy(), atol=1e-9)
    with pytest.raises(fzc.FzcError, match="2021"):
        fzc.ect_tables(tmp_path / "t-{year}", stressor="CO2", years="2019..2021", quiet=True)
    with pytest.raises(ValueError, match="years"):
        fzc.ect_tables(tmp_path / "t-{year}", stressor="CO2", years="20x9", quiet=True)
    # Parquet files need a folder to go to: refused rather than silently not written.
    with pytest.raises(ValueError, match="parquet.*out"):
        fzc.ect_tables(small, stressor="CO2", parquet=True, quiet=True)


def test_ect_tables_in_memory_equal_the_same_table_on_disk(tmp_path):
    """A pymrio IOSystem in memory gives the tables its saved folder gives: every mass
    stressor of every extension, a region map as a DataFrame; a fzc.Mrio likewise."""
    io = pymrio.load_test()
    io.save_all(tmp_path / "saved")
    regions = list(dict.fromkeys(io.Z.index.get_level_values(0)))
    region_map = pd.DataFrame({"from_region": regions,
                               "to_region": ["north" if i % 2 else "south"
                                             for i in range(len(regions))]})
    on_disk = fzc.ect_tables(tmp_path / "saved", stressor="all", region_map=region_map,
                             quiet=True)
    in_memory = fzc.ect_tables(io, stressor="all", region_map=region_map, quiet=True)
    assert len(in_memory.regions) > 0 and set(in_memory.regions["region"]) == {"north", "south"}
    pd.testing.assert_frame_equal(in_memory.regions, on_disk.regions,
                                  check_exact=False, rtol=1e-12, atol=1e-9)
    pd.testing.assert_frame_equal(in_memory.bilateral, on_disk.bilateral,
                                  check_exact=False, rtol=1e-12, atol=1e-9)
    assert in_memory.skipped == on_disk.skipped
    # One stressor of a fzc.Mrio: the same accounts as fzc.ect on it.
    mrio = fzc.Mrio(Z=io.Z.to_numpy(), Y=io.Y.to_numpy(),
                    F=io.emissions.F.iloc[0].to_numpy(), regions=regions,
                    sectors=list(dict.fromkeys(io.Z.index.get_level_values(1))), unit="kg",
                    stressor="emission_type1")
    tables = fzc.ect_tables(mrio, stressor="emission_type1", quiet=True)
    single = fzc.ect(mrio, stressor="emission_type1")
    np.testing.assert_allclose(tables.regions["net"], single.regions["net"], rtol=1e-12,
                               atol=1e-9)
    with pytest.raises(ValueError, match="year series"):
        fzc.ect_tables(io, stressor="all", years=[2019, 2020], quiet=True)
    with pytest.raises(fzc.FzcError, match="nowhere"):
        fzc.ect_tables(io, stressor="nowhere", quiet=True)


def _synthetic(n_regions: int, n_sectors: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors
    # Values a float32 holds exactly, so a float32 copy describes the same table.
    z = rng.uniform(0.0, 1.0, (n, n)).astype(np.float32).astype(np.float64)
    y = rng.uniform(5.0, 50.0, (n, n_regions)) * n
    kw = dict(F=rng.uniform(0.0, 10.0, n), regions=[f"r{i}" for i in range(n_regions)],
              sectors=[f"s{i}" for i in range(n_sectors)], unit="t")
    return z, y, kw


def test_z_in_any_layout_gives_identical_accounts():
    """Z and Y are read in place whatever their strides: C order, Fortran order, a strided
    view into a larger array and a reversed view all give the same numbers, bit for bit; a
    float32 array is converted (a copy) to the same values."""
    z, y, kw = _synthetic(4, 5)
    n = z.shape[0]
    want = fzc.ect(fzc.Mrio(Z=np.ascontiguousarray(z), Y=y, **kw), stressor="CO2")
    big = np.zeros((n + 3, 2 * n))
    big[1:n + 1, ::2] = z
    rev = np.ascontiguousarray(z[::-1, ::-1])[::-1, ::-1]
    for layout in (np.asfortranarray(z), big[1:n + 1, ::2], rev, z.astype(np.float32)):
        got = fzc.ect(fzc.Mrio(Z=layout, Y=np.asfortranarray(y), **kw), stressor="CO2")
        pd.testing.assert_frame_equal(got.regions, want.regions, check_exact=True,
                                  check_dtype=False)
        pd.testing.assert_frame_equal(got.bilateral, want.bilateral, check_exact=True,
                                  check_dtype=False)
    with pytest.raises(fzc.FzcError, match="Z: shape"):
        fzc.ect(fzc.Mrio(Z=z[:, :-1], Y=y, **kw), stressor="CO2")


def test_z_is_not_copied_on_the_python_side():
    """No n × n buffer is allocated in Python for fzc.ect on a float64 Z: the peak of
    Python-side allocations (tracemalloc, which also sees numpy's data buffers) stays under
    half of Z's size. The same measurement sees the copy that ``Z.tobytes()`` makes, so it
    would catch one."""
    import tracemalloc

    z, y, kw = _synthetic(20, 20)
    z_bytes = z.nbytes  # 400 x 400 float64: 1.28 MB
    mrio = fzc.Mrio(Z=z, Y=y, **kw)
    fzc.ect(mrio, stressor="CO2")  # warm up: imports and caches are not counted

    def peak(call) -> int:
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        call()
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top - base

    assert peak(lambda: z.tobytes(order="F")) >= z_bytes  # the probe sees a copy
    assert peak(lambda: fzc.ect(mrio, stressor="CO2")) < z_bytes // 2
    assert peak(lambda: fzc.ect(fzc.Mrio(Z=np.asfortranarray(z), Y=y, **kw),
                                stressor="CO2")) >= z_bytes  # asfortranarray copies: seen
