//! Hostile inputs: files whose headers claim more than they hold, or nest without end. Each
//! must be refused with an error naming the file, never abort the process.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::io::Write;
use std::path::{Path, PathBuf};

use fzc_io::mat_v5::{MAX_NESTING_DEPTH, read_mat_file};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

// ---- MAT v5 -------------------------------------------------------------------------------

fn mat_header() -> Vec<u8> {
    let mut h = b"MATLAB 5.0 MAT-file, hostile test".to_vec();
    h.resize(124, b' ');
    h.extend_from_slice(&0x0100u16.to_le_bytes());
    h.extend_from_slice(b"IM");
    h
}

fn element(dtype: u32, data: &[u8]) -> Vec<u8> {
    let mut e = dtype.to_le_bytes().to_vec();
    e.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    e.extend_from_slice(data);
    if dtype != 15 {
        // miCOMPRESSED elements are not padded.
        e.resize(8 + data.len().div_ceil(8) * 8, 0);
    }
    e
}

/// A cell array `name` of `dims` holding `items` (each a full miMATRIX element).
fn cell(dims: &[u32], items: &[u8]) -> Vec<u8> {
    let mut body = element(6, &[1u32.to_le_bytes(), 0u32.to_le_bytes()].concat()); // flags: cell
    let dims: Vec<u8> = dims.iter().flat_map(|d| d.to_le_bytes()).collect();
    body.extend(element(5, &dims)); // miINT32 dims
    body.extend(element(1, b"c")); // name
    body.extend_from_slice(items);
    element(14, &body)
}

fn double(value: f64) -> Vec<u8> {
    let mut body = element(6, &[6u32.to_le_bytes(), 0u32.to_le_bytes()].concat());
    body.extend(element(
        5,
        &[1u32.to_le_bytes(), 1u32.to_le_bytes()].concat(),
    ));
    body.extend(element(1, b"x"));
    body.extend(element(9, &value.to_le_bytes()));
    element(14, &body)
}

fn nested_cells(depth: usize) -> Vec<u8> {
    let mut m = double(1.0);
    for _ in 0..depth {
        m = cell(&[1, 1], &m);
    }
    m
}

#[test]
fn deeply_nested_mat_cells_are_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    // About 40 KB of nested 1×1 cells: thousands of levels.
    let mut bytes = mat_header();
    bytes.extend(nested_cells(800));
    assert!(bytes.len() > 40_000, "{}", bytes.len());
    let path = write(dir.path(), "nested.mat", &bytes);
    let err = read_mat_file(&path).unwrap_err().to_string();
    assert!(err.contains("nested.mat"), "{err}");
    assert!(err.contains("nested more than"), "{err}");

    // Nesting up to the cap is still read.
    let mut ok = mat_header();
    ok.extend(nested_cells(MAX_NESTING_DEPTH));
    let path = write(dir.path(), "ok.mat", &ok);
    assert_eq!(read_mat_file(&path).unwrap().len(), 1);
}

#[test]
fn a_mat_cell_declaring_more_items_than_bytes_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = mat_header();
    // 2^31 × 2^31 items in a few bytes: would reserve exabytes (or overflow the count).
    bytes.extend(cell(&[0x7fff_ffff, 0x7fff_ffff], &double(1.0)));
    let path = write(dir.path(), "huge-cell.mat", &bytes);
    let err = read_mat_file(&path).unwrap_err().to_string();
    assert!(err.contains("huge-cell.mat"), "{err}");
    assert!(err.contains("items, but only"), "{err}");
}

#[test]
fn a_zlib_bomb_is_cut_at_the_size_its_array_tag_declares() {
    let dir = tempfile::tempdir().unwrap();
    // The inflated stream: a valid 1×1 double, then 64 MB of zeros the tag does not declare.
    let inner = double(2.0);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&inner).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        z.write_all(&zeros).unwrap();
    }
    let compressed = z.finish().unwrap();
    assert!(compressed.len() < 200_000);
    let mut bytes = mat_header();
    bytes.extend(element(15, &compressed));
    let path = write(dir.path(), "bomb.mat", &bytes);
    let err = read_mat_file(&path).unwrap_err().to_string();
    assert!(err.contains("bomb.mat"), "{err}");
    assert!(err.contains("inflates past"), "{err}");

    // The same element without the padding bomb reads.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&inner).unwrap();
    let mut bytes = mat_header();
    bytes.extend(element(15, &z.finish().unwrap()));
    let path = write(dir.path(), "fine.mat", &bytes);
    assert_eq!(read_mat_file(&path).unwrap().len(), 1);
}

// ---- GeoTIFF ------------------------------------------------------------------------------

