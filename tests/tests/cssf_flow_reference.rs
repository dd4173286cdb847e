//! Eq 13–16 end to end against an outside reference (issue 10, item 7): fzc's breakpoint flow
//! model on the 13 BTH city polygons, for the `bth-raw` scenario and the open-data example,
//! under each mass option of Eq 14, against `tests/fixtures/cssf-flow/make_reference.py`
//! (shapely 2.2.0 + pyproj 3.7.2, written from METHOD.md's formulas, not from fzc's code).
//! The reference tables are committed; this test needs no Python.
//!
//! What is what:
//! - **inputs** (fed to both sides, checked only to be the ones the cases use): the polygons,
//!   each region's supply and demand (`bth-raw/balance.csv`; for the open example the raster
//!   pipeline's output, pinned by the `open_cssf_regions` snapshot of `fzc-cli`), k = 0.6,
//!   the intensity form and the mass option.
//! - **agree by construction** (arithmetic on inputs both sides share; compared to 1e-12):
//!   CSSDR, the role of each region, and hence which (output, input) pairs exist.
//! - **real checks** (independent implementations of each step):
//!   - cores (shapely/GEOS centroid vs geo's centroid), 1e-9°;
//!   - ellipsoidal region areas (pyproj vs geographiclib-rs after fzc's own orientation
//!     and repair), 1e-6 relative: the existing shapely check measured ~1e-7;
//!   - geodesic distances D_rs (pyproj `Geod.inv` vs geographiclib-rs), 1e-9 relative;
//!   - ranges R_sr (Eq 14) and intensities I_sr (Eq 15), which follow from D_rs and the
//!     masses: 1e-9 and 3e-9 relative (I ∝ R⁻²);
//!   - flow areas S_rs: the reference circle is a 36,000-gon (relative area deficit 5e-9);
//!     fzc's is a 720-gon inscribed in the circle, so it misses, along the part of the circle
//!     inside the input polygon, at most the sagitta `R(1 − cos(π/720))` times that arc length,
//!     plus one chord's worth (`sagitta · 2πR/720`) at each end of each arc piece. The
//!     tolerance is that bound (the reference writes the arc length and piece count) plus
//!     1e-6 relative for the overlay and the area (the measured agreement of the existing
//!     shapely intersection reference) and 1e-6 km² for slivers;
//!   - transfers V_sr = k·S_rs·I_sr (Eq 16): k·I times the area tolerance plus 1e-8 relative.
//!
//! For `bth-raw` the scenario runner is checked too: every transfer it hands to zoning is the
//! reference's V_sr within the same tolerance.

#![allow(clippy::unwrap_used)] // tests unwrap their own fixtures

use std::collections::BTreeMap;
use std::path::PathBuf;

use fzc_core::{FlowRegion, RegionId, RegionShape, TonnesCo2};
use fzc_cssf_flow::geodesic::DEFAULT_CIRCLE_VERTICES;
use fzc_cssf_flow::{BreakpointModel, Mass, Role};
use fzc_scenario::{ScenarioSource, load};

/// Eq 16's impact factor in both the reference and the cases' scenarios.
const K: f64 = 0.6;

fn root() -> PathBuf {
    fzc_tests::workspace_root()
}

