//! CSSF flow benchmark: fzc's breakpoint model (Eq 13–16) against a shapely + pyproj
//! implementation of the same rule (`reference/cssf_flows_shapely.py`), on the same 313
//! synthetic regions, in the same run, in two cases: `reach-rare` (default options over a
//! China-sized extent: few flow circles reach their input region) and `reach-common` (every
//! circle reaches it, so every pair pays for the circle and the overlay).
//!
//! ```text
//! FZC_BENCH_PYTHON=/path/to/python cargo bench -p fzc-benches --bench cssf_flows
//! ```
//!
//! Each side runs in its own child process, which reports its fastest repetition (the whole
//! run: polygons, cores, every output–input pair; not the file reading) and its peak resident
//! memory (`VmHWM` for Rust, `ru_maxrss` for Python). The agreement column compares every
//! pair's transfer: `max |V_fzc − V_ref| / max |V_ref|`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fzc_benches::synthetic_regions::{NORTH_CHINA, synthetic_regions, synthetic_regions_in};
use fzc_core::{FlowRegion, TonnesCo2};
use fzc_cssf_flow::{BreakpointModel, Mass};

use fzc_benches::measure::{self, BenchResult, load_average, vm_hwm_kib};

const REGIONS: usize = 313;
const SEED: u64 = 2025;

/// One benchmark case: the regions and the model options both sides run.
#[derive(Clone, Copy)]
enum Case {
    /// China-sized extent, default options (`mass = demand`): few circles reach their input
    /// region, so fzc's reach pre-check skips most pairs.
    ReachRare,
    /// Province-sized extent, input regions with no supply and `mass = supply`: every range
    /// equals the core distance (Eq 14 with `N_r = 0`), so every circle passes through the
    /// input core and each pair pays for the circle, the overlay and the area.
    ReachCommon,
}

impl Case {
    const ALL: [Case; 2] = [Case::ReachRare, Case::ReachCommon];

