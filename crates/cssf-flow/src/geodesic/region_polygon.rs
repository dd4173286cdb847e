//! Region polygons: conversion from plain rings, validation, repair, orientation.

use fzc_core::{LonLat, RegionId, RegionShape};
use geo::bool_ops::FillRule;
use geo::{
    Area, BooleanOps, BoundingRect, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect,
};

use super::{ellipsoidal_area_km2, intersection_area_km2, oriented};
use crate::CssfError;

/// A region's shape, checked and ready for geodesic work: valid (repaired if needed),
/// exteriors counter-clockwise, with its ellipsoidal area.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPolygon {
    /// The region's id.
    pub id: RegionId,
    /// The valid, oriented shape (lon/lat degrees).
    pub shape: MultiPolygon<f64>,
    /// The shape's bounding box.
    pub bbox: Rect<f64>,
    /// The shape's ellipsoidal area, km².
    pub area_km2: f64,
    /// What was repaired, if anything (empty when the input was valid).
    pub repairs: Vec<String>,
}

impl RegionPolygon {
    /// Checks and prepares a region's shape.
    ///
    /// Repairs, each recorded in [`RegionPolygon::repairs`] and logged as a warning:
    /// repeated consecutive vertices are dropped; holes with fewer than 3 distinct vertices or
    /// no area ("empty holes", which make BooleanOps panic) are dropped; parts with fewer than
    /// 3 distinct vertices are dropped. The rings are then oriented and passed through one
    /// union overlay under the non-zero fill rule, which splits self-intersecting rings at
    /// their crossings (a bowtie becomes two triangles) and merges overlapping parts; a
    /// change of area is recorded as a repair. The result is oriented again (exteriors
    /// counter-clockwise) and its coordinates are snapped by i_overlay to a grid of about
    /// 1e-9 of the shape's extent.
    ///
    /// # Errors
    /// [`CssfError::InvalidPolygon`] naming the region when the shape has no parts, a
    /// coordinate is not a finite lon/lat in degrees, a repair fails, or the area is zero.
    pub fn new(id: RegionId, shape: &RegionShape) -> Result<Self, CssfError> {
        let invalid = |why: String| CssfError::InvalidPolygon {
            region: id.clone(),
            why,
        };
        if shape.parts.is_empty() {
            return Err(invalid("the shape has no polygon parts".into()));
        }
        let mut repairs = Vec::new();
        let mut parts = Vec::new();
        for (p, part) in shape.parts.iter().enumerate() {
            check_coordinates(&part.exterior)
                .map_err(|why| invalid(format!("part {p}, exterior ring: {why}")))?;
            let Some(exterior) = ring(&part.exterior) else {
                repairs.push(format!("dropped part {p}: fewer than 3 distinct vertices"));
                continue;
            };
            let mut holes = Vec::new();
            for (h, hole) in part.holes.iter().enumerate() {
                check_coordinates(hole)
                    .map_err(|why| invalid(format!("part {p}, hole {h}: {why}")))?;
                match ring(hole) {
                    Some(r) if Polygon::new(r.clone(), vec![]).unsigned_area() > 0.0 => {
                        holes.push(r);
                    }
                    _ => repairs.push(format!("dropped empty hole {h} of part {p}")),
                }
            }
            parts.push(Polygon::new(exterior, holes));
        }
        if parts.is_empty() {
            return Err(invalid("no part has 3 distinct vertices".into()));
        }
        // Normalise with one overlay (i_overlay, O(n log n); geo's `Validation` is quadratic
        // and took minutes on the BTH polygons): oriented rings under the non-zero fill rule
        // resolve self-intersections, and overlapping parts merge.
        let input = oriented(&MultiPolygon::new(parts));
        let input_area = input.unsigned_area();
        let empty = MultiPolygon::<f64>::new(vec![]);
        let multi = guarded(|| input.union_with_fill_rule(&empty, FillRule::NonZero))
            .map_err(|e| invalid(format!("normalising the polygon: {e}")))?;
        let output_area = multi.unsigned_area();
        if (output_area - input_area).abs() > 1e-9 * input_area.max(f64::MIN_POSITIVE) {
            repairs.push(format!(
                "resolved self-intersections or overlapping parts (planar area {input_area:.9} → {output_area:.9} deg²)"
            ));
        }
        let shape = oriented(&multi);
        let area_km2 = ellipsoidal_area_km2(&shape);
        // A flat ring (all vertices on one line) has no planar area, although the geodesics
        // between its vertices may enclose a sliver on the ellipsoid.
        if !(area_km2 > 0.0 && area_km2.is_finite()) || shape.unsigned_area() <= 0.0 {
            return Err(invalid(format!(
                "its area is {area_km2} km², expected a positive area"
            )));
        }
        let bbox = shape
            .bounding_rect()
            .ok_or_else(|| invalid("the shape has no vertices".into()))?;
        for r in &repairs {
            tracing::warn!(region = %id, "repaired polygon: {r}");
        }
        Ok(Self {
            id,
            shape,
            bbox,
            area_km2,
            repairs,
        })
    }
}

