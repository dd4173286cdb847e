//! Shared by `fzc cssf supply`, `demand` and `run`: the region and output-folder options.
//! The raster pipeline itself is `fzc_scenario::rasters`.

use std::path::Path;

use clap::ValueEnum;
use fzc_scenario::rasters::{CoverageMode, RegionsInput};

/// `--coverage`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CoverageArg {
    /// Exact cell-coverage fractions (exactextract's method).
    Exact,
    /// A cell counts when its centre is inside.
    PixelCentre,
}

impl From<CoverageArg> for CoverageMode {
    fn from(c: CoverageArg) -> Self {
        match c {
            CoverageArg::Exact => CoverageMode::Exact,
            CoverageArg::PixelCentre => CoverageMode::PixelCentre,
        }
    }
}

/// Parses `--max-outside-share`: a share, so a finite number in [0, 1]. Checked here so a
/// value out of range is blamed on the flag, not later on a raster.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number; expected a share in [0, 1]"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{text} is outside [0, 1]; expected a share of a region's area (1e-9 by default)"
        ))
    }
}

/// The regions options as the library takes them.
pub fn regions_input(
    regions: &Path,
    id_field: Option<&str>,
    coverage: CoverageArg,
    max_outside_share: f64,
) -> RegionsInput {
    RegionsInput {
        path: regions.to_owned(),
        id_field: id_field.map(str::to_owned),
        coverage: coverage.into(),
        max_outside_share,
    }
}
