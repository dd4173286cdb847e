//! `fzc.cssf.flows` and `fzc.cssf.run`: the calls of `fzc cssf flows` and `fzc cssf run`,
//! through the same `fzc_pipeline::cssf_job` functions. The tables come back as the exact
//! text of `cssf-regions.csv` and `cssf-flows.csv`, so the DataFrames have the files'
//! columns, rows and rounding by construction.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use fzc_core::{DemandEstimator, FlowModel, LonLat, MassUnit, RegionId};
use fzc_cssf_flow::{
    BreakpointModel, Core, ImpactFactor, Intensity, Mass, PopulationKind, SupplyUnit,
    UnmappedClasses,
};
use fzc_io::RegionBalanceRow;
use fzc_pipeline::cssf_job::{self, FlowsJob, FlowsOutcome};
use fzc_scenario::rasters::{CoverageMode, DemandInputs, RasterInputs, RegionsInput, SupplyInputs};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::FzcError;

use crate::demand::PyDemandEstimator;
use crate::flow::PyFlowModel;
use crate::pricing::Failures;
use crate::run::{PyProgress, error};

fn choice<T: Copy>(what: &str, value: &str, options: &[(&str, T)]) -> PyResult<T> {
    options
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            PyValueError::new_err(format!(
                "{what}={value:?}: expected one of {}",
                names.join(", ")
            ))
        })
}

/// `raster_crs="EPSG:4326"` as the CLI's `--raster-crs`.
fn raster_crs_of(raster_crs: Option<String>) -> PyResult<Option<fzc_core::GridCrs>> {
    raster_crs
        .map(|text| {
            fzc_io::parse_raster_crs(&text)
                .map_err(|e| PyValueError::new_err(format!("raster_crs={text:?}: {e}")))
        })
        .transpose()
}

/// The regions and how cells are shared with them (`--coverage`, `--max-outside-share`).
fn regions_input(
    regions: &std::path::Path,
    id_field: Option<String>,
    coverage: &str,
    max_outside_share: f64,
) -> PyResult<RegionsInput> {
    if !(0.0..=1.0).contains(&max_outside_share) {
        return Err(PyValueError::new_err(format!(
            "max_outside_share={max_outside_share}: expected a share in [0, 1]"
        )));
    }
    Ok(RegionsInput {
        path: regions.to_owned(),
        id_field,
        coverage: choice(
            "coverage",
            coverage,
            &[
                ("exact", CoverageMode::Exact),
                ("pixel-centre", CoverageMode::PixelCentre),
            ],
        )?,
        max_outside_share,
    })
}

/// Supply's inputs, as `fzc cssf supply`'s flags.
fn supply_inputs(
    lulc: PathBuf,
    pools: PathBuf,
    lulc_map: Option<PathBuf>,
    supply_unit: &str,
    unmapped: &str,
    raster_crs: Option<fzc_core::GridCrs>,
) -> PyResult<SupplyInputs> {
    Ok(SupplyInputs {
        lulc,
        pools,
        lulc_map,
        unit: choice(
            "supply_unit",
            supply_unit,
            &[("as-paper", SupplyUnit::AsPaper), ("co2", SupplyUnit::Co2)],
        )?,
        unmapped: choice(
            "unmapped",
            unmapped,
            &[
                ("error", UnmappedClasses::Error),
                ("skip", UnmappedClasses::Skip),
            ],
        )?,
        raster_crs,
    })
}

