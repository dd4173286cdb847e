//! `fzc compare [SCENARIO] --pricing paper,payee,uniform,eq17 [--out DIR]`.

use std::path::PathBuf;

use fzc_pipeline::report_input::comparison as report_comparison;

use crate::cmd_run::load_scenario_with_progress;
use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
use crate::ui::Ui;

/// Arguments of `fzc compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (TOML). Without it, the embedded default case (examples/bth-2020).
    pub scenario: Option<PathBuf>,
    /// Pricing schemes to compare, comma separated; the first is the reference for the
    /// differences. Names: paper (= payer), payer, payee, uniform, eq17, and
    /// plugin:<name> for a --plugin (by its own name) or a [[plugin]] of the scenario.
    #[arg(long, default_value = "paper,payee,uniform,eq17")]
    pub pricing: String,
    /// Output directory for compare.csv [default: out/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Pricing-scheme plugins to compare (name them in --pricing as plugin:<name>).
    #[command(flatten)]
    pub plugin: PricingPluginArgs,
}

/// Runs `fzc compare`.
pub fn run_command(args: &CompareArgs, ui: Ui) -> anyhow::Result<()> {
    let progress = ui.progress_sink();
    let plugins = PricingPlugins::new(&args.plugin)?.plugins();
    let loaded = load_scenario_with_progress(args.scenario.as_deref(), &plugins, &progress)?;
    let names: Vec<&str> = args.pricing.split(',').collect();
    let comparison = fzc_pipeline::compare(&loaded, &plugins, &names)?;
    let dir = fzc_pipeline::out_dir(args.out.as_deref(), &loaded.scenario);
    let written = fzc_pipeline::write_compare(&loaded, &comparison, &dir, &progress)?;
    for note in &written.notes {
        ui.note(note);
    }
    if ui.json {
        crate::ui::print(&format!("{}\n", compare_json(&comparison)))?;
    } else {
        crate::ui::print(&comparison.table())?;
    }
    ui.note(&format!(
        "wrote {} and {} report files (report.html, figures/scheme-comparison.*, results.*)",
        dir.join("compare.csv").display(),
        written.report.len()
    ));
    Ok(())
}

/// `--json`: the schemes and, per region, its net amount (yuan, `> 0` pays) under each.
fn compare_json(comparison: &fzc_scenario::Comparison) -> String {
    let c = report_comparison(comparison);
    let rows: Vec<serde_json::Value> = c
        .rows
        .iter()
        .map(|r| {
            let amounts: serde_json::Map<String, serde_json::Value> = c
                .schemes
                .iter()
                .zip(&r.net_yuan)
                .map(|(s, v)| (s.clone(), serde_json::json!((v * 100.0).round() / 100.0)))
                .collect();
            serde_json::json!({ "region": r.region, "net_yuan": amounts })
        })
        .collect();
    let value = serde_json::json!({ "schemes": c.schemes, "regions": rows });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
