//! `fzc compare [SCENARIO] --pricing paper,payee,uniform,eq17 [--out DIR]`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use fzc_core::PricingScheme;
use fzc_scenario::{ScenarioError, compare_with, parse_schemes};

use crate::cmd_run::{load_scenario_with_progress, out_dir, report};
use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
use crate::report_input::comparison as report_comparison;
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
    let scenario = load_scenario_with_progress(args.scenario.as_deref(), &ui.progress_sink())?;
    let plugins = PricingPlugins::new(&scenario, &args.plugin)?;
    let mut owned: Vec<(String, Box<dyn PricingScheme>)> = Vec::new();
    for name in args.pricing.split(',').map(str::trim) {
        if owned.iter().any(|(n, _)| n == name) {
            bail!("--pricing: scheme {name:?} listed twice; list each scheme once");
        }
        let scheme: Box<dyn PricingScheme> = match name.strip_prefix("plugin:") {
            Some(plugin) => plugins.scheme(plugin)?,
            None => match parse_schemes(name)?.into_iter().next() {
                Some((_, builtin)) => Box::new(builtin),
                None => bail!("--pricing: empty scheme name"),
            },
        };
        owned.push((name.to_owned(), scheme));
    }
    let schemes: Vec<(String, &dyn PricingScheme)> =
        owned.iter().map(|(n, s)| (n.clone(), s.as_ref())).collect();
    let comparison = compare_with(&scenario, &schemes)?;
    let dir = out_dir(args.out.as_deref(), &scenario);
    std::fs::create_dir_all(&dir).map_err(|error| ScenarioError::Io {
        path: dir.clone(),
        error,
    })?;
    let path = dir.join("compare.csv");
    let text = comparison.csv();
    fzc_io::write_atomically(&path, |w: &mut dyn Write| w.write_all(text.as_bytes()))?;
    let files = match comparison.outcomes.first() {
        Some(reference) => report(
            args.scenario.as_deref(),
            &scenario,
            reference,
            Some(report_comparison(&comparison)),
            &dir,
            ui,
        )?,
        None => Vec::new(),
    };
    if ui.json {
        crate::ui::print(&format!("{}\n", compare_json(&comparison)))?;
    } else {
        crate::ui::print(&comparison.table())?;
    }
    ui.note(&format!(
        "wrote {} and {} report files (report.html, figures/scheme-comparison.*, results.*)",
        path.display(),
        files.len()
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
