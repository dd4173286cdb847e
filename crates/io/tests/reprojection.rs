//! Both reprojection engines against pyproj (`crates/io/tests/fixtures/geo/make_reprojection.py`), and a
//! Shapefile with a projected `.prj`.
//!
//! Run with `--features proj` for the PROJ engine's half; `-- --nocapture` prints the largest
//! difference per CRS.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::{Path, PathBuf};

use fzc_io::{ReprojectionEngine, Reprojector, WGS84_LONLAT, read_shapefile_regions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The committed references are given to the metre's millionth; engines must agree to 1 mm.
const TOLERANCE_M: f64 = 1e-3;

const CHINA_ALBERS: &str = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs";
/// CRSs both engines read.
const COMMON: [&str; 4] = ["EPSG:32650", "EPSG:4547", "EPSG:4527", CHINA_ALBERS];
/// CRSs only PROJ reads: an EPSG code newer than proj4rs's table (GLANCE Asia, an equal-area
/// LAEA), and an ESRI code (Asia North Albers Equal Area Conic).
const PROJ_ONLY: [&str; 2] = ["EPSG:10594", "ESRI:102025"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo")
}

struct Row {
    crs: String,
    lon: f64,
    lat: f64,
    x: f64,
    y: f64,
}

fn reference() -> Vec<Row> {
    let mut reader = csv::Reader::from_path(fixtures().join("reference-reprojection.csv")).unwrap();
    let rows: Vec<Row> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            Row {
                crs: r[0].to_owned(),
                lon: num(1),
                lat: num(2),
                x: num(3),
                y: num(4),
            }
        })
        .collect();
    assert_eq!(
        rows.len(),
        6 * 26,
        "the fixture has 26 points for each of 6 CRSs"
    );
    rows
}

/// Largest distance (metres) between the engine's image of each reference point and pyproj's.
fn max_error_m(crs: &str, engine: ReprojectionEngine) -> f64 {
    let t = Reprojector::new(WGS84_LONLAT, crs, engine).unwrap();
    let rows: Vec<Row> = reference().into_iter().filter(|r| r.crs == crs).collect();
    assert_eq!(rows.len(), 26, "{crs}");
    let worst = rows
        .iter()
        .map(|r| {
            let (x, y) = t.convert(r.lon, r.lat).unwrap();
            (x - r.x).hypot(y - r.y)
        })
        .fold(0.0, f64::max);
    println!("{engine:>8} vs pyproj, {crs}: max {worst:.3e} m");
    worst
}

#[test]
fn proj4rs_matches_pyproj_to_a_millimetre() {
    for crs in COMMON {
        let worst = max_error_m(crs, ReprojectionEngine::Proj4rs);
        assert!(worst < TOLERANCE_M, "{crs}: {worst} m");
    }
}

#[test]
fn proj4rs_refuses_the_crss_only_proj_knows_and_says_so() {
    for crs in PROJ_ONLY {
        let err = Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj4rs)
            .unwrap_err()
            .to_string();
        assert!(err.contains(crs) && err.contains("PROJ engine"), "{err}");
    }
}

#[cfg(feature = "proj")]
#[test]
fn proj_matches_pyproj_to_a_millimetre_for_every_crs() {
    for crs in COMMON.into_iter().chain(PROJ_ONLY) {
        let worst = max_error_m(crs, ReprojectionEngine::Proj);
        assert!(worst < TOLERANCE_M, "{crs}: {worst} m");
    }
}

#[cfg(feature = "proj")]
#[test]
fn proj_and_proj4rs_agree_on_the_common_crss() {
    for crs in COMMON {
        let a = Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj).unwrap();
        let b = Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj4rs).unwrap();
        let worst = reference()
            .iter()
            .filter(|r| r.crs == crs)
            .map(|r| {
                let (ax, ay) = a.convert(r.lon, r.lat).unwrap();
                let (bx, by) = b.convert(r.lon, r.lat).unwrap();
                (ax - bx).hypot(ay - by)
            })
            .fold(0.0, f64::max);
        println!("PROJ vs proj4rs, {crs}: max {worst:.3e} m");
        assert!(worst < TOLERANCE_M, "{crs}: {worst} m");
    }
}

/// The fixture's squares in CGCS2000 Gauss–Krüger (ESRI WKT `.prj`) come back as the
/// lon/lat squares of the GBK fixture.
#[cfg(feature = "proj")]
#[test]
fn a_projected_prj_is_reprojected_to_lonlat_by_proj() {
    let projected =
        read_shapefile_regions(&fixtures().join("cgcs2000-gk/cities.shp"), Some("name")).unwrap();
    let lonlat =
        read_shapefile_regions(&fixtures().join("gbk-cities/cities.shp"), Some("name")).unwrap();
    assert_eq!(projected.len(), 3);
    let mut worst = 0.0_f64;
    for ((id_p, p), (id_l, l)) in projected.iter().zip(&lonlat) {
        assert_eq!(id_p, id_l);
        let (pe, le) = (&p.parts[0].exterior, &l.parts[0].exterior);
        assert_eq!(pe.len(), le.len());
        for (a, b) in pe.iter().zip(le) {
            worst = worst
                .max((a.lon_deg - b.lon_deg).abs())
                .max((a.lat_deg - b.lat_deg).abs());
        }
    }
    println!("projected .prj round trip: max {worst:.3e} degrees");
    // 1e-9 degrees is about 0.1 mm.
    assert!(worst < 1e-9, "{worst}");
}

