//! Notes about the inputs are said once, name their file, and `--quiet` hides them.
//!
//! `examples/bth-2020-open` reads a MODIS raster with a user-defined geographic CRS; the run
//! opens that raster several times (supply, demand, zonal passes), and the CRS note must come
//! once, naming the file, and not at all with `--quiet`.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::PathBuf;
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `fzc [--quiet] run <open example> --out <tmp>` and returns its stderr.
fn run_open_example(quiet: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fzc"));
    if quiet {
        cmd.arg("--quiet");
    }
    let out = cmd
        .arg("run")
        .arg(workspace().join("examples/bth-2020-open/scenario.toml"))
        .arg("--out")
        .arg(dir.path())
        .env_remove("FZC_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "fzc run failed:\n{stderr}");
    stderr
}

#[test]
fn crs_note_once_per_file_and_silent_when_quiet() {
    let loud = run_open_example(false);
    let notes: Vec<&str> = loud
        .lines()
        .filter(|l| l.contains("user-defined geographic CRS"))
        .collect();
    assert_eq!(notes.len(), 1, "expected the CRS note once:\n{loud}");
    assert!(
        notes[0].contains("landcover-bth.tif"),
        "the note names no file: {}",
        notes[0]
    );

    let quiet = run_open_example(true);
    assert!(quiet.is_empty(), "--quiet run wrote to stderr:\n{quiet}");
}
