//! `fzc.run` and `fzc.compare`: the calls of `fzc run` and `fzc compare`, through the same
//! `fzc-pipeline` functions (load with plugins, run, write the staged output set, compare).
//!
//! The tables come back as the exact text of `zoning.csv`, `ledger.csv`, `summary.json` and
//! `compare.csv` (the functions the CLI writes them with), so the Python DataFrames have the
//! files' columns, rows and rounding by construction.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fzc_core::Progress;
use fzc_pipeline::{Loaded, Plugins};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::demand::PyDemandEstimator;
use crate::flow::PyFlowModel;
use crate::pricing::{Failures, PyPricing, describe};
use crate::{FzcError, PluginError};

/// Reports progress to a Python callable `callback(event, task, count)` (`event` is
/// `"begin"`, `"advance"` or `"finish"`), at most every 100 ms for advances.
pub struct PyProgress {
    callback: Option<Py<PyAny>>,
    pending: Mutex<(u64, Instant)>,
}

const EVERY: Duration = Duration::from_millis(100);

impl PyProgress {
    pub fn new(callback: Option<Py<PyAny>>) -> PyProgress {
        PyProgress {
            callback,
            pending: Mutex::new((0, Instant::now())),
        }
    }

    fn send(&self, event: &str, task: &str, count: u64) {
        if let Some(callback) = &self.callback {
            Python::with_gil(|py| {
                // A failing progress display must not fail the run.
                let _ = callback.call1(py, (event, task, count));
            });
        }
    }

    fn flush(&self) {
        let steps = match self.pending.lock() {
            Ok(mut p) => std::mem::take(&mut p.0),
            Err(_) => 0,
        };
        if steps > 0 {
            self.send("advance", "", steps);
        }
    }
}

impl Progress for PyProgress {
    fn begin(&self, task: &str, total: u64) {
        self.flush();
        self.send("begin", task, total);
    }

    fn advance(&self, steps: u64) {
        if self.callback.is_none() {
            return;
        }
        let due = match self.pending.lock() {
            Ok(mut p) => {
                p.0 += steps;
                if p.1.elapsed() >= EVERY {
                    p.1 = Instant::now();
                    true
                } else {
                    false
                }
            }
            Err(_) => false,
        };
        if due {
            self.flush();
        }
    }

    fn finish(&self) {
        self.flush();
        self.send("finish", "", 0);
    }
}

/// The in-process plugins of a call: `plugins` maps scenario names to Python objects, a
/// flow model (it has `flows`) for `[cssf] model = "plugin:<name>"`, else a pricing scheme
/// for `scheme = "plugin:<name>"`.
fn register(
    py: Python<'_>,
    plugins: Option<&Bound<'_, PyDict>>,
    failures: &Failures,
) -> PyResult<Plugins> {
    let mut out = Plugins::new();
    if let Some(dict) = plugins {
        for (name, object) in dict.iter() {
            let name: String = name.extract()?;
            if object.hasattr("estimate")? {
                let object = object.unbind();
                let failures = failures.clone();
                out.add_demand_estimator_factory(
                    &name,
                    Box::new(move |_spec: &fzc_scenario::PluginSpec| {
                        Python::with_gil(|py| {
                            PyDemandEstimator::new(py, object.clone_ref(py), failures.clone())
                                .map(|m| Box::new(m) as Box<dyn fzc_core::DemandEstimator>)
                                .map_err(|e| anyhow::anyhow!("{}", describe(py, &e)))
                        })
                    }),
                );
            } else if object.hasattr("flows")? {
                let object = object.unbind();
                let failures = failures.clone();
                out.add_flow_model_factory(
                    &name,
                    Box::new(move |_spec: &fzc_scenario::PluginSpec| {
                        Python::with_gil(|py| {
                            PyFlowModel::new(py, object.clone_ref(py), failures.clone())
                                .map(|m| Box::new(m) as Box<dyn fzc_core::FlowModel>)
                                .map_err(|e| anyhow::anyhow!("{}", describe(py, &e)))
                        })
                    }),
                );
            } else {
                let scheme = PyPricing::new(py, object.unbind(), failures.clone())?;
                out.add_pricing_scheme(&name, Box::new(scheme));
            }
        }
    }
    Ok(out)
}

/// A library error as a Python exception: `PluginError` with the Python plugin's own failure
/// (traceback included) when one failed, else `FzcError` with the whole error chain.
pub(crate) fn error(failures: &Failures, e: &anyhow::Error) -> PyErr {
    // The run's own message repeats the plugin's failure inside its context chain; the
    // plugin's text alone (with its traceback) is the clearer of the two.
    match failures.first() {
        Some(first) => PluginError::new_err(first),
        None => FzcError::new_err(format!("{e:#}")),
    }
}

