//! Zonal sums of per-pixel layers over region polygons, with exact cell-coverage fractions.
//!
//! A [`RegionMasks`] is built once per grid from the regions' polygons (in the grid's CRS):
//! for every region and every row it touches, runs of `(column, length, fraction)` where
//! `fraction` is the exact share of the cell's area (in the raster's coordinate plane) inside
//! the polygon, as exactextract computes it; interior cells come as runs of fraction 1, so a
//! mask costs memory in proportion to the region's perimeter, not its area. With
//! [`CoverageMode::PixelCentre`] a cell counts fully when its centre is inside, else not.
//!
//! Layers are then fed to [`RegionMasks::accumulate`] one window of rows at a time (any
//! window height, top to bottom or not), so a raster of any size streams through in bounded
//! memory; regions are summed in parallel with rayon. [`RegionMasks::pass`] wraps a pass over
//! the whole raster so that it reports its rows to a [`fzc_core::Progress`].

mod coverage;
mod masks;

pub use coverage::{CoverageMode, Run, coverage_rows};
pub use masks::{RegionMask, RegionMasks, ZONAL_TASK, ZonalPass, ZonalSum};
