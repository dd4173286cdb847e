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
/// `vertices` points reached by `Geodesic.direct` from `center` at bearings
/// `360° − 360°·i/vertices`, wound counter-clockwise (exterior orientation of the Simple
/// Features standard).
///
/// Longitudes are unwrapped to within 180° of the centre, so a circle crossing the
/// antimeridian stays one ring (with longitudes beyond ±180°). A circle that contains a pole
/// is not representable this way; flow ranges of city regions are far from that.
///
/// The ellipsoid is symmetric about the centre's meridian, so the point at bearing `−β` is the
/// mirror image of the point at `β`: same latitude, longitude reflected about the centre's.
/// Only the bearings from 0° to 180° are solved (`⌊vertices/2⌋ + 1` direct problems, half the
/// work); the others are their mirror images, which differ from a direct solution by at most
/// one rounding of the longitude (tested against [`geodesic_circle_direct`]).
///
/// # Units
/// `center` in degrees, `radius_km` in km.
///
/// # Panics
/// If `vertices < 3`.
pub fn geodesic_circle(center: LonLat, radius_km: f64, vertices: usize) -> Polygon<f64> {
    assert!(vertices >= 3, "a circle polygon needs at least 3 vertices");
    let metres = radius_km * 1000.0;
    let mut coords = vec![geo::coord! { x: 0.0, y: 0.0 }; vertices + 1];
    // Vertex i has bearing 360° − 360°·i/n; its mirror n − i has bearing 360°·i/n = −(that).
    // Solve i = 0 (north) and the vertices n/2 … n − 1 (bearings 180° … 0.5°, east side)
    // directly and mirror the east side onto the west side.
    let half = vertices.div_ceil(2);
    coords[0] = vertex(center, 0, vertices, metres);
    for i in half..vertices {
        let east = vertex(center, i, vertices, metres);
        coords[i] = east;
        let j = vertices - i;
        if j != i {
            coords[j] = geo::coord! { x: center.lon_deg - (east.x - center.lon_deg), y: east.y };
        }
    }
    coords[vertices] = coords[0];
    Polygon::new(LineString::new(coords), vec![])
}

/// [`geodesic_circle`] with one direct problem per vertex and no mirroring: the plain
/// construction, kept as the reference the mirrored one is tested against.
///
/// # Units
/// `center` in degrees, `radius_km` in km.
///
/// # Panics
/// If `vertices < 3`.
pub fn geodesic_circle_direct(center: LonLat, radius_km: f64, vertices: usize) -> Polygon<f64> {
    assert!(vertices >= 3, "a circle polygon needs at least 3 vertices");
    let metres = radius_km * 1000.0;
    let mut coords: Vec<_> = (0..vertices)
        .map(|i| vertex(center, i, vertices, metres))
        .collect();
    coords.push(coords[0]);
    Polygon::new(LineString::new(coords), vec![])
}

/// Vertex `i` of `n`: the direct problem at bearing `360° − 360°·i/n`, longitude unwrapped to
/// within 180° of the centre.
pub(crate) fn vertex(center: LonLat, i: usize, n: usize, metres: f64) -> geo::Coord<f64> {
    // Bearings run clockwise from north; walk them backwards for a counter-clockwise ring.
    let bearing = 360.0 - 360.0 * (i as f64) / (n as f64);
    let (lat, lon): (f64, f64) =
        super::wgs84().direct(center.lat_deg, center.lon_deg, bearing, metres);
    let mut lon = lon;
    while lon - center.lon_deg > 180.0 {
        lon -= 360.0;
    }
    while lon - center.lon_deg < -180.0 {
        lon += 360.0;
    }
    geo::coord! { x: lon, y: lat }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesic::{geodesic_distance_km, polygon_area_km2};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// The mirrored circle is the plain one: every vertex within a few ulps (one rounding
        /// of the reflected longitude), and the same ellipsoidal area to 1e-9 relative.
        #[test]
        fn mirrored_circle_equals_one_direct_per_vertex(
            lon in -179.0f64..179.0,
            lat in -70.0f64..70.0,
            radius_km in 0.5f64..3000.0,
            vertices in 3usize..800,
        ) {
            let c = LonLat::new(lon, lat);
            let fast = geodesic_circle(c, radius_km, vertices);
            let plain = geodesic_circle_direct(c, radius_km, vertices);
            prop_assert_eq!(fast.exterior().0.len(), plain.exterior().0.len());
            for (a, b) in fast.exterior().0.iter().zip(&plain.exterior().0) {
                prop_assert!((a.x - b.x).abs() <= 1e-12 && (a.y - b.y).abs() <= 1e-12,
                    "{:?} vs {:?}", a, b);
            }
            let (fa, pa) = (polygon_area_km2(&fast), polygon_area_km2(&plain));
            prop_assert!((fa / pa - 1.0).abs() <= 1e-9, "{} vs {}", fa, pa);
        }
    }

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
