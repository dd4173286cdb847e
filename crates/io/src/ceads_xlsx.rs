//! Reader of the CEADs China provincial MRIO workbooks as distributed
//! (`docs/formats/ceads-xlsx.md`): an xlsx with the sheets `Province`, `Sector` and
//! `Table_<year>_English Version`, read through the pure-Rust `calamine`.
//!
//! As MARIO's `parse_ceads` does:
//! - the data rows start where the first province, the first sector's name and its number
//!   stand in the first three columns; the three rows above them are the province, sector
//!   and code headers of the columns;
//! - `Z` is the (province, sector) block from the first sector column on; the column after
//!   it is total intermediate use; then come the domestic final-demand columns (each under
//!   its province, merged cells forward-filled) up to the export column (code `EX`);
//! - each province's exports are final demand of that province (there is no rest of the
//!   world region): `Y[:, r]` is what province `r`'s final users buy plus what `r` exports;
//! - the stressor is the row below the table whose name starts with `CO2`, in Mt (MARIO's
//!   unit for it).
//!
//! fzc is stricter than MARIO on the cells: an empty cell is 0, but text in a number's place
//! or a negative intermediate flow is an error naming the sheet, row and column.

use std::path::Path;

use calamine::Data;
use faer::Mat;
use fzc_core::{RegionId, SectorId};
use fzc_ect_mrio::MrioTable;

use crate::mrio_csv::{labels_of, read_emissions_csv};
use crate::xlsx::{Workbook, has_sheet, text};
use crate::{IoError, Location, MrioData, StressorRow, check_budget};

/// The largest workbook read (the 2018 table, 31 × 42, is about 10 MB).
const WORKBOOK_MAX_BYTES: u64 = 512 << 20;

/// The table sheet's year, if `name` is `Table_<year>_English Version` (any case).
fn table_sheet_year(name: &str) -> Option<&str> {
    let lower = name.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("table_")?;
    let (year, tail) = rest.split_at_checked(4)?;
    (year.bytes().all(|b| b.is_ascii_digit()) && tail == "_english version")
        .then(|| &name.trim()[6..10])
}

/// Whether `path` is an xlsx workbook with a CEADs English table sheet.
pub(crate) fn is_ceads_xlsx(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        && has_sheet(path, |s| table_sheet_year(s).is_some())
}

/// A code cell as MARIO's `_code`: a whole number zero-padded to two digits.
fn code(cell: Option<&Data>) -> String {
    let t = text(cell);
    match t.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v >= 0.0 && !t.is_empty() => format!("{:02}", v as u64),
        _ => t,
    }
}

