//! `fzc mc`: Monte Carlo over a scenario's uncertain inputs, sharded, and `fzc mc merge`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use fzc_core::PricingScheme;
use fzc_uncertainty::{McOptions, Plan, Shard, UncertaintySpec, merge, run_mc};

use crate::cmd_run::load_scenario_with_progress;
use crate::pricing_plugins::{PricingPluginArgs, PricingPlugins};
use crate::ui::Ui;

const AFTER_HELP: &str = "\
Uncertain inputs are [[uncertainty]] stanzas, in the scenario file or in --uncertainty FILE
(format and parameter names: docs/formats/uncertainty.md):

  [[uncertainty]]
  param = \"price\"            # price, pricing.a, pricing.b, standard.<region>,
                             # economy.<region>.population|gdp|engel, ect.nf.<region>,
                             # ect.bilateral.<from>.<to>, cssf.transfer.<output>.<input>
                             # (a * stands for every matching transfer), cssf.k (Eq 16's k,
                             # for a layer the breakpoint model computed),
                             # pools.<lucode>.<pool> (a carbon density of [cssf.rasters],
                             # pool = c_above|c_below|c_soil|c_dead, * for all), ect.mrio.y and
                             # ect.mrio.f (a relative factor per cell of the MRIO's Y or F;
                             # the layer is recomputed with the kept LU of I - A)
  dist = \"uniform\"           # uniform (low, high) | normal (mean, sd) | lognormal (mu, sigma,
                             # or mean, cv) | triangular (low, mode, high)
                             # | truncnormal (mean, sd, low, high)
  low = 20.0
  high = 100.0
  scale = \"absolute\"         # absolute: the draw replaces the input | relative: multiplies it
  group = \"prices\"           # optional: stanzas of one group are perfectly rank-correlated

  [[correlation]]              # optional: a Gaussian copula over some inputs
  params = [\"price\", \"standard.tianjin\"]   # parameter names, or group:<name>
  matrix = [[1.0, 0.6], [0.6, 1.0]]       # symmetric, unit diagonal, positive definite

Outputs in --out (all written, or none):
  draws.csv    draw,region,zone,ledger_net,ect_net,cssf_net,standard: one row per draw and
               region; yuan (> 0 pays, < 0 receives), zone = the sign of ledger_net,
               standard in yuan/t
  params.csv   draw,param,value: the value each draw gave each input, in the input's unit
               (for ect.mrio.y / ect.mrio.f: the mean of the draw's factors)
  summary.csv  region,p_payer,mean,sd,p05,p50,p95: p_payer is the share of draws in which the
               region pays; the rest are statistics of ledger_net in yuan
  draws.parquet, params.parquet   the same tables as Parquet (for large runs)
  mc.json      the analysis (scenario, scheme, seed, draws, shard, stanzas), read by merge

Draw d depends only on (--seed, d): the same seed gives byte-identical files whatever the
thread count, and shards merged with `fzc mc merge` equal the single run byte for byte.
Slurm: `fzc mc S.toml --draws N --seed 1 --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
--out shards/$SLURM_ARRAY_TASK_ID` in a job array (--array=0-(K-1)), then
`fzc mc merge shards/* --out mc` (docs/SCALING.md).";

/// Arguments of `fzc mc`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_long_help = AFTER_HELP
)]
pub struct McArgs {
    /// `fzc mc merge`: join the folders of shards.
    #[command(subcommand)]
    pub merge: Option<McCommand>,
    /// Scenario file (TOML), which may hold the [[uncertainty]] stanzas. Without it, the
    /// embedded default case (examples/bth-2020), with stanzas from --uncertainty.
    pub scenario: Option<PathBuf>,
    /// A TOML file of [[uncertainty]] stanzas (instead of stanzas in the scenario file).
    #[arg(long, value_name = "FILE")]
    pub uncertainty: Option<PathBuf>,
    /// Number of draws of the whole analysis (all shards together), at least 1.
    #[arg(long, required = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub draws: Option<u64>,
    /// Seed of the random numbers: draw d depends only on (seed, d).
    #[arg(long, required = true)]
    pub seed: Option<u64>,
    /// Run only shard I of K (0 <= I < K): a contiguous block of the draws.
    #[arg(long, value_name = "I/K", default_value = "0/1")]
    pub shard: Shard,
    /// Output directory.
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Also write the report of the scenario's run into --out (report.html, figures/,
    /// results.*) with two more figures: a map of each region's probability of paying
    /// (figures/p-payer-map.*) and the 90 % interval of each region's amount
    /// (figures/amount-intervals.*). Not with --shard (write it from one process).
    #[arg(long)]
    pub report: bool,
    /// A pricing-scheme plugin to price with instead of the scenario's scheme.
    #[command(flatten)]
    pub plugin: PricingPluginArgs,
}

