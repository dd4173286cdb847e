//! The map projection of the figures, and geodesic circles.
//!
//! Maps use a simple equirectangular projection centred on the mean latitude of the drawn
//! regions: `x = R·cos φ0·(λ − λ0)`, `y = R·(φ − φ0)`, with `R` = 6371.0088 km (the mean
//! Earth radius) and angles in radians. At the scale of a city region (a few hundred km) its
//! distortion is a few per cent away from `φ0`; the scale bar is true at `φ0`.
//!
//! Flow-range circles are geodesic circles on the WGS84 ellipsoid: the points at distance
//! `R_sr` from the core along 180 bearings (geographiclib's direct problem), then projected
//! like every other coordinate. They are not planar circles drawn in the projection.

use geo::{Coord, Rect};
use geographiclib_rs::{DirectGeodesic, Geodesic};

/// Mean Earth radius (IUGG), km.
pub(crate) const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Equirectangular projection scaled by `cos φ0`, mapping lon/lat degrees to km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equirectangular {
    /// Central longitude, degrees.
    pub lon0: f64,
    /// Central (standard) latitude, degrees.
    pub lat0: f64,
}

impl Equirectangular {
    /// Projects lon/lat degrees to km east and north of `(lon0, lat0)`.
    ///
    /// # Units
    /// Input degrees, output km.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let k = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
        (
            k * self.lat0.to_radians().cos() * (lon - self.lon0),
            k * (lat - self.lat0),
        )
    }

    /// The projection centred on a lon/lat bounding box (`lat0` = the box's mean latitude).
    pub fn centred_on(bbox: Rect<f64>) -> Self {
        let c = bbox.center();
        Self {
            lon0: c.x,
            lat0: c.y,
        }
    }
}

/// The geodesic circle of radius `radius_km` around `centre` (lon/lat degrees), as a closed
/// ring of `n` + 1 lon/lat points.
///
/// # Units
/// `radius_km` in km; coordinates in degrees.
pub fn geodesic_circle(centre: Coord<f64>, radius_km: f64, n: usize) -> Vec<Coord<f64>> {
    let g = Geodesic::wgs84();
    let n = n.max(8);
    let mut ring: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let azi = 360.0 * i as f64 / n as f64;
            let (lat, lon): (f64, f64) = g.direct(centre.y, centre.x, azi, radius_km * 1000.0);
            Coord { x: lon, y: lat }
        })
        .collect();
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    ring
}

#[cfg(test)]
mod tests {
    use super::*;
    use geographiclib_rs::InverseGeodesic;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every point of a geodesic circle lies at the radius from its centre (WGS84 inverse).
        #[test]
        fn geodesic_circle_points_are_at_the_radius(
            lon in 100.0f64..130.0, lat in 20.0f64..50.0, r in 1.0f64..800.0
        ) {
            let g = Geodesic::wgs84();
            for p in geodesic_circle(Coord { x: lon, y: lat }, r, 36) {
                let s12: f64 = g.inverse(lat, lon, p.y, p.x);
                prop_assert!((s12 / 1000.0 - r).abs() < 1e-6 * r.max(1.0));
            }
        }

        /// Along the standard parallel the projection is true to scale in both directions
        /// (equirectangular: east–west km = R·cos φ0·Δλ, north–south km = R·Δφ).
        #[test]
        fn projection_is_true_at_the_standard_parallel(
            lon0 in 100.0f64..130.0, lat0 in 20.0f64..50.0, d in -1.0f64..1.0
        ) {
            let p = Equirectangular { lon0, lat0 };
            let (x, y) = p.project(lon0 + d, lat0);
            let expect = EARTH_RADIUS_KM * lat0.to_radians().cos() * d.to_radians();
            prop_assert!((x - expect).abs() < 1e-9 * expect.abs().max(1.0));
            prop_assert!(y.abs() < 1e-12);
            let (x2, y2) = p.project(lon0, lat0 + d);
            prop_assert!(x2.abs() < 1e-12);
            prop_assert!((y2 - EARTH_RADIUS_KM * d.to_radians()).abs() < 1e-9);
        }
    }
}
