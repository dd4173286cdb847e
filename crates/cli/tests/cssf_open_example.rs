//! `fzc cssf run` on the committed open-data BTH example (`examples/bth-2020-open/`, issue 3
//! items 5 and 6): snapshots of its tables, under each `--mass` option, and a check that `run`
//! gives exactly what `supply`, `demand` and `flows` give one after the other.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::{Path, PathBuf};
use std::process::Command;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020-open")
}

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cssf-flow/data")
}

fn fzc(args: &[String]) {
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fzc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: PathBuf) -> String {
    path.to_str().unwrap().to_owned()
}

/// The options `supply` and `demand` share with `run`: (name, value) pairs.
fn raster_args() -> Vec<String> {
    let e = example();
    vec![
        "--regions".into(),
        p(e.join("../bth-2020/boundaries")),
        "--lulc".into(),
        p(e.join("landcover-bth.tif")),
        "--raster-crs".into(),
        "EPSG:4326".into(),
        "--lulc-map".into(),
        p(data().join("igbp-to-paper-classes.csv")),
    ]
}

fn supply_args() -> Vec<String> {
    vec!["--pools".into(), p(data().join("paper-pools.csv"))]
}

fn demand_args() -> Vec<String> {
    let e = example();
    vec![
        "--emissions".into(),
        p(e.join("emissions.csv")),
        "--emissions-unit".into(),
        "Mt".into(),
        "--census".into(),
        p(e.join("census.csv")),
        "--class-weights".into(),
        p(data().join("dasymetric-weights.csv")),
    ]
}

