//! The flow area without building the whole circle: only the circle's vertices that face the
//! input polygon are solved.

use fzc_core::LonLat;
use geo::{Coord, LineString, MultiPolygon, Polygon, Rect};
use geographiclib_rs::InverseGeodesic;

use super::circle::vertex;
use super::{clip_to_rect, geodesic_circle, intersection_area_km2};

/// The ellipsoidal area of (the `vertices`-gon [`geodesic_circle`] of radius `radius_km`
/// around `center`) ∩ `polygon`, where `window` is a rectangle that contains `polygon`.
///
/// The circle polygon is star-shaped about its centre in lon/lat (each ray from the centre
/// crosses the ring once; true for circles that stay clear of the poles and the antimeridian,
/// which the function checks), so it is the union of the triangles (centre, vertex i,
/// vertex i + 1), and only the triangles whose angular span meets the window's can meet the
/// polygon. When the centre lies outside the window, the window spans less than 180° as seen
/// from the centre: the vertices are solved outwards from the window's direction until they
/// pass both sides of the window, and the overlay runs on that sector (centre + those
/// vertices) instead of the circle. Otherwise (centre in the window, a circle near a pole or
/// the antimeridian, or a sector that would need half the vertices) the whole circle is built
/// and clipped to the window ([`clip_to_rect`]).
///
/// # Units
/// `center` and coordinates in degrees, `radius_km` in km, result in km².
///
/// # Errors
/// The overlay's panic message, as [`intersection_area_km2`].
///
/// # Panics
/// If `vertices < 3`.
pub fn circle_intersection_area_km2(
    center: LonLat,
    radius_km: f64,
    vertices: usize,
    polygon: &MultiPolygon<f64>,
    window: Rect<f64>,
) -> Result<f64, String> {
    assert!(vertices >= 3, "a circle polygon needs at least 3 vertices");
    let shape = match sector(center, radius_km, vertices, window) {
        Some(sector) => Some(sector),
        None => clip_to_rect(&geodesic_circle(center, radius_km, vertices), window),
    };
    match shape {
        None => Ok(0.0),
        Some(shape) => intersection_area_km2(&MultiPolygon::new(vec![shape]), polygon),
    }
}

/// The sector of the circle that covers `window`, or `None` where the shortcut does not apply.
fn sector(center: LonLat, radius_km: f64, n: usize, window: Rect<f64>) -> Option<Polygon<f64>> {
    let c = geo::coord! { x: center.lon_deg, y: center.lat_deg };
    let (min, max) = (window.min(), window.max());
    // Centre in (or on) the window: every direction may matter.
    if c.x >= min.x && c.x <= max.x && c.y >= min.y && c.y <= max.y {
        return None;
    }
    // Far from the poles and the antimeridian (1° of latitude is at least 110.5 km).
    let reach_deg = radius_km / 110.0;
    if center.lat_deg.abs() + reach_deg > 80.0 || reach_deg > 60.0 {
        return None;
    }
    let corners = [
        min,
        geo::coord! { x: max.x, y: min.y },
        max,
        geo::coord! { x: min.x, y: max.y },
    ];
    let mid = geo::coord! { x: 0.5 * (min.x + max.x), y: 0.5 * (min.y + max.y) };
    let theta_mid = angle(c, mid);
    // The window's angular span relative to its centre's direction, within (−90°, 90°)·π/180
    // since the centre is outside the convex window.
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for corner in corners {
        let phi = wrap(angle(c, corner) - theta_mid);
        lo = lo.min(phi);
        hi = hi.max(phi);
    }
    // The vertex whose bearing points at the window's centre: bearing 360° − 360°·i/n.
    let (azimuth, _, _): (f64, f64, f64) =
        super::wgs84().inverse(center.lat_deg, center.lon_deg, mid.y, mid.x);
    let metres = radius_km * 1000.0;
    let n_i = n as isize;
    let start = ((n as f64) * (360.0 - azimuth) / 360.0).round() as isize;
    let at = |i: isize| -> Coord<f64> { vertex(center, i.rem_euclid(n_i) as usize, n, metres) };
    let rel = |v: Coord<f64>| wrap(angle(c, v) - theta_mid);
    // Walk counter-clockwise (increasing i, increasing angle) past `hi`, clockwise past `lo`.
    let limit = n_i / 2;
    let mut ahead = Vec::new();
    let mut i = start;
    loop {
        let v = at(i);
        let phi = rel(v);
        ahead.push(v);
        if phi >= hi {
            break;
        }
        i += 1;
        if i - start > limit {
            return None;
        }
    }
    let mut behind = Vec::new();
    let mut j = start - 1;
    loop {
        let v = at(j);
        let phi = rel(v);
        behind.push(v);
        if phi <= lo {
            break;
        }
        j -= 1;
        if (i - j) > limit {
            return None;
        }
    }
    // The angles must rise along the walk: a fold would break the star-shape argument.
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(ahead.len() + behind.len() + 2);
    ring.push(c);
    ring.extend(behind.iter().rev());
    ring.extend(ahead.iter());
    let mut last = f64::NEG_INFINITY;
    for v in &ring[1..] {
        let phi = rel(*v);
        if phi <= last {
            return None;
        }
        last = phi;
    }
    ring.push(c);
    Some(Polygon::new(LineString::new(ring), vec![]))
}

