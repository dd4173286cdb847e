//! Reading the CSV tables a scenario points to.
//!
//! Every table has a header row. Required columns must be present; `note` may be added; any
//! other column is an error naming it (a misspelt column must not be silently ignored).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fzc_core::{MassUnit, RegionId};

use crate::ScenarioError;
use crate::model::Provenance;

/// One parsed table: column names and rows of cells, with each row's line number.
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    columns: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

/// One row of a table, with accessors that name the file, line and column on error.
pub(crate) struct Row<'a> {
    table: &'a Table,
    pub(crate) line: u64,
    cells: &'a [String],
}

impl Table {
    /// Parses `text` (the contents of `path`) and checks its columns.
    pub(crate) fn parse(
        path: &Path,
        text: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table, ScenarioError> {
        let table_err = |line: u64, message: String| ScenarioError::Table {
            path: path.to_owned(),
            line,
            message,
        };
        // Lines as an editor shows them, whatever the line breaks and blank lines.
        let source = fzc_io::UnixLines::new(text.as_bytes());
        let lines = source.line_numbers();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(source);
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| table_err(1, e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut seen = BTreeSet::new();
        for column in &columns {
            if !seen.insert(column.as_str()) {
                return Err(table_err(1, format!("column {column:?} appears twice")));
            }
            if !required.contains(&column.as_str())
                && !optional.contains(&column.as_str())
                && column != "note"
            {
                return Err(table_err(
                    1,
                    format!(
                        "unknown column {column:?}; expected columns {} (and optionally {})",
                        required.join(","),
                        optional
                            .iter()
                            .chain(&["note"])
                            .copied()
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                ));
            }
        }
        if let Some(missing) = required.iter().find(|c| !columns.iter().any(|x| x == *c)) {
            return Err(table_err(
                1,
                format!(
                    "missing column {missing:?}; expected columns {}",
                    required.join(",")
                ),
            ));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| lines.line(p));
                table_err(line, e.to_string())
            })?;
            let line = record.position().map_or(0, |p| lines.line(p));
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        Ok(Table {
            path: path.to_owned(),
            columns,
            rows,
        })
    }

    /// The data rows.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, cells)| Row {
            table: self,
            line: *line,
            cells,
        })
    }
}

impl Row<'_> {
    fn err(&self, message: String) -> ScenarioError {
        ScenarioError::Table {
            path: self.table.path.clone(),
            line: self.line,
            message,
        }
    }

    /// The raw text of a column (`""` for an absent optional column).
    pub(crate) fn text(&self, column: &str) -> &str {
        self.table
            .columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }

    /// A finite number.
    pub(crate) fn number(&self, column: &str) -> Result<f64, ScenarioError> {
        let text = self.text(column);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.err(format!(
                "column {column:?} is {text:?}; expected a finite number"
            ))),
        }
    }

    /// A finite number, or `None` when the cell is empty.
    pub(crate) fn optional_number(&self, column: &str) -> Result<Option<f64>, ScenarioError> {
        if self.text(column).is_empty() {
            Ok(None)
        } else {
            self.number(column).map(Some)
        }
    }

    /// A mass unit.
    pub(crate) fn unit(&self, column: &str) -> Result<MassUnit, ScenarioError> {
        self.text(column)
            .parse::<MassUnit>()
            .map_err(|e| self.err(format!("column {column:?}: {e}")))
    }

    /// The provenance class of column `provenance`.
    pub(crate) fn provenance(&self) -> Result<Provenance, ScenarioError> {
        self.text("provenance")
            .parse::<Provenance>()
            .map_err(|e| self.err(format!("column \"provenance\": {e}")))
    }

    /// A region id that must be one of `regions`; returns its index.
    pub(crate) fn region(
        &self,
        column: &str,
        regions: &[RegionId],
    ) -> Result<usize, ScenarioError> {
        let text = self.text(column);
        regions
            .iter()
            .position(|r| r.as_str() == text)
            .ok_or_else(|| ScenarioError::UnknownRegion {
                path: self.table.path.clone(),
                line: self.line,
                region: text.to_owned(),
                expected: regions
                    .iter()
                    .map(RegionId::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// A duplicate-key error at this row.
    pub(crate) fn duplicate(&self, what: &'static str, id: String) -> ScenarioError {
        ScenarioError::Duplicate {
            path: self.table.path.clone(),
            line: self.line,
            what,
            id,
        }
    }

    /// A value error at this row.
    pub(crate) fn invalid(&self, message: String) -> ScenarioError {
        self.err(message)
    }
}
