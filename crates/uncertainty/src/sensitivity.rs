//! `fzc sensitivity`: which uncertain input decides each region's amount.
//!
//! The inputs are the plan's slots (an independent parameter, or a whole `group`); the
//! outputs are `ledger_net.<region>` for every region and `total_paid`. Every sample row is
//! one [`fzc_scenario::run_with_pricing`] on the scenario with the row's values put in.
//!
//! - **Sobol'** ([`Method::Sobol`]): a Saltelli sample of `N` base points
//!   ([`crate::saltelli_sample`], `N · (D + 2)` rows), first-order and total indices
//!   ([`crate::sobol_indices`]) in `sobol.csv`.
//! - **Morris** ([`Method::Morris`]): `N` one-at-a-time trajectories on a grid of `p`
//!   levels ([`crate::morris_sample`], `N · (D + 1)` rows), `mu*`, its confidence half-width
//!   and `sigma` ([`crate::morris_indices`]) in `morris.csv`. A grid value goes through the
//!   quantile functions as the centre of its level ([`crate::morris_probability`]).
//!
//! **Shards.** The sample is cut into blocks (a base point's `D + 2` rows, or a trajectory)
//! and `--shard I/K` runs a contiguous share of them ([`Shard`]); each row depends only on
//! the seed and its index. A shard writes its rows' outputs (`runs.csv`) and a manifest
//! (`sensitivity.json`); [`merge_sensitivity`] checks that the shards are of one analysis
//! and cover it exactly, then computes the indices. The unsharded run writes the same two
//! files beside the indices, so a merge is byte-identical to it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use fzc_core::{PricingScheme, Progress};
use fzc_scenario::{Scenario, fixed, run_with_pricing};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::UncertaintyError;
use crate::mc::Staging;
use crate::morris::{morris_indices, morris_probability, morris_trajectory};
use crate::params::Plan;
use crate::sample::Shard;
use crate::sobol::{MAX_INPUTS, bootstrap_resamples, saltelli_sample, sobol_indices};

/// The header of `sobol.csv`.
pub const SOBOL_HEADER: &str = "output,param,s1,s1_conf,st,st_conf";
/// The header of `morris.csv`.
pub const MORRIS_HEADER: &str = "output,param,mu_star,mu_star_conf,sigma";

/// Bootstrap resamples behind each confidence interval.
pub const RESAMPLES: usize = 100;

const FORMAT: &str = "fzc-sensitivity-1";

/// One sample row's outputs: their names and values.
type RowOutputs = (Vec<String>, Vec<f64>);

/// The method of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "name")]
pub enum Method {
    /// Sobol' first-order and total indices on a Saltelli sample.
    Sobol,
    /// Morris elementary effects on trajectories over `levels` grid levels (even, ≥ 2).
    Morris {
        /// Grid levels `p`.
        levels: usize,
    },
}

impl Method {
    /// Rows per block: `D + 2` (Sobol') or `D + 1` (Morris).
    fn block(self, d: usize) -> usize {
        match self {
            Method::Sobol => d + 2,
            Method::Morris { .. } => d + 1,
        }
    }

    /// The file of indices.
    pub fn file(self) -> &'static str {
        match self {
            Method::Sobol => "sobol.csv",
            Method::Morris { .. } => "morris.csv",
        }
    }
}

/// Options of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensitivityOptions {
    /// The method.
    pub method: Method,
    /// Base points `N` (Sobol') or trajectories `N` (Morris).
    pub samples: usize,
    /// Seed of the sample and of the bootstrap.
    pub seed: u64,
    /// The share of the sample's blocks this process runs.
    pub shard: Shard,
}

/// Options of a Sobol' analysis (the whole sample in one process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SobolOptions {
    /// Base points `N` of the Saltelli sample: `N · (D + 2)` runs for `D` inputs.
    pub samples: usize,
    /// Seed of the scrambled Sobol' sequence and of the bootstrap.
    pub seed: u64,
}

/// `sensitivity.json`: the identity of an analysis and the rows a folder holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityManifest {
    /// Format tag.
    pub format: String,
    /// The method (and Morris' levels).
    pub method: Method,
    /// The scenario's name.
    pub scenario: String,
    /// The pricing scheme's name.
    pub scheme: String,
    /// The seed.
    pub seed: u64,
    /// Base points or trajectories of the whole analysis.
    pub samples: usize,
    /// The stanzas, as text.
    pub stanzas: Vec<String>,
    /// The inputs (parameters, or `group:<name>`).
    pub inputs: Vec<String>,
    /// The outputs.
    pub outputs: Vec<String>,
    /// The first row this folder holds.
    pub first_row: usize,
    /// One past its last row.
    pub end_row: usize,
    /// Rows of the whole analysis.
    pub rows: usize,
}

