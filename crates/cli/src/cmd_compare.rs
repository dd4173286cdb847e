//! `fzc compare [SCENARIO] --pricing paper,payee,uniform,eq17 [--out DIR]`.

use std::io::Write;
use std::path::PathBuf;

use fzc_scenario::{ScenarioError, compare, parse_schemes};

use crate::cmd_run::{load_scenario, out_dir};

/// Arguments of `fzc compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (TOML). Without it, the embedded default case (examples/bth-2020).
    pub scenario: Option<PathBuf>,
    /// Pricing schemes to compare, comma separated; the first is the reference for the
    /// differences. Names: paper (= payer), payer, payee, uniform, eq17.
    #[arg(long, default_value = "paper,payee,uniform,eq17")]
    pub pricing: String,
    /// Output directory for compare.csv [default: out/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `fzc compare`.
pub fn run_command(args: &CompareArgs) -> anyhow::Result<()> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let schemes = parse_schemes(&args.pricing)?;
    let comparison = compare(&scenario, &schemes)?;
    let dir = out_dir(args.out.as_deref(), &scenario);
    std::fs::create_dir_all(&dir).map_err(|error| ScenarioError::Io {
        path: dir.clone(),
        error,
    })?;
    let path = dir.join("compare.csv");
    let text = comparison.csv();
    fzc_io::write_atomically(&path, |w: &mut dyn Write| w.write_all(text.as_bytes()))?;
    print!("{}", comparison.table());
    println!("wrote {}", path.display());
    Ok(())
}
