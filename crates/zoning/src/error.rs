//! The error type of the zoning layer.

use fzc_core::RegionId;

/// What can go wrong when regions are zoned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoningError {
    /// A class name that is not one of the seven classes.
    #[error("unknown zone class {text:?}: expected one of {expected}")]
    UnknownClass {
        /// The name as read.
        text: String,
        /// The valid names.
        expected: &'static str,
    },
    /// A zone name that is not `payer`, `recipient` or `none`.
    #[error("unknown zone {text:?}: expected one of payer, recipient, none")]
    UnknownZone {
        /// The name as read.
        text: String,
    },
    /// The same region appears twice in one input.
    #[error("region {region} appears more than once in {what}")]
    DuplicateRegion {
        /// The repeated region.
        region: RegionId,
        /// Which input (e.g. `"net ECT (NF)"`).
        what: &'static str,
    },
    /// A value that must be a finite number is NaN or infinite, or a transfer is negative.
    #[error("{what} of region {region} is {value}, expected {expected}")]
    InvalidValue {
        /// The region concerned.
        region: RegionId,
        /// Which value (`"nf"`, `"v_net"`, `"cssf transfer to tianjin"`, ...).
        what: String,
        /// The value as given.
        value: f64,
        /// What would be right.
        expected: &'static str,
    },
    /// A CSSF transfer from a region to itself.
    #[error("CSSF transfer from region {region} to itself: output and input region must differ")]
    SelfTransfer {
        /// The region.
        region: RegionId,
    },
    /// Regions named in one layer but absent from the other.
    #[error(
        "regions missing between layers: {regions:?} appear in {present_in} but not in {missing_from}"
    )]
    MissingRegions {
        /// The regions concerned, sorted.
        regions: Vec<RegionId>,
        /// The layer (input) that names them.
        present_in: &'static str,
        /// The layer (input) that lacks them.
        missing_from: &'static str,
    },
}
