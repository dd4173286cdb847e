//! One tab-separated table as pandas writes it for pymrio's `save_all` (txt layout):
//! `nr_header` rows of column labels, an optional row of index names, then data rows of
//! `nr_index_col` label cells followed by numbers.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use fzc_core::Progress;
use rayon::prelude::*;

use crate::number::{classify, classify_signed};
use crate::{IoError, Location};

/// How bad numeric cells are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cells {
    /// The first cell that is not a finite number ≥ 0 is an error.
    Strict,
    /// The first cell that is not a finite number (of any sign) is an error: final demand,
    /// whose changes in inventories may be negative.
    Signed,
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
#[cfg(test)]
pub(crate) fn read_txt(
    path: &Path,
    nr_header: usize,
    nr_index: usize,
    cells: Cells,
    progress: &dyn Progress,
) -> Result<TxtTable, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut store = Collect::default();
    let table = read_txt_from(
        path,
        &mut reader,
        nr_header,
        nr_index,
        cells,
        progress,
        &mut store,
    )?;
    Ok(TxtTable {
        values: store.values,
        ..table
    })
}

/// Where the values of the data rows go, block by block, as they are parsed.
pub(crate) trait RowStore {
    /// Called once, when the header gave the number of value columns.
    fn begin(&mut self, path: &Path, ncols: usize) -> Result<(), IoError>;
    /// `values` holds `rows` data rows (row-major), the first of them data row `first`;
    /// `lines` are their 1-based line numbers.
    fn rows(
        &mut self,
        path: &Path,
        first: usize,
        values: &[f64],
        lines: &[usize],
    ) -> Result<(), IoError>;
}

/// Keeps every value, row-major, in [`TxtTable::values`] order.
#[derive(Default)]
pub(crate) struct Collect {
    pub values: Vec<f64>,
}

impl RowStore for Collect {
    fn begin(&mut self, _: &Path, _: usize) -> Result<(), IoError> {
        Ok(())
    }

    fn rows(&mut self, _: &Path, _: usize, values: &[f64], _: &[usize]) -> Result<(), IoError> {
        self.values.extend_from_slice(values);
        Ok(())
    }
}

/// Writes a square table straight into an n × n column-major matrix, n from the header.
///
/// `n²` is checked against the bytes the table takes (every cell needs at least two: a digit
/// and a separator) and against the memory budget before the matrix is allocated, so a
/// header of a million columns over a small file allocates nothing.
pub(crate) struct SquareMat {
    /// The table's size in bytes, if known (an archive member's declared size).
    pub bytes: Option<u64>,
    /// The matrix, once `begin` has run.
    pub mat: Option<faer::Mat<f64>>,
}

impl RowStore for SquareMat {
    fn begin(&mut self, path: &Path, ncols: usize) -> Result<(), IoError> {
        let cells = (ncols as u128) * (ncols as u128);
        if let Some(bytes) = self.bytes
            && cells * 2 > u128::from(bytes)
        {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "the header names {ncols} columns, so {ncols} × {ncols} values, but the \
                     table has only {bytes} bytes; expected a square table"
                ),
            ));
        }
        crate::check_budget(path, "the square table", cells * 8)?;
        self.mat = Some(faer::Mat::zeros(ncols, ncols));
        Ok(())
    }

    fn rows(
        &mut self,
        path: &Path,
        first: usize,
        values: &[f64],
        lines: &[usize],
    ) -> Result<(), IoError> {
        let Some(mat) = self.mat.as_mut() else {
            return Ok(());
        };
        let n = mat.ncols();
        for (k, row) in values.chunks_exact(n.max(1)).enumerate() {
            let i = first + k;
            if i >= n {
                return Err(IoError::structure(
                    Location::line(path, lines[k]),
                    format!(
                        "more than {n} data rows, but the header has {n} columns; the table \
                         must be square (n × n, n = regions × sectors)"
                    ),
                ));
            }
            for (j, &v) in row.iter().enumerate() {
                mat[(i, j)] = v;
            }
        }
        Ok(())
    }
}

/// The text read and parsed at a time: bounded, so a table of any size streams through.
const BLOCK_BYTES: usize = 16 << 20;

