//! The CSSF layer's supply and demand from rasters and region polygons (METHOD.md 2.1–2.3).
//!
//! This is the raster pipeline behind `fzc cssf supply|demand|run` and a scenario's
//! `[cssf.rasters]`: read the regions, reproject them into the raster CRS, find the window
//! of the raster that holds them, build their coverage masks once, and stream the rasters
//! through them [`WINDOW_ROWS`] rows at a time (memory does not grow with the raster's
//! height).
//!
//! - Supply (Eq 11): land-use classes → InVEST carbon pools × pixel area
//!   ([`supply_per_region`]).
//! - Demand (Eq 12): population (a raster, or census totals spread over land use) × θ, with θ
//!   calibrated per region and zone to the region's emissions on a first pass
//!   ([`demand_per_region`]). A demand-estimator plugin may replace the built-in estimators.
//! - Both at once, plus CSSDR (Eq 13) per region and per pixel: [`RasterLayers`], which keeps
//!   what it needs to stream the pixels again and write `supply.tif`, `demand.tif`,
//!   `cssdr.tif` and the per-region CSVs, and to draw a [`CssdrPreview`] on a lon/lat grid.
//!
//! Nothing is printed: notes come back in the outcomes, progress goes to the caller's
//! [`Progress`].
//!
//! ```
//! use fzc_core::{GeoTransform, GridCrs, NoProgress, RasterGrid};
//! use fzc_cssf_flow::pixel_area::PixelAreas;
//! use fzc_scenario::rasters::{
//!     RegionsInput, SupplyInputs, SupplyUnit, UnmappedClasses, supply_per_region,
//! };
//!
//! let dir = tempfile::tempdir()?;
//! // A 2 × 2 land-use raster of class 1 in 0.01° pixels ...
//! let grid = RasterGrid {
//!     width: 2,
//!     height: 2,
//!     transform: GeoTransform { x0: 116.0, dx: 0.01, y0: 40.0, dy: -0.01 },
//!     crs: GridCrs::Geographic { epsg: 4326 },
//! };
//! let lulc = dir.path().join("lulc.tif");
//! let options = fzc_io::GeoTiffWriteOptions::default();
//! fzc_io::write_geotiff::<fzc_io::IoError>(&lulc, &grid, &options, |_, _, buf| {
//!     buf.fill(1.0);
//!     Ok(())
//! })?;
//! // ... 100 t C/ha in class 1, and a region over the raster's western column.
//! let pools = dir.path().join("pools.csv");
//! std::fs::write(&pools, "lucode,c_above,c_below,c_soil,c_dead\n1,10,5,80,5\n")?;
//! let region = dir.path().join("west.geojson");
//! std::fs::write(&region, r#"{"type": "FeatureCollection", "features": [{"type": "Feature",
//!   "properties": {"id": "west"}, "geometry": {"type": "Polygon", "coordinates":
//!   [[[116.0, 39.98], [116.01, 39.98], [116.01, 40.0], [116.0, 40.0], [116.0, 39.98]]]}}]}"#)?;
//!
//! let inputs = SupplyInputs {
//!     lulc,
//!     pools,
//!     lulc_map: None,
//!     unit: SupplyUnit::AsPaper,
//!     unmapped: UnmappedClasses::Error,
//!     raster_crs: None,
//! };
//! let regions = RegionsInput::new(&region, Some("id".to_owned()));
//! let supply = supply_per_region(&inputs, &regions, None, &NoProgress)?;
//! // Eq 11: 100 t C/ha times the two pixels' ellipsoidal areas.
//! let areas = PixelAreas::for_grid(&grid);
//! let expected = 100.0 * (areas.ha(0) + areas.ha(1));
//! assert_eq!(supply.regions[0].0.as_str(), "west");
//! assert!((supply.regions[0].1 - expected).abs() < 1e-9 * expected);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use fzc_core::{DemandEstimator, Progress, RasterGrid, RegionId};
use fzc_io::GeoTiffWriteOptions;

use crate::ScenarioError;
use crate::model::CssdrPreview;

mod demand;
mod grid;
mod preview;
mod supply;

pub use demand::{DemandInputs, DemandOutcome, demand_per_region};
pub use fzc_cssf_flow::zonal::CoverageMode;
pub use fzc_cssf_flow::{PopulationKind, SupplyUnit, UnmappedClasses};
pub use grid::{RegionsInput, RegionsOnGrid, regions_on_grid};
pub use supply::{SupplyInputs, SupplyOutcome, supply_per_region};

use demand::{DemandModel, DemandRasters, Estimator};
use supply::SupplyModel;

