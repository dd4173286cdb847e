//! Plain Parquet tables: named columns of 64-bit integers, doubles or UTF-8 text, written in
//! row groups the caller chooses (so that a streamed run and a merge of its shards write
//! the same bytes). Uncompressed, no dictionary, no statistics beyond Parquet's defaults:
//! readable by pandas/pyarrow, polars, DuckDB and R's arrow.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{ConvertedType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::IoError;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParquetKind {
    /// 64-bit signed integers.
    Int64,
    /// 64-bit floats.
    Double,
    /// UTF-8 text.
    Utf8,
}

/// The values of one column for one row group.
#[derive(Debug, Clone, PartialEq)]
pub enum ParquetColumn {
    /// For an [`ParquetKind::Int64`] column.
    Int64(Vec<i64>),
    /// For a [`ParquetKind::Double`] column.
    Double(Vec<f64>),
    /// For a [`ParquetKind::Utf8`] column.
    Utf8(Vec<String>),
}

impl ParquetColumn {
    /// Appends `more`'s values; a column of another kind is left as it is (callers append
    /// the columns of one schema).
    pub(crate) fn append(&mut self, more: ParquetColumn) {
        match (self, more) {
            (ParquetColumn::Int64(v), ParquetColumn::Int64(m)) => v.extend(m),
            (ParquetColumn::Double(v), ParquetColumn::Double(m)) => v.extend(m),
            (ParquetColumn::Utf8(v), ParquetColumn::Utf8(m)) => v.extend(m),
            _ => debug_assert!(false, "appending a column of another kind"),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            ParquetColumn::Int64(v) => v.len(),
            ParquetColumn::Double(v) => v.len(),
            ParquetColumn::Utf8(v) => v.len(),
        }
    }
}

/// A Parquet file being written, one row group at a time.
pub struct ParquetTableWriter {
    path: PathBuf,
    kinds: Vec<ParquetKind>,
    writer: SerializedFileWriter<File>,
}

fn parquet_error(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::os(path, std::io::Error::other(format!("writing Parquet: {e}")))
}

impl ParquetTableWriter {
    /// Creates `path` with the given columns (all required, none nullable).
    ///
    /// # Errors
    /// [`IoError::Os`] when the file cannot be created or the schema is refused.
    pub fn create(path: &Path, columns: &[(&str, ParquetKind)]) -> Result<Self, IoError> {
        let mut fields = Vec::with_capacity(columns.len());
        for (name, kind) in columns {
            let builder = match kind {
                ParquetKind::Int64 => Type::primitive_type_builder(name, PhysicalType::INT64),
                ParquetKind::Double => Type::primitive_type_builder(name, PhysicalType::DOUBLE),
                ParquetKind::Utf8 => Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                    .with_converted_type(ConvertedType::UTF8),
            };
            let field = builder
                .with_repetition(Repetition::REQUIRED)
                .build()
                .map_err(|e| parquet_error(path, e))?;
            fields.push(Arc::new(field));
        }
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(|e| parquet_error(path, e))?;
        let properties = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_created_by("fzc".to_owned())
            .build();
        let file = File::create(path).map_err(|e| IoError::os(path, e))?;
        let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(properties))
            .map_err(|e| parquet_error(path, e))?;
        Ok(ParquetTableWriter {
            path: path.to_owned(),
            kinds: columns.iter().map(|(_, k)| *k).collect(),
            writer,
        })
    }

    /// Writes one row group: one [`ParquetColumn`] per column, of equal lengths.
    ///
    /// # Errors
    /// [`IoError::Os`] when the columns do not match the schema or the write fails.
    pub fn write_row_group(&mut self, columns: &[ParquetColumn]) -> Result<(), IoError> {
        let path = self.path.clone();
        if columns.len() != self.kinds.len() {
            return Err(parquet_error(
                &path,
                format!(
                    "{} columns given, the schema has {}",
                    columns.len(),
                    self.kinds.len()
                ),
            ));
        }
        let rows = columns.first().map_or(0, ParquetColumn::len);
        if columns.iter().any(|c| c.len() != rows) {
            return Err(parquet_error(&path, "columns of unequal length"));
        }
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| parquet_error(&path, e))?;
        for (column, kind) in columns.iter().zip(&self.kinds) {
            let Some(mut col) = group.next_column().map_err(|e| parquet_error(&path, e))? else {
                return Err(parquet_error(&path, "fewer columns than the schema"));
            };
            match (column, kind) {
                (ParquetColumn::Int64(v), ParquetKind::Int64) => {
                    col.typed::<Int64Type>()
                        .write_batch(v, None, None)
                        .map_err(|e| parquet_error(&path, e))?;
                }
                (ParquetColumn::Double(v), ParquetKind::Double) => {
                    col.typed::<DoubleType>()
                        .write_batch(v, None, None)
                        .map_err(|e| parquet_error(&path, e))?;
                }
                (ParquetColumn::Utf8(v), ParquetKind::Utf8) => {
                    let bytes: Vec<ByteArray> =
                        v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&bytes, None, None)
                        .map_err(|e| parquet_error(&path, e))?;
                }
                _ => {
                    return Err(parquet_error(
                        &path,
                        "a column's values do not match its type",
                    ));
                }
            }
            col.close().map_err(|e| parquet_error(&path, e))?;
        }
        group.close().map_err(|e| parquet_error(&path, e))?;
        Ok(())
    }

    /// Finishes the file (writes the footer) and syncs it to disk.
    ///
    /// # Errors
    /// [`IoError::Os`] when the footer cannot be written.
    pub fn close(self) -> Result<(), IoError> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| parquet_error(&path, e))?;
        file.sync_all().map_err(|e| IoError::os(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_round_trips_through_the_parquet_reader() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("t.parquet");
        let mut w = ParquetTableWriter::create(
            &path,
            &[
                ("draw", ParquetKind::Int64),
                ("region", ParquetKind::Utf8),
                ("v", ParquetKind::Double),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for g in 0..2 {
            w.write_row_group(&[
                ParquetColumn::Int64(vec![g, g]),
                ParquetColumn::Utf8(vec!["beijing".into(), "tianjin".into()]),
                ParquetColumn::Double(vec![1.5, -2.25]),
            ])
            .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(w.write_row_group(&[ParquetColumn::Int64(vec![1])]).is_err());
        w.close().unwrap_or_else(|e| panic!("{e}"));
        let file = File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let reader = SerializedFileReader::new(file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reader.metadata().file_metadata().num_rows(), 4);
        assert_eq!(reader.metadata().num_row_groups(), 2);
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.map(|r| r.to_string()).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(rows[1], "{draw: 0, region: \"tianjin\", v: -2.25E0}");
    }
}
