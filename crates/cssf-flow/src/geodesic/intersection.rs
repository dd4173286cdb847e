//! Ellipsoidal area of the intersection of two shapes.

use geo::{BooleanOps, BoundingRect, Intersects, MultiPolygon};

use super::ellipsoidal_area_km2;

/// The ellipsoidal area of `a ∩ b`: geo's BooleanOps (i_overlay) on lon/lat coordinates,
/// then geodesic area of the oriented result. Shapes whose bounding boxes do not meet give 0
/// without running the overlay.
///
/// BooleanOps can panic on degenerate input; the panic is caught here and returned as the
/// error text, so that it never escapes (callers add the region ids).
///
/// # Units
/// Coordinates in degrees; result in km².
///
/// # Errors
/// The panic message, if the overlay panicked.
pub fn intersection_area_km2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Result<f64, String> {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) if ra.intersects(&rb) => {}
        _ => return Ok(0.0),
    }
    let overlay = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.intersection(b)))
        .map_err(|payload| panic_text(payload.as_ref()))?;
    let area = ellipsoidal_area_km2(&overlay);
    // A degenerate sliver can measure as a tiny negative number (or −0).
    Ok(if area > 0.0 { area } else { 0.0 })
}

/// The text of a caught panic.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("geometry routine panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("geometry routine panicked: {s}")
    } else {
        "geometry routine panicked".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn disjoint_shapes_have_no_common_area_and_nested_ones_the_smaller_area() {
        let big = MultiPolygon::new(vec![
            polygon![(x: 116.0, y: 39.0), (x: 117.0, y: 39.0), (x: 117.0, y: 40.0), (x: 116.0, y: 40.0)],
        ]);
        let small = MultiPolygon::new(vec![
            polygon![(x: 116.2, y: 39.2), (x: 116.4, y: 39.2), (x: 116.4, y: 39.4), (x: 116.2, y: 39.4)],
        ]);
        let far = MultiPolygon::new(vec![
            polygon![(x: 16.2, y: 39.2), (x: 16.4, y: 39.2), (x: 16.4, y: 39.4), (x: 16.2, y: 39.4)],
        ]);
        assert_eq!(intersection_area_km2(&big, &far).unwrap(), 0.0);
        let inside = intersection_area_km2(&big, &small).unwrap();
        let expected = ellipsoidal_area_km2(&small);
        // i_overlay snaps to an integer grid: a relative error of order 1e-9.
        assert!(
            (inside / expected - 1.0).abs() < 1e-7,
            "{inside} {expected}"
        );
    }
}
