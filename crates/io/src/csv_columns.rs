//! A small helper for the CSSF tables: a CSV read by column names, with line numbers.

use std::path::Path;

use crate::{IoError, Location};

/// A CSV file with its header; rows keep their 1-based line numbers.
pub(crate) struct ColumnCsv<'p> {
    pub path: &'p Path,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl<'p> ColumnCsv<'p> {
    /// Reads the whole file (these tables are small: one row per class or region).
    pub fn read(path: &'p Path) -> Result<Self, IoError> {
        let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
        let source = crate::UnixLines::new(file);
        let lines = source.line_numbers();
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(source);
        let headers = reader
            .headers()
            .map_err(|e| IoError::structure(Location::file(path), format!("CSV header: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| lines.error(path, e))?;
            let line = lines.line_of(rec.position());
            if rec.iter().all(str::is_empty) {
                continue;
            }
            rows.push((line, rec.iter().map(str::to_owned).collect()));
        }
        Ok(Self {
            path,
            headers,
            rows,
        })
    }

    /// The index of a column (case-insensitive), if present.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The index of a required column.
    pub fn require(&self, name: &str, all_required: &str) -> Result<usize, IoError> {
        self.find(name).ok_or_else(|| {
            IoError::structure(
                Location::file(self.path),
                format!(
                    "no column `{name}`; the header is `{}`, expected the columns {all_required} \
                     (other columns are ignored)",
                    self.headers.join(",")
                ),
            )
        })
    }

    /// The text of a cell.
    pub fn text<'a>(&self, row: &'a (usize, Vec<String>), col: usize) -> &'a str {
        row.1.get(col).map_or("", String::as_str)
    }

    /// A cell as a finite number.
    pub fn number(
        &self,
        row: &(usize, Vec<String>),
        col: usize,
        expected: &str,
    ) -> Result<f64, IoError> {
        let text = self.text(row, col);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(IoError::value(
                Location::cell(self.path, row.0, self.headers[col].clone()),
                text,
                expected,
            )),
        }
    }

    /// A cell as an integer class code.
    pub fn class(&self, row: &(usize, Vec<String>), col: usize) -> Result<i64, IoError> {
        let text = self.text(row, col);
        text.parse::<i64>().map_err(|_| {
            IoError::value(
                Location::cell(self.path, row.0, self.headers[col].clone()),
                text,
                "an integer land-use class code",
            )
        })
    }
}
