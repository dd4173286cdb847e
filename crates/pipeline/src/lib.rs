//! The run pipeline of fzc: load a scenario, run it, write its whole output set, compare
//! pricing schemes. The one library both front ends call — the `fzc` command line
//! (`fzc run`, `fzc compare`) and the Python module (`import fzc`) — so the two cannot drift
//! apart; the front ends only parse their arguments and print.
//!
//! - [`load`]: a scenario file or the embedded default case (`examples/bth-2020`), with the
//!   plugins it names (`plugin:<name>`) resolved through [`Plugins`]: in-process trait objects
//!   registered by the front end first, then the scenario's `[[plugin]]` libraries.
//! - [`run`]: zoning and compensation, with the scenario's scheme or a given
//!   [`PricingScheme`] object.
//! - [`write`]: `zoning.csv`, `ledger.csv`, `summary.json` (and the CSSDR raster when the
//!   scenario has one) plus the report (`report.html`, `figures/`, `results.*`).
//! - [`compare`] and [`write_compare`]: several schemes side by side, `compare.csv` plus the
//!   report with the comparison chart.
//!
//! # Example
//!
//! ```no_run
//! use fzc_core::NoProgress;
//! use fzc_pipeline::{Plugins, load, run, write};
//!
//! # fn main() -> anyhow::Result<()> {
//! let plugins = Plugins::new();
//! let loaded = load(None, &plugins, &NoProgress)?; // the embedded BTH-2020 case
//! let outcome = run(&loaded, &plugins, None)?;
//! let written = write(&loaded, &outcome, std::path::Path::new("out/bth"), &NoProgress)?;
//! assert!(written.report.iter().any(|p| p.ends_with("report.html")));
//! # Ok(())
//! # }
//! ```
//!
//! A pricing scheme written in the front end's own language is registered by name and named
//! by the scenario or the comparison as `plugin:<name>`:
//!
//! ```
//! use fzc_core::NoProgress;
//! use fzc_pipeline::{Plugins, compare, load};
//! use fzc_pricing::BuiltinScheme;
//!
//! # fn main() -> anyhow::Result<()> {
//! let mut plugins = Plugins::new();
//! plugins.add_pricing_scheme("mine", Box::new(BuiltinScheme::Uniform));
//! let loaded = load(None, &plugins, &NoProgress)?;
//! let comparison = compare(&loaded, &plugins, &["paper", "plugin:mine"])?;
//! assert_eq!(comparison.names, ["paper", "plugin:mine"]);
//! # Ok(())
//! # }
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use fzc_core::{PricingScheme, Progress};
use fzc_io::StagedDir;
use fzc_scenario::{
    Comparison, LoadOptions, Outcome, Scenario, ScenarioSource, compare_with, embedded,
    load_with_options, parse_schemes, write_outputs_with_progress,
};

pub mod cssf_job;
pub mod ect_job;
mod plugins;
pub mod report_input;

pub use plugins::{DemandEstimatorFactory, FlowModelFactory, Plugins, PricingFactory};

/// A loaded scenario and where it came from (the report finds the scenario's polygons and
/// flow ranges beside its file).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario; its `warnings` are for the front end to show.
    pub scenario: Scenario,
    /// The scenario file, `None` for the embedded default case.
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Where the scenario came from, as the report states it.
    pub fn source_label(&self) -> String {
        self.path.as_deref().map_or_else(
            || "embedded examples/bth-2020".to_owned(),
            |p| p.display().to_string(),
        )
    }
}

/// What [`write`] and [`write_compare`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The output directory.
    pub dir: PathBuf,
    /// The tables: `zoning.csv`, `ledger.csv`, `summary.json` (run) or `compare.csv`.
    pub tables: Vec<PathBuf>,
    /// The report's files, sorted.
    pub report: Vec<PathBuf>,
    /// Notes for the user (e.g. that maps were skipped for want of polygons).
    pub notes: Vec<String>,
}

