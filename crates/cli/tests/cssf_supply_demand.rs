//! `fzc cssf supply` and `fzc cssf demand` end to end on the raster fixtures (issue 3, items
//! 5 and 7). Reference: `tests/fixtures/raster/make_reference.py` (InVEST's carbon-model
//! arithmetic on a UTM land-use raster, summed per region by exactextract after pyproj
//! reprojected the lon/lat regions).

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/raster/storage")
}

fn fzc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read_region_csv(p: &Path) -> Vec<(String, f64)> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.to_owned(), b.parse().unwrap())
        })
        .collect()
}

fn supply(out: &Path, pools: &Path, regions: &Path) -> Output {
    let f = fixtures();
    fzc(&[
        "cssf",
        "supply",
        "--lulc",
        path(&f.join("lulc.tif")),
        "--pools",
        path(pools),
        "--regions",
        path(regions),
        "--id-field",
        "name",
        "--out",
        path(out),
    ])
}

#[test]
fn supply_matches_invest_arithmetic_summed_by_exactextract() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let run = supply(dir.path(), &f.join("pools.csv"), &f.join("regions.geojson"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let got = read_region_csv(&dir.path().join("supply-regions.csv"));
    let want = read_region_csv(&f.join("expected.csv"));
    assert_eq!(got.len(), 2);
    for (region, value) in &got {
        let (_, w) = want.iter().find(|(r, _)| r == region).unwrap();
        assert!((value - w).abs() / w < 1e-6, "{region}: {value} vs {w}");
    }
    assert!(dir.path().join("supply.tif").exists());
    // t CO2 is 44/12 of t C.
    let co2 = tempfile::tempdir().unwrap();
    let run = fzc(&[
        "cssf",
        "supply",
        "--lulc",
        path(&f.join("lulc.tif")),
        "--pools",
        path(&f.join("pools.csv")),
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--supply-unit",
        "co2",
        "--out",
        path(co2.path()),
    ]);
    assert!(run.status.success());
    let in_co2 = read_region_csv(&co2.path().join("supply-regions.csv"));
    for ((_, c), (_, t)) in in_co2.iter().zip(&got) {
        assert!((c / t - 44.0 / 12.0).abs() < 1e-12);
    }
}

#[test]
fn bad_supply_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let stderr = |o: Output| {
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    // Wrong pools columns.
    let pools = write(
        "pools-bad.csv",
        "lucode,above,c_below,c_soil,c_dead\n1,1,1,1,1\n",
    );
    let e = stderr(supply(
        &dir.path().join("o1"),
        &pools,
        &f.join("regions.geojson"),
    ));
    assert!(e.contains("pools-bad.csv") && e.contains("c_above"), "{e}");
    // An unmapped class: class 6 has no pools.
    let pools = write(
        "pools-5.csv",
        "lucode,c_above,c_below,c_soil,c_dead\n1,1,1,1,1\n2,1,1,1,1\n3,1,1,1,1\n4,1,1,1,1\n5,1,1,1,1\n",
    );
    let e = stderr(supply(
        &dir.path().join("o2"),
        &pools,
        &f.join("regions.geojson"),
    ));
    assert!(
        e.contains("without carbon pools") && e.contains("6: "),
        "{e}"
    );
    assert!(
        !dir.path().join("o2/supply.tif").exists(),
        "no output left behind"
    );
    // A raster that does not cover the regions (a region shifted 0.2° east, off the raster).
    let regions = write(
        "off.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"off"},
        "geometry":{"type":"Polygon","coordinates":[[[116.30,39.95],[116.60,39.95],[116.60,40.05],[116.30,40.05],[116.30,39.95]]]}}]}"#,
    );
    let e = stderr(supply(
        &dir.path().join("o3"),
        &f.join("pools.csv"),
        &regions,
    ));
    assert!(
        e.contains("`off`") && e.contains("outside the raster"),
        "{e}"
    );
    // Nodata everywhere: a region inside the nodata corner (first 3 rows, 4 columns).
    let regions = write(
        "nodata.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"hole"},
        "geometry":{"type":"Polygon","coordinates":[[[116.298155,40.010874],[116.309872,40.010944],[116.309808,40.017251],[116.298091,40.017180],[116.298155,40.010874]]]}}]}"#,
    );
    let e = stderr(supply(
        &dir.path().join("o4"),
        &f.join("pools.csv"),
        &regions,
    ));
    assert!(e.contains("`hole`") && e.contains("nodata"), "{e}");
}

#[test]
fn dasymetric_demand_sums_to_each_regions_emissions() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let emissions = write(
        "em.csv",
        "region,emissions,agricultural_emissions\neast,2.5,0.5\nwest,1.25,0.25\n",
    );
    let census = write("census.csv", "region,population\neast,120000\nwest,80000\n");
    let weights = write("w.csv", "class,weight\n1,100\n2,5\n3,10\n5,2000\n6,1\n");
    let out = dir.path().join("out");
    let run = fzc(&[
        "cssf",
        "demand",
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--emissions",
        path(&emissions),
        "--emissions-unit",
        "Mt",
        "--census",
        path(&census),
        "--lulc",
        path(&f.join("lulc.tif")),
        "--class-weights",
        path(&weights),
        "--out",
        path(&out),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let got = read_region_csv(&out.join("demand-regions.csv"));
    assert_eq!(got[0].0, "east");
    assert!((got[0].1 - 2.5e6).abs() < 1e-3, "{got:?}");
    assert!((got[1].1 - 1.25e6).abs() < 1e-3, "{got:?}");
    assert!(out.join("demand.tif").exists());
    // A region without emissions is named.
    let emissions = write("em-short.csv", "region,emissions\neast,2.5\n");
    let run = fzc(&[
        "cssf",
        "demand",
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--emissions",
        path(&emissions),
        "--census",
        path(&census),
        "--lulc",
        path(&f.join("lulc.tif")),
        "--class-weights",
        path(&weights),
        "--out",
        path(&out),
    ]);
    let e = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && e.contains("`west`"), "{e}");
}

