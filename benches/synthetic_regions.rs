//! Deterministic synthetic regions for the CSSF flow benchmark: a jittered grid of star-shaped
//! (nearly convex) polygons over a China-sized extent, with seeded supply and demand so that
//! about half the regions are outputs and half inputs.

use fzc_core::{FlowRegion, LonLat, PolygonRings, RegionId, RegionShape, TonnesCo2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// West edge of the extent, degrees east.
const LON0: f64 = 73.0;
/// South edge of the extent, degrees north.
const LAT0: f64 = 18.0;
/// Width of the extent, degrees.
const WIDTH_DEG: f64 = 62.0;
/// Height of the extent, degrees.
const HEIGHT_DEG: f64 = 35.0;
/// Vertices of each region's ring.
const RING_VERTICES: usize = 24;

/// A lon/lat rectangle in degrees: west and south edges, width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    /// West edge, degrees east.
    pub lon0: f64,
    /// South edge, degrees north.
    pub lat0: f64,
    /// Width, degrees.
    pub width_deg: f64,
    /// Height, degrees.
    pub height_deg: f64,
}

/// The China-sized extent of [`synthetic_regions`]: 73–135° E, 18–53° N.
pub const CHINA: Extent = Extent {
    lon0: LON0,
    lat0: LAT0,
    width_deg: WIDTH_DEG,
    height_deg: HEIGHT_DEG,
};

/// A province-sized extent, 110–124° E, 30–42° N: every pair of cores is less than 2,000 km
/// apart, so a flow circle whose range equals the core distance stays far from the pole and
/// the antimeridian.
pub const NORTH_CHINA: Extent = Extent {
    lon0: 110.0,
    lat0: 30.0,
    width_deg: 14.0,
    height_deg: 12.0,
};

/// `count` regions `R000`, `R001`, … laid on a `cols × rows` grid (the smallest near-square
/// grid that holds them), each a ring of [`RING_VERTICES`] points around a jittered centre
/// with radii between 35 % and 48 % of the cell, supply and demand uniform in 1e5–1e7 t.
///
/// # Panics
/// Never for `count ≤ 1000` (ids are valid by construction).
pub fn synthetic_regions(count: usize, seed: u64) -> Vec<FlowRegion> {
    synthetic_regions_in(count, seed, CHINA)
}

/// [`synthetic_regions`] laid over `extent` instead of the China-sized one.
///
/// # Panics
/// Never for `count ≤ 1000` (ids are valid by construction).
pub fn synthetic_regions_in(count: usize, seed: u64, extent: Extent) -> Vec<FlowRegion> {
    let Extent {
        lon0,
        lat0,
        width_deg,
        height_deg,
    } = extent;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cols = (count as f64 * width_deg / height_deg).sqrt().ceil() as usize;
    let rows = count.div_ceil(cols);
    let (cw, ch) = (width_deg / cols as f64, height_deg / rows as f64);
    (0..count)
        .map(|i| {
            let (c, r) = ((i % cols) as f64, (i / cols) as f64);
            let cx = lon0 + (c + 0.5 + 0.2 * (rng.random::<f64>() - 0.5)) * cw;
            let cy = lat0 + (r + 0.5 + 0.2 * (rng.random::<f64>() - 0.5)) * ch;
            let exterior = (0..RING_VERTICES)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / RING_VERTICES as f64;
                    let f = 0.35 + 0.13 * rng.random::<f64>();
                    LonLat::new(cx + f * cw * a.cos(), cy + f * ch * a.sin())
                })
                .collect();
            let supply = 1e5 + 9.9e6 * rng.random::<f64>();
            let demand = 1e5 + 9.9e6 * rng.random::<f64>();
            #[allow(clippy::unwrap_used)]
            let id = RegionId::new(format!("R{i:03}")).unwrap();
            FlowRegion {
                id,
                supply: TonnesCo2(supply),
                demand: TonnesCo2(demand),
                given_core: None,
                shape: RegionShape {
                    parts: vec![PolygonRings {
                        exterior,
                        holes: vec![],
                    }],
                },
            }
        })
        .collect()
}
