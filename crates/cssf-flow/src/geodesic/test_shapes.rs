//! Shapes shared by the geodesic property tests.

use geo::{LineString, Polygon};

/// A star-shaped ring of `radii.len()` vertices around `(cx, cy)`, radii in degrees.
pub(crate) fn star(cx: f64, cy: f64, radii: &[f64]) -> Polygon<f64> {
    let n = radii.len() as f64;
    let ring: Vec<_> = radii
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let a = std::f64::consts::TAU * k as f64 / n;
            geo::coord! { x: cx + r * a.cos(), y: cy + r * a.sin() }
        })
        .collect();
    Polygon::new(LineString::new(ring), vec![])
}
