//! `fzc run [SCENARIO] [--out DIR]`: a scenario through zoning and compensation.
//!
//! Flag parsing and printing only; the pipeline is `fzc-pipeline`.

use std::path::{Path, PathBuf};

use fzc_core::Progress;
use fzc_pipeline::{Loaded, Plugins};
use fzc_scenario::{summary_json, terminal_table};

use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
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

/// Reads the scenario named on the command line, or the embedded default, through
/// [`fzc_pipeline::load`], and prints its warnings.
pub fn load_scenario_with_progress(
    path: Option<&Path>,
    plugins: &Plugins,
    progress: &dyn Progress,
) -> anyhow::Result<Loaded> {
    let loaded = fzc_pipeline::load(path, plugins, progress)?;
    for warning in &loaded.scenario.warnings {
        crate::ui::warn(warning);
    }
    Ok(loaded)
}

/// Runs `fzc run`.
pub fn run_command(args: &RunArgs, ui: Ui) -> anyhow::Result<()> {
    let progress = ui.progress_sink();
    let cli = PricingPlugins::new(&args.plugin)?;
    let plugins = cli.plugins();
    let loaded = load_scenario_with_progress(args.scenario.as_deref(), &plugins, &progress)?;
    let scheme = cli.run_scheme()?;
    let outcome = fzc_pipeline::run(&loaded, &plugins, scheme.as_deref())?;
    let dir = fzc_pipeline::out_dir(args.out.as_deref(), &loaded.scenario);
    let written = fzc_pipeline::write(&loaded, &outcome, &dir, &progress)?;
    for note in &written.notes {
        ui.note(note);
    }
    if ui.json {
        crate::ui::print(&summary_json(&loaded.scenario, &outcome))?;
    } else {
        crate::ui::print(&terminal_table(&loaded.scenario, &outcome))?;
    }
    ui.note(&format!(
        "wrote {}, {}, {} and {} report files (report.html, figures/, results.*)",
        dir.join("zoning.csv").display(),
        dir.join("ledger.csv").display(),
        dir.join("summary.json").display(),
        written.report.len()
    ));
    if let (Some((first, _)), Some((last, _))) = (outcome.series.first(), outcome.series.last()) {
        ui.note(&format!(
            "year series {first}..{last}: each year's zoning in {}; the table, ledger and \
             report above are {last}'s",
            dir.join("zoning-series.csv").display()
        ));
    }
    Ok(())
}
