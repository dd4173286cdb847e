//! Supply (Eq 11) per pixel and per region, streamed window by window.

use std::path::{Path, PathBuf};

use fzc_core::{GridCrs, Progress, RasterGrid, RegionId};
use fzc_cssf_flow::pixel_area::PixelAreas;
use fzc_cssf_flow::zonal::ZonalSum;
use fzc_cssf_flow::{InvestSupply, SupplyStats, SupplyUnit, UnmappedClasses, supply_pixels};
use fzc_io::GeoTiffReader;

use super::grid::{RegionsInput, RegionsOnGrid, WindowReader, regions_on_grid};
use super::stream;
use crate::ScenarioError;

/// The inputs of supply (Eq 11).
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyInputs {
    /// Land-use raster (GeoTIFF, integer class codes).
    pub lulc: PathBuf,
    /// Carbon pools, InVEST biophysical table `lucode,c_above,c_below,c_soil,c_dead` (t C/ha).
    pub pools: PathBuf,
    /// Optional class mapping `from_class,to_class` applied to the raster's codes first.
    pub lulc_map: Option<PathBuf>,
    /// Unit of supply: t C as the paper, or t CO2 (× 44/12).
    pub unit: SupplyUnit,
    /// What to do with land-use classes that have no pools.
    pub unmapped: UnmappedClasses,
    /// The CRS of rasters whose GeoKeys give none (user-defined or missing) or give a
    /// geographic code fzc does not know (`--raster-crs`, `[cssf.rasters] crs`).
    pub raster_crs: Option<GridCrs>,
}

/// Supply per region and what was skipped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyOutcome {
    /// `(region, supply)`, sorted by region; supply in the unit of [`SupplyInputs::unit`].
    pub regions: Vec<(RegionId, f64)>,
    /// Counts of valid, nodata and unmapped pixels in the window.
    pub stats: SupplyStats,
    /// The window of the land-use raster that was read.
    pub window: RasterGrid,
    /// Notes for the user (nodata shares per region, skipped classes).
    pub notes: Vec<String>,
}

/// The supply model, ready to stream: the estimator and the land-use raster's path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SupplyModel {
    pub(crate) estimator: InvestSupply,
    pub(crate) lulc: PathBuf,
    pub(crate) policy: UnmappedClasses,
    pub(crate) raster_crs: Option<GridCrs>,
}

impl SupplyModel {
    /// Reads the pools and class map.
    pub(crate) fn new(inputs: &SupplyInputs) -> Result<Self, ScenarioError> {
        Ok(Self {
            estimator: InvestSupply {
                pools: fzc_io::read_carbon_pools(&inputs.pools)?,
                class_map: inputs
                    .lulc_map
                    .as_deref()
                    .map(fzc_io::read_class_map)
                    .transpose()?,
                unit: inputs.unit,
            },
            lulc: inputs.lulc.clone(),
            policy: inputs.unmapped,
            raster_crs: inputs.raster_crs,
        })
    }

    /// A row streamer over the window of `on`.
    pub(crate) fn rows<'a>(&'a self, on: &RegionsOnGrid) -> Result<SupplyRows<'a>, ScenarioError> {
        Ok(SupplyRows {
            model: self,
            reader: WindowReader::open(&self.lulc, on, self.raster_crs)?,
            areas: PixelAreas::for_grid(&on.window),
            width: on.window.width,
            classes: Vec::new(),
            stats: SupplyStats::default(),
        })
    }

    /// One pass over the window: per-region sums, and `supply.tif` when `tif` is given (removed
    /// again when the unmapped-class policy refuses the raster).
    pub(crate) fn pass(
        &self,
        on: &RegionsOnGrid,
        tif: Option<&Path>,
        progress: &dyn Progress,
    ) -> Result<SupplyOutcome, ScenarioError> {
        let mut rows = self.rows(on)?;
        let mut sums = vec![ZonalSum::default(); on.ids.len()];
        stream(
            &on.window,
            tif,
            progress,
            "CSSF supply (Eq 11), raster rows",
            |row0, n, buf| {
                rows.fill(row0, n, buf)?;
                on.masks.accumulate(row0, buf, |_| 1.0, &mut sums);
                Ok(())
            },
        )?;
        let stats = rows.stats;
        if let Err(e) = stats.check(self.policy) {
            if let Some(tif) = tif {
                let _ = std::fs::remove_file(tif);
            }
            return Err(ScenarioError::Layer {
                path: self.lulc.clone(),
                what: "computing CSSF supply (Eq 11)",
                message: e.to_string(),
            });
        }
        let mut notes = Vec::new();
        if !stats.unmapped.is_empty() {
            notes.push(format!(
                "{}: skipped pixels of classes without pools: {:?}",
                self.lulc.display(),
                stats.unmapped
            ));
        }
        let mut regions = Vec::with_capacity(sums.len());
        for (id, s) in on.ids.iter().zip(&sums) {
            if s.coverage <= 0.0 {
                return Err(ScenarioError::Layer {
                    path: self.lulc.clone(),
                    what: "computing CSSF supply (Eq 11)",
                    message: format!(
                        "region `{id}`: every cell inside it is nodata or has no pools; \
                         expected land-use data over the region"
                    ),
                });
            }
            if !s.sum.is_finite() {
                if let Some(tif) = tif {
                    let _ = std::fs::remove_file(tif);
                }
                return Err(ScenarioError::Layer {
                    path: self.lulc.clone(),
                    what: "computing CSSF supply (Eq 11)",
                    message: format!(
                        "region `{id}`: the supply sums to {} (the carbon densities times the \
                         pixel areas overflow a 64-bit float); expected densities in t C/ha of \
                         a realistic size",
                        s.sum
                    ),
                });
            }
            if s.nodata_coverage > 0.0 {
                let share = s.nodata_coverage / (s.coverage + s.nodata_coverage);
                notes.push(format!(
                    "region `{id}`: {:.3} % of its cells are nodata or unmapped and contribute \
                     nothing",
                    share * 100.0
                ));
            }
            regions.push((id.clone(), s.sum));
        }
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(SupplyOutcome {
            regions,
            stats,
            window: on.window,
            notes,
        })
    }
}