fn check_coordinates(ring: &[LonLat]) -> Result<(), String> {
    for (i, p) in ring.iter().enumerate() {
        if !(p.lon_deg.is_finite() && p.lat_deg.is_finite())
            || p.lat_deg.abs() > 90.0
            || p.lon_deg.abs() > 360.0
        {
            return Err(format!(
                "vertex {i} ({}, {}) is not a lon/lat position in degrees",
                p.lon_deg, p.lat_deg
            ));
        }
    }
    Ok(())
}

/// A closed ring without consecutive repeats, or `None` if it has fewer than 3 distinct
/// vertices.
fn ring(points: &[LonLat]) -> Option<LineString<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(points.len() + 1);
    for p in points {
        let c = Coord {
            x: p.lon_deg,
            y: p.lat_deg,
        };
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    while coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    if coords.len() < 3 {
        return None;
    }
    coords.push(coords[0]);
    Some(LineString::new(coords))
}

fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|payload| super::intersection::panic_text(payload.as_ref()))
}

/// Two regions whose polygons overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// The first region (in id order).
    pub a: RegionId,
    /// The second region.
    pub b: RegionId,
    /// The overlapping area, km².
    pub area_km2: f64,
    /// The overlap as a fraction of the smaller region's area.
    pub fraction_of_smaller: f64,
}

