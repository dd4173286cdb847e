//! The per-region tables of `fzc cssf demand`: emissions to calibrate to, census totals.

use std::path::Path;

use fzc_core::{MassUnit, RegionId};
use fzc_cssf_flow::RegionEmissions;

use crate::csv_columns::ColumnCsv;
use crate::{IoError, Location};

const EMISSION_COLUMNS: &str = "region,emissions[,agricultural_emissions][,urban_share]";

fn region_id(
    t: &ColumnCsv<'_>,
    row: &(usize, Vec<String>),
    col: usize,
) -> Result<RegionId, IoError> {
    let text = t.text(row, col);
    RegionId::new(text).map_err(|e| {
        IoError::value(
            Location::cell(t.path, row.0, "region"),
            text,
            format!("a region id ({e})"),
        )
    })
}

/// Reads region emissions: `region,emissions` and optionally `agricultural_emissions`
/// (part of the total) and `urban_share` (in [0, 1]; empty = in proportion to population).
/// Values are in `unit` and returned in t CO2, sorted by region.
///
/// # Units
/// Returned emissions in t CO2.
///
/// # Errors
/// [`IoError`] naming file, line and column: missing column, bad number, negative value,
/// agricultural above total, share outside [0, 1], bad or duplicate region.
pub fn read_region_emissions(
    path: &Path,
    unit: MassUnit,
) -> Result<Vec<(RegionId, RegionEmissions)>, IoError> {
    let t = ColumnCsv::read(path)?;
    let region = t.require("region", EMISSION_COLUMNS)?;
    let total = t.require("emissions", EMISSION_COLUMNS)?;
    let agri = t.find("agricultural_emissions");
    let share = t.find("urban_share");
    let k = unit.tonnes_per_unit();
    let mut out: Vec<(RegionId, RegionEmissions)> = Vec::new();
    for row in &t.rows {
        let id = region_id(&t, row, region)?;
        let e = t.number(row, total, "emissions ≥ 0")?;
        let a = match agri {
            Some(c) if !t.text(row, c).is_empty() => {
                t.number(row, c, "agricultural emissions ≥ 0")?
            }
            _ => 0.0,
        };
        let s = match share {
            Some(c) if !t.text(row, c).is_empty() => {
                Some(t.number(row, c, "an urban share in [0, 1]")?)
            }
            _ => None,
        };
        if e < 0.0 || a < 0.0 || a > e {
            return Err(IoError::value(
                Location::line(path, row.0),
                &format!("emissions {e}, agricultural {a}"),
                "0 ≤ agricultural_emissions ≤ emissions",
            ));
        }
        if s.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            return Err(IoError::value(
                Location::cell(path, row.0, "urban_share"),
                &format!("{s:?}"),
                "an urban share in [0, 1]",
            ));
        }
        if out.iter().any(|(r, _)| *r == id) {
            return Err(IoError::value(
                Location::cell(path, row.0, "region"),
                id.as_str(),
                "each region once",
            ));
        }
        out.push((
            id,
            RegionEmissions {
                total_t: e * k,
                agricultural_t: a * k,
                urban_share: s,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads census totals: `region,population` (persons ≥ 0), sorted by region.
///
/// # Errors
/// [`IoError`] naming file, line and column for a missing column, a bad number, a bad or
/// duplicate region.
pub fn read_census(path: &Path) -> Result<Vec<(RegionId, f64)>, IoError> {
    let t = ColumnCsv::read(path)?;
    let region = t.require("region", "region,population")?;
    let pop = t.require("population", "region,population")?;
    let mut out: Vec<(RegionId, f64)> = Vec::new();
    for row in &t.rows {
        let id = region_id(&t, row, region)?;
        let p = t.number(row, pop, "a population ≥ 0")?;
        if p < 0.0 || out.iter().any(|(r, _)| *r == id) {
            return Err(IoError::value(
                Location::line(path, row.0),
                t.text(row, pop),
                "a population ≥ 0, each region once",
            ));
        }
        out.push((id, p));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}
