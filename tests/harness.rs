//! Fuzz harnesses: bytes in, a reader called, `Err` ignored, a panic only for a bug.
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` are one-line wrappers of these functions,
//! and `tests/tests/fuzz_replay.rs` feeds every committed corpus and regression file through
//! them under `cargo test`, so a crasher found once stays fixed.
//!
//! Every reader takes a path, so each call writes its input to a fresh temporary directory
//! (under `/dev/shm` when it exists: no disk IO per execution) that is removed afterwards.
//!
//! **Multi-file inputs** (a pymrio folder, an MRIO CSV set, a Shapefile triple, a scenario
//! with its tables) are an *archive*: a sequence of entries, each starting with a line
//! `@@@ <relative path>` at the start of the input or of a line, its contents running to the
//! newline before the next such line. Bytes before the first entry are ignored. A path is
//! 1 to 3 components of `[A-Za-z0-9._-]` (not `.` or `..`); an entry with another path is
//! skipped, so the harness never writes outside its directory. At most [`MAX_ENTRIES`]
//! entries are written.

use std::path::{Path, PathBuf};

/// The entry marker of an archive input (at the start of the input or after a newline).
pub const MARKER: &[u8] = b"@@@ ";

/// At most this many archive entries are written; the rest are ignored.
pub const MAX_ENTRIES: usize = 16;

/// A fuzz target: its name (the directory under `fuzz/corpus/`) and its harness.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target, in the order `fuzz/run.sh` runs them.
pub const TARGETS: &[Target] = &[
    ("geotiff", geotiff),
    ("mat_v5", mat_v5),
    ("ceads_mat", ceads_mat),
    ("pymrio_folder", pymrio_folder),
    ("mrio_csv", mrio_csv),
    ("geojson_regions", geojson_regions),
    ("shapefile_regions", shapefile_regions),
    ("scenario_toml", scenario_toml),
    ("csv_tables", csv_tables),
    ("mrio_zip", mrio_zip),
    ("oecd_icio", oecd_icio),
    ("eora26", eora26),
    ("mat_v73", mat_v73),
    ("gloria", gloria),
    ("ceads_xlsx", ceads_xlsx),
];

/// Splits an archive input into `(relative path, contents)` entries (see the module docs).
pub fn split_archive(data: &[u8]) -> Vec<(PathBuf, &[u8])> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + MARKER.len() <= data.len() {
        if (i == 0 || data[i - 1] == b'\n') && data[i..].starts_with(MARKER) {
            starts.push(i);
            i += MARKER.len();
        } else {
            i += 1;
        }
    }
    let mut entries = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        if entries.len() == MAX_ENTRIES {
            break;
        }
        let end = starts.get(k + 1).map_or(data.len(), |&next| next - 1);
        let body = &data[start + MARKER.len()..end.max(start + MARKER.len())];
        let (name, contents) = match body.iter().position(|&b| b == b'\n') {
            Some(nl) => (&body[..nl], &body[nl + 1..]),
            None => (body, &body[body.len()..]),
        };
        if let Some(path) = safe_relative_path(name) {
            entries.push((path, contents));
        }
    }
    entries
}

/// `name` as a relative path of 1 to 3 plain components, or `None`.
fn safe_relative_path(name: &[u8]) -> Option<PathBuf> {
    let name = std::str::from_utf8(name).ok()?;
    let parts: Vec<&str> = name.split('/').collect();
    let plain = |p: &&str| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && p.len() <= 64
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    (parts.len() <= 3 && parts.iter().all(plain)).then(|| parts.iter().collect())
}

/// A fresh temporary directory, in memory when `/dev/shm` exists.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::Builder::new().prefix("fzc-fuzz").tempdir_in(shm)
    } else {
        tempfile::Builder::new().prefix("fzc-fuzz").tempdir()
    };
    // The harness's own environment, not user data: without a scratch directory nothing runs.
    #[allow(clippy::expect_used)]
    dir.expect("a scratch directory for the fuzz harness")
}

/// Writes `data` to `dir/name`.
fn put(dir: &Path, name: &Path, data: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    // A failed write (say, a name that is also a directory) leaves the file missing, which the
    // reader reports as an error: an input like any other.
    let _ = std::fs::write(path, data);
}

/// Writes an archive input into a fresh directory.
pub fn unpack(data: &[u8]) -> tempfile::TempDir {
    let dir = scratch();
    for (name, contents) in split_archive(data) {
        put(dir.path(), &name, contents);
    }
    dir
}

/// The id field to pass to a region reader: the archive entry `id_field`, or `id`.
fn id_field(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("id_field"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "id".to_owned())
}

/// Asserts the invariants every MRIO reader promises for what it returns.
fn check_mrio(data: &fzc_io::MrioData) {
    let t = &data.table;
    let n = t.regions.len() * t.sectors.len();
    assert_eq!(t.z.nrows(), n, "Z rows = regions x sectors");
    assert_eq!(t.z.ncols(), n, "Z is square");
    for j in 0..t.z.ncols() {
        for i in 0..t.z.nrows() {
            assert!(t.z[(i, j)].is_finite(), "Z[{i},{j}] not finite");
        }
    }
}

/// A GeoTIFF file: opened, then every row read.
pub fn geotiff(data: &[u8]) {
    let dir = scratch();
    let path = dir.path().join("grid.tif");
    put(dir.path(), Path::new("grid.tif"), data);
    if let Ok(mut reader) = fzc_io::GeoTiffReader::open(&path) {
        let cells = reader.grid().width * reader.grid().height;
        if let Ok(values) = reader.read_all() {
            assert_eq!(
                values.len(),
                cells,
                "read_all returns width x height values"
            );
        }
    }
}

/// A MATLAB v5/v7 file, through the MAT parser.
pub fn mat_v5(data: &[u8]) {
    let dir = scratch();
    let path = dir.path().join("table.mat");
    put(dir.path(), Path::new("table.mat"), data);
    let _ = fzc_io::mat_v5::read_mat_file(&path);
}

/// An archive: `mrio.mat`, `emissions.csv` and, optionally, `city_names.csv`.
pub fn ceads_mat(data: &[u8]) {
    let dir = unpack(data);
    let d = dir.path();
    let names = d.join("city_names.csv");
    let names = names.exists().then_some(names);
    if let Ok(mrio) = fzc_io::read_ceads_mat(
        &d.join("mrio.mat"),
        &d.join("emissions.csv"),
        names.as_deref(),
    ) {
        check_mrio(&mrio);
    }
}

/// An archive: a pymrio `save_all` folder (`file_parameters.json`, `Z.txt`, …).
pub fn pymrio_folder(data: &[u8]) {
    let dir = unpack(data);
    if let Ok(mrio) = fzc_io::read_pymrio_folder(dir.path()) {
        check_mrio(&mrio);
    }
}

/// An archive: the long CSV set (`Z.csv`, `Y.csv`, `emissions.csv`, …).
pub fn mrio_csv(data: &[u8]) {
    let dir = unpack(data);
    if let Ok(mrio) = fzc_io::read_mrio_csv(dir.path()) {
        check_mrio(&mrio);
    }
}

/// A GeoJSON file, read with the id field `id` and as one region named by its stem.
pub fn geojson_regions(data: &[u8]) {
    let dir = scratch();
    let path = dir.path().join("regions.geojson");
    put(dir.path(), Path::new("regions.geojson"), data);
    let _ = fzc_io::read_geojson_regions(&path, Some("id"));
    let _ = fzc_io::read_geojson_regions(&path, None);
}

/// An archive: `regions.shp`, `regions.shx`, `regions.dbf`, optionally `regions.cpg`,
/// `regions.prj` and `id_field` (the attribute to read ids from; default `id`).
pub fn shapefile_regions(data: &[u8]) {
    let dir = unpack(data);
    let shp = dir.path().join("regions.shp");
    let field = id_field(dir.path());
    let _ = fzc_io::read_shapefile_regions(&shp, Some(&field));
    let _ = fzc_io::read_shapefile_regions(&shp, None);
}

/// An archive: `scenario.toml` and the tables it names (standards, economy, ECT, CSSF, …).
pub fn scenario_toml(data: &[u8]) {
    let dir = unpack(data);
    let source = fzc_scenario::ScenarioSource::File(dir.path().join("scenario.toml"));
    let _ = fzc_scenario::load(&source);
}

/// One CSV table; the first byte picks the reader, the rest is the file.
pub fn csv_tables(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let dir = scratch();
    let path = dir.path().join("table.csv");
    put(dir.path(), Path::new("table.csv"), body);
    match which % 8 {
        0 => {
            let _ = fzc_io::read_carbon_pools(&path);
        }
        1 => {
            let _ = fzc_io::read_class_map(&path);
        }
        2 => {
            if let Ok(weights) = fzc_io::read_class_weights(&path) {
                assert!(weights.values().all(|w| w.is_finite()), "weight not finite");
            }
        }
        3 => {
            let _ = fzc_io::read_region_balance(&path);
        }
        4 => {
            let _ = fzc_io::read_region_emissions(&path, fzc_core::MassUnit::Tonne);
        }
        5 => {
            let _ = fzc_io::read_region_emissions(&path, fzc_core::MassUnit::TenThousandTonnes);
        }
        6 => {
            if let Ok(census) = fzc_io::read_census(&path) {
                assert!(
                    census.iter().all(|(_, v)| v.is_finite()),
                    "census not finite"
                );
            }
        }
        _ => {
            let _ = fzc_io::read_concordance(&path);
        }
    }
}

/// A zip archive as an EXIOBASE 3 download (`IOT_2022_pxp.zip`), through format detection:
/// the pymrio/EXIOBASE zip reader.
pub fn mrio_zip(data: &[u8]) {
    let dir = scratch();
    put(dir.path(), Path::new("IOT_2022_pxp.zip"), data);
    if let Ok(mrio) = fzc_io::read_mrio(
        &dir.path().join("IOT_2022_pxp.zip"),
        None,
        &fzc_io::SideFiles::default(),
    ) {
        check_mrio(&mrio);
    }
}

/// An archive: `ICIO2023_2019.csv` (or `.zip`) and `emissions.csv`, through detection.
pub fn oecd_icio(data: &[u8]) {
    let dir = unpack(data);
    let d = dir.path();
    let table = if d.join("ICIO2023_2019.zip").exists() {
        d.join("ICIO2023_2019.zip")
    } else {
        d.join("ICIO2023_2019.csv")
    };
    let side = fzc_io::SideFiles {
        emissions: Some(d.join("emissions.csv")),
        city_names: None,
    };
    if let Ok(mrio) = fzc_io::read_mrio(&table, None, &side) {
        check_mrio(&mrio);
    }
}

/// A zip archive as an Eora26 download (`Eora26_2015_bp.zip`).
pub fn eora26(data: &[u8]) {
    let dir = scratch();
    put(dir.path(), Path::new("Eora26_2015_bp.zip"), data);
    if let Ok(mrio) = fzc_io::read_eora26(&dir.path().join("Eora26_2015_bp.zip")) {
        check_mrio(&mrio);
    }
}

/// An archive holding a GLORIA release (`GLORIA_MRIOs_59_2022.zip`,
/// `GLORIA_SatelliteAccounts_059_2022.zip`, `GLORIA_ReadMe_059.xlsx`), read from its folder
/// through detection: the two zips, the comma-separated tables in them and the xlsx labels.
pub fn gloria(data: &[u8]) {
    let dir = unpack(data);
    if let Ok(mrio) = fzc_io::read_mrio(dir.path(), None, &fzc_io::SideFiles::default()) {
        check_mrio(&mrio);
    }
}

/// A CEADs provincial MRIO workbook (`.xlsx`): the workbook zip, its sheets' XML through
/// calamine, and the table's layout.
pub fn ceads_xlsx(data: &[u8]) {
    let dir = scratch();
    put(dir.path(), Path::new("provinces.xlsx"), data);
    if let Ok(mrio) = fzc_io::read_ceads_xlsx(&dir.path().join("provinces.xlsx"), None) {
        check_mrio(&mrio);
    }
}

/// A MATLAB v7.3 (HDF5) file through the CEADs reader (no emissions file: the MAT-file is
/// read first, and that is what is fuzzed).
pub fn mat_v73(data: &[u8]) {
    let dir = scratch();
    put(dir.path(), Path::new("table.mat"), data);
    let _ = fzc_io::read_ceads_mat(
        &dir.path().join("table.mat"),
        &dir.path().join("emissions.csv"),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_entries_split_at_markers_and_unsafe_paths_are_skipped() {
        let input = b"junk\n@@@ a.csv\nx,y\n1,2\n@@@ ../evil\nno\n@@@ sub/b.txt\nB";
        let entries = split_archive(input);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], (PathBuf::from("a.csv"), &b"x,y\n1,2"[..]));
        assert_eq!(entries[1], (PathBuf::from("sub/b.txt"), &b"B"[..]));
        assert!(split_archive(b"@@@ /abs\nx").is_empty());
        assert!(split_archive(b"@@@ a/b/c/d\nx").is_empty());
        assert_eq!(split_archive(b"@@@ e\n")[0].1, b"");
        assert_eq!(split_archive(b"@@@ e")[0].1, b"");
    }
}
