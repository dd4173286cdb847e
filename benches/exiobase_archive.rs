//! EXIOBASE 3 end to end: `fzc ect` from the zip as downloaded to written accounts, against
//! pymrio's `parse_exiobase3` + `calc_all` on the same archive, in the same run.
//!
//! ```text
//! FZC_BENCH_PYTHON=/path/to/python cargo bench -p fzc-benches --bench exiobase_archive [-- --full]
//! ```
//!
//! The archive is generated deterministically (not committed) in EXIOBASE 3.8+'s pxp layout:
//! `IOT_2022_pxp/` with `A.txt`, `Y.txt` (7 categories per region), `x.txt`, `unit.txt`, a
//! `satellite` extension (4 mass stressors in kg among 8) and an `impacts` extension (GWP100
//! in `kg CO2 eq.` among 2). 49 regions × 20 products by default; `--full` (or
//! `FZC_BENCH_FULL=1`) makes it EXIOBASE's full size, 49 × 200 (n = 9,800), about 1.3 GB of
//! text; `--sectors K` makes it 49 × K. Each side runs in its own child process and reports its wall time and peak resident
//! memory (`VmHWM`, `ru_maxrss`):
//! - fzc with one stressor, and with `all` (the 5 mass stressors), each: read the zip,
//!   factor `I − A` once, compute and write the long-form accounts;
//! - pymrio: `parse_exiobase3`, `calc_all`, and the regional accounts of the same stressors.
//!
//! The agreement column is the largest relative difference of `inflow`/`D_exp_reg` and
//! `outflow`/`D_imp_reg` over every stressor and region.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fzc_benches::measure::{self, BenchResult, load_average, vm_hwm_kib};
use fzc_core::NoProgress;
use fzc_ect_mrio::{EctOptions, compute_ect_many};
use fzc_io::{LabelledAccounts, read_exiobase3, write_ect_bilateral_long, write_ect_regions_long};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const REGIONS: [&str; 49] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB", "US", "JP", "CN", "CA",
    "KR", "BR", "IN", "MX", "RU", "AU", "CH", "TR", "TW", "NO", "ID", "ZA", "WA", "WL", "WE", "WF",
    "WM",
];
const CATEGORIES: [&str; 7] = [
    "Final consumption expenditure by households",
    "Final consumption expenditure by non-profit organisations serving households (NPISH)",
    "Final consumption expenditure by government",
    "Gross fixed capital formation",
    "Changes in inventories",
    "Changes in valuables",
    "Exports: Total (fob)",
];
const SATELLITE: [(&str, &str); 8] = [
    ("Taxes less subsidies on products purchased: Total", "M.EUR"),
    ("Employment: Low-skilled male", "1000 p."),
    ("CO2 - combustion - air", "kg"),
    ("CH4 - combustion - air", "kg"),
    ("N2O - combustion - air", "kg"),
    ("CO2 - non combustion - Cement production - air", "kg"),
    ("Energy Carrier Net Total", "TJ"),
    ("Water Consumption Blue - Agriculture", "Mm3"),
];
const IMPACTS: [(&str, &str); 2] = [
    ("Value Added", "M.EUR"),
    (
        "GHG emissions (GWP100) | Problem oriented approach: baseline (CML, 2001) | GWP100 (IPCC, 2007)",
        "kg CO2 eq.",
    ),
];
const SEED: u64 = 2022;

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let archive = PathBuf::from(args.get(2).ok_or("--child ARCHIVE OUT MODE")?);
        let out = PathBuf::from(args.get(3).ok_or("--child ARCHIVE OUT MODE")?);
        let mode = args.get(4).ok_or("--child ARCHIVE OUT MODE")?;
        return child(&archive, &out, mode);
    }
    let full = args.iter().any(|a| a == "--full")
        || std::env::var("FZC_BENCH_FULL").is_ok_and(|v| v == "1");
    // `--sectors K` sets the products per region (49 × K); issue 10's comparison uses
    // K = 33 (n = 1,617, the size of the 1,600-sector folder it names).
    let sectors_arg = args
        .iter()
        .position(|a| a == "--sectors")
        .and_then(|k| args.get(k + 1))
        .map(|v| v.parse::<usize>())
        .transpose()?;
    let n_sec = sectors_arg.unwrap_or(if full { 200 } else { 20 });
    let python = std::env::var("FZC_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/exiobase_pymrio.py");
    let dir = std::env::temp_dir().join(format!("fzc-bench-exiobase-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let archive = dir.join("IOT_2022_pxp.zip");
    let t0 = Instant::now();
    write_archive(&archive, n_sec)?;
    let bytes = std::fs::metadata(&archive)?.len();
    eprintln!(
        "generated {} ({:.0} MiB) in {:.1} s",
        archive.display(),
        bytes as f64 / (1 << 20) as f64,
        t0.elapsed().as_secs_f64()
    );
    let load_before = load_average();
    let exe = std::env::current_exe()?;
    let fzc = |mode: &str| -> BenchResult<measure::ResultLine> {
        let out = dir.join(format!("fzc-{mode}"));
        measure::run_child(
            Command::new(&exe)
                .arg("--child")
                .arg(&archive)
                .arg(&out)
                .arg(mode),
        )?
        .result()
    };
    let one = fzc("one")?;
    let all = fzc("all")?;
    let py_out = dir.join("pymrio.tsv");
    let py = measure::run_child(
        Command::new(&python)
            .arg(&script)
            .arg(&archive)
            .arg(&py_out),
    )
    .and_then(|r| r.result());
    let (t_one, t_all): (f64, f64) = (one.parse("time_s")?, all.parse("time_s")?);
    let k: f64 = all.parse("stressors")?;
    let mib =
        |r: &measure::ResultLine| -> BenchResult<f64> { Ok(r.parse::<f64>("peak_kib")? / 1024.0) };
    println!(
        "| n | archive (MiB) | fzc 1 stressor (s) | fzc {k} stressors (s) | each further stressor (% of the first) | pymrio parse + calc_all (s) | time ratio pymrio/fzc | fzc peak (MiB) | pymrio peak (MiB) | memory ratio | max rel. diff |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let marginal = 100.0 * (t_all - t_one) / (k - 1.0) / t_one;
    let n = REGIONS.len() * n_sec;
    match py {
        Ok(py) => {
            let t_py: f64 = py.parse("time_s")?;
            let diff = agreement(&dir.join("fzc-all/ect-regions.csv"), &py_out)?;
            println!(
                "| {n} | {:.0} | {t_one:.2} | {t_all:.2} | {marginal:.1} | {t_py:.2} | {:.2} | {:.0} | {:.0} | {:.2} | {diff:.1e} |",
                bytes as f64 / (1 << 20) as f64,
                t_py / t_all,
                mib(&all)?,
                mib(&py)?,
                mib(&py)? / mib(&all)?,
            );
        }
        Err(e) => println!(
            "| {n} | {:.0} | {t_one:.2} | {t_all:.2} | {marginal:.1} | n/a ({e}) | n/a | {:.0} | n/a | n/a | n/a |",
            bytes as f64 / (1 << 20) as f64,
            mib(&all)?
        ),
    }
    println!();
    println!(
        "fzc: {} rayon threads; load average before {load_before}, after {}",
        EctOptions::default().parallelism,
        load_average()
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The measured child: fzc ect from the zip to written accounts, as the CLI does it.
fn child(archive: &Path, out: &Path, mode: &str) -> BenchResult<()> {
    let t0 = Instant::now();
    let data = read_exiobase3(archive, &NoProgress)?;
    let names = match mode {
        "one" => vec!["CO2 - combustion - air".to_owned()],
        _ => vec!["all".to_owned()],
    };
    let selection = data.select_stressors(None, &names)?;
    let labels: Vec<(String, String)> = selection
        .stressors
        .iter()
        .map(|s| (s.extension.clone(), s.label.clone()))
        .collect();
    let satellites: Vec<_> = selection
        .stressors
        .into_iter()
        .map(|s| s.satellite)
        .collect();
    let accounts = compute_ect_many(data.table, &satellites, &EctOptions::default())?;
    let items: Vec<LabelledAccounts<'_>> = labels
        .iter()
        .zip(&accounts)
        .map(|((extension, stressor), accounts)| LabelledAccounts {
            year: None,
            extension,
            stressor,
            accounts,
        })
        .collect();
    std::fs::create_dir_all(out)?;
    write_ect_regions_long(&out.join("ect-regions.csv"), &items)?;
    write_ect_bilateral_long(&out.join("ect-bilateral.csv"), &items)?;
    let elapsed = t0.elapsed().as_secs_f64();
    println!(
        "RESULT time_s={elapsed:.3} peak_kib={} stressors={}",
        vm_hwm_kib()?,
        items.len()
    );
    Ok(())
}

/// Largest relative difference between fzc's inflow/outflow and pymrio's D_exp/D_imp.
fn agreement(fzc_regions: &Path, pymrio: &Path) -> BenchResult<f64> {
    let mut ours = BTreeMap::new();
    let mut reader = csv_rows(fzc_regions)?;
    reader.remove(0);
    for row in reader {
        ours.insert(
            (row[0].clone(), row[1].clone(), row[3].clone()),
            (row[6].parse::<f64>()?, row[7].parse::<f64>()?),
        );
    }
    let mut worst = 0.0f64;
    let mut compared = 0;
    for line in std::fs::read_to_string(pymrio)?.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let key = (
            cells[0].to_owned(),
            cells[1].to_owned(),
            cells[2].to_owned(),
        );
        let (inflow, outflow) = ours
            .get(&key)
            .ok_or_else(|| format!("fzc has no {key:?}"))?;
        for (a, b) in [(inflow, cells[5]), (outflow, cells[6])] {
            let b: f64 = b.parse()?;
            worst = worst.max((a - b).abs() / b.abs().max(1e-300));
        }
        compared += 1;
    }
    if compared != ours.len() {
        return Err(format!("pymrio has {compared} rows, fzc {}", ours.len()).into());
    }
    Ok(worst)
}

/// A CSV's rows, with quoted fields unquoted (fzc quotes stressor names with commas).
fn csv_rows(path: &Path) -> BenchResult<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path)?;
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                c => cell.push(c),
            }
        }
        cells.push(cell);
        rows.push(cells);
    }
    Ok(rows)
}

