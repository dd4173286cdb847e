//! Zonal statistics benchmark: fzc's exact-coverage zonal sums (`RegionMasks`) of a supply-like
//! and a population-like raster against exactextract's Python API
//! (`reference/zonal_exactextract.py`), on the same files, in the same run.
//!
//! ```text
//! FZC_BENCH_PYTHON=/path/to/python cargo bench -p fzc-benches --bench zonal [-- --full]
//! ```
//!
//! The Python script first generates (untimed) a seeded float32 raster pair, DEFLATE, tiled
//! 256 × 256, and 300 polygons into a temp dir: 4,000 × 4,000 cells by default, 16,000 × 16,000
//! with `--full` (or `FZC_BENCH_FULL=1`). Each side then runs in its own child process,
//! reports its time (masks + both layers, not reading the polygon file) and its peak
//! resident memory (`VmHWM` for Rust, `ru_maxrss` for Python). The agreement column is
//! `max |sum_fzc − sum_ee| / |sum_ee|` over the 600 (region, layer) sums.
//! The Python venv needs numpy, rasterio and exactextract.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fzc_core::RegionId;
use fzc_cssf_flow::zonal::{CoverageMode, RegionMasks, ZonalSum};
use fzc_io::GeoTiffReader;
use geo::{LineString, MultiPolygon, Polygon};

use fzc_benches::measure::{self, BenchResult, load_average, vm_hwm_kib};

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let dir = PathBuf::from(args.get(2).ok_or("--child DIR")?);
        return child(&dir);
    }
    let full = args.iter().any(|a| a == "--full")
        || std::env::var("FZC_BENCH_FULL").is_ok_and(|v| v == "1");
    let size = if full { 16_000 } else { 4_000 };
    let python = std::env::var("FZC_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/zonal_exactextract.py");
    let dir = std::env::temp_dir().join(format!("fzc-bench-zonal-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let status = Command::new(&python)
        .arg(&script)
        .arg("generate")
        .arg(&dir)
        .arg(size.to_string())
        .status()?;
    if !status.success() {
        return Err(format!("generating the rasters with {python} failed ({status})").into());
    }
    let load_before = load_average();
    let rust = run_child(
        Command::new(std::env::current_exe()?)
            .arg("--child")
            .arg(&dir),
    )?;
    let ee = run_child(Command::new(&python).arg(&script).arg("run").arg(&dir))?;
    let diff = agreement(
        &dir.join("sums_rust.f64"),
        &dir.join("sums_exactextract.f64"),
    )?;
    println!(
        "| raster | regions | fzc time (s) | exactextract time (s) | time ratio ee/fzc | fzc peak (MiB) | exactextract peak (MiB) | max rel. diff of sums |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {size} × {size} f32 ×2 | 300 | {:.3} | {:.3} | {:.2} | {:.0} | {:.0} | {diff:.1e} |",
        rust.0,
        ee.0,
        ee.0 / rust.0,
        rust.1 / 1024.0,
        ee.1 / 1024.0
    );
    println!();
    println!(
        "load average before {load_before}, after {}",
        load_average()
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// `(time_s, peak_kib)` from the child's `RESULT` line.
fn run_child(cmd: &mut Command) -> BenchResult<(f64, f64)> {
    let result = measure::run_child(cmd)?.result()?;
    Ok((result.parse("time_s")?, result.parse("peak_kib")?))
}

fn read_regions(path: &Path) -> BenchResult<Vec<(RegionId, MultiPolygon<f64>)>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split_whitespace();
        let id = RegionId::new(fields.next().ok_or("empty line")?)?;
        let values: Vec<f64> = fields.map(str::parse).collect::<Result<_, _>>()?;
        let ring: Vec<(f64, f64)> = values.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        let poly = Polygon::new(LineString::from(ring), vec![]);
        out.push((id, MultiPolygon::new(vec![poly])));
    }
    Ok(out)
}

/// The measured child: builds the exact-coverage masks from the grid of the supply raster,
/// then streams each raster by its natural block height, summing value × coverage.
fn child(dir: &Path) -> BenchResult<()> {
    let regions = read_regions(&dir.join("regions.txt"))?;
    let t0 = Instant::now();
    let mut supply = GeoTiffReader::open(&dir.join("supply.tif"))?;
    let grid = *supply.grid();
    let masks = RegionMasks::build(&grid, &regions, CoverageMode::Exact)?;
    let mut pop = GeoTiffReader::open(&dir.join("pop.tif"))?;
    let mut all = Vec::with_capacity(2 * regions.len());
    let mut buf = Vec::new();
    for reader in [&mut supply, &mut pop] {
        let mut sums = vec![ZonalSum::default(); regions.len()];
        let block = reader.block_rows().max(1);
        let mut row0 = 0;
        while row0 < grid.height {
            let rows = block.min(grid.height - row0);
            reader.read_rows(row0, rows, &mut buf)?;
            masks.accumulate(row0, &buf, |_| 1.0, &mut sums);
            row0 += rows;
        }
        all.extend(sums.iter().map(|s| s.sum));
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let bytes: Vec<u8> = all.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.join("sums_rust.f64"), bytes)?;
    println!("RESULT time_s={elapsed:.6} peak_kib={}", vm_hwm_kib()?);
    Ok(())
}

fn agreement(a: &Path, b: &Path) -> BenchResult<f64> {
    let read = |p: &Path| -> BenchResult<Vec<f64>> {
        Ok(std::fs::read(p)?
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                f64::from_le_bytes(b)
            })
            .collect())
    };
    let (x, y) = (read(a)?, read(b)?);
    if x.len() != y.len() {
        return Err(format!(
            "sum counts differ: fzc {} vs exactextract {}",
            x.len(),
            y.len()
        )
        .into());
    }
    Ok(x.iter().zip(&y).fold(0.0f64, |d, (p, q)| {
        d.max((p - q).abs() / q.abs().max(f64::MIN_POSITIVE))
    }))
}
