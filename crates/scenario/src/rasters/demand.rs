//! Demand (Eq 12) per pixel and per region: θ calibrated per region on a first pass, the
//! per-pixel demand on a second, both streamed window by window.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fzc_core::{
    DemandEstimator, DemandPixel, DemandZone, GridCrs, MassUnit, PopulationScaling, Progress,
    RegionId,
};
use fzc_cssf_flow::pixel_area::PixelAreas;
use fzc_cssf_flow::zonal::ZonalSum;
use fzc_cssf_flow::{
    Dasymetric, PopulationKind, PopulationRaster, Theta, ZonePopulation, ZoneRule, calibrate_theta,
};
use fzc_io::GeoTiffReader;

use super::grid::{RegionsInput, RegionsOnGrid, WindowReader, open_same_grid, regions_on_grid};
use super::{WINDOW_ROWS, stream};
use crate::ScenarioError;

/// The inputs of demand (Eq 12).
///
/// Population comes from `population` (a raster of counts or densities), or, without one,
/// from `census` totals spread over `lulc` classes by `class_weights` (dasymetric). A
/// demand-estimator plugin, when the caller passes one, replaces both; θ is still calibrated
/// per region to `emissions`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandInputs {
    /// Emissions per region: `region,emissions[,agricultural_emissions][,urban_share]`.
    pub emissions: PathBuf,
    /// Mass unit of the emissions table.
    pub emissions_unit: MassUnit,
    /// Population raster (GeoTIFF), if any.
    pub population: Option<PathBuf>,
    /// What the population raster holds.
    pub population_kind: PopulationKind,
    /// Census totals `region,population`, spread over land use.
    pub census: Option<PathBuf>,
    /// Relative population density per land-use class, `class,weight` (dasymetric).
    pub class_weights: Option<PathBuf>,
    /// Land-use raster, for the agricultural zone (and urban classes without a mask).
    pub lulc: Option<PathBuf>,
    /// Optional class mapping `from_class,to_class` applied to the land-use codes first.
    pub lulc_map: Option<PathBuf>,
    /// Land-use classes (after mapping) that are agricultural land.
    pub agri_classes: BTreeSet<i64>,
    /// Land-use classes (after mapping) that are urban when there is no urban mask.
    pub urban_classes: BTreeSet<i64>,
    /// Urban mask raster (non-zero = urban), e.g. urban lighting zones.
    pub urban_mask: Option<PathBuf>,
    /// The CRS of rasters whose GeoKeys give none (user-defined or missing) or give a
    /// geographic code fzc does not know (`--raster-crs`, `[cssf.rasters] crs`).
    pub raster_crs: Option<GridCrs>,
}

/// Demand per region and the calibration notes.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandOutcome {
    /// `(region, demand)` sorted by region, t CO2.
    pub regions: Vec<(RegionId, f64)>,
    /// The estimator's name (`population-raster`, `dasymetric`, or the plugin's).
    pub estimator: String,
    /// Notes for the user (emissions moved between θ zones).
    pub notes: Vec<String>,
}

/// The estimator: built in (owned) or the caller's plugin.
#[derive(Clone)]
pub(crate) enum Estimator<'a> {
    Owned(Arc<dyn DemandEstimator>),
    Borrowed(&'a dyn DemandEstimator),
}

impl Estimator<'_> {
    fn get(&self) -> &dyn DemandEstimator {
        match self {
            Estimator::Owned(e) => e.as_ref(),
            Estimator::Borrowed(e) => *e,
        }
    }
}

/// The demand model after calibration: everything needed to stream demand pixels again.
#[derive(Clone)]
pub(crate) struct DemandModel<'a> {
    estimator: Estimator<'a>,
    population: Option<PathBuf>,
    lulc: Option<PathBuf>,
    urban: Option<PathBuf>,
    class_map: Option<BTreeMap<i64, i64>>,
    raster_crs: Option<GridCrs>,
    /// Per region (mask order): θ and the scale of weights to persons.
    thetas: Vec<(Theta, f64)>,
}

