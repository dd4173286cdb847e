//! ECT scaling benchmark: fzc's `compute_ect` against the pymrio-style numpy reference
//! (`inv(I − A)` then the accounts) on the same synthetic MRIO, in the same run.
//!
//! ```text
//! FZC_BENCH_PYTHON=/path/to/python cargo bench -p fzc-benches --bench ect_scaling [-- --full]
//! ```
//!
//! Sizes n = 91 (13 × 7, the paper), 1,000 (25 × 40) and 5,000 (125 × 40); `--full` (or
//! `FZC_BENCH_FULL=1`) adds n = 13,146 (313 × 42, the CEADs city MRIO), which needs a few GB
//! and about a minute. Each measurement runs in its own child process, which reports the
//! fastest of its repetitions and its peak resident memory (`VmHWM` for Rust, `ru_maxrss`
//! for Python). The table goes to stdout as Markdown.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use faer::Mat;
use fzc_benches::synthetic_mrio::{SyntheticMrio, region_labels, sector_labels};
use fzc_core::MassUnit;
use fzc_ect_mrio::{EctOptions, MrioTable, Satellite, compute_ect};

use fzc_benches::measure::{self, BenchResult, load_average, vm_hwm_kib};

const SIZES: [(usize, usize, usize); 4] = [(13, 7, 20), (25, 40, 5), (125, 40, 2), (313, 42, 1)];

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let dir = PathBuf::from(args.get(2).ok_or("--child DIR REPS")?);
        let reps: usize = args.get(3).ok_or("--child DIR REPS")?.parse()?;
        return child(&dir, reps);
    }
    let full = args.iter().any(|a| a == "--full")
        || std::env::var("FZC_BENCH_FULL").is_ok_and(|v| v == "1");
    let python = std::env::var("FZC_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/ect_numpy.py");
    println!(
        "| n | regions × sectors | fzc time (s) | numpy time (s) | time ratio numpy/fzc | fzc peak (MiB) | numpy peak (MiB) | memory ratio numpy/fzc | max rel. diff of T |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut blas = String::new();
    let load_before = load_average();
    for &(m, n_sec, reps) in SIZES.iter().take(if full { 4 } else { 3 }) {
        let recipe = SyntheticMrio {
            m,
            n_sec,
            seed: 2025,
        };
        let n = recipe.size();
        let dir = std::env::temp_dir().join(format!("fzc-bench-ect-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        write_inputs(&recipe, &dir)?;
        let exe = std::env::current_exe()?;
        let rust = run_child(
            Command::new(exe)
                .arg("--child")
                .arg(&dir)
                .arg(reps.to_string()),
        )?;
        let numpy = run_child(
            Command::new(&python)
                .arg(&script)
                .arg(&dir)
                .arg(reps.to_string()),
        );
        let row = match numpy {
            Ok(py) => {
                blas = py.blas.clone();
                let diff = max_rel_diff(&dir.join("t_rust.f64"), &dir.join("t_numpy.f64"))?;
                format!(
                    "| {n} | {m} × {n_sec} | {:.4} | {:.4} | {:.2} | {:.0} | {:.0} | {:.2} | {diff:.1e} |",
                    rust.time_s,
                    py.time_s,
                    py.time_s / rust.time_s,
                    rust.peak_mib(),
                    py.peak_mib(),
                    py.peak_mib() / rust.peak_mib(),
                )
            }
            Err(e) => format!(
                "| {n} | {m} × {n_sec} | {:.4} | n/a ({e}) | n/a | {:.0} | n/a | n/a | n/a |",
                rust.time_s,
                rust.peak_mib()
            ),
        };
        println!("{row}");
        std::fs::remove_dir_all(&dir)?;
    }
    println!();
    println!(
        "numpy BLAS: {blas}; fzc: faer with {} rayon threads; load average before {load_before}, after {}",
        rayon_threads(),
        load_average()
    );
    Ok(())
}

fn rayon_threads() -> usize {
    EctOptions::default().parallelism
}

struct Measured {
    time_s: f64,
    peak_kib: f64,
    blas: String,
}

impl Measured {
    fn peak_mib(&self) -> f64 {
        self.peak_kib / 1024.0
    }
}

fn run_child(cmd: &mut Command) -> BenchResult<Measured> {
    let run = measure::run_child(cmd)?;
    if run.stdout.contains("NUMPY_MISSING") {
        return Err("numpy missing".into());
    }
    let result = run.result()?;
    Ok(Measured {
        time_s: result.parse("time_s")?,
        peak_kib: result.parse("peak_kib")?,
        blas: result.get("blas").unwrap_or("").to_owned(),
    })
}

/// Streams `Z` column by column (never holding it) and writes `Y`, `E` and the sizes.
fn write_inputs(recipe: &SyntheticMrio, dir: &Path) -> BenchResult<()> {
    let n = recipe.size();
    let mut z_row = vec![0.0; n];
    let mut z_col = vec![0.0; n];
    let mut col = vec![0.0; n];
    let mut w = BufWriter::new(File::create(dir.join("z.f64"))?);
    for (j, zc) in z_col.iter_mut().enumerate() {
        recipe.z_column(j, &mut col);
        for (i, &v) in col.iter().enumerate() {
            z_row[i] += v;
            w.write_all(&v.to_le_bytes())?;
        }
        *zc = col.iter().sum();
    }
    w.flush()?;
    let (y, e) = recipe.demand_and_emissions(&z_row, &z_col);
    let mut w = BufWriter::new(File::create(dir.join("y.f64"))?);
    for s in 0..y.ncols() {
        for &v in y.col(s).iter() {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    w.flush()?;
    write_f64s(&dir.join("e.f64"), &e)?;
    std::fs::write(
        dir.join("meta.txt"),
        format!("{n} {} {}", recipe.m, recipe.n_sec),
    )?;
    Ok(())
}

fn write_f64s(path: &Path, values: &[f64]) -> BenchResult<()> {
    let mut w = BufWriter::new(File::create(path)?);
    for v in values {
        w.write_all(&v.to_le_bytes())?;
    }
    w.flush()?;
    Ok(())
}

fn read_f64s(reader: &mut impl Read, out: &mut [f64]) -> BenchResult<()> {
    let mut buf = vec![0u8; out.len() * 8];
    reader.read_exact(&mut buf)?;
    for (o, chunk) in out.iter_mut().zip(buf.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *o = f64::from_le_bytes(b);
    }
    Ok(())
}

fn read_matrix(path: &Path, rows: usize, cols: usize) -> BenchResult<Mat<f64>> {
    let mut r = BufReader::new(File::open(path)?);
    let mut mat = Mat::<f64>::zeros(rows, cols);
    let mut col = vec![0.0; rows];
    for j in 0..cols {
        read_f64s(&mut r, &mut col)?;
        for (i, &v) in col.iter().enumerate() {
            mat[(i, j)] = v;
        }
    }
    Ok(mat)
}

/// The measured child: reads the table (untimed), runs the full ECT computation (table →
/// regional and bilateral accounts) `reps` times, prints the fastest time and `VmHWM`.
fn child(dir: &Path, reps: usize) -> BenchResult<()> {
    let meta = std::fs::read_to_string(dir.join("meta.txt"))?;
    let dims: Vec<usize> = meta
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [n, m, n_sec] = dims[..] else {
        return Err("bad meta.txt".into());
    };
    let mut e = vec![0.0; n];
    read_f64s(&mut File::open(dir.join("e.f64"))?, &mut e)?;
    let sat = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Tonne,
        by_sector: e,
        final_users: vec![0.0; m],
    };
    let options = EctOptions::default();
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps {
        let table = MrioTable {
            regions: region_labels(m),
            sectors: sector_labels(n_sec),
            z: read_matrix(&dir.join("z.f64"), n, n)?,
            y: read_matrix(&dir.join("y.f64"), n, m)?,
            x: None,
            monetary_unit: "synthetic".into(),
        };
        let t0 = Instant::now();
        let acc = compute_ect(table, &sat, &options)?;
        let regional = (
            acc.production(),
            acc.consumption(),
            acc.inflow(),
            acc.outflow(),
            acc.net(),
        );
        let bilateral = acc.net_bilateral();
        best = best.min(t0.elapsed().as_secs_f64());
        std::hint::black_box((&regional, &bilateral));
        last = Some(acc);
    }
    let acc = last.ok_or("no repetition ran")?;
    write_f64s(&dir.join("t_rust.f64"), acc.total.as_slice())?;
    println!("RESULT time_s={best:.6} peak_kib={}", vm_hwm_kib()?);
    Ok(())
}

fn max_rel_diff(a: &Path, b: &Path) -> BenchResult<f64> {
    let read = |p: &Path| -> BenchResult<Vec<f64>> {
        let bytes = std::fs::read(p)?;
        let mut out = vec![0.0; bytes.len() / 8];
        read_f64s(&mut bytes.as_slice(), &mut out)?;
        Ok(out)
    };
    let (x, y) = (read(a)?, read(b)?);
    if x.len() != y.len() {
        return Err(format!("T sizes differ: {} vs {}", x.len(), y.len()).into());
    }
    let scale = y.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    Ok(x.iter()
        .zip(&y)
        .fold(0.0f64, |d, (p, q)| d.max((p - q).abs() / scale)))
}
