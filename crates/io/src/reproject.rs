//! Reprojection between WGS84 lon/lat and a raster's or a layer's CRS, with a choice of engine.
//!
//! Two engines, chosen by a [`ReprojectionEngine`] value:
//! - **proj4rs** (always built): pure Rust, EPSG codes from its `crs-definitions` table and
//!   PROJ strings (`+proj=...`). No WKT, no ESRI codes, no EPSG codes newer than its table.
//! - **PROJ** 9.6 through the `proj` crate, only with this crate's `proj` cargo feature: every
//!   CRS PROJ knows (any `AUTHORITY:CODE`, WKT 1 or 2 including ESRI `.prj` text, PROJ
//!   strings). The feature builds PROJ from source (cmake, a C++ compiler, sqlite3).
//!
//! [`ReprojectionEngine::default`] is PROJ when the feature is on, proj4rs otherwise.
//!
//! Vertices are transformed one by one (edges stay straight in the target plane, as GDAL and
//! shapely+pyproj do). A geographic [`GridCrs`] target is taken as WGS84 lon/lat unchanged:
//! datum shifts between geographic CRSs (metres) are far below the pixel size of the grids fzc
//! reads.
//!
//! **PROJ's database at run time.** PROJ needs the `proj.db` of its own version. The bundled
//! static build of PROJ 9.6 embeds its `proj.db` in the library (`EMBED_RESOURCE_FILES`) and
//! records its install folder (`share/proj` in the `proj-sys` build output). PROJ looks in
//! `PROJ_DATA` (or the older `PROJ_LIB`) first, then in that folder, and falls back to the
//! embedded copy, so fzc works with nothing set, even copied away from its target folder.
//! A `proj.db` from another PROJ version found first is refused by PROJ (e.g. `PROJ_DATA`
//! pointing at Debian's `/usr/share/proj`, PROJ 9.1): the error then lists the folders
//! searched, which hold a `proj.db`, and says what to set `PROJ_DATA` to.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use fzc_core::{GridCrs, RegionId};
use geo::{Coord, MapCoords, MultiPolygon};

use crate::{IoError, Location};

/// WGS84 longitude/latitude in degrees, as both engines spell it.
pub const WGS84_LONLAT: &str = "EPSG:4326";

/// The library that transforms coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReprojectionEngine {
    /// proj4rs: pure Rust; EPSG codes of its table and PROJ strings.
    Proj4rs,
    /// PROJ 9.6 (the `proj` crate): every CRS PROJ knows, WKT included. Needs `fzc-io`'s
    /// `proj` cargo feature.
    Proj,
}

impl ReprojectionEngine {
    /// Both engines, in the order they are documented.
    pub const ALL: [ReprojectionEngine; 2] =
        [ReprojectionEngine::Proj4rs, ReprojectionEngine::Proj];

    /// The engine's name as written in options: `proj4rs` or `proj`.
    pub const fn name(self) -> &'static str {
        match self {
            ReprojectionEngine::Proj4rs => "proj4rs",
            ReprojectionEngine::Proj => "proj",
        }
    }

    /// Whether this build has the engine (PROJ needs the `proj` cargo feature).
    pub const fn is_available(self) -> bool {
        match self {
            ReprojectionEngine::Proj4rs => true,
            ReprojectionEngine::Proj => cfg!(feature = "proj"),
        }
    }
}

impl Default for ReprojectionEngine {
    /// PROJ when built with the `proj` feature, proj4rs otherwise.
    fn default() -> Self {
        if cfg!(feature = "proj") {
            ReprojectionEngine::Proj
        } else {
            ReprojectionEngine::Proj4rs
        }
    }
}

impl fmt::Display for ReprojectionEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ReprojectionEngine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReprojectionEngine::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown reprojection engine `{s}`, expected proj4rs or proj"))
    }
}

