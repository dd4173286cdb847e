//! The interface of a carbon-sequestration-service *supply* estimator (METHOD.md 2.1, Eq 11).
//!
//! The built-in estimator sums InVEST carbon pools per land-use class; alternatives (annual
//! sequestration from two land-use dates, NPP) implement the same per-pixel trait. Plain data
//! in and out, so that a plugin behind a C ABI can implement it.

/// What a supply estimator knows about one pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct SupplyPixel {
    /// Land-use class code, or NaN for no data.
    pub land_class: f64,
    /// The pixel's area.
    ///
    /// # Units
    /// ha.
    pub area_ha: f64,
}

/// The supply of one pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PixelSupply {
    /// Supply of the pixel.
    ///
    /// # Units
    /// t C (as the paper) or t CO2, as the estimator was configured.
    Value(f64),
    /// The pixel has no data.
    NoData,
    /// The pixel's class is not known to the estimator.
    UnknownClass(i64),
}

/// A supply estimator (Eq 11).
pub trait SupplyEstimator: Send + Sync {
    /// A short name for reports.
    fn name(&self) -> &str;
    /// The supply of one pixel.
    fn pixel_supply(&self, pixel: &SupplyPixel) -> PixelSupply;
}
