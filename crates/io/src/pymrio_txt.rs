//! One tab-separated table as pandas writes it for pymrio's `save_all` (txt layout):
//! `nr_header` rows of column labels, an optional row of index names, then data rows of
//! `nr_index_col` label cells followed by numbers.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use fzc_core::Progress;

use crate::number::classify;
use crate::{IoError, Location};

/// How bad numeric cells are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cells {
    /// The first cell that is not a finite number ≥ 0 is an error.
    Strict,
    /// Bad cells become NaN and the first one of each row is remembered.
    Deferred,
}

/// A parsed table: labels, and values row-major.
#[derive(Debug)]
pub(crate) struct TxtTable {
    pub path: PathBuf,
    /// Per column, its label at each header level.
    pub col_labels: Vec<Vec<String>>,
    /// Per data row, its index cells.
    pub row_labels: Vec<Vec<String>>,
    /// Per data row, its 1-based line number.
    pub row_lines: Vec<usize>,
    /// Values, row-major (`rows × cols`).
    pub values: Vec<f64>,
    /// Per data row, its first bad cell (only with [`Cells::Deferred`]).
    pub invalid: Vec<Option<(Location, String)>>,
}

impl TxtTable {
    pub fn nrows(&self) -> usize {
        self.row_labels.len()
    }

    pub fn ncols(&self) -> usize {
        self.col_labels.len()
    }

    pub fn row(&self, r: usize) -> &[f64] {
        let c = self.ncols();
        &self.values[r * c..(r + 1) * c]
    }

    pub fn line_at(&self, r: usize) -> Location {
        Location::line(&self.path, self.row_lines[r])
    }

    /// The location of a whole file.
    pub fn file_at(&self) -> Location {
        Location::file(&self.path)
    }
}

/// Removes pandas' CSV quoting from a cell, if any.
fn unquote(cell: &str) -> String {
    let cell = cell.strip_suffix('\r').unwrap_or(cell);
    if cell.len() >= 2 && cell.starts_with('"') && cell.ends_with('"') {
        cell[1..cell.len() - 1].replace("\"\"", "\"")
    } else {
        cell.to_owned()
    }
}

fn column_name(col_labels: &[Vec<String>], index: usize, nr_index: usize) -> String {
    let label = col_labels
        .get(index)
        .map(|levels| levels.join("/"))
        .unwrap_or_default();
    format!("{} ({label})", index + nr_index + 1)
}

/// Data rows between two progress reports (a report per row would cost more than the row).
pub(crate) const ROWS_PER_REPORT: u64 = 256;

/// Reads one table, reporting its data rows to `progress` as one task of unknown length
/// (`reading <file name>`).
pub(crate) fn read_txt(
    path: &Path,
    nr_header: usize,
    nr_index: usize,
    cells: Cells,
    progress: &dyn Progress,
) -> Result<TxtTable, IoError> {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    progress.begin(&format!("reading {name}"), 0);
    let table = read_rows(path, nr_header, nr_index, cells, progress);
    progress.finish();
    table
}

fn read_rows(
    path: &Path,
    nr_header: usize,
    nr_index: usize,
    cells: Cells,
    progress: &dyn Progress,
) -> Result<TxtTable, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let reader = std::io::BufReader::new(file);
    let mut table = TxtTable {
        path: path.to_path_buf(),
        col_labels: Vec::new(),
        row_labels: Vec::new(),
        row_lines: Vec::new(),
        values: Vec::new(),
        invalid: Vec::new(),
    };
    let mut headers_seen = 0;
    let mut ncols = 0;
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|e| IoError::os(path, e))?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() <= nr_index {
            return Err(IoError::structure(
                Location::line(path, line_no),
                format!(
                    "{} tab-separated cells, expected {} index cells followed by values",
                    parts.len(),
                    nr_index
                ),
            ));
        }
        if headers_seen < nr_header {
            let labels = &parts[nr_index..];
            if headers_seen == 0 {
                ncols = labels.len();
                table.col_labels = vec![Vec::with_capacity(nr_header); ncols];
            } else if labels.len() != ncols {
                return Err(IoError::structure(
                    Location::line(path, line_no),
                    format!(
                        "header row has {} labels, the first header row has {ncols}",
                        labels.len()
                    ),
                ));
            }
            for (col, label) in labels.iter().enumerate() {
                table.col_labels[col].push(unquote(label));
            }
            headers_seen += 1;
            continue;
        }
        let data = &parts[nr_index..];
        if table.row_labels.is_empty() && nr_header > 1 && data.iter().all(|c| c.is_empty()) {
            // pandas' row of index names under a multi-level header.
            continue;
        }
        if data.len() != ncols {
            return Err(IoError::structure(
                Location::line(path, line_no),
                format!(
                    "{} values, expected {ncols} (one per header column)",
                    data.len()
                ),
            ));
        }
        table
            .row_labels
            .push(parts[..nr_index].iter().map(|c| unquote(c)).collect());
        table.row_lines.push(line_no);
        let mut first_bad = None;
        for (col, cell) in data.iter().enumerate() {
            let value = match classify(cell) {
                Ok(v) => v,
                Err(expected) => {
                    let at = Location::cell(
                        path,
                        line_no,
                        column_name(&table.col_labels, col, nr_index),
                    );
                    match cells {
                        Cells::Strict => return Err(IoError::value(at, cell, expected)),
                        Cells::Deferred => {
                            if first_bad.is_none() {
                                first_bad = Some((at, (*cell).to_owned()));
                            }
                            f64::NAN
                        }
                    }
                }
            };
            table.values.push(value);
        }
        table.invalid.push(first_bad);
        if (table.invalid.len() as u64).is_multiple_of(ROWS_PER_REPORT) {
            progress.advance(ROWS_PER_REPORT);
        }
    }
    progress.advance(table.invalid.len() as u64 % ROWS_PER_REPORT);
    if headers_seen < nr_header {
        return Err(IoError::structure(
            Location::file(path),
            format!("{headers_seen} header rows, expected {nr_header} (file_parameters.json)"),
        ));
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pandas_multiindex_layout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Z.txt");
        std::fs::write(
            &path,
            "region\t\tnan\tnan\nsector\t\ta\tb\nregion\tsector\t\t\nnan\ta\t1\t2\nnan\tb\t3\t4e-1\n",
        )
        .unwrap();
        let t = read_txt(&path, 2, 2, Cells::Strict, &fzc_core::NoProgress).unwrap();
        assert_eq!(t.col_labels[1], vec!["nan", "b"]);
        assert_eq!(t.row_labels[0], vec!["nan", "a"]);
        assert_eq!(t.values, vec![1.0, 2.0, 3.0, 0.4]);
        assert_eq!(t.row_lines, vec![4, 5]);
    }

    #[test]
    fn bad_cell_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("F.txt");
        std::fs::write(
            &path,
            "region\t\tr\nsector\t\ts\nstressor\tcompartment\t\nCO2\tair\tnan\n",
        )
        .unwrap();
        let err = read_txt(&path, 2, 2, Cells::Strict, &fzc_core::NoProgress)
            .unwrap_err()
            .to_string();
        assert!(err.contains("F.txt, line 4, column 3 (r/s)"), "{err}");
        assert!(err.contains("\"nan\""), "{err}");
        let t = read_txt(&path, 2, 2, Cells::Deferred, &fzc_core::NoProgress).unwrap();
        assert!(t.values[0].is_nan());
        assert!(t.invalid[0].is_some());
    }
}
