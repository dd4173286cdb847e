//! Geometry on the WGS84 ellipsoid: distances, flow circles, areas, intersections, and the
//! validation and repair of region polygons.
//!
//! Coordinates are longitude/latitude in degrees (`x` = lon, `y` = lat). Planar set
//! operations (geo's BooleanOps) run on those coordinates; every length and area is then
//! measured on the ellipsoid (Karney's algorithms via geographiclib-rs).

mod area;
mod circle;
mod clip;
mod distance;
mod intersection;
mod orientation;
mod region_polygon;
mod sector;

/// Shapes shared by the geodesic property tests.
#[cfg(test)]
mod test_shapes;

pub use area::{ellipsoidal_area_km2, polygon_area_km2};
pub use circle::{DEFAULT_CIRCLE_VERTICES, geodesic_circle, geodesic_circle_direct};
pub use clip::clip_to_rect;
pub use distance::geodesic_distance_km;
pub use intersection::intersection_area_km2;
pub use orientation::oriented;
pub use region_polygon::{Overlap, RegionPolygon, find_overlaps};
pub use sector::circle_intersection_area_km2;

/// The WGS84 ellipsoid, built once.
pub(crate) fn wgs84() -> &'static geographiclib_rs::Geodesic {
    static WGS84: std::sync::LazyLock<geographiclib_rs::Geodesic> =
        std::sync::LazyLock::new(geographiclib_rs::Geodesic::wgs84);
    &WGS84
}
