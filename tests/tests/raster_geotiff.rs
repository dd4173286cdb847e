//! The pure-Rust GeoTIFF reader and writer against what GDAL (rasterio) reads and writes
//! (issue 3, item 4). Fixtures: `tests/fixtures/raster/make_reference.py`.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::{Path, PathBuf};

use fzc_core::{GeoTransform, GridCrs, RasterGrid};
use fzc_io::{
    GeoTiffReader, GeoTiffSampleType, GeoTiffWriteOptions, check_same_grid, write_geotiff,
};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/raster")
}

fn read_csv_grid(path: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .flat_map(|l| {
            l.split(',')
                .map(|v| v.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_encoding_reads_as_gdal_reads_it() {
    let dir = fixtures().join("encodings");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    let entries = meta.as_object().unwrap();
    assert!(entries.len() >= 11, "fixture set is incomplete");
    for (name, m) in entries {
        let mut reader = GeoTiffReader::open(&dir.join(format!("{name}.tif"))).unwrap();
        let grid = *reader.grid();
        assert_eq!(grid.width as u64, m["width"].as_u64().unwrap(), "{name}");
        assert_eq!(grid.height as u64, m["height"].as_u64().unwrap(), "{name}");
        assert_eq!(
            u64::from(grid.crs.epsg()),
            m["epsg"].as_u64().unwrap(),
            "{name}"
        );
        let t: Vec<f64> = m["transform"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        // rasterio's Affine order: a, b, c, d, e, f = dx, 0, x0, 0, dy, y0.
        assert_eq!(
            grid.transform,
            GeoTransform {
                x0: t[2],
                dx: t[0],
                y0: t[5],
                dy: t[4]
            },
            "{name}"
        );
        let expected = read_csv_grid(&dir.join(format!("{name}.csv")));
        let got = reader.read_all().unwrap();
        assert_eq!(got.len(), expected.len(), "{name}");
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert!(
                (g.is_nan() && e.is_nan()) || g == e,
                "{name}: pixel {i}: read {g}, GDAL reads {e}"
            );
        }
        // Windows that straddle chunk rows give the same values as the whole read.
        let mut window = Vec::new();
        let mut row = 0;
        while row < grid.height {
            let rows = 3.min(grid.height - row);
            reader.read_rows(row, rows, &mut window).unwrap();
            let start = row * grid.width;
            for (k, v) in window.iter().enumerate() {
                let e = expected[start + k];
                assert!(
                    (v.is_nan() && e.is_nan()) || *v == e,
                    "{name}: window at row {row}"
                );
            }
            row += rows;
        }
    }
}

#[test]
fn written_geotiff_reads_back_with_grid_and_nodata() {
    let dir = tempfile::tempdir().unwrap();
    let grid = RasterGrid {
        width: 13,
        height: 7,
        transform: GeoTransform {
            x0: 500000.0,
            dx: 250.0,
            y0: 4400000.0,
            dy: -250.0,
        },
        crs: GridCrs::Projected { epsg: 32650 },
    };
    let value = |r: usize, c: usize| {
        if (r + c).is_multiple_of(5) {
            f64::NAN
        } else {
            r as f64 * 100.0 + c as f64 + 0.125
        }
    };
    for sample_type in [GeoTiffSampleType::F32, GeoTiffSampleType::F64] {
        let path = dir.path().join(format!("out-{sample_type:?}.tif"));
        let options = GeoTiffWriteOptions {
            sample_type,
            nodata: -1.0,
            rows_per_strip: 3,
        };
        write_geotiff::<fzc_io::IoError>(&path, &grid, &options, |row0, rows, buf| {
            for r in 0..rows {
                for c in 0..grid.width {
                    buf[r * grid.width + c] = value(row0 + r, c);
                }
            }
            Ok(())
        })
        .unwrap();
        let mut reader = GeoTiffReader::open(&path).unwrap();
        assert_eq!(*reader.grid(), grid);
        assert_eq!(reader.nodata(), Some(-1.0));
        let got = reader.read_all().unwrap();
        for r in 0..grid.height {
            for c in 0..grid.width {
                let (g, e) = (got[r * grid.width + c], value(r, c));
                assert!(
                    (g.is_nan() && e.is_nan()) || g == e,
                    "({r},{c}): {g} vs {e}"
                );
            }
        }
    }
}

#[test]
fn grids_that_differ_are_an_error_naming_both_files() {
    let dir = fixtures().join("encodings");
    let a = GeoTiffReader::open(&dir.join("u8_strip_none.tif")).unwrap();
    let same = GeoTiffReader::open(&dir.join("f32_tiled_zstd_pred3.tif")).unwrap();
    check_same_grid(&a, &same).unwrap();
    let b = GeoTiffReader::open(&dir.join("f32_projected_utm50n.tif")).unwrap();
    let msg = check_same_grid(&a, &b).unwrap_err().to_string();
    assert!(msg.contains("u8_strip_none.tif"), "{msg}");
    assert!(msg.contains("f32_projected_utm50n.tif"), "{msg}");
    assert!(msg.contains("size 37×23 vs 11×9"), "{msg}");
    assert!(msg.contains("EPSG:32650"), "{msg}");
}

#[test]
fn a_file_that_is_not_a_tiff_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not.tif");
    std::fs::write(&path, "hello").unwrap();
    let msg = GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(msg.contains("not.tif"), "{msg}");
}

/// A geographic GeoKey fzc would read as WGS84 is accepted only for datums that agree with
/// WGS84 (CGCS2000, ETRS89, …); Beijing 1954 (EPSG:4214) is refused naming the file and
/// the code, instead of being read as WGS84 without a word.
#[test]
fn geographic_datums_other_than_wgs84_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |epsg: u32| {
        let path = dir.path().join(format!("grid-{epsg}.tif"));
        let grid = RasterGrid {
            width: 4,
            height: 3,
            transform: GeoTransform {
                x0: 116.0,
                dx: 0.01,
                y0: 40.0,
                dy: -0.01,
            },
            crs: GridCrs::Geographic { epsg },
        };
        let options = GeoTiffWriteOptions {
            sample_type: GeoTiffSampleType::F32,
            nodata: -1.0,
            rows_per_strip: 3,
        };
        write_geotiff::<fzc_io::IoError>(&path, &grid, &options, |_, rows, buf| {
            buf[..rows * 4].fill(1.0);
            Ok(())
        })
        .unwrap();
        path
    };
    for ok in [4326, 4490, 4258] {
        let reader = GeoTiffReader::open(&write(ok)).unwrap();
        assert_eq!(reader.grid().crs, GridCrs::Geographic { epsg: ok });
    }
    let path = write(4214);
    let err = GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("grid-4214.tif")
            && err.contains("GeographicTypeGeoKey (2048) = 4214")
            && err.contains("gdalwarp"),
        "{err}"
    );
}