/// Demand's inputs, as `fzc cssf demand`'s flags (`lulc` is left unset).
fn demand_inputs(
    emissions: PathBuf,
    emissions_unit: &str,
    (population, population_kind): (Option<PathBuf>, &str),
    (census, class_weights): (Option<PathBuf>, Option<PathBuf>),
    lulc_map: Option<PathBuf>,
    (agri_classes, urban_classes, urban_mask): (Vec<i64>, Vec<i64>, Option<PathBuf>),
    raster_crs: Option<fzc_core::GridCrs>,
) -> PyResult<DemandInputs> {
    if population.is_some() && (census.is_some() || class_weights.is_some()) {
        return Err(PyValueError::new_err(
            "give population (a raster), or census with class_weights, not both",
        ));
    }
    if population.is_none() && census.is_none() {
        return Err(PyValueError::new_err(
            "give population (a raster), or census with class_weights",
        ));
    }
    Ok(DemandInputs {
        emissions,
        emissions_unit: emissions_unit.parse().map_err(|e| {
            PyValueError::new_err(format!("emissions_unit={emissions_unit:?}: {e}"))
        })?,
        population,
        population_kind: choice(
            "population_kind",
            population_kind,
            &[
                ("count", PopulationKind::Count),
                ("density-per-km2", PopulationKind::DensityPerKm2),
            ],
        )?,
        census,
        class_weights,
        lulc: None,
        lulc_map,
        agri_classes: agri_classes.into_iter().collect::<BTreeSet<_>>(),
        urban_classes: urban_classes.into_iter().collect::<BTreeSet<_>>(),
        urban_mask,
        raster_crs,
    })
}

/// The built-in breakpoint model of the keyword arguments (as `fzc cssf flows --k
/// --intensity --mass --core`).
fn breakpoint_model(k: f64, intensity: &str, mass: &str, core: &str) -> PyResult<BreakpointModel> {
    Ok(BreakpointModel {
        k: ImpactFactor::new(k).map_err(|e| PyValueError::new_err(format!("k={k}: {e}")))?,
        intensity: choice(
            "intensity",
            intensity,
            &[
                ("surplus-over-range", Intensity::SurplusOverRange),
                ("as-printed", Intensity::AsPrinted),
            ],
        )?,
        mass: choice(
            "mass",
            mass,
            &[
                ("demand", Mass::Demand),
                ("supply", Mass::Supply),
                ("balance", Mass::Balance),
            ],
        )?,
        core: choice(
            "core",
            core,
            &[
                ("centroid", Core::Centroid),
                ("interior-point", Core::InteriorPoint),
                ("given", Core::Given),
            ],
        )?,
        ..BreakpointModel::default()
    })
}

/// A balance given as columns: `region`, `supply`, `demand`, and optionally `core_lon`,
/// `core_lat` (NaN where a region has none).
type BalanceColumns = (
    Vec<String>,
    Vec<f64>,
    Vec<f64>,
    Option<Vec<f64>>,
    Option<Vec<f64>>,
);

/// The balance handed back: region, supply, demand, CSSDR (None where S + D = 0).
type BalanceOut<'a> = (Vec<&'a str>, Vec<f64>, Vec<f64>, Vec<Option<f64>>);

fn balance_rows(columns: BalanceColumns) -> PyResult<Vec<RegionBalanceRow>> {
    let (ids, supply, demand, lon, lat) = columns;
    let n = ids.len();
    let bad = |m: String| FzcError::new_err(format!("balance: {m}"));
    if supply.len() != n || demand.len() != n {
        return Err(bad(format!(
            "{n} regions, {} supply and {} demand values; expected one of each per region",
            supply.len(),
            demand.len()
        )));
    }
    let mut seen = BTreeSet::new();
    let mut rows = Vec::with_capacity(n);
    for (i, id) in ids.into_iter().enumerate() {
        let region: RegionId = id
            .parse()
            .map_err(|e| bad(format!("row {i}: region {id:?}: {e}")))?;
        if !seen.insert(id.clone()) {
            return Err(bad(format!(
                "region {id:?} appears twice; expected one row each"
            )));
        }
        for (what, v) in [("supply", supply[i]), ("demand", demand[i])] {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(format!(
                    "region {id:?}: {what} is {v}; expected a finite number >= 0"
                )));
            }
        }
        let core = match (&lon, &lat) {
            (Some(lon), Some(lat)) => {
                let (x, y) = (
                    lon.get(i).copied().unwrap_or(f64::NAN),
                    lat.get(i).copied().unwrap_or(f64::NAN),
                );
                if x.is_nan() && y.is_nan() {
                    None
                } else if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) {
                    Some(LonLat::new(x, y))
                } else {
                    return Err(bad(format!(
                        "region {id:?}: core ({x}, {y}) is not a lon/lat position in degrees"
                    )));
                }
            }
            (None, None) => None,
            _ => return Err(bad("core_lon and core_lat go together".to_owned())),
        };
        rows.push(RegionBalanceRow {
            id: region,
            supply: supply[i],
            demand: demand[i],
            core,
        });
    }
    Ok(rows)
}

