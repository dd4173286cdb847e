//! The error type of the ECT layer.

use fzc_core::{RegionId, SectorId};

/// What can go wrong in building or solving an MRIO model.
///
/// Every variant names the region and sector (or the matrix and index) it is about, and says
/// what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MrioError {
    /// A matrix or vector had the wrong size.
    #[error(
        "{what} has shape {found_rows} × {found_cols}, expected {expected_rows} × {expected_cols}"
    )]
    Shape {
        /// Which matrix (`"Z"`, `"Y"`, `"x"`, `"F"`, …).
        what: &'static str,
        /// Rows found.
        found_rows: usize,
        /// Columns found.
        found_cols: usize,
        /// Rows expected.
        expected_rows: usize,
        /// Columns expected.
        expected_cols: usize,
    },
    /// A NaN, infinite or negative entry where only finite non-negative values make sense.
    #[error("{what}[{row}, {col}] ({region}/{sector}) is {value}, expected a finite value ≥ 0")]
    BadValue {
        /// Which matrix.
        what: &'static str,
        /// Row index.
        row: usize,
        /// Column index.
        col: usize,
        /// Region of the row.
        region: RegionId,
        /// Sector of the row.
        sector: SectorId,
        /// The value found.
        value: f64,
    },
    /// Duplicate region or sector labels.
    #[error("duplicate {kind} label {label:?}")]
    DuplicateLabel {
        /// `"region"` or `"sector"`.
        kind: &'static str,
        /// The repeated label.
        label: String,
    },
}
