//! Python classes as CSSF flow models: a subclass of `fzc.FlowModel` behind the Rust
//! [`FlowModel`] trait, held to the output checks the C-ABI host applies to native flow
//! models (one core per region, finite numbers, two different region indices per flow).
//!
//! `flows(regions)` takes the GIL, builds the list of `fzc.FlowRegion` (through the package's
//! `_flow_regions`: id, supply, demand, core, and the polygon as a GeoJSON-like MultiPolygon
//! dict in lon/lat degrees), calls `obj.flows(regions)` and reads the `fzc.FlowOutput` back
//! through `_flow_columns`.

use fzc_core::{FlowModel, FlowModelError, FlowOutput, FlowRegion, LonLat, RegionFlow, TonnesCo2};
use pyo3::prelude::*;

use crate::pricing::{Failures, describe};

/// A Python object with `flows(regions)` and `name`.
pub struct PyFlowModel {
    object: Py<PyAny>,
    name: String,
    failures: Failures,
}

type Ring = Vec<(f64, f64)>;
type Columns = (
    Vec<(f64, f64)>,
    Vec<i64>,
    Vec<i64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
);

impl PyFlowModel {
    pub fn new(py: Python<'_>, object: Py<PyAny>, failures: Failures) -> PyResult<PyFlowModel> {
        let name: String = object.bind(py).getattr("name")?.str()?.to_string();
        Ok(PyFlowModel {
            object,
            name,
            failures,
        })
    }

    fn call(&self, py: Python<'_>, regions: &[FlowRegion]) -> Result<FlowOutput, String> {
        let fzc = py
            .import("fzc")
            .map_err(|e| format!("cannot import fzc: {}", describe(py, &e)))?;
        let ids: Vec<&str> = regions.iter().map(|r| r.id.as_str()).collect();
        let supply: Vec<f64> = regions.iter().map(|r| r.supply.0).collect();
        let demand: Vec<f64> = regions.iter().map(|r| r.demand.0).collect();
        let cores: Vec<Option<(f64, f64)>> = regions
            .iter()
            .map(|r| r.given_core.map(|c| (c.lon_deg, c.lat_deg)))
            .collect();
        let ring =
            |points: &[LonLat]| -> Ring { points.iter().map(|p| (p.lon_deg, p.lat_deg)).collect() };
        let shapes: Vec<Vec<Vec<Ring>>> = regions
            .iter()
            .map(|r| {
                r.shape
                    .parts
                    .iter()
                    .map(|part| {
                        std::iter::once(ring(&part.exterior))
                            .chain(part.holes.iter().map(|h| ring(h)))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let input = fzc
            .getattr("_flow_regions")
            .and_then(|make| make.call1((ids, supply, demand, cores, shapes)))
            .map_err(|e| format!("building its input: {}", describe(py, &e)))?;
        let out = self
            .object
            .bind(py)
            .call_method1("flows", (input,))
            .map_err(|e| format!("flows() raised:\n{}", describe(py, &e)))?;
        let columns: Columns = fzc
            .getattr("_flow_columns")
            .and_then(|read| read.call1((out, regions.len())))
            .and_then(|c| c.extract())
            .map_err(|e| format!("its output: {}", describe(py, &e)))?;
        check(regions, columns)
    }
}

/// The checks of the C-ABI host (`fzc-plugin-host`'s flow adapter) on a model's output.
fn check(regions: &[FlowRegion], columns: Columns) -> Result<FlowOutput, String> {
    let (cores, from, to, distance, range, area, intensity, transfer) = columns;
    let n = regions.len();
    if cores.len() != n {
        return Err(format!(
            "cores has {} entries, expected one per region ({n})",
            cores.len()
        ));
    }
    for (region, (lon, lat)) in regions.iter().zip(&cores) {
        if !(lon.is_finite() && lat.is_finite()) {
            return Err(format!(
                "the core of region `{}` is ({lon}, {lat}); expected finite degrees",
                region.id
            ));
        }
    }
    let mut flows = Vec::with_capacity(from.len());
    for i in 0..from.len() {
        let index = |v: i64| usize::try_from(v).ok().filter(|&k| k < n);
        let (Some(f), Some(t)) = (index(from[i]), index(to[i])) else {
            return Err(format!(
                "flow {i} goes from region index {} to {}; expected indices below {n}",
                from[i], to[i]
            ));
        };
        if f == t {
            return Err(format!(
                "flow {i} goes from region `{}` to itself; expected two different regions",
                regions[f].id
            ));
        }
        for (column, value) in [
            ("distance_km", distance[i]),
            ("range_km", range[i]),
            ("area_km2", area[i]),
            ("intensity_t_per_km2", intensity[i]),
            ("transfer_t", transfer[i]),
        ] {
            if !value.is_finite() {
                return Err(format!(
                    "flow {i} ({} → {}) has {column} = {value}; expected a finite number",
                    regions[f].id, regions[t].id
                ));
            }
        }
        flows.push(RegionFlow {
            from: f,
            to: t,
            distance_km: distance[i],
            range_km: range[i],
            area_km2: area[i],
            intensity_t_per_km2: intensity[i],
            transfer: TonnesCo2(transfer[i]),
        });
    }
    Ok(FlowOutput {
        cores: cores
            .into_iter()
            .map(|(lon, lat)| LonLat::new(lon, lat))
            .collect(),
        flows,
    })
}

impl FlowModel for PyFlowModel {
    fn name(&self) -> &str {
        &self.name
    }

    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError> {
        Python::with_gil(|py| self.call(py, regions)).map_err(|message| {
            self.failures
                .record(format!("Python flow model `{}`: {message}", self.name));
            FlowModelError {
                region: None,
                message: format!("Python flow model `{}`: {message}", self.name),
            }
        })
    }
}