fn flows_dict<'py>(
    py: Python<'py>,
    outcome: &FlowsOutcome,
    written: Vec<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("regions", cssf_job::regions_csv(&outcome.run))?;
    dict.set_item("flows", cssf_job::flows_csv(&outcome.run))?;
    dict.set_item("notes", flow_notes(outcome))?;
    dict.set_item("written", written)?;
    Ok(dict)
}

/// The flows' notes for the user: overlapping regions, and the flow model that replaced the
/// built-in flows.
fn flow_notes(outcome: &FlowsOutcome) -> Vec<String> {
    let mut notes = outcome.notes.clone();
    if let Some(name) = &outcome.flow_model {
        notes.push(format!("flows from the flow model `{name}`"));
    }
    notes
}

/// `fzc cssf flows`: CSSDR, roles, cores and flows of a balance (a CSV path, or columns)
/// over region polygons; with `out` writes the three files. Returns `{"regions", "flows":
/// CSV text, "notes", "written"}`.
#[pyfunction]
#[pyo3(signature = (regions, balance_path=None, balance=None, unit="t", id_field=None, k=0.6,
    intensity="surplus-over-range", mass="demand", core="centroid", model=None, out=None,
    progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn cssf_flows<'py>(
    py: Python<'py>,
    regions: PathBuf,
    balance_path: Option<PathBuf>,
    balance: Option<BalanceColumns>,
    unit: &str,
    id_field: Option<String>,
    k: f64,
    intensity: &str,
    mass: &str,
    core: &str,
    model: Option<Py<PyAny>>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let unit: MassUnit = unit
        .parse()
        .map_err(|e| PyValueError::new_err(format!("unit={unit:?}: {e}")))?;
    let breakpoint = breakpoint_model(k, intensity, mass, core)?;
    let (rows, name) = match (balance_path, balance) {
        (Some(path), None) => (
            fzc_io::read_region_balance(&path).map_err(|e| FzcError::new_err(e.to_string()))?,
            path.display().to_string(),
        ),
        (None, Some(columns)) => (balance_rows(columns)?, "the balance DataFrame".to_owned()),
        _ => {
            return Err(PyValueError::new_err(
                "give the balance as a CSV path or as columns, not both",
            ));
        }
    };
    let failures = Failures::default();
    let flow_model = model
        .map(|m| PyFlowModel::new(py, m, failures.clone()))
        .transpose()?;
    let sink = PyProgress::new(progress);
    let result = py.allow_threads(|| -> anyhow::Result<_> {
        let job = FlowsJob {
            regions,
            id_field,
            unit,
            model: breakpoint,
            flow_model: flow_model.as_ref().map(|m| m as &dyn FlowModel),
        };
        let outcome = cssf_job::flows(&job, rows, &name, &sink)?;
        let written = match &out {
            Some(dir) => cssf_job::write_flows(dir, &outcome.run)?,
            None => Vec::new(),
        };
        Ok((outcome, written))
    });
    let (outcome, written) = result.map_err(|e| error(&failures, &e))?;
    flows_dict(py, &outcome, written)
}

