//! The Monte Carlo run, its files, and the merge of shards.
//!
//! Files (format: `docs/formats/uncertainty.md`):
//! - `draws.csv`: `draw,region,zone,ledger_net,ect_net,cssf_net,standard`, one row per draw
//!   and region (regions sorted by id), yuan with 2 decimals, the standard in yuan/t with 4;
//! - `params.csv`: `draw,param,value`, one row per draw and concrete parameter;
//! - `summary.csv`: `region,p_payer,mean,sd,p05,p50,p95` over the draws of `ledger_net`;
//! - `mc.json`: what was run (scenario, seed, draws, shard, stanzas), checked by the merge.
//!
//! Draws are computed in blocks on every core and written in draw order, so the files do
//! not depend on the thread count. The summary is computed from the values as written, so a
//! merge of shards, which only sees the files, reproduces it byte for byte.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use fzc_core::{Layer, PricingScheme, Progress};
use fzc_io::{IoError, ParquetColumn, ParquetKind, ParquetTableWriter};
use fzc_scenario::{Scenario, fixed, run_with_pricing};
use fzc_zoning::Zone;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::UncertaintyError;
use crate::params::Plan;
use crate::sample::{Shard, uniforms};

/// The header of `draws.csv`.
pub const DRAWS_HEADER: &str = "draw,region,zone,ledger_net,ect_net,cssf_net,standard";
/// The header of `params.csv`.
pub const PARAMS_HEADER: &str = "draw,param,value";
/// The header of `summary.csv`.
pub const SUMMARY_HEADER: &str = "region,p_payer,mean,sd,p05,p50,p95";

/// Draws computed between two writes (bounds memory; does not change any output).
const BLOCK: u64 = 256;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct McOptions {
    /// The number of draws of the whole analysis (all shards).
    pub draws: u64,
    /// The seed: draw `d` depends only on `(seed, d)`.
    pub seed: u64,
    /// The share of the draws this process runs.
    pub shard: Shard,
}

/// `mc.json`: the identity of an analysis and the draws a folder holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McManifest {
    /// Format tag.
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// The pricing scheme's name.
    pub scheme: String,
    /// The seed.
    pub seed: u64,
    /// The number of draws of the whole analysis.
    pub draws: u64,
    /// The first draw in this folder.
    pub first_draw: u64,
    /// One past the last draw in this folder.
    pub end_draw: u64,
    /// The stanzas, one line each.
    pub stanzas: Vec<String>,
    /// The concrete parameters, as in `params.csv`.
    pub parameters: Vec<String>,
}

const FORMAT: &str = "fzc-mc 1";

/// The files of an `fzc mc` folder.
const FILES: [&str; 6] = [
    "draws.csv",
    "draws.parquet",
    "params.csv",
    "params.parquet",
    "summary.csv",
    "mc.json",
];

/// One region of one draw, as written.
struct RegionDraw {
    region: String,
    zone: &'static str,
    ledger_net: String,
    ect_net: String,
    cssf_net: String,
    standard: String,
}

struct DrawResult {
    values: Vec<f64>,
    regions: Vec<RegionDraw>,
}

fn zone_name(zone: Zone) -> &'static str {
    match zone {
        Zone::Payer => "payer",
        Zone::Recipient => "recipient",
        Zone::None => "none",
    }
}

