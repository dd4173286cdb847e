//! Reprojection of region polygons from WGS84 lon/lat into a raster's CRS, in pure Rust
//! (proj4rs with its EPSG definitions).
//!
//! Vertices are transformed one by one (edges stay straight in the target plane, as GDAL and
//! shapely+pyproj do). A geographic target is taken as WGS84 lon/lat unchanged: datum shifts
//! between geographic CRSs (metres) are far below the pixel size of the grids fzc reads.

use std::path::Path;

use fzc_core::{GridCrs, RegionId};
use geo::{Coord, MapCoords, MultiPolygon};

use crate::{IoError, Location};

/// Transforms lon/lat (degrees) polygons into `to`'s coordinates, in place.
///
/// # Errors
/// [`IoError::Structure`] when the EPSG code is unknown to proj4rs or a vertex cannot be
/// transformed (the message names the region).
pub fn reproject_lonlat_to(
    shapes: &mut [(RegionId, MultiPolygon<f64>)],
    to: GridCrs,
) -> Result<(), IoError> {
    let code = match to {
        GridCrs::Geographic { .. } => return Ok(()),
        GridCrs::Projected { epsg } => epsg,
    };
    let at = || Location::file(Path::new(&format!("EPSG:{code}")));
    let code16 =
        u16::try_from(code).map_err(|_| IoError::structure(at(), "EPSG code out of range"))?;
    let dst = proj4rs::Proj::from_epsg_code(code16).map_err(|e| {
        IoError::structure(
            at(),
            format!("proj4rs does not know this CRS ({e}); expected an EPSG code of a supported projection"),
        )
    })?;
    let src = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
        .map_err(|e| IoError::structure(at(), format!("WGS84: {e}")))?;
    for (id, shape) in shapes.iter_mut() {
        let projected = shape
            .try_map_coords(|Coord { x, y }| {
                let mut p = (x.to_radians(), y.to_radians(), 0.0);
                proj4rs::transform::transform(&src, &dst, &mut p)
                    .map(|()| Coord { x: p.0, y: p.1 })
                    .map_err(|e| format!("vertex ({x}, {y}): {e}"))
            })
            .map_err(|why| {
                IoError::structure(
                    at(),
                    format!("region `{id}`: cannot transform into EPSG:{code}: {why}"),
                )
            })?;
        *shape = projected;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    #[test]
    fn utm_zone_50_matches_a_known_point() {
        // (116.3975 E, 39.9087 N) in UTM 50N, from PROJ 9.4 through pyproj 3.7.2
        // (Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)):
        // 448 502.181 954 m E, 4 417 797.609 266 m N.
        let p = Polygon::new(
            LineString::from(vec![(116.3975, 39.9087), (116.4, 39.9087), (116.4, 39.91)]),
            vec![],
        );
        let mut shapes = vec![(RegionId::new("b").unwrap(), MultiPolygon(vec![p]))];
        reproject_lonlat_to(&mut shapes, GridCrs::Projected { epsg: 32650 }).unwrap();
        let c = shapes[0].1.0[0].exterior().0[0];
        assert!(
            (c.x - 448_502.181_954).abs() < 1e-3 && (c.y - 4_417_797.609_266).abs() < 1e-3,
            "{c:?}"
        );
    }
}
