//! The one conversion between the two polygon types of this crate.
//!
//! The flow model takes regions as [`RegionShape`] (from `fzc-core`, so that plugins see
//! plain data); the zonal sums ([`crate::zonal::RegionMasks::build`]) take
//! [`geo::MultiPolygon`] in the grid's coordinates. For a grid in geographic coordinates
//! (longitude, latitude) the two describe the same region: `x` is longitude and `y` latitude,
//! in degrees, and these functions convert both ways. For a projected grid, reproject first
//! (`fzc-io` does).

use fzc_core::{LonLat, PolygonRings, RegionShape};
use geo::{Coord, LineString, MultiPolygon, Polygon};

fn ring(points: &[LonLat]) -> LineString<f64> {
    LineString::new(
        points
            .iter()
            .map(|p| Coord {
                x: p.lon_deg,
                y: p.lat_deg,
            })
            .collect(),
    )
}

fn points(ring: &LineString<f64>) -> Vec<LonLat> {
    ring.coords().map(|c| LonLat::new(c.x, c.y)).collect()
}

/// `shape` as a geo multipolygon: one polygon per part, `x` = longitude, `y` = latitude
/// (degrees). geo closes every ring (repeats the first point at the end if it was not).
pub fn to_multipolygon(shape: &RegionShape) -> MultiPolygon<f64> {
    MultiPolygon::new(
        shape
            .parts
            .iter()
            .map(|part| {
                Polygon::new(
                    ring(&part.exterior),
                    part.holes.iter().map(|h| ring(h)).collect(),
                )
            })
            .collect(),
    )
}

/// A geo multipolygon in longitude/latitude degrees as a [`RegionShape`]: one part per
/// polygon, rings as geo stores them (closed).
pub fn from_multipolygon(polygons: &MultiPolygon<f64>) -> RegionShape {
    RegionShape {
        parts: polygons
            .0
            .iter()
            .map(|p| PolygonRings {
                exterior: points(p.exterior()),
                holes: p.interiors().iter().map(points).collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn conversion_keeps_parts_holes_and_axis_order() {
        let square = |x0: f64, y0: f64, d: f64| {
            vec![
                LonLat::new(x0, y0),
                LonLat::new(x0 + d, y0),
                LonLat::new(x0 + d, y0 + d),
                LonLat::new(x0, y0 + d),
            ]
        };
        let shape = RegionShape {
            parts: vec![
                PolygonRings {
                    exterior: square(116.0, 39.0, 2.0),
                    holes: vec![square(116.5, 39.5, 1.0)],
                },
                PolygonRings {
                    exterior: square(120.0, 30.0, 1.0),
                    holes: vec![],
                },
            ],
        };
        let mp = to_multipolygon(&shape);
        assert_eq!(mp.0.len(), 2);
        // 2×2 minus the 1×1 hole, plus 1×1: the hole is a hole, parts are separate.
        assert!((mp.unsigned_area() - 4.0).abs() < 1e-12);
        assert_eq!(mp.0[0].exterior().0[1], Coord { x: 118.0, y: 39.0 });
        // Back and forth again is the identity once the rings are closed.
        assert_eq!(to_multipolygon(&from_multipolygon(&mp)), mp);
        let back = from_multipolygon(&mp);
        assert_eq!(back.parts[0].holes.len(), 1);
        assert_eq!(back.parts[1].exterior[0], LonLat::new(120.0, 30.0));
    }
}
