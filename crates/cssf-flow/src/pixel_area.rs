//! The true area of raster pixels: ellipsoidal for geographic grids, the cell size otherwise.
//!
//! For a geographic grid a pixel is bounded by two meridians and two parallels. Its area on the
//! WGS84 ellipsoid has a closed form: the area between the equator and latitude `φ` per radian
//! of longitude is
//!
//! `A(φ) = (b²/2) · [ sin φ / (1 − e² sin² φ) + (1/(2e)) · ln((1 + e sin φ)/(1 − e sin φ)) ]`
//!
//! (`b` the semi-minor axis, `e` the first eccentricity), so a pixel spanning `Δλ` radians
//! between `φ₁` and `φ₂` has area `Δλ · |A(φ₁) − A(φ₂)|`. All pixels of a row share it, so
//! it is computed once per row. At `φ = 90°` it gives a quarter of the ellipsoid's area per
//! `π/2`, which the tests check. For a projected grid the area is `|dx · dy|`: exact for
//! equal-area projections (e.g. Albers, LAEA), approximate for others (UTM's scale error is
//! below 0.1 %).

use fzc_core::RasterGrid;

/// WGS84 semi-major axis, m.
pub const WGS84_A_M: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// Area from the equator to latitude `lat_deg` per radian of longitude on WGS84.
///
/// # Units
/// m² per radian; `lat_deg` in degrees (clamped to [−90, 90]).
pub fn zone_area_per_radian_m2(lat_deg: f64) -> f64 {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let e = e2.sqrt();
    let b2 = WGS84_A_M * WGS84_A_M * (1.0 - e2);
    let s = lat_deg.clamp(-90.0, 90.0).to_radians().sin();
    let es = e * s;
    0.5 * b2 * (s / (1.0 - e2 * s * s) + (0.5 / e) * ((1.0 + es) / (1.0 - es)).ln())
}

/// The ellipsoidal area of a latitude/longitude cell.
///
/// # Units
/// m²; arguments in degrees.
pub fn cell_area_m2(lat1_deg: f64, lat2_deg: f64, dlon_deg: f64) -> f64 {
    dlon_deg.abs().to_radians()
        * (zone_area_per_radian_m2(lat1_deg) - zone_area_per_radian_m2(lat2_deg)).abs()
}

/// The area of every pixel of a grid, one value per row.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelAreas {
    row_m2: Vec<f64>,
}

impl PixelAreas {
    /// The pixel areas of `grid`: ellipsoidal per row for geographic grids, `|dx · dy|` for
    /// projected ones.
    pub fn for_grid(grid: &RasterGrid) -> Self {
        let t = grid.transform;
        let row_m2 = if grid.crs.is_geographic() {
            (0..grid.height)
                .map(|r| {
                    let lat1 = t.y0 + r as f64 * t.dy;
                    let lat2 = t.y0 + (r + 1) as f64 * t.dy;
                    cell_area_m2(lat1, lat2, t.dx)
                })
                .collect()
        } else {
            vec![(t.dx * t.dy).abs(); grid.height]
        };
        Self { row_m2 }
    }

    /// Area of one pixel of row `row`.
    ///
    /// # Units
    /// m².
    pub fn m2(&self, row: usize) -> f64 {
        self.row_m2[row]
    }

    /// Area of one pixel of row `row`.
    ///
    /// # Units
    /// ha (10⁴ m²).
    pub fn ha(&self, row: usize) -> f64 {
        self.row_m2[row] / 1e4
    }

    /// Area of one pixel of row `row`.
    ///
    /// # Units
    /// km² (10⁶ m²).
    pub fn km2(&self, row: usize) -> f64 {
        self.row_m2[row] / 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::{GeoTransform, GridCrs};
    use proptest::prelude::*;

    /// WGS84 total surface area (m²), from GeographicLib.
    const EARTH_M2: f64 = 5.100_656_217_240_886e14;

    #[test]
    fn a_global_grid_adds_up_to_the_ellipsoid() {
        let grid = RasterGrid {
            width: 720,
            height: 360,
            transform: GeoTransform {
                x0: -180.0,
                dx: 0.5,
                y0: 90.0,
                dy: -0.5,
            },
            crs: GridCrs::WGS84,
        };
        let areas = PixelAreas::for_grid(&grid);
        let total: f64 = (0..grid.height).map(|r| areas.m2(r) * 720.0).sum();
        assert!((total / EARTH_M2 - 1.0).abs() < 1e-12, "{total}");
    }

    #[test]
    fn projected_pixels_are_their_cell_size() {
        let grid = RasterGrid {
            width: 2,
            height: 2,
            transform: GeoTransform {
                x0: 0.0,
                dx: 30.0,
                y0: 0.0,
                dy: -30.0,
            },
            crs: GridCrs::Projected { epsg: 32650 },
        };
        let areas = PixelAreas::for_grid(&grid);
        assert_eq!(areas.m2(1), 900.0);
        assert_eq!(areas.ha(0), 0.09);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Splitting a band of latitude in two keeps its area (additivity), and a band is
        /// symmetric about the equator.
        #[test]
        fn cell_area_is_additive_and_symmetric(a in -89.0..89.0f64, h1 in 0.0..0.5f64, h2 in 0.0..0.5f64, w in 0.001..2.0f64) {
            let whole = cell_area_m2(a, a + h1 + h2, w);
            let parts = cell_area_m2(a, a + h1, w) + cell_area_m2(a + h1, a + h1 + h2, w);
            prop_assert!((whole - parts).abs() <= 1e-9 * whole.max(1.0));
            let mirrored = cell_area_m2(-a, -a - h1, w);
            prop_assert!((cell_area_m2(a, a + h1, w) - mirrored).abs() <= 1e-9 * mirrored.max(1.0));
        }
    }
}