/// `fzc cssf run`: supply (Eq 11) and demand (Eq 12) from rasters, then the flows; with
/// `out` writes every file of `fzc cssf run --out`. Returns `{"balance": (regions, supply,
/// demand, cssdr), "estimator", "regions", "flows": CSV text, "notes", "written"}`.
#[pyfunction]
#[pyo3(signature = (lulc, pools, regions, emissions, *, emissions_unit="t", population=None,
    population_kind="count", census=None, class_weights=None, lulc_map=None,
    agri_classes=vec![1], urban_classes=vec![5], urban_mask=None, supply_unit="as-paper",
    unmapped="error", raster_crs=None, coverage="exact", max_outside_share=1e-9,
    id_field=None, k=0.6, intensity="surplus-over-range", mass="demand", core="centroid",
    model=None, out=None, progress=None, demand_estimator=None))]
#[allow(clippy::too_many_arguments)]
pub fn cssf_run<'py>(
    py: Python<'py>,
    lulc: PathBuf,
    pools: PathBuf,
    regions: PathBuf,
    emissions: PathBuf,
    emissions_unit: &str,
    population: Option<PathBuf>,
    population_kind: &str,
    census: Option<PathBuf>,
    class_weights: Option<PathBuf>,
    lulc_map: Option<PathBuf>,
    agri_classes: Vec<i64>,
    urban_classes: Vec<i64>,
    urban_mask: Option<PathBuf>,
    supply_unit: &str,
    unmapped: &str,
    raster_crs: Option<String>,
    coverage: &str,
    max_outside_share: f64,
    id_field: Option<String>,
    k: f64,
    intensity: &str,
    mass: &str,
    core: &str,
    model: Option<Py<PyAny>>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
    demand_estimator: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    if core == "given" {
        return Err(PyValueError::new_err(
            "core=\"given\" needs core_lon/core_lat from a balance table; use fzc.cssf.flows",
        ));
    }
    let raster_crs = raster_crs_of(raster_crs)?;
    let inputs = RasterInputs {
        regions: regions_input(&regions, id_field.clone(), coverage, max_outside_share)?,
        supply: supply_inputs(
            lulc.clone(),
            pools,
            lulc_map.clone(),
            supply_unit,
            unmapped,
            raster_crs,
        )?,
        demand: DemandInputs {
            lulc: Some(lulc),
            ..demand_inputs(
                emissions,
                emissions_unit,
                (population, population_kind),
                (census, class_weights),
                lulc_map,
                (agri_classes, urban_classes, urban_mask),
                raster_crs,
            )?
        },
    };
    let breakpoint = breakpoint_model(k, intensity, mass, core)?;
    let failures = Failures::default();
    let flow_model = model
        .map(|m| PyFlowModel::new(py, m, failures.clone()))
        .transpose()?;
    let estimator: Option<Arc<dyn DemandEstimator>> = demand_estimator
        .map(|e| PyDemandEstimator::new(py, e, failures.clone()))
        .transpose()?
        .map(|e| Arc::new(e) as Arc<dyn DemandEstimator>);
    let sink = PyProgress::new(progress);
    let result = py.allow_threads(|| -> anyhow::Result<_> {
        let job = FlowsJob {
            regions,
            id_field,
            unit: MassUnit::Tonne,
            model: breakpoint,
            flow_model: flow_model.as_ref().map(|m| m as &dyn FlowModel),
        };
        cssf_job::run(&inputs, estimator, &job, out.as_deref(), &sink)
    });
    let outcome = result.map_err(|e| error(&failures, &e))?;
    let layers = &outcome.layers;
    let balance: BalanceOut<'_> = (
        layers.regions().iter().map(|b| b.region.as_str()).collect(),
        layers.regions().iter().map(|b| b.supply).collect(),
        layers.regions().iter().map(|b| b.demand).collect(),
        layers.regions().iter().map(|b| b.cssdr).collect(),
    );
    let dict = flows_dict(py, &outcome.flows, outcome.written.clone())?;
    let mut notes = layers.notes();
    notes.extend(flow_notes(&outcome.flows));
    dict.set_item("balance", balance)?;
    dict.set_item("estimator", layers.demand().estimator.clone())?;
    dict.set_item("notes", notes)?;
    Ok(dict)
}