impl std::fmt::Debug for DemandModel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemandModel")
            .field("estimator", &self.estimator.get().name())
            .field("population", &self.population)
            .field("lulc", &self.lulc)
            .field("urban", &self.urban)
            .field("thetas", &self.thetas)
            .finish_non_exhaustive()
    }
}

/// The rasters demand reads, opened and checked against each other. The reference grid is
/// the population raster's, else the land-use raster's.
pub(crate) struct DemandRasters {
    /// The reference grid.
    pub(crate) grid: fzc_core::RasterGrid,
    pub(crate) population: Option<GeoTiffReader>,
    pub(crate) lulc: Option<GeoTiffReader>,
    pub(crate) urban: Option<GeoTiffReader>,
}

impl DemandRasters {
    pub(crate) fn open(inputs: &DemandInputs) -> Result<Self, ScenarioError> {
        let population = inputs
            .population
            .as_deref()
            .map(|p| GeoTiffReader::open_with_crs(p, inputs.raster_crs))
            .transpose()?;
        let lulc = inputs
            .lulc
            .as_deref()
            .map(|p| GeoTiffReader::open_with_crs(p, inputs.raster_crs))
            .transpose()?;
        if let (Some(p), Some(l)) = (&population, &lulc) {
            fzc_io::check_same_grid(l, p)?;
        }
        let reference = match (&population, &lulc) {
            (Some(p), _) => p,
            (None, Some(l)) => l,
            (None, None) => {
                return Err(ScenarioError::Layer {
                    path: inputs.emissions.clone(),
                    what: "computing CSSF demand (Eq 12)",
                    message: "no population raster and no land-use raster; give a population \
                              raster, or census totals with a land-use raster and class weights"
                        .to_owned(),
                });
            }
        };
        let urban = match &inputs.urban_mask {
            Some(path) => Some(open_same_grid(path, reference, inputs.raster_crs)?),
            None => None,
        };
        Ok(Self {
            grid: *reference.grid(),
            population,
            lulc,
            urban,
        })
    }
}

/// The built-in estimator the inputs ask for.
fn builtin_estimator(inputs: &DemandInputs) -> Result<Arc<dyn DemandEstimator>, ScenarioError> {
    let zones = ZoneRule {
        agricultural_classes: inputs.agri_classes.clone(),
        urban_classes: inputs.urban_classes.clone(),
    };
    if inputs.population.is_some() {
        return Ok(Arc::new(PopulationRaster {
            kind: inputs.population_kind,
            zones,
        }));
    }
    let Some(weights) = &inputs.class_weights else {
        return Err(ScenarioError::Layer {
            path: inputs
                .census
                .clone()
                .unwrap_or_else(|| inputs.emissions.clone()),
            what: "computing CSSF demand (Eq 12)",
            message: "class weights are required with census totals (or give a demand-estimator \
                      plugin)"
                .to_owned(),
        });
    };
    Ok(Arc::new(Dasymetric {
        class_weights: fzc_io::read_class_weights(weights)?,
        zones,
    }))
}

/// Demand pixels of a window, read from the rasters together.
pub(crate) struct DemandRows<'m, 'a> {
    model: &'m DemandModel<'a>,
    population: Option<WindowReader>,
    lulc: Option<WindowReader>,
    urban: Option<WindowReader>,
    areas: PixelAreas,
    width: usize,
    pixels: Vec<DemandPixel>,
    /// The estimator's `(population, zone)` of each of `pixels`.
    estimates: Vec<(Option<f64>, DemandZone)>,
    covered: Vec<bool>,
}

