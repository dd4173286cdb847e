//! `fzc sensitivity`: Sobol' indices or Morris screening of each region's amount with
//! respect to the uncertain inputs of a scenario.

use std::path::PathBuf;

use anyhow::{Context, bail};
use fzc_core::PricingScheme;
use fzc_uncertainty::{
    Method, Plan, SensitivityOptions, Shard, merge_sensitivity, run_sensitivity,
};

use crate::cmd_mc::stanzas;
use crate::cmd_run::load_scenario_with_progress;
use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
use crate::ui::Ui;

const AFTER_HELP: &str = "\
The inputs are the [[uncertainty]] stanzas (docs/formats/uncertainty.md): each independent
parameter is one input, and each `group` one input. The outputs are ledger_net.<region> (yuan,
> 0 pays) for every region, and total_paid (yuan, the total paid over the combined ledger).

--method sobol: Saltelli sampling on an Owen-scrambled Sobol' sequence (N base points,
N * (D + 2) runs for D inputs), first-order and total indices with SALib's estimators
(Saltelli 2010, Jansen), 95 % confidence half-widths from 100 bootstrap resamples. The
estimators agree with SALib to 1e-10 on the same sample (tests/fixtures/sensitivity).

--method morris: N one-at-a-time trajectories on a grid of --levels levels (N * (D + 1)
runs); a grid level k stands for the probability (k + 1/2) / levels of each input's
distribution. mu* (mean absolute elementary effect, yuan per grid step of size
levels / (2 (levels - 1))), its 95 % bootstrap half-width and sigma, as SALib.analyze.morris
computes them (agreement 1e-10 on SALib's own sample).

Outputs in --out (written all or nothing):
  sobol.csv         output,param,s1,s1_conf,st,st_conf (--method sobol), 6 decimals
  morris.csv        output,param,mu_star,mu_star_conf,sigma (--method morris), yuan, 2 decimals
  runs.csv          row,<outputs>: every sample row's outputs, exactly (read by merge)
  sensitivity.json  the analysis (method, scenario, scheme, seed, samples, stanzas, rows)
param is the parameter's name, or group:<name>.

Shards: --shard I/K runs a contiguous share of the sample's blocks (base points or
trajectories) and writes runs.csv and sensitivity.json only; `fzc sensitivity merge DIR...
--out DIR` checks they are of one analysis and cover it, and writes the files the unsharded
run writes, byte for byte (Slurm recipe: docs/SCALING.md).";

/// Arguments of `fzc sensitivity`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_long_help = AFTER_HELP
)]
pub struct SensitivityArgs {
    /// `fzc sensitivity merge`: join the folders of shards.
    #[command(subcommand)]
    pub merge: Option<SensitivityCommand>,
    /// Scenario file (TOML), which may hold the [[uncertainty]] stanzas. Without it, the
    /// embedded default case, with stanzas from --uncertainty.
    pub scenario: Option<PathBuf>,
    /// A TOML file of [[uncertainty]] stanzas (instead of stanzas in the scenario file).
    #[arg(long, value_name = "FILE")]
    pub uncertainty: Option<PathBuf>,
    /// The method: sobol (first-order and total indices) or morris (elementary effects).
    #[arg(long, default_value = "sobol", value_parser = ["sobol", "morris"])]
    pub method: String,
    /// Base points N of the Saltelli sample (N * (D + 2) runs), or Morris trajectories N
    /// (N * (D + 1) runs); at least 2.
    #[arg(long, required = true, value_parser = clap::value_parser!(u64).range(2..))]
    pub samples: Option<u64>,
    /// Grid levels of the Morris trajectories (even, at least 2).
    #[arg(long, default_value_t = 4)]
    pub levels: usize,
    /// Seed of the sample and of the bootstrap.
    #[arg(long, required = true)]
    pub seed: Option<u64>,
    /// Run only shard I of K (0 <= I < K): a contiguous block of the sample.
    #[arg(long, value_name = "I/K", default_value = "0/1")]
    pub shard: Shard,
    /// Output directory.
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Also write the report of the scenario's run into --out (report.html, figures/,
    /// results.*) with a tornado chart of the indices, one panel per output
    /// (figures/sensitivity-tornado.*). Not with --shard (write it from one process).
    #[arg(long)]
    pub report: bool,
    /// A pricing-scheme plugin to price with instead of the scenario's scheme.
    #[command(flatten)]
    pub plugin: PricingPluginArgs,
}

