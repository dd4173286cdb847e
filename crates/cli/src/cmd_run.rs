//! `fzc run [SCENARIO] [--out DIR]`: a scenario through zoning and compensation.

use std::path::{Path, PathBuf};

use anyhow::Context;
use fzc_core::Progress;
use fzc_scenario::{
    LoadOptions, Outcome, Scenario, ScenarioSource, embedded, load_with_options, run,
    run_with_pricing, summary_json, terminal_table, write_outputs_with_progress,
};

use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
use crate::report_input::{Extras, report_input, write_report};
use crate::ui::Ui;

/// Arguments of `fzc run`.
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the embedded default case runs:
    /// examples/bth-2020 (Beijing–Tianjin–Hebei 2020, the paper's case).
    pub scenario: Option<PathBuf>,
    /// Output directory [default: out/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A pricing-scheme plugin to price with instead of the scenario's scheme.
    #[command(flatten)]
    pub plugin: PricingPluginArgs,
}

/// Reads the scenario named on the command line, or the embedded default; a `[cssf] model =
/// "plugin:<name>"` or `[cssf.rasters] demand = "plugin:<name>"` is loaded through
/// `fzc-plugin-host` from its `[[plugin]]` stanza. The long steps (the MRIO, raster rows,
/// flow pairs) report to `progress` (`&ui.progress_sink()` in every command).
pub fn load_scenario_with_progress(
    path: Option<&Path>,
    progress: &dyn Progress,
) -> anyhow::Result<Scenario> {
    let source = match path {
        Some(path) => ScenarioSource::File(path.to_owned()),
        None => embedded::bth_2020(),
    };
    let flow_model = |spec: &fzc_scenario::PluginSpec| {
        fzc_plugin_host::load(&spec.path)
            .and_then(|plugin| plugin.flow_model(&spec.params))
            .map_err(|e| format!("[[plugin]] {:?}: {e}", spec.name))
    };
    let demand_estimator = |spec: &fzc_scenario::PluginSpec| {
        fzc_plugin_host::load(&spec.path)
            .and_then(|plugin| plugin.demand_estimator(&spec.params))
            .map(|e| Box::new(e) as Box<dyn fzc_core::DemandEstimator>)
            .map_err(|e| format!("[[plugin]] {:?}: {e}", spec.name))
    };
    let scenario = load_with_options(
        &source,
        &LoadOptions {
            flow_model: &flow_model,
            demand_estimator: &demand_estimator,
            progress,
        },
    )?;
    for warning in &scenario.warnings {
        crate::ui::warn(warning);
    }
    Ok(scenario)
}

/// The output directory: `--out`, or `out/<scenario name>/`.
pub fn out_dir(out: Option<&Path>, scenario: &Scenario) -> PathBuf {
    out.map_or_else(|| Path::new("out").join(&scenario.name), Path::to_owned)
}

/// Builds the report input of a run and writes the report into `dir`; returns the files.
///
/// # Errors
/// When the scenario's polygons or flow ranges cannot be read, or a report file cannot be
/// written.
pub fn report(
    scenario_path: Option<&Path>,
    scenario: &Scenario,
    outcome: &Outcome,
    comparison: Option<fzc_report::Comparison>,
    dir: &Path,
    ui: Ui,
) -> anyhow::Result<Vec<PathBuf>> {
    let extras = Extras::for_scenario(scenario_path);
    let polygons = extras.polygons(scenario)?;
    let ranges = extras.ranges_km()?;
    let source = scenario_path.map_or_else(
        || "embedded examples/bth-2020".to_owned(),
        |p| p.display().to_string(),
    );
    let mut input = report_input(
        scenario,
        outcome,
        &polygons.clone().unwrap_or_default(),
        &ranges,
        &source,
    );
    input.comparison = comparison;
    write_report(&input, polygons.is_some(), dir, ui)
}

/// Runs `fzc run`.
pub fn run_command(args: &RunArgs, ui: Ui) -> anyhow::Result<()> {
    let progress = ui.progress_sink();
    let scenario = load_scenario_with_progress(args.scenario.as_deref(), &progress)?;
    let outcome = match PricingPlugins::new(&scenario, &args.plugin)?.run_scheme()? {
        Some(scheme) => run_with_pricing(&scenario, scheme.as_ref())?,
        None => run(&scenario)?,
    };
    let dir = out_dir(args.out.as_deref(), &scenario);
    write_outputs_with_progress(&dir, &scenario, &outcome, &progress)
        .with_context(|| format!("writing the outputs of {}", scenario.name))?;
    let files = report(
        args.scenario.as_deref(),
        &scenario,
        &outcome,
        None,
        &dir,
        ui,
    )
    .with_context(|| format!("writing the report of {}", scenario.name))?;
    if ui.json {
        crate::ui::print(&summary_json(&scenario, &outcome))?;
    } else {
        crate::ui::print(&terminal_table(&scenario, &outcome))?;
    }
    ui.note(&format!(
        "wrote {}, {}, {} and {} report files (report.html, figures/, results.*)",
        dir.join("zoning.csv").display(),
        dir.join("ledger.csv").display(),
        dir.join("summary.json").display(),
        files.len()
    ));
    Ok(())
}