fn one_draw(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
    plan: &Plan,
    seed: u64,
    draw: u64,
) -> Result<DrawResult, UncertaintyError> {
    let u = uniforms(seed, draw, plan.slots());
    let mut values = plan.values(draw, &u)?;
    let (drawn, noise) = plan.apply_draw(scenario, &values, seed, draw)?;
    // params.csv: the parameters, then the mean factor of each noise stanza.
    values.extend(noise);
    let outcome = run_with_pricing(&drawn, scheme).map_err(|source| UncertaintyError::Run {
        draw,
        source: Box::new(source),
    })?;
    let layer_net = |layer: Layer, region: &fzc_core::RegionId| {
        outcome
            .ledger
            .layer_totals(layer)
            .iter()
            .find(|t| &t.region == region)
            .map_or(0.0, |t| t.paid.0 - t.received.0)
    };
    let mut regions = Vec::with_capacity(outcome.ledger.accounts().len());
    for a in outcome.ledger.accounts() {
        let values = [
            ("ledger_net", a.net.0),
            ("ect_net", layer_net(Layer::Ect, &a.region)),
            ("cssf_net", layer_net(Layer::Cssf, &a.region)),
            ("standard", a.standard.0),
        ];
        if let Some((column, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
            return Err(UncertaintyError::Run {
                draw,
                source: Box::new(fzc_scenario::ScenarioError::Unsupported {
                    what: format!("{column} of {} is {v} (not finite)", a.region),
                    hint: "check the drawn parameters in params.csv for this draw",
                }),
            });
        }
        regions.push(RegionDraw {
            region: a.region.to_string(),
            zone: zone_name(a.ledger_zone),
            ledger_net: fixed(values[0].1, 2),
            ect_net: fixed(values[1].1, 2),
            cssf_net: fixed(values[2].1, 2),
            standard: fixed(values[3].1, 4),
        });
    }
    Ok(DrawResult { values, regions })
}

/// The Parquet copies of `draws.csv` and `params.csv`, written in row groups of [`BLOCK`]
/// draws counted from draw 0, from the values as written in the CSVs: a streamed run and a
/// merge of its shards, which sees only the CSVs, give the same bytes.
struct ParquetCopies {
    draws: ParquetTableWriter,
    params: ParquetTableWriter,
    /// The block (draw / [`BLOCK`]) of the rows held for each table.
    blocks: (Option<u64>, Option<u64>),
    d: (Vec<i64>, Vec<String>, Vec<String>, [Vec<f64>; 4]),
    p: (Vec<i64>, Vec<String>, Vec<f64>),
}

fn draw_number(text: &str) -> Result<(u64, i64), UncertaintyError> {
    let draw: u64 = text
        .parse()
        .map_err(|_| UncertaintyError::Options(format!("draw {text:?} is not a draw number")))?;
    let signed = i64::try_from(draw)
        .map_err(|_| UncertaintyError::Options(format!("draw {draw} is too large")))?;
    Ok((draw, signed))
}

impl ParquetCopies {
    fn create(draws: &Path, params: &Path) -> Result<ParquetCopies, UncertaintyError> {
        use ParquetKind::{Double, Int64, Utf8};
        let draws = ParquetTableWriter::create(
            draws,
            &[
                ("draw", Int64),
                ("region", Utf8),
                ("zone", Utf8),
                ("ledger_net", Double),
                ("ect_net", Double),
                ("cssf_net", Double),
                ("standard", Double),
            ],
        )?;
        let params = ParquetTableWriter::create(
            params,
            &[("draw", Int64), ("param", Utf8), ("value", Double)],
        )?;
        Ok(ParquetCopies {
            draws,
            params,
            blocks: (None, None),
            d: Default::default(),
            p: Default::default(),
        })
    }

    /// One `draws.csv` row, as its seven fields.
    fn draw_row(&mut self, fields: &[&str]) -> Result<(), UncertaintyError> {
        let (draw, signed) = draw_number(fields[0])?;
        if self.blocks.0.is_some_and(|b| b != draw / BLOCK) {
            self.flush_draws()?;
        }
        self.blocks.0 = Some(draw / BLOCK);
        self.d.0.push(signed);
        self.d.1.push(fields[1].to_owned());
        self.d.2.push(fields[2].to_owned());
        for (k, column) in self.d.3.iter_mut().enumerate() {
            column.push(fields[3 + k].parse().unwrap_or(f64::NAN));
        }
        Ok(())
    }

    /// One `params.csv` row, as its three fields.
    fn param_row(&mut self, fields: &[&str]) -> Result<(), UncertaintyError> {
        let (draw, signed) = draw_number(fields[0])?;
        if self.blocks.1.is_some_and(|b| b != draw / BLOCK) {
            self.flush_params()?;
        }
        self.blocks.1 = Some(draw / BLOCK);
        self.p.0.push(signed);
        self.p.1.push(fields[1].to_owned());
        self.p.2.push(fields[2].parse().unwrap_or(f64::NAN));
        Ok(())
    }

    fn flush_draws(&mut self) -> Result<(), UncertaintyError> {
        let (draw, region, zone, values) = std::mem::take(&mut self.d);
        if !draw.is_empty() {
            let [ledger, ect, cssf, standard] = values;
            self.draws.write_row_group(&[
                ParquetColumn::Int64(draw),
                ParquetColumn::Utf8(region),
                ParquetColumn::Utf8(zone),
                ParquetColumn::Double(ledger),
                ParquetColumn::Double(ect),
                ParquetColumn::Double(cssf),
                ParquetColumn::Double(standard),
            ])?;
        }
        Ok(())
    }

    fn flush_params(&mut self) -> Result<(), UncertaintyError> {
        let (draw, param, value) = std::mem::take(&mut self.p);
        if !draw.is_empty() {
            self.params.write_row_group(&[
                ParquetColumn::Int64(draw),
                ParquetColumn::Utf8(param),
                ParquetColumn::Double(value),
            ])?;
        }
        Ok(())
    }

    fn close(mut self) -> Result<(), UncertaintyError> {
        self.flush_draws()?;
        self.flush_params()?;
        self.draws.close()?;
        self.params.close()?;
        Ok(())
    }
}

/// Per-region accumulation of `ledger_net` for `summary.csv`.
#[derive(Default)]
struct Summary {
    /// Region ids in first-seen order, with their values and payer counts.
    regions: Vec<(String, Vec<f64>, u64)>,
}

impl Summary {
    fn add(&mut self, position: usize, region: &str, ledger_net: f64, payer: bool) {
        if self.regions.len() <= position {
            self.regions.push((region.to_owned(), Vec::new(), 0));
        }
        let entry = &mut self.regions[position];
        entry.1.push(ledger_net);
        entry.2 += u64::from(payer);
    }

    fn csv(&self) -> String {
        let mut out = String::from(SUMMARY_HEADER);
        out.push('\n');
        let mut sorted: Vec<&(String, Vec<f64>, u64)> = self.regions.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (region, values, payers) in sorted {
            let stats = Stats::of(values);
            #[allow(clippy::cast_precision_loss)] // draw counts
            let p_payer = if values.is_empty() {
                0.0
            } else {
                *payers as f64 / values.len() as f64
            };
            let _ = writeln!(
                out,
                "{region},{},{},{},{},{},{}",
                fixed(p_payer, 6),
                fixed(stats.mean, 2),
                fixed(stats.sd, 2),
                fixed(stats.p05, 2),
                fixed(stats.p50, 2),
                fixed(stats.p95, 2)
            );
        }
        out
    }
}

/// Mean, sample standard deviation and quantiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (`n − 1` in the denominator; 0 for one value).
    pub sd: f64,
    /// The 5 % quantile.
    pub p05: f64,
    /// The median.
    pub p50: f64,
    /// The 95 % quantile.
    pub p95: f64,
}

