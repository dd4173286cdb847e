//! `fzc run [SCENARIO] [--out DIR]`: a scenario through zoning and compensation.

use std::path::{Path, PathBuf};

use anyhow::Context;
use fzc_scenario::{Scenario, ScenarioSource, embedded, load, run, terminal_table, write_outputs};

/// Arguments of `fzc run`.
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the embedded default case runs:
    /// examples/bth-2020 (Beijing–Tianjin–Hebei 2020, the paper's case).
    pub scenario: Option<PathBuf>,
    /// Output directory [default: out/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Reads the scenario named on the command line, or the embedded default.
pub fn load_scenario(path: Option<&Path>) -> anyhow::Result<Scenario> {
    let source = match path {
        Some(path) => ScenarioSource::File(path.to_owned()),
        None => embedded::bth_2020(),
    };
    let scenario = load(&source)?;
    for warning in &scenario.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(scenario)
}

/// The output directory: `--out`, or `out/<scenario name>/`.
pub fn out_dir(out: Option<&Path>, scenario: &Scenario) -> PathBuf {
    out.map_or_else(|| Path::new("out").join(&scenario.name), Path::to_owned)
}

/// Runs `fzc run`.
pub fn run_command(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let outcome = run(&scenario)?;
    let dir = out_dir(args.out.as_deref(), &scenario);
    write_outputs(&dir, &scenario, &outcome)
        .with_context(|| format!("writing the outputs of {}", scenario.name))?;
    print!("{}", terminal_table(&scenario, &outcome));
    println!(
        "wrote {}, {}, {}",
        dir.join("zoning.csv").display(),
        dir.join("ledger.csv").display(),
        dir.join("summary.json").display()
    );
    Ok(())
}