/// A transformation from one CRS to another, built once and applied to many points.
///
/// CRSs are given as text: `EPSG:<code>` for both engines; a PROJ string (`+proj=...`) for
/// both; with PROJ also any other `AUTHORITY:CODE` (e.g. `ESRI:102025`) and WKT. Coordinates
/// are in the CRS's order and units with lon/lat first: longitude, latitude in degrees for a
/// geographic CRS; easting, northing (metres for the CRSs fzc uses) for a projected one.
///
/// ```
/// use fzc_io::{ReprojectionEngine, Reprojector, WGS84_LONLAT};
///
/// // Central Beijing in UTM zone 50N (pyproj: 448 502.182 m E, 4 417 797.609 m N).
/// let utm = Reprojector::new(WGS84_LONLAT, "EPSG:32650", ReprojectionEngine::Proj4rs)?;
/// let (x, y) = utm.convert(116.3975, 39.9087)?;
/// assert!((x - 448_502.182).abs() < 1e-3 && (y - 4_417_797.609).abs() < 1e-3);
///
/// // An ESRI code is PROJ's alone: proj4rs says so.
/// let err = Reprojector::new(WGS84_LONLAT, "ESRI:102025", ReprojectionEngine::Proj4rs);
/// assert!(err.unwrap_err().to_string().contains("PROJ engine"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Do not rely on it being `Send`: with the `proj` feature it can hold a PROJ context, which
/// is not. Build one per thread.
pub struct Reprojector {
    engine: ReprojectionEngine,
    from: String,
    to: String,
    inner: Inner,
}

enum Inner {
    Proj4rs {
        src: Box<proj4rs::Proj>,
        dst: Box<proj4rs::Proj>,
    },
    #[cfg(feature = "proj")]
    Proj(proj::Proj),
}

impl fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reprojector")
            .field("engine", &self.engine)
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl Reprojector {
    /// Prepares the transformation `from` → `to` with `engine`.
    ///
    /// # Errors
    /// [`IoError::Structure`] naming the CRS when the engine does not know it (the message
    /// says whether the PROJ engine would), when PROJ is asked for in a build without the
    /// `proj` feature, or when PROJ refuses the CRS or its database (when `PROJ_DATA` is set
    /// or a foreign `proj.db` is first in PROJ's search path, the message lists the folders
    /// searched and says what to set `PROJ_DATA` to).
    pub fn new(from: &str, to: &str, engine: ReprojectionEngine) -> Result<Self, IoError> {
        let inner = match engine {
            ReprojectionEngine::Proj4rs => Inner::Proj4rs {
                src: Box::new(proj4rs_crs(from)?),
                dst: Box::new(proj4rs_crs(to)?),
            },
            ReprojectionEngine::Proj => proj_inner(from, to)?,
        };
        Ok(Reprojector {
            engine,
            from: from.to_owned(),
            to: to.to_owned(),
            inner,
        })
    }

    /// The engine doing the work.
    pub fn engine(&self) -> ReprojectionEngine {
        self.engine
    }

    /// Transforms one point.
    ///
    /// # Units
    /// Degrees (longitude, latitude) for a geographic CRS, the CRS's linear unit (metres)
    /// for a projected one, on both sides.
    ///
    /// # Errors
    /// The engine's complaint as text (e.g. a point outside the projection's domain), or a
    /// non-finite result.
    pub fn convert(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        let (ox, oy) = match &self.inner {
            Inner::Proj4rs { src, dst } => {
                let to_rad = |v: f64| if src.is_latlong() { v.to_radians() } else { v };
                let mut p = (to_rad(x), to_rad(y), 0.0);
                proj4rs::transform::transform(src, dst, &mut p).map_err(|e| e.to_string())?;
                if dst.is_latlong() {
                    (p.0.to_degrees(), p.1.to_degrees())
                } else {
                    (p.0, p.1)
                }
            }
            #[cfg(feature = "proj")]
            Inner::Proj(p) => p.convert((x, y)).map_err(|e| e.to_string())?,
        };
        if ox.is_finite() && oy.is_finite() {
            Ok((ox, oy))
        } else {
            Err(format!("({x}, {y}) has no image ({ox}, {oy})"))
        }
    }
}

/// Where errors about a CRS point: the CRS text itself, shortened.
fn crs_location(crs: &str) -> Location {
    let mut shown: String = crs.trim().chars().take(60).collect();
    if crs.trim().chars().count() > 60 {
        shown.push_str("...");
    }
    Location::file(Path::new(&shown))
}