impl Stats {
    /// The statistics of `values` (in the order given: the sums are taken in that order).
    /// Quantiles interpolate linearly between order statistics (numpy's default, "type 7").
    /// An empty sample gives zeros.
    pub fn of(values: &[f64]) -> Stats {
        if values.is_empty() {
            return Stats {
                mean: 0.0,
                sd: 0.0,
                p05: 0.0,
                p50: 0.0,
                p95: 0.0,
            };
        }
        #[allow(clippy::cast_precision_loss)] // sample sizes
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Stats {
            mean,
            sd,
            p05: quantile(&sorted, 0.05),
            p50: quantile(&sorted, 0.5),
            p95: quantile(&sorted, 0.95),
        }
    }
}

/// The `q` quantile of sorted values, linear between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // sample sizes
    let h = (sorted.len() - 1) as f64 * q;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 <= h < len
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// A folder next to `out` where the output set is written before it is moved into place.
pub(crate) struct Staging {
    dir: PathBuf,
    done: bool,
}

impl Staging {
    pub(crate) fn new(out: &Path) -> Result<Staging, UncertaintyError> {
        let name = out
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        let parent = parent.unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|source| UncertaintyError::Io {
            path: parent.to_owned(),
            source,
        })?;
        let dir = parent.join(format!(".{name}.fzc-staging-{}", std::process::id()));
        if dir.exists() {
            let _ = fs::remove_dir_all(&dir);
        }
        fs::create_dir(&dir).map_err(|source| UncertaintyError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Staging { dir, done: false })
    }

    pub(crate) fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Moves every staged file into `out` (each by an atomic rename) and removes the
    /// staging folder.
    pub(crate) fn commit(
        mut self,
        out: &Path,
        files: &[&str],
    ) -> Result<Vec<PathBuf>, UncertaintyError> {
        fs::create_dir_all(out).map_err(|source| UncertaintyError::Io {
            path: out.to_owned(),
            source,
        })?;
        let mut written = Vec::new();
        for file in files {
            let to = out.join(file);
            fs::rename(self.path(file), &to).map_err(|source| UncertaintyError::Io {
                path: to.clone(),
                source,
            })?;
            written.push(to);
        }
        self.done = true;
        let _ = fs::remove_dir_all(&self.dir);
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> UncertaintyError + '_ {
    move |source| UncertaintyError::Io {
        path: path.to_owned(),
        source,
    }
}

