//! Headerless numeric grids, as publishers ship their tables (Eora26's tab-separated
//! `…_T.txt`, GLORIA's comma-separated `…_T-Results_….csv`): read line by line, every cell
//! checked, the label files giving the size.

use fzc_core::Progress;

use crate::number::{classify, classify_signed};
use crate::pymrio_source::Source;
use crate::{IoError, Location};

/// How a grid's cells are checked.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    /// Finite ≥ 0, else an error.
    NonNegative,
    /// Finite, else an error.
    Signed,
    /// Any text; bad cells become NaN and are remembered per row (satellites).
    Deferred,
}

/// Reads a headerless `rows × cols` grid of `separator`-separated numbers line by line, calling `put(row, col, value)` for
/// every cell of a kept column (`keep[col]`); returns per row its first bad cell (with
/// [`Rule::Deferred`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_grid(
    src: &Source,
    separator: char,
    name: &str,
    rows: usize,
    cols: usize,
    keep: &[bool],
    col_name: &dyn Fn(usize) -> String,
    rule: Rule,
    progress: &dyn Progress,
    put: &mut dyn FnMut(usize, usize, f64),
) -> Result<Vec<Option<(Location, String)>>, IoError> {
    let shown = src.display(name);
    progress.begin(&format!("reading {name}"), rows as u64);
    let result = src.with_reader(name, |reader, _| {
        let mut invalid = vec![None; rows];
        let mut line = String::new();
        let mut row = 0usize;
        let mut line_no = 0usize;
        loop {
            line.clear();
            if reader
                .read_line(&mut line)
                .map_err(|e| IoError::os(&shown, e))?
                == 0
            {
                break;
            }
            line_no += 1;
            let text = line.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            if row >= rows {
                return Err(IoError::structure(
                    Location::line(&shown, line_no),
                    format!("more than {rows} rows, but the label file has {rows}"),
                ));
            }
            let mut found = 0usize;
            for (col, cell) in text.split(separator).enumerate() {
                found += 1;
                if col >= cols || !keep[col] {
                    continue;
                }
                let parsed = match rule {
                    Rule::NonNegative => classify(cell),
                    Rule::Signed | Rule::Deferred => classify_signed(cell),
                };
                let value = match (parsed, rule) {
                    (Ok(v), _) => v,
                    (Err(expected), Rule::Deferred) => {
                        if invalid[row].is_none() {
                            invalid[row] = Some((
                                Location::cell(&shown, line_no, col_name(col)),
                                format!("{cell} ({expected})"),
                            ));
                        }
                        f64::NAN
                    }
                    (Err(expected), _) => {
                        return Err(IoError::value(
                            Location::cell(&shown, line_no, col_name(col)),
                            cell,
                            expected,
                        ));
                    }
                };
                put(row, col, value);
            }
            if found != cols {
                return Err(IoError::structure(
                    Location::line(&shown, line_no),
                    format!("{found} values, expected {cols} (one per label)"),
                ));
            }
            row += 1;
            progress.advance(1);
        }
        if row != rows {
            return Err(IoError::structure(
                Location::file(&shown),
                format!("{row} rows, but the label file has {rows}"),
            ));
        }
        Ok(invalid)
    });
    progress.finish();
    result
}
