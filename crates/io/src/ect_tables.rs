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

use crate::{IoError, write_atomically};

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

/// Quotes a CSV field if it needs it (comma, quote, line break).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
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
    let columns = [
        accounts.production(),
        accounts.consumption(),
        accounts.inflow(),
        accounts.outflow(),
        accounts.net(),
    ];
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "{ECT_REGIONS_HEADER}")?;
        for (r, region) in accounts.regions.iter().enumerate() {
            write!(w, "{}", field(region.as_str()))?;
            for column in &columns {
                write!(w, ",{}", format_number(column[r]))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
    .map_err(|e| IoError::os(path, e))
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
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "{ECT_BILATERAL_HEADER}")?;
        for (r, from) in accounts.regions.iter().enumerate() {
            for (s, to) in accounts.regions.iter().enumerate() {
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    field(from.as_str()),
                    field(to.as_str()),
                    format_number(accounts.total.get(r, s)),
                    format_number(accounts.intermediate.get(r, s)),
                    format_number(accounts.final_part.get(r, s)),
                )?;
            }
        }
        Ok(())
    })
    .map_err(|e| IoError::os(path, e))
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

impl LabelledAccounts<'_> {
    fn prefix(&self) -> String {
        let year = self.year.map(|y| format!("{y},")).unwrap_or_default();
        format!(
            "{year}{},{},{}",
            field(self.extension),
            field(self.stressor),
            field(self.accounts.unit.symbol())
        )
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
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "{}{ECT_REGIONS_LONG_HEADER}", year_column(items))?;
        for item in items {
            let a = item.accounts;
            let columns = [
                a.production(),
                a.consumption(),
                a.inflow(),
                a.outflow(),
                a.net(),
            ];
            let prefix = item.prefix();
            for (r, region) in a.regions.iter().enumerate() {
                write!(w, "{prefix},{}", field(region.as_str()))?;
                for column in &columns {
                    write!(w, ",{}", format_number(column[r]))?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    })
    .map_err(|e| IoError::os(path, e))
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
    write_atomically(path, |w: &mut dyn Write| {
        writeln!(w, "{}{ECT_BILATERAL_LONG_HEADER}", year_column(items))?;
        for item in items {
            let a = item.accounts;
            let prefix = item.prefix();
            for (r, from) in a.regions.iter().enumerate() {
                for (s, to) in a.regions.iter().enumerate() {
                    writeln!(
                        w,
                        "{prefix},{},{},{},{},{}",
                        field(from.as_str()),
                        field(to.as_str()),
                        format_number(a.total.get(r, s)),
                        format_number(a.intermediate.get(r, s)),
                        format_number(a.final_part.get(r, s)),
                    )?;
                }
            }
        }
        Ok(())
    })
    .map_err(|e| IoError::os(path, e))
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
    use crate::{ParquetColumn, ParquetKind, ParquetTableWriter};
    let names = ["production", "consumption", "inflow", "outflow", "net"];
    let series = !year_column(items).is_empty();
    let mut schema = Vec::new();
    if series {
        schema.push(("year", ParquetKind::Int64));
    }
    schema.extend([
        ("extension", ParquetKind::Utf8),
        ("stressor", ParquetKind::Utf8),
        ("unit", ParquetKind::Utf8),
        ("region", ParquetKind::Utf8),
    ]);
    schema.extend(names.iter().map(|n| (*n, ParquetKind::Double)));
    let mut writer = ParquetTableWriter::create(path, &schema)?;
    for item in items {
        let a = item.accounts;
        let m = a.regions.len();
        let text = |s: &str| ParquetColumn::Utf8(vec![s.to_owned(); m]);
        let mut columns = Vec::new();
        if series {
            columns.push(ParquetColumn::Int64(vec![
                i64::from(
                    item.year.unwrap_or_default()
                );
                m
            ]));
        }
        columns.extend([
            text(item.extension),
            text(item.stressor),
            text(a.unit.symbol()),
            ParquetColumn::Utf8(a.regions.iter().map(|r| r.as_str().to_owned()).collect()),
        ]);
        for values in [
            a.production(),
            a.consumption(),
            a.inflow(),
            a.outflow(),
            a.net(),
        ] {
            columns.push(ParquetColumn::Double(values));
        }
        writer.write_row_group(&columns)?;
    }
    writer.close()
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
    use crate::{ParquetColumn, ParquetKind, ParquetTableWriter};
    let series = !year_column(items).is_empty();
    let mut schema = Vec::new();
    if series {
        schema.push(("year", ParquetKind::Int64));
    }
    schema.extend([
        ("extension", ParquetKind::Utf8),
        ("stressor", ParquetKind::Utf8),
        ("unit", ParquetKind::Utf8),
        ("from", ParquetKind::Utf8),
        ("to", ParquetKind::Utf8),
        ("total", ParquetKind::Double),
        ("intermediate", ParquetKind::Double),
        ("final", ParquetKind::Double),
    ]);
    let mut writer = ParquetTableWriter::create(path, &schema)?;
    for item in items {
        let a = item.accounts;
        let m = a.regions.len();
        let text = |s: &str| ParquetColumn::Utf8(vec![s.to_owned(); m * m]);
        let (mut from, mut to) = (Vec::with_capacity(m * m), Vec::with_capacity(m * m));
        let (mut total, mut inter, mut fin) = (
            Vec::with_capacity(m * m),
            Vec::with_capacity(m * m),
            Vec::with_capacity(m * m),
        );
        for r in 0..m {
            for s in 0..m {
                from.push(a.regions[r].as_str().to_owned());
                to.push(a.regions[s].as_str().to_owned());
                total.push(a.total.get(r, s));
                inter.push(a.intermediate.get(r, s));
                fin.push(a.final_part.get(r, s));
            }
        }
        let mut columns = Vec::new();
        if series {
            columns.push(ParquetColumn::Int64(vec![
                i64::from(
                    item.year.unwrap_or_default()
                );
                m * m
            ]));
        }
        columns.extend([
            text(item.extension),
            text(item.stressor),
            text(a.unit.symbol()),
            ParquetColumn::Utf8(from),
            ParquetColumn::Utf8(to),
            ParquetColumn::Double(total),
            ParquetColumn::Double(inter),
            ParquetColumn::Double(fin),
        ]);
        writer.write_row_group(&columns)?;
    }
    writer.close()
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
        assert_eq!(field("a,b"), "\"a,b\"");
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

    #[test]
    fn parquet_tables_hold_the_long_csv_rows() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::Field;
        let accounts = |scale: f64| EctAccounts {
            regions: vec![
                fzc_core::RegionId::new("EU27").unwrap(),
                fzc_core::RegionId::new("Rest, world").unwrap(),
            ],
            unit: fzc_core::MassUnit::Kilogram,
            method: fzc_ect_mrio::EctMethod::FinalDemand,
            total: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| scale * (1 + 2 * r + s) as f64),
            intermediate: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| {
                scale * (r + s) as f64 / 2.0
            }),
            final_part: fzc_ect_mrio::RegionMatrix::from_fn(2, |r, s| {
                scale * ((1 + 2 * r + s) as f64 - (r + s) as f64 / 2.0)
            }),
            final_users: vec![0.5, 0.25],
            warnings: Vec::new(),
        };
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
}
