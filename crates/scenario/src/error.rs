//! The error type of scenario loading and running.

use std::path::PathBuf;

/// What can go wrong when a scenario is read, checked or run.
///
/// Every variant names the file (and line, where there is one), the region or key at fault,
/// and what would have been right.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The scenario TOML is malformed, has an unknown key, or a value of the wrong type or an
    /// unknown name (the message of the TOML parser names the key, line and expected values).
    #[error("{}: {message}", path.display())]
    Toml {
        /// The scenario file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A table row or header is malformed.
    #[error("{}, line {line}: {message}", path.display())]
    Table {
        /// The table file.
        path: PathBuf,
        /// 1-based line number (1 = header).
        line: u64,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A region id appears twice where it must be unique.
    #[error("{}, line {line}: duplicate {what} {id:?}; each must appear once", path.display())]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What kind of key (`region`, `pair`).
        what: &'static str,
        /// The duplicated id.
        id: String,
    },
    /// A table names a region that is not in the scenario's region list.
    #[error(
        "{}, line {line}: region {region:?} is not one of the scenario's regions ({expected})",
        path.display()
    )]
    UnknownRegion {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The region as read.
        region: String,
        /// The scenario's regions, comma separated.
        expected: String,
    },
    /// A table that must cover every region lacks one.
    #[error("{}: region {region:?} is missing; {what}", path.display())]
    MissingRegion {
        /// The file.
        path: PathBuf,
        /// The missing region.
        region: String,
        /// What the table must provide.
        what: &'static str,
    },
    /// A region has no compensation standard and no data to compute one by Eq 18.
    #[error(
        "region {region:?} has no compensation standard in the standards table and no \
         population, GDP and Engel coefficient in the economy table to compute one by Eq 18"
    )]
    MissingStandard {
        /// The region.
        region: String,
    },
    /// A value is out of its allowed range.
    #[error("{what} is {value}; expected {expected}")]
    InvalidValue {
        /// Which value.
        what: String,
        /// The value as read.
        value: f64,
        /// The allowed range.
        expected: &'static str,
    },
    /// The region net transfers do not sum to zero, which Eq 10 requires.
    #[error(
        "{}: the net ECT transfers sum to {sum_tonnes} t CO2, not 0 (tolerance {tolerance_tonnes} t); \
         NF[r] = OF[r] - IF[r] must balance over a closed set of regions",
        path.display()
    )]
    Unbalanced {
        /// The net-transfer file.
        path: PathBuf,
        /// Σ NF, t CO2.
        sum_tonnes: f64,
        /// The tolerance used, t CO2.
        tolerance_tonnes: f64,
    },
    /// A complete bilateral matrix was promised (`bilateral_rule = "given"`) but a region's
    /// row does not sum to its net transfer.
    #[error(
        "region {region:?}: its bilateral nets sum to {row_sum_tonnes} t CO2 but its net transfer \
         NF is {nf_tonnes} t; with bilateral_rule = \"given\" the matrix must be complete"
    )]
    BilateralIncomplete {
        /// The region.
        region: String,
        /// `Σ_s NT[r,s]`, t CO2.
        row_sum_tonnes: f64,
        /// `NF[r]`, t CO2.
        nf_tonnes: f64,
    },
    /// The given bilateral pairs leave a residual that no open pair can carry.
    #[error(
        "region {region:?}: {left_tonnes} t CO2 of its net transfer cannot be allocated, because \
         every counterpart that could take it is already fixed by a given bilateral pair; give \
         that pair's full value or remove it from the bilateral table"
    )]
    BilateralInfeasible {
        /// The region.
        region: String,
        /// The part of NF left over, t CO2.
        left_tonnes: f64,
    },
    /// The scenario asks for an input this version cannot process yet.
    #[error("{what} is not supported yet: {hint}")]
    Unsupported {
        /// The key or input.
        what: String,
        /// What to use instead.
        hint: &'static str,
    },
    /// A raw input file (MRIO, concordance, polygons, balance table) could not be read; the
    /// message names the file, line and column.
    #[error("{0}")]
    Input(fzc_io::IoError),
    /// A raw input's regions are not the scenario's regions.
    #[error(
        "{}: the regions of the {what} differ from the scenario's: only in the {what}: [{}]; \
         only in the scenario: [{}] (ids compare exactly, case included)",
        path.display(),
        only_in_input.join(", "),
        only_in_scenario.join(", ")
    )]
    RegionsDiffer {
        /// The input file or folder.
        path: PathBuf,
        /// What the input is (`MRIO`, `region polygons`, `balance table`).
        what: &'static str,
        /// Regions of the input that the scenario does not list.
        only_in_input: Vec<String>,
        /// Regions of the scenario that the input lacks.
        only_in_scenario: Vec<String>,
    },
    /// One year of a year series (`[ect] years`) failed.
    #[error("year {year}: {error}")]
    Year {
        /// The year.
        year: i32,
        /// What failed.
        error: Box<ScenarioError>,
    },
    /// A layer crate refused a raw input (sector aggregation, the ECT computation, the CSSF
    /// flow model).
    #[error("{}: {what}: {message}", path.display())]
    Layer {
        /// The input the layer was computing from.
        path: PathBuf,
        /// The step that failed.
        what: &'static str,
        /// The layer's message.
        message: String,
    },
    /// A value the run would write is not a finite number (inputs near the limits of a
    /// double overflowed): nothing is written.
    #[error(
        "{file}: {what} of region `{region}` is {value}, not a finite number; an input is too \
         large (check the tables that feed it) and nothing was written"
    )]
    NotFinite {
        /// The output file the value belongs in.
        file: &'static str,
        /// The region.
        region: String,
        /// The column.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// The zoning layer refused the assembled inputs.
    #[error("zoning: {0}")]
    Zoning(fzc_zoning::ZoningError),
    /// The pricing layer refused the assembled inputs.
    #[error("pricing: {0}")]
    Pricing(fzc_pricing::PricingError),
}

// Not `#[from]`: that would also make the layer error the `source`, and error reports that
// print the chain would repeat its message.
impl From<fzc_zoning::ZoningError> for ScenarioError {
    fn from(e: fzc_zoning::ZoningError) -> Self {
        ScenarioError::Zoning(e)
    }
}

impl From<fzc_pricing::PricingError> for ScenarioError {
    fn from(e: fzc_pricing::PricingError) -> Self {
        ScenarioError::Pricing(e)
    }
}

impl From<fzc_io::IoError> for ScenarioError {
    fn from(e: fzc_io::IoError) -> Self {
        ScenarioError::Input(e)
    }
}
