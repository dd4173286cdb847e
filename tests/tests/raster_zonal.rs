//! Zonal sums against exactextract (issue 3, items 3 and 7): coverage-weighted sums and
//! coverage of four polygons (a triangle, one with a hole, a two-part one, one inside a
//! single cell) over a tiled DEFLATE f64 raster with a nodata patch. Fixtures:
//! `tests/fixtures/raster/make_reference.py` (exactextract 0.3.0).

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::PathBuf;

use fzc_cssf_flow::geodesic::RegionPolygon;
use fzc_cssf_flow::zonal::{CoverageMode, RegionMasks, ZonalSum};
use fzc_io::GeoTiffReader;

fn dir() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/raster/zonal")
}

fn masks_and_reader(
    mode: CoverageMode,
    skip: &str,
) -> Result<(RegionMasks, GeoTiffReader), fzc_cssf_flow::CssfError> {
    let reader = GeoTiffReader::open(&dir().join("values.tif")).unwrap();
    let regions = fzc_io::read_geojson_regions(&dir().join("regions.geojson"), Some("id")).unwrap();
    let shapes: Vec<_> = regions
        .iter()
        .filter(|(id, _)| id.as_str() != skip)
        .map(|(id, s)| (id.clone(), RegionPolygon::new(id.clone(), s).unwrap().shape))
        .collect();
    Ok((RegionMasks::build(reader.grid(), &shapes, mode)?, reader))
}

#[test]
fn sums_match_exactextract_to_1e_6() {
    let (masks, mut reader) = masks_and_reader(CoverageMode::Exact, "").unwrap();
    let mut sums = vec![ZonalSum::default(); masks.regions().len()];
    // Stream in windows of 7 rows (not a multiple of the 16-row tiles).
    let (h, mut buf) = (reader.grid().height, Vec::new());
    let mut row = 0;
    while row < h {
        let rows = 7.min(h - row);
        reader.read_rows(row, rows, &mut buf).unwrap();
        masks.accumulate(row, &buf, |_| 1.0, &mut sums);
        row += rows;
    }
    let expected = std::fs::read_to_string(dir().join("expected.csv")).unwrap();
    let mut checked = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let i = masks
            .regions()
            .iter()
            .position(|m| m.id.as_str() == f[0])
            .unwrap();
        let (want_sum, want_cov): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let s = sums[i];
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-300);
        assert!(
            rel(s.sum, want_sum) < 1e-6,
            "{}: sum {} vs exactextract {want_sum}",
            f[0],
            s.sum
        );
        assert!(
            rel(s.coverage, want_cov) < 1e-6,
            "{}: coverage {} vs {want_cov}",
            f[0],
            s.coverage
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
    // The holed polygon overlaps the nodata patch: it is reported, not summed.
    let holed = masks
        .regions()
        .iter()
        .position(|m| m.id.as_str() == "b_holed")
        .unwrap();
    assert!(sums[holed].nodata_coverage > 0.0);
}

#[test]
fn pixel_centre_counts_whole_cells() {
    // The tiny triangle holds no cell centre: a region without area at this resolution.
    let e = masks_and_reader(CoverageMode::PixelCentre, "")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`d_tiny`") && e.contains("no raster cell"),
        "{e}"
    );
    let (masks, _) = masks_and_reader(CoverageMode::PixelCentre, "d_tiny").unwrap();
    assert_eq!(masks.regions().len(), 3);
    for m in masks.regions() {
        for run in m.rows.iter().flatten() {
            assert_eq!(run.fraction, 1.0);
        }
    }
}