impl DemandRows<'_, '_> {
    /// Pixels of window rows `row0 .. row0 + rows` into `self.pixels`.
    fn read_pixels(&mut self, row0: usize, rows: usize) -> Result<(), ScenarioError> {
        let n = rows * self.width;
        let read = |r: &mut Option<WindowReader>, kind: u8| -> Result<Vec<f64>, ScenarioError> {
            let mut v = Vec::new();
            match r {
                Some(reader) if kind == 1 => reader.read_nonnegative(row0, rows, &mut v)?,
                Some(reader) if kind == 2 => reader.read_classes(row0, rows, &mut v)?,
                Some(reader) => reader.read(row0, rows, &mut v)?,
                None => v.resize(n, f64::NAN),
            }
            Ok(v)
        };
        let pop = read(&mut self.population, 1)?;
        let mut lulc = read(&mut self.lulc, 2)?;
        let urban = read(&mut self.urban, 0)?;
        if let Some(map) = &self.model.class_map {
            for c in &mut lulc {
                if !c.is_nan() {
                    *c = map.get(&(*c as i64)).map_or(f64::NAN, |&m| m as f64);
                }
            }
        }
        let width = self.width;
        let areas = &self.areas;
        self.pixels.clear();
        self.pixels.extend((0..n).map(|i| DemandPixel {
            population: pop[i],
            land_class: lulc[i],
            urban: urban[i],
            area_km2: areas.km2(row0 + i / width),
        }));
        // The estimator's population and zone of the window, in one call.
        let estimator = self.model.estimator.get();
        estimator
            .estimate(&self.pixels, &mut self.estimates)
            .map_err(|message| ScenarioError::Layer {
                path: PathBuf::from(format!("demand estimator {:?}", estimator.name())),
                what: "computing CSSF demand (Eq 12)",
                message,
            })?;
        if self.estimates.len() != self.pixels.len() {
            return Err(ScenarioError::Layer {
                path: PathBuf::from(format!("demand estimator {:?}", estimator.name())),
                what: "computing CSSF demand (Eq 12)",
                message: format!(
                    "estimate gave {} values for {} pixels",
                    self.estimates.len(),
                    self.pixels.len()
                ),
            });
        }
        Ok(())
    }

    /// Fills `buf` with `D(p) = Σ_regions coverage · scale · P(p) · θ_zone(p)` for window rows
    /// `row0 .. row0 + rows` (NaN outside every region or without data), t CO2.
    pub(crate) fn fill(
        &mut self,
        on: &RegionsOnGrid,
        row0: usize,
        rows: usize,
        buf: &mut [f64],
    ) -> Result<(), ScenarioError> {
        self.read_pixels(row0, rows)?;
        buf.fill(0.0);
        self.covered.clear();
        self.covered.resize(buf.len(), false);
        for (mask, (theta, scale)) in on.masks.regions().iter().zip(&self.model.thetas) {
            for r in row0..row0 + rows {
                for run in mask.runs(r) {
                    for c in run.col..run.col + run.len {
                        let i = (r - row0) * self.width + c;
                        if let (Some(p), zone) = self.estimates[i] {
                            buf[i] += run.fraction * scale * p * theta.of(zone);
                            self.covered[i] = true;
                        }
                    }
                }
            }
        }
        for (v, c) in buf.iter_mut().zip(&self.covered) {
            if !c {
                *v = f64::NAN;
            }
        }
        Ok(())
    }
}

