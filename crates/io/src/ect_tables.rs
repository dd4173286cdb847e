//! Writers of the ECT accounts: `ect-regions.csv` and `ect-bilateral.csv`.
//!
//! Rows follow the table order of the regions (the order of the MRIO source), which is
//! stable for a given input; the bilateral file is ordered by `from`, then `to`, both in that
//! order. Numbers are written with Rust's shortest round-trip formatting of `f64` (`{}`):
//! plain decimal notation, no exponent, as many digits as needed to read the same `f64` back
//! and no more, `-0` written as `0`. See `docs/formats/ect-regions.md` and
//! `docs/formats/ect-bilateral.md`.

use std::io::Write;
use std::path::Path;

use fzc_ect_mrio::EctAccounts;

use crate::{IoError, ParquetColumn, ParquetKind, ParquetTableWriter, write_atomically};

/// The header of `ect-regions.csv`.
pub const ECT_REGIONS_HEADER: &str = "region,production,consumption,inflow,outflow,net";
/// The header of `ect-bilateral.csv`.
pub const ECT_BILATERAL_HEADER: &str = "from,to,total,intermediate,final";

/// Formats a number the way every fzc table does: shortest round-trip decimal, `-0` as `0`.
pub fn format_number(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else {
        format!("{value}")
    }
}

/// Writes a CSV field, quoted if it needs it (comma, quote, line break).
fn write_field(w: &mut dyn Write, text: &str) -> std::io::Result<()> {
    if text.contains([',', '"', '\n', '\r']) {
        write!(w, "\"{}\"", text.replace('"', "\"\""))
    } else {
        w.write_all(text.as_bytes())
    }
}

/// Writes `ect-regions.csv`: per region, production `Σ_s T[r,s]`, consumption `Σ_r T[r,s]`,
/// inflow `IF`, outflow `OF` and net `NF = OF − IF`, atomically.
///
/// # Units
/// The accounts' unit (`accounts.unit`), which the file does not repeat.
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_regions(path: &Path, accounts: &EctAccounts) -> Result<(), IoError> {
    EctTable::Regions.write_csv(path, &[LabelledAccounts::unlabelled(accounts)], false)
}

/// Writes `ect-bilateral.csv`: one row per ordered pair `(from, to)` including `from = to`,
/// with `T`, `T_inter` and `T_final`, atomically. `from` is where the emissions are released,
/// `to` the region whose final demand caused them.
///
/// # Units
/// The accounts' unit (`accounts.unit`).
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_bilateral(path: &Path, accounts: &EctAccounts) -> Result<(), IoError> {
    EctTable::Bilateral.write_csv(path, &[LabelledAccounts::unlabelled(accounts)], false)
}

/// The header of `ect-regions.csv` in long form (more than one stressor).
pub const ECT_REGIONS_LONG_HEADER: &str =
    "extension,stressor,unit,region,production,consumption,inflow,outflow,net";
/// The header of `ect-bilateral.csv` in long form (more than one stressor).
pub const ECT_BILATERAL_LONG_HEADER: &str =
    "extension,stressor,unit,from,to,total,intermediate,final";

/// One stressor's accounts with the labels the long-form tables give it.
#[derive(Debug, Clone, Copy)]
pub struct LabelledAccounts<'a> {
    /// The year of the table, for a year series: the long-form tables then start with a
    /// `year` column (all items of one table have a year, or none has).
    pub year: Option<i32>,
    /// The extension (pymrio subfolder) the stressor came from; empty when the source has
    /// none.
    pub extension: &'a str,
    /// The stressor's name, with its compartment in parentheses when it has one.
    pub stressor: &'a str,
    /// Its accounts, in `accounts.unit`.
    pub accounts: &'a EctAccounts,
}

impl<'a> LabelledAccounts<'a> {
    /// One table's accounts without labels: what the short form of the tables holds.
    fn unlabelled(accounts: &'a EctAccounts) -> Self {
        Self {
            year: None,
            extension: "",
            stressor: "",
            accounts,
        }
    }
}