/// Pairs of regions whose overlap exceeds `min_fraction` of the smaller region's area.
///
/// Overlaps are reported, not rejected: boundaries digitised independently (like the
/// quantised BTH city polygons) overlap by slivers along shared borders, and the flow model
/// only ever intersects a flow circle with one region at a time, so an overlap does not
/// double-count a flow. Callers warn about what this returns.
///
/// # Units
/// `min_fraction` dimensionless (e.g. 0.01 for 1 %).
///
/// # Errors
/// [`CssfError::Geometry`] naming both regions if the overlay panicked.
pub fn find_overlaps(
    regions: &[RegionPolygon],
    min_fraction: f64,
) -> Result<Vec<Overlap>, CssfError> {
    use rayon::prelude::*;
    let mut pairs = Vec::new();
    for i in 0..regions.len() {
        for j in i + 1..regions.len() {
            if regions[i].bbox.intersects(&regions[j].bbox) {
                pairs.push((i, j));
            }
        }
    }
    let found: Result<Vec<Option<Overlap>>, CssfError> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let (a, b) = (&regions[i], &regions[j]);
            let area =
                intersection_area_km2(&a.shape, &b.shape).map_err(|why| CssfError::Geometry {
                    from: a.id.clone(),
                    to: b.id.clone(),
                    why,
                })?;
            let fraction = area / a.area_km2.min(b.area_km2);
            Ok((fraction > min_fraction).then(|| {
                let (a, b) = if a.id <= b.id { (a, b) } else { (b, a) };
                Overlap {
                    a: a.id.clone(),
                    b: b.id.clone(),
                    area_km2: area,
                    fraction_of_smaller: fraction,
                }
            }))
        })
        .collect();
    let mut overlaps: Vec<Overlap> = found?.into_iter().flatten().collect();
    overlaps.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    Ok(overlaps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::PolygonRings;

    fn square(x0: f64, y0: f64, size: f64, clockwise: bool) -> Vec<LonLat> {
        let mut r = vec![
            LonLat::new(x0, y0),
            LonLat::new(x0 + size, y0),
            LonLat::new(x0 + size, y0 + size),
            LonLat::new(x0, y0 + size),
        ];
        if clockwise {
            r.reverse();
        }
        r
    }

    fn id(s: &str) -> RegionId {
        RegionId::new(s).unwrap()
    }

    #[test]
    fn clockwise_input_is_oriented_and_measured_right() {
        let shape = RegionShape {
            parts: vec![PolygonRings {
                exterior: square(116.0, 39.0, 1.0, true),
                holes: vec![],
            }],
        };
        let r = RegionPolygon::new(id("cw"), &shape).unwrap();
        assert!(
            r.area_km2 > 9_000.0 && r.area_km2 < 10_000.0,
            "{}",
            r.area_km2
        );
        assert!(r.repairs.is_empty());
    }

    #[test]
    fn empty_holes_are_dropped_and_zero_area_is_rejected() {
        let shape = RegionShape {
            parts: vec![PolygonRings {
                exterior: square(116.0, 39.0, 1.0, false),
                holes: vec![vec![LonLat::new(116.5, 39.5); 4], vec![]],
            }],
        };
        let r = RegionPolygon::new(id("holes"), &shape).unwrap();
        assert_eq!(r.repairs.len(), 2, "{:?}", r.repairs);
        let flat = RegionShape {
            parts: vec![PolygonRings {
                exterior: vec![
                    LonLat::new(116.0, 39.0),
                    LonLat::new(117.0, 39.0),
                    LonLat::new(118.0, 39.0),
                ],
                holes: vec![],
            }],
        };
        let err = RegionPolygon::new(id("flat"), &flat)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`flat`") && err.contains("area"), "{err}");
        let none = RegionPolygon::new(id("none"), &RegionShape::default())
            .unwrap_err()
            .to_string();
        assert!(none.contains("`none`"), "{none}");
    }

    #[test]
    fn a_bowtie_is_repaired_into_two_triangles() {
        let shape = RegionShape {
            parts: vec![PolygonRings {
                exterior: vec![
                    LonLat::new(116.0, 39.0),
                    LonLat::new(116.0, 40.0),
                    LonLat::new(117.0, 39.0),
                    LonLat::new(117.0, 40.0),
                ],
                holes: vec![],
            }],
        };
        let r = RegionPolygon::new(id("bowtie"), &shape).unwrap();
        assert_eq!(r.shape.0.len(), 2);
        assert_eq!(r.repairs.len(), 1);
        // Two triangles of half the square each (half the 1°×1° square in total).
        assert!(
            r.area_km2 > 4_500.0 && r.area_km2 < 5_000.0,
            "{}",
            r.area_km2
        );
    }

    #[test]
    fn bad_coordinates_name_the_region_part_and_vertex() {
        let mut ring = square(116.0, 39.0, 1.0, false);
        ring[2] = LonLat::new(f64::NAN, 39.0);
        let shape = RegionShape {
            parts: vec![PolygonRings {
                exterior: ring,
                holes: vec![],
            }],
        };
        let err = RegionPolygon::new(id("nan"), &shape)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`nan`") && err.contains("vertex 2"), "{err}");
    }

    #[test]
    fn a_panic_in_a_geometry_routine_becomes_an_error() {
        let caught = guarded(|| -> usize { panic!("degenerate ring") });
        assert_eq!(
            caught.unwrap_err(),
            "geometry routine panicked: degenerate ring"
        );
    }

    #[test]
    fn overlaps_are_found_and_sorted() {
        let mk = |name: &str, x0: f64| {
            RegionPolygon::new(
                id(name),
                &RegionShape {
                    parts: vec![PolygonRings {
                        exterior: square(x0, 39.0, 1.0, false),
                        holes: vec![],
                    }],
                },
            )
            .unwrap()
        };
        let regions = [mk("b", 116.0), mk("a", 116.5), mk("c", 120.0)];
        let found = find_overlaps(&regions, 0.01).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].a.as_str(), found[0].b.as_str()), ("a", "b"));
        assert!((found[0].fraction_of_smaller - 0.5).abs() < 0.01);
    }
}