impl<'a> DemandModel<'a> {
    /// Reads the tables and calibrates θ per region on a first pass over the rasters.
    pub(crate) fn calibrate(
        inputs: &DemandInputs,
        rasters: DemandRasters,
        on: &RegionsOnGrid,
        plugin: Option<Estimator<'a>>,
        progress: &dyn Progress,
    ) -> Result<(Self, DemandOutcome), ScenarioError> {
        let estimator = match plugin {
            Some(e) => e,
            None => Estimator::Owned(builtin_estimator(inputs)?),
        };
        let emissions = fzc_io::read_region_emissions(&inputs.emissions, inputs.emissions_unit)?;
        let census = match &inputs.census {
            Some(p) => Some(fzc_io::read_census(p)?),
            None => None,
        };
        let layer = |path: &Path, message: String| ScenarioError::Layer {
            path: path.to_owned(),
            what: "computing CSSF demand (Eq 12)",
            message,
        };
        for (id, _) in &emissions {
            if !on.ids.contains(id) {
                return Err(layer(
                    &inputs.emissions,
                    format!("region `{id}` has emissions but no polygon"),
                ));
            }
        }
        let mut model = DemandModel {
            estimator,
            population: inputs.population.clone(),
            lulc: inputs.lulc.clone(),
            urban: inputs.urban_mask.clone(),
            class_map: inputs
                .lulc_map
                .as_deref()
                .map(fzc_io::read_class_map)
                .transpose()?,
            raster_crs: inputs.raster_crs,
            thetas: Vec::new(),
        };
        let sums = {
            let mut rows = model.rows_from(rasters, on);
            // Pass 1: population (or weight) per region and zone.
            let zone_list = [
                DemandZone::Agricultural,
                DemandZone::Urban,
                DemandZone::Rural,
            ];
            let width = on.window.width;
            let mut sums = vec![vec![ZonalSum::default(); on.ids.len()]; 3];
            let mut layer_buf = vec![0.0; WINDOW_ROWS * width];
            progress.begin(
                "CSSF demand (Eq 12), calibrating θ: raster rows",
                on.window.height as u64,
            );
            let mut row0 = 0;
            while row0 < on.window.height {
                let n = WINDOW_ROWS.min(on.window.height - row0);
                if let Err(e) = rows.read_pixels(row0, n) {
                    progress.finish();
                    return Err(e);
                }
                for (z, zone) in zone_list.iter().enumerate() {
                    let values = &mut layer_buf[..n * width];
                    for (v, estimate) in values.iter_mut().zip(&rows.estimates) {
                        *v = match *estimate {
                            (None, _) => f64::NAN,
                            (Some(p), z) if z == *zone => p,
                            (Some(_), _) => 0.0,
                        };
                    }
                    on.masks.accumulate(row0, values, |_| 1.0, &mut sums[z]);
                }
                progress.advance(n as u64);
                row0 += n;
            }
            progress.finish();
            sums
        };

        // Calibration: θ per region, and the scale of weights to persons.
        let estimator = model.estimator.get();
        let mut thetas: Vec<(Theta, f64)> = Vec::with_capacity(on.ids.len());
        let mut regions = Vec::with_capacity(on.ids.len());
        let mut notes = Vec::new();
        for (i, id) in on.ids.iter().enumerate() {
            let em = emissions
                .iter()
                .find(|(r, _)| r == id)
                .map(|(_, e)| *e)
                .ok_or_else(|| {
                    layer(
                        &inputs.emissions,
                        format!("no emissions for region `{id}` (every region needs a row)"),
                    )
                })?;
            let weights = ZonePopulation {
                agricultural: sums[0][i].sum,
                urban: sums[1][i].sum,
                rural: sums[2][i].sum,
            };
            if sums[0][i].coverage <= 0.0 {
                return Err(layer(
                    inputs
                        .population
                        .as_deref()
                        .or(inputs.lulc.as_deref())
                        .unwrap_or(&inputs.emissions),
                    format!(
                        "region `{id}`: every cell inside it is nodata in the population/land-use \
                         layer(s); expected data over the region"
                    ),
                ));
            }
            let scale = match estimator.scaling() {
                PopulationScaling::AsIs => 1.0,
                PopulationScaling::ToRegionTotal => {
                    let Some(census) = census.as_ref() else {
                        return Err(layer(
                            &inputs.emissions,
                            format!(
                                "the {} estimator spreads census totals: census totals are \
                                 required",
                                estimator.name()
                            ),
                        ));
                    };
                    let census_path = inputs.census.as_deref().unwrap_or(&inputs.emissions);
                    let total = census
                        .iter()
                        .find(|(r, _)| r == id)
                        .map(|(_, p)| *p)
                        .ok_or_else(|| {
                            layer(
                                census_path,
                                format!("no census population for region `{id}`"),
                            )
                        })?;
                    if weights.total() <= 0.0 {
                        return Err(layer(
                            census_path,
                            format!(
                                "region `{id}`: no land-use class with a weight inside it; \
                                 cannot spread its census population"
                            ),
                        ));
                    }
                    total / weights.total()
                }
            };
            let pop = weights.scaled(scale);
            let (theta, region_notes) = calibrate_theta(id, &em, &pop)
                .map_err(|e| layer(&inputs.emissions, e.to_string()))?;
            notes.extend(region_notes);
            regions.push((id.clone(), theta.demand_t(&pop)));
            thetas.push((theta, scale));
        }
        regions.sort_by(|a, b| a.0.cmp(&b.0));
        model.thetas = thetas;
        let outcome = DemandOutcome {
            regions,
            estimator: estimator.name().to_owned(),
            notes,
        };
        Ok((model, outcome))
    }

