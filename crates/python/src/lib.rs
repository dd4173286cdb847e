//! `fzc._fzc`: the native half of the Python package `fzc`.
//!
//! The Python half (`python/fzc/__init__.py`) turns pymrio objects, numpy arrays and paths
//! into the plain arguments taken here and turns the returned columns into pandas DataFrames.
//! Every computation is the library's (`fzc-io`, `fzc-ect-mrio`, `fzc-pipeline`), the same
//! functions `fzc ect`, `fzc run` and `fzc compare` call; the GIL is released while they run
//! and taken back only to call a Python plugin or the progress display.
//!
//! Errors: each Rust error type maps to one subclass of `fzc.FzcError` carrying the Rust
//! error's message unchanged (file, row, field or region).

use std::path::PathBuf;

mod cssf;
mod demand;
mod flow;
mod pricing;
mod run;

use faer::Mat;
use fzc_core::{MassUnit, RegionId, SectorId};
use fzc_ect_mrio::{EctAccounts, EctMethod, EctOptions, MrioTable, Satellite, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    _fzc,
    FzcError,
    PyException,
    "Base class of every error raised by fzc; the message is the Rust library's."
);
create_exception!(
    _fzc,
    InputError,
    FzcError,
    "A file or in-memory input could not be read or is invalid (names file, row, field)."
);
create_exception!(
    _fzc,
    MrioError,
    FzcError,
    "The MRIO table is inconsistent or not productive (names region and sector)."
);
create_exception!(
    _fzc,
    PluginError,
    FzcError,
    "A plugin (Python or native) failed or returned invalid output."
);

fn input_error(e: fzc_io::IoError) -> PyErr {
    InputError::new_err(e.to_string())
}

fn mrio_error(e: fzc_ect_mrio::MrioError) -> PyErr {
    MrioError::new_err(e.to_string())
}

/// Parses `"final-demand"` or `"eebt"`, the values of `fzc ect --method`.
fn parse_method(method: &str) -> PyResult<EctMethod> {
    match method {
        "final-demand" => Ok(EctMethod::FinalDemand),
        "eebt" => Ok(EctMethod::Eebt),
        other => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "method {other:?}: expected \"final-demand\" or \"eebt\""
        ))),
    }
}

/// The accounts as plain columns: `regions` (the columns of `ect-regions.csv`) and
/// `bilateral` (those of `ect-bilateral.csv`), each a dict of lists, plus `unit` and
/// `warnings`.
fn accounts_to_py<'py>(py: Python<'py>, a: &EctAccounts) -> PyResult<Bound<'py, PyDict>> {
    let names: Vec<&str> = a.regions.iter().map(RegionId::as_str).collect();
    let regions = PyDict::new(py);
    regions.set_item("region", names.clone())?;
    regions.set_item("production", a.production())?;
    regions.set_item("consumption", a.consumption())?;
    regions.set_item("inflow", a.inflow())?;
    regions.set_item("outflow", a.outflow())?;
    regions.set_item("net", a.net())?;
    let m = names.len();
    let (mut from, mut to) = (Vec::with_capacity(m * m), Vec::with_capacity(m * m));
    let (mut total, mut inter, mut fin) = (
        Vec::with_capacity(m * m),
        Vec::with_capacity(m * m),
        Vec::with_capacity(m * m),
    );
    for (r, f) in names.iter().enumerate() {
        for (s, t) in names.iter().enumerate() {
            from.push(*f);
            to.push(*t);
            total.push(a.total.get(r, s));
            inter.push(a.intermediate.get(r, s));
            fin.push(a.final_part.get(r, s));
        }
    }
    let bilateral = PyDict::new(py);
    bilateral.set_item("from", from)?;
    bilateral.set_item("to", to)?;
    bilateral.set_item("total", total)?;
    bilateral.set_item("intermediate", inter)?;
    bilateral.set_item("final", fin)?;
    let out = PyDict::new(py);
    out.set_item("regions", regions)?;
    out.set_item("bilateral", bilateral)?;
    out.set_item("unit", a.unit.to_string())?;
    out.set_item("warnings", a.warnings.clone())?;
    Ok(out)
}

fn options(method: &str) -> PyResult<EctOptions> {
    Ok(EctOptions {
        method: parse_method(method)?,
        ..EctOptions::default()
    })
}