impl SupplyModel {
    /// One pass over the window giving, per land-use class `k` of the pools table (sorted by
    /// code) and region `r`, the supply region `r` would have if class `k` had a total
    /// density of 1 t C/ha and every other class 0: `A[k][r]`, in the supply unit per
    /// (t C/ha). Supply is linear in the densities, so `S_r = Σ_k A[k][r] · C_k` for any
    /// densities `C_k` (the uncertainty parameter `pools.*`). The raster is read once; each
    /// class costs its per-pixel supply and zonal sum.
    pub(crate) fn class_pass(
        &self,
        on: &RegionsOnGrid,
        progress: &dyn Progress,
    ) -> Result<(Vec<i64>, Vec<Vec<f64>>), ScenarioError> {
        let classes: Vec<i64> = self.estimator.pools.keys().copied().collect();
        let unit_estimators: Vec<InvestSupply> = classes
            .iter()
            .map(|&c| InvestSupply {
                pools: std::collections::BTreeMap::from([(
                    c,
                    fzc_cssf_flow::CarbonPools {
                        c_above: 1.0,
                        ..fzc_cssf_flow::CarbonPools::default()
                    },
                )]),
                class_map: self.estimator.class_map.clone(),
                unit: self.estimator.unit,
            })
            .collect();
        let mut reader = WindowReader::open(&self.lulc, on, self.raster_crs)?;
        let areas = PixelAreas::for_grid(&on.window);
        let width = on.window.width;
        let mut codes = Vec::new();
        let mut sums = vec![vec![ZonalSum::default(); on.ids.len()]; classes.len()];
        stream(
            &on.window,
            None,
            progress,
            "CSSF supply per land-use class, raster rows",
            |row0, n, buf| {
                reader.read_classes(row0, n, &mut codes)?;
                for (estimator, sums) in unit_estimators.iter().zip(sums.iter_mut()) {
                    let mut stats = SupplyStats::default();
                    supply_pixels(
                        estimator,
                        row0,
                        width,
                        &codes,
                        |r| areas.ha(r),
                        buf,
                        &mut stats,
                    );
                    on.masks.accumulate(row0, buf, |_| 1.0, sums);
                }
                Ok(())
            },
        )?;
        let per_class = sums
            .into_iter()
            .map(|s| s.into_iter().map(|z| z.sum).collect())
            .collect();
        Ok((classes, per_class))
    }
}

/// Supply rows of a window, in order.
pub(crate) struct SupplyRows<'a> {
    model: &'a SupplyModel,
    reader: WindowReader,
    areas: PixelAreas,
    width: usize,
    classes: Vec<f64>,
    pub(crate) stats: SupplyStats,
}

impl SupplyRows<'_> {
    /// Fills `buf` with the supply of window rows `row0 .. row0 + rows` (NaN: nodata or no
    /// pools).
    pub(crate) fn fill(
        &mut self,
        row0: usize,
        rows: usize,
        buf: &mut [f64],
    ) -> Result<(), ScenarioError> {
        self.reader.read_classes(row0, rows, &mut self.classes)?;
        let areas = &self.areas;
        supply_pixels(
            &self.model.estimator,
            row0,
            self.width,
            &self.classes,
            |r| areas.ha(r),
            buf,
            &mut self.stats,
        );
        Ok(())
    }
}

/// Supply per region from a land-use raster (Eq 11), and `supply.tif` when `tif` is given.
///
/// # Units
/// Supply in t C (`SupplyUnit::AsPaper`) or t CO2 (`SupplyUnit::Co2`).
///
/// # Errors
/// [`ScenarioError::Input`] for an unreadable raster, pools or class-map table;
/// [`ScenarioError::Layer`] for regions off the raster, classes without pools (with
/// `UnmappedClasses::Error`; no `supply.tif` is left behind) or a region with no land-use data.
pub fn supply_per_region(
    inputs: &SupplyInputs,
    regions: &RegionsInput,
    tif: Option<&Path>,
    progress: &dyn Progress,
) -> Result<SupplyOutcome, ScenarioError> {
    let grid = *GeoTiffReader::open_with_crs(&inputs.lulc, inputs.raster_crs)?.grid();
    let on = regions_on_grid(regions, &grid)?;
    let model = SupplyModel::new(inputs)?;
    model.pass(&on, tif, progress)
}
