//! Region masks on a grid, built once and applied to every layer.

use fzc_core::{Progress, RasterGrid, RegionId};
use geo::{Coord, MapCoords, MultiPolygon};
use rayon::prelude::*;

use super::coverage::{CoverageMode, RawRun, Run, coverage_rows_raw};
use crate::CssfError;

/// The coverage of one region on a grid: for each row it touches, runs of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMask {
    /// The region.
    pub id: RegionId,
    /// First row with a run.
    pub first_row: usize,
    /// Runs of each row from `first_row` on (a row may have none).
    pub rows: Vec<Vec<Run>>,
    /// Σ coverage inside the grid, in cells.
    pub covered_cells: f64,
    /// Σ coverage of cells outside the grid (the part of the region the raster misses), in
    /// cells.
    pub outside_cells: f64,
}

impl RegionMask {
    /// The share of the region (by cell coverage) that lies outside the grid, in [0, 1].
    pub fn outside_share(&self) -> f64 {
        let total = self.covered_cells + self.outside_cells;
        if total > 0.0 {
            self.outside_cells / total
        } else {
            0.0
        }
    }

    /// The runs of grid row `row` (empty if the region does not touch it).
    pub fn runs(&self, row: usize) -> &[Run] {
        row.checked_sub(self.first_row)
            .and_then(|i| self.rows.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

/// The running sums of one region over one layer.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ZonalSum {
    /// Σ coverage × value over valid (non-NaN) cells.
    pub sum: f64,
    /// Σ coverage over valid cells, in cells.
    pub coverage: f64,
    /// Σ coverage over nodata (NaN) cells, in cells.
    pub nodata_coverage: f64,
}

/// The masks of all regions on one grid.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMasks {
    grid: RasterGrid,
    mode: CoverageMode,
    regions: Vec<RegionMask>,
}

impl RegionMasks {
    /// Builds the masks of `regions` on `grid`. The polygons must be in the grid's CRS.
    ///
    /// # Errors
    /// [`CssfError::InvalidPolygon`] for a region with no cell coverage at all (no area, or
    /// entirely outside the grid).
    pub fn build(
        grid: &RasterGrid,
        regions: &[(RegionId, MultiPolygon<f64>)],
        mode: CoverageMode,
    ) -> Result<Self, CssfError> {
        Self::build_within(grid, regions, mode, u64::MAX)
    }

    /// [`RegionMasks::build`], refusing before anything is built when the masks would take
    /// more than `budget` bytes: a region's mask holds a list per pixel row of its extent and
    /// (exact coverage) an entry per boundary cell, so a raster of tiny pixels can make a
    /// province's mask gigabytes. The estimate is 64 bytes per pixel row and 48 per cell the
    /// boundary crosses, summed over the regions (they are built at the same time).
    ///
    /// # Errors
    /// [`CssfError::MaskTooLarge`] naming the largest region and the estimate; the errors of
    /// [`RegionMasks::build`].
    pub fn build_within(
        grid: &RasterGrid,
        regions: &[(RegionId, MultiPolygon<f64>)],
        mode: CoverageMode,
        budget: u64,
    ) -> Result<Self, CssfError> {
        let t = grid.transform;
        let mut total = 0.0f64;
        let mut largest: Option<(f64, &RegionId, f64, f64)> = None;
        for (id, shape) in regions {
            let (mut v0, mut v1, mut boundary) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
            for polygon in &shape.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    let pts: Vec<(f64, f64)> =
                        ring.0.iter().map(|c| t.to_pixel(c.x, c.y)).collect();
                    for w in pts.windows(2) {
                        boundary += (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs() + 1.0;
                    }
                    for &(_, v) in &pts {
                        v0 = v0.min(v);
                        v1 = v1.max(v);
                    }
                }
            }
            let rows = if v1 >= v0 {
                (v1.ceil() - v0.floor()).max(1.0)
            } else {
                0.0
            };
            let bytes = rows * 64.0 + boundary * 48.0;
            total += bytes;
            if largest.is_none_or(|(b, ..)| bytes > b) {
                largest = Some((bytes, id, rows, boundary));
            }
        }
        if (total > budget as f64 || !total.is_finite())
            && let Some((_, id, rows, boundary)) = largest
        {
            return Err(CssfError::MaskTooLarge {
                region: id.clone(),
                rows,
                boundary_cells: boundary,
                bytes: total,
                budget,
            });
        }
        let masks = regions
            .par_iter()
            .map(|(id, shape)| {
                let pixel = shape.map_coords(|Coord { x, y }| {
                    let (u, v) = t.to_pixel(x, y);
                    Coord { x: u, y: v }
                });
                let raw = coverage_rows_raw(&pixel, mode);
                clip_to_grid(id.clone(), raw, grid)
            })
            .collect::<Vec<_>>();
        for m in &masks {
            if m.covered_cells + m.outside_cells <= 0.0 {
                return Err(CssfError::InvalidPolygon {
                    region: m.id.clone(),
                    why: "the polygon covers no raster cell (no area at this resolution)".into(),
                });
            }
            if m.covered_cells <= 0.0 {
                return Err(CssfError::InvalidPolygon {
                    region: m.id.clone(),
                    why: "the polygon lies entirely outside the raster (check the CRS and extent)"
                        .into(),
                });
            }
        }
        Ok(Self {
            grid: *grid,
            mode,
            regions: masks,
        })
    }