fn create(path: &Path) -> Result<BufWriter<fs::File>, UncertaintyError> {
    Ok(BufWriter::new(
        fs::File::create(path).map_err(io_error(path))?,
    ))
}

/// Runs the draws of `options.shard` and writes `draws.csv`, `params.csv`, `summary.csv`
/// and `mc.json` into `out`, all or nothing: the files are written into a staging folder
/// next to `out` and moved in only when every draw succeeded. Returns the files written.
///
/// # Errors
/// [`UncertaintyError::Options`] for zero draws; the first failing draw's error, in draw
/// order ([`UncertaintyError::InvalidDraw`], [`UncertaintyError::Run`]); file errors.
pub fn run_mc(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
    plan: &Plan,
    options: &McOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, UncertaintyError> {
    if options.draws == 0 {
        return Err(UncertaintyError::Options(
            "--draws must be at least 1".to_owned(),
        ));
    }
    let range = options.shard.range(options.draws);
    let staging = Staging::new(out)?;
    let (draws_path, params_path) = (staging.path("draws.csv"), staging.path("params.csv"));
    let mut draws_file = create(&draws_path)?;
    let mut params_file = create(&params_path)?;
    writeln!(draws_file, "{DRAWS_HEADER}").map_err(io_error(&draws_path))?;
    writeln!(params_file, "{PARAMS_HEADER}").map_err(io_error(&params_path))?;
    let mut summary = Summary::default();
    let mut parquet = ParquetCopies::create(
        &staging.path("draws.parquet"),
        &staging.path("params.parquet"),
    )?;

    progress.begin("monte carlo draws", range.end - range.start);
    // The draws of a block are computed on the rayon pool while a writer thread writes the
    // previous block, in draw order: writing (CSV text, Parquet encoding, the summary) is
    // serial, and done after each block it would leave a core idle for a quarter of the run.
    // The channel holds one block, so memory stays bounded by two blocks.
    type Block = (u64, Vec<Result<DrawResult, UncertaintyError>>);
    let (blocks, received) = std::sync::mpsc::sync_channel::<Block>(1);
    let names = param_names(plan);
    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(|| -> Result<(), UncertaintyError> {
            for (first, results) in received {
                let count = results.len() as u64;
                for (d, result) in (first..).zip(results) {
                    write_draw(
                        d,
                        &result?,
                        &names,
                        &mut draws_file,
                        &mut params_file,
                        &mut summary,
                        &mut parquet,
                    )?;
                }
                progress.advance(count);
            }
            Ok(())
        });
        let mut start = range.start;
        while start < range.end {
            let end = (start + BLOCK).min(range.end);
            let results: Vec<Result<DrawResult, UncertaintyError>> = (start..end)
                .into_par_iter()
                .map(|d| one_draw(scenario, scheme, plan, options.seed, d))
                .collect();
            let failed = results.iter().any(Result::is_err);
            // A closed channel means the writer stopped on an error: it is returned below.
            if blocks.send((start, results)).is_err() || failed {
                break;
            }
            start = end;
        }
        drop(blocks);
        writer.join()
    });
    let written = match written {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    if let Err(e) = written {
        progress.finish();
        return Err(e);
    }
    progress.finish();
    draws_file
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(io_error(&draws_path))?;
    params_file
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(io_error(&params_path))?;
    parquet.close()?;

    let summary_path = staging.path("summary.csv");
    fs::write(&summary_path, summary.csv()).map_err(io_error(&summary_path))?;
    let manifest = McManifest {
        format: FORMAT.to_owned(),
        scenario: scenario.name.clone(),
        scheme: scheme.name().to_owned(),
        seed: options.seed,
        draws: options.draws,
        first_draw: range.start,
        end_draw: range.end,
        stanzas: plan.spec().describe(),
        parameters: names,
    };
    write_manifest(&staging.path("mc.json"), &manifest)?;
    staging.commit(out, &FILES)
}

fn write_manifest(path: &Path, manifest: &McManifest) -> Result<(), UncertaintyError> {
    let mut text = serde_json::to_string_pretty(manifest).map_err(|e| UncertaintyError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    })?;
    text.push('\n');
    fs::write(path, text).map_err(io_error(path))
}