/// The planar direction from `a` to `b` in lon/lat, radians.
fn angle(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (b.y - a.y).atan2(b.x - a.x)
}

/// `x` wrapped into (−π, π].
fn wrap(x: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    let mut y = x % tau;
    if y > std::f64::consts::PI {
        y -= tau;
    } else if y <= -std::f64::consts::PI {
        y += tau;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesic::geodesic_circle_direct;
    use crate::geodesic::test_shapes::star;
    use geo::BoundingRect;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]
        /// The sector shortcut changes no intersection area: against the brute force (one
        /// direct problem per vertex, the whole circle in the overlay), on random polygons and
        /// circles that miss, cut or contain them, centres inside and outside the polygon.
        #[test]
        fn sector_area_equals_the_whole_circle_overlay(
            cx in 100.0f64..125.0,
            cy in -50.0f64..55.0,
            radii in proptest::collection::vec(0.05f64..0.6, 5..30),
            bearing in 0.0f64..360.0,
            offset_deg in 0.0f64..8.0,
            radius_km in 1.0f64..1500.0,
            vertices in prop_oneof![Just(720usize), 3usize..1000],
        ) {
            let polygon = star(cx, cy, &radii);
            let (s, c) = bearing.to_radians().sin_cos();
            let centre = LonLat::new(cx + offset_deg * s, cy + offset_deg * c);
            let circle = geodesic_circle_direct(centre, radius_km, vertices);
            let shape = MultiPolygon::new(vec![polygon.clone()]);
            let brute = intersection_area_km2(&MultiPolygon::new(vec![circle.clone()]), &shape)
                .unwrap();
            let b = polygon.bounding_rect().unwrap();
            let m = 0.01 * b.width().max(b.height());
            let window = Rect::new(
                geo::coord! { x: b.min().x - m, y: b.min().y - m },
                geo::coord! { x: b.max().x + m, y: b.max().y + m },
            );
            let fast = circle_intersection_area_km2(centre, radius_km, vertices, &shape, window)
                .unwrap();
            // The overlay snaps to an integer grid spanning both inputs (about 2^30 steps over
            // the whole circle in the brute force): each boundary edge may move by a step, so
            // the areas may differ by (boundary length) × (step); the window's perimeter × 2
            // bounds the boundary. A lost or extra triangle would be far larger.
            let cb = circle.bounding_rect().unwrap();
            let span_deg = (cb.width().max(cb.height())).max(window.width().max(window.height()));
            let km_per_deg = 111.4;
            let step_km = span_deg / f64::from(1u32 << 30) * km_per_deg;
            let boundary_km = 4.0 * (window.width() + window.height()) * km_per_deg;
            let tolerance = 1e-9 * brute.max(fast) + boundary_km * step_km;
            prop_assert!(
                (brute - fast).abs() <= tolerance,
                "brute {} fast {} diff {:e} tolerance {:e}",
                brute, fast, (brute - fast).abs(), tolerance
            );
        }
    }

    #[test]
    fn the_sector_applies_when_the_centre_is_outside_the_window() {
        let window = Rect::new(
            geo::coord! { x: 116.0, y: 39.0 },
            geo::coord! { x: 116.5, y: 39.5 },
        );
        let far = LonLat::new(114.0, 38.0);
        let s = sector(far, 250.0, 720, window).unwrap();
        // A few dozen vertices instead of 720, plus the centre twice.
        assert!(s.exterior().0.len() < 60, "{}", s.exterior().0.len());
        let inside = LonLat::new(116.2, 39.2);
        assert!(sector(inside, 250.0, 720, window).is_none());
    }
}
