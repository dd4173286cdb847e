//! `fzc run examples/bth-2020-open/scenario.toml`: a scenario whose CSSF layer starts from
//! rasters (`[cssf.rasters]`, issue 4 item 3). Snapshots of its zoning and ledger, and the
//! independent path: `fzc cssf run` with the same inputs as flags writes the same supply and
//! demand tables and rasters, and flows equal to the scenario's CSSF ledger tonnes.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fzc(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fzc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A CSV with every number rounded to 7 significant digits, so the snapshot does not hang on
/// the last bits of the pixel-area trigonometry.
fn rounded(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let cells: Vec<String> = line
            .split(',')
            .map(|c| match c.parse::<f64>() {
                Ok(v) if v != 0.0 && c.contains('.') => {
                    let digits = 7 - 1 - v.abs().log10().floor() as i32;
                    let scale = 10f64.powi(digits);
                    let r = (v * scale).round() / scale;
                    format!("{r}")
                }
                _ => c.to_owned(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[test]
fn open_rasters_scenario_runs_and_agrees_with_fzc_cssf_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario_out = dir.path().join("scenario");
    let example = workspace().join("examples/bth-2020-open");
    fzc(&[
        "run",
        s(&example.join("scenario.toml")),
        "--out",
        s(&scenario_out),
    ]);
    for name in [
        "zoning.csv",
        "ledger.csv",
        "summary.json",
        "supply-regions.csv",
        "demand-regions.csv",
        "supply.tif",
        "demand.tif",
        "cssdr.tif",
    ] {
        assert!(scenario_out.join(name).is_file(), "{name} missing");
    }
    insta::assert_snapshot!(
        "open_rasters_zoning",
        rounded(&scenario_out.join("zoning.csv"))
    );
    insta::assert_snapshot!(
        "open_rasters_ledger",
        rounded(&scenario_out.join("ledger.csv"))
    );

    // The same inputs through `fzc cssf run` (run.sh's flags, with the scenario's mass).
    let data = workspace().join("crates/cssf-flow/data");
    let cli_out = dir.path().join("cssf");
    fzc(&[
        "cssf",
        "run",
        "--regions",
        s(&workspace().join("examples/bth-2020/boundaries")),
        "--lulc",
        s(&example.join("landcover-bth.tif")),
        "--raster-crs",
        "EPSG:4326",
        "--lulc-map",
        s(&data.join("igbp-to-paper-classes.csv")),
        "--pools",
        s(&data.join("paper-pools.csv")),
        "--emissions",
        s(&example.join("emissions.csv")),
        "--emissions-unit",
        "Mt",
        "--census",
        s(&example.join("census.csv")),
        "--class-weights",
        s(&data.join("dasymetric-weights.csv")),
        "--mass",
        "balance",
        "--out",
        s(&cli_out),
    ]);
    for name in [
        "supply-regions.csv",
        "demand-regions.csv",
        "supply.tif",
        "demand.tif",
        "cssdr.tif",
    ] {
        assert_eq!(
            std::fs::read(scenario_out.join(name)).unwrap(),
            std::fs::read(cli_out.join(name)).unwrap(),
            "{name}: the scenario and `fzc cssf run` differ"
        );
    }

    // Every positive flow of `fzc cssf run` is a CSSF ledger entry with the same tonnes
    // (the ledger's payer is the input region, its payee the output region).
    let table = |path: PathBuf| -> Vec<Vec<String>> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    };
    let flows_table = table(cli_out.join("cssf-flows.csv"));
    let col = |name: &str| flows_table[0].iter().position(|h| h == name).unwrap();
    let (from, to, transfer) = (col("from"), col("to"), col("transfer"));
    let mut flows = BTreeMap::new();
    for record in &flows_table[1..] {
        let tonnes: f64 = record[transfer].parse().unwrap();
        if tonnes > 0.0 {
            flows.insert((record[to].clone(), record[from].clone()), tonnes);
        }
    }
    let ledger_table = table(scenario_out.join("ledger.csv"));
    assert_eq!(
        ledger_table[0].join(","),
        "payer,payee,layer,tonnes,standard,amount"
    );
    let mut ledger = BTreeMap::new();
    for record in &ledger_table[1..] {
        if record[2] == "cssf" {
            let tonnes: f64 = record[3].parse().unwrap();
            ledger.insert((record[0].clone(), record[1].clone()), tonnes);
        }
    }
    assert!(!flows.is_empty());
    assert_eq!(
        flows.keys().collect::<Vec<_>>(),
        ledger.keys().collect::<Vec<_>>()
    );
    // cssf-flows.csv prints tonnes to 3 decimals.
    for (pair, tonnes) in &flows {
        let t = ledger[pair];
        assert!(
            (t - tonnes).abs() <= 0.0005 + 1e-12 * t,
            "{pair:?}: ledger {t} t, fzc cssf run {tonnes} t"
        );
    }
}
