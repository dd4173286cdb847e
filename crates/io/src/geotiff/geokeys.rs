//! GeoTIFF georeferencing: the geotransform and the CRS from the GeoTIFF tags and GeoKeys.

use fzc_core::{GeoTransform, GridCrs};

/// GeoKey ids used here (GeoTIFF 1.1, section 7).
pub(crate) const GT_MODEL_TYPE: u16 = 1024;
pub(crate) const GT_RASTER_TYPE: u16 = 1025;
pub(crate) const GEOGRAPHIC_TYPE: u16 = 2048;
pub(crate) const PROJECTED_CS_TYPE: u16 = 3072;
/// `ModelTypeProjected`, `ModelTypeGeographic`.
pub(crate) const MODEL_PROJECTED: u16 = 1;
pub(crate) const MODEL_GEOGRAPHIC: u16 = 2;
/// `RasterPixelIsArea`, `RasterPixelIsPoint`.
pub(crate) const PIXEL_IS_AREA: u16 = 1;
pub(crate) const PIXEL_IS_POINT: u16 = 2;
/// The GeoTIFF code for "user-defined".
const USER_DEFINED: u16 = 32767;

/// The short-valued keys of a GeoKeyDirectory (keys stored in the double or ASCII parameter
/// tags are skipped: fzc needs none of them).
pub(crate) fn parse_key_directory(dir: &[u16]) -> Result<Vec<(u16, u16)>, String> {
    if dir.len() < 4 {
        return Err(format!(
            "GeoKeyDirectory has {} values, expected at least the 4-value header",
            dir.len()
        ));
    }
    let n = usize::from(dir[3]);
    if dir.len() < 4 + 4 * n {
        return Err(format!(
            "GeoKeyDirectory declares {n} keys but has only {} values",
            dir.len()
        ));
    }
    Ok(dir[4..4 + 4 * n]
        .chunks_exact(4)
        .filter(|k| k[1] == 0)
        .map(|k| (k[0], k[3]))
        .collect())
}

/// Geographic CRSs whose datum is WGS84 or agrees with it to about a metre (ITRF-aligned
/// realisations on the GRS80 or WGS84 ellipsoid): read as WGS84 longitude/latitude, as fzc
/// computes every geographic grid. Any other geographic EPSG code is refused: reading, say,
/// Beijing 1954 (EPSG:4214) or Xian 1980 (4610) as WGS84 shifts every pixel by tens to
/// hundreds of metres without a word.
pub(crate) const WGS84_COMPATIBLE_GEOGRAPHIC: [u16; 14] = [
    4326, // WGS 84
    4490, // China Geodetic Coordinate System 2000 (CGCS2000)
    4258, // ETRS89
    4269, // NAD83
    4617, // NAD83(CSRS)
    4283, // GDA94
    7844, // GDA2020
    4167, // NZGD2000
    4612, // JGD2000
    6668, // JGD2011
    4737, // Korea 2000
    4674, // SIRGAS 2000
    4148, // Hartebeesthoek94
    4019, // Unknown datum based upon the GRS 1980 ellipsoid
];

/// How a CRS was read from the GeoKeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CrsSource {
    /// An EPSG code in the keys.
    Epsg,
    /// A user-defined geographic CRS, taken as WGS84 longitude/latitude: the caller, who
    /// knows the file, tells the user (once per file).
    UserDefinedGeographic,
}

