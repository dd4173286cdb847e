//! The error type of every reader and writer in `fzc-io`.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input file something was found: the file, and where known the 1-based line and
/// the column (by header name or 1-based number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number, if the problem is on one line.
    pub line: Option<usize>,
    /// The column's header name or 1-based number, if the problem is in one column.
    pub column: Option<String>,
}

impl Location {
    /// A whole file.
    pub fn file(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            column: None,
        }
    }

    /// One line of a file.
    pub fn line(path: &Path, line: usize) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            column: None,
        }
    }

    /// One cell of a file.
    pub fn cell(path: &Path, line: usize, column: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column.into()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

/// What can go wrong when fzc reads or writes a file.
///
/// Every variant says where (file, line, column) and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The operating system refused to open, read or write a file.
    #[error("{}: {error}", path.display())]
    Os {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error (part of the message, not a `source()`, so that error chains
        /// do not print it twice).
        error: std::io::Error,
    },
    /// A value or label that does not parse, or breaks the file's rules.
    #[error("{at}: found {found:?}, expected {expected}")]
    Value {
        /// Where.
        at: Location,
        /// The text as read (abbreviated if long).
        found: String,
        /// What would be right.
        expected: String,
    },
    /// A file whose structure is wrong (missing header, non-square matrix, label sets that
    /// differ from another file, …).
    #[error("{at}: {message}")]
    Structure {
        /// Where.
        at: Location,
        /// What is wrong and what would be right.
        message: String,
    },
    /// The table read is not a valid MRIO table.
    #[error("{}: {error}", path.display())]
    Mrio {
        /// The file or folder the table came from.
        path: PathBuf,
        /// The engine's complaint (part of the message, not a `source()`); boxed to keep
        /// `IoError` small.
        error: Box<fzc_ect_mrio::MrioError>,
    },
    /// No stressor of that name, or more than one.
    #[error("stressor {wanted:?} {problem} in {}; candidates: {}", path.display(), candidates.join(", "))]
    Stressor {
        /// The MRIO source.
        path: PathBuf,
        /// The name asked for.
        wanted: String,
        /// `"not found"`, `"is ambiguous"`, `"is given twice"`, or why `all` was refused.
        problem: &'static str,
        /// Every stressor (with extension and compartment) the source has.
        candidates: Vec<String>,
    },
}

impl IoError {
    /// An OS error on `path`.
    pub fn os(path: &Path, error: std::io::Error) -> Self {
        IoError::Os {
            path: path.to_path_buf(),
            error,
        }
    }

    /// A bad value at `at`.
    pub fn value(at: Location, found: &str, expected: impl Into<String>) -> Self {
        let mut found = found.to_owned();
        if found.chars().count() > 60 {
            found = found.chars().take(57).collect::<String>() + "...";
        }
        IoError::Value {
            at,
            found,
            expected: expected.into(),
        }
    }

    /// A structural problem at `at`.
    pub fn structure(at: Location, message: impl Into<String>) -> Self {
        IoError::Structure {
            at,
            message: message.into(),
        }
    }
}