/// Subcommands of `fzc mc`.
#[derive(Debug, clap::Subcommand)]
pub enum McCommand {
    /// Merge the output folders of `fzc mc --shard I/K` runs into the files the unsharded
    /// run writes (byte-identical). Every shard must be of the same scenario, scheme, seed,
    /// draw count and stanzas, and together they must cover every draw once.
    Merge(MergeArgs),
}

/// Arguments of `fzc mc merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard folders, in any order.
    #[arg(required = true, num_args = 1..)]
    pub shards: Vec<PathBuf>,
    /// Output directory of the merged files.
    #[arg(long)]
    pub out: PathBuf,
}

/// The stanzas: the scenario file's, or those of `--uncertainty`
/// ([`fzc_uncertainty::stanzas_for`]).
pub(crate) fn stanzas(
    scenario: Option<&Path>,
    extra: Option<&Path>,
) -> anyhow::Result<UncertaintySpec> {
    Ok(fzc_uncertainty::stanzas_for(scenario, extra)?)
}

/// Runs `fzc mc`.
pub fn run(args: &McArgs, ui: Ui) -> anyhow::Result<()> {
    if let Some(McCommand::Merge(m)) = &args.merge {
        let files = merge(&m.shards, &m.out)?;
        return report(&m.out, &files, ui);
    }
    let (Some(draws), Some(seed), Some(out)) = (args.draws, args.seed, args.out.as_deref()) else {
        bail!("fzc mc needs --draws, --seed and --out");
    };
    if args.report && args.shard != Shard::WHOLE {
        bail!(
            "--report with --shard {}/{}: the report needs every draw; write it from one \
             process, or merge the shards and run without --shard",
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
    let options = McOptions {
        draws,
        seed,
        shard: args.shard,
    };
    let mut files = run_mc(scenario, scheme, &plan, &options, out, &progress)
        .with_context(|| format!("fzc mc on {}", scenario.name))?;
    if args.report {
        let summary = fzc_pipeline::read_mc_summary(out, draws, seed)?;
        let written = fzc_pipeline::write_analysis_report(
            &loaded,
            &plugins,
            plugin.as_deref(),
            fzc_pipeline::Analysis::Uncertainty(summary),
            out,
            &progress,
        )?;
        for n in &written.notes {
            ui.note(n);
        }
        files.extend(written.report);
    }
    report(out, &files, ui)
}

/// Prints the summary (a table, or JSON with --json) and notes the files.
fn report(out: &Path, files: &[PathBuf], ui: Ui) -> anyhow::Result<()> {
    let path = out.join("summary.csv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 7 {
            rows.push(f);
        }
    }
    if ui.json {
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|f| {
                let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
                serde_json::json!({
                    "region": f[0], "p_payer": num(f[1]), "mean": num(f[2]), "sd": num(f[3]),
                    "p05": num(f[4]), "p50": num(f[5]), "p95": num(f[6]),
                })
            })
            .collect();
        crate::ui::print(&format!("{}\n", serde_json::to_string_pretty(&json)?))?;
    } else {
        let mut table = String::from(
            "amounts in billion yuan (> 0 pays, < 0 receives)\n\nregion         p_payer      p05      p50      p95\n",
        );
        for f in &rows {
            let bn = |s: &str| s.parse::<f64>().map_or(f64::NAN, |v| v / 1e9);
            table.push_str(&format!(
                "{:<14} {:>8} {:>8.3} {:>8.3} {:>8.3}\n",
                f[0],
                f[1],
                bn(f[4]),
                bn(f[5]),
                bn(f[6])
            ));
        }
        crate::ui::print(&table)?;
    }
    ui.note(&format!(
        "wrote {}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}
