//! Carbon pools (InVEST biophysical table) and land-use class mappings.

use std::collections::BTreeMap;
use std::path::Path;

use fzc_cssf_flow::CarbonPools;

use crate::csv_columns::ColumnCsv;
use crate::{IoError, Location};

const POOL_COLUMNS: &str = "lucode,c_above,c_below,c_soil,c_dead";

/// Reads an InVEST carbon biophysical table: columns `lucode,c_above,c_below,c_soil,c_dead`
/// (t C/ha), in any order, with any other columns (e.g. `LULC_Name`) ignored.
///
/// # Units
/// Densities in t C/ha, as written.
///
/// # Errors
/// [`IoError`] naming the file, line and column for a missing column, a value that is not a
/// finite number ≥ 0, a class code that is not an integer, or a class listed twice.
pub fn read_carbon_pools(path: &Path) -> Result<BTreeMap<i64, CarbonPools>, IoError> {
    let t = ColumnCsv::read(path)?;
    let code = t.require("lucode", POOL_COLUMNS)?;
    let cols = [
        t.require("c_above", POOL_COLUMNS)?,
        t.require("c_below", POOL_COLUMNS)?,
        t.require("c_soil", POOL_COLUMNS)?,
        t.require("c_dead", POOL_COLUMNS)?,
    ];
    let mut out = BTreeMap::new();
    for row in &t.rows {
        let class = t.class(row, code)?;
        let mut v = [0.0; 4];
        for (k, &c) in cols.iter().enumerate() {
            v[k] = t.number(row, c, "a carbon density in t C/ha (a finite number ≥ 0)")?;
            if v[k] < 0.0 {
                return Err(IoError::value(
                    Location::cell(path, row.0, t.headers[c].clone()),
                    t.text(row, c),
                    "a carbon density in t C/ha (a finite number ≥ 0)",
                ));
            }
        }
        let pools = CarbonPools {
            c_above: v[0],
            c_below: v[1],
            c_soil: v[2],
            c_dead: v[3],
        };
        if out.insert(class, pools).is_some() {
            return Err(IoError::value(
                Location::cell(path, row.0, "lucode"),
                t.text(row, code),
                "each lucode once",
            ));
        }
    }
    if out.is_empty() {
        return Err(IoError::structure(
            Location::file(path),
            "no rows: expected one row per land-use class",
        ));
    }
    Ok(out)
}

/// Reads a land-use class mapping: columns `from_class,to_class` (other columns, e.g. names
/// or notes, ignored). Each `from_class` once.
///
/// # Errors
/// [`IoError`] naming the file, line and column for a missing column, a code that is not an
/// integer, or a `from_class` listed twice.
pub fn read_class_map(path: &Path) -> Result<BTreeMap<i64, i64>, IoError> {
    let t = ColumnCsv::read(path)?;
    let from = t.require("from_class", "from_class,to_class")?;
    let to = t.require("to_class", "from_class,to_class")?;
    let mut out = BTreeMap::new();
    for row in &t.rows {
        let (a, b) = (t.class(row, from)?, t.class(row, to)?);
        if out.insert(a, b).is_some() {
            return Err(IoError::value(
                Location::cell(path, row.0, "from_class"),
                t.text(row, from),
                "each from_class once",
            ));
        }
    }
    Ok(out)
}

/// Reads per-class weights: columns `class,weight` (weight a finite number ≥ 0), e.g. the
/// relative population densities of the dasymetric demand estimator.
///
/// # Errors
/// [`IoError`] naming the file, line and column for a missing column, a bad code or weight,
/// or a class listed twice.
pub fn read_class_weights(path: &Path) -> Result<BTreeMap<i64, f64>, IoError> {
    let t = ColumnCsv::read(path)?;
    let class = t.require("class", "class,weight")?;
    let weight = t.require("weight", "class,weight")?;
    let mut out = BTreeMap::new();
    for row in &t.rows {
        let c = t.class(row, class)?;
        let w = t.number(row, weight, "a weight ≥ 0")?;
        if w < 0.0 || out.insert(c, w).is_some() {
            return Err(IoError::value(
                Location::cell(path, row.0, "weight"),
                t.text(row, weight),
                "a weight ≥ 0, each class once",
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn invest_table_reads_as_is_with_extra_columns() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "p.csv",
            "LULC_Name,lucode,c_above,c_below,c_soil,c_dead,notes\nforest,2,69.6,21,151.4,3.85,x\n",
        );
        let t = read_carbon_pools(&p).unwrap();
        assert!((t[&2].total_t_c_per_ha() - 245.85).abs() < 1e-9);
    }

    #[test]
    fn wrong_pools_columns_name_the_file_and_the_expected_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "pools.csv",
            "lucode,above,c_below,c_soil,c_dead\n1,1,2,3,4\n",
        );
        let e = read_carbon_pools(&p).unwrap_err().to_string();
        assert!(
            e.contains("pools.csv") && e.contains("c_above") && e.contains(POOL_COLUMNS),
            "{e}"
        );
        let p = write(
            &dir,
            "neg.csv",
            "lucode,c_above,c_below,c_soil,c_dead\n1,1,-2,3,4\n",
        );
        let e = read_carbon_pools(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("c_below"), "{e}");
    }

    #[test]
    fn class_map_rejects_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "m.csv", "from_class,to_class\n1,2\n1,3\n");
        let e = read_class_map(&p).unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
    }
}