/// ECT from anything `fzc ect --mrio` reads (pymrio folder, long CSVs, CEADs `.mat`).
#[pyfunction]
#[pyo3(signature = (path, stressor, extension=None, method="final-demand", emissions=None, city_names=None))]
fn ect_path<'py>(
    py: Python<'py>,
    path: PathBuf,
    stressor: &str,
    extension: Option<&str>,
    method: &str,
    emissions: Option<PathBuf>,
    city_names: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = options(method)?;
    let side = SideFiles {
        emissions,
        city_names,
    };
    let accounts = py.allow_threads(|| -> PyResult<EctAccounts> {
        let data = read_mrio(&path, None::<MrioFormat>, &side).map_err(input_error)?;
        let satellite = data.satellite(extension, stressor).map_err(input_error)?;
        compute_ect(data.table, &satellite, &options).map_err(mrio_error)
    })?;
    accounts_to_py(py, &accounts)
}

/// `fzc ect` as one library call (`fzc_pipeline::ect_job`): several stressors (or `all`),
/// a `{year}` series, sector aggregation and a region map. Returns the two tables as
/// columns (`"regions"` and `"bilateral"`, as [`ect_run_dict`] gives them), the warnings
/// and the stressors `all` left out; with `out`, also writes
/// `ect-regions.csv` and `ect-bilateral.csv` (and Parquet) there, all or nothing, and the
/// files written.
#[pyfunction]
#[pyo3(signature = (path, stressors, out, years=None, extension=None, method="final-demand",
    aggregate=None, region_map=None, parquet=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn ect_job<'py>(
    py: Python<'py>,
    path: PathBuf,
    stressors: Vec<String>,
    out: Option<PathBuf>,
    years: Option<String>,
    extension: Option<String>,
    method: &str,
    aggregate: Option<PathBuf>,
    region_map: Option<PathBuf>,
    parquet: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let years = years
        .map(|y| {
            fzc_pipeline::ect_job::parse_years(&y)
                .map_err(|m| pyo3::exceptions::PyValueError::new_err(format!("years: {m}")))
        })
        .transpose()?;
    let job = ect_job_of(
        path, years, extension, stressors, method, aggregate, region_map,
    )?;
    run_ect_job(py, &job, None, out.as_deref(), parquet, progress)
}

fn no_stressor() -> PyErr {
    pyo3::exceptions::PyValueError::new_err("stressor: give at least one name, or \"all\"")
}

/// The `fzc ect` job of [`ect_job`] and [`ect_data_job`].
fn ect_job_of(
    mrio: PathBuf,
    years: Option<Vec<i32>>,
    extension: Option<String>,
    stressors: Vec<String>,
    method: &str,
    aggregate: Option<PathBuf>,
    region_map: Option<PathBuf>,
) -> PyResult<fzc_pipeline::ect_job::EctJob> {
    if stressors.is_empty() {
        return Err(no_stressor());
    }
    Ok(fzc_pipeline::ect_job::EctJob {
        mrio,
        years,
        format: None,
        side: SideFiles::default(),
        extension,
        stressors,
        method: parse_method(method)?,
        aggregate,
        region_map,
        energy: None,
        coefficients: None,
    })
}

/// Runs `job` on its files, or on `data` already in memory, and writes the tables into `out`
/// (all or nothing), with the GIL released.
fn run_ect_job<'py>(
    py: Python<'py>,
    job: &fzc_pipeline::ect_job::EctJob,
    data: Option<fzc_io::MrioData>,
    out: Option<&std::path::Path>,
    parquet: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let sink = run::PyProgress::new(progress);
    let result = py.allow_threads(|| -> anyhow::Result<_> {
        let run = match data {
            Some(data) => fzc_pipeline::ect_job::run_ect_data(data, job, &sink)?,
            None => fzc_pipeline::ect_job::run_ect(job, &sink)?,
        };
        let files = match out {
            Some(out) => fzc_pipeline::ect_job::write_ect(&run, out, parquet)?,
            None => Vec::new(),
        };
        Ok((run, files))
    });
    let (run, files) = result.map_err(|e| FzcError::new_err(format!("{e:#}")))?;
    ect_run_dict(py, &run, files)
}

