//! The interface of a carbon-sequestration-service flow (CSSF) model.
//!
//! A flow model turns per-region supply and demand of carbon sequestration service, plus the
//! regions' shapes, into flows from output (surplus) regions to input (deficit) regions
//! (METHOD.md section 2.4). Everything here is plain data, free of file formats and of any
//! geometry library, so that a plugin behind a C ABI can implement the same trait: positions
//! are WGS84 longitude/latitude in degrees, shapes are plain coordinate rings, regions are
//! addressed by their index in the input slice.

use crate::{RegionId, TonnesCo2};

/// A position on the WGS84 ellipsoid.
///
/// # Units
/// Degrees: `lon_deg` east of Greenwich in [−180, 180], `lat_deg` north in [−90, 90].
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LonLat {
    /// Longitude, degrees east.
    pub lon_deg: f64,
    /// Latitude, degrees north.
    pub lat_deg: f64,
}

impl LonLat {
    /// A position from longitude and latitude in degrees.
    pub fn new(lon_deg: f64, lat_deg: f64) -> Self {
        Self { lon_deg, lat_deg }
    }
}

/// One polygon: an exterior ring and its holes, each a list of positions.
///
/// Rings may or may not repeat their first position at the end, and may be wound either way:
/// consumers close and orient them (shapefile exteriors are clockwise, GeoJSON's are
/// counter-clockwise).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PolygonRings {
    /// The outer boundary.
    pub exterior: Vec<LonLat>,
    /// Holes inside the outer boundary.
    pub holes: Vec<Vec<LonLat>>,
}

/// The shape of a region: one or more polygon parts (a multi-part city such as Tangshan with
/// its islands has many).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionShape {
    /// The parts; their union is the region.
    pub parts: Vec<PolygonRings>,
}

/// The input of a flow model for one region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FlowRegion {
    /// The region's id.
    pub id: RegionId,
    /// Carbon sequestration service supply of the region (Eq 11 summed over the region).
    ///
    /// # Units
    /// t (the paper compares it with demand in t CO2 as is; see METHOD.md 2.1).
    pub supply: TonnesCo2,
    /// Carbon sequestration service demand of the region (Eq 12 summed over the region).
    ///
    /// # Units
    /// t CO2.
    pub demand: TonnesCo2,
    /// The region's core when it is given by the user (`core = "given"`), else `None`.
    pub given_core: Option<LonLat>,
    /// The region's shape.
    pub shape: RegionShape,
}

/// One flow from an output region to an input region.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionFlow {
    /// Index of the output (surplus, CSSDR > 0) region in the input slice.
    pub from: usize,
    /// Index of the input (deficit, CSSDR < 0) region in the input slice.
    pub to: usize,
    /// Geodesic distance between the two cores, km.
    pub distance_km: f64,
    /// Flow range (breakpoint radius around the output core), km.
    pub range_km: f64,
    /// Flow area: the part of the input region within the flow range, km².
    pub area_km2: f64,
    /// Flow intensity, t/km².
    pub intensity_t_per_km2: f64,
    /// Transferred carbon sequestration service, t.
    pub transfer: TonnesCo2,
}

/// What a flow model returns.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FlowOutput {
    /// The core used for each region, in the order of the input slice.
    pub cores: Vec<LonLat>,
    /// Every (output region, input region) pair the model considered, sorted by
    /// (`from`, `to`). Pairs whose transfer is zero are included, so that ranges and distances
    /// can be inspected.
    pub flows: Vec<RegionFlow>,
}

/// Why a flow model failed: a message and, where one is to blame, the region.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", region.as_ref().map(|r| format!("region `{r}`: ")).unwrap_or_default())]
pub struct FlowModelError {
    /// The region the failure concerns, if any.
    pub region: Option<RegionId>,
    /// What went wrong and what would be right.
    pub message: String,
}

/// A CSSF model: per-region supply, demand and shape in, flows between regions out.
///
/// Implementations must be deterministic: the same input gives the same output, in the same
/// order, whatever the number of threads.
pub trait FlowModel: Send + Sync {
    /// A short name of the model, e.g. `"breakpoint"`.
    fn name(&self) -> &str;

    /// Computes the flows between the regions.
    ///
    /// # Errors
    /// [`FlowModelError`] naming the region when an input is unusable (negative mass, a shape
    /// without area, a missing given core, ...).
    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError>;
}