    /// A row streamer over already opened rasters.
    fn rows_from<'m>(&'m self, rasters: DemandRasters, on: &RegionsOnGrid) -> DemandRows<'m, 'a> {
        DemandRows {
            model: self,
            population: rasters.population.map(|r| WindowReader::new(r, on)),
            lulc: rasters.lulc.map(|r| WindowReader::new(r, on)),
            urban: rasters.urban.map(|r| WindowReader::new(r, on)),
            areas: PixelAreas::for_grid(&on.window),
            width: on.window.width,
            pixels: Vec::new(),
            estimates: Vec::new(),
            covered: Vec::new(),
        }
    }

    /// A row streamer that opens the rasters again.
    pub(crate) fn rows<'m>(
        &'m self,
        on: &RegionsOnGrid,
    ) -> Result<DemandRows<'m, 'a>, ScenarioError> {
        let open = |p: &Option<PathBuf>| -> Result<Option<WindowReader>, ScenarioError> {
            p.as_deref()
                .map(|p| WindowReader::open(p, on, self.raster_crs))
                .transpose()
        };
        Ok(DemandRows {
            model: self,
            population: open(&self.population)?,
            lulc: open(&self.lulc)?,
            urban: open(&self.urban)?,
            areas: PixelAreas::for_grid(&on.window),
            width: on.window.width,
            pixels: Vec::new(),
            estimates: Vec::new(),
            covered: Vec::new(),
        })
    }

    /// Writes `demand.tif` (pass 2).
    pub(crate) fn write_tif(
        &self,
        on: &RegionsOnGrid,
        tif: &Path,
        progress: &dyn Progress,
    ) -> Result<(), ScenarioError> {
        let mut rows = self.rows(on)?;
        stream(
            &on.window,
            Some(tif),
            progress,
            "CSSF demand (Eq 12), writing demand.tif: raster rows",
            |row0, n, buf| rows.fill(on, row0, n, buf),
        )
    }
}

/// Demand per region (Eq 12), θ calibrated to each region's emissions, and `demand.tif` when
/// `tif` is given. `plugin`, when given, replaces the built-in estimator (population raster
/// or dasymetric census spread).
///
/// # Units
/// Demand in t CO2 (the emissions are converted from their [`MassUnit`]).
///
/// # Errors
/// [`ScenarioError::Input`] for unreadable rasters or tables and rasters on different grids;
/// [`ScenarioError::Layer`] for regions off the raster, emissions of a region without a
/// polygon, a region without emissions, census or data, or emissions θ cannot be calibrated to.
pub fn demand_per_region(
    inputs: &DemandInputs,
    regions: &RegionsInput,
    plugin: Option<&dyn DemandEstimator>,
    tif: Option<&Path>,
    progress: &dyn Progress,
) -> Result<DemandOutcome, ScenarioError> {
    let rasters = DemandRasters::open(inputs)?;
    let grid = rasters.grid;
    let on = regions_on_grid(regions, &grid)?;
    let (model, outcome) = DemandModel::calibrate(
        inputs,
        rasters,
        &on,
        plugin.map(Estimator::Borrowed),
        progress,
    )?;
    if let Some(tif) = tif {
        model.write_tif(&on, tif, progress)?;
    }
    Ok(outcome)
}