/// What [`ect_job`] and [`ect_data_job`] return: the two tables as columns (the columns of
/// the files [`fzc_pipeline::ect_job::write_ect`] writes, from the same values: text as
/// `(distinct labels, u32 code per row as bytes)`, numbers as float64 bytes, years as ints),
/// the files, the warnings, the stressors `all` left out, and whether the tables are in long
/// form.
fn ect_run_dict<'py>(
    py: Python<'py>,
    run: &fzc_pipeline::ect_job::EctRun,
    files: Vec<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let items = fzc_pipeline::ect_job::labelled(run);
    for (key, table) in [
        ("regions", fzc_io::EctTable::Regions),
        ("bilateral", fzc_io::EctTable::Bilateral),
    ] {
        let columns = PyDict::new(py);
        for (name, column) in table.columns(&items, run.long_form) {
            match column {
                fzc_io::ParquetColumn::Utf8(text) => {
                    columns.set_item(name, distinct_and_codes(py, &text))?;
                }
                fzc_io::ParquetColumn::Int64(ints) => columns.set_item(name, ints)?,
                fzc_io::ParquetColumn::Double(values) => {
                    columns.set_item(name, f64_bytes(py, values))?;
                }
            }
        }
        dict.set_item(key, columns)?;
    }
    dict.set_item("written", files)?;
    dict.set_item("warnings", run.warnings())?;
    dict.set_item("skipped", run.skipped.clone())?;
    dict.set_item("long_form", run.long_form)?;
    Ok(dict)
}

/// `values` as little-endian float64 bytes, which the Python side views with
/// `numpy.frombuffer`: far cheaper to hand over than a list of Python floats.
pub(crate) fn f64_bytes<'py>(
    py: Python<'py>,
    values: impl IntoIterator<Item = f64>,
) -> Bound<'py, pyo3::types::PyBytes> {
    let bytes: Vec<u8> = values.into_iter().flat_map(f64::to_le_bytes).collect();
    pyo3::types::PyBytes::new(py, &bytes)
}

/// A text column as its distinct labels (in first-appearance order) and a little-endian
/// `u32` code per row. Labels repeat (a stressor's name on each of its m² rows), so each
/// crosses to Python once, not once per row.
fn distinct_and_codes<'py, 'a>(
    py: Python<'py>,
    text: &'a [String],
) -> (Vec<&'a str>, Bound<'py, pyo3::types::PyBytes>) {
    let mut index: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let mut codes: Vec<u8> = Vec::with_capacity(4 * text.len());
    for label in text {
        let code = *index.entry(label.as_str()).or_insert_with(|| {
            distinct.push(label.as_str());
            u32::try_from(distinct.len() - 1).unwrap_or(u32::MAX)
        });
        codes.extend_from_slice(&code.to_le_bytes());
    }
    (distinct, pyo3::types::PyBytes::new(py, &codes))
}

/// One stressor row of an in-memory table: `(extension, name, compartment, unit, F (n),
/// F_Y (m))`.
type StressorTuple = (String, String, Option<String>, String, Vec<f64>, Vec<f64>);

/// [`ect_job`] on a table in memory (a pymrio system's DataFrames or numpy arrays): `z`
/// (n × n) and `y` (n × m, summed per region) as float64 numpy arrays of any layout, read
/// in place by [`matrix`], and every
/// stressor row the caller has, from which `stressors` (names, or `all`) are selected as
/// `fzc ect` selects them. Writes and returns as [`ect_job`]; `label` names the table in
/// messages.
#[pyfunction]
#[pyo3(signature = (z, y, regions, sectors, rows, stressors, out, label="the in-memory table",
    monetary_unit="", extension=None, method="final-demand", aggregate=None, region_map=None,
    parquet=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn ect_data_job<'py>(
    py: Python<'py>,
    z: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    regions: Vec<String>,
    sectors: Vec<String>,
    rows: Vec<StressorTuple>,
    stressors: Vec<String>,
    out: Option<PathBuf>,
    label: &str,
    monetary_unit: &str,
    extension: Option<String>,
    method: &str,
    aggregate: Option<PathBuf>,
    region_map: Option<PathBuf>,
    parquet: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    if stressors.is_empty() {
        return Err(no_stressor());
    }
    let regions = labels("region", regions, |s| RegionId::new(s))?;
    let sectors = labels("sector", sectors, |s| SectorId::new(s))?;
    let (m, n) = (regions.len(), regions.len() * sectors.len());
    let table = MrioTable {
        regions,
        sectors,
        z: matrix("Z", z, n, n)?,
        y: matrix("Y", y, n, m)?,
        x: None,
        monetary_unit: monetary_unit.to_owned(),
    };
    table.validate().map_err(mrio_error)?;
    let source = PathBuf::from(label);
    let mut stressor_rows = Vec::with_capacity(rows.len());
    for (extension, name, compartment, unit, f, f_y) in rows {
        if f.len() != n || f_y.len() != m {
            return Err(InputError::new_err(format!(
                "stressor {extension}/{name}: F has {} values and F_Y {}, expected {n} and {m}",
                f.len(),
                f_y.len()
            )));
        }
        let first_invalid = f
            .iter()
            .position(|v| !(v.is_finite() && *v >= 0.0))
            .map(|i| {
                (
                    fzc_io::Location::cell(&source, i + 1, format!("{extension}/{name}")),
                    f[i].to_string(),
                )
            })
            .or_else(|| {
                f_y.iter()
                    .position(|v| !(v.is_finite() && *v >= 0.0))
                    .map(|r| {
                        (
                            fzc_io::Location::cell(
                                &source,
                                r + 1,
                                format!("{extension}/{name} F_Y"),
                            ),
                            f_y[r].to_string(),
                        )
                    })
            });
        stressor_rows.push(fzc_io::StressorRow {
            unit_at: fzc_io::Location::cell(&source, 1, format!("{extension}/{name} unit")),
            extension,
            name,
            compartment,
            unit,
            by_sector: f,
            final_users: f_y,
            first_invalid,
        });
    }
    let data = fzc_io::MrioData {
        source: source.clone(),
        table,
        stressors: stressor_rows,
    };
    let job = ect_job_of(
        source, None, extension, stressors, method, aggregate, region_map,
    )?;
    run_ect_job(py, &job, Some(data), out.as_deref(), parquet, progress)
}

