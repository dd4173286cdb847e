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

/// Geographic CRSs fzc reads as longitude/latitude on the WGS84 ellipsoid: their datum
/// uses the WGS84 or GRS80 ellipsoid and coincides with WGS84 at the metre level, far below
/// a pixel of the grids fzc reads. Any other geographic code is refused: its longitudes and
/// latitudes are not WGS84's, and pixel areas on its own ellipsoid would differ.
pub const KNOWN_GEOGRAPHIC_EPSG: &[(u32, &str)] = &[
    (4326, "WGS 84"),
    (4490, "CGCS2000"),
    (4258, "ETRS89"),
    (4269, "NAD83"),
    (4617, "NAD83(CSRS)"),
    (4283, "GDA94"),
    (7844, "GDA2020"),
    (4167, "NZGD2000"),
    (4612, "JGD2000"),
    (6668, "JGD2011"),
    (4737, "Korea 2000"),
    (4674, "SIRGAS 2000"),
    (4148, "Hartebeesthoek94"),
    (4019, "GRS 1980 unknown datum"),
];

/// The accepted geographic codes as `EPSG:4326 (WGS 84), …`, for messages and help.
pub fn known_geographic_list() -> String {
    KNOWN_GEOGRAPHIC_EPSG
        .iter()
        .map(|(code, name)| format!("EPSG:{code} ({name})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What to do about a missing CRS: where the user can name one.
const NAME_IT: &str = "name the raster CRS with `--raster-crs EPSG:<code>` (a scenario:                        `[cssf.rasters] crs = \"EPSG:<code>\"`), or reproject the raster                        (e.g. gdalwarp -t_srs EPSG:4326)";

fn refuse_geographic(code: u32) -> String {
    format!(
        "EPSG:{code} is a geographic CRS fzc does not know; fzc reads longitude/latitude on \
         the WGS84 ellipsoid and accepts {}",
        known_geographic_list()
    )
}

/// Parses a CRS the user names for rasters, `EPSG:<code>`: a geographic code must be one of
/// [`KNOWN_GEOGRAPHIC_EPSG`]; any other code must be a projected CRS the proj4rs tables know
/// (they tell geographic from projected).
///
/// # Errors
/// A message naming the text and what is accepted.
pub fn parse_raster_crs(text: &str) -> Result<GridCrs, String> {
    let code = text
        .trim()
        .split_once(':')
        .filter(|(auth, _)| auth.trim().eq_ignore_ascii_case("EPSG"))
        .and_then(|(_, code)| code.trim().parse::<u16>().ok())
        .filter(|&c| c != 0)
        .ok_or_else(|| {
            format!("`{text}` is not a CRS fzc reads; expected EPSG:<code>, e.g. EPSG:4326")
        })?;
    let epsg = u32::from(code);
    if KNOWN_GEOGRAPHIC_EPSG.iter().any(|(c, _)| *c == epsg) {
        return Ok(GridCrs::Geographic { epsg });
    }
    match proj4rs::Proj::from_epsg_code(code) {
        Ok(p) if p.is_latlong() => Err(refuse_geographic(epsg)),
        Ok(p) if p.is_geocent() => Err(format!(
            "EPSG:{epsg} is a geocentric CRS; expected a geographic or projected CRS"
        )),
        Ok(_) => Ok(GridCrs::Projected { epsg }),
        Err(e) => Err(format!(
            "EPSG:{epsg} is not in fzc's CRS tables (proj4rs: {e}), so fzc cannot tell whether \
             it is geographic or projected; reproject the raster to a CRS it knows \
             (e.g. gdalwarp -t_srs EPSG:4326)"
        )),
    }
}

/// The CRS from the GeoKeys, or `assumed` (the CRS the user named) where the keys give none.
///
/// - An EPSG code in the keys is taken. A geographic code must be one of
///   [`KNOWN_GEOGRAPHIC_EPSG`]; another one is refused, unless `assumed` names the CRS to read
///   it as.
/// - A user-defined (32767) or missing GeographicTypeGeoKey or ProjectedCSTypeGeoKey, or a
///   missing GTModelTypeGeoKey, takes `assumed`; without it the raster is refused, naming the
///   key and its value (e.g. MODIS's user-defined Clarke 1866 sphere-like datum).
/// - `assumed` that disagrees with a known EPSG code in the keys is refused.
pub(crate) fn crs_from_keys(
    keys: &[(u16, u16)],
    assumed: Option<GridCrs>,
) -> Result<GridCrs, String> {
    let get = |id: u16| keys.iter().find(|(k, _)| *k == id).map(|(_, v)| *v);
    let show = |v: Option<u16>| match v {
        None => "missing".to_owned(),
        Some(USER_DEFINED) => "32767 (user-defined)".to_owned(),
        Some(v) => v.to_string(),
    };
    let no_code = |key: &str, id: u16, value: Option<u16>| match assumed {
        Some(crs) => Ok(crs),
        None => Err(format!(
            "{key} ({id}) = {}: the GeoKeys give no EPSG code for the CRS; {NAME_IT}",
            show(value)
        )),
    };
    let from_keys = match get(GT_MODEL_TYPE) {
        Some(MODEL_GEOGRAPHIC) => match get(GEOGRAPHIC_TYPE) {
            Some(code) if code != USER_DEFINED && code != 0 => {
                let epsg = u32::from(code);
                if KNOWN_GEOGRAPHIC_EPSG.iter().any(|(c, _)| *c == epsg) {
                    GridCrs::Geographic { epsg }
                } else if let Some(crs) = assumed {
                    return Ok(crs);
                } else {
                    return Err(format!(
                        "GeographicTypeGeoKey ({GEOGRAPHIC_TYPE}) = {code}: {}; or {NAME_IT}",
                        refuse_geographic(epsg)
                    ));
                }
            }
            other => return no_code("GeographicTypeGeoKey", GEOGRAPHIC_TYPE, other),
        },
        Some(MODEL_PROJECTED) => match get(PROJECTED_CS_TYPE) {
            Some(code) if code != USER_DEFINED && code != 0 => GridCrs::Projected {
                epsg: u32::from(code),
            },
            other => return no_code("ProjectedCSTypeGeoKey", PROJECTED_CS_TYPE, other),
        },
        None => return no_code("GTModelTypeGeoKey", GT_MODEL_TYPE, None),
        Some(other) => {
            return Err(format!(
                "GTModelTypeGeoKey ({GT_MODEL_TYPE}) = {other}, expected 1 (projected) or 2 \
                 (geographic)"
            ));
        }
    };
    match assumed {
        Some(crs) if crs != from_keys => Err(format!(
            "the GeoKeys give {from_keys}, but the CRS named for rasters is {crs}; drop \
             `--raster-crs` (`[cssf.rasters] crs`) or name the raster's own CRS"
        )),
        _ => Ok(from_keys),
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
            assert_eq!(crs_from_keys(&keys, None).unwrap(), crs);
            assert_eq!(crs_from_keys(&keys, Some(crs)).unwrap(), crs);
            assert!(!is_pixel_is_point(&keys));
        }
    }

    #[test]
    fn user_defined_geographic_needs_a_named_crs() {
        let keys = [
            (GT_MODEL_TYPE, MODEL_GEOGRAPHIC),
            (GEOGRAPHIC_TYPE, USER_DEFINED),
        ];
        let e = crs_from_keys(&keys, None).unwrap_err();
        assert!(e.contains("GeographicTypeGeoKey (2048) = 32767"), "{e}");
        assert!(e.contains("--raster-crs"), "{e}");
        assert_eq!(
            crs_from_keys(&keys, Some(GridCrs::WGS84)).unwrap(),
            GridCrs::WGS84
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
