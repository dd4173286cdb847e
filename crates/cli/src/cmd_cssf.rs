//! `fzc cssf …`: the carbon sequestration service flow layer (issue 3).
//!
//! One subcommand per step; each lives in its own file under `cmd_cssf/`.

use clap::{Args, Subcommand};

use crate::ui::Ui;

mod demand;
mod flows;
mod raster_regions;
mod run;
mod supply;

/// Arguments of `fzc cssf`.
#[derive(Debug, Args)]
pub struct CssfArgs {
    #[command(subcommand)]
    command: CssfCommand,
}

/// The `--help` footer of the raster commands: the one knob for untrusted raster sizes.
const RASTER_LIMITS: &str = "Memory: a raster's declared size is checked against its stored \
data, and each row window against FZC_MEMORY_BUDGET (MiB, default 4096) before it is read; \
set the variable to raise the budget. See docs/formats/regions.md.";

/// The steps of the CSSF layer.
#[derive(Debug, Subcommand)]
enum CssfCommand {
    /// CSSDR per region and the breakpoint flows between output and input regions (Eq 13–16).
    #[command(after_long_help = crate::help::CSSF_FLOWS)]
    Flows(flows::FlowsArgs),
    /// Carbon sequestration service supply (Eq 11) per pixel and per region.
    #[command(after_help = RASTER_LIMITS)]
    #[command(after_long_help = crate::help::CSSF_SUPPLY)]
    Supply(supply::SupplyArgs),
    /// Carbon sequestration service demand (Eq 12) per pixel and per region.
    #[command(after_help = RASTER_LIMITS)]
    #[command(after_long_help = crate::help::CSSF_DEMAND)]
    Demand(demand::DemandArgs),
    /// Supply, demand and flows in one go, every output in one folder.
    #[command(after_help = RASTER_LIMITS)]
    #[command(after_long_help = crate::help::CSSF_RUN)]
    Run(run::RunArgs),
}

impl CssfArgs {
    /// `fzc cssf <step>`, for messages.
    pub fn name(&self) -> &'static str {
        match self.command {
            CssfCommand::Flows(_) => "fzc cssf flows",
            CssfCommand::Supply(_) => "fzc cssf supply",
            CssfCommand::Demand(_) => "fzc cssf demand",
            CssfCommand::Run(_) => "fzc cssf run",
        }
    }

    /// Whether the step prints a JSON summary with `--json` (only `flows` does).
    pub fn prints_json(&self) -> bool {
        matches!(self.command, CssfCommand::Flows(_))
    }
}

/// Runs `fzc cssf …`.
pub fn run(args: CssfArgs, ui: Ui) -> anyhow::Result<()> {
    match args.command {
        CssfCommand::Flows(args) => flows::run(args, ui),
        CssfCommand::Supply(args) => supply::run(args, ui).map(drop),
        CssfCommand::Demand(args) => demand::run(args, ui).map(drop),
        CssfCommand::Run(args) => run::run(args, ui),
    }
}