/// Rows read and written at a time (also the rows per strip of the GeoTIFFs written).
pub const WINDOW_ROWS: usize = 64;

/// The longest side of a [`CssdrPreview`], in cells.
pub const PREVIEW_MAX_SIDE: usize = 600;

/// Streams the rows of `window` [`WINDOW_ROWS`] at a time through `fill`, writing them to
/// the GeoTIFF `tif` when given. Reports the rows to `progress` as task `task`.
pub(crate) fn stream(
    window: &RasterGrid,
    tif: Option<&Path>,
    progress: &dyn Progress,
    task: &str,
    mut fill: impl FnMut(usize, usize, &mut [f64]) -> Result<(), ScenarioError>,
) -> Result<(), ScenarioError> {
    progress.begin(task, window.height as u64);
    let result = match tif {
        Some(path) => {
            let options = GeoTiffWriteOptions {
                rows_per_strip: WINDOW_ROWS,
                ..GeoTiffWriteOptions::default()
            };
            fzc_io::write_geotiff::<ScenarioError>(path, window, &options, |row0, rows, buf| {
                fill(row0, rows, buf)?;
                progress.advance(rows as u64);
                Ok(())
            })
        }
        None => {
            let mut buf = vec![0.0; WINDOW_ROWS * window.width];
            let mut row0 = 0;
            let mut result = Ok(());
            while row0 < window.height {
                let rows = WINDOW_ROWS.min(window.height - row0);
                if let Err(e) = fill(row0, rows, &mut buf[..rows * window.width]) {
                    result = Err(e);
                    break;
                }
                progress.advance(rows as u64);
                row0 += rows;
            }
            result
        }
    };
    progress.finish();
    result
}

/// Everything the raster pipeline reads: the regions, supply's inputs and demand's inputs.
/// Demand reads the same land-use raster as supply (set `demand.lulc` to `supply.lulc`; a
/// population raster must share its grid).
#[derive(Debug, Clone, PartialEq)]
pub struct RasterInputs {
    /// Region polygons and how cells are shared with them.
    pub regions: RegionsInput,
    /// Supply (Eq 11).
    pub supply: SupplyInputs,
    /// Demand (Eq 12).
    pub demand: DemandInputs,
}

/// Supply, demand and CSSDR of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBalance {
    /// The region.
    pub region: RegionId,
    /// Supply `S` (Eq 11), in the supply unit (t C as the paper, or t CO2).
    pub supply: f64,
    /// Demand `D` (Eq 12), t CO2.
    pub demand: f64,
    /// `(S − D) / (S + D)` (Eq 13), `None` where `S + D = 0`.
    pub cssdr: Option<f64>,
}

/// Supply per land-use class at unit density: `per_class[k][r]` is what region `r`
/// (in [`RasterLayers::regions`] order) would supply if class `classes[k]` had a total
/// density of 1 t C/ha and every other class 0. Supply is linear in the densities:
/// `S_r = Σ_k per_class[k][r] · C_k` (t C/ha), in the supply unit.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSupply {
    /// The pools table's land-use codes, sorted.
    pub classes: Vec<i64>,
    /// `[class][region]`.
    pub per_class: Vec<Vec<f64>>,
}

impl ClassSupply {
    /// Supply per region (in [`RasterLayers::regions`] order) for total densities
    /// `density(code)` (t C/ha), in the supply unit.
    pub fn supply(&self, density: impl Fn(i64) -> f64) -> Vec<f64> {
        let regions = self.per_class.first().map_or(0, Vec::len);
        let mut out = vec![0.0; regions];
        for (k, &code) in self.classes.iter().enumerate() {
            let c = density(code);
            for (o, a) in out.iter_mut().zip(&self.per_class[k]) {
                *o += a * c;
            }
        }
        out
    }
}

/// The raster pipeline run once: supply and demand per region, and what it takes to stream
/// the pixels again (the masks, the pools, the calibrated θ). Cheap to clone (shared).
#[derive(Clone)]
pub struct RasterLayers {
    inner: Arc<Inner>,
}

struct Inner {
    /// `A[k][r]` of [`RasterLayers::class_supply`], computed on first use.
    class_supply: std::sync::OnceLock<ClassSupply>,
    on: RegionsOnGrid,
    supply: SupplyModel,
    demand: DemandModel<'static>,
    regions: Vec<RegionBalance>,
    supply_outcome: SupplyOutcome,
    demand_outcome: DemandOutcome,
}

impl std::fmt::Debug for RasterLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RasterLayers")
            .field("window", &self.inner.on.window)
            .field("regions", &self.inner.regions)
            .finish_non_exhaustive()
    }
}

