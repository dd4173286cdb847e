//! A Shapefile whose `.dbf` holds Chinese names in GBK, with the code page named in the
//! `.cpg` (fixture from `crates/io/tests/fixtures/geo/make_reprojection.py`, written by pyshp).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::{Path, PathBuf};

use fzc_io::read_shapefile_regions;

fn fixture_copy(cpg: &str) -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo/gbk-cities");
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "prj"] {
        let name = format!("cities.{ext}");
        std::fs::copy(src.join(&name), dir.path().join(&name)).unwrap();
    }
    std::fs::write(dir.path().join("cities.cpg"), cpg).unwrap();
    let shp = dir.path().join("cities.shp");
    (dir, shp)
}

fn names(shp: &Path) -> Result<Vec<String>, String> {
    read_shapefile_regions(shp, Some("name"))
        .map(|regions| {
            regions
                .iter()
                .map(|(id, _)| id.as_str().to_owned())
                .collect()
        })
        .map_err(|e| e.to_string())
}

fn expected() -> Vec<String> {
    let mut names: Vec<String> = ["北京", "天津", "石家庄"].map(str::to_owned).to_vec();
    names.sort();
    names
}

#[test]
fn gbk_names_are_decoded_with_every_spelling_of_the_code_page() {
    // The committed .cpg says GBK; 936 and CP936 are the Windows code-page spellings.
    for cpg in ["GBK", "936", "CP936", "gbk\r\n"] {
        let (_dir, shp) = fixture_copy(cpg);
        assert_eq!(names(&shp).unwrap(), expected(), ".cpg {cpg:?}");
    }
}

#[test]
fn the_committed_cpg_says_gbk_and_the_bytes_are_gbk() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo/gbk-cities");
    assert_eq!(
        std::fs::read_to_string(dir.join("cities.cpg")).unwrap(),
        "GBK"
    );
    let dbf = std::fs::read(dir.join("cities.dbf")).unwrap();
    // 北京 in GBK is B1 B1 BE A9 (in UTF-8 it would be E5 8C 97 E4 BA AC).
    assert!(dbf.windows(4).any(|w| w == [0xB1, 0xB1, 0xBE, 0xA9]));
    assert_eq!(names(&dir.join("cities.shp")).unwrap(), expected());
}

#[test]
fn gbk_text_under_a_utf8_cpg_is_an_error_naming_the_dbf_and_record() {
    // The control: the .cpg is what makes the names right; with the wrong one the names do
    // not decode, and that is said, not passed on as garbled ids.
    let (_dir, shp) = fixture_copy("UTF-8");
    let err = names(&shp).unwrap_err();
    assert!(
        err.contains("cities.dbf") && err.contains("record 0") && err.contains("UTF-8"),
        "{err}"
    );
}

#[test]
fn an_unknown_code_page_is_named_as_such() {
    let (_dir, shp) = fixture_copy("KLINGON-8");
    let err = names(&shp).unwrap_err();
    assert!(
        err.contains("cities.cpg") && err.contains("KLINGON-8") && err.contains("GBK (936"),
        "{err}"
    );
}

#[test]
fn a_truncated_dbf_is_a_readable_error_naming_the_dbf() {
    let (dir, shp) = fixture_copy("GBK");
    let dbf = dir.path().join("cities.dbf");
    let bytes = std::fs::read(&dbf).unwrap();
    std::fs::write(&dbf, &bytes[..bytes.len() - 20]).unwrap();
    let err = names(&shp).unwrap_err();
    assert!(
        err.contains("cities.dbf")
            && err.contains("truncated or damaged")
            && !err.contains("DbaseError"),
        "{err}"
    );
    std::fs::remove_file(&dbf).unwrap();
    let err = names(&shp).unwrap_err();
    assert!(
        err.contains("cities.dbf") && err.contains("no attribute table"),
        "{err}"
    );
}
