//! The error type of the CSSF layer.

use fzc_core::RegionId;

/// What can go wrong in the CSSF layer. Every variant names the region(s) concerned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CssfError {
    /// Region masks that would take more memory than the budget allows.
    #[error(
        "region `{region}`: its mask on this grid would take about {bytes:.0} bytes for all regions \
         ({rows:.0} pixel rows and {boundary_cells:.0} boundary cells for this one), over the memory \
         budget of {budget} bytes; use a coarser raster, clip the raster, or raise \
         FZC_MEMORY_BUDGET (MiB)"
    )]
    MaskTooLarge {
        /// The region with the largest mask.
        region: RegionId,
        /// Its pixel rows.
        rows: f64,
        /// Its boundary cells.
        boundary_cells: f64,
        /// The estimate for all regions, in bytes.
        bytes: f64,
        /// The budget, in bytes.
        budget: u64,
    },
    /// A supply or demand value that is negative or not finite.
    #[error("region `{region}`: {what} is {value}, expected a finite value ≥ 0 (t)")]
    InvalidMass {
        /// The region.
        region: RegionId,
        /// `"supply"` or `"demand"`.
        what: &'static str,
        /// The value as given.
        value: f64,
    },
    /// The impact factor `k` of Eq 16 outside [0, 1].
    #[error("impact factor k = {value} is outside [0, 1] (METHOD.md 2.4)")]
    InvalidImpactFactor {
        /// The value as given.
        value: f64,
    },
    /// A region's shape is unusable (no parts, coordinates out of range, zero area, or a
    /// repair that failed).
    #[error("region `{region}`: invalid polygon: {why}")]
    InvalidPolygon {
        /// The region.
        region: RegionId,
        /// What is wrong and what would be right.
        why: String,
    },
    /// `Core::Given` without a core for this region.
    #[error("region `{region}`: no given core (core_lon, core_lat) but core = \"given\"")]
    MissingCore {
        /// The region.
        region: RegionId,
    },
    /// A given core outside the valid longitude/latitude range.
    #[error("region `{region}`: core ({lon}, {lat}) is not a WGS84 lon/lat position in degrees")]
    InvalidCore {
        /// The region.
        region: RegionId,
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// A region id that appears twice.
    #[error("region `{region}` appears more than once")]
    DuplicateRegion {
        /// The region.
        region: RegionId,
    },
    /// A geometry routine failed (or panicked) on a pair of regions.
    #[error("geometry failed for output region `{from}` and input region `{to}`: {why}")]
    Geometry {
        /// The output region (whose flow circle was intersected).
        from: RegionId,
        /// The input region.
        to: RegionId,
        /// The failure, or the panic message.
        why: String,
    },
    /// Land-use classes without carbon pools (and the unmapped-class policy is "error").
    #[error("land-use classes without carbon pools (class: pixels): {}; expected every class in the pools table or the class mapping, or the skip option", classes.iter().map(|(c, n)| format!("{c}: {n}")).collect::<Vec<_>>().join(", "))]
    UnmappedClasses {
        /// Class code (as in the raster) and pixel count.
        classes: Vec<(i64, u64)>,
    },
    /// A region that the raster covers only in part.
    #[error("region `{region}`: {:.2} % of it lies outside the raster; expected a raster covering every region (check the extent and CRS)", outside_share * 100.0)]
    RasterDoesNotCover {
        /// The region.
        region: RegionId,
        /// Share of its cell coverage outside the raster, in [0, 1].
        outside_share: f64,
    },
    /// A region whose cells are all nodata in a layer.
    #[error("region `{region}`: every cell of layer `{layer}` inside it is nodata")]
    AllNoData {
        /// The region.
        region: RegionId,
        /// The layer (file or name).
        layer: String,
    },
    /// Demand cannot be calibrated for a region.
    #[error("region `{region}`: demand: {why}")]
    Demand {
        /// The region.
        region: RegionId,
        /// What is wrong and what would be right.
        why: String,
    },
}