/// Two handles are equal when they share one run.
impl PartialEq for RasterLayers {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl RasterLayers {
    /// Runs supply (one pass over the rasters) and demand's calibration (one pass).
    /// `plugin`, when given, replaces the built-in demand estimator.
    ///
    /// # Errors
    /// As [`supply_per_region`] and [`demand_per_region`]; also when a population or mask
    /// raster is not on the land-use raster's grid.
    pub fn compute(
        inputs: &RasterInputs,
        plugin: Option<Arc<dyn DemandEstimator>>,
        progress: &dyn Progress,
    ) -> Result<Self, ScenarioError> {
        let mut demand_inputs = inputs.demand.clone();
        demand_inputs.lulc = Some(inputs.supply.lulc.clone());
        let rasters = DemandRasters::open(&demand_inputs)?;
        let lulc_grid =
            *fzc_io::GeoTiffReader::open_with_crs(&inputs.supply.lulc, inputs.supply.raster_crs)?
                .grid();
        // DemandRasters::open checked a population raster against the land-use raster.
        let on = regions_on_grid(&inputs.regions, &lulc_grid)?;
        let supply = SupplyModel::new(&inputs.supply)?;
        let supply_outcome = supply.pass(&on, None, progress)?;
        let (demand, demand_outcome) = DemandModel::calibrate(
            &demand_inputs,
            rasters,
            &on,
            plugin.map(Estimator::Owned),
            progress,
        )?;
        let regions = supply_outcome
            .regions
            .iter()
            .zip(&demand_outcome.regions)
            .map(|((id, s), (_, d))| RegionBalance {
                region: id.clone(),
                supply: *s,
                demand: *d,
                cssdr: fzc_cssf_flow::cssdr(*s, *d),
            })
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                class_supply: std::sync::OnceLock::new(),
                on,
                supply,
                demand,
                regions,
                supply_outcome,
                demand_outcome,
            }),
        })
    }

    /// Supply, demand and CSSDR per region, sorted by region.
    pub fn regions(&self) -> &[RegionBalance] {
        &self.inner.regions
    }

    /// The carbon pools per land-use class (after the class map), t C/ha.
    pub fn pools(&self) -> &std::collections::BTreeMap<i64, fzc_cssf_flow::CarbonPools> {
        &self.inner.supply.estimator.pools
    }

    /// Supply per land-use class and region at unit density (see [`ClassSupply`]): one more
    /// pass over the land-use raster the first time, kept for later calls.
    ///
    /// # Errors
    /// When the raster cannot be read again.
    pub fn class_supply(&self, progress: &dyn Progress) -> Result<&ClassSupply, ScenarioError> {
        if let Some(done) = self.inner.class_supply.get() {
            return Ok(done);
        }
        let (classes, per_class) = self.inner.supply.class_pass(&self.inner.on, progress)?;
        let computed = ClassSupply { classes, per_class };
        Ok(self.inner.class_supply.get_or_init(|| computed))
    }

    /// Supply's outcome (per region, pixel counts, notes).
    pub fn supply(&self) -> &SupplyOutcome {
        &self.inner.supply_outcome
    }

    /// Demand's outcome (per region, estimator name, notes).
    pub fn demand(&self) -> &DemandOutcome {
        &self.inner.demand_outcome
    }

    /// Every note of supply and demand, in that order.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.inner.supply_outcome.notes.clone();
        notes.extend(self.inner.demand_outcome.notes.iter().cloned());
        notes
    }

    /// The window of the rasters that holds the regions (the grid of the TIFs written).
    pub fn window(&self) -> &RasterGrid {
        &self.inner.on.window
    }

    /// The regions' lon/lat bounding box `(west, south, east, north)`, degrees.
    pub fn lonlat_bounds(&self) -> (f64, f64, f64, f64) {
        self.inner.on.lonlat_bounds
    }

    /// Writes `supply.tif` (Eq 11 per pixel, NaN → nodata).
    ///
    /// # Errors
    /// When a raster cannot be read or the file written.
    pub fn write_supply_tif(
        &self,
        path: &Path,
        progress: &dyn Progress,
    ) -> Result<(), ScenarioError> {
        let on = &self.inner.on;
        let mut rows = self.inner.supply.rows(on)?;
        stream(
            &on.window,
            Some(path),
            progress,
            "CSSF supply (Eq 11), writing supply.tif: raster rows",
            |row0, n, buf| rows.fill(row0, n, buf),
        )
    }

    /// Writes `demand.tif` (Eq 12 per pixel, t CO2; nodata outside the regions).
    ///
    /// # Errors
    /// When a raster cannot be read or the file written.
    pub fn write_demand_tif(
        &self,
        path: &Path,
        progress: &dyn Progress,
    ) -> Result<(), ScenarioError> {
        self.inner.demand.write_tif(&self.inner.on, path, progress)
    }

    /// Streams the per-pixel CSSDR (Eq 13): `each(row0, rows, values)` gets rows
    /// `row0 .. row0 + rows` of the window, NaN where the ratio is undefined (no supply or no
    /// demand: nodata, outside every region, or `S + D = 0`).
    fn cssdr_rows(
        &self,
        tif: Option<&Path>,
        progress: &dyn Progress,
        task: &str,
        mut each: impl FnMut(usize, usize, &[f64]),
    ) -> Result<(), ScenarioError> {
        let on = &self.inner.on;
        let mut supply_rows = self.inner.supply.rows(on)?;
        let mut demand_rows = self.inner.demand.rows(on)?;
        let mut supply = Vec::new();
        stream(&on.window, tif, progress, task, |row0, n, buf| {
            supply.resize(buf.len(), 0.0);
            supply_rows.fill(row0, n, &mut supply)?;
            demand_rows.fill(on, row0, n, buf)?;
            for (d, s) in buf.iter_mut().zip(&supply) {
                *d = fzc_cssf_flow::cssdr(*s, *d).unwrap_or(f64::NAN);
            }
            each(row0, n, buf);
            Ok(())
        })
    }

    /// Writes `cssdr.tif`: Eq 13 per pixel, nodata where it is undefined.
    ///
    /// # Errors
    /// When a raster cannot be read or the file written.
    pub fn write_cssdr_tif(
        &self,
        path: &Path,
        progress: &dyn Progress,
    ) -> Result<(), ScenarioError> {
        self.cssdr_rows(
            Some(path),
            progress,
            "CSSDR (Eq 13), writing cssdr.tif: raster rows",
            |_, _, _| {},
        )
    }

    /// The per-pixel CSSDR on a lon/lat grid whose longest side is at most `max_side` cells:
    /// the mean of the pixels in each cell for a lon/lat raster, the pixel under each cell's
    /// centre (nearest neighbour, by reprojecting the centre) for a projected one.
    ///
    /// # Errors
    /// When a raster cannot be read or a cell centre cannot be reprojected.
    pub fn preview(
        &self,
        max_side: usize,
        progress: &dyn Progress,
    ) -> Result<CssdrPreview, ScenarioError> {
        let on = &self.inner.on;
        let mut sampler = preview::Sampler::new(&on.window, on.lonlat_bounds, max_side.max(1))?;
        self.cssdr_rows(
            None,
            progress,
            "CSSDR (Eq 13), preview map: raster rows",
            |row0, n, values| sampler.add_rows(row0, n, values),
        )?;
        Ok(sampler.finish())
    }

    /// Writes `supply-regions.csv` (`region,supply`), `demand-regions.csv`
    /// (`region,demand`), `supply.tif`, `demand.tif` and `cssdr.tif` into `dir` (created if
    /// needed), each atomically.
    ///
    /// # Errors
    /// When a raster cannot be read or a file written.
    pub fn write_all(&self, dir: &Path, progress: &dyn Progress) -> Result<(), ScenarioError> {
        std::fs::create_dir_all(dir).map_err(|error| ScenarioError::Io {
            path: dir.to_owned(),
            error,
        })?;
        write_region_csv(
            &dir.join("supply-regions.csv"),
            "supply",
            &self.inner.supply_outcome.regions,
        )?;
        write_region_csv(
            &dir.join("demand-regions.csv"),
            "demand",
            &self.inner.demand_outcome.regions,
        )?;
        self.write_supply_tif(&dir.join("supply.tif"), progress)?;
        self.write_demand_tif(&dir.join("demand.tif"), progress)?;
        self.write_cssdr_tif(&dir.join("cssdr.tif"), progress)
    }
}

/// Writes `region,<column>` rows, sorted by region, atomically (the format of
/// `supply-regions.csv` and `demand-regions.csv`: shortest round-trip decimals, `-0` as `0`).
///
/// # Errors
/// [`ScenarioError::Io`] when the file cannot be written.
pub fn write_region_csv(
    path: &Path,
    column: &str,
    rows: &[(RegionId, f64)],
) -> Result<(), ScenarioError> {
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    fzc_io::write_atomically(path, |w| {
        writeln!(w, "region,{column}")?;
        for (id, v) in &rows {
            writeln!(w, "{id},{}", if *v == 0.0 { 0.0 } else { *v })?;
        }
        Ok(())
    })
    .map_err(|error| ScenarioError::Io {
        path: path.to_owned(),
        error,
    })
}
