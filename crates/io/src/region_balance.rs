//! The region balance table of `fzc cssf flows`: `region,supply,demand[,core_lon,core_lat]`.

use std::path::Path;

use fzc_core::{LonLat, RegionId};

use crate::{IoError, Location};

/// One row of a region balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBalanceRow {
    /// The region.
    pub id: RegionId,
    /// Carbon sequestration service supply, in the table's unit.
    pub supply: f64,
    /// Carbon sequestration service demand, in the table's unit.
    pub demand: f64,
    /// The given core (degrees), when the table has `core_lon,core_lat` and the row fills
    /// them.
    pub core: Option<LonLat>,
}

/// Reads a region balance table: a CSV file with the header `region,supply,demand` and
/// optionally `core_lon,core_lat` (WGS84 degrees). Other columns are ignored. Rows are
/// returned sorted by region.
///
/// # Units
/// Supply and demand are returned as written (the caller applies the table's mass unit).
///
/// # Errors
/// [`IoError`] naming the file, line and column: a missing required column, a value that is
/// not a finite number ≥ 0, a core that is only half given or out of range, an invalid or
/// duplicate region id.
pub fn read_region_balance(path: &Path) -> Result<Vec<RegionBalanceRow>, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let source = crate::UnixLines::new(file);
    let lines = source.line_numbers();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(source);
    let headers = reader
        .headers()
        .map_err(|e| IoError::structure(Location::line(path, 1), e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| {
            IoError::structure(
                Location::line(path, 1),
                format!(
                    "no column `{name}`; expected the header region,supply,demand[,core_lon,core_lat], found {}",
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            )
        })
    };
    let (c_region, c_supply, c_demand) = (
        required("region")?,
        required("supply")?,
        required("demand")?,
    );
    let core_columns = match (column("core_lon"), column("core_lat")) {
        (Some(lon), Some(lat)) => Some((lon, lat)),
        (None, None) => None,
        _ => {
            return Err(IoError::structure(
                Location::line(path, 1),
                "only one of core_lon, core_lat; give both or neither",
            ));
        }
    };
    let mut rows: Vec<(RegionBalanceRow, usize)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| lines.error(path, e))?;
        let line = lines.line_of(record.position());
        let cell = |c: usize| record.get(c).unwrap_or("");
        let name = cell(c_region);
        let id = RegionId::new(name).map_err(|e| {
            IoError::value(Location::cell(path, line, "region"), name, e.to_string())
        })?;
        let number = |c: usize, header: &str, range: (f64, f64)| {
            let text = cell(c);
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= range.0 && *v <= range.1)
                .ok_or_else(|| {
                    IoError::value(
                        Location::cell(path, line, header),
                        text,
                        if range.1 == f64::MAX {
                            format!("a finite number ≥ {} for region `{id}`", range.0)
                        } else {
                            format!("a number in [{}, {}] for region `{id}`", range.0, range.1)
                        },
                    )
                })
        };
        let supply = number(c_supply, "supply", (0.0, f64::MAX))?;
        let demand = number(c_demand, "demand", (0.0, f64::MAX))?;
        let core = match core_columns {
            Some((lon, lat)) if !(cell(lon).is_empty() && cell(lat).is_empty()) => {
                Some(LonLat::new(
                    number(lon, "core_lon", (-180.0, 180.0))?,
                    number(lat, "core_lat", (-90.0, 90.0))?,
                ))
            }
            _ => None,
        };
        if let Some((_, first)) = rows.iter().find(|(r, _)| r.id == id) {
            return Err(IoError::value(
                Location::cell(path, line, "region"),
                name,
                format!("a region id not used before (`{id}` is already on line {first})"),
            ));
        }
        rows.push((
            RegionBalanceRow {
                id,
                supply,
                demand,
                core,
            },
            line,
        ));
    }
    let mut rows: Vec<RegionBalanceRow> = rows.into_iter().map(|(r, _)| r).collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        std::fs::write(
            &path,
            "region,supply,demand,core_lon,core_lat\nz,1,2,116,39\na,3,0,,\n",
        )
        .unwrap();
        let rows = read_region_balance(&path).unwrap();
        assert_eq!(rows[0].id.as_str(), "a");
        assert_eq!(rows[0].core, None);
        assert_eq!(rows[1].core, Some(LonLat::new(116.0, 39.0)));
        for (text, expected) in [
            ("region,supply\na,1\n", "no column `demand`"),
            ("region,supply,demand\na,1,-2\n", "line 2, column demand"),
            (
                "region,supply,demand\na,1,-2\n",
                "a finite number ≥ 0 for region `a`",
            ),
            ("region,supply,demand\na,1,2\na,1,2\n", "already on line 2"),
            (
                "region,supply,demand,core_lon,core_lat\na,1,2,200,39\n",
                "column core_lon",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = read_region_balance(&path).unwrap_err().to_string();
            assert!(err.contains("b.csv") && err.contains(expected), "{err}");
        }
    }
}
