//! The CSSF flow map of a scenario whose CSSF layer is computed from polygons draws the flow
//! model's own ranges `R_sr` and cores (issue 6 item 1): `fzc run` on the bth-raw scenario
//! (`[cssf] regions + balance`) writes, in `results-cssf_flows.geojson` and
//! `results-cores.geojson`, the ranges and cores that `fzc cssf flows` computes with the same
//! options and writes to `cssf-flows.csv` and `cssf-regions.csv`: an independent path through
//! the CLI (no scenario, no report model).

// Test helpers outside `#[test]` functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
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

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rows of a plain CSV file (no quoted fields: region ids and numbers) as header → value.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|line| {
            header
                .iter()
                .cloned()
                .zip(line.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

fn features(path: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["features"].as_array().unwrap().clone()
}

#[test]
fn computed_cssf_flows_draw_the_flow_models_ranges_and_cores() {
    let data = manifest().join("../scenario/tests/data/bth-raw");
    let tmp = tempfile::tempdir().unwrap();
    let (run_dir, flows_dir) = (tmp.path().join("run"), tmp.path().join("flows"));
    fzc(&[
        "--quiet",
        "run",
        s(&data.join("scenario.toml")),
        "--out",
        s(&run_dir),
    ]);
    // The scenario's [cssf] options, given to `fzc cssf flows` by hand.
    let boundaries = manifest().join("../../examples/bth-2020/boundaries");
    fzc(&[
        "--quiet",
        "cssf",
        "flows",
        "--regions",
        s(&boundaries),
        "--balance",
        s(&data.join("balance.csv")),
        "--unit",
        "Mt",
        "--k",
        "0.6",
        "--intensity",
        "surplus-over-range",
        "--mass",
        "supply",
        "--core",
        "centroid",
        "--out",
        s(&flows_dir),
    ]);

    // Pairs with a positive transfer, as `fzc cssf flows` computed them.
    let expected: BTreeMap<(String, String), f64> = csv_rows(&flows_dir.join("cssf-flows.csv"))
        .into_iter()
        .filter(|r| r["transfer"].parse::<f64>().unwrap() > 0.0)
        .map(|r| {
            (
                (r["from"].clone(), r["to"].clone()),
                r["range_km"].parse().unwrap(),
            )
        })
        .collect();
    assert!(expected.len() >= 3, "{expected:?}");
    let drawn: BTreeMap<(String, String), f64> =
        features(&run_dir.join("results-cssf_flows.geojson"))
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    (
                        p["output_region"].as_str().unwrap().to_owned(),
                        p["input_region"].as_str().unwrap().to_owned(),
                    ),
                    p["range_km"].as_f64().unwrap(),
                )
            })
            .collect();
    assert_eq!(
        drawn.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (pair, range) in &expected {
        // cssf-flows.csv rounds to 6 decimals.
        assert!(
            (drawn[pair] - range).abs() <= 1e-6,
            "{pair:?}: the report draws R_sr = {} km, fzc cssf flows computed {range} km",
            drawn[pair]
        );
    }

    // Cores: every region has the flow model's core (cssf-regions.csv, 9 decimals), marked
    // as given to the report rather than placed by it: also the regions that take part in no
    // positive transfer, of which this case has some.
    let in_flows: Vec<&String> = expected.keys().flat_map(|(a, b)| [a, b]).collect();
    let model_cores: BTreeMap<String, (f64, f64)> = csv_rows(&flows_dir.join("cssf-regions.csv"))
        .into_iter()
        .map(|r| {
            (
                r["region"].clone(),
                (
                    r["core_lon"].parse().unwrap(),
                    r["core_lat"].parse().unwrap(),
                ),
            )
        })
        .collect();
    let cores = features(&run_dir.join("results-cores.geojson"));
    assert_eq!(cores.len(), 13);
    assert_eq!(model_cores.len(), 13);
    let outside_flows = model_cores.keys().filter(|r| !in_flows.contains(r)).count();
    assert!(
        outside_flows > 0,
        "every region is in a transfer: {in_flows:?}"
    );
    for f in &cores {
        let region = f["properties"]["region"].as_str().unwrap().to_owned();
        assert_eq!(f["properties"]["core_source"], "given", "{region}");
        let xy = f["geometry"]["coordinates"].as_array().unwrap();
        let (lon, lat) = model_cores[&region];
        assert!(
            (xy[0].as_f64().unwrap() - lon).abs() <= 1e-8
                && (xy[1].as_f64().unwrap() - lat).abs() <= 1e-8,
            "{region}: core {xy:?} ≠ the flow model's ({lon}, {lat})"
        );
    }

    // The map draws one circle per transfer, so it names every output region in its legend.
    let svg = std::fs::read_to_string(run_dir.join("figures/cssf-flow-map.svg")).unwrap();
    assert!(svg.contains("Flow range, by output"));
}

#[test]
fn a_raster_scenario_gets_the_cssdr_map_and_a_table_scenario_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let open = manifest().join("../../examples/bth-2020-open/scenario.toml");
    let raw = manifest().join("../scenario/tests/data/bth-raw/scenario.toml");
    let (with, without) = (tmp.path().join("open"), tmp.path().join("raw"));
    fzc(&["--quiet", "run", s(&open), "--out", s(&with)]);
    fzc(&["--quiet", "run", s(&raw), "--out", s(&without)]);

    for ext in ["svg", "png"] {
        assert!(with.join(format!("figures/cssdr-map.{ext}")).is_file());
        assert!(!without.join(format!("figures/cssdr-map.{ext}")).exists());
    }
    let svg = std::fs::read_to_string(with.join("figures/cssdr-map.svg")).unwrap();
    assert!(svg.len() < 2_000_000, "{} bytes", svg.len());
    for tick in ["−1", "−0.5", "0.5"] {
        assert!(svg.contains(&format!("\n{tick}\n</text>")), "tick {tick}");
    }
    let page = |d: &Path| std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(page(&with).contains("<figure id=\"fig-cssdr-map\">"));
    assert!(!page(&without).contains("fig-cssdr-map"));
}