    fn name(self) -> &'static str {
        match self {
            Case::ReachRare => "reach-rare",
            Case::ReachCommon => "reach-common",
        }
    }

    fn parse(name: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The `mass` option, spelled as the reference takes it.
    fn mass(self) -> Mass {
        match self {
            Case::ReachRare => Mass::Demand,
            Case::ReachCommon => Mass::Supply,
        }
    }

    fn regions(self) -> Vec<FlowRegion> {
        match self {
            Case::ReachRare => synthetic_regions(REGIONS, SEED),
            Case::ReachCommon => {
                let mut regions = synthetic_regions_in(REGIONS, SEED, NORTH_CHINA);
                for r in &mut regions {
                    if r.supply.0 < r.demand.0 {
                        r.supply = TonnesCo2(0.0);
                    }
                }
                regions
            }
        }
    }
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let usage = "--child CASE DIR REPS";
        let case = Case::parse(args.get(2).ok_or(usage)?).ok_or(usage)?;
        let dir = PathBuf::from(args.get(3).ok_or(usage)?);
        let reps: usize = args.get(4).ok_or(usage)?.parse()?;
        return child(case, &dir, reps);
    }
    let reps: usize = std::env::var("FZC_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let python = std::env::var("FZC_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/cssf_flows_shapely.py");
    let root = std::env::temp_dir().join(format!("fzc-bench-cssf-{}", std::process::id()));
    let load_before = load_average();
    let mut table = String::new();
    let mut notes = String::new();
    for case in Case::ALL {
        let dir = root.join(case.name());
        std::fs::create_dir_all(&dir)?;
        let mut text = String::new();
        for r in &case.regions() {
            write!(text, "{} {:e} {:e}", r.id, r.supply.0, r.demand.0)?;
            for p in &r.shape.parts[0].exterior {
                write!(text, " {:e} {:e}", p.lon_deg, p.lat_deg)?;
            }
            text.push('\n');
        }
        std::fs::write(dir.join("regions.txt"), text)?;
        let exe = std::env::current_exe()?;
        let rust = run_child(
            Command::new(exe)
                .arg("--child")
                .arg(case.name())
                .arg(&dir)
                .arg(reps.to_string()),
        )?;
        let reference = run_child(
            Command::new(&python)
                .arg(&script)
                .arg(&dir)
                .arg(reps.to_string())
                .arg(case.mass().as_str()),
        );
        let name = case.name();
        match reference {
            Ok(py) => {
                let (diff, per_pair) =
                    agreement(&dir.join("v_rust.f64"), &dir.join("v_shapely.f64"))?;
                writeln!(
                    table,
                    "| {name} | {REGIONS} | {} | {:.3} | {:.3} | {:.1} | {:.0} | {:.0} | {diff:.1e} | {per_pair:.1e} |",
                    rust.pairs,
                    rust.time_s,
                    py.time_s,
                    py.time_s / rust.time_s,
                    rust.peak_kib / 1024.0,
                    py.peak_kib / 1024.0,
                )?;
            }
            Err(e) => writeln!(
                table,
                "| {name} | {REGIONS} | {} | {:.3} | n/a ({e}) | n/a | {:.0} | n/a | n/a | n/a |",
                rust.pairs,
                rust.time_s,
                rust.peak_kib / 1024.0
            )?,
        }
        // How many pairs have work for the overlay: fzc skips the others with a distance
        // bound (`BreakpointModel`'s reach pre-check), the reference builds and intersects
        // every circle.
        let reaching = std::fs::read(dir.join("v_rust.f64"))?
            .chunks_exact(8)
            .filter(|b| <[u8; 8]>::try_from(*b).is_ok_and(|b| f64::from_le_bytes(b) > 0.0))
            .count();
        writeln!(
            notes,
            "{name}: pairs whose flow circle reaches the input region (V > 0): {reaching} of {}",
            rust.pairs
        )?;
    }
    println!(
        "| case | regions | output–input pairs | fzc time (s) | shapely time (s) | time ratio shapely/fzc | fzc peak (MiB) | shapely peak (MiB) | max rel. diff of V | max per-pair rel. diff (V > 1e-6·max) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    print!("{table}");
    println!();
    print!("{notes}");
    println!(
        "fzc: {} rayon threads; load average before {load_before}, after {}",
        rayon::current_num_threads(),
        load_average()
    );
    std::fs::remove_dir_all(&root)?;
    Ok(())
}

struct Measured {
    time_s: f64,
    peak_kib: f64,
    pairs: usize,
}

fn run_child(cmd: &mut Command) -> BenchResult<Measured> {
    let result = measure::run_child(cmd)?.result()?;
    Ok(Measured {
        time_s: result.parse("time_s")?,
        peak_kib: result.parse("peak_kib")?,
        pairs: result.parse("pairs")?,
    })
}

/// The measured child: builds the case's regions (untimed, as the reference reads its file
/// untimed), runs the breakpoint model with the case's options `reps` times, writes the transfers.
fn child(case: Case, dir: &Path, reps: usize) -> BenchResult<()> {
    let regions = case.regions();
    let model = BreakpointModel {
        mass: case.mass(),
        ..BreakpointModel::default()
    };
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        let run = model.run(&regions)?;
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(run);
    }
    let run = last.ok_or("no repetition ran")?;
    let mut bytes = Vec::with_capacity(run.flows.len() * 8);
    for f in &run.flows {
        bytes.extend_from_slice(&f.transfer.0.to_le_bytes());
    }
    std::fs::write(dir.join("v_rust.f64"), bytes)?;
    println!(
        "RESULT time_s={best:.6} peak_kib={} pairs={}",
        vm_hwm_kib()?,
        run.flows.len()
    );
    Ok(())
}

fn read_f64s(path: &Path) -> BenchResult<Vec<f64>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            f64::from_le_bytes(b)
        })
        .collect())
}

/// `(max |a − b| / max |b|, max over pairs with |b| > 1e-6·max |b| of |a − b| / |b|)`.
fn agreement(a: &Path, b: &Path) -> BenchResult<(f64, f64)> {
    let (x, y) = (read_f64s(a)?, read_f64s(b)?);
    if x.len() != y.len() {
        return Err(format!(
            "pair counts differ: fzc {} vs reference {}",
            x.len(),
            y.len()
        )
        .into());
    }
    let scale = y.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    let global = x
        .iter()
        .zip(&y)
        .fold(0.0f64, |d, (p, q)| d.max((p - q).abs() / scale));
    let per_pair = x
        .iter()
        .zip(&y)
        .filter(|(_, q)| q.abs() > 1e-6 * scale)
        .fold(0.0f64, |d, (p, q)| d.max((p - q).abs() / q.abs()));
    Ok((global, per_pair))
}
