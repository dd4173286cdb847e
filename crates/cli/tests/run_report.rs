//! `fzc run` and `fzc compare` write the report next to the CSV files, deterministically;
//! `--json` and `--quiet` change what goes to stdout and stderr.

// Test helpers outside `#[test]` functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fzc(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fzc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

const MAPS: [&str; 4] = [
    "zoning-map",
    "ect-flow-map",
    "cssf-flow-map",
    "compensation-chart",
];

#[test]
fn run_writes_the_report_and_two_runs_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fzc(&["run", "--out", s(&a)]);
    fzc(&["run", "--out", s(&b)]);
    let listed = files(&a);
    for name in [
        "report.html",
        "results.gpkg",
        "results-regions.geojson",
        "results-ect_flows.geojson",
        "results-cssf_flows.geojson",
        "results-cores.geojson",
        "zoning.csv",
    ] {
        assert!(
            listed.contains(&PathBuf::from(name)),
            "{name} missing: {listed:?}"
        );
    }
    for stem in MAPS {
        for ext in ["svg", "png"] {
            let p = PathBuf::from("figures").join(format!("{stem}.{ext}"));
            assert!(listed.contains(&p), "{} missing", p.display());
        }
    }
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 4, "figures inlined");
    assert!(html.contains("Langfang") || html.contains("langfang"));
    // The default case's flow ranges are Table 3's printed values, and the table says so.
    assert!(
        html.contains("<td class=\"n\">102.55 †</td>"),
        "Beijing → Tianjin's range is not marked as the paper's"
    );
    let gpkg = std::fs::read(a.join("results.gpkg")).unwrap();
    assert!(gpkg.starts_with(b"SQLite format 3\0"));
    // The regions layer holds every region of the scenario with its polygon.
    let regions: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("results-regions.geojson")).unwrap())
            .unwrap();
    assert_eq!(regions["features"].as_array().unwrap().len(), 13);
    assert_eq!(files(&b), listed);
    for f in &listed {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{} differs between two runs",
            f.display()
        );
    }
}

#[test]
fn json_prints_the_summary_and_quiet_prints_no_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fzc(&["--json", "--quiet", "run", "--out", s(tmp.path())]);
    let summary = std::fs::read(tmp.path().join("summary.json")).unwrap();
    assert_eq!(out.stdout, summary, "--json prints summary.json");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without the flags: the table on stdout, the note on stderr.
    let out = fzc(&["run", "--out", s(tmp.path())]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("beijing") && !stdout.trim_start().starts_with('{'));
    assert!(String::from_utf8_lossy(&out.stderr).contains("report.html"));
}

/// A copy of the bth-2020 scenario without its boundaries folder.
fn scenario_without_polygons(dir: &Path) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020");
    for f in [
        "scenario.toml",
        "standards.csv",
        "economy.csv",
        "ect-net.csv",
        "ect-bilateral.csv",
        "cssf-transfers.csv",
    ] {
        std::fs::copy(example.join(f), dir.join(f)).unwrap();
    }
    dir.join("scenario.toml")
}