/// The `year,` column name when the items are a year series.
fn year_column(items: &[LabelledAccounts<'_>]) -> &'static str {
    if items.iter().any(|i| i.year.is_some()) {
        "year,"
    } else {
        ""
    }
}

/// Writes `ect-regions.csv` in long form: the columns of [`write_ect_regions`] after
/// `extension`, `stressor` and `unit`, one block of regions per stressor in the given order,
/// atomically.
///
/// # Units
/// Each row in its `unit` column's unit.
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_regions_long(path: &Path, items: &[LabelledAccounts<'_>]) -> Result<(), IoError> {
    EctTable::Regions.write_csv(path, items, true)
}

/// Writes `ect-bilateral.csv` in long form: the columns of [`write_ect_bilateral`] after
/// `extension`, `stressor` and `unit`, one block of pairs per stressor, atomically.
///
/// # Units
/// Each row in its `unit` column's unit.
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_bilateral_long(
    path: &Path,
    items: &[LabelledAccounts<'_>],
) -> Result<(), IoError> {
    EctTable::Bilateral.write_csv(path, items, true)
}

/// The columns of the ECT tables, `ect-regions` or `ect-bilateral`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EctTable {
    /// Per region: production, consumption, inflow, outflow, net.
    Regions,
    /// Per ordered pair of regions: total, intermediate, final.
    Bilateral,
}

impl EctTable {
    /// The column names of the long form (without `year`): those of its header constant.
    fn long_names(self) -> impl Iterator<Item = &'static str> {
        match self {
            EctTable::Regions => ECT_REGIONS_LONG_HEADER,
            EctTable::Bilateral => ECT_BILATERAL_LONG_HEADER,
        }
        .split(',')
    }

    /// The names of the columns: `year` for a series, then the long form's; with `long ==
    /// false`, the short form's (without the labels `extension`, `stressor` and `unit`).
    fn names(self, series: bool, long: bool) -> Vec<&'static str> {
        let mut names = Vec::new();
        if series {
            names.push("year");
        }
        names.extend(self.long_names());
        names.retain(|name| long || !matches!(*name, "extension" | "stressor" | "unit"));
        names
    }

    /// [`EctTable::item_columns`] in the table's form: without the labels `extension`,
    /// `stressor` and `unit` (the first three; the short form has no year) unless `long`.
    fn item_table(
        self,
        item: &LabelledAccounts<'_>,
        series: bool,
        long: bool,
    ) -> Vec<ParquetColumn> {
        let mut columns = self.item_columns(item, series);
        if !long {
            columns.drain(0..3);
        }
        columns
    }

    /// One item's rows as columns, in the order of [`EctTable::long_names`] after an
    /// optional `year` column: what one Parquet row group holds and one block of long CSV
    /// rows says. `-0` is written as `0`, as in the CSVs.
    fn item_columns(self, item: &LabelledAccounts<'_>, series: bool) -> Vec<ParquetColumn> {
        let a = item.accounts;
        let m = a.regions.len();
        let rows = match self {
            EctTable::Regions => m,
            EctTable::Bilateral => m * m,
        };
        let text = |s: &str| ParquetColumn::Utf8(vec![s.to_owned(); rows]);
        let plain =
            |values: Vec<f64>| ParquetColumn::Double(values.into_iter().map(|v| v + 0.0).collect());
        let mut columns = Vec::new();
        if series {
            columns.push(ParquetColumn::Int64(vec![
                i64::from(
                    item.year.unwrap_or_default()
                );
                rows
            ]));
        }
        columns.extend([
            text(item.extension),
            text(item.stressor),
            text(a.unit.symbol()),
        ]);
        match self {
            EctTable::Regions => {
                columns.push(ParquetColumn::Utf8(
                    a.regions.iter().map(|r| r.as_str().to_owned()).collect(),
                ));
                for values in [
                    a.production(),
                    a.consumption(),
                    a.inflow(),
                    a.outflow(),
                    a.net(),
                ] {
                    columns.push(plain(values));
                }
            }
            EctTable::Bilateral => {
                let pairs = || (0..m).flat_map(|r| (0..m).map(move |s| (r, s)));
                let name = |k: usize| a.regions[k].as_str().to_owned();
                columns.push(ParquetColumn::Utf8(pairs().map(|(r, _)| name(r)).collect()));
                columns.push(ParquetColumn::Utf8(pairs().map(|(_, s)| name(s)).collect()));
                for matrix in [&a.total, &a.intermediate, &a.final_part] {
                    columns.push(plain(pairs().map(|(r, s)| matrix.get(r, s)).collect()));
                }
            }
        }
        columns
    }

    /// The whole table as named columns: the long form (a `year` column first for a year
    /// series), or with `long == false` the short form of one stressor (its first item,
    /// without `extension`, `stressor` and `unit`). These are the columns and values of the
    /// CSV [`write_ect_regions`] / [`write_ect_bilateral`] or their long forms write, as
    /// numbers instead of text: what `fzc.ect_tables` returns without reading files.
    pub fn columns(
        self,
        items: &[LabelledAccounts<'_>],
        long: bool,
    ) -> Vec<(&'static str, ParquetColumn)> {
        let series = long && !year_column(items).is_empty();
        let mut columns: Vec<ParquetColumn> = Vec::new();
        for item in &items[..Self::used(items, long)] {
            let part = self.item_table(item, series, long);
            if columns.is_empty() {
                columns = part;
            } else {
                for (column, more) in columns.iter_mut().zip(part) {
                    column.append(more);
                }
            }
        }
        self.names(series, long).into_iter().zip(columns).collect()
    }

    /// Writes the table as CSV, atomically: the long form of `items`, or with `long ==
    /// false` the short form of the first. The rows are those of [`EctTable::columns`], one
    /// item at a time; text is quoted where it needs to be, numbers by [`format_number`].
    fn write_csv(
        self,
        path: &Path,
        items: &[LabelledAccounts<'_>],
        long: bool,
    ) -> Result<(), IoError> {
        let series = long && !year_column(items).is_empty();
        write_atomically(path, |w: &mut dyn Write| {
            writeln!(w, "{}", self.names(series, long).join(","))?;
            for item in &items[..Self::used(items, long)] {
                let columns = self.item_table(item, series, long);
                let rows = columns.first().map_or(0, ParquetColumn::len);
                for row in 0..rows {
                    for (k, column) in columns.iter().enumerate() {
                        if k > 0 {
                            w.write_all(b",")?;
                        }
                        match column {
                            ParquetColumn::Int64(v) => write!(w, "{}", v[row])?,
                            // As `format_number`, without a String per cell.
                            ParquetColumn::Double(v) if v[row] == 0.0 => w.write_all(b"0")?,
                            ParquetColumn::Double(v) => write!(w, "{}", v[row])?,
                            ParquetColumn::Utf8(v) => write_field(w, &v[row])?,
                        }
                    }
                    writeln!(w)?;
                }
            }
            Ok(())
        })
        .map_err(|e| IoError::os(path, e))
    }

    /// How many of `items` the table holds: all in the long form, the first in the short.
    fn used(items: &[LabelledAccounts<'_>], long: bool) -> usize {
        if long {
            items.len()
        } else {
            items.len().min(1)
        }
    }

    fn schema(self, series: bool) -> Vec<(&'static str, ParquetKind)> {
        let mut schema = Vec::new();
        if series {
            schema.push(("year", ParquetKind::Int64));
        }
        schema.extend(self.long_names().map(|name| {
            let text = matches!(
                name,
                "extension" | "stressor" | "unit" | "region" | "from" | "to"
            );
            (
                name,
                if text {
                    ParquetKind::Utf8
                } else {
                    ParquetKind::Double
                },
            )
        }));
        schema
    }

    fn write_parquet(self, path: &Path, items: &[LabelledAccounts<'_>]) -> Result<(), IoError> {
        let series = !year_column(items).is_empty();
        let mut writer = ParquetTableWriter::create(path, &self.schema(series))?;
        for item in items {
            writer.write_row_group(&self.item_columns(item, series))?;
        }
        writer.close()
    }
}

/// Writes the long form of `ect-regions.csv` as Parquet (`ect-regions.parquet`): the same
/// columns and rows, `extension`, `stressor`, `unit` and `region` as text, the accounts as
/// doubles, one row group per stressor.
///
/// # Units
/// Each row in its `unit` column's unit.
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_regions_parquet(
    path: &Path,
    items: &[LabelledAccounts<'_>],
) -> Result<(), IoError> {
    EctTable::Regions.write_parquet(path, items)
}

/// Writes the long form of `ect-bilateral.csv` as Parquet (`ect-bilateral.parquet`): the
/// same columns and rows, one row group per stressor.
///
/// # Units
/// Each row in its `unit` column's unit.
///
/// # Errors
/// [`IoError::Os`] if the file cannot be written.
pub fn write_ect_bilateral_parquet(
    path: &Path,
    items: &[LabelledAccounts<'_>],
) -> Result<(), IoError> {
    EctTable::Bilateral.write_parquet(path, items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_plain_and_stable() {
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1.0), "1");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_number(1e-7), "0.0000001");
        let field = |text: &str| {
            let mut out = Vec::new();
            write_field(&mut out, text).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The written text reads back as the very same f64.
        #[test]
        fn format_round_trips(value in proptest::num::f64::NORMAL | proptest::num::f64::ZERO) {
            let text = format_number(value);
            prop_assert!(!text.contains('e'));
            let back: f64 = text.parse().unwrap();
            prop_assert!(back == value);
        }
    }

    /// Two regions' accounts scaled by `scale`, with a region name that needs quoting, a
    /// third of a unit (many digits) and a `-0`.
    fn accounts(scale: f64) -> EctAccounts {
        EctAccounts {
            regions: vec![
                fzc_core::RegionId::new("EU27").unwrap(),
                fzc_core::RegionId::new("Rest, world").unwrap(),
            ],
            unit: fzc_core::MassUnit::Kilogram,
            method: fzc_ect_mrio::EctMethod::FinalDemand,
            total: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| scale * (1 + 2 * r + s) as f64),
            intermediate: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| {
                scale * (r as f64 - s as f64) / 3.0
            }),
            final_part: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| -0.0 * (r + s) as f64),
            final_users: vec![0.5, 0.25],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn parquet_tables_hold_the_long_csv_rows() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::Field;
        let (a, b) = (accounts(1.0), accounts(0.1));
        let items = [
            LabelledAccounts {
                year: None,
                extension: "satellite",
                stressor: "CO2",
                accounts: &a,
            },
            LabelledAccounts {
                year: None,
                extension: "impacts",
                stressor: "GWP100",
                accounts: &b,
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let (pq, csv) = (dir.path().join("b.parquet"), dir.path().join("b.csv"));
        write_ect_bilateral_parquet(&pq, &items).unwrap();
        write_ect_bilateral_long(&csv, &items).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
        assert_eq!(
            reader.metadata().num_row_groups(),
            2,
            "one row group per stressor"
        );
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut csv_rows = csv::Reader::from_reader(text.as_bytes());
        let mut n = 0;
        for (row, record) in reader.get_row_iter(None).unwrap().zip(csv_rows.records()) {
            let (row, record) = (row.unwrap(), record.unwrap());
            for (k, (_, field)) in row.get_column_iter().enumerate() {
                match field {
                    Field::Str(s) => assert_eq!(s, &record[k]),
                    Field::Double(v) => assert_eq!(*v, record[k].parse::<f64>().unwrap()),
                    other => panic!("unexpected field {other:?}"),
                }
            }
            n += 1;
        }
        assert_eq!(n, 8);
        let (pq, csv) = (dir.path().join("r.parquet"), dir.path().join("r.csv"));
        write_ect_regions_parquet(&pq, &items).unwrap();
        write_ect_regions_long(&csv, &items).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut csv_rows = csv::Reader::from_reader(text.as_bytes());
        let mut n = 0;
        for (row, record) in reader.get_row_iter(None).unwrap().zip(csv_rows.records()) {
            let (row, record) = (row.unwrap(), record.unwrap());
            for (k, (_, field)) in row.get_column_iter().enumerate() {
                match field {
                    Field::Str(s) => assert_eq!(s, &record[k]),
                    Field::Double(v) => assert_eq!(*v, record[k].parse::<f64>().unwrap()),
                    other => panic!("unexpected field {other:?}"),
                }
            }
            n += 1;
        }
        assert_eq!(n, 4);
    }

    /// `EctTable::columns` holds, name for name and value for value, what the CSV writers
    /// write: the long form with and without years, and the short form of one stressor.
    #[test]
    fn table_columns_equal_the_csv_files() {
        let (a, b) = (accounts(1.0), accounts(0.1));
        let item = |year, extension, stressor, accounts| LabelledAccounts {
            year,
            extension,
            stressor,
            accounts,
        };
        let plain = [
            item(None, "satellite", "CO2", &a),
            item(None, "impacts", "GWP100", &b),
        ];
        let series = [
            item(Some(2019), "", "CO2", &a),
            item(Some(2020), "", "CO2", &b),
        ];
        let dir = tempfile::tempdir().unwrap();
        let csv_rows = |path: &Path| -> (Vec<String>, Vec<Vec<String>>) {
            let mut reader = csv::Reader::from_path(path).unwrap();
            let header = reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_owned)
                .collect();
            let rows = reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect();
            (header, rows)
        };
        let as_text = |columns: &[(&str, ParquetColumn)], row: usize| -> Vec<String> {
            columns
                .iter()
                .map(|(_, c)| match c {
                    ParquetColumn::Int64(v) => v[row].to_string(),
                    ParquetColumn::Double(v) => format_number(v[row]),
                    ParquetColumn::Utf8(v) => v[row].clone(),
                })
                .collect()
        };
        let check = |table: EctTable, items: &[LabelledAccounts<'_>], long: bool| {
            let path = dir.path().join("t.csv");
            match (table, long) {
                (EctTable::Regions, true) => write_ect_regions_long(&path, items).unwrap(),
                (EctTable::Bilateral, true) => write_ect_bilateral_long(&path, items).unwrap(),
                (EctTable::Regions, false) => write_ect_regions(&path, items[0].accounts).unwrap(),
                (EctTable::Bilateral, false) => {
                    write_ect_bilateral(&path, items[0].accounts).unwrap();
                }
            }
            let (header, rows) = csv_rows(&path);
            let columns = table.columns(items, long);
            let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, header, "{table:?} long={long}");
            assert!(!rows.is_empty());
            for (k, row) in rows.iter().enumerate() {
                assert_eq!(&as_text(&columns, k), row, "{table:?} long={long} row {k}");
            }
            let ParquetColumn::Utf8(first) = &columns[0].1 else {
                return assert!(matches!(columns[0].1, ParquetColumn::Int64(_)));
            };
            assert_eq!(first.len(), rows.len());
        };
        // The headers are the documented ones (`--help` and docs/formats state them).
        let header = |table: EctTable, series, long| table.names(series, long).join(",");
        assert_eq!(header(EctTable::Regions, false, false), ECT_REGIONS_HEADER);
        assert_eq!(
            header(EctTable::Bilateral, false, false),
            ECT_BILATERAL_HEADER
        );
        assert_eq!(
            header(EctTable::Regions, false, true),
            ECT_REGIONS_LONG_HEADER
        );
        assert_eq!(
            header(EctTable::Bilateral, true, true),
            format!("year,{ECT_BILATERAL_LONG_HEADER}")
        );
        for table in [EctTable::Regions, EctTable::Bilateral] {
            check(table, &plain, true);
            check(table, &series, true);
            check(table, &plain, false);
        }
    }
}