/// Loads the scenario (or the embedded default), runs it with `pricing` (a Python scheme
/// object) or the scenario's scheme, and with `out` writes the output set as `fzc run --out`.
/// Returns `{"zoning", "ledger", "summary": text, "zoning_series": text or None, "scheme",
/// "warnings", "written"}`.
#[pyfunction]
#[pyo3(signature = (scenario=None, pricing=None, plugins=None, out=None, progress=None))]
pub fn run<'py>(
    py: Python<'py>,
    scenario: Option<PathBuf>,
    pricing: Option<Py<PyAny>>,
    plugins: Option<&Bound<'py, PyDict>>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let failures = Failures::default();
    let registry = register(py, plugins, &failures)?;
    let scheme = pricing
        .map(|p| PyPricing::new(py, p, failures.clone()))
        .transpose()?;
    let sink = PyProgress::new(progress);
    let result = py.allow_threads(|| -> anyhow::Result<_> {
        let loaded: Loaded = fzc_pipeline::load(scenario.as_deref(), &registry, &sink)?;
        let scheme = scheme.as_ref().map(|s| s as &dyn fzc_core::PricingScheme);
        let outcome = fzc_pipeline::run(&loaded, &registry, scheme)?;
        let written = match &out {
            Some(dir) => Some(fzc_pipeline::write(&loaded, &outcome, dir, &sink)?),
            None => None,
        };
        Ok((loaded, outcome, written))
    });
    let (loaded, outcome, written) = result.map_err(|e| error(&failures, &e))?;
    let scenario = &loaded.scenario;
    let dict = PyDict::new(py);
    dict.set_item("zoning", fzc_scenario::zoning_csv(&outcome))?;
    dict.set_item("ledger", fzc_scenario::ledger_csv(&outcome))?;
    dict.set_item("zoning_series", fzc_scenario::zoning_series_csv(&outcome))?;
    dict.set_item("summary", fzc_scenario::summary_json(scenario, &outcome))?;
    dict.set_item("scheme", outcome.scheme.clone())?;
    dict.set_item("scenario", scenario.name.clone())?;
    dict.set_item("warnings", scenario.warnings.clone())?;
    let files: Vec<PathBuf> = written
        .map(|w| w.tables.into_iter().chain(w.report).collect())
        .unwrap_or_default();
    dict.set_item("written", files)?;
    Ok(dict)
}

/// Runs the scenario under each scheme of `pricing` (built-in names such as `"paper"`, or
/// Python scheme objects, named `plugin:<name>`), the first being the reference; with `out`
/// writes `compare.csv` and the report as `fzc compare --out`. Returns the text of
/// `compare.csv` and the files written.
#[pyfunction]
#[pyo3(signature = (pricing, scenario=None, out=None, progress=None))]
pub fn compare<'py>(
    py: Python<'py>,
    pricing: Vec<Py<PyAny>>,
    scenario: Option<PathBuf>,
    out: Option<PathBuf>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let failures = Failures::default();
    let mut registry = Plugins::new();
    let mut names = Vec::new();
    for item in pricing {
        let bound = item.bind(py);
        if let Ok(name) = bound.extract::<String>() {
            names.push(name);
        } else {
            let scheme = PyPricing::new(py, item, failures.clone())
                .map_err(|e| PluginError::new_err(describe(py, &e)))?;
            let name = fzc_core::PricingScheme::name(&scheme).to_owned();
            registry.add_pricing_scheme(&name, Box::new(scheme));
            names.push(format!("plugin:{name}"));
        }
    }
    let sink = PyProgress::new(progress);
    let result = py.allow_threads(|| -> anyhow::Result<_> {
        let loaded = fzc_pipeline::load(scenario.as_deref(), &registry, &sink)?;
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let comparison = fzc_pipeline::compare(&loaded, &registry, &refs)?;
        let written = match &out {
            Some(dir) => Some(fzc_pipeline::write_compare(
                &loaded,
                &comparison,
                dir,
                &sink,
            )?),
            None => None,
        };
        Ok((comparison, written))
    });
    let (comparison, written) = result.map_err(|e| error(&failures, &e))?;
    let dict = PyDict::new(py);
    dict.set_item("compare", comparison.csv())?;
    let files: Vec<PathBuf> = written
        .map(|w| w.tables.into_iter().chain(w.report).collect())
        .unwrap_or_default();
    dict.set_item("written", files)?;
    Ok(dict)
}

/// `fzc mc`: the draws of shard `shard_index` of `shard_count` (`0, 1` for the whole
/// analysis) of the scenario (or the embedded case) under its `[[uncertainty]]` stanzas or
/// those of `uncertainty`, written into `out` as `fzc mc --out` writes them. Returns the
/// files written.
#[pyfunction]
#[pyo3(signature = (scenario, uncertainty, draws, seed, shard_index, shard_count, out, progress=None, pricing=None))]
#[allow(clippy::too_many_arguments)]
pub fn mc(
    py: Python<'_>,
    scenario: Option<PathBuf>,
    uncertainty: Option<PathBuf>,
    draws: u64,
    seed: u64,
    shard_index: u64,
    shard_count: u64,
    out: PathBuf,
    progress: Option<Py<PyAny>>,
    pricing: Option<Py<PyAny>>,
) -> PyResult<Vec<PathBuf>> {
    let options = fzc_uncertainty::McOptions {
        draws,
        seed,
        shard: shard(shard_index, shard_count)?,
    };
    analysis(
        py,
        (scenario, uncertainty),
        pricing,
        progress,
        |scenario, scheme, plan, sink| {
            Ok(fzc_uncertainty::run_mc(
                scenario, scheme, plan, &options, &out, sink,
            )?)
        },
    )
}

