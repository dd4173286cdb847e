//! Python classes as demand estimators: a subclass of `fzc.DemandEstimator` behind the Rust
//! [`DemandEstimator`] trait. The CSSF layer calls [`DemandEstimator::estimate`] once per
//! window of raster rows; here that takes the GIL once, hands the window to the object's
//! vectorised `estimate(pixels)` as numpy arrays (through the package's `_demand_call`), and
//! checks what comes back as the C-ABI host checks a native estimator's output: one value
//! per pixel, populations finite and `>= 0` (NaN: no data), zones 0, 1 or 2.

use fzc_core::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling};
use pyo3::prelude::*;

use crate::pricing::{Failures, describe};

/// A Python object with `estimate(pixels)`, `name` and `scaling`.
pub struct PyDemandEstimator {
    object: Py<PyAny>,
    name: String,
    scaling: PopulationScaling,
    failures: Failures,
}

impl PyDemandEstimator {
    pub fn new(py: Python<'_>, object: Py<PyAny>, failures: Failures) -> PyResult<Self> {
        let bound = object.bind(py);
        let name: String = bound.getattr("name")?.str()?.to_string();
        let scaling: String = bound.getattr("scaling")?.str()?.to_string();
        let scaling = match scaling.as_str() {
            "as-is" => PopulationScaling::AsIs,
            "to-region-total" => PopulationScaling::ToRegionTotal,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "demand estimator `{name}`: scaling = {other:?}; expected \"as-is\" (pixel \
                     values are persons) or \"to-region-total\" (weights rescaled to census \
                     totals)"
                )));
            }
        };
        Ok(Self {
            object,
            name,
            scaling,
            failures,
        })
    }

    fn call(
        &self,
        py: Python<'_>,
        pixels: &[DemandPixel],
        out: &mut Vec<(Option<f64>, DemandZone)>,
    ) -> Result<(), String> {
        let column = |f: fn(&DemandPixel) -> f64| crate::f64_bytes(py, pixels.iter().map(f));
        let columns = (
            column(|p| p.population),
            column(|p| p.land_class),
            column(|p| p.urban),
            column(|p| p.area_km2),
        );
        let fzc = py
            .import("fzc")
            .map_err(|e| format!("cannot import fzc: {}", describe(py, &e)))?;
        let (population, zones): (Vec<u8>, Vec<u8>) = fzc
            .getattr("_demand_call")
            .and_then(|call| {
                call.call1((
                    self.object.bind(py),
                    columns.0,
                    columns.1,
                    columns.2,
                    columns.3,
                ))
            })
            .and_then(|r| r.extract())
            .map_err(|e| format!("estimate() failed:\n{}", describe(py, &e)))?;
        let n = pixels.len();
        if population.len() != 8 * n || zones.len() != n {
            return Err(format!(
                "estimate() gave {} populations and {} zones for {n} pixels; expected one of \
                 each per pixel",
                population.len() / 8,
                zones.len()
            ));
        }
        out.clear();
        for (i, (bytes, &zone)) in population.chunks_exact(8).zip(&zones).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(bytes);
            let p = f64::from_le_bytes(b);
            if p.is_infinite() || p < 0.0 {
                return Err(format!(
                    "estimate() gave population {p} for pixel {i} of the window; expected a \
                     finite value >= 0, or NaN for no data"
                ));
            }
            let zone = match zone {
                0 => DemandZone::Agricultural,
                1 => DemandZone::Urban,
                2 => DemandZone::Rural,
                other => {
                    return Err(format!(
                        "estimate() gave zone {other} for pixel {i} of the window; expected 0 \
                         (agricultural), 1 (urban) or 2 (rural)"
                    ));
                }
            };
            out.push(((!p.is_nan()).then_some(p), zone));
        }
        Ok(())
    }

    /// One pixel through the vectorised call (the trait's per-pixel methods).
    fn one(&self, pixel: &DemandPixel) -> (Option<f64>, DemandZone) {
        let mut out = Vec::with_capacity(1);
        match self.estimate(std::slice::from_ref(pixel), &mut out) {
            Ok(()) => out.first().copied().unwrap_or((None, DemandZone::Rural)),
            Err(_) => (None, DemandZone::Rural),
        }
    }
}

impl DemandEstimator for PyDemandEstimator {
    fn name(&self) -> &str {
        &self.name
    }

    fn scaling(&self) -> PopulationScaling {
        self.scaling
    }

    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        self.one(pixel).0
    }

    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.one(pixel).1
    }

    fn estimate(
        &self,
        pixels: &[DemandPixel],
        out: &mut Vec<(Option<f64>, DemandZone)>,
    ) -> Result<(), String> {
        Python::with_gil(|py| self.call(py, pixels, out)).map_err(|message| {
            let message = format!("Python demand estimator `{}`: {message}", self.name);
            self.failures.record(message.clone());
            message
        })
    }
}
