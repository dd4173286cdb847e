"""Python demand estimators (fzc.DemandEstimator): a vectorised reimplementation of the
built-in dasymetric estimator reproduces the built-in demand, per region and per pixel, in
fzc.cssf.demand, fzc.cssf.run and a scenario's ``[cssf.rasters] demand = "plugin:<name>"``;
faults are fzc.PluginError with nothing written."""

import pathlib

import numpy as np
import pandas as pd
import pytest

import fzc

ROOT = pathlib.Path(__file__).resolve().parents[3]
BOUNDARIES = ROOT / "examples" / "bth-2020" / "boundaries"
OPEN = ROOT / "examples" / "bth-2020-open"
DATA = ROOT / "crates" / "cssf-flow" / "data"
COMMON = dict(lulc=OPEN / "landcover-bth.tif", lulc_map=DATA / "igbp-to-paper-classes.csv",
              emissions_unit="Mt", census=OPEN / "census.csv", raster_crs="EPSG:4326")


class Dasymetric(fzc.DemandEstimator):
    """METHOD 2.2's dasymetric estimator, vectorised: a pixel's weight is its class's
    relative density times its area; zones agricultural (class 1), urban (class 5), else
    rural."""

    name = "py-dasymetric"
    scaling = "to-region-total"

    def __init__(self):
        table = pd.read_csv(DATA / "dasymetric-weights.csv")
        self.weights = dict(zip(table.iloc[:, 0].astype(int), table.iloc[:, 1].astype(float)))
        self.windows = 0

    def estimate(self, pixels):
        self.windows += 1
        cls = pixels.land_class
        known = ~np.isnan(cls)
        codes = np.where(known, cls, -1).astype(np.int64)
        weight = np.array([self.weights.get(int(c), 0.0) for c in codes])
        population = np.where(known, weight * pixels.area_km2, np.nan)
        zone = np.full(len(pixels), fzc.ZONE_RURAL)
        zone[codes == 5] = fzc.ZONE_URBAN
        zone[codes == 1] = fzc.ZONE_AGRICULTURAL
        return population, zone


def test_a_python_dasymetric_estimator_reproduces_the_builtin_demand(tmp_path):
    builtin = fzc.cssf.demand(BOUNDARIES, OPEN / "emissions.csv",
                              class_weights=DATA / "dasymetric-weights.csv", **COMMON,
                              quiet=True)
    estimator = Dasymetric()
    python = fzc.cssf.demand(BOUNDARIES, OPEN / "emissions.csv", estimator=estimator,
                             **COMMON, out=tmp_path / "py", quiet=True)
    assert python.estimator == "py-dasymetric"
    assert builtin.estimator == "dasymetric-census"
    # One call per window of raster rows, not per pixel.
    height = python.pixels.shape[0]
    assert 0 < estimator.windows <= 2 * (height // 64 + 1) + 2
    np.testing.assert_allclose(python.regions["demand"], builtin.regions["demand"], rtol=1e-9)
    np.testing.assert_allclose(python.pixels, builtin.pixels, rtol=1e-9, equal_nan=True)
    assert (tmp_path / "py" / "demand.tif").is_file()


def test_in_cssf_run_and_in_a_scenario(tmp_path):
    run_args = dict(COMMON, pools=DATA / "paper-pools.csv", regions=BOUNDARIES,
                    emissions=OPEN / "emissions.csv", mass="balance", quiet=True)
    builtin = fzc.cssf.run(class_weights=DATA / "dasymetric-weights.csv", **run_args)
    python = fzc.cssf.run(demand_estimator=Dasymetric(), **run_args)
    np.testing.assert_allclose(python.balance["demand"], builtin.balance["demand"], rtol=1e-9)
    pd.testing.assert_frame_equal(python.flows, builtin.flows)
    # A scenario naming the estimator as a plugin, resolved from plugins={...}.
    text = (OPEN / "scenario.toml").read_text()
    scenario = tmp_path / "scenario.toml"
    text = text.replace('class_weights = "../../crates/cssf-flow/data/dasymetric-weights.csv"',
                        'demand = "plugin:dasy"')
    for key in ("lulc", "lulc_map", "pools", "emissions", "census", "standards", "economy",
                "net", "bilateral", "regions"):
        text = text.replace(f'{key} = "', f'{key} = "@@')
    text = text.replace('"@@', '"' + str(OPEN.resolve()) + "/")
    text += '\n[[plugin]]\nname = "dasy"\npath = "not-a-library.so"\n'
    scenario.write_text(text)
    assert 'demand = "plugin:dasy"' in text and "class_weights" not in text
    estimator = Dasymetric()
    with_python = fzc.run(scenario, plugins={"dasy": estimator}, quiet=True)
    assert estimator.windows > 0
    reference = fzc.run(OPEN / "scenario.toml", quiet=True)
    cols = ["region", "zone"]
    pd.testing.assert_frame_equal(with_python.zoning[cols], reference.zoning[cols])
    np.testing.assert_allclose(with_python.zoning["ledger_net"], reference.zoning["ledger_net"],
                               rtol=1e-9, atol=1e-6)


class Raises(Dasymetric):
    name = "raises"

    def estimate(self, pixels):
        raise RuntimeError("deliberate failure in estimate()")


class BadZone(Dasymetric):
    name = "bad-zone"

    def estimate(self, pixels):
        population, zone = super().estimate(pixels)
        return population, zone + 7


class Negative(Dasymetric):
    name = "negative"

    def estimate(self, pixels):
        population, zone = super().estimate(pixels)
        return -np.abs(population) - 1.0, zone


class Short(Dasymetric):
    name = "short"

    def estimate(self, pixels):
        population, zone = super().estimate(pixels)
        return population[:-1], zone[:-1]


@pytest.mark.parametrize("estimator,message", [
    (Raises(), "deliberate failure in estimate()"),
    (BadZone(), "expected 0 (agricultural), 1 (urban) or 2 (rural)"),
    (Negative(), "expected a finite value >= 0"),
    (Short(), "populations and"),
])
def test_faults_are_plugin_errors_and_write_nothing(tmp_path, estimator, message):
    with pytest.raises(fzc.PluginError) as err:
        fzc.cssf.demand(BOUNDARIES, OPEN / "emissions.csv", estimator=estimator, **COMMON,
                        out=tmp_path / "out", quiet=True)
    assert message in str(err.value)
    assert estimator.name in str(err.value)
    assert not (tmp_path / "out").exists()


def test_a_bad_scaling_is_refused():
    class Odd(Dasymetric):
        scaling = "per-hectare"

    with pytest.raises(ValueError, match="as-is"):
        fzc.cssf.demand(BOUNDARIES, OPEN / "emissions.csv", estimator=Odd(), **COMMON,
                        quiet=True)
