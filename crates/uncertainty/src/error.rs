//! The crate's error type.

use std::path::PathBuf;

/// What can go wrong in an uncertainty analysis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UncertaintyError {
    /// A `[[uncertainty]]` stanza is malformed (unknown key, wrong type, bad parameters).
    #[error("{origin}: [[uncertainty]] stanza {stanza} (param {param:?}): {message}")]
    Stanza {
        /// The file the stanza is in.
        origin: String,
        /// 1-based number of the stanza in its file.
        stanza: usize,
        /// Its `param`, as written (empty when missing).
        param: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A stanza names a parameter this scenario does not have.
    #[error(
        "{origin}: [[uncertainty]] stanza {stanza}: unknown parameter {param:?}: {why}. Valid \
         names: {valid}"
    )]
    UnknownParameter {
        /// The file the stanza is in.
        origin: String,
        /// 1-based stanza number.
        stanza: usize,
        /// The name as written.
        param: String,
        /// Why it does not resolve in this scenario (names the scenario).
        why: String,
        /// The valid names for this scenario (wildcards shown once).
        valid: String,
    },
    /// A draw made an input invalid (a negative price, standard or tonnage).
    #[error(
        "draw {draw}: {param} = {value} from {dist} is {problem}; truncate the distribution \
         (dist = \"truncnormal\" with low/high) or narrow it"
    )]
    InvalidDraw {
        /// 0-based draw number.
        draw: u64,
        /// The concrete parameter.
        param: String,
        /// The value drawn (after `scale`).
        value: f64,
        /// The distribution it came from.
        dist: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The scenario run of one draw failed.
    #[error("draw {draw}: {source}")]
    Run {
        /// 0-based draw number.
        draw: u64,
        /// The runner's error.
        #[source]
        source: Box<fzc_scenario::ScenarioError>,
    },
    /// A command-line or API option is out of range.
    #[error("{0}")]
    Options(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a file format failed (the Parquet copies).
    #[error(transparent)]
    Format(#[from] fzc_io::IoError),
    /// A shard folder given to `merge` is not a shard of the same analysis, or is malformed.
    #[error("{path}: {message}")]
    Merge {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong and what was expected.
        message: String,
    },
}