/// Reads one table from `reader` (a file, or an archive member being inflated), in blocks of
/// about [`BLOCK_BYTES`]; each block's rows are parsed in parallel and handed to `store` in
/// file order, so the first error in the file is the one reported. The returned table has
/// the labels and line numbers; its values are wherever `store` put them.
pub(crate) fn read_txt_from(
    path: &Path,
    reader: &mut dyn BufRead,
    nr_header: usize,
    nr_index: usize,
    cells: Cells,
    progress: &dyn Progress,
    store: &mut dyn RowStore,
) -> Result<TxtTable, IoError> {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    progress.begin(&format!("reading {name}"), 0);
    let table = read_rows(path, reader, nr_header, nr_index, cells, progress, store);
    progress.finish();
    table
}

/// The rows of one chunk and their values, row-major.
type ParsedChunk = (Vec<ParsedRow>, Vec<f64>);

/// One parsed data row, before it joins the table.
struct ParsedRow {
    labels: Vec<String>,
    line_no: usize,
    invalid: Option<(Location, String)>,
}

/// Reads one line into `line` (without its end), returning false at the end of the input.
fn next_line(path: &Path, reader: &mut dyn BufRead, line: &mut String) -> Result<bool, IoError> {
    line.clear();
    let read = reader.read_line(line).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            IoError::structure(Location::file(path), "not UTF-8 text")
        } else {
            IoError::os(path, e)
        }
    })?;
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(read > 0)
}

#[allow(clippy::too_many_arguments)]
fn read_rows(
    path: &Path,
    reader: &mut dyn BufRead,
    nr_header: usize,
    nr_index: usize,
    cells: Cells,
    progress: &dyn Progress,
    store: &mut dyn RowStore,
) -> Result<TxtTable, IoError> {
    let mut table = TxtTable {
        path: path.to_path_buf(),
        col_labels: Vec::new(),
        row_labels: Vec::new(),
        row_lines: Vec::new(),
        values: Vec::new(),
        invalid: Vec::new(),
    };
    let mut line = String::new();
    let mut line_no = 0usize;
    // Header rows (sequential, few). `nr_header` comes from file_parameters.json: nothing is
    // sized by it, and running out of lines before it is reached is the error.
    let mut headers_seen = 0;
    let mut ncols = 0;
    while headers_seen < nr_header {
        if !next_line(path, reader, &mut line)? {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "nr_header is {nr_header} in file_parameters.json, but the file has only \
                     {line_no} lines; expected at most one header row per line"
                ),
            ));
        }
        line_no += 1;
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() <= nr_index {
            return Err(too_few_cells(path, line_no, parts.len(), nr_index));
        }
        let labels = &parts[nr_index..];
        if headers_seen == 0 {
            ncols = labels.len();
            table.col_labels = vec![Vec::new(); ncols];
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
    }
    store.begin(path, ncols)?;
    // Data rows in blocks; within a block in parallel chunks of ROWS_PER_REPORT rows, each
    // chunk reporting itself when parsed.
    let col_labels = table.col_labels.clone();
    let mut first_data = true;
    let mut block: Vec<(usize, String)> = Vec::new();
    let mut done = false;
    while !done {
        block.clear();
        let mut block_bytes = 0usize;
        while block_bytes < BLOCK_BYTES {
            if !next_line(path, reader, &mut line)? {
                done = true;
                break;
            }
            line_no += 1;
            if line.trim().is_empty() {
                continue;
            }
            if first_data {
                first_data = false;
                if nr_header > 1
                    && line.split('\t').count() > nr_index
                    && line.split('\t').skip(nr_index).all(|c| c.is_empty())
                {
                    // pandas' row of index names under a multi-level header.
                    continue;
                }
            }
            block_bytes += line.len() + 1;
            block.push((line_no, std::mem::take(&mut line)));
        }
        if block.is_empty() {
            continue;
        }
        let chunks: Vec<Result<ParsedChunk, IoError>> = block
            .par_chunks(ROWS_PER_REPORT as usize)
            .map(|chunk| {
                let mut rows = Vec::with_capacity(chunk.len());
                let mut values = Vec::with_capacity(chunk.len() * ncols);
                for (line_no, text) in chunk {
                    rows.push(parse_data_row(
                        path,
                        *line_no,
                        text,
                        nr_index,
                        ncols,
                        &col_labels,
                        cells,
                        &mut values,
                    )?);
                }
                progress.advance(chunk.len() as u64);
                Ok((rows, values))
            })
            .collect();
        for chunk in chunks {
            let (rows, values) = chunk?;
            let lines: Vec<usize> = rows.iter().map(|r| r.line_no).collect();
            store.rows(path, table.row_labels.len(), &values, &lines)?;
            for row in rows {
                table.row_labels.push(row.labels);
                table.row_lines.push(row.line_no);
                table.invalid.push(row.invalid);
            }
        }
    }
    Ok(table)
}

