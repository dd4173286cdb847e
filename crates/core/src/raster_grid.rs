//! The grid of a raster: size, affine geotransform and coordinate reference system.
//!
//! Readers (`fzc-io`) produce a [`RasterGrid`]; compute crates (`fzc-cssf-flow`) take one to
//! build region masks and pixel areas. It is plain data: no file, no projection library.

use std::fmt;

/// The coordinate reference system of a grid, as far as fzc needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GridCrs {
    /// Geographic longitude/latitude in degrees with this EPSG code (4326 for WGS84).
    /// Pixel areas are computed on the WGS84 ellipsoid whatever the datum (documented
    /// approximation, e.g. for MODIS grids on a Clarke 1866 sphere-like datum).
    Geographic {
        /// EPSG code of the geographic CRS.
        epsg: u32,
    },
    /// Projected coordinates in metres with this EPSG code.
    Projected {
        /// EPSG code of the projected CRS.
        epsg: u32,
    },
}

impl GridCrs {
    /// WGS84 longitude/latitude (EPSG:4326).
    pub const WGS84: GridCrs = GridCrs::Geographic { epsg: 4326 };

    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            GridCrs::Geographic { epsg } | GridCrs::Projected { epsg } => epsg,
        }
    }

    /// Whether coordinates are longitude/latitude degrees.
    pub fn is_geographic(self) -> bool {
        matches!(self, GridCrs::Geographic { .. })
    }
}

impl fmt::Display for GridCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GridCrs::Geographic { epsg } => write!(f, "EPSG:{epsg} (geographic)"),
            GridCrs::Projected { epsg } => write!(f, "EPSG:{epsg} (projected)"),
        }
    }
}

/// A north-up affine geotransform without rotation (GDAL's `(x0, dx, 0, y0, 0, dy)`).
///
/// The corner of pixel `(row, col)` is `(x0 + col·dx, y0 + row·dy)`; `dy` is negative for the
/// usual north-up rasters.
///
/// # Units
/// Degrees for geographic grids, metres for projected ones.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GeoTransform {
    /// x of the outer corner of the first column.
    pub x0: f64,
    /// Pixel width (> 0).
    pub dx: f64,
    /// y of the outer corner of the first row.
    pub y0: f64,
    /// Pixel height, signed (< 0 for north-up).
    pub dy: f64,
}

impl GeoTransform {
    /// The coordinates of a fractional pixel position.
    pub fn to_world(&self, col: f64, row: f64) -> (f64, f64) {
        (self.x0 + col * self.dx, self.y0 + row * self.dy)
    }

    /// The fractional pixel position `(col, row)` of a point.
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.x0) / self.dx, (y - self.y0) / self.dy)
    }
}

/// The full description of a raster grid.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RasterGrid {
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
    /// Pixel corners in CRS coordinates.
    pub transform: GeoTransform,
    /// The coordinate reference system.
    pub crs: GridCrs,
}

impl RasterGrid {
    /// Number of pixels.
    pub fn len(&self) -> usize {
        self.width * self.height
    }

    /// Whether the grid has no pixel.
    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// What differs between two grids, as a human-readable list (empty when they are the same
    /// grid to a relative tolerance of 1e-9 of a pixel).
    pub fn differences(&self, other: &RasterGrid) -> Vec<String> {
        let mut out = Vec::new();
        if (self.width, self.height) != (other.width, other.height) {
            out.push(format!(
                "size {}×{} vs {}×{}",
                self.width, self.height, other.width, other.height
            ));
        }
        let (a, b) = (self.transform, other.transform);
        let tol = 1e-9 * a.dx.abs().max(a.dy.abs());
        if (a.dx - b.dx).abs() > tol || (a.dy - b.dy).abs() > tol {
            out.push(format!(
                "pixel size ({}, {}) vs ({}, {})",
                a.dx, a.dy, b.dx, b.dy
            ));
        }
        if (a.x0 - b.x0).abs() > tol || (a.y0 - b.y0).abs() > tol {
            out.push(format!(
                "origin ({}, {}) vs ({}, {})",
                a.x0, a.y0, b.x0, b.y0
            ));
        }
        if self.crs != other.crs {
            out.push(format!("CRS {} vs {}", self.crs, other.crs));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_and_world_coordinates_round_trip() {
        let t = GeoTransform {
            x0: 110.0,
            dx: 0.05,
            y0: 45.0,
            dy: -0.05,
        };
        let (x, y) = t.to_world(3.0, 4.0);
        assert!((x - 110.15).abs() < 1e-12 && (y - 44.8).abs() < 1e-12);
        let (c, r) = t.to_pixel(x, y);
        assert!((c - 3.0).abs() < 1e-9 && (r - 4.0).abs() < 1e-9);
    }

    #[test]
    fn differences_name_what_differs() {
        let g = RasterGrid {
            width: 4,
            height: 3,
            transform: GeoTransform {
                x0: 0.0,
                dx: 1.0,
                y0: 3.0,
                dy: -1.0,
            },
            crs: GridCrs::WGS84,
        };
        assert!(g.differences(&g).is_empty());
        let mut h = g;
        h.width = 5;
        h.crs = GridCrs::Projected { epsg: 32650 };
        let d = g.differences(&h);
        assert_eq!(d.len(), 2);
        assert!(d[0].contains("4×3 vs 5×3"));
        assert!(d[1].contains("EPSG:32650"));
    }
}