#[test]
fn max_outside_share_out_of_range_is_blamed_on_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    for bad in ["-1", "20", "nan"] {
        let run = fzc(&[
            "cssf",
            "supply",
            "--lulc",
            path(&f.join("lulc.tif")),
            "--pools",
            path(&f.join("pools.csv")),
            "--regions",
            path(&f.join("regions.geojson")),
            "--id-field",
            "name",
            "--max-outside-share",
            bad,
            "--out",
            path(dir.path()),
        ]);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("--max-outside-share"), "{bad}: {err}");
        assert!(err.contains("[0, 1]"), "{bad}: {err}");
        assert!(!err.contains("lulc.tif"), "{bad}: {err}");
    }
}

#[test]
fn overflowing_carbon_densities_fail_naming_the_region_instead_of_writing_inf() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let pools = std::fs::read_to_string(f.join("pools.csv")).unwrap();
    let mut lines = pools.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let mut huge = format!("{header}\n");
    for line in lines {
        let cells: Vec<String> = line
            .split(',')
            .zip(&cols)
            .map(|(v, c)| {
                if c.starts_with("c_") {
                    "1e308".to_owned()
                } else {
                    v.to_owned()
                }
            })
            .collect();
        huge.push_str(&cells.join(","));
        huge.push('\n');
    }
    let pools = dir.path().join("huge-pools.csv");
    std::fs::write(&pools, huge).unwrap();
    let out = dir.path().join("out");
    let run = supply(&out, &pools, &f.join("regions.geojson"));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{err}");
    assert!(err.contains("region `"), "{err}");
    assert!(err.contains("overflow"), "{err}");
    if let Ok(csv) = std::fs::read_to_string(out.join("supply-regions.csv")) {
        assert!(!csv.contains("inf"), "{csv}");
    }
}

/// `lulc.tif` rewritten as f64 with `edit` applied to every pixel.
fn edited_lulc(dir: &Path, name: &str, edit: impl Fn(usize, f64) -> f64) -> PathBuf {
    let mut r = fzc_io::GeoTiffReader::open(&fixtures().join("lulc.tif")).unwrap();
    let grid = *r.grid();
    let values = r.read_all().unwrap();
    let out = dir.join(name);
    fzc_io::write_geotiff::<fzc_io::IoError>(
        &out,
        &grid,
        &fzc_io::GeoTiffWriteOptions::default(),
        |row0, rows, buf| {
            for (k, v) in buf.iter_mut().enumerate().take(rows * grid.width) {
                let i = row0 * grid.width + k;
                *v = edit(i, values[i]);
            }
            Ok(())
        },
    )
    .unwrap();
    out
}

#[test]
fn a_fractional_land_use_class_is_refused_naming_the_raster_and_pixel_count() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let lulc = edited_lulc(dir.path(), "frac-lulc.tif", |i, v| {
        if i % 97 == 0 && !v.is_nan() { 2.5 } else { v }
    });
    let out = dir.path().join("out");
    let run = fzc(&[
        "cssf",
        "supply",
        "--lulc",
        path(&lulc),
        "--pools",
        path(&f.join("pools.csv")),
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--out",
        path(&out),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{err}");
    assert!(err.contains("frac-lulc.tif"), "{err}");
    assert!(err.contains("pixels in window rows"), "{err}");
    assert!(err.contains("e.g. 2.5"), "{err}");

    // The same raster with whole codes stored as f64 is read.
    let lulc = edited_lulc(dir.path(), "f64-lulc.tif", |_, v| v);
    let run = fzc(&[
        "cssf",
        "supply",
        "--lulc",
        path(&lulc),
        "--pools",
        path(&f.join("pools.csv")),
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--out",
        path(&dir.path().join("ok")),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn negative_population_pixels_are_refused_naming_the_population_raster() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    // The land-use codes as a population raster, a few pixels negative.
    let population = edited_lulc(dir.path(), "neg-pop.tif", |i, v| {
        if i % 7 == 3 && !v.is_nan() { -3.0 } else { v }
    });
    let emissions = dir.path().join("emissions.csv");
    std::fs::write(&emissions, "region,emissions\neast,100\nwest,200\n").unwrap();
    let run = fzc(&[
        "cssf",
        "demand",
        "--regions",
        path(&f.join("regions.geojson")),
        "--id-field",
        "name",
        "--emissions",
        path(&emissions),
        "--population",
        path(&population),
        "--out",
        path(&dir.path().join("out")),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{err}");
    assert!(err.contains("neg-pop.tif"), "{err}");
    assert!(err.contains("are negative or infinite (e.g. -3)"), "{err}");
    assert!(!err.contains("emissions.csv"), "{err}");
}
