//! `fzc cssf demand`: carbon sequestration service demand (Eq 12) per pixel and per region.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use fzc_core::{DemandEstimator, RegionId};
use fzc_scenario::rasters::{DemandInputs, PopulationKind};

use super::raster_regions::{CoverageArg, regions_input};
use crate::ui::Ui;

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
    #[arg(long, default_value = "t", value_parser = crate::arg_ranges::mass_unit)]
    pub(super) emissions_unit: String,
    /// Population raster (GeoTIFF).
    #[arg(long, conflicts_with = "census")]
    pub(super) population: Option<PathBuf>,
    /// What the population raster holds (refused without --population, or with --census).
    #[arg(long, value_enum, default_value_t = PopulationKindArg::Count, requires = "population", conflicts_with = "census")]
    pub(super) population_kind: PopulationKindArg,
    /// Census totals `region,population`, spread over land use (needs --lulc and --class-weights).
    #[arg(long, requires = "lulc")]
    pub(super) census: Option<PathBuf>,
    /// Relative population density per land-use class, `class,weight` (dasymetric estimator;
    /// refused with --population, whose raster is the estimator then).
    #[arg(long, conflicts_with = "population")]
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
    /// Land-use classes (after mapping) that are urban when there is no urban mask
    /// (refused with --urban-mask, which decides then).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "5",
        conflicts_with = "urban_mask"
    )]
    pub(super) urban_classes: Vec<i64>,
    /// Urban mask raster (non-zero = urban), e.g. urban lighting zones.
    #[arg(long)]
    pub(super) urban_mask: Option<PathBuf>,
    /// CRS of rasters whose GeoKeys give none (user-defined or missing, as in MODIS
    /// products) or a geographic code fzc does not know, e.g. `EPSG:4326`. Without it such a
    /// raster is refused; a raster whose keys give another known code is refused too.
    #[arg(long, value_name = "EPSG:CODE", value_parser = crate::arg_ranges::raster_crs)]
    pub(super) raster_crs: Option<fzc_core::GridCrs>,
    /// How cells are shared with regions.
    #[arg(long, value_enum, default_value_t = CoverageArg::Exact)]
    pub(super) coverage: CoverageArg,
    /// Largest share of a region allowed outside the raster before it is an error, in [0, 1].
    #[arg(long, default_value_t = 1e-9, value_parser = super::raster_regions::parse_share, allow_hyphen_values = true)]
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

impl PopulationKindArg {
    pub(super) fn kind(self) -> PopulationKind {
        match self {
            PopulationKindArg::Count => PopulationKind::Count,
            PopulationKindArg::DensityPerKm2 => PopulationKind::DensityPerKm2,
        }
    }
}

impl DemandArgs {
    /// The library's demand inputs.
    pub(super) fn inputs(&self) -> anyhow::Result<DemandInputs> {
        Ok(DemandInputs {
            emissions: self.emissions.clone(),
            emissions_unit: self.emissions_unit.parse().context("--emissions-unit")?,
            population: self.population.clone(),
            population_kind: self.population_kind.kind(),
            census: self.census.clone(),
            class_weights: self.class_weights.clone(),
            lulc: self.lulc.clone(),
            lulc_map: self.lulc_map.clone(),
            agri_classes: self.agri_classes.iter().copied().collect::<BTreeSet<_>>(),
            urban_classes: self.urban_classes.iter().copied().collect::<BTreeSet<_>>(),
            urban_mask: self.urban_mask.clone(),
            raster_crs: self.raster_crs,
        })
    }
}

/// Loads a demand-estimator plugin from `--plugin`/`--param` (or their `--demand-` forms).
pub(super) fn load_plugin(
    path: Option<&std::path::Path>,
    params: &[String],
) -> anyhow::Result<Option<Box<dyn DemandEstimator>>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let plugin = fzc_plugin_host::load(path)?;
    Ok(Some(Box::new(
        plugin
            .demand_estimator(&crate::cmd_plugins::parse_params(params)?)
            .with_context(|| format!("--plugin {}", path.display()))?,
    )))
}

/// Runs `fzc cssf demand` and returns the demand per region (t CO2), sorted by region.
pub fn run(args: DemandArgs, ui: Ui) -> anyhow::Result<Vec<(RegionId, f64)>> {
    let inputs = args.inputs()?;
    if args.population.is_none() && args.lulc.is_none() {
        bail!("give --population (a raster), or --census with --lulc and --class-weights");
    }
    let plugin = load_plugin(args.plugin.as_deref(), &args.params)?;
    if plugin.is_none() && args.population.is_none() && args.class_weights.is_none() {
        bail!("--class-weights is required with --census (or give a --plugin estimator)");
    }
    let regions = regions_input(
        &args.regions,
        args.id_field.as_deref(),
        args.coverage,
        args.max_outside_share,
    );
    // All or nothing, as `cssf supply`.
    let (outcome, _) = fzc_pipeline::cssf_job::demand(
        &inputs,
        &regions,
        plugin.as_deref(),
        &args.out,
        &ui.progress_sink(),
    )?;
    for n in &outcome.notes {
        ui.note(&format!("note: {n}"));
    }
    ui.note(&format!(
        "demand ({}): {} regions calibrated to their emissions; wrote {}",
        outcome.estimator,
        outcome.regions.len(),
        args.out.display()
    ));
    Ok(outcome.regions)
}