#[test]
fn without_polygons_only_the_charts_and_the_page_are_written_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = scenario_without_polygons(tmp.path());
    let out_dir = tmp.path().join("out");
    let out = fzc(&["run", s(&toml), "--out", s(&out_dir)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no region polygons"), "{stderr}");
    let listed = files(&out_dir);
    assert!(listed.contains(&PathBuf::from("report.html")));
    assert!(listed.contains(&PathBuf::from("figures/compensation-chart.svg")));
    assert!(!listed.contains(&PathBuf::from("results.gpkg")));
    assert!(!listed.contains(&PathBuf::from("figures/zoning-map.svg")));
    let out = fzc(&["--quiet", "run", s(&toml), "--out", s(&out_dir)]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_region_boundary_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = scenario_without_polygons(tmp.path());
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020");
    std::fs::create_dir(tmp.path().join("boundaries")).unwrap();
    std::fs::copy(
        example.join("boundaries/beijing.geojson"),
        tmp.path().join("boundaries/beijing.geojson"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(["run", s(&toml), "--out", s(&tmp.path().join("out"))])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tianjin.geojson") && stderr.contains("`tianjin`"),
        "{stderr}"
    );
}

#[test]
fn compare_draws_the_scheme_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let out = fzc(&[
        "--json",
        "compare",
        "--pricing",
        "paper,uniform",
        "--out",
        s(tmp.path()),
    ]);
    let listed = files(tmp.path());
    assert!(listed.contains(&PathBuf::from("figures/scheme-comparison.svg")));
    assert!(listed.contains(&PathBuf::from("compare.csv")));
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains("fig-scheme-comparison"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schemes"], serde_json::json!(["paper", "uniform"]));
    assert_eq!(json["regions"].as_array().unwrap().len(), 13);
}

#[test]
fn a_scenario_with_raw_cssf_polygons_gets_its_maps_from_them() {
    // crates/scenario's bth-raw scenario: no boundaries/ folder beside it, but
    // `[cssf] regions` names the bth-2020 boundaries.
    let toml =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario/tests/data/bth-raw/scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    fzc(&["--quiet", "run", s(&toml), "--out", s(tmp.path())]);
    let listed = files(tmp.path());
    assert!(
        listed.contains(&PathBuf::from("results.gpkg")),
        "{listed:?}"
    );
    assert!(listed.contains(&PathBuf::from("figures/zoning-map.svg")));
}

/// A year series of two copies of examples/mrio-small (the second with Henan's CO2 raised):
/// `fzc run` writes `zoning-series.csv` and the amount-over-years chart, byte-identical on a
/// second run, and says which year the table is.
#[test]
fn a_year_series_writes_zoning_series_and_its_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for year in [2019, 2020] {
        let dir = tmp.path().join(format!("mrio-{year}"));
        std::fs::create_dir_all(dir.join("emissions")).unwrap();
        for file in [
            "Y.txt",
            "Z.txt",
            "file_parameters.json",
            "metadata.json",
            "unit.txt",
            "emissions/F.txt",
            "emissions/F_Y.txt",
            "emissions/file_parameters.json",
            "emissions/unit.txt",
        ] {
            let mut text =
                std::fs::read_to_string(root.join("examples/mrio-small").join(file)).unwrap();
            if year == 2020 && file == "emissions/F.txt" {
                text = text.replace("\t100\t685\t137\n", "\t2000\t2000\t2000\n");
            }
            std::fs::write(dir.join(file), text).unwrap();
        }
    }
    std::fs::copy(
        root.join("crates/scenario/tests/data/mrio-small/standards.csv"),
        tmp.path().join("standards.csv"),
    )
    .unwrap();
    let scenario = tmp.path().join("scenario.toml");
    std::fs::write(
        &scenario,
        "name = \"series\"\nregions = [\"Beijing\", \"Tianjin\", \"Hebei\", \"Henan\"]\n\
         [pricing]\nprice_yuan_per_tonne = 46.66\nstandards = \"standards.csv\"\n\
         [ect]\nmrio = \"mrio-{year}\"\nstressor = \"CO2\"\nyears = \"2019..2020\"\n",
    )
    .unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let out = fzc(&["run", s(&scenario), "--out", s(&a)]);
    fzc(&["run", s(&scenario), "--out", s(&b)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("year series 2019..2020"), "{stderr}");
    let listed = files(&a);
    for name in [
        "zoning-series.csv",
        "figures/amount-series.svg",
        "figures/amount-series.png",
    ] {
        assert!(
            listed.contains(&PathBuf::from(name)),
            "{name} not in {listed:?}"
        );
    }
    assert_eq!(listed, files(&b));
    for f in &listed {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{} differs between two runs",
            f.display()
        );
    }
    let series = std::fs::read_to_string(a.join("zoning-series.csv")).unwrap();
    let zoning = std::fs::read_to_string(a.join("zoning.csv")).unwrap();
    // The last block is zoning.csv with the year in front.
    let last: Vec<String> = zoning
        .lines()
        .skip(1)
        .map(|l| format!("2020,{l}"))
        .collect();
    assert!(
        series.ends_with(&format!("{}\n", last.join("\n"))),
        "{series}"
    );
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("fig-amount-series"));
}