/// The dict of one raster layer's call: `{"notes", "written"}` (the pixels and their grid
/// are read back from the GeoTIFF written).
fn layer_dict<'py>(
    py: Python<'py>,
    notes: &[String],
    written: Vec<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("notes", notes.to_vec())?;
    dict.set_item("written", written)?;
    Ok(dict)
}

fn crs_text(crs: fzc_core::GridCrs) -> String {
    match crs {
        fzc_core::GridCrs::Geographic { epsg } | fzc_core::GridCrs::Projected { epsg } => {
            format!("EPSG:{epsg}")
        }
    }
}

/// `fzc cssf supply`: supply (Eq 11) per region and pixel, `supply-regions.csv` and
/// `supply.tif` written into `out` (all or nothing). Returns `{"notes", "written"}`; the
/// caller reads the files.
#[pyfunction]
#[pyo3(signature = (lulc, pools, regions, out, *, lulc_map=None, supply_unit="as-paper",
    unmapped="error", raster_crs=None, coverage="exact", max_outside_share=1e-9,
    id_field=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn cssf_supply<'py>(
    py: Python<'py>,
    lulc: PathBuf,
    pools: PathBuf,
    regions: PathBuf,
    out: PathBuf,
    lulc_map: Option<PathBuf>,
    supply_unit: &str,
    unmapped: &str,
    raster_crs: Option<String>,
    coverage: &str,
    max_outside_share: f64,
    id_field: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let regions = regions_input(&regions, id_field, coverage, max_outside_share)?;
    let inputs = supply_inputs(
        lulc,
        pools,
        lulc_map,
        supply_unit,
        unmapped,
        raster_crs_of(raster_crs)?,
    )?;
    let sink = PyProgress::new(progress);
    let (outcome, written) = py
        .allow_threads(|| cssf_job::supply(&inputs, &regions, &out, &sink))
        .map_err(|e| FzcError::new_err(format!("{e:#}")))?;
    layer_dict(py, &outcome.notes, written)
}

/// `fzc cssf demand`: demand (Eq 12) per region and pixel, `demand-regions.csv` and
/// `demand.tif` written into `out` (all or nothing). Returns `{"notes", "written",
/// "estimator"}`.
#[pyfunction]
#[pyo3(signature = (regions, emissions, out, *, emissions_unit="t", population=None,
    population_kind="count", census=None, class_weights=None, lulc=None, lulc_map=None,
    agri_classes=vec![1], urban_classes=vec![5], urban_mask=None, raster_crs=None,
    coverage="exact", max_outside_share=1e-9, id_field=None, progress=None, estimator=None))]
#[allow(clippy::too_many_arguments)]
pub fn cssf_demand<'py>(
    py: Python<'py>,
    regions: PathBuf,
    emissions: PathBuf,
    out: PathBuf,
    emissions_unit: &str,
    population: Option<PathBuf>,
    population_kind: &str,
    census: Option<PathBuf>,
    class_weights: Option<PathBuf>,
    lulc: Option<PathBuf>,
    lulc_map: Option<PathBuf>,
    agri_classes: Vec<i64>,
    urban_classes: Vec<i64>,
    urban_mask: Option<PathBuf>,
    raster_crs: Option<String>,
    coverage: &str,
    max_outside_share: f64,
    id_field: Option<String>,
    progress: Option<Py<PyAny>>,
    estimator: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let regions = regions_input(&regions, id_field, coverage, max_outside_share)?;
    let failures = Failures::default();
    let estimator = estimator
        .map(|e| PyDemandEstimator::new(py, e, failures.clone()))
        .transpose()?;
    let inputs = DemandInputs {
        lulc,
        ..demand_inputs(
            emissions,
            emissions_unit,
            (population, population_kind),
            (census, class_weights),
            lulc_map,
            (agri_classes, urban_classes, urban_mask),
            raster_crs_of(raster_crs)?,
        )?
    };
    let sink = PyProgress::new(progress);
    let (outcome, written) = py
        .allow_threads(|| {
            let plugin = estimator.as_ref().map(|e| e as &dyn DemandEstimator);
            cssf_job::demand(&inputs, &regions, plugin, &out, &sink)
        })
        .map_err(|e| error(&failures, &e))?;
    let dict = layer_dict(py, &outcome.notes, written)?;
    dict.set_item("estimator", outcome.estimator.clone())?;
    Ok(dict)
}