#[allow(clippy::too_many_arguments)] // the five sinks of one draw
fn write_draw(
    draw: u64,
    result: &DrawResult,
    names: &[String],
    draws: &mut impl Write,
    params: &mut impl Write,
    summary: &mut Summary,
    parquet: &mut ParquetCopies,
) -> Result<(), UncertaintyError> {
    let os = |e: std::io::Error| UncertaintyError::from(IoError::os(Path::new("draws.csv"), e));
    let text = draw.to_string();
    for (position, r) in result.regions.iter().enumerate() {
        writeln!(
            draws,
            "{draw},{},{},{},{},{},{}",
            r.region, r.zone, r.ledger_net, r.ect_net, r.cssf_net, r.standard
        )
        .map_err(os)?;
        // The summary and the Parquet copy see the values as written (see the module doc).
        let value: f64 = r.ledger_net.parse().unwrap_or(f64::NAN);
        summary.add(position, &r.region, value, r.zone == "payer");
        parquet.draw_row(&[
            &text,
            &r.region,
            r.zone,
            &r.ledger_net,
            &r.ect_net,
            &r.cssf_net,
            &r.standard,
        ])?;
    }
    for (name, v) in names.iter().zip(&result.values) {
        let value = format_value(*v);
        writeln!(params, "{draw},{name},{value}").map_err(os)?;
        parquet.param_row(&[&text, name, &value])?;
    }
    Ok(())
}

/// The names of `params.csv`'s rows of one draw: the concrete parameters, then the noise
/// stanzas (whose value is the mean of the draw's factors).
fn param_names(plan: &Plan) -> Vec<String> {
    plan.parameters()
        .iter()
        .map(|p| p.name.clone())
        .chain(plan.noise_names())
        .collect()
}

/// A parameter value: shortest text that reads back to the same f64.
fn format_value(v: f64) -> String {
    let text = format!("{v}");
    if text == "-0" { "0".to_owned() } else { text }
}

