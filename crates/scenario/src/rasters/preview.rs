//! The per-pixel CSSDR resampled onto a small lon/lat grid for a map figure.

use fzc_core::{RasterGrid, RegionId};
use geo::{Coord, LineString, MultiPolygon, Polygon};

use crate::ScenarioError;
use crate::model::CssdrPreview;

/// How window pixels reach preview cells.
enum Mode {
    /// A lon/lat raster, north up: each cell is the mean of a `factor × factor` block.
    Block { factor: usize },
    /// Any other raster: for each window row, the `(cell, column)` pairs whose cell centre
    /// falls in that row (nearest neighbour through the inverse reprojection).
    Nearest { targets: Vec<Vec<(usize, usize)>> },
}

/// Accumulates CSSDR rows into preview cells.
pub(crate) struct Sampler {
    mode: Mode,
    window_width: usize,
    bounds: (f64, f64, f64, f64),
    width: usize,
    height: usize,
    sum: Vec<f64>,
    count: Vec<u32>,
}

impl Sampler {
    /// A sampler for `window`; `lonlat_bounds` `(west, south, east, north)` is the regions'
    /// extent, used for projected rasters.
    pub(crate) fn new(
        window: &RasterGrid,
        lonlat_bounds: (f64, f64, f64, f64),
        max_side: usize,
    ) -> Result<Self, ScenarioError> {
        let t = window.transform;
        let (w, h) = (window.width, window.height);
        if window.crs.is_geographic() && t.dx > 0.0 && t.dy < 0.0 {
            let factor = w.max(h).div_ceil(max_side).max(1);
            let (width, height) = (w.div_ceil(factor), h.div_ceil(factor));
            let bounds = (
                t.x0,
                t.y0 + (height * factor) as f64 * t.dy,
                t.x0 + (width * factor) as f64 * t.dx,
                t.y0,
            );
            return Ok(Self::with(Mode::Block { factor }, w, bounds, width, height));
        }
        let (west, south, east, north) = lonlat_bounds;
        let n = max_side.min(w.max(h)).max(1);
        let span = (east - west).max(north - south);
        let cell = if span > 0.0 { span / n as f64 } else { 1e-6 };
        let width = (((east - west) / cell).ceil() as usize).clamp(1, max_side);
        let height = (((north - south) / cell).ceil() as usize).clamp(1, max_side);
        let mut targets = vec![Vec::new(); h];
        let id = RegionId::new("cssdr-preview").map_err(|e| ScenarioError::Layer {
            path: "cssdr preview".into(),
            what: "drawing the CSSDR preview",
            message: e.to_string(),
        })?;
        for row in 0..height {
            let lat = north - (row as f64 + 0.5) * cell;
            let centres: Vec<Coord<f64>> = (0..width)
                .map(|col| Coord {
                    x: west + (col as f64 + 0.5) * cell,
                    y: lat,
                })
                .collect();
            let mut shapes = vec![(
                id.clone(),
                MultiPolygon(vec![Polygon::new(LineString(centres), vec![])]),
            )];
            fzc_io::reproject_lonlat_to(&mut shapes, window.crs)?;
            let projected = &shapes[0].1.0[0].exterior().0;
            for (col, c) in projected.iter().take(width).enumerate() {
                let (u, v) = t.to_pixel(c.x, c.y);
                if u >= 0.0 && v >= 0.0 && (u as usize) < w && (v as usize) < h {
                    targets[v as usize].push((row * width + col, u as usize));
                }
            }
        }
        let bounds = (
            west,
            north - height as f64 * cell,
            west + width as f64 * cell,
            north,
        );
        Ok(Self::with(
            Mode::Nearest { targets },
            w,
            bounds,
            width,
            height,
        ))
    }

    fn with(
        mode: Mode,
        window_width: usize,
        bounds: (f64, f64, f64, f64),
        width: usize,
        height: usize,
    ) -> Self {
        Self {
            mode,
            window_width,
            bounds,
            width,
            height,
            sum: vec![0.0; width * height],
            count: vec![0; width * height],
        }
    }