fn run_example(out: &Path, extra: &[&str]) {
    let mut args: Vec<String> = vec!["cssf".into(), "run".into()];
    args.extend(raster_args());
    args.extend(supply_args());
    args.extend(demand_args());
    args.extend(["--out".into(), p(out.to_path_buf())]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    fzc(&args);
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// `region,value` with the value rounded to whole tonnes, so the snapshot does not hang on
/// the last bits of the pixel-area trigonometry.
fn rounded_region_csv(text: &str) -> String {
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines {
        let (id, v) = l.split_once(',').unwrap();
        out.push_str(&format!("{id},{:.0}\n", v.parse::<f64>().unwrap()));
    }
    out
}

#[test]
fn open_example_default_run() {
    let dir = tempfile::tempdir().unwrap();
    run_example(dir.path(), &[]);
    for name in [
        "supply-regions.csv",
        "supply.tif",
        "demand-regions.csv",
        "demand.tif",
        "cssf-regions.csv",
        "cssf-flows.csv",
        "cssf-flows.geojson",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    insta::assert_snapshot!(
        "open_supply_regions",
        rounded_region_csv(&read(dir.path(), "supply-regions.csv"))
    );
    insta::assert_snapshot!("open_cssf_regions", read(dir.path(), "cssf-regions.csv"));
    insta::assert_snapshot!("open_cssf_flows_demand", read(dir.path(), "cssf-flows.csv"));
}

#[test]
fn open_example_other_masses() {
    for mass in ["supply", "balance"] {
        let dir = tempfile::tempdir().unwrap();
        run_example(dir.path(), &["--mass", mass]);
        insta::assert_snapshot!(
            format!("open_cssf_flows_{mass}"),
            read(dir.path(), "cssf-flows.csv")
        );
    }
}

/// `run` is the three steps chained: the same tables as `supply`, `demand`, then `flows` on
/// a balance file built from their outputs.
#[test]
fn run_equals_the_three_steps() {
    let chained = tempfile::tempdir().unwrap();
    run_example(chained.path(), &["--mass", "balance"]);
    let steps = tempfile::tempdir().unwrap();
    let out = p(steps.path().to_path_buf());
    let mut a: Vec<String> = vec!["cssf".into(), "supply".into()];
    a.extend(raster_args());
    a.extend(supply_args());
    a.extend(["--out".into(), out.clone()]);
    fzc(&a);
    let mut a: Vec<String> = vec!["cssf".into(), "demand".into()];
    a.extend(raster_args());
    a.extend(demand_args());
    a.extend(["--out".into(), out.clone()]);
    fzc(&a);
    let supply = read(steps.path(), "supply-regions.csv");
    let demand = read(steps.path(), "demand-regions.csv");
    let mut balance = String::from("region,supply,demand\n");
    for (s, d) in supply.lines().zip(demand.lines()).skip(1) {
        let (id, sv) = s.split_once(',').unwrap();
        let (id2, dv) = d.split_once(',').unwrap();
        assert_eq!(id, id2);
        balance.push_str(&format!("{id},{sv},{dv}\n"));
    }
    let balance_path = steps.path().join("balance.csv");
    std::fs::write(&balance_path, balance).unwrap();
    fzc(&[
        "cssf".into(),
        "flows".into(),
        "--regions".into(),
        p(example().join("../bth-2020/boundaries")),
        "--balance".into(),
        p(balance_path),
        "--mass".into(),
        "balance".into(),
        "--out".into(),
        out,
    ]);
    for name in [
        "supply-regions.csv",
        "demand-regions.csv",
        "cssf-regions.csv",
        "cssf-flows.csv",
        "cssf-flows.geojson",
    ] {
        assert_eq!(
            read(chained.path(), name),
            read(steps.path(), name),
            "{name} differs between `run` and the three steps"
        );
    }
}

/// `run` has no balance table to hold given cores, so `--core given` is refused up front,
/// before any output is written.
#[test]
fn run_refuses_given_cores() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec!["cssf".into(), "run".into()];
    args.extend(raster_args());
    args.extend(supply_args());
    args.extend(demand_args());
    args.extend(["--out".into(), p(dir.path().to_path_buf())]);
    args.extend(["--core".into(), "given".into()]);
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(&args)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--core given"), "{err}");
    assert!(!dir.path().join("supply-regions.csv").exists());
}

/// `fzc cssf supply` on the example with `crs` replacing `--raster-crs EPSG:4326`: its exit
/// status and stderr.
fn supply_with_crs(out: &Path, crs: Option<&str>) -> (bool, String) {
    let mut args: Vec<String> = vec!["cssf".into(), "supply".into()];
    let raster = raster_args();
    let at = raster.iter().position(|a| a == "--raster-crs").unwrap();
    args.extend(raster[..at].iter().cloned());
    args.extend(raster[at + 2..].iter().cloned());
    if let Some(crs) = crs {
        args.extend(["--raster-crs".into(), crs.to_owned()]);
    }
    args.extend(supply_args());
    args.extend(["--out".into(), p(out.to_path_buf())]);
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(&args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_raster_without_epsg_code_needs_raster_crs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = supply_with_crs(dir.path(), None);
    assert!(!ok, "the MODIS raster was read without a CRS:\n{stderr}");
    assert!(stderr.contains("landcover-bth.tif"), "{stderr}");
    assert!(
        stderr.contains("GeographicTypeGeoKey (2048) = 32767 (user-defined)"),
        "{stderr}"
    );
    assert!(stderr.contains("--raster-crs EPSG:<code>"), "{stderr}");
    assert!(!dir.path().join("supply.tif").exists());

    // A geographic code fzc does not know is refused as the flag is read.
    let (ok, stderr) = supply_with_crs(dir.path(), Some("EPSG:4214"));
    assert!(!ok);
    assert!(stderr.contains("--raster-crs"), "{stderr}");
    assert!(
        stderr.contains("EPSG:4214 is a geographic CRS fzc does not know"),
        "{stderr}"
    );

    // CGCS2000 is read as lon/lat on the WGS84 ellipsoid, like EPSG:4326.
    let (ok, stderr) = supply_with_crs(dir.path(), Some("EPSG:4490"));
    assert!(ok, "{stderr}");
    let cgcs = std::fs::read_to_string(dir.path().join("supply-regions.csv")).unwrap();
    let wgs = tempfile::tempdir().unwrap();
    let (ok, stderr) = supply_with_crs(wgs.path(), Some("EPSG:4326"));
    assert!(ok, "{stderr}");
    let wgs = std::fs::read_to_string(wgs.path().join("supply-regions.csv")).unwrap();
    assert_eq!(cgcs, wgs);
}