fn proj4rs_crs(crs: &str) -> Result<proj4rs::Proj, IoError> {
    let text = crs.trim();
    let at = || crs_location(crs);
    let with_proj = if cfg!(feature = "proj") {
        "use the PROJ engine (reprojection engine `proj`), which knows it"
    } else {
        "the PROJ engine knows it: build with the `proj` cargo feature (e.g. `cargo build --features proj`)"
    };
    if text.starts_with('+') {
        return proj4rs::Proj::from_proj_string(text).map_err(|e| {
            IoError::structure(
                at(),
                format!("proj4rs cannot read this PROJ string ({e}); {with_proj}"),
            )
        });
    }
    match text.split_once(':') {
        Some((auth, code)) if auth.eq_ignore_ascii_case("EPSG") => {
            let code16 = code.trim().parse::<u16>().map_err(|_| {
                IoError::structure(
                    at(),
                    format!(
                        "proj4rs knows EPSG codes up to 65535, `{code}` is not one; {with_proj}"
                    ),
                )
            })?;
            proj4rs::Proj::from_epsg_code(code16).map_err(|e| {
                IoError::structure(
                    at(),
                    format!("proj4rs does not know this CRS ({e}); {with_proj}"),
                )
            })
        }
        _ => Err(IoError::structure(
            at(),
            format!("proj4rs reads only EPSG:<code> or a PROJ string (+proj=...); {with_proj}"),
        )),
    }
}

#[cfg(not(feature = "proj"))]
fn proj_inner(from: &str, to: &str) -> Result<Inner, IoError> {
    let _ = from;
    Err(IoError::structure(
        crs_location(to),
        "the PROJ reprojection engine is not in this build: enable fzc-io's `proj` cargo \
         feature (for the CLI: `cargo build --release -p fzc-cli --features proj`), or use \
         the proj4rs engine",
    ))
}

#[cfg(feature = "proj")]
fn proj_inner(from: &str, to: &str) -> Result<Inner, IoError> {
    proj::ProjBuilder::new()
        .proj_known_crs(from, to, None)
        .map(Inner::Proj)
        .map_err(|e| {
            IoError::structure(
                crs_location(to),
                format!(
                    "PROJ cannot transform from `{}` to this CRS: {e}{}",
                    crs_location(from).path.display(),
                    proj_database_hint(),
                ),
            )
        })
}

/// When PROJ may be reading a `proj.db` other than its own (`PROJ_DATA`/`PROJ_LIB` set, or a
/// database found outside the bundled build's folder): where it looked and what to do.
/// PROJ reports a foreign database only in its log (stderr), and its error code then reads
/// as a syntax error, so the hint is given whenever that situation holds.
#[cfg(feature = "proj")]
fn proj_database_hint() -> String {
    let Ok(info) = proj::ProjBuilder::new().lib_info() else {
        return String::new();
    };
    let separator = if cfg!(windows) { ';' } else { ':' };
    let folders: Vec<&str> = info
        .searchpath
        .split(separator)
        .filter(|s| !s.is_empty())
        .collect();
    let first_db = folders
        .iter()
        .find(|dir| Path::new(dir).join("proj.db").is_file());
    let env: Vec<String> = ["PROJ_DATA", "PROJ_LIB"]
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|v| format!("{name}={v}")))
        .collect();
    let foreign = first_db.is_some_and(|dir| !dir.contains("proj-sys"));
    if env.is_empty() && !foreign {
        return String::new();
    }
    let searched: Vec<String> = folders
        .iter()
        .map(|dir| {
            let has = Path::new(dir).join("proj.db").is_file();
            format!("{dir} ({})", if has { "has proj.db" } else { "no proj.db" })
        })
        .collect();
    format!(
        ". PROJ {} searched for proj.db in: {}{}; the first proj.db found is used, and one \
         from another PROJ version is refused (see PROJ's message above; Debian's \
         /usr/share/proj is PROJ 9.1). Set PROJ_DATA to a folder holding the proj.db of PROJ \
         {} (the `proj` build installs one in the target folder under \
         build/proj-sys-*/out/share/proj), or unset it to use the copy built into fzc",
        info.version,
        if searched.is_empty() {
            "nothing".to_owned()
        } else {
            searched.join(", ")
        },
        if env.is_empty() {
            String::new()
        } else {
            format!(" (environment: {})", env.join(", "))
        },
        info.version,
    )
}

/// Transforms lon/lat (degrees) polygons into `to`'s coordinates, in place, with the default
/// engine ([`ReprojectionEngine::default`]: PROJ with the `proj` feature, proj4rs without).
///
/// # Units
/// Degrees in; the target CRS's unit (metres) out.
///
/// # Errors
/// As [`reproject_lonlat_to_with`].
pub fn reproject_lonlat_to(
    shapes: &mut [(RegionId, MultiPolygon<f64>)],
    to: GridCrs,
) -> Result<(), IoError> {
    reproject_lonlat_to_with(shapes, to, ReprojectionEngine::default())
}

