//! Clipping a flow circle to the neighbourhood of an input polygon before the overlay.

use geo::{Coord, LineString, Polygon, Rect};

/// The part of the ring polygon `subject` inside `window` (Sutherland–Hodgman), or `None` if
/// nothing is left. `window` must be convex (it is a rectangle); `subject` may be any simple
/// ring without holes.
///
/// Used with a window that strictly contains the input polygon, the clip changes no
/// intersection with that polygon: `(subject ∩ window) ∩ P = subject ∩ P` because `P ⊂
/// window`. The new vertices lie on the window's edges, outside `P`; a concave subject can
/// leave zero-width bridges along those edges, which also lie outside `P`. The overlay then
/// sees a few dozen circle vertices instead of hundreds.
///
/// # Units
/// Coordinates in degrees (lon, lat), as the overlay.
pub fn clip_to_rect(subject: &Polygon<f64>, window: Rect<f64>) -> Option<Polygon<f64>> {
    let (min, max) = (window.min(), window.max());
    let mut ring: Vec<Coord<f64>> = subject.exterior().0.clone();
    // An open ring: drop the closing point.
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    // The four half-planes, as (is inside, crossing point of the segment a–b with the edge).
    let edges: [(HalfPlane, bool, f64); 4] = [
        (|c, v| c.x >= v, true, min.x),
        (|c, v| c.x <= v, true, max.x),
        (|c, v| c.y >= v, false, min.y),
        (|c, v| c.y <= v, false, max.y),
    ];
    for (inside, vertical, value) in edges {
        if ring.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(ring.len() + 4);
        let mut prev = ring[ring.len() - 1];
        for &cur in &ring {
            let (cur_in, prev_in) = (inside(cur, value), inside(prev, value));
            if cur_in != prev_in {
                out.push(crossing(prev, cur, vertical, value));
            }
            if cur_in {
                out.push(cur);
            }
            prev = cur;
        }
        ring = out;
    }
    if ring.len() < 3 {
        return None;
    }
    ring.push(ring[0]);
    Some(Polygon::new(LineString::new(ring), vec![]))
}

/// Whether a point lies on the kept side of a window edge at the given value.
type HalfPlane = fn(Coord<f64>, f64) -> bool;

/// The point of segment `a–b` on the line `x = value` (`vertical`) or `y = value`.
fn crossing(a: Coord<f64>, b: Coord<f64>, vertical: bool, value: f64) -> Coord<f64> {
    if vertical {
        let t = (value - a.x) / (b.x - a.x);
        geo::coord! { x: value, y: a.y + t * (b.y - a.y) }
    } else {
        let t = (value - a.y) / (b.y - a.y);
        geo::coord! { x: a.x + t * (b.x - a.x), y: value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesic::test_shapes::star;
    use crate::geodesic::{geodesic_circle, intersection_area_km2};
    use fzc_core::LonLat;
    use geo::{Area, BoundingRect, MultiPolygon, polygon};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Clipping the circle to a window around the polygon changes no intersection area:
        /// the optimised path (clip, then overlay) against the plain overlay of the whole
        /// 720-vertex circle, on random polygons and circles that miss, cut or contain them.
        #[test]
        fn clipping_the_circle_changes_no_intersection_area(
            cx in 100.0f64..125.0,
            cy in 20.0f64..45.0,
            radii in proptest::collection::vec(0.05f64..0.6, 5..30),
            bearing in 0.0f64..360.0,
            offset_deg in 0.0f64..8.0,
            radius_km in 1.0f64..1500.0,
        ) {
            let polygon = star(cx, cy, &radii);
            let (s, c) = bearing.to_radians().sin_cos();
            let centre = LonLat::new(cx + offset_deg * s, cy + offset_deg * c);
            let circle = geodesic_circle(centre, radius_km, 720);
            let shape = MultiPolygon::new(vec![polygon.clone()]);
            let plain = intersection_area_km2(&MultiPolygon::new(vec![circle.clone()]), &shape)
                .unwrap();
            let b = polygon.bounding_rect().unwrap();
            let m = 0.01 * b.width().max(b.height());
            let window = Rect::new(
                geo::coord! { x: b.min().x - m, y: b.min().y - m },
                geo::coord! { x: b.max().x + m, y: b.max().y + m },
            );
            let clipped = match clip_to_rect(&circle, window) {
                None => 0.0,
                Some(c) => intersection_area_km2(&MultiPolygon::new(vec![c]), &shape).unwrap(),
            };
            // The overlay snaps coordinates to an integer grid spanning both inputs' bounding
            // box (about 2^30 steps; the plain overlay's box is the whole circle's). Each
            // boundary edge may move by one step, so the areas may differ by up to
            // (boundary length) × (step): the window's perimeter × 2 bounds the intersection's
            // boundary. Anything the clip lost or added would be far larger.
            let cb = circle.bounding_rect().unwrap();
            let span_deg = (cb.width().max(cb.height())).max(window.width().max(window.height()));
            let km_per_deg = 111.4;
            let step_km = span_deg / f64::from(1u32 << 30) * km_per_deg;
            let boundary_km = 4.0 * (window.width() + window.height()) * km_per_deg;
            let scale = plain.max(clipped);
            let tolerance = 1e-9 * scale + boundary_km * step_km;
            prop_assert!(
                (plain - clipped).abs() <= tolerance,
                "plain {} clipped {} diff {:e} tolerance {:e}",
                plain, clipped, (plain - clipped).abs(), tolerance
            );
        }
    }

    #[test]
    fn a_square_clipped_by_an_overlapping_window_keeps_the_common_square() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        let window = Rect::new(
            geo::coord! { x: 1.0, y: 1.0 },
            geo::coord! { x: 3.0, y: 3.0 },
        );
        let clipped = clip_to_rect(&square, window).unwrap();
        assert_eq!(clipped.unsigned_area(), 1.0);
        let far = Rect::new(
            geo::coord! { x: 5.0, y: 5.0 },
            geo::coord! { x: 6.0, y: 6.0 },
        );
        assert!(clip_to_rect(&square, far).is_none());
        let around = Rect::new(
            geo::coord! { x: -1.0, y: -1.0 },
            geo::coord! { x: 3.0, y: 3.0 },
        );
        assert_eq!(clip_to_rect(&square, around).unwrap(), square);
    }
}
