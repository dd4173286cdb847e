//! Ring orientation before any geodesic area.

use geo::MultiPolygon;
use geo::orient::{Direction, Orient};

/// The polygon with exteriors counter-clockwise and holes clockwise.
///
/// Geodesic area (geographiclib) reads a clockwise exterior as "the Earth minus the polygon"
/// (about 5·10⁸ km²). Shapefile exteriors are clockwise, so every shape is oriented by this
/// function before it is measured; [`crate::geodesic::ellipsoidal_area_km2`] does it itself.
pub fn oriented(shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    shape.orient(Direction::Default)
}