    /// The grid the masks are on.
    pub fn grid(&self) -> &RasterGrid {
        &self.grid
    }

    /// How cells were counted.
    pub fn mode(&self) -> CoverageMode {
        self.mode
    }

    /// The masks, in the order the regions were given.
    pub fn regions(&self) -> &[RegionMask] {
        &self.regions
    }

    /// Fails when a region lies partly outside the grid by more than `tolerance` (share of
    /// its coverage).
    ///
    /// # Errors
    /// [`CssfError::RasterDoesNotCover`] naming the first such region.
    pub fn require_covered(&self, tolerance: f64) -> Result<(), CssfError> {
        for m in &self.regions {
            if m.outside_share() > tolerance {
                return Err(CssfError::RasterDoesNotCover {
                    region: m.id.clone(),
                    outside_share: m.outside_share(),
                });
            }
        }
        Ok(())
    }

    /// Adds a window of a layer to the regions' sums: `values` holds rows
    /// `row0 .. row0 + values.len()/width` of the grid, NaN for nodata. `weight(row)`
    /// multiplies every value of a row (e.g. a pixel area; `|_| 1.0` for none).
    ///
    /// # Panics
    /// If `sums` does not have one entry per region or `values` is not whole rows.
    pub fn accumulate(
        &self,
        row0: usize,
        values: &[f64],
        weight: impl Fn(usize) -> f64 + Sync,
        sums: &mut [ZonalSum],
    ) {
        let width = self.grid.width;
        assert_eq!(sums.len(), self.regions.len(), "one sum per region");
        assert_eq!(values.len() % width.max(1), 0, "whole rows");
        let rows = values.len() / width.max(1);
        sums.par_iter_mut()
            .zip(self.regions.par_iter())
            .for_each(|(acc, mask)| {
                for r in row0..row0 + rows {
                    let runs = mask.runs(r);
                    if runs.is_empty() {
                        continue;
                    }
                    let w = weight(r);
                    let row = &values[(r - row0) * width..(r - row0 + 1) * width];
                    for run in runs {
                        let mut s = 0.0;
                        let mut n = 0usize;
                        for &v in &row[run.col..run.col + run.len] {
                            if v.is_nan() {
                                n += 1;
                            } else {
                                s += v;
                            }
                        }
                        acc.sum += run.fraction * w * s;
                        acc.coverage += run.fraction * (run.len - n) as f64;
                        acc.nodata_coverage += run.fraction * n as f64;
                    }
                }
            });
    }
}

