//! Geodesic distance between two positions.

use fzc_core::LonLat;
use geographiclib_rs::InverseGeodesic;

/// The length of the shortest path on the WGS84 ellipsoid between `a` and `b` (Karney 2013,
/// accurate to about 15 nm).
///
/// # Units
/// Positions in degrees; result in km.
pub fn geodesic_distance_km(a: LonLat, b: LonLat) -> f64 {
    let metres: f64 = super::wgs84().inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg);
    metres / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_at_the_equator() {
        // Meridian arc from 0° to 1° N on WGS84: 110.574 km.
        let d = geodesic_distance_km(LonLat::new(0.0, 0.0), LonLat::new(0.0, 1.0));
        assert!((d - 110.574).abs() < 1e-3, "{d}");
        assert_eq!(
            geodesic_distance_km(LonLat::new(116.4, 39.9), LonLat::new(116.4, 39.9)),
            0.0
        );
    }
}
