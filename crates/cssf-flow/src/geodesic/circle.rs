//! The flow buffer: a geodesic circle as a polygon.

use fzc_core::LonLat;
use geo::{LineString, Polygon};
use geographiclib_rs::DirectGeodesic;

/// Vertex count of the flow circle used by default.
///
/// The polygon's vertices lie exactly on the geodesic circle and its edges are chords, so it
/// is slightly smaller than the circle. For `n` vertices the relative area deficit is
/// `1 − n·sin(2π/n)/(2π) ≈ (2π/n)²/6 = 6.58/n²`: with 720 vertices (one every 0.5°) it is
/// 1.3·10⁻⁵, below the precision of any land-use input and of the paper's tables.
pub const DEFAULT_CIRCLE_VERTICES: usize = 720;

/// The geodesic circle of radius `radius_km` around `center`: the polygon through the
/// `vertices` points reached by `Geodesic.direct` from `center` at bearings `360°·i/vertices`,
/// wound counter-clockwise (exterior orientation of the Simple Features standard).
///
/// Longitudes are unwrapped to within 180° of the centre, so a circle crossing the
/// antimeridian stays one ring (with longitudes beyond ±180°). A circle that contains a pole
/// is not representable this way; flow ranges of city regions are far from that.
///
/// # Units
/// `center` in degrees, `radius_km` in km.
///
/// # Panics
/// If `vertices < 3`.
pub fn geodesic_circle(center: LonLat, radius_km: f64, vertices: usize) -> Polygon<f64> {
    assert!(vertices >= 3, "a circle polygon needs at least 3 vertices");
    let metres = radius_km * 1000.0;
    let mut coords = Vec::with_capacity(vertices + 1);
    // Bearings run clockwise from north; walk them backwards for a counter-clockwise ring.
    for i in 0..vertices {
        let bearing = 360.0 - 360.0 * (i as f64) / (vertices as f64);
        let (lat, lon): (f64, f64) =
            super::wgs84().direct(center.lat_deg, center.lon_deg, bearing, metres);
        let mut lon = lon;
        while lon - center.lon_deg > 180.0 {
            lon -= 360.0;
        }
        while lon - center.lon_deg < -180.0 {
            lon += 360.0;
        }
        coords.push(geo::coord! { x: lon, y: lat });
    }
    coords.push(coords[0]);
    Polygon::new(LineString::new(coords), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesic::{geodesic_distance_km, polygon_area_km2};

    #[test]
    fn vertices_lie_on_the_circle_and_the_area_deficit_is_as_documented() {
        let c = LonLat::new(117.2, 39.1);
        let poly = geodesic_circle(c, 150.0, DEFAULT_CIRCLE_VERTICES);
        for p in poly.exterior().points() {
            let d = geodesic_distance_km(c, LonLat::new(p.x(), p.y()));
            assert!((d - 150.0).abs() < 1e-9, "{d}");
        }
        let fine = polygon_area_km2(&geodesic_circle(c, 150.0, 20_000));
        let coarse = polygon_area_km2(&poly);
        let deficit = 1.0 - coarse / fine;
        let predicted = 6.58 / (DEFAULT_CIRCLE_VERTICES as f64).powi(2);
        assert!(
            (deficit - predicted).abs() < 0.05 * predicted,
            "{deficit} vs {predicted}"
        );
        // The fine polygon approaches π r² (the circle is small against the Earth).
        let plane = std::f64::consts::PI * 150.0 * 150.0;
        assert!((fine / plane - 1.0).abs() < 2e-3, "{fine} {plane}");
    }
}