/// Merges the folders of shards of one analysis into `out`: the files are byte-identical to
/// those of the same analysis run as one process.
///
/// # Errors
/// [`UncertaintyError::Merge`] naming the folder and file when a shard is of another
/// analysis (scenario, scheme, seed, draws, stanzas), when shards overlap or leave draws
/// out, or a file is malformed; file errors.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, UncertaintyError> {
    if shards.is_empty() {
        return Err(UncertaintyError::Options(
            "fzc mc merge needs at least one shard folder".to_owned(),
        ));
    }
    let mut manifests = Vec::with_capacity(shards.len());
    for dir in shards {
        let path = dir.join("mc.json");
        let text = fs::read_to_string(&path).map_err(io_error(&path))?;
        let m: McManifest = serde_json::from_str(&text).map_err(|e| UncertaintyError::Merge {
            path: path.clone(),
            message: format!("not an fzc mc manifest: {e}"),
        })?;
        if m.format != FORMAT {
            return Err(UncertaintyError::Merge {
                path,
                message: format!("format {:?}, expected {FORMAT:?}", m.format),
            });
        }
        manifests.push((dir.clone(), m));
    }
    manifests.sort_by_key(|(_, m)| m.first_draw);
    let first = manifests[0].1.clone();
    let mut next = 0;
    for (dir, m) in &manifests {
        let path = dir.join("mc.json");
        let same = m.scenario == first.scenario
            && m.scheme == first.scheme
            && m.seed == first.seed
            && m.draws == first.draws
            && m.stanzas == first.stanzas
            && m.parameters == first.parameters;
        if !same {
            return Err(UncertaintyError::Merge {
                path,
                message: format!(
                    "not a shard of the same analysis as {}: scenario, scheme, seed, draws and \
                     stanzas must all be equal",
                    manifests[0].0.join("mc.json").display()
                ),
            });
        }
        if m.first_draw != next {
            let message = if m.first_draw < next {
                format!(
                    "draws {}..{} overlap a shard already given",
                    m.first_draw, m.end_draw
                )
            } else {
                format!("draws {next}..{} are in no shard given", m.first_draw)
            };
            return Err(UncertaintyError::Merge { path, message });
        }
        next = m.end_draw;
    }
    if next != first.draws {
        return Err(UncertaintyError::Merge {
            path: manifests[manifests.len() - 1].0.join("mc.json"),
            message: format!("draws {next}..{} are in no shard given", first.draws),
        });
    }

    let staging = Staging::new(out)?;
    let (draws_path, params_path) = (staging.path("draws.csv"), staging.path("params.csv"));
    let mut draws_out = create(&draws_path)?;
    let mut params_out = create(&params_path)?;
    writeln!(draws_out, "{DRAWS_HEADER}").map_err(io_error(&draws_path))?;
    writeln!(params_out, "{PARAMS_HEADER}").map_err(io_error(&params_path))?;
    let mut summary = Summary::default();
    let mut parquet = ParquetCopies::create(
        &staging.path("draws.parquet"),
        &staging.path("params.parquet"),
    )?;
    for (dir, m) in &manifests {
        let path = dir.join("draws.csv");
        let mut position = 0;
        let mut last_draw = None;
        copy_body(&path, DRAWS_HEADER, &mut draws_out, |line, line_no| {
            let fields: Vec<&str> = line.split(',').collect();
            let malformed = || UncertaintyError::Merge {
                path: path.clone(),
                message: format!(
                    "line {line_no}: expected 7 fields ({DRAWS_HEADER}), got {line:?}"
                ),
            };
            if fields.len() != 7 {
                return Err(malformed());
            }
            let draw: u64 = fields[0].parse().map_err(|_| malformed())?;
            if !(m.first_draw..m.end_draw).contains(&draw) {
                return Err(UncertaintyError::Merge {
                    path: path.clone(),
                    message: format!(
                        "line {line_no}: draw {draw} is outside this shard's {}..{}",
                        m.first_draw, m.end_draw
                    ),
                });
            }
            if last_draw != Some(draw) {
                position = 0;
                last_draw = Some(draw);
            }
            let value: f64 = fields[3].parse().map_err(|_| malformed())?;
            summary.add(position, fields[1], value, fields[2] == "payer");
            position += 1;
            parquet.draw_row(&fields)
        })?;
        let params_path = dir.join("params.csv");
        copy_body(
            &params_path,
            PARAMS_HEADER,
            &mut params_out,
            |line, line_no| {
                let fields: Vec<&str> = line.splitn(3, ',').collect();
                if fields.len() != 3 || fields[0].parse::<u64>().is_err() {
                    return Err(UncertaintyError::Merge {
                        path: params_path.clone(),
                        message: format!("line {line_no}: expected {PARAMS_HEADER}, got {line:?}"),
                    });
                }
                parquet.param_row(&fields)
            },
        )?;
    }
    draws_out.flush().map_err(io_error(&draws_path))?;
    params_out.flush().map_err(io_error(&params_path))?;
    drop(draws_out);
    drop(params_out);
    parquet.close()?;
    let summary_path = staging.path("summary.csv");
    fs::write(&summary_path, summary.csv()).map_err(io_error(&summary_path))?;
    let manifest = McManifest {
        first_draw: 0,
        end_draw: first.draws,
        ..first
    };
    write_manifest(&staging.path("mc.json"), &manifest)?;
    staging.commit(out, &FILES)
}

/// Copies every line after the header of `path` to `out`, checking the header and calling
/// `check` on each line (with its 1-based line number).
fn copy_body(
    path: &Path,
    header: &str,
    out: &mut impl Write,
    mut check: impl FnMut(&str, usize) -> Result<(), UncertaintyError>,
) -> Result<(), UncertaintyError> {
    let file = fs::File::open(path).map_err(io_error(path))?;
    let mut lines = BufReader::new(file).lines();
    match lines.next() {
        Some(Ok(first)) if first == header => {}
        Some(Ok(first)) => {
            return Err(UncertaintyError::Merge {
                path: path.to_owned(),
                message: format!("header {first:?}, expected {header:?}"),
            });
        }
        Some(Err(source)) => return Err(io_error(path)(source)),
        None => {
            return Err(UncertaintyError::Merge {
                path: path.to_owned(),
                message: "empty file".to_owned(),
            });
        }
    }
    for (i, line) in lines.enumerate() {
        let line = line.map_err(io_error(path))?;
        check(&line, i + 2)?;
        writeln!(out, "{line}").map_err(io_error(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let s = Stats::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.p50, 3.0);
        assert!((s.p05 - 1.2).abs() < 1e-12);
        assert!((s.p95 - 4.8).abs() < 1e-12);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(Stats::of(&[7.0]).sd, 0.0);
    }
}