/// Reads a `rows × cols` float64 numpy array straight from its memory into a faer matrix,
/// whatever its strides (C order, Fortran order or a strided view): the one copy the
/// factorisation needs, and no other (issue 11's "no copy of Z").
///
/// The array is located through numpy's array interface (`__array_interface__`: data
/// address, shape, strides, type string) of an object that must be a `numpy.ndarray` of
/// little-endian float64, so the address is numpy's own and stays valid while `array` is
/// borrowed here with the GIL held (no Python code runs during the copy).
fn matrix(name: &str, array: &Bound<'_, PyAny>, rows: usize, cols: usize) -> PyResult<Mat<f64>> {
    let kind = array.get_type();
    let qualified = format!(
        "{}.{}",
        kind.module()
            .map_or_else(|_| String::new(), |m| m.to_string()),
        kind.qualname()
            .map_or_else(|_| String::new(), |q| q.to_string())
    );
    if qualified != "numpy.ndarray" {
        return Err(InputError::new_err(format!(
            "{name}: expected a numpy.ndarray of float64, got {qualified}"
        )));
    }
    let interface = array.getattr("__array_interface__")?;
    let get = |key: &str| interface.get_item(key);
    let typestr: String = get("typestr")?.extract()?;
    if typestr != "<f8" {
        return Err(InputError::new_err(format!(
            "{name}: dtype {typestr}, expected little-endian float64 (<f8)"
        )));
    }
    let shape: Vec<usize> = get("shape")?.extract()?;
    if shape != [rows, cols] {
        return Err(InputError::new_err(format!(
            "{name}: shape {shape:?}, expected ({rows}, {cols})"
        )));
    }
    let (address, _read_only): (usize, bool) = get("data")?.extract()?;
    let strides: Option<Vec<isize>> = get("strides")?.extract()?;
    // No strides means C order (numpy's convention for the interface).
    let (row_step, col_step) = match strides.as_deref() {
        None => (isize::try_from(8 * cols).unwrap_or(isize::MAX), 8),
        Some([r, c]) => (*r, *c),
        Some(other) => {
            return Err(InputError::new_err(format!(
                "{name}: {} strides for a 2-D array",
                other.len()
            )));
        }
    };
    if rows == 0 || cols == 0 {
        return Ok(Mat::zeros(rows, cols));
    }
    if address == 0 {
        return Err(InputError::new_err(format!(
            "{name}: the array has no data"
        )));
    }
    let base = address as *const u8;
    let value = |i: usize, j: usize| -> f64 {
        // In bounds: numpy's interface describes memory that holds every (i, j) of `shape`
        // at `data + i·strides[0] + j·strides[1]`, and the array is alive and borrowed.
        // Strides in bytes may be any multiple of one byte: read without assuming alignment.
        #[allow(clippy::cast_possible_wrap)]
        let offset = (i as isize) * row_step + (j as isize) * col_step;
        unsafe { base.offset(offset).cast::<f64>().read_unaligned() }
    };
    let mut out = Mat::<f64>::zeros(rows, cols);
    if row_step.unsigned_abs() < col_step.unsigned_abs() {
        // Column-major memory: fill column by column, reading sequentially.
        for j in 0..cols {
            for i in 0..rows {
                out[(i, j)] = value(i, j);
            }
        }
    } else {
        // Row-major memory: fill row by row, reading sequentially.
        for i in 0..rows {
            for j in 0..cols {
                out[(i, j)] = value(i, j);
            }
        }
    }
    Ok(out)
}

