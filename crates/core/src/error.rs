//! The error type of the core vocabulary.

/// What can go wrong when a label or a unit is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A region or sector label was empty or had surrounding white space.
    #[error("invalid {kind} id {text:?}: {why}")]
    InvalidId {
        /// `"region"` or `"sector"`.
        kind: &'static str,
        /// The text as read.
        text: String,
        /// What would be right.
        why: &'static str,
    },
    /// A unit string that is not one of the known mass units.
    #[error("unknown mass unit {text:?}: expected one of {expected}")]
    UnknownUnit {
        /// The unit as read.
        text: String,
        /// The accepted spellings.
        expected: &'static str,
    },
}