/// The task name the CLI and the scenario runner give a zonal pass over a raster.
pub const ZONAL_TASK: &str = "zonal sums";

impl RegionMasks {
    /// Starts a streaming pass of `layers` layers over the whole grid, reported to `progress`
    /// as the task `task` with `grid.height × layers` steps (rows): every
    /// [`ZonalPass::accumulate`] advances it by the rows of its window. Dropping the pass
    /// finishes the task, so it finishes also when the caller's loop stops on an error.
    ///
    /// ```
    /// use fzc_core::{GeoTransform, GridCrs, NoProgress, RasterGrid, RegionId};
    /// use fzc_cssf_flow::zonal::{CoverageMode, RegionMasks, ZonalSum, ZONAL_TASK};
    /// use geo::{polygon, MultiPolygon};
    ///
    /// let grid = RasterGrid {
    ///     width: 4,
    ///     height: 4,
    ///     transform: GeoTransform { x0: 0.0, dx: 1.0, y0: 4.0, dy: -1.0 },
    ///     crs: GridCrs::WGS84,
    /// };
    /// let square = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
    /// let regions = [(RegionId::new("sw")?, MultiPolygon(vec![square]))];
    /// let masks = RegionMasks::build(&grid, &regions, CoverageMode::Exact)?;
    /// let mut sums = vec![ZonalSum::default()];
    /// let pass = masks.pass(ZONAL_TASK, 1, &NoProgress);
    /// for row0 in [0, 2] {
    ///     pass.accumulate(row0, &[1.0; 8], |_| 1.0, &mut sums); // two rows per window
    /// }
    /// drop(pass);
    /// assert_eq!(sums[0].sum, 4.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pass<'a>(
        &'a self,
        task: &str,
        layers: usize,
        progress: &'a dyn Progress,
    ) -> ZonalPass<'a> {
        progress.begin(
            task,
            (self.grid.height as u64).saturating_mul(layers as u64),
        );
        ZonalPass {
            masks: self,
            progress,
        }
    }
}

/// A streaming pass over a raster that reports its rows as progress; see
/// [`RegionMasks::pass`].
pub struct ZonalPass<'a> {
    masks: &'a RegionMasks,
    progress: &'a dyn Progress,
}

impl std::fmt::Debug for ZonalPass<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZonalPass")
            .field("regions", &self.masks.regions.len())
            .finish_non_exhaustive()
    }
}

impl ZonalPass<'_> {
    /// [`RegionMasks::accumulate`], then advances the task by the window's rows.
    ///
    /// # Panics
    /// As [`RegionMasks::accumulate`].
    pub fn accumulate(
        &self,
        row0: usize,
        values: &[f64],
        weight: impl Fn(usize) -> f64 + Sync,
        sums: &mut [ZonalSum],
    ) {
        self.masks.accumulate(row0, values, weight, sums);
        let rows = values.len() / self.masks.grid.width.max(1);
        self.progress.advance(rows as u64);
    }

    /// The masks this pass sums over.
    pub fn masks(&self) -> &RegionMasks {
        self.masks
    }
}

impl Drop for ZonalPass<'_> {
    fn drop(&mut self) {
        self.progress.finish();
    }
}