fn labels<T>(
    what: &str,
    names: Vec<String>,
    make: impl Fn(&str) -> Result<T, fzc_core::CoreError>,
) -> PyResult<Vec<T>> {
    names
        .iter()
        .map(|n| make(n).map_err(|e| InputError::new_err(format!("{what} {n:?}: {e}"))))
        .collect()
}

/// ECT from in-memory arrays: `z` (n × n), `y` (n × m, summed per region) as float64 numpy
/// arrays of any layout, read in place by [`matrix`], `f` (n) and `f_y` (m) per-sector and final-user emissions.
#[pyfunction]
#[pyo3(signature = (z, y, f, f_y, regions, sectors, unit, stressor="stressor", monetary_unit="", method="final-demand"))]
#[allow(clippy::too_many_arguments)]
fn ect_arrays<'py>(
    py: Python<'py>,
    z: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    f: Vec<f64>,
    f_y: Vec<f64>,
    regions: Vec<String>,
    sectors: Vec<String>,
    unit: &str,
    stressor: &str,
    monetary_unit: &str,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let options = options(method)?;
    let unit: MassUnit = unit
        .parse()
        .map_err(|e: fzc_core::CoreError| InputError::new_err(format!("unit {unit:?}: {e}")))?;
    let regions = labels("region", regions, |s| RegionId::new(s))?;
    let sectors = labels("sector", sectors, |s| SectorId::new(s))?;
    let n = regions.len() * sectors.len();
    let m = regions.len();
    let z = matrix("Z", z, n, n)?;
    let y = matrix("Y", y, n, m)?;
    if f.len() != n {
        return Err(InputError::new_err(format!(
            "F: {} values, expected one per region and sector ({n})",
            f.len()
        )));
    }
    if f_y.len() != m {
        return Err(InputError::new_err(format!(
            "F_Y: {} values, expected one per region ({m})",
            f_y.len()
        )));
    }
    if let Some(i) = f.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(InputError::new_err(format!(
            "F[{i}] (region {}, sector {}) is {}: expected a finite number ≥ 0",
            regions[i / sectors.len()],
            sectors[i % sectors.len()],
            f[i]
        )));
    }
    if let Some(r) = f_y.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(InputError::new_err(format!(
            "F_Y of region {} is {}: expected a finite number ≥ 0",
            regions[r], f_y[r]
        )));
    }
    let table = MrioTable {
        regions,
        sectors,
        z,
        y,
        x: None,
        monetary_unit: monetary_unit.to_owned(),
    };
    let satellite = Satellite {
        name: stressor.to_owned(),
        unit,
        by_sector: f,
        final_users: f_y,
    };
    let accounts =
        py.allow_threads(|| compute_ect(table, &satellite, &options).map_err(mrio_error))?;
    accounts_to_py(py, &accounts)
}

/// The native module `fzc._fzc`.
#[pymodule]
fn _fzc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("FzcError", py.get_type::<FzcError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("MrioError", py.get_type::<MrioError>())?;
    m.add("PluginError", py.get_type::<PluginError>())?;
    m.add_function(wrap_pyfunction!(ect_path, m)?)?;
    m.add_function(wrap_pyfunction!(ect_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(ect_job, m)?)?;
    m.add_function(wrap_pyfunction!(ect_data_job, m)?)?;
    m.add("ZONING_HEADER", fzc_scenario::ZONING_HEADER)?;
    m.add("LEDGER_HEADER", fzc_scenario::LEDGER_HEADER)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(run::compare, m)?)?;
    m.add_function(wrap_pyfunction!(run::mc, m)?)?;
    m.add_function(wrap_pyfunction!(run::mc_merge, m)?)?;
    m.add_function(wrap_pyfunction!(run::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(run::sensitivity_merge, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::cssf_flows, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::cssf_run, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::cssf_supply, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::cssf_demand, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::write_geotiff, m)?)?;
    m.add_function(wrap_pyfunction!(cssf::read_geotiff, m)?)?;
    Ok(())
}
