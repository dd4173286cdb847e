//! The open example's MODIS raster has a user-defined geographic CRS: without
//! `[cssf.rasters] crs` the run is refused, naming the file and the GeoKey; with it (as the
//! example has) the run says nothing under `--quiet`.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::PathBuf;
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `fzc [--quiet] run <scenario> --out <tmp>` and returns its success and stderr.
fn run_scenario(scenario: &std::path::Path, quiet: bool) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fzc"));
    if quiet {
        cmd.arg("--quiet");
    }
    let out = cmd
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(dir.path())
        .env_remove("FZC_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn open_example_is_silent_when_quiet() {
    let (ok, quiet) = run_scenario(
        &workspace().join("examples/bth-2020-open/scenario.toml"),
        true,
    );
    assert!(ok, "fzc run failed:\n{quiet}");
    assert!(quiet.is_empty(), "--quiet run wrote to stderr:\n{quiet}");
}

#[test]
fn a_raster_without_epsg_code_is_refused_unless_the_scenario_names_its_crs() {
    let example = workspace().join("examples/bth-2020-open");
    let text = std::fs::read_to_string(example.join("scenario.toml")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("crs = \"EPSG:4326\""))
        .unwrap();
    // The same scenario, in the example folder (its relative paths), without `crs`.
    let scenario = example.join(".test-no-crs.toml");
    std::fs::write(&scenario, text.replace(line, "")).unwrap();
    let (ok, stderr) = run_scenario(&scenario, false);
    std::fs::remove_file(&scenario).unwrap();
    assert!(!ok, "a raster without EPSG code was read:\n{stderr}");
    assert!(stderr.contains("landcover-bth.tif"), "{stderr}");
    assert!(
        stderr.contains("GeographicTypeGeoKey (2048) = 32767 (user-defined)"),
        "{stderr}"
    );
    assert!(stderr.contains("[cssf.rasters] crs"), "{stderr}");
}
