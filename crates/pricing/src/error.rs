//! The error type of the compensation layer.

use fzc_core::{PricingSchemeError, RegionId};

/// What can go wrong when standards, flows or ledgers are computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PricingError {
    /// The carbon price is negative, NaN or infinite.
    #[error("carbon price is {value} yuan/t, expected a finite number ≥ 0")]
    InvalidPrice {
        /// The price as given.
        value: f64,
    },
    /// A region has no given standard and lacks what Eq 18 needs.
    #[error(
        "region {region} has no given compensation standard and no data for Eq 18: {missing}; \
         give a standard (yuan/t) or its population, GDP and Engel coefficient"
    )]
    MissingStandard {
        /// The region.
        region: RegionId,
        /// What is missing (`"no economy row"`, `"no Engel coefficient"`).
        missing: &'static str,
    },
    /// An Engel coefficient outside its range.
    #[error(
        "Engel coefficient of region {region} is {value}, expected a value in {range} ({unit})"
    )]
    EngelOutOfRange {
        /// The region.
        region: RegionId,
        /// The value as given.
        value: f64,
        /// `"fraction"` or `"percent"`.
        unit: &'static str,
        /// `"[0, 1]"` or `"[0, 100]"`.
        range: &'static str,
    },
    /// A population that is zero, negative or not finite.
    #[error("population of region {region} is {value}, expected a finite number > 0 (persons)")]
    NonPositivePopulation {
        /// The region.
        region: RegionId,
        /// The value as given.
        value: f64,
    },
    /// Any other value that is NaN, infinite or negative where it must not be.
    #[error("{what} of region {region} is {value}, expected {expected}")]
    InvalidValue {
        /// The region concerned.
        region: RegionId,
        /// Which value.
        what: String,
        /// The value as given.
        value: f64,
        /// What would be right.
        expected: &'static str,
    },
    /// An Eq 18 parameter (`a`, `b`) that is not a finite number ≥ 0, or an area whose
    /// per-capita GDP is not positive.
    #[error("Eq 18 parameter {name} is {value}, expected {expected}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// The value.
        value: f64,
        /// What would be right.
        expected: &'static str,
    },
    /// A region appears twice in one input, or a pair twice in one layer.
    #[error("{what} lists {region} more than once")]
    Duplicate {
        /// The region, or the pair as `"a → b"`.
        region: String,
        /// Which input.
        what: &'static str,
    },
    /// An input names a region that the zoning does not have.
    #[error("{what} names region {region}, which is not among the zoned regions")]
    UnknownRegion {
        /// The region.
        region: RegionId,
        /// Which input.
        what: &'static str,
    },
    /// A bilateral ECT matrix whose two entries of one pair are not opposite.
    #[error(
        "bilateral net ECT is not antisymmetric: NT[{region},{counterpart}] = {nt} but \
         NT[{counterpart},{region}] = {reverse}, expected {minus_nt}"
    )]
    NotAntisymmetric {
        /// `r`.
        region: RegionId,
        /// `s`.
        counterpart: RegionId,
        /// `NT[r,s]`.
        nt: f64,
        /// `NT[s,r]` as given.
        reverse: f64,
        /// `−NT[r,s]`.
        minus_nt: f64,
    },
    /// A flow or transfer from a region to itself.
    #[error("{what} from region {region} to itself: the two regions must differ")]
    SelfFlow {
        /// The region.
        region: RegionId,
        /// Which input.
        what: &'static str,
    },
    /// A scheme name that is not built in.
    #[error("unknown pricing scheme {text:?}: expected one of {expected}")]
    UnknownScheme {
        /// The name as read.
        text: String,
        /// The valid names.
        expected: &'static str,
    },
    /// An option value (area mean, Engel unit) that is not one of the known ones.
    #[error("unknown option value {text:?}: expected one of {expected}")]
    UnknownOption {
        /// The value as read.
        text: String,
        /// The valid values.
        expected: &'static str,
    },
    /// A scheme returned output that does not fit its input.
    #[error("pricing scheme `{scheme}` returned inconsistent output: {why}")]
    InconsistentScheme {
        /// The scheme's name.
        scheme: String,
        /// What does not fit.
        why: String,
    },
    /// The scheme itself failed.
    #[error(transparent)]
    Scheme(#[from] PricingSchemeError),
}