/// Transforms lon/lat (degrees) polygons into `to`'s coordinates, in place, with `engine`.
/// A geographic `to` leaves them unchanged.
///
/// # Units
/// Degrees in; the target CRS's unit (metres) out.
///
/// # Errors
/// As [`reproject_lonlat_to_crs`] with `EPSG:<code>`.
pub fn reproject_lonlat_to_with(
    shapes: &mut [(RegionId, MultiPolygon<f64>)],
    to: GridCrs,
    engine: ReprojectionEngine,
) -> Result<(), IoError> {
    match to {
        GridCrs::Geographic { .. } => Ok(()),
        GridCrs::Projected { epsg } => {
            reproject_lonlat_to_crs(shapes, &format!("EPSG:{epsg}"), engine)
        }
    }
}

/// Transforms lon/lat (degrees, WGS84) polygons into the CRS `to` (text, as
/// [`Reprojector`] takes it), in place, with `engine`.
///
/// # Units
/// Degrees in; the target CRS's units out.
///
/// # Errors
/// [`IoError::Structure`] naming the CRS when the engine does not know it or is not built
/// (see [`Reprojector::new`]), or naming the region and the vertex that cannot be
/// transformed.
pub fn reproject_lonlat_to_crs(
    shapes: &mut [(RegionId, MultiPolygon<f64>)],
    to: &str,
    engine: ReprojectionEngine,
) -> Result<(), IoError> {
    let reprojector = Reprojector::new(WGS84_LONLAT, to, engine)?;
    for (id, shape) in shapes.iter_mut() {
        let projected = shape
            .try_map_coords(|Coord { x, y }| {
                reprojector
                    .convert(x, y)
                    .map(|(x, y)| Coord { x, y })
                    .map_err(|e| format!("vertex ({x}, {y}): {e}"))
            })
            .map_err(|why| {
                IoError::structure(
                    crs_location(to),
                    format!("region `{id}`: cannot transform with {engine}: {why}"),
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
    fn utm_zone_50_matches_a_known_point_with_either_engine() {
        // (116.3975 E, 39.9087 N) in UTM 50N, from PROJ 9.4 through pyproj 3.7.0
        // (Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)):
        // 448 502.181 954 m E, 4 417 797.609 266 m N.
        for engine in ReprojectionEngine::ALL
            .into_iter()
            .filter(|e| e.is_available())
        {
            let p = Polygon::new(
                LineString::from(vec![(116.3975, 39.9087), (116.4, 39.9087), (116.4, 39.91)]),
                vec![],
            );
            let mut shapes = vec![(RegionId::new("b").unwrap(), MultiPolygon(vec![p]))];
            reproject_lonlat_to_with(&mut shapes, GridCrs::Projected { epsg: 32650 }, engine)
                .unwrap();
            let c = shapes[0].1.0[0].exterior().0[0];
            assert!(
                (c.x - 448_502.181_954).abs() < 1e-3 && (c.y - 4_417_797.609_266).abs() < 1e-3,
                "{engine}: {c:?}"
            );
        }
    }

    #[test]
    fn engine_names_round_trip_and_the_default_follows_the_feature() {
        for engine in ReprojectionEngine::ALL {
            assert_eq!(engine.name().parse::<ReprojectionEngine>().unwrap(), engine);
        }
        assert!("gdal".parse::<ReprojectionEngine>().is_err());
        assert_eq!(
            ReprojectionEngine::default(),
            if cfg!(feature = "proj") {
                ReprojectionEngine::Proj
            } else {
                ReprojectionEngine::Proj4rs
            }
        );
        assert!(ReprojectionEngine::default().is_available());
    }

    #[test]
    fn proj4rs_refuses_what_it_cannot_read_and_points_to_proj() {
        for crs in [
            "ESRI:102025",
            "EPSG:10594",
            "PROJCS[\"x\"]",
            "EPSG:99999999",
        ] {
            let err = Reprojector::new(WGS84_LONLAT, crs, ReprojectionEngine::Proj4rs)
                .unwrap_err()
                .to_string();
            assert!(err.contains("PROJ engine"), "{crs}: {err}");
        }
    }

    #[cfg(not(feature = "proj"))]
    #[test]
    fn asking_for_proj_without_the_feature_names_the_feature() {
        let err = Reprojector::new(WGS84_LONLAT, "EPSG:32650", ReprojectionEngine::Proj)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("EPSG:32650") && err.contains("`proj` cargo feature"),
            "{err}"
        );
        let mut shapes = vec![];
        let err = reproject_lonlat_to_with(
            &mut shapes,
            GridCrs::Projected { epsg: 32650 },
            ReprojectionEngine::Proj,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`proj` cargo feature"), "{err}");
    }
}