/// Reads a CEADs provincial MRIO workbook; `emissions` adds stressors from a CSV
/// (`stressor,region,sector,value`, as for OECD ICIO) to the workbook's CO2 row.
///
/// # Errors
/// [`IoError`] naming the sheet, row and column: a missing sheet or header, no data row
/// starting with the first province and sector, axes whose provinces or sectors differ from
/// the metadata sheets, no export column, text in a number's place, a negative intermediate
/// flow; the errors of the emissions CSV.
#[allow(clippy::too_many_lines)] // the layout is found step by step, as MARIO finds it
pub fn read_ceads_xlsx(path: &Path, emissions: Option<&Path>) -> Result<MrioData, IoError> {
    let mut book = Workbook::open(path, WORKBOOK_MAX_BYTES)?;
    let names = book.sheet_names();
    let tables: Vec<&String> = names
        .iter()
        .filter(|s| table_sheet_year(s).is_some())
        .collect();
    let table_name = match tables.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "no sheet named like \"Table_2018_English Version\" (sheets: {})",
                    names.join(", ")
                ),
            ));
        }
        several => {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "{} English table sheets ({}); expected one",
                    several.len(),
                    several
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    let sector_sheet_name = names
        .iter()
        .find(|s| s.trim().to_ascii_lowercase().starts_with("sector"))
        .cloned()
        .ok_or_else(|| {
            IoError::structure(
                Location::file(path),
                format!("no Sector sheet (sheets: {})", names.join(", ")),
            )
        })?;
    if !names.iter().any(|s| s == "Province") {
        return Err(IoError::structure(
            Location::file(path),
            format!("no Province sheet (sheets: {})", names.join(", ")),
        ));
    }
    let province_sheet = book.sheet("Province")?;
    let provinces: Vec<String> = province_sheet
        .column("Province")?
        .iter()
        .map(|(d, _)| text(Some(d)))
        .collect();
    let sector_sheet = book.sheet(&sector_sheet_name)?;
    let codes: Vec<String> = sector_sheet
        .column("No.")?
        .iter()
        .map(|(d, _)| code(Some(d)))
        .collect();
    let sectors: Vec<String> = sector_sheet
        .column("Sector")?
        .iter()
        .map(|(d, _)| text(Some(d)))
        .collect();
    if provinces.is_empty() || sectors.is_empty() || codes.len() != sectors.len() {
        return Err(IoError::structure(
            Location::file(&sector_sheet.shown),
            format!(
                "{} provinces, {} sector numbers and {} sector names; expected provinces, and \
                 one number per sector",
                provinces.len(),
                codes.len(),
                sectors.len()
            ),
        ));
    }
    let table = book.sheet(&table_name)?;
    let (m, n_sec) = (provinces.len(), sectors.len());
    let n = m * n_sec;
    let first_row = (0..table.height().min(50))
        .find(|&r| {
            text(table.cell(r, 0)) == provinces[0]
                && text(table.cell(r, 1)) == sectors[0]
                && code(table.cell(r, 2)) == codes[0]
        })
        .filter(|&r| r >= 3)
        .ok_or_else(|| {
            IoError::structure(
                Location::file(&table.shown),
                format!(
                    "no row in the first 50 with {:?}, {:?} and {} in columns A to C, below \
                     three header rows: the first data row of a CEADs table",
                    provinces[0], sectors[0], codes[0]
                ),
            )
        })?;
    let (province_row, sector_row, code_row) = (first_row - 3, first_row - 2, first_row - 1);
    let z_start = (0..table.width())
        .find(|&c| {
            text(table.cell(sector_row, c)) == sectors[0]
                && code(table.cell(code_row, c)) == codes[0]
        })
        .ok_or_else(|| {
            IoError::structure(
                Location::line(&table.shown, sector_row + 1),
                format!("no column headed {:?} / {}", sectors[0], codes[0]),
            )
        })?;
    let ti_col = z_start + n;
    let ex_col = (ti_col + 1..table.width())
        .find(|&c| code(table.cell(code_row, c)) == "EX")
        .ok_or_else(|| {
            IoError::structure(
                Location::line(&table.shown, code_row + 1),
                "no export column (code EX) after the final-demand columns",
            )
        })?;
    let fd_cols = ti_col + 1..ex_col;
    if fd_cols.is_empty() {
        return Err(IoError::structure(
            Location::line(&table.shown, code_row + 1),
            "no domestic final-demand columns between total intermediate use and EX",
        ));
    }
    // Both axes: province blocks (forward-filled) of the metadata's sectors, in order.
    let mut row_province = Vec::with_capacity(n);
    let mut current = String::new();
    for k in 0..n {
        let (r, c) = (first_row + k, k % n_sec);
        let p = text(table.cell(r, 0));
        if !p.is_empty() {
            current = p;
        }
        let expected = &provinces[k / n_sec];
        for (found, wanted, col, what) in [
            (current.clone(), expected.clone(), 0, "province"),
            (text(table.cell(r, 1)), sectors[c].clone(), 1, "sector"),
            (code(table.cell(r, 2)), codes[c].clone(), 2, "sector number"),
        ] {
            if found != wanted {
                return Err(IoError::value(
                    table.at(r, col, what),
                    found.as_str(),
                    format!(
                        "{wanted:?}: rows go province by province through the {n_sec} sectors \
                         of the Sector sheet, in the Province sheet's order"
                    ),
                ));
            }
        }
        row_province.push(k / n_sec);
    }
    current.clear();
    for k in 0..n {
        let col = z_start + k;
        let p = text(table.cell(province_row, col));
        if !p.is_empty() {
            current = p;
        }
        let c = k % n_sec;
        for (found, wanted, row, what) in [
            (
                current.clone(),
                provinces[k / n_sec].clone(),
                province_row,
                "province",
            ),
            (
                text(table.cell(sector_row, col)),
                sectors[c].clone(),
                sector_row,
                "sector",
            ),
            (
                code(table.cell(code_row, col)),
                codes[c].clone(),
                code_row,
                "sector number",
            ),
        ] {
            if found != wanted {
                return Err(IoError::value(
                    table.at(row, col, what),
                    found.as_str(),
                    format!("{wanted:?}: columns follow the rows' provinces and sectors"),
                ));
            }
        }
    }
    // Final-demand columns: the province over each (forward-filled).
    let mut fd_region = Vec::with_capacity(fd_cols.len());
    current.clear();
    for col in fd_cols.clone() {
        let p = text(table.cell(province_row, col));
        if !p.is_empty() {
            current = p;
        }
        let r = provinces
            .iter()
            .position(|x| *x == current)
            .ok_or_else(|| {
                IoError::value(
                    table.at(province_row, col, "final-demand province"),
                    current.as_str(),
                    "a province of the Province sheet",
                )
            })?;
        fd_region.push(r);
    }
    check_budget(&table.shown, "Z", (n as u128) * (n as u128) * 8)?;
    let label = |row: usize, col: usize| {
        let r = row.wrapping_sub(first_row);
        let c = col.wrapping_sub(z_start);
        let side = |k: usize| {
            if k < n {
                format!("{}/{}", provinces[k / n_sec], sectors[k % n_sec])
            } else {
                String::new()
            }
        };
        format!("{} × {}", side(r), side(c))
    };
    let mut z = Mat::<f64>::zeros(n, n);
    let mut y = Mat::<f64>::zeros(n, m);
    for i in 0..n {
        let row = first_row + i;
        for j in 0..n {
            let col = z_start + j;
            let v = table.number(row, col, &|| label(row, col))?;
            if !(v.is_finite() && v >= 0.0) {
                return Err(IoError::value(
                    table.at(row, col, &label(row, col)),
                    &v.to_string(),
                    "a finite intermediate flow >= 0",
                ));
            }
            z[(i, j)] = v;
        }
        for (k, col) in fd_cols.clone().enumerate() {
            let v = table.number(row, col, &|| "final demand".to_owned())?;
            if !v.is_finite() {
                return Err(IoError::value(
                    table.at(row, col, "final demand"),
                    &v.to_string(),
                    "a finite number",
                ));
            }
            y[(i, fd_region[k])] += v;
        }
        let v = table.number(row, ex_col, &|| "exports".to_owned())?;
        if !v.is_finite() {
            return Err(IoError::value(
                table.at(row, ex_col, "exports"),
                &v.to_string(),
                "a finite number",
            ));
        }
        y[(i, row_province[i])] += v;
    }
    let region_ids = provinces
        .iter()
        .map(|p| RegionId::new(p.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| IoError::structure(Location::file(&province_sheet.shown), e.to_string()))?;
    let sector_ids = sectors
        .iter()
        .map(|s| SectorId::new(s.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| IoError::structure(Location::file(&sector_sheet.shown), e.to_string()))?;
    let mrio = MrioTable {
        regions: region_ids,
        sectors: sector_ids,
        z,
        y,
        x: None,
        monetary_unit: "10^4 yuan".to_owned(),
    };
    mrio.validate().map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })?;
    let mut stressors = Vec::new();
    if let Some(row) =
        (first_row + n..table.height()).find(|&r| text(table.cell(r, 1)).starts_with("CO2"))
    {
        let mut by_sector = vec![0.0; n];
        let mut first_invalid = None;
        for (j, value) in by_sector.iter_mut().enumerate() {
            let col = z_start + j;
            match table.number(row, col, &|| label(first_row + j, col)) {
                Ok(v) => {
                    if !(v.is_finite() && v >= 0.0) && first_invalid.is_none() {
                        first_invalid = Some((table.at(row, col, "CO2"), v.to_string()));
                    }
                    *value = v;
                }
                Err(_) => {
                    if first_invalid.is_none() {
                        first_invalid =
                            Some((table.at(row, col, "CO2"), text(table.cell(row, col))));
                    }
                    *value = f64::NAN;
                }
            }
        }
        stressors.push(StressorRow {
            extension: String::new(),
            name: "CO2".to_owned(),
            compartment: None,
            unit: "Mt".to_owned(),
            unit_at: table.at(row, 1, "CO2 row, in Mt as MARIO reads it"),
            by_sector,
            final_users: vec![0.0; m],
            first_invalid,
        });
    }
    if let Some(e) = emissions {
        stressors.extend(read_emissions_csv(e, &labels_of(&mrio))?);
    }
    Ok(MrioData {
        source: path.to_path_buf(),
        table: mrio,
        stressors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_sheet_names() {
        assert_eq!(code(Some(&Data::Float(3.0))), "03");
        assert_eq!(code(Some(&Data::String("EX".into()))), "EX");
        assert_eq!(table_sheet_year("Table_2018_English Version"), Some("2018"));
        assert_eq!(table_sheet_year("table_2020_english version"), Some("2020"));
        assert_eq!(table_sheet_year("Table_2018_Chinese Version"), None);
    }
}
