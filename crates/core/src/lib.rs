//! The shared vocabulary of fzc.
//!
//! Every other fzc crate depends on this one and it depends on no other fzc crate. It holds
//! what the layers must agree on to talk to each other:
//!
//! - [`RegionId`] and [`SectorId`]: validated labels. Regions are the unit of every account
//!   (cities in the paper), sectors the rows of an input-output table.
//! - [`MassUnit`]: units of CO2 mass that input files may declare. A unit the crate does not
//!   know is an error, never a silent factor of one.
//! - Unit-carrying newtypes ([`TonnesCo2`], [`Yuan`], [`YuanPerTonne`]) for values that cross
//!   a crate boundary.
//!
//! The key design decision: labels are validated once, at the edge, and compute crates take
//! plain validated structs. A label text such as `"nan"` stays a label.
//!
//! ```
//! use fzc_core::{MassUnit, RegionId};
//!
//! let beijing: RegionId = "beijing".parse()?;
//! assert_eq!(beijing.as_str(), "beijing");
//! let mt: MassUnit = "Mt CO2".parse()?;
//! assert_eq!(mt.tonnes_per_unit(), 1e6);
//! assert!("furlongs".parse::<MassUnit>().is_err());
//! # Ok::<(), fzc_core::CoreError>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod demand_estimator;
mod error;
mod flow_model;
mod ids;
mod pricing_scheme;
mod progress;
mod raster_grid;
mod supply_estimator;
mod units;

pub use demand_estimator::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling};
pub use error::CoreError;
pub use flow_model::{
    FlowModel, FlowModelError, FlowOutput, FlowRegion, LonLat, PolygonRings, RegionFlow,
    RegionShape,
};
pub use ids::{RegionId, SectorId};
pub use pricing_scheme::{
    FlowPrice, Layer, PricingFlow, PricingInput, PricingOutput, PricingScheme, PricingSchemeError,
};
pub use progress::{NoProgress, Progress};
pub use raster_grid::{GeoTransform, GridCrs, RasterGrid};
pub use supply_estimator::{PixelSupply, SupplyEstimator, SupplyPixel};
pub use units::{BilateralNet, MassUnit, TonnesCo2, Yuan, YuanPerTonne};
