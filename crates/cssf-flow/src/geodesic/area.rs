//! Ellipsoidal area of polygons.

use geo::{GeodesicArea, MultiPolygon, Polygon};

use super::oriented;

/// The area of a (multi)polygon on the WGS84 ellipsoid, whatever the winding of its rings.
///
/// The rings are oriented first (exteriors counter-clockwise), so a clockwise shapefile ring
/// gives the polygon's area and not the rest of the Earth's.
///
/// # Units
/// Coordinates in degrees (lon, lat); result in km².
pub fn ellipsoidal_area_km2(shape: &MultiPolygon<f64>) -> f64 {
    oriented(shape)
        .0
        .iter()
        .map(|p| p.geodesic_area_signed())
        .sum::<f64>()
        / 1e6
}

/// [`ellipsoidal_area_km2`] of a single polygon.
///
/// # Units
/// Coordinates in degrees (lon, lat); result in km².
pub fn polygon_area_km2(polygon: &Polygon<f64>) -> f64 {
    ellipsoidal_area_km2(&MultiPolygon::new(vec![polygon.clone()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn clockwise_rings_give_the_same_area_as_counter_clockwise_ones() {
        // Regression guard: shapefile exteriors are clockwise (issue 3, item 2).
        let ccw = polygon![(x: 116.0, y: 39.0), (x: 117.0, y: 39.0), (x: 117.0, y: 40.0), (x: 116.0, y: 40.0)];
        let cw = polygon![(x: 116.0, y: 39.0), (x: 116.0, y: 40.0), (x: 117.0, y: 40.0), (x: 117.0, y: 39.0)];
        let a = polygon_area_km2(&ccw);
        let b = polygon_area_km2(&cw);
        assert!(a > 9_000.0 && a < 10_000.0, "{a}");
        assert_eq!(a, b);
    }
}