fn clip_to_grid(id: RegionId, raw: Vec<(i64, Vec<RawRun>)>, grid: &RasterGrid) -> RegionMask {
    let (w, h) = (grid.width as i64, grid.height as i64);
    let mut outside = 0.0;
    let mut covered = 0.0;
    let mut rows: Vec<(usize, Vec<Run>)> = Vec::new();
    for (r, runs) in raw {
        if r < 0 || r >= h {
            outside += runs.iter().map(|x| x.len as f64 * x.fraction).sum::<f64>();
            continue;
        }
        let mut kept = Vec::with_capacity(runs.len());
        for run in runs {
            let (a, b) = (run.col.max(0), (run.col + run.len).min(w));
            outside += (run.len - (b - a).max(0)) as f64 * run.fraction;
            if b > a {
                covered += (b - a) as f64 * run.fraction;
                kept.push(Run {
                    col: a as usize,
                    len: (b - a) as usize,
                    fraction: run.fraction,
                });
            }
        }
        if !kept.is_empty() {
            rows.push((r as usize, kept));
        }
    }
    let first_row = rows.first().map_or(0, |(r, _)| *r);
    let mut dense: Vec<Vec<Run>> = Vec::new();
    for (r, runs) in rows {
        dense.resize(r - first_row, Vec::new());
        dense.push(runs);
    }
    RegionMask {
        id,
        first_row,
        rows: dense,
        covered_cells: covered,
        outside_cells: outside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesic::ellipsoidal_area_km2;
    use crate::pixel_area::PixelAreas;
    use fzc_core::{GeoTransform, GridCrs};
    use geo::{LineString, Polygon};
    use proptest::prelude::*;

    /// A star-shaped polygon around (lon, lat) with `radii` at even bearings (degrees).
    fn star(lon: f64, lat: f64, radii: &[f64], rotation: f64) -> MultiPolygon<f64> {
        let n = radii.len();
        let pts: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = rotation + i as f64 * std::f64::consts::TAU / n as f64;
                (lon + r * a.cos(), lat + r * a.sin())
            })
            .collect();
        MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])])
    }

    /// Splits every edge into pieces no longer than `step` degrees, so that a geodesic
    /// polygon through the points follows the straight lon/lat edges the raster sees.
    fn densify(shape: &MultiPolygon<f64>, step: f64) -> MultiPolygon<f64> {
        let ring = |ls: &LineString<f64>| {
            let mut out = Vec::new();
            let mut pts = ls.0.clone();
            if pts.first() != pts.last() {
                pts.push(pts[0]);
            }
            for w in pts.windows(2) {
                let len = ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt();
                let k = (len / step).ceil().max(1.0) as usize;
                for j in 0..k {
                    let t = j as f64 / k as f64;
                    out.push(Coord {
                        x: w[0].x + t * (w[1].x - w[0].x),
                        y: w[0].y + t * (w[1].y - w[0].y),
                    });
                }
            }
            out.push(out[0]);
            LineString(out)
        };
        MultiPolygon(
            shape
                .0
                .iter()
                .map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect()))
                .collect(),
        )
    }

    fn grid_around(lon: f64, lat: f64, half: f64, res: f64) -> RasterGrid {
        let n = (2.0 * half / res).ceil() as usize + 2;
        RasterGrid {
            width: n,
            height: n,
            transform: GeoTransform {
                x0: lon - half - res,
                dx: res,
                y0: lat + half + res,
                dy: -res,
            },
            crs: GridCrs::WGS84,
        }
    }

    fn planar_area(shape: &MultiPolygon<f64>, t: &GeoTransform) -> f64 {
        use geo::Area;
        shape.unsigned_area() / (t.dx * t.dy).abs()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Coverage fractions lie in (0, 1] and sum to the polygon's area in cells.
        #[test]
        fn coverage_sums_to_the_planar_area(
            lon in 100.0..120.0f64, lat in -60.0..60.0f64,
            radii in proptest::collection::vec(0.05..0.6f64, 3..12),
            rotation in 0.0..6.3f64, res in 0.007..0.09f64,
        ) {
            let shape = star(lon, lat, &radii, rotation);
            let grid = grid_around(lon, lat, 0.6, res);
            let id = RegionId::new("p").unwrap();
            let masks = RegionMasks::build(&grid, &[(id, shape.clone())], CoverageMode::Exact).unwrap();
            let m = &masks.regions()[0];
            for row in &m.rows {
                for run in row {
                    prop_assert!(run.fraction > 0.0 && run.fraction <= 1.0, "{run:?}");
                }
            }
            let expected = planar_area(&shape, &grid.transform);
            prop_assert!(m.outside_cells == 0.0);
            prop_assert!((m.covered_cells - expected).abs() <= 1e-9 * expected.max(1.0),
                "{} vs {expected}", m.covered_cells);
        }

        /// The zonal sum of a constant raster of pixel areas equals the polygon's ellipsoidal
        /// area. Tolerance: partial cells assume the area is spread evenly over the cell,
        /// while it varies across a cell by about Δφ·tan φ (Δφ the pixel height in radians);
        /// so |error| ≤ boundary cells × pixel area × Δφ·(1 + tan|φ|), plus 1e-7 for the
        /// geodesic-vs-straight edges after densifying to 0.002°.
        #[test]
        fn constant_raster_sums_to_the_polygon_area(
            lon in 100.0..120.0f64, lat in -60.0..60.0f64,
            radii in proptest::collection::vec(0.05..0.6f64, 3..10),
            rotation in 0.0..6.3f64, res in 0.01..0.08f64,
        ) {
            let shape = star(lon, lat, &radii, rotation);
            let grid = grid_around(lon, lat, 0.6, res);
            let id = RegionId::new("p").unwrap();
            let masks = RegionMasks::build(&grid, &[(id, shape.clone())], CoverageMode::Exact).unwrap();
            let areas = PixelAreas::for_grid(&grid);
            let ones = vec![1.0; grid.len()];
            let mut sums = vec![ZonalSum::default()];
            // Two windows, to exercise streaming.
            let half = grid.height / 2;
            masks.accumulate(0, &ones[..half * grid.width], |r| areas.km2(r), &mut sums);
            masks.accumulate(half, &ones[half * grid.width..], |r| areas.km2(r), &mut sums);
            let want = ellipsoidal_area_km2(&densify(&shape, 0.002));
            let boundary: f64 = masks.regions()[0].rows.iter().flatten()
                .filter(|r| r.fraction < 1.0).map(|r| r.len as f64).sum();
            let dphi = res.to_radians();
            let tan = (lat.abs() + 0.7).to_radians().tan();
            let tol = boundary * areas.km2(grid.height / 2) * 1.1 * dphi * (1.0 + tan) + 1e-7 * want;
            prop_assert!((sums[0].sum - want).abs() <= tol,
                "zonal {} km² vs geodesic {want} km² (tol {tol})", sums[0].sum);
        }

        /// Pixel-centre masks never count a cell twice and stay within one boundary ring of
        /// the exact coverage.
        #[test]
        fn pixel_centre_is_close_to_exact(
            radii in proptest::collection::vec(0.1..0.6f64, 3..10), res in 0.01..0.05f64,
        ) {
            let shape = star(110.0, 30.0, &radii, 0.3);
            let grid = grid_around(110.0, 30.0, 0.6, res);
            let id = RegionId::new("p").unwrap();
            let exact = RegionMasks::build(&grid, &[(id.clone(), shape.clone())], CoverageMode::Exact).unwrap();
            let centre = RegionMasks::build(&grid, &[(id, shape)], CoverageMode::PixelCentre).unwrap();
            let boundary: f64 = exact.regions()[0].rows.iter().flatten()
                .filter(|r| r.fraction < 1.0).map(|r| r.len as f64).sum();
            let d = (exact.regions()[0].covered_cells - centre.regions()[0].covered_cells).abs();
            prop_assert!(d <= boundary, "{d} > {boundary}");
        }
    }

    #[test]
    fn a_region_half_off_the_raster_is_reported() {
        let grid = grid_around(110.0, 30.0, 0.5, 0.1);
        let shape = star(110.6, 30.0, &[0.3, 0.3, 0.3, 0.3], 0.0);
        let id = RegionId::new("edge").unwrap();
        let masks = RegionMasks::build(&grid, &[(id, shape)], CoverageMode::Exact).unwrap();
        assert!(masks.regions()[0].outside_share() > 0.1);
        let e = masks.require_covered(1e-9).unwrap_err().to_string();
        assert!(
            e.contains("`edge`") && e.contains("outside the raster"),
            "{e}"
        );
        let far = star(150.0, 30.0, &[0.3, 0.3, 0.3], 0.0);
        let e = RegionMasks::build(
            &grid,
            &[(RegionId::new("far").unwrap(), far)],
            CoverageMode::Exact,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`far`") && e.contains("entirely outside"), "{e}");
    }

    #[test]
    fn a_pass_reports_rows_of_all_layers_and_finishes_on_error() {
        use crate::recorder::{Recorder, Task};
        let grid = grid_around(110.0, 30.0, 0.5, 0.1);
        let id = RegionId::new("p").unwrap();
        let shape = star(110.0, 30.0, &[0.3, 0.3, 0.3, 0.3], 0.0);
        let masks = RegionMasks::build(&grid, &[(id, shape)], CoverageMode::Exact).unwrap();
        let ones = vec![1.0; grid.len()];
        // Two layers, windows of 3 rows (the last one shorter).
        let recorder = Recorder::default();
        let mut sums = vec![vec![ZonalSum::default()]; 2];
        {
            let pass = masks.pass(ZONAL_TASK, 2, &recorder);
            let mut row0 = 0;
            while row0 < grid.height {
                let rows = 3.min(grid.height - row0);
                let window = &ones[row0 * grid.width..(row0 + rows) * grid.width];
                for layer in &mut sums {
                    pass.accumulate(row0, window, |_| 1.0, layer);
                }
                row0 += rows;
            }
        }
        let total = 2 * grid.height as u64;
        assert_eq!(
            recorder.tasks(),
            [Task {
                name: ZONAL_TASK.into(),
                total,
                advanced: total,
                finished: true
            }]
        );
        let mut plain = vec![ZonalSum::default()];
        masks.accumulate(0, &ones, |_| 1.0, &mut plain);
        assert_eq!(sums[0], plain);
        // A caller whose reading fails half-way: the pass still finishes.
        let recorder = Recorder::default();
        let read = |row0: usize| -> Result<&[f64], String> {
            if row0 >= 4 {
                Err(format!("row {row0}: truncated strip"))
            } else {
                Ok(&ones[row0 * grid.width..(row0 + 2) * grid.width])
            }
        };
        let stream = || -> Result<(), String> {
            let pass = masks.pass("supply", 1, &recorder);
            let mut sums = vec![ZonalSum::default()];
            for row0 in (0..grid.height).step_by(2) {
                pass.accumulate(row0, read(row0)?, |_| 1.0, &mut sums);
            }
            Ok(())
        };
        assert!(stream().is_err());
        assert_eq!(
            recorder.tasks(),
            [Task {
                name: "supply".into(),
                total: grid.height as u64,
                advanced: 4,
                finished: true
            }]
        );
    }

    #[test]
    fn a_grid_of_tiny_pixels_is_refused_before_the_masks_are_built() {
        let grid = RasterGrid {
            width: 1_000_000_000,
            height: 1_000_000_000,
            transform: GeoTransform {
                x0: 0.0,
                dx: 1e-9,
                y0: 1.0,
                dy: -1e-9,
            },
            crs: GridCrs::WGS84,
        };
        let id = RegionId::new("province").unwrap();
        let square = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (0.1, 0.1),
                (0.9, 0.1),
                (0.9, 0.9),
                (0.1, 0.9),
                (0.1, 0.1),
            ]),
            vec![],
        )]);
        let err = RegionMasks::build_within(&grid, &[(id, square)], CoverageMode::Exact, 4 << 30)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("province")
                && err.contains("FZC_MEMORY_BUDGET")
                && err.contains("800000001 pixel rows"),
            "{err}"
        );
    }
}
