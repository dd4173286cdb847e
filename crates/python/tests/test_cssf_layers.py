"""fzc.cssf.supply and fzc.cssf.demand: the CLI's files byte for byte from the same paths,
numpy arrays and DataFrames in place of the files they were read from, supply per pixel
against an independent computation (pixel areas on the WGS84 ellipsoid by pyproj, densities
from the pools table), and bad inputs."""

import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
BOUNDARIES = ROOT / "examples" / "bth-2020" / "boundaries"
OPEN = ROOT / "examples" / "bth-2020-open"
DATA = ROOT / "crates" / "cssf-flow" / "data"
LULC = OPEN / "landcover-bth.tif"
SUPPLY = dict(lulc_map=DATA / "igbp-to-paper-classes.csv", raster_crs="EPSG:4326")
DEMAND = dict(emissions=OPEN / "emissions.csv", emissions_unit="Mt", census=OPEN / "census.csv",
              class_weights=DATA / "dasymetric-weights.csv", lulc_map=DATA /
              "igbp-to-paper-classes.csv", raster_crs="EPSG:4326")


def fzc_bin() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("FZC_BIN", ROOT / "target" / "debug" / "fzc"))
    assert path.is_file(), f"{path}: build the CLI first (cargo build -p fzc-cli) or set FZC_BIN"
    return path


def cli(*args) -> None:
    subprocess.run([str(fzc_bin()), "--quiet", *map(str, args)], check=True,
                   capture_output=True)


def flags(options: dict) -> list:
    out = []
    for key, value in options.items():
        out += ["--" + key.replace("_", "-"), value]
    return out


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[])


