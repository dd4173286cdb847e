//! Reader of a sector concordance CSV (`from_sector,to_sector`), METHOD 1.5.

use std::path::Path;

use fzc_ect_mrio::{Concordance, RegionMap};

use crate::region_major::{region_id, sector_id};
use crate::{IoError, Location};

/// Reads a many-to-one sector concordance: a CSV with the header `from_sector,to_sector` and
/// one row per source sector. Target sectors are ordered by first appearance.
///
/// # Errors
/// [`IoError`] naming file and line for a missing column, an empty or padded label, or a
/// source sector mapped to two targets.
pub fn read_concordance(path: &Path) -> Result<Concordance, IoError> {
    let pairs = read_pairs(
        path,
        ("from_sector", "to_sector"),
        "sector",
        "each source sector maps to one target",
        |text, at| sector_id(text, at),
    )?;
    Concordance::new(pairs).map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}

/// Reads a region map CSV (`from_region,to_region`; `docs/formats/concordance.md`): table
/// regions to the study regions they are aggregated into after the accounts.
///
/// # Errors
/// [`IoError`] naming the file, line and column for a missing header column, an empty label,
/// or a region mapped to two targets; an empty map.
pub fn read_region_map(path: &Path) -> Result<RegionMap, IoError> {
    let pairs = read_pairs(
        path,
        ("from_region", "to_region"),
        "region",
        "each table region maps to one study region",
        |text, at| region_id(text, at),
    )?;
    RegionMap::new(pairs).map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}

/// The `(from, to)` label pairs of a many-to-one mapping CSV whose header holds the two
/// `columns` (in any order, among others), each label checked by `label`. A label mapped to
/// two targets is an error naming both lines; `noun` and `rule` word it.
fn read_pairs<T: Clone + Ord + std::fmt::Display>(
    path: &Path,
    columns: (&str, &str),
    noun: &str,
    rule: &str,
    label: impl Fn(&str, &dyn Fn() -> Location) -> Result<T, IoError>,
) -> Result<Vec<(T, T)>, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let source = crate::UnixLines::new(file);
    let lines = source.line_numbers();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(source);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| IoError::structure(Location::line(path, 1), e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let (from_col, to_col) = columns;
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            IoError::structure(
                Location::line(path, 1),
                format!("no column {name:?}; expected the header {from_col},{to_col}"),
            )
        })
    };
    let (fc, tc) = (col(from_col)?, col(to_col)?);
    let mut pairs = Vec::new();
    let mut first_line = std::collections::BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| lines.error(path, e))?;
        let line = lines.line_of(record.position());
        let cell = |c: usize| record.get(c).unwrap_or_default();
        let from = label(cell(fc), &|| Location::cell(path, line, from_col))?;
        let to = label(cell(tc), &|| Location::cell(path, line, to_col))?;
        if let Some((first, first_to)) = first_line.insert(from.clone(), (line, to.clone()))
            && first_to != to
        {
            return Err(IoError::value(
                Location::cell(path, line, to_col),
                &to.to_string(),
                format!("{first_to}, the target of {noun} {from} on line {first}: {rule}"),
            ));
        }
        pairs.push((from, to));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Concordance, IoError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("concordance.csv");
        std::fs::write(&path, text).unwrap();
        read_concordance(&path)
    }

    #[test]
    fn many_to_one_and_repeats_are_fine() {
        let c = read(
            "to_sector,from_sector\nprimary,s01\nsecondary,s02\nsecondary,s03\nsecondary,s03\n",
        )
        .unwrap();
        let target = |s: &str| c.target(&fzc_core::SectorId::new(s).unwrap()).cloned();
        assert_eq!(target("s03").unwrap().as_str(), "secondary");
        assert!(target("s04").is_none());
    }

    #[test]
    fn two_targets_and_bad_headers_are_errors() {
        let err = read("from_sector,to_sector\ns01,a\ns02,b\ns01,b\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 4, column to_sector")
                && err.contains("a, the target of sector s01 on line 2"),
            "{err}"
        );
        let err = read("from,to\ns01,a\n").unwrap_err().to_string();
        assert!(
            err.contains("line 1") && err.contains("from_sector"),
            "{err}"
        );
        let err = read("from_sector,to_sector\n s01,a\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2, column from_sector") && err.contains("white space"),
            "{err}"
        );
    }

    #[test]
    fn region_maps_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regions.csv");
        std::fs::write(&path, "from_region,to_region\nAT,EU27\nDE,EU27\nCN,China\n").unwrap();
        let map = read_region_map(&path).unwrap();
        let r = |s: &str| fzc_core::RegionId::new(s).unwrap();
        assert_eq!(map.target(&r("DE")), Some(&r("EU27")));
        assert!(map.target(&r("US")).is_none());
        std::fs::write(&path, "from_region,to_region\nAT,EU27\nAT,ROW\n").unwrap();
        let err = read_region_map(&path).unwrap_err().to_string();
        assert!(
            err.contains("line 3") && err.contains("ROW") && err.contains("line 2"),
            "{err}"
        );
        std::fs::write(&path, "from,to\nAT,EU27\n").unwrap();
        let err = read_region_map(&path).unwrap_err().to_string();
        assert!(err.contains("from_region,to_region"), "{err}");
    }
}