/// Reads the scenario at `path`, or the embedded default case (`examples/bth-2020`) when
/// `None`. A `[cssf] model = "plugin:<name>"` or `[cssf.rasters] demand = "plugin:<name>"` is
/// resolved through `plugins`. The long steps (the MRIO, raster rows, flow pairs) report to
/// `progress`.
///
/// # Errors
/// Whatever [`fzc_scenario::load_with_options`] refuses, and plugins that do not load.
pub fn load(
    path: Option<&Path>,
    plugins: &Plugins,
    progress: &dyn Progress,
) -> anyhow::Result<Loaded> {
    let source = match path {
        Some(path) => ScenarioSource::File(path.to_owned()),
        None => embedded::bth_2020(),
    };
    let flow_model =
        |spec: &fzc_scenario::PluginSpec| plugins.flow_model(spec).map_err(|e| format!("{e:#}"));
    let demand_estimator = |spec: &fzc_scenario::PluginSpec| {
        plugins.demand_estimator(spec).map_err(|e| format!("{e:#}"))
    };
    let scenario = load_with_options(
        &source,
        &LoadOptions {
            flow_model: &flow_model,
            demand_estimator: &demand_estimator,
            progress,
        },
    )?;
    Ok(Loaded {
        scenario,
        path: path.map(Path::to_owned),
    })
}

/// Runs the scenario: with `scheme` when given, else with the scheme the scenario names
/// (`scheme = "plugin:<name>"` resolved through `plugins`, or a built-in).
///
/// # Errors
/// As [`fzc_scenario::run_with_pricing`]; a plugin that cannot be resolved.
pub fn run(
    loaded: &Loaded,
    plugins: &Plugins,
    scheme: Option<&dyn PricingScheme>,
) -> anyhow::Result<Outcome> {
    let scenario = &loaded.scenario;
    Ok(match (scheme, &scenario.pricing_plugin) {
        (Some(scheme), _) => fzc_scenario::run_with_pricing(scenario, scheme)?,
        (None, Some(name)) => {
            let scheme = plugins.pricing_scheme(scenario, name)?;
            fzc_scenario::run_with_pricing(scenario, scheme.as_ref())?
        }
        (None, None) => fzc_scenario::run(scenario)?,
    })
}

/// The pricing plugin the scenario names (`scheme = "plugin:<name>"`), resolved through
/// `plugins`; `None` when it prices with a built-in scheme (`scenario.pricing.scheme`).
///
/// # Errors
/// When the plugin cannot be resolved (see [`Plugins::pricing_scheme`]).
pub fn plugin_scheme(
    loaded: &Loaded,
    plugins: &Plugins,
) -> anyhow::Result<Option<std::sync::Arc<dyn PricingScheme>>> {
    loaded
        .scenario
        .pricing_plugin
        .as_deref()
        .map(|name| plugins.pricing_scheme(&loaded.scenario, name))
        .transpose()
}

/// The output directory: `out`, or `out/<scenario name>/`.
pub fn out_dir(out: Option<&Path>, scenario: &Scenario) -> PathBuf {
    out.map_or_else(|| Path::new("out").join(&scenario.name), Path::to_owned)
}

