//! The interface of a carbon-sequestration-service *demand* estimator (METHOD.md 2.2, Eq 12).
//!
//! Demand is population × a per-capita emission coefficient θ that the CSSF layer calibrates
//! so that each region's demand sums to its emissions. An estimator decides, per pixel, how
//! many people live there (or a relative weight, rescaled to a census total) and which θ zone
//! the pixel is in. Everything is plain data so that a plugin behind a C ABI can implement it.

/// The θ zone of a pixel (paper 3.3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(C)]
pub enum DemandZone {
    /// Agricultural land: θ = agricultural emissions / population on agricultural land.
    Agricultural = 0,
    /// Urban (an urban mask, or artificial surfaces): θ from the urban share of the other
    /// emissions.
    Urban = 1,
    /// Everything else: θ from the rural share of the other emissions.
    Rural = 2,
}

/// What an estimator knows about one pixel. `NaN` means "no data" or "no such layer".
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct DemandPixel {
    /// Population raster value (a count or a density, as the estimator was told), or NaN.
    pub population: f64,
    /// Land-use class code, or NaN.
    pub land_class: f64,
    /// Urban mask value (non-zero = urban), or NaN when there is no mask.
    pub urban: f64,
    /// The pixel's area.
    ///
    /// # Units
    /// km².
    pub area_km2: f64,
}

/// How an estimator's pixel populations relate to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub enum PopulationScaling {
    /// Pixel values are persons.
    AsIs = 0,
    /// Pixel values are relative weights, rescaled per region so they sum to the region's
    /// census total (dasymetric mapping).
    ToRegionTotal = 1,
}

/// A demand estimator (Eq 12): pixel population and θ zone.
pub trait DemandEstimator: Send + Sync {
    /// A short name for reports.
    fn name(&self) -> &str;
    /// Whether pixel values are persons or weights to rescale to census totals.
    fn scaling(&self) -> PopulationScaling;
    /// The persons (or weight) in the pixel, `None` for no data.
    ///
    /// # Units
    /// persons (or a relative weight with [`PopulationScaling::ToRegionTotal`]).
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64>;
    /// The θ zone of the pixel.
    fn zone(&self, pixel: &DemandPixel) -> DemandZone;
    /// The population (or weight) and zone of many pixels at once, in order: for each pixel
    /// what [`DemandEstimator::pixel_population`] and [`DemandEstimator::zone`] give. The CSSF
    /// layer calls this once per window of raster rows, so an estimator that crosses a
    /// boundary per call (a Python object) crosses it once per window. The default calls the
    /// per-pixel methods.
    ///
    /// # Errors
    /// A message saying what failed (an estimator that cannot fail never returns one); the
    /// layer stops with it, naming the estimator.
    fn estimate(
        &self,
        pixels: &[DemandPixel],
        out: &mut Vec<(Option<f64>, DemandZone)>,
    ) -> Result<(), String> {
        out.clear();
        out.extend(
            pixels
                .iter()
                .map(|p| (self.pixel_population(p), self.zone(p))),
        );
        Ok(())
    }
}