fn rng(stream: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(SEED.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream)
}

/// pymrio-style number text: 12 significant digits, `0` for zero.
fn num(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else {
        format!("{v:.11e}")
    }
}

/// Writes the synthetic archive: A row by row (each from its own random stream, rows
/// formatted in parallel), x, and y = x − A·x from the very numbers written, so the table
/// is balanced to the printed precision.
fn write_archive(path: &Path, n_sec: usize) -> BenchResult<()> {
    let m = REGIONS.len();
    let n = m * n_sec;
    let sectors: Vec<String> = (0..n_sec)
        .map(|k| format!("Product {k:03}, synthetic (p{k})"))
        .collect();
    let labels: Vec<(String, String)> = REGIONS
        .iter()
        .flat_map(|r| sectors.iter().map(move |s| ((*r).to_owned(), s.clone())))
        .collect();
    let x: Vec<f64> = {
        let mut r = rng(u64::MAX);
        (0..n)
            .map(|_| {
                num(1000.0 + 1000.0 * r.random::<f64>())
                    .parse()
                    .unwrap_or(1500.0)
            })
            .collect()
    };
    let file = std::fs::File::create(path)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    let root = "IOT_2022_pxp";
    let col_header = |second: &str, cols: &[(String, String)]| {
        let mut h = String::from("region\t");
        for (r, _) in cols {
            h.push('\t');
            h.push_str(r);
        }
        h.push('\n');
        h.push_str(second);
        h.push('\t');
        for (_, s) in cols {
            h.push('\t');
            h.push_str(s);
        }
        h.push_str("\nregion\tsector");
        h.push_str(&"\t".repeat(cols.len()));
        h.push('\n');
        h
    };
    // A, and the intermediate sales A·x per row for y.
    zip.start_file(format!("{root}/A.txt"), options)?;
    zip.write_all(col_header("sector", &labels).as_bytes())?;
    let mut ax = vec![0.0; n];
    for start in (0..n).step_by(256) {
        let rows: Vec<(String, f64)> = (start..(start + 256).min(n))
            .into_par_iter()
            .map(|i| {
                let mut r = rng(i as u64);
                let f = 0.2 + 0.3 * r.random::<f64>();
                let raw: Vec<f64> = (0..n)
                    .map(|j| {
                        let home = j / n_sec == i / n_sec;
                        let p = if home { 0.9 } else { 0.3 };
                        if r.random::<f64>() < p {
                            r.random::<f64>() * if home { 20.0 } else { 1.0 }
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let sales: f64 = raw.iter().zip(&x).map(|(a, x)| a * x).sum();
                let scale = if sales > 0.0 { f * x[i] / sales } else { 0.0 };
                let mut line = format!("{}\t{}", labels[i].0, labels[i].1);
                let mut sum = 0.0;
                for (j, a) in raw.iter().enumerate() {
                    let text = num(a * scale);
                    sum += text.parse::<f64>().unwrap_or(0.0) * x[j];
                    line.push('\t');
                    line.push_str(&text);
                }
                line.push('\n');
                (line, sum)
            })
            .collect();
        for (k, (line, sum)) in rows.into_iter().enumerate() {
            zip.write_all(line.as_bytes())?;
            ax[start + k] = sum;
        }
    }
    // Y: y_i = x_i − (A·x)_i, 60 % to the home region's categories, 40 % spread.
    let fd: Vec<(String, String)> = REGIONS
        .iter()
        .flat_map(|r| {
            CATEGORIES
                .iter()
                .map(move |c| ((*r).to_owned(), (*c).to_owned()))
        })
        .collect();
    let weights = [0.55, 0.02, 0.18, 0.2, 0.03, 0.02, 0.0];
    zip.start_file(format!("{root}/Y.txt"), options)?;
    zip.write_all(col_header("category", &fd).as_bytes())?;
    for i in 0..n {
        let y = x[i] - ax[i];
        let home = i / n_sec;
        let mut line = format!("{}\t{}", labels[i].0, labels[i].1);
        for (c, _) in fd.iter().enumerate() {
            let (region, cat) = (c / 7, c % 7);
            let share = if region == home {
                0.6 * weights[cat]
            } else {
                0.4 * weights[cat] / (m - 1) as f64
            };
            line.push('\t');
            line.push_str(&format!("{:.17e}", y * share));
        }
        line.push('\n');
        zip.write_all(line.as_bytes())?;
    }
    zip.start_file(format!("{root}/x.txt"), options)?;
    zip.write_all(b"region\tsector\tindout\n")?;
    for (i, (r, s)) in labels.iter().enumerate() {
        zip.write_all(format!("{r}\t{s}\t{:.17e}\n", x[i]).as_bytes())?;
    }
    zip.start_file(format!("{root}/unit.txt"), options)?;
    zip.write_all(b"region\tsector\tunit\n")?;
    for (r, s) in &labels {
        zip.write_all(format!("{r}\t{s}\tM.EUR\n").as_bytes())?;
    }
    zip.start_file(format!("{root}/file_parameters.json"), options)?;
    zip.write_all(
        br#"{"files": {"A": {"name": "A.txt", "nr_index_col": "2", "nr_header": "2"}, "Y": {"name": "Y.txt", "nr_index_col": "2", "nr_header": "2"}, "x": {"name": "x.txt", "nr_index_col": "2", "nr_header": "1"}, "unit": {"name": "unit.txt", "nr_index_col": "2", "nr_header": "1"}}, "systemtype": "IOSystem"}"#,
    )?;
    zip.start_file(format!("{root}/metadata.json"), options)?;
    zip.write_all(
        br#"{"description": "Metadata for pymrio", "name": "EXIOBASE_3_synthetic", "system": "pxp", "version": "fzc bench", "history": []}"#,
    )?;
    for (ext, rows, level, salt) in [
        ("satellite", &SATELLITE[..], "stressor", 1u64 << 40),
        ("impacts", &IMPACTS[..], "impact", 1u64 << 41),
    ] {
        let mut header = String::from("region");
        for (r, _) in &labels {
            header.push('\t');
            header.push_str(r);
        }
        header.push_str("\nsector");
        for (_, s) in &labels {
            header.push('\t');
            header.push_str(s);
        }
        header.push('\n');
        header.push_str(level);
        header.push_str(&"\t".repeat(n));
        header.push('\n');
        zip.start_file(format!("{root}/{ext}/F.txt"), options)?;
        zip.write_all(header.as_bytes())?;
        for (s, (name, _)) in rows.iter().enumerate() {
            let mut r = rng(salt + s as u64);
            let mut line = (*name).to_owned();
            for xj in &x {
                line.push('\t');
                line.push_str(&num(xj * (0.1 + 2.0 * r.random::<f64>())));
            }
            line.push('\n');
            zip.write_all(line.as_bytes())?;
        }
        let mut header = String::from("region");
        for (r, _) in &fd {
            header.push('\t');
            header.push_str(r);
        }
        header.push_str("\ncategory");
        for (_, c) in &fd {
            header.push('\t');
            header.push_str(c);
        }
        header.push('\n');
        header.push_str(level);
        header.push_str(&"\t".repeat(fd.len()));
        header.push('\n');
        zip.start_file(format!("{root}/{ext}/F_Y.txt"), options)?;
        zip.write_all(header.as_bytes())?;
        for (s, (name, _)) in rows.iter().enumerate() {
            let mut line = (*name).to_owned();
            for c in 0..fd.len() {
                line.push('\t');
                line.push_str(if c % 7 == 0 { "1000" } else { "0" });
                let _ = s;
            }
            line.push('\n');
            zip.write_all(line.as_bytes())?;
        }
        zip.start_file(format!("{root}/{ext}/unit.txt"), options)?;
        zip.write_all(format!("{level}\tunit\n").as_bytes())?;
        for (name, unit) in rows {
            zip.write_all(format!("{name}\t{unit}\n").as_bytes())?;
        }
        zip.start_file(format!("{root}/{ext}/file_parameters.json"), options)?;
        zip.write_all(
            format!(
                r#"{{"files": {{"F": {{"name": "F.txt", "nr_index_col": "1", "nr_header": "2"}}, "F_Y": {{"name": "F_Y.txt", "nr_index_col": "1", "nr_header": "2"}}, "unit": {{"name": "unit.txt", "nr_index_col": "1", "nr_header": "1"}}}}, "systemtype": "Extension", "name": "{ext}"}}"#
            )
            .as_bytes(),
        )?;
    }
    zip.finish()?.flush()?;
    Ok(())
}
