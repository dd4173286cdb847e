//! `fzc`: the Flow–Zoning–Compensation command line.
//!
//! Each subcommand lives in its own module and only parses arguments, calls the library crates
//! and reports; no method logic lives here.
//!
//! Output goes through `ui`: `println!` panics when stdout is a closed pipe (`fzc … | head -1`),
//! so the print macros are linted out and `ui::print` / `Ui::note` / `ui::warn` used instead.

#![warn(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod arg_ranges;
mod cmd_compare;
mod cmd_cssf;
mod cmd_ect;
mod cmd_mc;
mod cmd_plugins;
mod cmd_run;
mod cmd_sensitivity;
mod help;
mod pricing_plugins;
mod ui;

/// Flow–Zoning–Compensation: who owes whom for carbon, how much, and why.
#[derive(Debug, Parser)]
#[command(name = "fzc", version, about, long_about = None)]
struct Cli {
    /// Without a subcommand, `fzc` runs the embedded default case (as `fzc run`).
    #[command(subcommand)]
    command: Option<Command>,
    /// Print no progress bars, no notes and no log warnings about the inputs (errors, and
    /// warnings that change the result, still go to stderr).
    #[arg(long, global = true)]
    quiet: bool,
    /// Print the summary as JSON on stdout instead of the table (`run`, `compare`, `ect`,
    /// `mc`, `cssf flows`; refused by the other commands, which print no JSON).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Embodied carbon transfer between regions from an MRIO table (METHOD section 1).
    #[command(after_long_help = help::ECT)]
    Ect(cmd_ect::EctArgs),
    /// Carbon sequestration service supply, demand and flows between regions (METHOD section 2).
    Cssf(Box<cmd_cssf::CssfArgs>),
    /// Run a scenario: zoning, ledger and summary (default: the embedded BTH-2020 case).
    #[command(after_long_help = help::RUN)]
    Run(cmd_run::RunArgs),
    /// Compare pricing schemes on one scenario: city amounts and zones side by side.
    #[command(after_long_help = help::COMPARE)]
    Compare(cmd_compare::CompareArgs),
    /// Monte Carlo over uncertain inputs ([[uncertainty]] stanzas): how sure is each region's
    /// zone and amount? Sharded runs and their merge.
    Mc(cmd_mc::McArgs),
    /// Sobol' sensitivity indices: which uncertain input decides each region's amount.
    Sensitivity(cmd_sensitivity::SensitivityArgs),
    /// Inspect and check run-time plugins (pricing schemes, flow models).
    #[command(after_long_help = help::PLUGINS)]
    Plugins(cmd_plugins::PluginsArgs),
}

/// The subcommand that has no use for `--json`, if `--json` was given to one: such a flag
/// would be ignored, so it is refused as a usage error instead.
fn json_refused_by(command: Option<&Command>) -> Option<&'static str> {
    match command {
        Some(Command::Cssf(args)) if !args.prints_json() => Some(args.name()),
        Some(Command::Plugins(_)) => Some("fzc plugins"),
        Some(Command::Sensitivity(_)) => Some("fzc sensitivity"),
        _ => None,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.json
        && let Some(name) = json_refused_by(cli.command.as_ref())
    {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--json: `{name}` prints no JSON summary (only `fzc run`, `fzc compare`, \
                     `fzc ect`, `fzc mc` and `fzc cssf flows` do); drop the flag"
                ),
            )
            .exit();
    }
    // Library warnings are notes about the inputs (an assumed CRS, a missing .prj, a repaired
    // polygon): `--quiet` hides them with the other notes and keeps errors. `FZC_LOG` wins.
    let default_level = if cli.quiet { "error" } else { "warn" };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(ui::colour_on_stderr())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FZC_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .init();
    let ui = ui::Ui {
        quiet: cli.quiet,
        json: cli.json,
    };
    let result: anyhow::Result<()> = match cli.command {
        Some(Command::Ect(args)) => cmd_ect::run(&args, ui),
        Some(Command::Cssf(args)) => cmd_cssf::run(*args, ui),
        Some(Command::Run(args)) => cmd_run::run_command(&args, ui),
        Some(Command::Compare(args)) => cmd_compare::run_command(&args, ui),
        Some(Command::Mc(args)) => cmd_mc::run(&args, ui),
        Some(Command::Sensitivity(args)) => cmd_sensitivity::run(&args, ui),
        Some(Command::Plugins(args)) => cmd_plugins::run(&args, ui),
        None => cmd_run::run_command(&cmd_run::RunArgs::default(), ui),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `fzc … | head -1`: the reader has what it wanted; not an error.
        Err(err) if ui::is_stdout_closed(&err) => ExitCode::SUCCESS,
        Err(err) => {
            ui::error(&format!("{err:#}"));
            ExitCode::FAILURE
        }
    }
}