#[cfg(not(feature = "proj"))]
#[test]
fn a_projected_prj_is_refused_naming_the_proj_feature() {
    let err = read_shapefile_regions(&fixtures().join("cgcs2000-gk/cities.shp"), Some("name"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cities.prj") && err.contains("`proj` cargo feature"),
        "{err}"
    );
}

#[cfg(not(feature = "proj"))]
#[test]
fn the_proj_engine_without_the_feature_is_a_clear_error() {
    assert!(!ReprojectionEngine::Proj.is_available());
    assert_eq!(ReprojectionEngine::default(), ReprojectionEngine::Proj4rs);
    let err = Reprojector::new(WGS84_LONLAT, "EPSG:4547", ReprojectionEngine::Proj)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`proj` cargo feature"), "{err}");
}

/// Every engine with every CRS it reads, forward (from lon/lat) and inverse, built once.
fn transforms() -> Vec<(ReprojectionEngine, &'static str, Reprojector, Reprojector)> {
    let mut out = Vec::new();
    for engine in ReprojectionEngine::ALL
        .into_iter()
        .filter(|e| e.is_available())
    {
        let crss: Vec<&str> = if engine == ReprojectionEngine::Proj {
            COMMON.into_iter().chain(PROJ_ONLY).collect()
        } else {
            COMMON.to_vec()
        };
        for crs in crss {
            let forward = Reprojector::new(WGS84_LONLAT, crs, engine).unwrap();
            let inverse = Reprojector::new(crs, WGS84_LONLAT, engine).unwrap();
            out.push((engine, crs, forward, inverse));
        }
    }
    out
}

/// Round-trip tolerance in degrees: 1e-9 (about 0.1 mm), except PROJ's inverse Lambert
/// azimuthal equal-area, whose authalic-latitude series is good to about 1 mm (measured
/// 8.9e-9 degrees over the region).
fn round_trip_tolerance_deg(engine: ReprojectionEngine, crs: &str) -> f64 {
    if engine == ReprojectionEngine::Proj && crs == "EPSG:10594" {
        2e-8
    } else {
        1e-9
    }
}

fn bth() -> impl Strategy<Value = (f64, f64)> {
    (113.5..119.8f64, 36.0..42.6f64)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Forward then inverse returns the point, for every engine and CRS it reads, anywhere over
/// Beijing–Tianjin–Hebei.
#[test]
fn forward_then_inverse_is_the_identity() {
    let transforms = transforms();
    let worst: Vec<std::cell::Cell<f64>> = transforms.iter().map(|_| Default::default()).collect();
    let mut runner = runner();
    let result = runner.run(&bth(), |(lon, lat)| {
        for (i, (engine, crs, forward, inverse)) in transforms.iter().enumerate() {
            let (x, y) = forward.convert(lon, lat).unwrap();
            let (lon2, lat2) = inverse.convert(x, y).unwrap();
            let error = (lon2 - lon).abs().max((lat2 - lat).abs());
            worst[i].set(worst[i].get().max(error));
            prop_assert!(
                error < round_trip_tolerance_deg(*engine, crs),
                "{engine} {crs}: ({lon}, {lat}) -> ({x}, {y}) -> ({lon2}, {lat2})"
            );
        }
        Ok(())
    });
    for ((engine, crs, _, _), w) in transforms.iter().zip(&worst) {
        println!("{engine:>8} round trip, {crs}: max {:.3e} degrees", w.get());
    }
    result.unwrap();
}

/// The two engines agree to a millimetre anywhere over the region.
#[cfg(feature = "proj")]
#[test]
fn the_engines_agree_everywhere() {
    let pairs: Vec<(&str, Reprojector, Reprojector)> = COMMON
        .into_iter()
        .map(|crs| {
            (
                crs,
                Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj).unwrap(),
                Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj4rs).unwrap(),
            )
        })
        .collect();
    runner()
        .run(&bth(), |(lon, lat)| {
            for (crs, a, b) in &pairs {
                let (ax, ay) = a.convert(lon, lat).unwrap();
                let (bx, by) = b.convert(lon, lat).unwrap();
                prop_assert!(
                    (ax - bx).hypot(ay - by) < TOLERANCE_M,
                    "{crs}: ({lon}, {lat})"
                );
            }
            Ok(())
        })
        .unwrap();
}

/// A `proj.db` from elsewhere (here a file that is no database) in `PROJ_DATA`: PROJ refuses
/// it and the error says where PROJ looked and what to set. Runs the next test in a child
/// process, since the environment of this one must not change.
#[cfg(feature = "proj")]
#[test]
fn a_foreign_proj_db_in_proj_data_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("proj.db"), "not a PROJ database").unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reports_a_foreign_proj_db",
            "--ignored",
            "--nocapture",
        ])
        .env("PROJ_DATA", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(feature = "proj")]
#[test]
#[ignore = "run by a_foreign_proj_db_in_proj_data_is_explained, with PROJ_DATA set"]
fn child_reports_a_foreign_proj_db() {
    let dir = std::env::var("PROJ_DATA").unwrap();
    let err = Reprojector::new(WGS84_LONLAT, "EPSG:32650", ReprojectionEngine::Proj)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("EPSG:32650")
            && err.contains(&format!("{dir} (has proj.db)"))
            && err.contains(&format!("PROJ_DATA={dir}"))
            && err.contains("Set PROJ_DATA"),
        "{err}"
    );
}