def test_supply_equals_the_cli_files(tmp_path):
    cli("cssf", "supply", "--lulc", LULC, "--pools", DATA / "paper-pools.csv", "--regions",
        BOUNDARIES, *flags(SUPPLY), "--out", tmp_path / "cli")
    res = fzc.cssf.supply(LULC, DATA / "paper-pools.csv", BOUNDARIES, **SUPPLY,
                          out=tmp_path / "py", quiet=True)
    for name in ("supply-regions.csv", "supply.tif"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
        assert str(tmp_path / "py" / name) in res.written
    pd.testing.assert_frame_equal(res.regions, read_csv(tmp_path / "cli" / "supply-regions.csv"))
    assert list(res.regions.columns) == ["region", "supply"] and len(res.regions) == 13
    pixels, transform, crs = fzc.cssf.read_raster(tmp_path / "cli" / "supply.tif")
    np.testing.assert_array_equal(res.pixels, pixels)
    assert res.transform == transform and res.crs == crs == "EPSG:4326"
    # Without out nothing is written and the result is the same.
    again = fzc.cssf.supply(LULC, DATA / "paper-pools.csv", BOUNDARIES, **SUPPLY, quiet=True)
    assert again.written == []
    pd.testing.assert_frame_equal(again.regions, res.regions)


def test_arrays_and_dataframes_equal_the_files_they_came_from():
    from_files = fzc.cssf.supply(LULC, DATA / "paper-pools.csv", BOUNDARIES, **SUPPLY,
                                 quiet=True)
    classes, transform, crs = fzc.cssf.read_raster(LULC, raster_crs="EPSG:4326")
    pools = pd.read_csv(DATA / "paper-pools.csv")
    class_map = pd.read_csv(DATA / "igbp-to-paper-classes.csv")
    # An affine.Affine-like object, as rasterio's dataset.transform.
    class Affine:
        a, b, c, d, e, f = transform
    from_memory = fzc.cssf.supply(classes, pools, BOUNDARIES, transform=Affine(), crs=4326,
                                  lulc_map=class_map, quiet=True)
    pd.testing.assert_frame_equal(from_memory.regions, from_files.regions)
    np.testing.assert_array_equal(from_memory.pixels, from_files.pixels)
    # A nodata value in the array is nodata: the -1 put where the raster had nodata is NaN again.
    marked = np.where(np.isnan(classes), -1.0, classes)
    with_nodata = fzc.cssf.supply(marked, pools, BOUNDARIES, transform=transform, crs="EPSG:4326",
                                  nodata=-1.0, lulc_map=class_map, quiet=True)
    np.testing.assert_array_equal(with_nodata.pixels, from_files.pixels)


def test_supply_per_pixel_is_area_times_density():
    """An independent check: each pixel's area on the WGS84 ellipsoid by pyproj's Geod, times
    the total density of its class (mapped IGBP -> paper class) from the pools table."""
    from pyproj import Geod

    res = fzc.cssf.supply(LULC, DATA / "paper-pools.csv", BOUNDARIES, **SUPPLY, quiet=True)
    dx, _, x0, _, dy, y0 = res.transform
    classes, (cdx, _, cx0, _, cdy, cy0), _ = fzc.cssf.read_raster(LULC, raster_crs="EPSG:4326")
    col0 = int(round((x0 - cx0) / cdx))
    row0 = int(round((y0 - cy0) / cdy))
    height, width = res.pixels.shape
    window = classes[row0:row0 + height, col0:col0 + width]
    class_map = dict(pd.read_csv(DATA / "igbp-to-paper-classes.csv").iloc[:, :2].values)
    pools = pd.read_csv(DATA / "paper-pools.csv").set_index("lucode")
    density = (pools["c_above"] + pools["c_below"] + pools["c_soil"] + pools["c_dead"]).to_dict()
    geod = Geod(ellps="WGS84")
    checked = 0
    for r in range(0, height, max(1, height // 7)):
        lat_top, lat_bottom = y0 + r * dy, y0 + (r + 1) * dy
        # The pixel's top and bottom edges follow parallels: densified, so that Geod's
        # geodesic edges follow them too (a 4-vertex polygon is off by 2e-8).
        along = list(np.linspace(x0, x0 + dx, 201))
        lons = along + along[::-1]
        lats = [lat_top] * len(along) + [lat_bottom] * len(along)
        area_ha = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 1e4
        for c in range(width):
            code = window[r, c]
            got = res.pixels[r, c]
            mapped = class_map.get(int(code)) if not np.isnan(code) else None
            if mapped is None or mapped not in density:
                assert np.isnan(got), (r, c, code, got)
                continue
            assert got == pytest.approx(area_ha * density[mapped], rel=1e-9), (r, c)
            checked += 1
    assert checked > 500


def test_demand_equals_the_cli_files_and_takes_arrays(tmp_path):
    cli("cssf", "demand", "--regions", BOUNDARIES, "--lulc", LULC, *flags(DEMAND), "--out",
        tmp_path / "cli")
    res = fzc.cssf.demand(BOUNDARIES, lulc=LULC, **DEMAND, out=tmp_path / "py", quiet=True)
    for name in ("demand-regions.csv", "demand.tif"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert res.estimator
    # Each region's demand is calibrated to its emissions (Eq 12): Mt -> t.
    emissions = pd.read_csv(OPEN / "emissions.csv").set_index("region")
    for region, value in zip(res.regions["region"], res.regions["demand"]):
        assert value == pytest.approx(emissions.loc[region, "emissions"] * 1e6, rel=1e-6)
    classes, transform, crs = fzc.cssf.read_raster(LULC, raster_crs="EPSG:4326")
    options = {k: v for k, v in DEMAND.items() if k != "raster_crs"}
    options["census"] = pd.read_csv(OPEN / "census.csv")
    in_memory = fzc.cssf.demand(BOUNDARIES, lulc=classes, transform=transform, crs=crs,
                                **options, quiet=True)
    pd.testing.assert_frame_equal(in_memory.regions, res.regions)
    np.testing.assert_array_equal(in_memory.pixels, res.pixels)


def test_bad_arrays_and_transforms_are_clear_errors():
    pools = DATA / "paper-pools.csv"
    grid = np.ones((4, 4))
    with pytest.raises(ValueError, match="give transform="):
        fzc.cssf.supply(grid, pools, BOUNDARIES, quiet=True)
    with pytest.raises(ValueError, match="rotated"):
        fzc.cssf.supply(grid, pools, BOUNDARIES, transform=(0.05, 0.01, 113, 0, -0.05, 43),
                        crs=4326, quiet=True)
    with pytest.raises(ValueError, match="2-D array"):
        fzc.cssf.supply(np.ones((2, 2, 2)), pools, BOUNDARIES, transform=(1, 0, 0, 0, -1, 0),
                        crs=4326, quiet=True)
    with pytest.raises(TypeError, match="six numbers"):
        fzc.cssf.supply(grid, pools, BOUNDARIES, transform="north-up", crs=4326, quiet=True)
    with pytest.raises(ValueError, match="pixel width"):
        fzc.cssf.supply(grid, pools, BOUNDARIES, transform=(-0.05, 0, 113, 0, -0.05, 43),
                        crs=4326, quiet=True)
    # A 4 x 4 grid far from the regions: the regions are off the raster.
    with pytest.raises(fzc.FzcError, match="outside"):
        fzc.cssf.supply(grid, pools, BOUNDARIES, transform=(0.05, 0, 0, 0, -0.05, 0),
                        crs=4326, quiet=True)
    with pytest.raises(ValueError, match="census with class_weights"):
        fzc.cssf.demand(BOUNDARIES, OPEN / "emissions.csv", lulc=LULC, quiet=True)