/// Writes a run's whole output set into `dir`: the tables (`zoning.csv`, `ledger.csv`,
/// `summary.json`, the raster layers when there are some) and the report, all or nothing:
/// everything is written into a staging folder beside `dir` ([`fzc_io::StagedDir`]) and
/// moved in only when every file was written, so a failure (a full disk, an unreadable
/// polygon, a bad raster) leaves `dir` as it was and leaves nothing new.
///
/// # Errors
/// When a file cannot be written or the report's inputs (polygons, flow ranges) cannot be
/// read; the message names the scenario and the file.
pub fn write(
    loaded: &Loaded,
    outcome: &Outcome,
    dir: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Written> {
    let scenario = &loaded.scenario;
    let staged = StagedDir::new(dir)?;
    write_outputs_with_progress(staged.path(), scenario, outcome, progress)
        .with_context(|| format!("writing the outputs of {}", scenario.name))?;
    let mut notes = Vec::new();
    let report = report(loaded, outcome, None, staged.path(), progress, &mut notes)
        .with_context(|| format!("writing the report of {}", scenario.name))?;
    let report: Vec<PathBuf> = report.iter().map(|f| staged.final_path(f)).collect();
    staged
        .commit()
        .with_context(|| format!("moving the outputs of {} into place", scenario.name))?;
    Ok(Written {
        dir: dir.to_owned(),
        tables: ["zoning.csv", "ledger.csv", "summary.json"]
            .iter()
            .chain(outcome.series.first().map(|_| &"zoning-series.csv"))
            .map(|f| dir.join(f))
            .collect(),
        report,
        notes,
    })
}

/// Runs the scenario under each named scheme; the first is the reference. Names: `paper`
/// (= `payer`), `payer`, `payee`, `uniform`, `eq17`, and `plugin:<name>` resolved through
/// `plugins`.
///
/// # Errors
/// A name listed twice, an unknown or empty name, a plugin that cannot be resolved, and
/// whatever a run refuses.
pub fn compare(loaded: &Loaded, plugins: &Plugins, names: &[&str]) -> anyhow::Result<Comparison> {
    let mut owned: Vec<(String, std::sync::Arc<dyn PricingScheme>)> = Vec::new();
    for name in names.iter().map(|n| n.trim()) {
        if owned.iter().any(|(n, _)| n == name) {
            bail!("--pricing: scheme {name:?} listed twice; list each scheme once");
        }
        let scheme: std::sync::Arc<dyn PricingScheme> = match name.strip_prefix("plugin:") {
            Some(plugin) => plugins.pricing_scheme(&loaded.scenario, plugin)?,
            None => match parse_schemes(name)?.into_iter().next() {
                Some((_, builtin)) => std::sync::Arc::new(builtin),
                None => bail!("--pricing: empty scheme name"),
            },
        };
        owned.push((name.to_owned(), scheme));
    }
    let schemes: Vec<(String, &dyn PricingScheme)> =
        owned.iter().map(|(n, s)| (n.clone(), s.as_ref())).collect();
    Ok(compare_with(&loaded.scenario, &schemes)?)
}

/// Writes a comparison into `dir`: `compare.csv` and the report of the reference scheme with
/// the comparison chart.
///
/// # Errors
/// As [`write`].
pub fn write_compare(
    loaded: &Loaded,
    comparison: &Comparison,
    dir: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Written> {
    let staged = StagedDir::new(dir)?;
    let path = staged.path().join("compare.csv");
    let text = comparison.csv();
    fzc_io::write_atomically(&path, |w: &mut dyn Write| w.write_all(text.as_bytes()))?;
    let mut notes = Vec::new();
    let report = match comparison.outcomes.first() {
        Some(reference) => report(
            loaded,
            reference,
            Some(report_input::comparison(comparison)),
            staged.path(),
            progress,
            &mut notes,
        )?,
        None => Vec::new(),
    };
    let report: Vec<PathBuf> = report.iter().map(|f| staged.final_path(f)).collect();
    staged.commit()?;
    Ok(Written {
        dir: dir.to_owned(),
        tables: vec![dir.join("compare.csv")],
        report,
        notes,
    })
}

/// Builds the report input of a run and writes the report into `dir`; returns the files.
fn report(
    loaded: &Loaded,
    outcome: &Outcome,
    comparison: Option<fzc_report::Comparison>,
    dir: &Path,
    progress: &dyn Progress,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<PathBuf>> {
    report_with(loaded, outcome, comparison, None, dir, progress, notes)
}

/// [`report`], with an uncertainty or sensitivity result added to the input.
fn report_with(
    loaded: &Loaded,
    outcome: &Outcome,
    comparison: Option<fzc_report::Comparison>,
    analysis: Option<Analysis>,
    dir: &Path,
    progress: &dyn Progress,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<PathBuf>> {
    let scenario = &loaded.scenario;
    let extras = report_input::Extras::for_scenario(loaded.path.as_deref());
    let polygons = extras.polygons(scenario)?;
    let ranges = extras.ranges_km()?;
    let mut input = report_input::report_input(
        scenario,
        outcome,
        &polygons.clone().unwrap_or_default(),
        &ranges,
        &loaded.source_label(),
    );
    input.comparison = comparison;
    match analysis {
        Some(Analysis::Uncertainty(u)) => input.uncertainty = Some(u),
        Some(Analysis::Sensitivity(s)) => input.sensitivity = Some(s),
        None => {}
    }
    report_input::write_report(&input, polygons.is_some(), dir, progress, notes)
}

/// The result of an analysis of a scenario, for its report.
#[derive(Debug, Clone)]
pub enum Analysis {
    /// `fzc mc`'s summary: the probability-of-paying map and the interval chart.
    Uncertainty(fzc_report::Uncertainty),
    /// `fzc sensitivity`'s indices: the tornado chart.
    Sensitivity(fzc_report::Sensitivity),
}

/// Writes the report of the scenario's own run (zoning, flows, ledger) with an analysis's
/// figures into `dir`, beside the analysis's tables, all or nothing (staged; files the
/// report does not write are left alone). `scheme` prices the run when given (the scheme the
/// analysis used), else the scenario's.
///
/// # Errors
/// As [`write`].
pub fn write_analysis_report(
    loaded: &Loaded,
    plugins: &Plugins,
    scheme: Option<&dyn PricingScheme>,
    analysis: Analysis,
    dir: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Written> {
    let outcome = run(loaded, plugins, scheme)?;
    let staged = StagedDir::new(dir)?;
    let mut notes = Vec::new();
    let report = report_with(
        loaded,
        &outcome,
        None,
        Some(analysis),
        staged.path(),
        progress,
        &mut notes,
    )
    .with_context(|| format!("writing the report of {}", loaded.scenario.name))?;
    let report: Vec<PathBuf> = report.iter().map(|f| staged.final_path(f)).collect();
    staged.commit()?;
    Ok(Written {
        dir: dir.to_owned(),
        tables: Vec::new(),
        report,
        notes,
    })
}

/// Reads `fzc mc`'s `summary.csv` in `dir` for the report.
///
/// # Errors
/// When the file cannot be read or a row is not `region,p_payer,mean,sd,p05,p50,p95` with
/// numbers; the message names the file and line.
pub fn read_mc_summary(
    dir: &Path,
    draws: u64,
    seed: u64,
) -> anyhow::Result<fzc_report::Uncertainty> {
    let path = dir.join("summary.csv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let number = |i: usize| -> anyhow::Result<f64> {
            f.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .with_context(|| {
                    format!(
                        "{}, line {}: expected region,p_payer,mean,sd,p05,p50,p95 with numbers, found {line:?}",
                        path.display(),
                        k + 1
                    )
                })
        };
        rows.push(fzc_report::UncertaintyRow {
            region: f[0].to_owned(),
            p_payer: number(1)?,
            p05: number(4)?,
            p50: number(5)?,
            p95: number(6)?,
        });
    }
    Ok(fzc_report::Uncertainty { draws, seed, rows })
}

/// Reads `fzc sensitivity`'s indices (`sobol.csv`: ST and its half-width; `morris.csv`: mu*
/// and its half-width) in `dir` for the report.
///
/// # Errors
/// When neither file can be read or a row is malformed; the message names the file and line.
pub fn read_sensitivity(dir: &Path) -> anyhow::Result<fzc_report::Sensitivity> {
    let (path, method, measure, value, conf) = if dir.join("sobol.csv").exists() {
        (dir.join("sobol.csv"), "sobol", "total index ST", 4, 5)
    } else {
        (dir.join("morris.csv"), "morris", "mu*, million yuan", 2, 3)
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut outputs: Vec<(String, Vec<fzc_report::SensitivityBar>)> = Vec::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let number = |i: usize| -> anyhow::Result<f64> {
            f.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .with_context(|| {
                    format!(
                        "{}, line {}: a malformed row {line:?}",
                        path.display(),
                        k + 1
                    )
                })
        };
        let bar = (
            f.get(1).copied().unwrap_or_default().to_owned(),
            number(value)?,
            number(conf)?,
        );
        match outputs.last_mut() {
            Some((name, bars)) if name == f[0] => bars.push(bar),
            _ => outputs.push((f[0].to_owned(), vec![bar])),
        }
    }
    Ok(fzc_report::Sensitivity {
        method: method.to_owned(),
        measure: measure.to_owned(),
        outputs,
    })
}
