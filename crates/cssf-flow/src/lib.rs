//! The carbon sequestration service flow (CSSF) layer of fzc (METHOD.md section 2).
//!
//! A region supplies carbon sequestration service (its carbon stock, Eq 11) and demands it
//! (its emissions spread over its population, Eq 12). The supply–demand ratio
//! `CSSDR = (S − D)/(S + D)` (Eq 13, [`cssdr`]) makes it an *output* region (surplus) or an
//! *input* region (deficit). Service then flows from every output region `s` to every input
//! region `r` within reach: the breakpoint formula (Eq 14) puts the reach of `s` at
//! `R = D_rs / (1 + sqrt(N_r / N_s))` along the line between their cores; the part of `r`
//! inside the geodesic circle of radius `R` around `s`'s core is the flow area `S_rs`; and the
//! transfer is `V = k · S_rs · I` with the field-strength intensity `I` (Eq 15–16).
//!
//! Inputs: per-region supply and demand (t), shapes as WGS84 lon/lat rings (degrees), and
//! optionally given cores. Outputs: CSSDR and role per region, and per pair the distance (km),
//! range (km), flow area (km²), intensity (t/km²) and transfer (t), also as a `petgraph`
//! [`FlowGraph`].
//!
//! Principal types: [`BreakpointModel`] (the built-in model, which implements
//! [`fzc_core::FlowModel`] so that plugins can replace it), its option values [`Intensity`],
//! [`Mass`], [`Core`] and [`ImpactFactor`], and [`geodesic::RegionPolygon`] (a validated,
//! oriented region shape).
//!
//! Long work reports to a [`fzc_core::Progress`] through the `_with_progress` entry points:
//! [`BreakpointModel::run_with_progress`] and [`BreakpointModel::run_prepared_with_progress`]
//! (one step per output–input pair), and [`zonal::RegionMasks::pass`] for a streaming pass over
//! a raster (one step per row and layer). The plain entry points report nothing.
//!
//! The key design decision: geometry is right on the ellipsoid. Distances are geodesics on
//! WGS84, the flow buffer is a geodesic circle (a 720-gon of `Geodesic.direct` points), and
//! areas are ellipsoidal: geo's BooleanOps run on lon/lat coordinates and the result is
//! measured with Karney's geodesic area after the rings are oriented (a clockwise shapefile
//! ring would otherwise measure as the rest of the Earth). Invalid polygons are repaired or
//! rejected with the region id, and a panic inside a geometry routine is caught and reported
//! with both regions of the pair. This crate does no file IO.
//!
//! ```
//! use fzc_core::{FlowRegion, LonLat, PolygonRings, RegionId, RegionShape, TonnesCo2};
//! use fzc_cssf_flow::{BreakpointModel, Role};
//!
//! let square = |x0: f64| RegionShape {
//!     parts: vec![PolygonRings {
//!         exterior: vec![
//!             LonLat::new(x0, 39.0),
//!             LonLat::new(x0 + 1.0, 39.0),
//!             LonLat::new(x0 + 1.0, 40.0),
//!             LonLat::new(x0, 40.0),
//!         ],
//!         holes: vec![],
//!     }],
//! };
//! let region = |id: &str, supply: f64, demand: f64, x0: f64| FlowRegion {
//!     id: RegionId::new(id).unwrap(),
//!     supply: TonnesCo2(supply),
//!     demand: TonnesCo2(demand),
//!     given_core: None,
//!     shape: square(x0),
//! };
//! // A forested region next to an industrial one.
//! let regions = [region("forest", 20e6, 4e6, 115.0), region("city", 1e6, 2e6, 116.0)];
//! let run = BreakpointModel::default().run(&regions)?;
//! assert_eq!(run.regions[0].role, Role::Output);
//! assert_eq!(run.regions[1].role, Role::Input);
//! let flow = &run.flows[0];
//! assert!(flow.range_km < flow.distance_km && flow.area_km2 > 0.0);
//! assert!(flow.transfer.0 > 0.0);
//! assert_eq!(run.graph().edge_count(), 1);
//! # Ok::<(), fzc_cssf_flow::CssfError>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod cssdr;
mod demand;
mod error;
mod flow;
pub mod geodesic;
mod graph;
pub mod pixel_area;
#[cfg(test)]
#[allow(clippy::unwrap_used)] // test helper
mod recorder;
pub mod shape;
mod supply;
pub mod zonal;

/// `fzc-core`, whole, for what the re-exports below leave out.
pub use fzc_core;
pub use fzc_core::{FlowRegion, LonLat, PolygonRings, RegionId, RegionShape, TonnesCo2};
/// The geo version [`zonal::RegionMasks::build`] takes polygons in; use
/// `fzc_cssf_flow::geo` to avoid a second geo version. [`shape`] converts to and from the
/// flow model's [`fzc_core::RegionShape`].
pub use geo;

pub use cssdr::{CSSDR_NODATA, Role, cssdr, cssdr_pixels};
pub use demand::{
    Dasymetric, PopulationKind, PopulationRaster, RegionEmissions, Theta, ZonePopulation, ZoneRule,
    calibrate_theta,
};
pub use error::CssfError;
pub use flow::{
    BreakpointModel, Core, CssfRegion, CssfRun, ImpactFactor, Intensity, Mass, breakpoint_range_km,
    flow_intensity_t_per_km2, transfer_t,
};
pub use graph::{FlowGraph, flow_graph};
pub use supply::{
    CarbonPools, InvestSupply, SupplyStats, SupplyUnit, UnmappedClasses, supply_pixels,
};