/// Runs the Saltelli sample and writes `sobol.csv` (with `runs.csv` and
/// `sensitivity.json`) into `out`, staged, all or nothing.
///
/// # Errors
/// As [`run_sensitivity`].
pub fn run_sobol(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
    plan: &Plan,
    options: &SobolOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, UncertaintyError> {
    let options = SensitivityOptions {
        method: Method::Sobol,
        samples: options.samples,
        seed: options.seed,
        shard: Shard::WHOLE,
    };
    run_sensitivity(scenario, scheme, plan, &options, out, progress)
}

/// The 32-bit seed of the scrambled Sobol' sequence.
fn seed32(seed: u64) -> u32 {
    u32::try_from(seed & 0xffff_ffff).unwrap_or(0) ^ u32::try_from(seed >> 32).unwrap_or(0)
}

/// Row `row` of the Morris design, as grid values.
fn grid_row(row: usize, d: usize, levels: usize, seed: u64) -> Vec<f64> {
    let t = u64::try_from(row / (d + 1)).unwrap_or(u64::MAX);
    morris_trajectory(t, d, levels, seed).swap_remove(row % (d + 1))
}

/// Checks the options against the plan; returns the rows of the whole analysis.
fn check(method: Method, samples: usize, d: usize) -> Result<usize, UncertaintyError> {
    if d == 0 || d > MAX_INPUTS {
        return Err(UncertaintyError::Options(format!(
            "a sensitivity analysis needs 1 to {MAX_INPUTS} independent inputs (parameters or \
             groups); these stanzas give {d}"
        )));
    }
    if samples < 2 {
        return Err(UncertaintyError::Options(
            "--samples must be at least 2".to_owned(),
        ));
    }
    if let Method::Morris { levels } = method
        && (levels < 2 || !levels.is_multiple_of(2))
    {
        return Err(UncertaintyError::Options(format!(
            "--levels {levels}: Morris needs an even number of grid levels, at least 2 (4 is usual)"
        )));
    }
    samples.checked_mul(method.block(d)).ok_or_else(|| {
        UncertaintyError::Options(format!("--samples {samples} is too large for {d} inputs"))
    })
}

/// Runs the rows of `options.shard` and writes, staged (all or nothing): `runs.csv` and
/// `sensitivity.json`, plus `sobol.csv` or `morris.csv` when the run holds the whole sample.
/// Returns the files written, the indices first when there are some.
///
/// # Errors
/// [`UncertaintyError::Options`] for per-cell noise stanzas (`ect.mrio.y`, `ect.mrio.f`),
/// fewer than 2 samples, no inputs or more than
/// [`MAX_INPUTS`], odd Morris levels; a failing run's error, naming the sample row as the
/// draw; file errors.
pub fn run_sensitivity(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
    plan: &Plan,
    options: &SensitivityOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, UncertaintyError> {
    let noise = plan.noise_names();
    if !noise.is_empty() {
        return Err(UncertaintyError::Options(format!(
            "{} draw an independent factor per table cell, so they are not inputs of a \
             sensitivity analysis (each would be n·m inputs); run fzc mc for their effect, or \
             vary ect.nf.* here",
            noise.join(" and ")
        )));
    }
    if plan.is_correlated() {
        return Err(UncertaintyError::Options(
            "the stanzas have [[correlation]] blocks: Sobol' and Morris indices assume \
             independent inputs, so they would be wrong; run fzc sensitivity without them (and \
             fzc mc with them)"
                .to_owned(),
        ));
    }
    let d = plan.slots();
    let method = options.method;
    let rows = check(method, options.samples, d)?;
    let block = method.block(d);
    let blocks = options
        .shard
        .range(u64::try_from(options.samples).unwrap_or(u64::MAX));
    let first = usize::try_from(blocks.start).unwrap_or(usize::MAX) * block;
    let end = usize::try_from(blocks.end).unwrap_or(usize::MAX) * block;
    // The Saltelli rows of the shard, generated once (the sequence is built per point).
    let sobol_rows = match method {
        Method::Sobol => saltelli_sample(end / block, d, seed32(options.seed)),
        Method::Morris { .. } => Vec::new(),
    };
    progress.begin(
        "sensitivity sample runs",
        u64::try_from(end - first).unwrap_or(0),
    );
    let results: Vec<Result<RowOutputs, UncertaintyError>> = (first..end)
        .into_par_iter()
        .map(|row| {
            let draw = u64::try_from(row).unwrap_or(u64::MAX);
            let u = match method {
                Method::Sobol => sobol_rows[row].clone(),
                Method::Morris { levels } => grid_row(row, d, levels, options.seed)
                    .iter()
                    .map(|&g| morris_probability(g, levels))
                    .collect(),
            };
            let values = plan.values(draw, &u)?;
            let run_error = |source| UncertaintyError::Run {
                draw,
                source: Box::new(source),
            };
            let drawn = plan.apply(scenario, &values).map_err(run_error)?;
            let outcome = run_with_pricing(&drawn, scheme).map_err(run_error)?;
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
    let mut outputs = Vec::new();
    let mut table: Vec<Vec<f64>> = Vec::with_capacity(end - first);
    for result in results {
        let (names, ys) = result?;
        if outputs.is_empty() {
            outputs = names;
        }
        table.push(ys);
    }
    if outputs.is_empty() {
        // An empty shard: the outputs are the scenario's regions, as every run names them.
        outputs = scenario
            .regions
            .iter()
            .map(|r| format!("ledger_net.{r}"))
            .chain(std::iter::once("total_paid".to_owned()))
            .collect();
    }
    let manifest = SensitivityManifest {
        format: FORMAT.to_owned(),
        method,
        scenario: scenario.name.clone(),
        scheme: scheme.name().to_owned(),
        seed: options.seed,
        samples: options.samples,
        stanzas: plan.spec().describe(),
        inputs: plan.slot_names(),
        outputs,
        first_row: first,
        end_row: end,
        rows,
    };
    write(&manifest, &table, out)
}

/// Writes `runs.csv`, `sensitivity.json` and, for the whole sample, the indices.
fn write(
    manifest: &SensitivityManifest,
    table: &[Vec<f64>],
    out: &Path,
) -> Result<Vec<PathBuf>, UncertaintyError> {
    let staging = Staging::new(out)?;
    let mut files: Vec<&str> = Vec::new();
    if manifest.first_row == 0 && manifest.end_row == manifest.rows {
        let text = indices_csv(manifest, table)?;
        let path = staging.path(manifest.method.file());
        fs::write(&path, text).map_err(|source| UncertaintyError::Io { path, source })?;
        files.push(manifest.method.file());
    }
    let mut runs = String::from("row");
    for name in &manifest.outputs {
        let _ = write!(runs, ",{name}");
    }
    runs.push('\n');
    for (k, ys) in table.iter().enumerate() {
        let _ = write!(runs, "{}", manifest.first_row + k);
        for y in ys {
            // Shortest text that reads back to the same f64: a merge recomputes the indices
            // from exactly these numbers.
            let text = format!("{y}");
            let _ = write!(runs, ",{}", if text == "-0" { "0" } else { &text });
        }
        runs.push('\n');
    }
    let path = staging.path("runs.csv");
    fs::write(&path, runs).map_err(|source| UncertaintyError::Io { path, source })?;
    let mut json = serde_json::to_string_pretty(manifest).map_err(|e| UncertaintyError::Io {
        path: staging.path("sensitivity.json"),
        source: std::io::Error::other(e),
    })?;
    json.push('\n');
    let path = staging.path("sensitivity.json");
    fs::write(&path, json).map_err(|source| UncertaintyError::Io { path, source })?;
    files.extend(["runs.csv", "sensitivity.json"]);
    staging.commit(out, &files)
}

/// The indices of every output, as `sobol.csv` or `morris.csv` text.
fn indices_csv(
    manifest: &SensitivityManifest,
    table: &[Vec<f64>],
) -> Result<String, UncertaintyError> {
    let d = manifest.inputs.len();
    let resamples = bootstrap_resamples(manifest.samples, RESAMPLES, manifest.seed);
    let mut csv = String::new();
    let column = |c: usize| table.iter().map(|ys| ys[c]).collect::<Vec<f64>>();
    match manifest.method {
        Method::Sobol => {
            csv.push_str(SOBOL_HEADER);
            csv.push('\n');
            for (c, name) in manifest.outputs.iter().enumerate() {
                let indices = sobol_indices(&column(c), d, &resamples, 0.95).map_err(|m| {
                    UncertaintyError::Options(format!("Sobol' indices of {name}: {m}"))
                })?;
                for (param, i) in manifest.inputs.iter().zip(indices) {
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
        }
        Method::Morris { levels } => {
            csv.push_str(MORRIS_HEADER);
            csv.push('\n');
            let x: Vec<Vec<f64>> = (0..manifest.rows)
                .map(|row| grid_row(row, d, levels, manifest.seed))
                .collect();
            for (c, name) in manifest.outputs.iter().enumerate() {
                let indices =
                    morris_indices(&x, &column(c), d, levels, &resamples, 0.95).map_err(|m| {
                        UncertaintyError::Options(format!("Morris indices of {name}: {m}"))
                    })?;
                for (param, i) in manifest.inputs.iter().zip(indices) {
                    // Amounts in yuan per unit of the grid: 2 decimals, as the ledger.
                    let _ = writeln!(
                        csv,
                        "{name},{param},{},{},{}",
                        fixed(i.mu_star, 2),
                        fixed(i.mu_star_conf, 2),
                        fixed(i.sigma, 2)
                    );
                }
            }
        }
    }
    Ok(csv)
}

/// Merges the folders of shards of one sensitivity analysis into `out`: the files are
/// byte-identical to those of the analysis run as one process.
///
/// # Errors
/// [`UncertaintyError::Merge`] naming the folder and file when a shard is of another
/// analysis, when shards overlap or leave rows out, or a file is malformed; file errors.
pub fn merge_sensitivity(shards: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, UncertaintyError> {
    if shards.is_empty() {
        return Err(UncertaintyError::Options(
            "fzc sensitivity merge needs at least one shard folder".to_owned(),
        ));
    }
    let mut parts = Vec::with_capacity(shards.len());
    for dir in shards {
        let path = dir.join("sensitivity.json");
        let text = fs::read_to_string(&path).map_err(|source| UncertaintyError::Io {
            path: path.clone(),
            source,
        })?;
        let m: SensitivityManifest =
            serde_json::from_str(&text).map_err(|e| UncertaintyError::Merge {
                path: path.clone(),
                message: format!("not an fzc sensitivity manifest: {e}"),
            })?;
        if m.format != FORMAT {
            return Err(UncertaintyError::Merge {
                path,
                message: format!("format {:?}, expected {FORMAT:?}", m.format),
            });
        }
        parts.push((dir.clone(), m));
    }
    parts.sort_by_key(|(_, m)| m.first_row);
    let first = parts[0].1.clone();
    let mut next = 0;
    let mut table: Vec<Vec<f64>> = Vec::with_capacity(first.rows);
    for (dir, m) in &parts {
        let path = dir.join("sensitivity.json");
        let same = m.method == first.method
            && m.scenario == first.scenario
            && m.scheme == first.scheme
            && m.seed == first.seed
            && m.samples == first.samples
            && m.stanzas == first.stanzas
            && m.inputs == first.inputs
            && m.outputs == first.outputs
            && m.rows == first.rows;
        if !same {
            return Err(UncertaintyError::Merge {
                path,
                message: format!(
                    "not a shard of the same analysis as {}: method, scenario, scheme, seed, \
                     samples and stanzas must all be equal",
                    parts[0].0.join("sensitivity.json").display()
                ),
            });
        }
        if m.first_row != next {
            let message = if m.first_row < next {
                format!(
                    "rows {}..{} overlap a shard already given",
                    m.first_row, m.end_row
                )
            } else {
                format!("rows {next}..{} are in no shard given", m.first_row)
            };
            return Err(UncertaintyError::Merge { path, message });
        }
        next = m.end_row;
        read_runs(&dir.join("runs.csv"), m, &mut table)?;
    }
    if next != first.rows {
        return Err(UncertaintyError::Merge {
            path: parts[parts.len() - 1].0.join("sensitivity.json"),
            message: format!("rows {next}..{} are in no shard given", first.rows),
        });
    }
    let whole = SensitivityManifest {
        first_row: 0,
        end_row: first.rows,
        ..first
    };
    write(&whole, &table, out)
}

/// Appends the rows of a shard's `runs.csv` to `table`, checking them against its manifest.
fn read_runs(
    path: &Path,
    m: &SensitivityManifest,
    table: &mut Vec<Vec<f64>>,
) -> Result<(), UncertaintyError> {
    let text = fs::read_to_string(path).map_err(|source| UncertaintyError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |line: usize, message: String| UncertaintyError::Merge {
        path: path.to_owned(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.lines();
    let header = format!("row,{}", m.outputs.join(","));
    if lines.next() != Some(header.as_str()) {
        return Err(bad(1, format!("expected the header {header:?}")));
    }
    let mut expected = m.first_row;
    for (k, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != m.outputs.len() + 1 || fields[0] != expected.to_string() {
            return Err(bad(
                k + 2,
                format!(
                    "expected row {expected} and {} values, found {line:?}",
                    m.outputs.len()
                ),
            ));
        }
        let mut ys = Vec::with_capacity(m.outputs.len());
        for v in &fields[1..] {
            match v.parse::<f64>() {
                Ok(y) if y.is_finite() => ys.push(y),
                _ => return Err(bad(k + 2, format!("{v:?} is not a finite number"))),
            }
        }
        table.push(ys);
        expected += 1;
    }
    if expected != m.end_row {
        return Err(bad(
            m.end_row - m.first_row + 2,
            format!("rows {expected}..{} are missing", m.end_row),
        ));
    }
    Ok(())
}