/// Writes a float64 raster (row-major, `width × height` little-endian values, NaN for
/// nodata) as a GeoTIFF on the grid `x0, dx, y0, dy` in `crs` (`"EPSG:<code>"`): how an
/// in-memory array reaches the streaming raster readers.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn write_geotiff(
    py: Python<'_>,
    path: PathBuf,
    data: &[u8],
    width: usize,
    height: usize,
    x0: f64,
    dx: f64,
    y0: f64,
    dy: f64,
    crs: &str,
) -> PyResult<()> {
    let expected = width
        .checked_mul(height)
        .and_then(|n| n.checked_mul(8))
        .ok_or_else(|| PyValueError::new_err("the array is too large"))?;
    if data.len() != expected || width == 0 || height == 0 {
        return Err(PyValueError::new_err(format!(
            "the array holds {} bytes; expected {width} × {height} float64 values",
            data.len()
        )));
    }
    if !(x0.is_finite() && y0.is_finite() && dx.is_finite() && dy.is_finite())
        || dx <= 0.0
        || dy == 0.0
    {
        return Err(PyValueError::new_err(format!(
            "transform: pixel width {dx} must be > 0 and height {dy} non-zero (negative for \
             north-up), origin ({x0}, {y0}) finite"
        )));
    }
    let crs = fzc_io::parse_raster_crs(crs)
        .map_err(|e| PyValueError::new_err(format!("crs={crs:?}: {e}")))?;
    let grid = fzc_core::RasterGrid {
        width,
        height,
        transform: fzc_core::GeoTransform { x0, dx, y0, dy },
        crs,
    };
    py.allow_threads(|| {
        fzc_io::write_geotiff::<fzc_io::IoError>(
            &path,
            &grid,
            &fzc_io::GeoTiffWriteOptions::default(),
            |row0, rows, buf| {
                for (k, v) in buf.iter_mut().enumerate().take(rows * width) {
                    let at = (row0 * width + k) * 8;
                    let mut bytes = [0u8; 8];
                    bytes.copy_from_slice(&data[at..at + 8]);
                    *v = f64::from_le_bytes(bytes);
                }
                Ok(())
            },
        )
    })
    .map_err(|e| FzcError::new_err(e.to_string()))
}

/// Reads band 1 of a GeoTIFF: `(bytes of width × height little-endian float64, NaN for
/// nodata; width; height; (x0, dx, y0, dy); crs)`.
#[pyfunction]
#[pyo3(signature = (path, raster_crs=None))]
#[allow(clippy::type_complexity)]
pub fn read_geotiff(
    py: Python<'_>,
    path: PathBuf,
    raster_crs: Option<String>,
) -> PyResult<(Vec<u8>, usize, usize, (f64, f64, f64, f64), String)> {
    let assumed = raster_crs_of(raster_crs)?;
    py.allow_threads(|| -> Result<_, fzc_io::IoError> {
        let mut reader = fzc_io::GeoTiffReader::open_with_crs(&path, assumed)?;
        let grid = *reader.grid();
        let values = reader.read_all()?;
        let mut bytes = Vec::with_capacity(values.len() * 8);
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let t = grid.transform;
        Ok((
            bytes,
            grid.width,
            grid.height,
            (t.x0, t.dx, t.y0, t.dy),
            crs_text(grid.crs),
        ))
    })
    .map_err(|e| FzcError::new_err(e.to_string()))
}
