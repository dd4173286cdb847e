//! `fzc sensitivity --method sobol`: which uncertain input decides each region's amount.
//!
//! The inputs are the plan's slots (an independent parameter, or a whole `group`), each
//! sampled through its distribution's quantile function from a Saltelli sample
//! ([`crate::saltelli_sample`]); the outputs are `ledger_net.<region>` for every region and
//! `total_paid`. Every sample row is one [`fzc_scenario::run_with_pricing`].

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use fzc_core::{PricingScheme, Progress};
use fzc_scenario::{Scenario, fixed, run_with_pricing};
use rayon::prelude::*;

use crate::error::UncertaintyError;
use crate::mc::Staging;
use crate::params::Plan;
use crate::sobol::{MAX_INPUTS, bootstrap_resamples, saltelli_sample, sobol_indices};

/// One sample row's outputs: their names and values.
type RowOutputs = (Vec<String>, Vec<f64>);

/// The header of `sobol.csv`.
pub const SOBOL_HEADER: &str = "output,param,s1,s1_conf,st,st_conf";

/// Bootstrap resamples behind each confidence interval.
pub const RESAMPLES: usize = 100;

/// Options of a Sobol' analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SobolOptions {
    /// Base points `N` of the Saltelli sample: `N · (D + 2)` runs for `D` inputs.
    pub samples: usize,
    /// Seed of the scrambled Sobol' sequence and of the bootstrap.
    pub seed: u64,
}

/// Runs the Saltelli sample and writes `sobol.csv` into `out` (staged, all or nothing).
///
/// # Errors
/// [`UncertaintyError::Options`] for fewer than 2 base points, no inputs or more than
/// [`MAX_INPUTS`]; a failing run's error, naming the sample row as the draw; file errors.
pub fn run_sobol(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
    plan: &Plan,
    options: &SobolOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, UncertaintyError> {
    let d = plan.slots();
    if d == 0 || d > MAX_INPUTS {
        return Err(UncertaintyError::Options(format!(
            "a Sobol' analysis needs 1 to {MAX_INPUTS} independent inputs (parameters or \
             groups); these stanzas give {d}"
        )));
    }
    if options.samples < 2 {
        return Err(UncertaintyError::Options(
            "--samples must be at least 2".to_owned(),
        ));
    }
    let seed32 = u32::try_from(options.seed & 0xffff_ffff).unwrap_or(0)
        ^ u32::try_from(options.seed >> 32).unwrap_or(0);
    let rows = saltelli_sample(options.samples, d, seed32);
    let total = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    progress.begin("sobol sample runs", total);
    let outputs: Vec<Result<RowOutputs, UncertaintyError>> = rows
        .par_iter()
        .enumerate()
        .map(|(i, u)| {
            let draw = u64::try_from(i).unwrap_or(u64::MAX);
            let values = plan.values(draw, u)?;
            let outcome =
                run_with_pricing(&plan.apply(scenario, &values), scheme).map_err(|source| {
                    UncertaintyError::Run {
                        draw,
                        source: Box::new(source),
                    }
                })?;
            let accounts = outcome.ledger.accounts();
            let mut names: Vec<String> = accounts
                .iter()
                .map(|a| format!("ledger_net.{}", a.region))
                .collect();
            let mut ys: Vec<f64> = accounts.iter().map(|a| a.net.0).collect();
            names.push("total_paid".to_owned());
            ys.push(accounts.iter().map(|a| a.paid.0).sum());
            progress.advance(1);
            Ok((names, ys))
        })
        .collect();
    progress.finish();
    let mut names = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for result in outputs {
        let (n, ys) = result?;
        if columns.is_empty() {
            names = n;
            columns = vec![Vec::with_capacity(rows.len()); ys.len()];
        }
        for (c, y) in columns.iter_mut().zip(ys) {
            c.push(y);
        }
    }
    let resamples = bootstrap_resamples(options.samples, RESAMPLES, options.seed);
    let params = plan.slot_names();
    let mut csv = String::from(SOBOL_HEADER);
    csv.push('\n');
    for (name, y) in names.iter().zip(&columns) {
        let indices = sobol_indices(y, d, &resamples, 0.95)
            .map_err(|m| UncertaintyError::Options(format!("Sobol' indices of {name}: {m}")))?;
        for (param, i) in params.iter().zip(indices) {
            let _ = writeln!(
                csv,
                "{name},{param},{},{},{},{}",
                fixed(i.s1, 6),
                fixed(i.s1_conf, 6),
                fixed(i.st, 6),
                fixed(i.st_conf, 6)
            );
        }
    }
    let staging = Staging::new(out)?;
    let path = staging.path("sobol.csv");
    fs::write(&path, csv).map_err(|source| UncertaintyError::Io { path, source })?;
    staging.commit(out, &["sobol.csv"])
}