/// The common part of `fzc.mc` and `fzc.sensitivity`: the stanzas (the scenario's or those
/// of `uncertainty`), the loaded scenario, its plan, and the scheme (`pricing`, a Python
/// object, else the scenario's), then `run` with the GIL released.
fn analysis<T: Send>(
    py: Python<'_>,
    (scenario, uncertainty): (Option<PathBuf>, Option<PathBuf>),
    pricing: Option<Py<PyAny>>,
    progress: Option<Py<PyAny>>,
    run: impl FnOnce(
        &fzc_scenario::Scenario,
        &dyn fzc_core::PricingScheme,
        &fzc_uncertainty::Plan,
        &dyn fzc_core::Progress,
    ) -> anyhow::Result<T>
    + Send,
) -> PyResult<T> {
    let failures = Failures::default();
    let python_scheme = pricing
        .map(|p| PyPricing::new(py, p, failures.clone()))
        .transpose()?;
    let sink = PyProgress::new(progress);
    let registry = Plugins::new();
    let result = py.allow_threads(|| -> anyhow::Result<T> {
        let spec = fzc_uncertainty::stanzas_for(scenario.as_deref(), uncertainty.as_deref())?;
        let loaded = fzc_pipeline::load(scenario.as_deref(), &registry, &sink)?;
        let plugin = fzc_pipeline::plugin_scheme(&loaded, &registry)?;
        let scenario = &loaded.scenario;
        let plan = fzc_uncertainty::Plan::new(scenario, &spec)?;
        let scheme: &dyn fzc_core::PricingScheme = match (&python_scheme, &plugin) {
            (Some(p), _) => p,
            (None, Some(p)) => p.as_ref(),
            (None, None) => &scenario.pricing.scheme,
        };
        run(scenario, scheme, &plan, &sink)
    });
    result.map_err(|e| error(&failures, &e))
}

/// Shard `index` of `count`, checked.
fn shard(index: u64, count: u64) -> PyResult<fzc_uncertainty::Shard> {
    if count == 0 || index >= count {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "shard {index} of {count}: expected 0 <= index < count"
        )));
    }
    Ok(fzc_uncertainty::Shard { index, count })
}

/// `fzc sensitivity`: the rows of shard `shard_index` of `shard_count` of a Sobol' (Saltelli)
/// or Morris sample over the scenario's `[[uncertainty]]` inputs (or those of
/// `uncertainty`), written into `out` as `fzc sensitivity --out` writes them; with the
/// whole sample, the indices too. `pricing` is a Python scheme object that replaces the
/// scenario's. Returns the files written, the indices first.
#[pyfunction]
#[pyo3(signature = (scenario, uncertainty, method, levels, samples, seed, shard_index, shard_count, out, progress=None, pricing=None))]
#[allow(clippy::too_many_arguments)]
pub fn sensitivity(
    py: Python<'_>,
    scenario: Option<PathBuf>,
    uncertainty: Option<PathBuf>,
    method: &str,
    levels: usize,
    samples: usize,
    seed: u64,
    shard_index: u64,
    shard_count: u64,
    out: PathBuf,
    progress: Option<Py<PyAny>>,
    pricing: Option<Py<PyAny>>,
) -> PyResult<Vec<PathBuf>> {
    let shard = shard(shard_index, shard_count)?;
    let method = match method {
        "sobol" => fzc_uncertainty::Method::Sobol,
        "morris" => fzc_uncertainty::Method::Morris { levels },
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "method={other:?}: expected \"sobol\" or \"morris\""
            )));
        }
    };
    analysis(
        py,
        (scenario, uncertainty),
        pricing,
        progress,
        |scenario, scheme, plan, sink| {
            let options = fzc_uncertainty::SensitivityOptions {
                method,
                samples,
                seed,
                shard,
            };
            Ok(fzc_uncertainty::run_sensitivity(
                scenario, scheme, plan, &options, &out, sink,
            )?)
        },
    )
}

/// `fzc sensitivity merge`: joins shard folders into `out`, byte-identical to one process's
/// files (the indices included).
#[pyfunction]
pub fn sensitivity_merge(
    py: Python<'_>,
    shards: Vec<PathBuf>,
    out: PathBuf,
) -> PyResult<Vec<PathBuf>> {
    py.allow_threads(|| fzc_uncertainty::merge_sensitivity(&shards, &out))
        .map_err(|e| FzcError::new_err(e.to_string()))
}

/// `fzc mc merge`: joins shard folders into `out`, byte-identical to one process's files.
#[pyfunction]
pub fn mc_merge(py: Python<'_>, shards: Vec<PathBuf>, out: PathBuf) -> PyResult<Vec<PathBuf>> {
    py.allow_threads(|| fzc_uncertainty::merge(&shards, &out))
        .map_err(|e| FzcError::new_err(e.to_string()))
}