/// A little-endian baseline TIFF: one 8-bit grey strip of `data`, declaring `width × height`
/// and `compression`, with the byte count `data.len()`.
fn tiff(width: u32, height: u32, compression: u16, data: &[u8]) -> Vec<u8> {
    let entries: Vec<(u16, u16, u32)> = vec![
        (256, 4, width),  // ImageWidth (LONG)
        (257, 4, height), // ImageLength
        (258, 3, 8),      // BitsPerSample
        (259, 3, u32::from(compression)),
        (262, 3, 1),                                  // Photometric: BlackIsZero
        (273, 4, 0),                                  // StripOffsets (patched below)
        (277, 3, 1),                                  // SamplesPerPixel
        (278, 4, height),                             // RowsPerStrip
        (279, 4, u32::try_from(data.len()).unwrap()), // StripByteCounts
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_offset = u32::try_from(8 + ifd_len).unwrap();
    let mut b = b"II".to_vec();
    b.extend_from_slice(&42u16.to_le_bytes());
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&u16::try_from(entries.len()).unwrap().to_le_bytes());
    for (tag, kind, value) in entries {
        let value = if tag == 273 { data_offset } else { value };
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&kind.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        if kind == 3 {
            b.extend_from_slice(&u16::try_from(value).unwrap().to_le_bytes());
            b.extend_from_slice(&[0, 0]);
        } else {
            b.extend_from_slice(&value.to_le_bytes());
        }
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn a_tiny_geotiff_declaring_a_huge_width_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = tiff(3_000_000_000, 1, 1, &[0u8; 400]);
    assert!(bytes.len() < 600);
    let path = write(dir.path(), "wide.tif", &bytes);
    let err = fzc_io::GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("wide.tif"), "{err}");
    assert!(err.contains("3000000000 × 1"), "{err}");
    assert!(err.contains("StripByteCounts hold 400 bytes"), "{err}");

    // Compressed data is believed up to the stated ratio, and no further.
    let bytes = tiff(3_000_000_000, 1, 8, &[0u8; 400]);
    let path = write(dir.path(), "wide-deflate.tif", &bytes);
    let err = fzc_io::GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("at most 4096:1"), "{err}");

    // Byte counts beyond the file are refused too.
    let mut bytes = tiff(20, 20, 1, &[0u8; 400]);
    bytes.truncate(bytes.len() - 100);
    let path = write(dir.path(), "short.tif", &bytes);
    let err = fzc_io::GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("but the file has"), "{err}");

    // A matching size passes the check and fails later for lack of georeferencing.
    let path = write(dir.path(), "fine.tif", &tiff(20, 20, 1, &[0u8; 400]));
    let err = fzc_io::GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("GeoKeyDirectory"), "{err}");
}

#[test]
fn a_window_over_the_memory_budget_names_the_variable_that_raises_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("any.tif");
    // The default budget (4 GiB) refuses a 10⁹ × 10⁹ window, naming the variable.
    let err = fzc_io::check_budget(&path, "a window", 1_000_000_000_000_000_000)
        .unwrap_err()
        .to_string();
    assert!(err.contains("any.tif"), "{err}");
    assert!(err.contains(fzc_io::MEMORY_BUDGET_ENV), "{err}");
    assert!(fzc_io::check_budget(&path, "a window", 1 << 20).is_ok());
}

