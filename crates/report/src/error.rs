//! The error type of `fzc-report`.

use std::path::PathBuf;

/// What can go wrong when the report's outputs are built or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The input model is inconsistent (a flow names an unknown region, a duplicate id, a
    /// non-finite number, an empty polygon).
    #[error("report input: {what}")]
    Input {
        /// What is wrong and what was expected.
        what: String,
    },
    /// plotters failed while drawing a figure.
    #[error("figure `{figure}`: drawing failed: {message}")]
    Draw {
        /// The figure's file stem.
        figure: String,
        /// The backend's message.
        message: String,
    },
    /// PNG encoding failed.
    #[error("figure `{figure}`: PNG encoding failed: {message}")]
    Png {
        /// The figure's file stem.
        figure: String,
        /// The encoder's message.
        message: String,
    },
    /// SQLite refused a statement while writing the GeoPackage.
    #[error("{}: GeoPackage layer `{layer}`: {source}", path.display())]
    Sqlite {
        /// The GeoPackage file.
        path: PathBuf,
        /// The layer (or `schema`).
        layer: String,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file or folder could not be created.
    #[error("{}: {source}", path.display())]
    Os {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}