fn rows(name: &str) -> Vec<csv::StringRecord> {
    let path = root().join("tests/fixtures/cssf-flow").join(name);
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

fn num(record: &csv::StringRecord, i: usize) -> f64 {
    record[i].parse().unwrap()
}

fn rel(got: f64, want: f64) -> f64 {
    if want == 0.0 {
        got.abs()
    } else {
        (got / want - 1.0).abs()
    }
}

fn shapes() -> Vec<(RegionId, RegionShape)> {
    let shapes =
        fzc_io::read_geojson_regions(&root().join("examples/bth-2020/boundaries"), None).unwrap();
    assert_eq!(shapes.len(), 13);
    shapes
}

/// One region of the reference: (supply t, demand t, CSSDR, role, core lon, core lat, km²).
struct RefRegion {
    supply: f64,
    demand: f64,
    cssdr: f64,
    role: String,
    core: (f64, f64),
    area_km2: f64,
}

fn reference_regions(case: &str) -> BTreeMap<String, RefRegion> {
    rows("reference-regions.csv")
        .iter()
        .filter(|r| &r[0] == case)
        .map(|r| {
            (
                r[1].to_owned(),
                RefRegion {
                    supply: num(r, 2),
                    demand: num(r, 3),
                    cssdr: num(r, 4),
                    role: r[5].to_owned(),
                    core: (num(r, 6), num(r, 7)),
                    area_km2: num(r, 8),
                },
            )
        })
        .collect()
}

/// One (output, input) pair of the reference.
struct RefFlow {
    distance_km: f64,
    range_km: f64,
    area_km2: f64,
    intensity: f64,
    transfer: f64,
    arc_inside_km: f64,
    arc_pieces: f64,
}

fn reference_flows(case: &str, mass: &str) -> BTreeMap<(String, String), RefFlow> {
    rows("reference-flows.csv")
        .iter()
        .filter(|r| &r[0] == case && &r[1] == mass)
        .map(|r| {
            (
                (r[2].to_owned(), r[3].to_owned()),
                RefFlow {
                    distance_km: num(r, 4),
                    range_km: num(r, 5),
                    area_km2: num(r, 6),
                    intensity: num(r, 7),
                    transfer: num(r, 8),
                    arc_inside_km: num(r, 9),
                    arc_pieces: num(r, 10),
                },
            )
        })
        .collect()
}

/// How far fzc's flow area may be from the reference's (see the module docs): the 720-gon's
/// sagitta over the arc inside the input polygon, one chord more at each end of each arc
/// piece, 1e-6 relative and a 1e-6 km² floor.
fn area_tolerance_km2(f: &RefFlow) -> f64 {
    let step = std::f64::consts::TAU / DEFAULT_CIRCLE_VERTICES as f64;
    let sagitta = f.range_km * (1.0 - (step / 2.0).cos());
    let chord = f.range_km * step;
    sagitta * (f.arc_inside_km + 2.0 * f.arc_pieces * chord) + 1e-6 * f.area_km2 + 1e-6
}

fn transfer_tolerance_t(f: &RefFlow) -> f64 {
    K * f.intensity * area_tolerance_km2(f) + 1e-8 * f.transfer
}

/// The regions of a case with the reference's supply and demand (inputs).
fn flow_regions(reference: &BTreeMap<String, RefRegion>) -> Vec<FlowRegion> {
    shapes()
        .into_iter()
        .map(|(id, shape)| {
            let r = &reference[id.as_str()];
            FlowRegion {
                id,
                supply: TonnesCo2(r.supply),
                demand: TonnesCo2(r.demand),
                given_core: None,
                shape,
            }
        })
        .collect()
}

fn mass(name: &str) -> Mass {
    match name {
        "demand" => Mass::Demand,
        "supply" => Mass::Supply,
        "balance" => Mass::Balance,
        other => panic!("unknown mass {other}"),
    }
}

/// Runs fzc on one case under every mass and compares each number; returns the number of
/// pairs with a positive transfer (the tests require some).
fn check_case(case: &str) -> usize {
    let reference = reference_regions(case);
    assert_eq!(reference.len(), 13, "{case}");
    let regions = flow_regions(&reference);
    let mut positive = 0;
    let (mut worst_area, mut worst_area_share, mut worst_transfer) = (0.0f64, 0.0f64, 0.0f64);
    for mass_name in ["demand", "supply", "balance"] {
        let run = BreakpointModel {
            mass: mass(mass_name),
            ..BreakpointModel::default()
        }
        .run(&regions)
        .unwrap();
        for r in &run.regions {
            let want = &reference[r.id.as_str()];
            let ctx = format!("{case}/{mass_name}: region {}", r.id);
            // By construction.
            assert!(
                (r.cssdr.unwrap() - want.cssdr).abs() <= 1e-12,
                "{ctx}: CSSDR"
            );
            let role = match r.role {
                Role::Output => "output",
                Role::Input => "input",
                Role::Balanced => "balanced",
            };
            assert_eq!(role, want.role, "{ctx}: role");
            // Real checks.
            assert!(
                (r.core.lon_deg - want.core.0).abs() <= 1e-9
                    && (r.core.lat_deg - want.core.1).abs() <= 1e-9,
                "{ctx}: core {:?} vs {:?}",
                r.core,
                want.core
            );
            assert!(
                rel(r.area_km2, want.area_km2) <= 1e-6,
                "{ctx}: area {} vs {}",
                r.area_km2,
                want.area_km2
            );
        }
        let expected = reference_flows(case, mass_name);
        assert_eq!(run.flows.len(), expected.len(), "{case}/{mass_name}: pairs");
        for f in &run.flows {
            let (from, to) = (
                run.regions[f.from].id.as_str(),
                run.regions[f.to].id.as_str(),
            );
            let ctx = format!("{case}/{mass_name}: {from} → {to}");
            let want = expected
                .get(&(from.to_owned(), to.to_owned()))
                .unwrap_or_else(|| panic!("{ctx}: pair not in the reference"));
            assert!(
                rel(f.distance_km, want.distance_km) <= 1e-9,
                "{ctx}: D_rs {} vs {}",
                f.distance_km,
                want.distance_km
            );
            assert!(
                rel(f.range_km, want.range_km) <= 1e-9,
                "{ctx}: R_sr {} vs {}",
                f.range_km,
                want.range_km
            );
            assert!(
                rel(f.intensity_t_per_km2, want.intensity) <= 3e-9,
                "{ctx}: I_sr {} vs {}",
                f.intensity_t_per_km2,
                want.intensity
            );
            let area_tol = area_tolerance_km2(want);
            let area_diff = (f.area_km2 - want.area_km2).abs();
            assert!(
                area_diff <= area_tol,
                "{ctx}: S_rs {} vs {} (tolerance {area_tol})",
                f.area_km2,
                want.area_km2
            );
            let transfer_tol = transfer_tolerance_t(want);
            assert!(
                (f.transfer.0 - want.transfer).abs() <= transfer_tol,
                "{ctx}: V_sr {} vs {} (tolerance {transfer_tol})",
                f.transfer.0,
                want.transfer
            );
            if want.area_km2 > 0.0 {
                positive += 1;
                worst_area = worst_area.max(area_diff / want.area_km2);
                worst_area_share = worst_area_share.max(area_diff / area_tol);
                worst_transfer = worst_transfer.max(rel(f.transfer.0, want.transfer));
            }
        }
    }
    eprintln!(
        "{case}: {positive} positive flows; S_rs max relative difference {worst_area:e} \
         (at most {:.0} % of its tolerance), V_sr {worst_transfer:e}",
        100.0 * worst_area_share
    );
    positive
}

/// The supply and demand a case's fixture was made with are the ones the case uses now.
fn supply_demand_of(case: &str) -> BTreeMap<String, (f64, f64)> {
    reference_regions(case)
        .into_iter()
        .map(|(id, r)| (id, (r.supply, r.demand)))
        .collect()
}

fn assert_same_inputs(case: &str, now: &BTreeMap<String, (f64, f64)>) {
    let fixture = supply_demand_of(case);
    assert_eq!(fixture.len(), now.len(), "{case}");
    for (id, (s, d)) in now {
        let (fs, fd) = fixture[id];
        assert!(
            rel(fs, *s) <= 1e-12 && rel(fd, *d) <= 1e-12,
            "{case}: {id} has supply/demand {s}/{d} now but {fs}/{fd} in the reference: \
             rerun tests/fixtures/cssf-flow/make_reference.py"
        );
    }
}

#[test]
fn bth_raw_flows_agree_with_the_shapely_reference() {
    let balance =
        fzc_io::read_region_balance(&root().join("crates/scenario/tests/data/bth-raw/balance.csv"))
            .unwrap();
    let now = balance
        .iter()
        .map(|r| (r.id.to_string(), (r.supply * 1e6, r.demand * 1e6)))
        .collect();
    assert_same_inputs("bth-raw", &now);
    assert!(check_case("bth-raw") > 0, "the case needs positive flows");
}

/// The scenario runner (`mass = "supply"` in bth-raw/scenario.toml) hands zoning the
/// reference's V_sr: every positive one, and nothing else.
#[test]
fn bth_raw_scenario_transfers_are_the_references() {
    let scenario = load(&ScenarioSource::File(
        root().join("crates/scenario/tests/data/bth-raw/scenario.toml"),
    ))
    .unwrap();
    let expected = reference_flows("bth-raw", "supply");
    let got: BTreeMap<(String, String), f64> = scenario
        .cssf
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| {
            (
                (
                    scenario.regions[t.output].to_string(),
                    scenario.regions[t.input].to_string(),
                ),
                t.tonnes.0,
            )
        })
        .collect();
    let positive: Vec<_> = expected.iter().filter(|(_, f)| f.transfer > 0.0).collect();
    assert!(!positive.is_empty());
    assert_eq!(
        got.len(),
        positive.len(),
        "{:?}",
        got.keys().collect::<Vec<_>>()
    );
    for ((from, to), want) in positive {
        let v = got[&(from.clone(), to.clone())];
        assert!(
            (v - want.transfer).abs() <= transfer_tolerance_t(want),
            "{from} → {to}: {v} vs {}",
            want.transfer
        );
    }
}

#[test]
fn open_example_flows_agree_with_the_shapely_reference() {
    // The raster pipeline's supply and demand, as its snapshot pins them.
    let snap = std::fs::read_to_string(
        root().join("crates/cli/tests/snapshots/cssf_open_example__open_cssf_regions.snap"),
    )
    .unwrap();
    let body = snap.rsplit("---").next().unwrap();
    let mut lines = body.trim().lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (s, d) = (col("supply"), col("demand"));
    let now = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                (f[s].parse().unwrap(), f[d].parse().unwrap()),
            )
        })
        .collect();
    assert_same_inputs("open", &now);
    assert!(check_case("open") > 0, "the case needs positive flows");
}
