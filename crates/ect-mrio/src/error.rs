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
    /// A NaN or infinite entry, or a negative one where only non-negative values make sense
    /// (`Z`, `x`; final demand `Y` may be negative).
    #[error("{what}[{row}, {col}] ({region}/{sector}) is {value}, expected {expected}")]
    BadValue {
        /// What the entry should have been.
        expected: &'static str,
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
    /// A satellite (extension) value that is NaN, infinite or negative.
    #[error("{what} of {place} in stressor {stressor:?} is {value}, expected a finite value ≥ 0")]
    BadSatelliteValue {
        /// `"F"` (by sector) or `"F_Y"` (final users).
        what: &'static str,
        /// The stressor's name.
        stressor: String,
        /// `region/sector` (for `F`) or `region` (for `F_Y`).
        place: String,
        /// The value found.
        value: f64,
    },
    /// Given total output disagrees with `Z·1 + Y·1` beyond the tolerance.
    #[error(
        "total output of {region}/{sector} is {found}, but Z·1 + Y·1 = {expected} \
         (relative imbalance {relative:.3e} > tolerance {tolerance:e})"
    )]
    Imbalance {
        /// Region of the sector.
        region: RegionId,
        /// The sector.
        sector: SectorId,
        /// The total output given in the table.
        found: f64,
        /// The row sum `Σ_j z[i,j] + Σ_s y[i,s]`.
        expected: f64,
        /// `|found − expected| / max(|found|, |expected|)`.
        relative: f64,
        /// The tolerance in force.
        tolerance: f64,
    },
    /// A sector with zero total output that buys intermediate inputs.
    #[error(
        "sector {sector} of region {region} has output 0 but intermediate inputs {inputs}; \
         a zero-output sector must have an all-zero column of Z"
    )]
    ZeroOutputWithInputs {
        /// Region of the sector.
        region: RegionId,
        /// The sector.
        sector: SectorId,
        /// `Σ_i z[i,j]`, the inputs it buys.
        inputs: f64,
    },
    /// A quantity computed from finite inputs overflowed to infinity (or became NaN): the
    /// table's values are too large for `f64` arithmetic. Named where it first arises, so
    /// that it is not mistaken for a singular `I − A`.
    #[error(
        "{what} overflows at {place}: {value:e} is not finite (the table's values are too \
         large to compute with; scale them, e.g. to a larger monetary unit)"
    )]
    Overflow {
        /// The quantity: `"x = Z·1 + Y·1"`, `"A = Z·diag(x)⁻¹"`, ….
        what: String,
        /// `region/sector` (for `A`, `row region/sector, column region/sector`).
        place: String,
        /// The non-finite value.
        value: f64,
    },
    /// `I − A` (or a region's domestic block `I − A_rr`) is singular.
    #[error("{what} is singular (pivot {pivot:e}); sectors involved: {}", sectors.join(", "))]
    Singular {
        /// `"I − A"` or `"I − A_rr of region …"`.
        what: String,
        /// `region/sector` labels: the sectors whose coefficient column sums to ≥ 1, or else
        /// the sector at the vanishing pivot.
        sectors: Vec<String>,
        /// The smallest pivot found.
        pivot: f64,
    },
    /// The Leontief system has a solution with negative outputs for non-negative demand.
    #[error(
        "the economy is not productive: (I − A)^-1·y has negative entries (most negative \
         {most_negative:e}) for sectors {}; sectors whose coefficient columns sum to ≥ 1: {}",
        sectors.join(", "),
        if columns_at_or_above_one.is_empty() { "none".to_owned() } else { columns_at_or_above_one.join(", ") }
    )]
    NonProductive {
        /// `region/sector` labels with negative solved output.
        sectors: Vec<String>,
        /// `region/sector` labels whose column of `A` sums to ≥ 1.
        columns_at_or_above_one: Vec<String>,
        /// The most negative entry.
        most_negative: f64,
    },
    /// An option value outside its valid range.
    #[error("option {what} is {value}, expected {expected}")]
    BadOption {
        /// Option name.
        what: &'static str,
        /// The value given.
        value: f64,
        /// What would be valid.
        expected: &'static str,
    },
    /// An energy carrier the coefficient table does not know.
    #[error("unknown energy carrier {carrier:?}; known carriers: {}", known.join(", "))]
    UnknownCarrier {
        /// The carrier name given.
        carrier: String,
        /// The carriers the table knows, sorted.
        known: Vec<String>,
    },
    /// A NaN, infinite or negative energy use or carbon coefficient.
    #[error("{what} for carrier {carrier:?} is {value}, expected a finite value ≥ 0")]
    BadEnergyValue {
        /// `"energy use (tce)"` or `"carbon coefficient (t C/tce)"`.
        what: &'static str,
        /// The carrier.
        carrier: String,
        /// The value found.
        value: f64,
    },
    /// A sector concordance maps one source sector to two different targets, or is empty.
    #[error("concordance: {message}")]
    Concordance {
        /// What is wrong, naming the sectors.
        message: String,
    },
    /// Sectors of a table that a concordance does not map.
    #[error("sectors missing from the concordance: {}", sectors.iter().map(SectorId::as_str).collect::<Vec<_>>().join(", "))]
    UnmappedSectors {
        /// The unmapped sectors, in table order.
        sectors: Vec<SectorId>,
    },
    /// Per-region growth factors that are NaN, infinite or negative.
    #[error("growth factor of region {region} is {value}, expected a finite value ≥ 0")]
    BadGrowthFactor {
        /// The region.
        region: RegionId,
        /// The value found.
        value: f64,
    },
    /// An operation the chosen options do not support.
    #[error("{what}")]
    Unsupported {
        /// What was asked and why it cannot be done.
        what: String,
    },
    /// Final demand perturbed (an uncertainty draw) so that a sector with emissions has no
    /// positive total output: its emission intensity is undefined.
    #[error(
        "with the perturbed final demand, {place} has total output {value:e} (≤ 0) but direct \
         emissions; its intensity is undefined (narrow the noise on Y)"
    )]
    PerturbedOutput {
        /// The sector, as `region/sector`.
        place: String,
        /// Its total output under the perturbed final demand.
        value: f64,
    },
    /// RAS targets or prior that cannot be balanced.
    #[error("RAS: {message}")]
    RasInfeasible {
        /// What is wrong (inconsistent totals, a zero row with a positive target, …).
        message: String,
    },
    /// RAS did not reach its tolerance.
    #[error(
        "RAS did not converge in {iterations} iterations: largest relative residual \
         {residual:e} > tolerance {tolerance:e}"
    )]
    RasNotConverged {
        /// Iterations run.
        iterations: usize,
        /// Largest relative row or column residual at the end.
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
    },
}
