//! Excel workbooks (the GLORIA ReadMe, the CEADs provincial tables) through the pure-Rust
//! `calamine`, held to fzc's rules for untrusted input:
//! - every call into calamine runs under `catch_unwind`: its panics on malformed files
//!   (arithmetic overflow on cell references, found by fuzzing) become errors naming the
//!   file;
//! - a sheet is read cell by cell into a sparse map, never as calamine's dense range, whose
//!   size comes from the cells' extreme positions: two cells at opposite corners of a sheet
//!   would ask for 17 billion cells. At most [`MAX_CELLS`] cells are kept.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::{IoError, Location};

/// The most non-empty cells read from one sheet (the CEADs 2018 table has about 2 million).
pub(crate) const MAX_CELLS: usize = 20_000_000;

/// A panic's message, for the error that replaces it.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

fn guarded<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, IoError>,
) -> Result<T, IoError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(IoError::structure(
            Location::file(path),
            format!(
                "{what}: the xlsx reader (calamine) failed on this file ({}); the workbook is \
                 damaged",
                panic_text(&*panic)
            ),
        ))
    })
}

/// An open workbook.
pub(crate) struct Workbook {
    book: Xlsx<BufReader<File>>,
    path: PathBuf,
}

impl Workbook {
    /// Opens `path`, refusing files above `max_bytes`.
    ///
    /// # Errors
    /// A file too large, or not a readable xlsx workbook.
    pub(crate) fn open(path: &Path, max_bytes: u64) -> Result<Self, IoError> {
        let size = std::fs::metadata(path)
            .map_err(|e| IoError::os(path, e))?
            .len();
        if size > max_bytes {
            return Err(IoError::structure(
                Location::file(path),
                format!("{size} bytes; a workbook of this kind is far below {max_bytes}"),
            ));
        }
        let book = guarded(path, "opening the workbook", || {
            open_workbook::<Xlsx<_>, _>(path).map_err(|e| {
                IoError::structure(
                    Location::file(path),
                    format!("not a readable xlsx workbook: {e}"),
                )
            })
        })?;
        Ok(Self {
            book,
            path: path.to_path_buf(),
        })
    }

    /// The sheet names, in workbook order.
    pub(crate) fn sheet_names(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// Reads the sheet `name` cell by cell.
    ///
    /// # Errors
    /// No such sheet, a sheet calamine cannot read, more than [`MAX_CELLS`] cells.
    pub(crate) fn sheet(&mut self, name: &str) -> Result<Sheet, IoError> {
        let path = self.path.clone();
        let book = &mut self.book;
        let cells = guarded(&path, &format!("sheet {name:?}"), || {
            let error = |e: calamine::XlsxError| {
                IoError::structure(Location::file(&path), format!("sheet {name:?}: {e}"))
            };
            let mut reader = book.worksheet_cells_reader(name).map_err(error)?;
            let mut cells = HashMap::new();
            while let Some(cell) = reader.next_cell().map_err(error)? {
                let (row, col) = cell.get_position();
                let value = Data::from(cell.get_value().clone());
                if matches!(value, Data::Empty) {
                    continue;
                }
                if cells.len() == MAX_CELLS {
                    return Err(IoError::structure(
                        Location::file(&path),
                        format!("sheet {name:?} has more than {MAX_CELLS} cells"),
                    ));
                }
                cells.insert((row as usize, col as usize), value);
            }
            Ok(cells)
        })?;
        let height = cells.keys().map(|&(r, _)| r + 1).max().unwrap_or(0);
        let width = cells.keys().map(|&(_, c)| c + 1).max().unwrap_or(0);
        let first_row = cells.keys().map(|&(r, _)| r).min().unwrap_or(0);
        Ok(Sheet {
            cells,
            height,
            width,
            first_row,
            shown: path.join(name),
        })
    }
}

/// Whether `path` opens as a workbook with a sheet `wanted` accepts (format detection:
/// every failure, a panic included, is `false`).
pub(crate) fn has_sheet(path: &Path, wanted: impl Fn(&str) -> bool) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        open_workbook::<Xlsx<_>, _>(path)
            .is_ok_and(|book| book.sheet_names().iter().any(|s| wanted(s)))
    }))
    .unwrap_or(false)
}

/// A sheet's non-empty cells by absolute (0-based) row and column.
pub(crate) struct Sheet {
    cells: HashMap<(usize, usize), Data>,
    height: usize,
    width: usize,
    first_row: usize,
    /// `<workbook>/<sheet>`, for messages.
    pub(crate) shown: PathBuf,
}

/// A cell as text: trimmed, line breaks as spaces, whole numbers without a decimal point.
pub(crate) fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Some(other) => other.to_string().replace('\n', " ").trim().to_owned(),
    }
}

/// Excel's name of a 0-based column: A, B, …, Z, AA, …
pub(crate) fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

impl Sheet {
    pub(crate) fn cell(&self, row: usize, col: usize) -> Option<&Data> {
        self.cells.get(&(row, col))
    }

    /// One past the last row with a cell.
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// One past the last column with a cell.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// A cell's location, with `label` after its column's letters.
    pub(crate) fn at(&self, row: usize, col: usize, label: &str) -> Location {
        Location::cell(
            &self.shown,
            row + 1,
            format!("{} ({label})", column_name(col)),
        )
    }

    /// A number cell: empty is 0; text is an error naming the cell.
    pub(crate) fn number(
        &self,
        row: usize,
        col: usize,
        label: &dyn Fn() -> String,
    ) -> Result<f64, IoError> {
        match self.cell(row, col) {
            None | Some(Data::Empty) => Ok(0.0),
            Some(Data::Float(v)) => Ok(*v),
            #[allow(clippy::cast_precision_loss)] // workbook integers
            Some(Data::Int(v)) => Ok(*v as f64),
            Some(other) => {
                let t = other.to_string();
                t.trim().parse::<f64>().map_err(|_| {
                    IoError::value(self.at(row, col, &label()), t.as_str(), "a number")
                })
            }
        }
    }

    /// The column headed `header` in the sheet's first row (exactly, else by prefix, case
    /// ignored): its non-empty cells below the header, with their 1-based rows.
    pub(crate) fn column(&self, header: &str) -> Result<Vec<(Data, usize)>, IoError> {
        let first = self.first_row;
        let h = header.to_ascii_lowercase();
        let matches = |c: usize, exact: bool| {
            let t = text(self.cell(first, c)).to_ascii_lowercase();
            if exact { t == h } else { t.starts_with(&h) }
        };
        let col = (0..self.width)
            .find(|&c| matches(c, true))
            .or_else(|| (0..self.width).find(|&c| matches(c, false)))
            .ok_or_else(|| {
                let found: Vec<String> = (0..self.width)
                    .map(|c| text(self.cell(first, c)))
                    .filter(|t| !t.is_empty())
                    .collect();
                IoError::structure(
                    Location::line(&self.shown, first + 1),
                    format!(
                        "no column {header:?} in the header row (found: {})",
                        found.join(", ")
                    ),
                )
            })?;
        Ok((first + 1..self.height)
            .filter_map(|r| self.cell(r, col).map(|d| (d.clone(), r + 1)))
            .filter(|(d, _)| !text(Some(d)).is_empty())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }
}
