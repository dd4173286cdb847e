//! What `fzc` prints where (issue 6, item 4): `--quiet` leaves stderr empty on success,
//! `--json` prints the summary as JSON that agrees with the files written, and a reader that
//! closes stdout early (`fzc … | head -1`) ends the run cleanly: no panic, status 0.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fzc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fzc"));
    command.current_dir(root()).env_remove("FZC_LOG");
    command
}

fn ect_args(out: &Path) -> Vec<String> {
    [
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--out",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([out.display().to_string()])
    .collect()
}

/// Three BTH cities (one output, two inputs) with the paper's supply and demand, in Mt, and
/// balance masses, under which Langfang serves Tianjin.
fn flows_args(dir: &Path) -> Vec<String> {
    let regions = dir.join("regions");
    std::fs::create_dir_all(&regions).unwrap();
    let source = root().join("tests/fixtures/geo/bth-boundaries");
    let mut balance = String::from("region,supply,demand\n");
    for (city, supply, demand) in [
        ("langfang", 44.232, 9.68),
        ("tangshan", 108.5246, 531.44),
        ("tianjin", 78.085, 141.72),
    ] {
        let file = format!("{city}.geojson");
        std::fs::copy(source.join(&file), regions.join(&file)).unwrap();
        balance.push_str(&format!("{city},{supply},{demand}\n"));
    }
    std::fs::write(dir.join("balance.csv"), balance).unwrap();
    vec![
        "cssf".into(),
        "flows".into(),
        "--regions".into(),
        regions.display().to_string(),
        "--balance".into(),
        dir.join("balance.csv").display().to_string(),
        "--unit".into(),
        "Mt".into(),
        "--mass".into(),
        "balance".into(),
        "--out".into(),
        dir.join("out").display().to_string(),
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The CSV column `name` as numbers.
fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let index = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(index).unwrap().parse().unwrap())
        .collect()
}

fn assert_no_panic(output: &Output, what: &str) {
    let stderr = text(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{what}: {stderr}"
    );
    assert_ne!(
        output.status.code(),
        Some(101),
        "{what}: exit 101 is a panic"
    );
}

#[test]
fn quiet_leaves_stderr_empty_on_success() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fzc()
        .arg("--quiet")
        .args(ect_args(&tmp.path().join("e")))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    assert!(text(&out.stdout).starts_with("ECT of CO2 (t) for 4 regions × 3 sectors"));

    let out = fzc()
        .arg("--quiet")
        .args(flows_args(tmp.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    assert!(
        text(&out.stdout).starts_with("CSSF flows for 3 regions (1 output, 2 input, 0 balanced)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn ect_json_agrees_with_the_regions_table() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("e");
    let out = fzc().arg("--json").args(ect_args(&dir)).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let csv = std::fs::read_to_string(dir.join("ect-regions.csv")).unwrap();
    let production = column(&csv, "production");
    let net = column(&csv, "net");
    assert_eq!(json["stressor"], "CO2");
    assert_eq!(json["unit"], "t");
    assert_eq!(json["method"], "final-demand");
    assert_eq!(json["region_count"], 4);
    assert_eq!(json["sector_count"], 3);
    let total = json["production"].as_f64().unwrap();
    let sum: f64 = production.iter().sum();
    assert!((total - sum).abs() <= 1e-9 * sum, "{total} vs {sum}");
    let regions = json["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 4);
    for (r, row) in regions.iter().enumerate() {
        assert!((row["net"].as_f64().unwrap() - net[r]).abs() <= 1e-9 * net[r].abs().max(1.0));
    }
    // The largest net beneficiary has the largest NF of the table.
    let max = net.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(
        json["largest_net_beneficiary"]["net"].as_f64().unwrap(),
        max
    );
}

#[test]
fn flows_json_agrees_with_the_flows_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fzc()
        .arg("--json")
        .args(flows_args(tmp.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let csv = std::fs::read_to_string(tmp.path().join("out/cssf-flows.csv")).unwrap();
    let transfers = column(&csv, "transfer");
    assert_eq!(json["pair_count"], transfers.len());
    assert_eq!(json["pair_count"], 2);
    let sum: f64 = transfers.iter().sum();
    let total = json["transferred_t"].as_f64().unwrap();
    assert!((total - sum).abs() <= 1e-3 * 2.0, "{total} vs {sum}");
    assert!(total > 0.0);
    let regions = json["regions"].as_array().unwrap();
    let provided: f64 = regions
        .iter()
        .map(|r| r["provided_t"].as_f64().unwrap())
        .sum();
    let received: f64 = regions
        .iter()
        .map(|r| r["received_t"].as_f64().unwrap())
        .sum();
    assert!((provided - total).abs() <= 1e-9 * total && (received - total).abs() <= 1e-9 * total);
    assert_eq!(regions[0]["region"], "langfang");
    assert_eq!(regions[0]["role"], "output");
}

/// Runs `fzc args` with stdout on a pipe whose reader is gone before `fzc` writes: every
/// write to stdout fails with EPIPE.
fn with_stdout_closed(args: &[String]) -> Output {
    let mut child = fzc()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_the_run_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let runs: Vec<(&str, Vec<String>)> = vec![
        ("ect", ect_args(&tmp.path().join("e"))),
        ("ect --json", {
            let mut a = vec!["--json".to_owned()];
            a.extend(ect_args(&tmp.path().join("e")));
            a
        }),
        ("cssf flows", flows_args(tmp.path())),
        (
            "run",
            vec![
                "run".into(),
                "--out".into(),
                tmp.path().join("r").display().to_string(),
            ],
        ),
        (
            "compare --json",
            vec![
                "--json".into(),
                "compare".into(),
                "--out".into(),
                tmp.path().join("c").display().to_string(),
            ],
        ),
    ];
    for (what, args) in runs {
        let out = with_stdout_closed(&args);
        assert_no_panic(&out, what);
        assert!(out.status.success(), "{what}: {}", text(&out.stderr));
        assert!(
            !text(&out.stderr).contains("error"),
            "{what}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_reader_that_stops_after_one_line_ends_the_run_cleanly() {
    // `fzc ect | head -1`: read the first line, then close the pipe.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = fzc()
        .args(ect_args(&tmp.path().join("e")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("ECT of CO2"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out, "ect | head -1");
    assert!(out.status.success());
}

#[test]
fn other_write_errors_are_errors() {
    // stdout on /dev/full: ENOSPC is a real failure, reported and not a panic.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not on this platform
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = fzc()
        .args(ect_args(&tmp.path().join("e")))
        .stdout(full)
        .output()
        .unwrap();
    assert_no_panic(&out, "ect > /dev/full");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: writing to stdout"), "{stderr}");
}