/// Subcommands of `fzc sensitivity`.
#[derive(Debug, clap::Subcommand)]
pub enum SensitivityCommand {
    /// Merge the output folders of `fzc sensitivity --shard I/K` runs into the files the
    /// unsharded run writes (byte-identical): the indices, runs.csv and sensitivity.json.
    Merge(crate::cmd_mc::MergeArgs),
}

/// Runs `fzc sensitivity`.
pub fn run(args: &SensitivityArgs, ui: Ui) -> anyhow::Result<()> {
    if let Some(SensitivityCommand::Merge(m)) = &args.merge {
        let files = merge_sensitivity(&m.shards, &m.out)?;
        return report(&files, ui);
    }
    let (Some(samples), Some(seed), Some(out)) = (args.samples, args.seed, args.out.as_deref())
    else {
        bail!("fzc sensitivity needs --samples, --seed and --out");
    };
    if args.report && args.shard != Shard::WHOLE {
        bail!(
            "--report with --shard {}/{}: the report needs the whole sample; write it from \
             one process, or merge the shards and run without --shard",
            args.shard.index,
            args.shard.count
        );
    }
    let progress = ui.progress_sink();
    let spec = stanzas(args.scenario.as_deref(), args.uncertainty.as_deref())?;
    let cli = PricingPlugins::new(&args.plugin)?;
    let plugins = cli.plugins();
    let loaded = load_scenario_with_progress(args.scenario.as_deref(), &plugins, &progress)?;
    let plugin = cli.run_scheme_for(&loaded, &plugins)?;
    let scenario = &loaded.scenario;
    let plan = Plan::new(scenario, &spec)?;
    let scheme: &dyn PricingScheme = match &plugin {
        Some(p) => p.as_ref(),
        None => &scenario.pricing.scheme,
    };
    let Ok(samples) = usize::try_from(samples) else {
        bail!("--samples {samples} is too large for this machine");
    };
    let method = match args.method.as_str() {
        "morris" => Method::Morris {
            levels: args.levels,
        },
        _ => Method::Sobol,
    };
    let options = SensitivityOptions {
        method,
        samples,
        seed,
        shard: args.shard,
    };
    let mut files = run_sensitivity(scenario, scheme, &plan, &options, out, &progress)
        .with_context(|| format!("fzc sensitivity on {}", scenario.name))?;
    if args.report {
        let indices = fzc_pipeline::read_sensitivity(out)?;
        let written = fzc_pipeline::write_analysis_report(
            &loaded,
            &plugins,
            plugin.as_deref(),
            fzc_pipeline::Analysis::Sensitivity(indices),
            out,
            &progress,
        )?;
        for n in &written.notes {
            ui.note(n);
        }
        files.extend(written.report);
    }
    report(&files, ui)
}

/// Prints each output's most influential input (by ST, or by mu*) and notes the files; a
/// shard has no indices to print.
fn report(files: &[PathBuf], ui: Ui) -> anyhow::Result<()> {
    let Some(indices) = files
        .iter()
        .find(|f| f.ends_with("sobol.csv") || f.ends_with("morris.csv"))
    else {
        for f in files {
            ui.note(&format!("wrote {}", f.display()));
        }
        return Ok(());
    };
    let (column, what) = if indices.ends_with("sobol.csv") {
        (4, "total index ST")
    } else {
        (2, "mu*, yuan")
    };
    let text = std::fs::read_to_string(indices)
        .with_context(|| format!("reading {}", indices.display()))?;
    // The table: each output's most influential input.
    let mut table = format!("output                    most influential input ({what})\n");
    let mut best: Vec<(String, String, f64)> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let st: f64 = f
            .get(column)
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN);
        match best.last_mut() {
            Some(b) if b.0 == f[0] => {
                if st > b.2 {
                    b.1 = f[1].to_owned();
                    b.2 = st;
                }
            }
            _ => best.push((f[0].to_owned(), f[1].to_owned(), st)),
        }
    }
    for (output, param, st) in &best {
        table.push_str(&format!("{output:<25} {param} ({st:.3})\n"));
    }
    crate::ui::print(&table)?;
    for f in files {
        ui.note(&format!("wrote {}", f.display()));
    }
    Ok(())
}