fn too_few_cells(path: &Path, line_no: usize, found: usize, nr_index: usize) -> IoError {
    IoError::structure(
        Location::line(path, line_no),
        format!("{found} tab-separated cells, expected {nr_index} index cells followed by values"),
    )
}

/// Parses one data row: `nr_index` label cells, then exactly `ncols` numbers appended to
/// `values` (NaN for a bad cell with [`Cells::Deferred`]).
#[allow(clippy::too_many_arguments)]
fn parse_data_row(
    path: &Path,
    line_no: usize,
    line: &str,
    nr_index: usize,
    ncols: usize,
    col_labels: &[Vec<String>],
    cells: Cells,
    values: &mut Vec<f64>,
) -> Result<ParsedRow, IoError> {
    let mut parts = line.split('\t');
    let mut labels = Vec::with_capacity(nr_index);
    for _ in 0..nr_index {
        match parts.next() {
            Some(cell) => labels.push(unquote(cell)),
            None => return Err(too_few_cells(path, line_no, labels.len(), nr_index)),
        }
    }
    let start = values.len();
    let mut first_bad = None;
    let mut found = 0;
    for cell in parts {
        found += 1;
        if found > ncols {
            continue;
        }
        let col = found - 1;
        let parsed = match cells {
            Cells::Signed => classify_signed(cell),
            _ => classify(cell),
        };
        let value = match parsed {
            Ok(v) => v,
            Err(expected) => {
                let at = Location::cell(path, line_no, column_name(col_labels, col, nr_index));
                match cells {
                    Cells::Strict | Cells::Signed => {
                        return Err(IoError::value(at, cell, expected));
                    }
                    Cells::Deferred => {
                        if first_bad.is_none() {
                            first_bad = Some((at, cell.to_owned()));
                        }
                        f64::NAN
                    }
                }
            }
        };
        values.push(value);
    }
    if found == 0 {
        return Err(too_few_cells(path, line_no, nr_index, nr_index));
    }
    if found != ncols {
        values.truncate(start);
        return Err(IoError::structure(
            Location::line(path, line_no),
            format!("{found} values, expected {ncols} (one per header column)"),
        ));
    }
    Ok(ParsedRow {
        labels,
        line_no,
        invalid: first_bad,
    })
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

    #[test]
    fn a_header_count_beyond_the_file_is_refused_before_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Z.txt");
        std::fs::write(&path, "region\t\tr\nsector\t\ts\nr\ts\t1\n").unwrap();
        let err = read_txt(
            &path,
            4_000_000_000,
            2,
            Cells::Strict,
            &fzc_core::NoProgress,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Z.txt"), "{err}");
        assert!(err.contains("nr_header is 4000000000"), "{err}");
        assert!(err.contains("3 lines"), "{err}");
    }

    /// Many rows (several parallel chunks): values, lines and labels stay in file order,
    /// and the first bad cell in the file is the one reported.
    #[test]
    fn parallel_chunks_keep_file_order_and_first_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Z.txt");
        let rows = 3 * ROWS_PER_REPORT as usize + 17;
        let mut text = String::from("region\t\tr\tr\nsector\t\ta\tb\nregion\tsector\t\t\n");
        for i in 0..rows {
            text.push_str(&format!("r\ts{i}\t{i}\t{}.5\n", i + 1));
        }
        std::fs::write(&path, &text).unwrap();
        let t = read_txt(&path, 2, 2, Cells::Strict, &fzc_core::NoProgress).unwrap();
        assert_eq!(t.nrows(), rows);
        for i in 0..rows {
            assert_eq!(t.row(i), &[i as f64, i as f64 + 1.5]);
            assert_eq!(t.row_labels[i], vec!["r".to_owned(), format!("s{i}")]);
            assert_eq!(t.row_lines[i], i + 4);
        }
        // Bad cells in the second and last chunk: the earlier line is named.
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let early = 3 + ROWS_PER_REPORT as usize + 5;
        lines[early] = "r\tsx\tnan\t1".to_owned();
        let last = lines.len() - 1;
        lines[last] = "r\tsy\t-1\t1".to_owned();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let err = read_txt(&path, 2, 2, Cells::Strict, &fzc_core::NoProgress)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("line {}, column 3", early + 1)),
            "{err}"
        );
    }
}