/// A 2 × 2 lon/lat GeoTIFF written by fzc, then its GeographicTypeGeoKey (written as 4326)
/// set to `code`.
fn geotiff_with_geographic_key(dir: &Path, name: &str, code: u16) -> PathBuf {
    let path = dir.join(name);
    let grid = fzc_core::RasterGrid {
        width: 2,
        height: 2,
        transform: fzc_core::GeoTransform {
            x0: 116.0,
            dx: 0.01,
            y0: 40.0,
            dy: -0.01,
        },
        crs: fzc_core::GridCrs::WGS84,
    };
    let options = fzc_io::GeoTiffWriteOptions::default();
    fzc_io::write_geotiff::<fzc_io::IoError>(&path, &grid, &options, |_, _, buf| {
        buf.fill(1.0);
        Ok(())
    })
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let key: Vec<u8> = [2048u16, 0, 1, 4326]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let at = bytes.windows(8).position(|w| w == key.as_slice()).unwrap();
    bytes[at + 6..at + 8].copy_from_slice(&code.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_geotiff_without_an_epsg_code_needs_a_named_crs() {
    use fzc_core::GridCrs;
    use fzc_io::GeoTiffReader;
    let dir = tempfile::tempdir().unwrap();

    // User-defined (32767), as MODIS writes: refused, naming the file, the key and its value.
    let path = geotiff_with_geographic_key(dir.path(), "modis.tif", 32767);
    let err = GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("modis.tif"), "{err}");
    assert!(err.contains("GeographicTypeGeoKey (2048) = 32767"), "{err}");
    assert!(err.contains("--raster-crs"), "{err}");
    // Named by the caller: taken.
    let r = GeoTiffReader::open_with_crs(&path, Some(GridCrs::WGS84)).unwrap();
    assert_eq!(r.grid().crs, GridCrs::WGS84);

    // A geographic code fzc does not know (Beijing 1954, Krassowsky ellipsoid): refused,
    // naming the code and what is accepted; a named CRS reads it.
    let path = geotiff_with_geographic_key(dir.path(), "beijing54.tif", 4214);
    let err = GeoTiffReader::open(&path).unwrap_err().to_string();
    assert!(err.contains("beijing54.tif"), "{err}");
    assert!(
        err.contains("EPSG:4214 is a geographic CRS fzc does not know"),
        "{err}"
    );
    assert!(err.contains("EPSG:4490 (CGCS2000)"), "{err}");
    let r = GeoTiffReader::open_with_crs(&path, Some(GridCrs::WGS84)).unwrap();
    assert_eq!(r.grid().crs, GridCrs::WGS84);

    // CGCS2000 is known: read as itself, with or without a matching named CRS.
    let path = geotiff_with_geographic_key(dir.path(), "cgcs2000.tif", 4490);
    let cgcs = GridCrs::Geographic { epsg: 4490 };
    assert_eq!(GeoTiffReader::open(&path).unwrap().grid().crs, cgcs);
    assert_eq!(
        GeoTiffReader::open_with_crs(&path, Some(cgcs))
            .unwrap()
            .grid()
            .crs,
        cgcs
    );
    // A named CRS that contradicts the keys is refused.
    let err = GeoTiffReader::open_with_crs(&path, Some(GridCrs::WGS84))
        .unwrap_err()
        .to_string();
    assert!(err.contains("the GeoKeys give EPSG:4490"), "{err}");
}

#[test]
fn a_named_raster_crs_is_checked() {
    use fzc_core::GridCrs;
    use fzc_io::parse_raster_crs;
    assert_eq!(parse_raster_crs("EPSG:4326").unwrap(), GridCrs::WGS84);
    assert_eq!(
        parse_raster_crs(" epsg:4490 ").unwrap(),
        GridCrs::Geographic { epsg: 4490 }
    );
    assert_eq!(
        parse_raster_crs("EPSG:32650").unwrap(),
        GridCrs::Projected { epsg: 32650 }
    );
    let err = parse_raster_crs("EPSG:4214").unwrap_err();
    assert!(
        err.contains("EPSG:4214 is a geographic CRS fzc does not know"),
        "{err}"
    );
    let err = parse_raster_crs("EPSG:4978").unwrap_err();
    assert!(err.contains("geocentric"), "{err}");
    for bad in ["4326", "WGS84", "EPSG:", "EPSG:0", "EPSG:99999999"] {
        let err = parse_raster_crs(bad).unwrap_err();
        assert!(err.contains("expected EPSG:<code>"), "{bad}: {err}");
    }
}

// ---- GeoJSON regions ----------------------------------------------------------------------

fn collection(properties: &[&str]) -> String {
    let features: Vec<String> = properties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = i as f64;
            format!(
                r#"{{"type":"Feature","properties":{p},"geometry":{{"type":"Polygon","coordinates":[[[{x},0],[{x1},0],[{x1},1],[{x},1],[{x},0]]]}}}}"#,
                x1 = x + 1.0
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

#[test]
fn a_feature_collection_without_id_field_is_not_merged_into_one_region() {
    let dir = tempfile::tempdir().unwrap();
    let ids = |path: &Path| -> Vec<String> {
        fzc_io::read_geojson_regions(path, None)
            .unwrap()
            .iter()
            .map(|(id, _)| id.as_str().to_owned())
            .collect()
    };
    // `id` is the first default.
    let path = write(
        dir.path(),
        "cities.geojson",
        collection(&[
            r#"{"id":"a","name":"Alpha"}"#,
            r#"{"id":"b","name":"Beta"}"#,
            r#"{"id":"c","name":"Gamma"}"#,
        ])
        .as_bytes(),
    );
    assert_eq!(ids(&path), ["a", "b", "c"]);
    // `name` when not every feature has an `id`.
    let path = write(
        dir.path(),
        "named.geojson",
        collection(&[r#"{"id":"a","name":"Alpha"}"#, r#"{"name":"Beta"}"#]).as_bytes(),
    );
    assert_eq!(ids(&path), ["Alpha", "Beta"]);
    // Neither: refused, listing the candidates.
    let path = write(
        dir.path(),
        "anon.geojson",
        collection(&[r#"{"code":1,"label":"x"}"#, r#"{"code":2}"#]).as_bytes(),
    );
    let err = fzc_io::read_geojson_regions(&path, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("anon.geojson"), "{err}");
    assert!(err.contains("code, label"), "{err}");
    assert!(err.contains("--id-field"), "{err}");
    // One feature is still one region named by the file stem.
    let path = write(
        dir.path(),
        "single.geojson",
        collection(&[r#"{"code":1}"#]).as_bytes(),
    );
    assert_eq!(ids(&path), ["single"]);
}