/// The CRS from the GeoKeys, and whether it was assumed.
///
/// A user-defined geographic CRS (e.g. MODIS's Clarke 1866 sphere-like datum) is taken as
/// WGS84 longitude/latitude (EPSG:4326); the difference is below the accuracy of such grids.
/// A user-defined projected CRS is refused: fzc needs an EPSG code to reproject regions.
pub(crate) fn crs_from_keys(keys: &[(u16, u16)]) -> Result<(GridCrs, CrsSource), String> {
    let get = |id: u16| keys.iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
    match get(GT_MODEL_TYPE) {
        Some(MODEL_GEOGRAPHIC) => match get(GEOGRAPHIC_TYPE) {
            Some(code) if code != USER_DEFINED && code != 0 => {
                if !WGS84_COMPATIBLE_GEOGRAPHIC.contains(&code) {
                    return Err(format!(
                        "GeographicTypeGeoKey is EPSG:{code}, a geographic CRS whose datum fzc \
                         does not take as WGS84 (it reads lon/lat grids as WGS84; accepted: {}). \
                         Reproject the raster (gdalwarp -t_srs EPSG:4326 in.tif out.tif), or, if \
                         the datum shift does not matter at this resolution, relabel it \
                         (gdal_edit.py -a_srs EPSG:4326 in.tif)",
                        WGS84_COMPATIBLE_GEOGRAPHIC
                            .iter()
                            .map(|c| format!("EPSG:{c}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Ok((
                    GridCrs::Geographic {
                        epsg: u32::from(code),
                    },
                    CrsSource::Epsg,
                ))
            }
            _ => Ok((GridCrs::WGS84, CrsSource::UserDefinedGeographic)),
        },
        Some(MODEL_PROJECTED) => match get(PROJECTED_CS_TYPE) {
            Some(code) if code != USER_DEFINED && code != 0 => Ok((
                GridCrs::Projected {
                    epsg: u32::from(code),
                },
                CrsSource::Epsg,
            )),
            other => Err(format!(
                "projected CRS without an EPSG code (ProjectedCSTypeGeoKey = {other:?}); \
                 expected an EPSG-coded CRS (reproject the raster, e.g. with gdalwarp -t_srs EPSG:…)"
            )),
        },
        other => Err(format!(
            "GTModelTypeGeoKey = {other:?}, expected 1 (projected) or 2 (geographic)"
        )),
    }
}

/// Whether the raster declares `RasterPixelIsPoint` (then the tie point is a pixel centre).
pub(crate) fn is_pixel_is_point(keys: &[(u16, u16)]) -> bool {
    keys.iter()
        .any(|&(k, v)| k == GT_RASTER_TYPE && v == PIXEL_IS_POINT)
}

/// The geotransform from ModelPixelScale + ModelTiepoint, or from ModelTransformation.
///
/// With `pixel_is_point` the origin is moved half a pixel up and left, as GDAL does.
pub(crate) fn transform_from_tags(
    scale: Option<&[f64]>,
    tiepoint: Option<&[f64]>,
    matrix: Option<&[f64]>,
    pixel_is_point: bool,
) -> Result<GeoTransform, String> {
    let mut t = if let (Some(s), Some(tp)) = (scale, tiepoint) {
        if s.len() < 2 || tp.len() < 6 {
            return Err(format!(
                "ModelPixelScale has {} values and ModelTiepoint {}, expected ≥ 2 and ≥ 6",
                s.len(),
                tp.len()
            ));
        }
        if tp.len() > 6 {
            return Err(format!(
                "ModelTiepoint has {} tie points, expected one (fzc does not warp by GCPs)",
                tp.len() / 6
            ));
        }
        let (i, j, x, y) = (tp[0], tp[1], tp[3], tp[4]);
        GeoTransform {
            x0: x - i * s[0],
            dx: s[0],
            y0: y + j * s[1],
            dy: -s[1],
        }
    } else if let Some(m) = matrix {
        if m.len() != 16 {
            return Err(format!(
                "ModelTransformation has {} values, expected 16",
                m.len()
            ));
        }
        if m[1] != 0.0 || m[4] != 0.0 {
            return Err(format!(
                "ModelTransformation has rotation terms ({}, {}), expected a north-up grid \
                 without rotation (warp the raster first)",
                m[1], m[4]
            ));
        }
        GeoTransform {
            x0: m[3],
            dx: m[0],
            y0: m[7],
            dy: m[5],
        }
    } else {
        return Err(
            "no georeferencing: expected ModelPixelScale + ModelTiepoint or ModelTransformation"
                .to_owned(),
        );
    };
    if !(t.dx.is_finite() && t.dy.is_finite() && t.dx > 0.0 && t.dy != 0.0) {
        return Err(format!(
            "pixel size ({}, {}) is not usable, expected a positive width and non-zero height",
            t.dx, t.dy
        ));
    }
    if pixel_is_point {
        t.x0 -= 0.5 * t.dx;
        t.y0 -= 0.5 * t.dy;
    }
    Ok(t)
}

/// The GeoKeyDirectory fzc writes for a grid.
pub(crate) fn key_directory_for(crs: GridCrs) -> Result<Vec<u16>, String> {
    let code = u16::try_from(crs.epsg())
        .map_err(|_| format!("EPSG code {} does not fit a GeoKey", crs.epsg()))?;
    let (model, crs_key) = match crs {
        GridCrs::Geographic { .. } => (MODEL_GEOGRAPHIC, GEOGRAPHIC_TYPE),
        GridCrs::Projected { .. } => (MODEL_PROJECTED, PROJECTED_CS_TYPE),
    };
    Ok(vec![
        1,
        1,
        0,
        3,
        GT_MODEL_TYPE,
        0,
        1,
        model,
        GT_RASTER_TYPE,
        0,
        1,
        PIXEL_IS_AREA,
        crs_key,
        0,
        1,
        code,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_read_back() {
        for crs in [GridCrs::WGS84, GridCrs::Projected { epsg: 32650 }] {
            let dir = key_directory_for(crs).unwrap();
            let keys = parse_key_directory(&dir).unwrap();
            assert_eq!(crs_from_keys(&keys).unwrap(), (crs, CrsSource::Epsg));
            assert!(!is_pixel_is_point(&keys));
        }
    }

    #[test]
    fn user_defined_geographic_is_wgs84_and_flagged() {
        let keys = [
            (GT_MODEL_TYPE, MODEL_GEOGRAPHIC),
            (GEOGRAPHIC_TYPE, USER_DEFINED),
        ];
        assert_eq!(
            crs_from_keys(&keys).unwrap(),
            (GridCrs::WGS84, CrsSource::UserDefinedGeographic)
        );
    }

    #[test]
    fn rotation_is_refused() {
        let mut m = [0.0; 16];
        m[0] = 1.0;
        m[5] = -1.0;
        m[1] = 0.1;
        let e = transform_from_tags(None, None, Some(&m), false).unwrap_err();
        assert!(e.contains("rotation"), "{e}");
    }

    #[test]
    fn pixel_is_point_shifts_half_a_pixel() {
        let t = transform_from_tags(
            Some(&[2.0, 2.0, 0.0]),
            Some(&[0.0, 0.0, 0.0, 10.0, 20.0, 0.0]),
            None,
            true,
        )
        .unwrap();
        assert_eq!((t.x0, t.y0, t.dx, t.dy), (9.0, 21.0, 2.0, -2.0));
    }
}