    /// Adds window rows `row0 .. row0 + rows` (`values` row-major, NaN = no data).
    pub(crate) fn add_rows(&mut self, row0: usize, rows: usize, values: &[f64]) {
        let w = self.window_width;
        match &self.mode {
            Mode::Block { factor } => {
                for r in 0..rows {
                    let cell_row = (row0 + r) / factor;
                    for (c, &v) in values[r * w..(r + 1) * w].iter().enumerate() {
                        if !v.is_nan() {
                            let cell = cell_row * self.width + c / factor;
                            self.sum[cell] += v;
                            self.count[cell] += 1;
                        }
                    }
                }
            }
            Mode::Nearest { targets } => {
                for r in 0..rows {
                    for &(cell, col) in &targets[row0 + r] {
                        let v = values[r * w + col];
                        if !v.is_nan() {
                            self.sum[cell] = v;
                            self.count[cell] = 1;
                        }
                    }
                }
            }
        }
    }

    /// The preview: the mean per cell, NaN where no pixel had data.
    pub(crate) fn finish(self) -> CssdrPreview {
        let (west, south, east, north) = self.bounds;
        CssdrPreview {
            west,
            south,
            east,
            north,
            width: self.width,
            height: self.height,
            values: self
                .sum
                .iter()
                .zip(&self.count)
                .map(|(s, &n)| {
                    if n > 0 {
                        (s / f64::from(n)) as f32
                    } else {
                        f32::NAN
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use fzc_core::{GeoTransform, GridCrs};
    use proptest::prelude::*;

    fn lonlat(width: usize, height: usize) -> RasterGrid {
        RasterGrid {
            width,
            height,
            transform: GeoTransform {
                x0: 115.0,
                dx: 0.01,
                y0: 41.0,
                dy: -0.01,
            },
            crs: GridCrs::Geographic { epsg: 4326 },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A block-mean preview keeps the longest side within the limit, covers the window,
        /// and a constant layer stays that constant in every cell.
        #[test]
        fn block_preview_of_a_constant_is_that_constant(
            width in 1usize..300, height in 1usize..300, max_side in 1usize..80,
            value in -1.0f64..=1.0,
        ) {
            let grid = lonlat(width, height);
            let mut s = Sampler::new(&grid, (0.0, 0.0, 0.0, 0.0), max_side).unwrap();
            let values = vec![value; width * height];
            s.add_rows(0, height, &values);
            let p = s.finish();
            prop_assert!(p.width.max(p.height) <= max_side);
            prop_assert!(p.west <= 115.0 && p.east >= 115.0 + width as f64 * 0.01 - 1e-9);
            prop_assert!(p.north >= 41.0 && p.south <= 41.0 - height as f64 * 0.01 + 1e-9);
            prop_assert_eq!(p.values.len(), p.width * p.height);
            for v in &p.values {
                prop_assert!((f64::from(*v) - value).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn block_preview_averages_and_keeps_nodata() {
        // 4 × 2 pixels into 2 × 1 cells: [1, NaN | NaN, NaN] over two rows [3, NaN | NaN, NaN].
        let grid = lonlat(4, 2);
        let mut s = Sampler::new(&grid, (0.0, 0.0, 0.0, 0.0), 2).unwrap();
        let nan = f64::NAN;
        s.add_rows(0, 1, &[1.0, nan, nan, nan]);
        s.add_rows(1, 1, &[3.0, nan, nan, nan]);
        let p = s.finish();
        assert_eq!((p.width, p.height), (2, 1));
        assert_eq!(p.values[0], 2.0);
        assert!(p.values[1].is_nan());
    }

    #[test]
    fn projected_preview_samples_the_pixel_under_each_centre() {
        // A UTM 50N grid of 1 km pixels around Beijing; each pixel holds its column index.
        let grid = RasterGrid {
            width: 100,
            height: 100,
            transform: GeoTransform {
                x0: 400_000.0,
                dx: 1000.0,
                y0: 4_450_000.0,
                dy: -1000.0,
            },
            crs: GridCrs::Projected { epsg: 32650 },
        };
        let bounds = (116.0, 39.5, 116.5, 40.0);
        let mut s = Sampler::new(&grid, bounds, 50).unwrap();
        let values: Vec<f64> = (0..100 * 100).map(|i| (i % 100) as f64).collect();
        s.add_rows(0, 100, &values);
        let p = s.finish();
        assert_eq!((p.width, p.height), (50, 50));
        // The westernmost cells lie further west (smaller column) than the easternmost.
        let row = 25;
        let west = p.values[row * p.width];
        let east = p.values[row * p.width + p.width - 1];
        assert!(
            !west.is_nan() && !east.is_nan() && west < east,
            "{west} {east}"
        );
        // 116.005 E, 39.745 N is x ≈ 414.9 km in UTM 50N: column 14.
        let w0 = p.values[(p.height / 2) * p.width];
        assert!((w0 - 14.0).abs() <= 1.0, "{w0}");
    }
}
