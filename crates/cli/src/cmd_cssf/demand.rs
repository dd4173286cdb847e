//! `fzc cssf demand`: carbon sequestration service demand (Eq 12) per pixel and per region.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use fzc_core::{DemandEstimator, DemandPixel, DemandZone, MassUnit, PopulationScaling, RegionId};
use fzc_cssf_flow::pixel_area::PixelAreas;
use fzc_cssf_flow::zonal::ZonalSum;
use fzc_cssf_flow::{
    Dasymetric, PopulationKind, PopulationRaster, RegionEmissions, Theta, ZonePopulation, ZoneRule,
    calibrate_theta,
};
use fzc_io::{GeoTiffReader, GeoTiffWriteOptions};

use super::raster_regions::{
    CoverageArg, open_same_grid, out_file, read_window, regions_on_grid, write_region_csv,
};

/// Arguments of `fzc cssf demand`.
///
/// Population comes from `--population` (a raster of counts or densities), or, without one,
/// from `--census` totals spread over `--lulc` classes by `--class-weights` (dasymetric).
#[derive(Debug, Args)]
pub struct DemandArgs {
    /// Region polygons (GeoJSON file or folder, WGS84 lon/lat).
    #[arg(long)]
    pub(super) regions: PathBuf,
    /// The feature property holding the region id.
    #[arg(long)]
    pub(super) id_field: Option<String>,
    /// Emissions per region: `region,emissions[,agricultural_emissions][,urban_share]`.
    #[arg(long)]
    pub(super) emissions: PathBuf,
    /// Mass unit of the emissions table (t, kt, 10^4 t, Mt, ...).
    #[arg(long, default_value = "t")]
    pub(super) emissions_unit: String,
    /// Population raster (GeoTIFF).
    #[arg(long, conflicts_with = "census")]
    pub(super) population: Option<PathBuf>,
    /// What the population raster holds.
    #[arg(long, value_enum, default_value_t = PopulationKindArg::Count)]
    pub(super) population_kind: PopulationKindArg,
    /// Census totals `region,population`, spread over land use (needs --lulc and --class-weights).
    #[arg(long, requires = "lulc")]
    pub(super) census: Option<PathBuf>,
    /// Relative population density per land-use class, `class,weight` (dasymetric estimator).
    #[arg(long)]
    pub(super) class_weights: Option<PathBuf>,
    /// Land-use raster, for the agricultural zone (and urban classes without a mask).
    #[arg(long)]
    pub(super) lulc: Option<PathBuf>,
    /// Optional class mapping `from_class,to_class` applied to the land-use codes first.
    #[arg(long)]
    pub(super) lulc_map: Option<PathBuf>,
    /// Land-use classes (after mapping) that are agricultural land.
    #[arg(long, value_delimiter = ',', default_value = "1")]
    pub(super) agri_classes: Vec<i64>,
    /// Land-use classes (after mapping) that are urban when there is no urban mask.
    #[arg(long, value_delimiter = ',', default_value = "5")]
    pub(super) urban_classes: Vec<i64>,
    /// Urban mask raster (non-zero = urban), e.g. urban lighting zones.
    #[arg(long)]
    pub(super) urban_mask: Option<PathBuf>,
    /// How cells are shared with regions.
    #[arg(long, value_enum, default_value_t = CoverageArg::Exact)]
    pub(super) coverage: CoverageArg,
    /// Largest share of a region allowed outside the raster before it is an error.
    #[arg(long, default_value_t = 1e-9)]
    pub(super) max_outside_share: f64,
    /// Output folder: `demand-regions.csv` (`region,demand`, t CO2) and `demand.tif`.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// A demand-estimator plugin library (.so, .dylib, .dll) that replaces the built-in
    /// estimator (population raster or dasymetric); θ is still calibrated per region (Eq 12).
    #[arg(long)]
    pub(super) plugin: Option<PathBuf>,
    /// A parameter of the --plugin, repeatable (declared defaults fill in the rest).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "plugin")]
    pub(super) params: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum PopulationKindArg {
    Count,
    DensityPerKm2,
}

const WINDOW_ROWS: usize = 64;

/// The rasters read together, window by window.
struct Layers {
    offset: (usize, usize),
    width: usize,
    population: Option<GeoTiffReader>,
    lulc: Option<GeoTiffReader>,
    urban: Option<GeoTiffReader>,
    class_map: Option<BTreeMap<i64, i64>>,
    scratch: Vec<f64>,
}

impl Layers {
    /// Pixels of window rows `row0 .. row0 + rows`.
    fn pixels(
        &mut self,
        row0: usize,
        rows: usize,
        areas: &PixelAreas,
        out: &mut Vec<DemandPixel>,
    ) -> anyhow::Result<()> {
        let n = rows * self.width;
        let read =
            |r: &mut Option<GeoTiffReader>, scratch: &mut Vec<f64>| -> anyhow::Result<Vec<f64>> {
                let mut v = Vec::new();
                match r {
                    Some(reader) => {
                        read_window(reader, self.offset, self.width, row0, rows, scratch, &mut v)?
                    }
                    None => v.resize(n, f64::NAN),
                }
                Ok(v)
            };
        let pop = read(&mut self.population, &mut self.scratch)?;
        let mut lulc = read(&mut self.lulc, &mut self.scratch)?;
        let urban = read(&mut self.urban, &mut self.scratch)?;
        if let Some(map) = &self.class_map {
            for c in &mut lulc {
                if !c.is_nan() {
                    *c = map.get(&(*c as i64)).map_or(f64::NAN, |&m| m as f64);
                }
            }
        }
        out.clear();
        out.extend((0..n).map(|i| DemandPixel {
            population: pop[i],
            land_class: lulc[i],
            urban: urban[i],
            area_km2: areas.km2(row0 + i / self.width),
        }));
        Ok(())
    }
}

/// Runs `fzc cssf demand` and returns the demand per region (t CO2), in the order written.
pub fn run(args: DemandArgs) -> anyhow::Result<Vec<(RegionId, f64)>> {
    let unit: MassUnit = args.emissions_unit.parse().context("--emissions-unit")?;
    let zones = ZoneRule {
        agricultural_classes: args.agri_classes.iter().copied().collect::<BTreeSet<_>>(),
        urban_classes: args.urban_classes.iter().copied().collect::<BTreeSet<_>>(),
    };
    // The reference grid: the population raster, else the land-use raster.
    let population = args
        .population
        .as_deref()
        .map(GeoTiffReader::open)
        .transpose()?;
    let lulc_first = args.lulc.as_deref().map(GeoTiffReader::open).transpose()?;
    let reference = match (&population, &lulc_first) {
        (Some(p), _) => p,
        (None, Some(l)) => l,
        (None, None) => {
            bail!("give --population (a raster), or --census with --lulc and --class-weights")
        }
    };
    let grid = *reference.grid();
    let lulc = match (&population, lulc_first) {
        (Some(p), Some(l)) => {
            fzc_io::check_same_grid(&l, p)?;
            Some(l)
        }
        (_, l) => l,
    };
    let urban = match &args.urban_mask {
        Some(path) => Some(open_same_grid(
            path,
            population
                .as_ref()
                .or(lulc.as_ref())
                .context("no reference raster")?,
        )?),
        None => None,
    };
    let estimator: Box<dyn DemandEstimator> = if let Some(path) = &args.plugin {
        let plugin = fzc_plugin_host::load(path)?;
        Box::new(
            plugin
                .demand_estimator(&crate::cmd_plugins::parse_params(&args.params)?)
                .with_context(|| format!("--plugin {}", path.display()))?,
        )
    } else if args.population.is_some() {
        Box::new(PopulationRaster {
            kind: match args.population_kind {
                PopulationKindArg::Count => PopulationKind::Count,
                PopulationKindArg::DensityPerKm2 => PopulationKind::DensityPerKm2,
            },
            zones,
        })
    } else {
        let weights = args
            .class_weights
            .as_deref()
            .context("--class-weights is required with --census (or give a --plugin estimator)")?;
        Box::new(Dasymetric {
            class_weights: fzc_io::read_class_weights(weights)?,
            zones,
        })
    };
    let on = regions_on_grid(
        &args.regions,
        args.id_field.as_deref(),
        &grid,
        args.coverage,
        args.max_outside_share,
    )?;
    let emissions = fzc_io::read_region_emissions(&args.emissions, unit)?;
    let census = match &args.census {
        Some(p) => Some(fzc_io::read_census(p)?),
        None => None,
    };
    let lookup = |table: &[(RegionId, RegionEmissions)], id: &RegionId| {
        table.iter().find(|(r, _)| r == id).map(|(_, e)| *e)
    };
    for (id, _) in &emissions {
        if !on.ids.contains(id) {
            bail!(
                "{}: region `{id}` has emissions but no polygon in {}",
                args.emissions.display(),
                args.regions.display()
            );
        }
    }
    let window = on.window;
    let areas = PixelAreas::for_grid(&window);
    let mut layers = Layers {
        offset: on.offset,
        width: window.width,
        population,
        lulc,
        urban,
        class_map: args
            .lulc_map
            .as_deref()
            .map(fzc_io::read_class_map)
            .transpose()?,
        scratch: Vec::new(),
    };

    // Pass 1: population (or weight) per region and zone.
    let zone_list = [
        DemandZone::Agricultural,
        DemandZone::Urban,
        DemandZone::Rural,
    ];
    let mut sums = vec![vec![ZonalSum::default(); on.ids.len()]; 3];
    let mut pixels = Vec::new();
    let mut layer = vec![0.0; WINDOW_ROWS * window.width];
    let mut row0 = 0;
    while row0 < window.height {
        let rows = WINDOW_ROWS.min(window.height - row0);
        layers.pixels(row0, rows, &areas, &mut pixels)?;
        for (z, zone) in zone_list.iter().enumerate() {
            let values = &mut layer[..rows * window.width];
            for (v, px) in values.iter_mut().zip(&pixels) {
                *v = match estimator.pixel_population(px) {
                    None => f64::NAN,
                    Some(p) if estimator.zone(px) == *zone => p,
                    Some(_) => 0.0,
                };
            }
            on.masks.accumulate(row0, values, |_| 1.0, &mut sums[z]);
        }
        row0 += rows;
    }

    // Calibration: θ per region, and the scale of weights to persons.
    let mut thetas: Vec<(Theta, f64)> = Vec::with_capacity(on.ids.len());
    let mut rows_out = Vec::with_capacity(on.ids.len());
    for (i, id) in on.ids.iter().enumerate() {
        let em = lookup(&emissions, id).with_context(|| {
            format!(
                "{}: no emissions for region `{id}` (every region of {} needs a row)",
                args.emissions.display(),
                args.regions.display()
            )
        })?;
        let weights = ZonePopulation {
            agricultural: sums[0][i].sum,
            urban: sums[1][i].sum,
            rural: sums[2][i].sum,
        };
        if sums[0][i].coverage <= 0.0 {
            bail!(
                "region `{id}`: every cell inside it is nodata in the population/land-use layer(s); expected data over the region"
            );
        }
        let scale = match estimator.scaling() {
            PopulationScaling::AsIs => 1.0,
            PopulationScaling::ToRegionTotal => {
                let census = census
                    .as_ref()
                    .context("--census is required by the dasymetric estimator")?;
                let total = census
                    .iter()
                    .find(|(r, _)| r == id)
                    .map(|(_, p)| *p)
                    .with_context(|| format!("no census population for region `{id}`"))?;
                if weights.total() <= 0.0 {
                    bail!(
                        "region `{id}`: no land-use class with a weight inside it; cannot spread its census population"
                    );
                }
                total / weights.total()
            }
        };
        let pop = weights.scaled(scale);
        let (theta, notes) = calibrate_theta(id, &em, &pop)?;
        for n in notes {
            eprintln!("note: {n}");
        }
        rows_out.push((id.clone(), theta.demand_t(&pop)));
        thetas.push((theta, scale));
    }

    // Pass 2: the demand raster, D(p) = Σ_regions coverage · scale · P(p) · θ_zone(p).
    let tif = out_file(&args.out, "demand.tif")?;
    let options = GeoTiffWriteOptions {
        rows_per_strip: WINDOW_ROWS,
        ..GeoTiffWriteOptions::default()
    };
    let mut covered = Vec::new();
    fzc_io::write_geotiff::<anyhow::Error>(&tif, &window, &options, |row0, rows, buf| {
        layers.pixels(row0, rows, &areas, &mut pixels)?;
        buf.fill(0.0);
        covered.clear();
        covered.resize(buf.len(), false);
        for (mask, (theta, scale)) in on.masks.regions().iter().zip(&thetas) {
            for r in row0..row0 + rows {
                for run in mask.runs(r) {
                    for c in run.col..run.col + run.len {
                        let i = (r - row0) * window.width + c;
                        let px = &pixels[i];
                        if let Some(p) = estimator.pixel_population(px) {
                            buf[i] += run.fraction * scale * p * theta.of(estimator.zone(px));
                            covered[i] = true;
                        }
                    }
                }
            }
        }
        for (v, c) in buf.iter_mut().zip(&covered) {
            if !c {
                *v = f64::NAN;
            }
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", tif.display()))?;
    write_region_csv(
        &out_file(&args.out, "demand-regions.csv")?,
        "demand",
        &rows_out,
    )?;
    eprintln!(
        "demand ({}): {} regions calibrated to their emissions; wrote {}",
        estimator.name(),
        rows_out.len(),
        args.out.display()
    );
    Ok(rows_out)
}
