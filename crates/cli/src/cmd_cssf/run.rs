//! `fzc cssf run`: supply → demand → flows in one command, all outputs in one folder.
//!
//! It only plumbs arguments: supply and demand come from `fzc_scenario::rasters::RasterLayers`
//! (the same pipeline `fzc cssf supply` and `demand` run, and a scenario's `[cssf.rasters]`),
//! which also writes the per-pixel CSSDR (`cssdr.tif`); the flows step takes its supply and
//! demand instead of a balance file.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use fzc_pipeline::cssf_job::{self, FlowsJob};
use fzc_scenario::rasters::{RasterInputs, SupplyInputs};

use super::demand::{self, DemandArgs, PopulationKindArg};
use super::flows::{self, CoreArg, IntensityArg, MassArg};
use super::raster_regions::{CoverageArg, regions_input};
use super::supply::{SupplyUnitArg, UnmappedArg};
use crate::ui::Ui;

/// Arguments of `fzc cssf run`: those of `supply`, `demand` and `flows`, given once.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Land-use raster (GeoTIFF, integer class codes), used by supply and by demand.
    #[arg(long)]
    lulc: PathBuf,
    /// Carbon pools, InVEST biophysical table `lucode,c_above,c_below,c_soil,c_dead` (t C/ha).
    #[arg(long)]
    pools: PathBuf,
    /// Optional class mapping `from_class,to_class` applied to the raster's codes first.
    #[arg(long)]
    lulc_map: Option<PathBuf>,
    /// Region polygons (GeoJSON file or folder, WGS84 lon/lat).
    #[arg(long)]
    regions: PathBuf,
    /// The feature property holding the region id.
    #[arg(long)]
    id_field: Option<String>,
    /// Unit of supply: t C as the paper (`as-paper`) or t CO2 (`co2`, × 44/12). Flows
    /// compare this supply with demand in t CO2, as the paper does with `as-paper`.
    #[arg(long, value_enum, default_value_t = SupplyUnitArg::AsPaper)]
    supply_unit: SupplyUnitArg,
    /// Land-use classes without pools: `error` (default) or `skip` (count and report).
    #[arg(long, value_enum, default_value_t = UnmappedArg::Error)]
    unmapped: UnmappedArg,
    /// CRS of rasters whose GeoKeys give none (user-defined or missing, as in MODIS
    /// products) or a geographic code fzc does not know, e.g. `EPSG:4326`. Without it such a
    /// raster is refused; a raster whose keys give another known code is refused too.
    #[arg(long, value_name = "EPSG:CODE", value_parser = crate::arg_ranges::raster_crs)]
    raster_crs: Option<fzc_core::GridCrs>,
    /// Emissions per region: `region,emissions[,agricultural_emissions][,urban_share]`.
    #[arg(long)]
    emissions: PathBuf,
    /// Mass unit of the emissions table (t, kt, 10^4 t, Mt, ...).
    #[arg(long, default_value = "t", value_parser = crate::arg_ranges::mass_unit)]
    emissions_unit: String,
    /// Population raster (GeoTIFF).
    #[arg(long, conflicts_with = "census")]
    population: Option<PathBuf>,
    /// What the population raster holds (refused without --population, or with --census).
    #[arg(long, value_enum, default_value_t = PopulationKindArg::Count, requires = "population", conflicts_with = "census")]
    population_kind: PopulationKindArg,
    /// Census totals `region,population`, spread over land use (needs --class-weights, or
    /// a --demand-plugin estimator that rescales to them).
    #[arg(long)]
    census: Option<PathBuf>,
    /// Relative population density per land-use class, `class,weight` (dasymetric estimator;
    /// refused with --population, whose raster is the estimator then).
    #[arg(long, conflicts_with = "population")]
    class_weights: Option<PathBuf>,
    /// Land-use classes (after mapping) that are agricultural land.
    #[arg(long, value_delimiter = ',', default_value = "1")]
    agri_classes: Vec<i64>,
    /// Land-use classes (after mapping) that are urban when there is no urban mask
    /// (refused with --urban-mask, which decides then).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "5",
        conflicts_with = "urban_mask"
    )]
    urban_classes: Vec<i64>,
    /// Urban mask raster (non-zero = urban), e.g. urban lighting zones.
    #[arg(long)]
    urban_mask: Option<PathBuf>,
    /// How cells are shared with regions.
    #[arg(long, value_enum, default_value_t = CoverageArg::Exact)]
    coverage: CoverageArg,
    /// Largest share of a region allowed outside the raster before it is an error, in [0, 1].
    #[arg(long, default_value_t = 1e-9, value_parser = super::raster_regions::parse_share, allow_hyphen_values = true)]
    max_outside_share: f64,
    /// Impact factor k of Eq 16, in [0, 1].
    #[arg(long, default_value_t = 0.6, value_parser = crate::arg_ranges::unit_interval)]
    k: f64,
    /// Flow intensity (Eq 15).
    #[arg(long, value_enum, default_value_t = IntensityArg::SurplusOverRange)]
    intensity: IntensityArg,
    /// Masses compared by the breakpoint formula (Eq 14).
    #[arg(long, value_enum, default_value_t = MassArg::Demand)]
    mass: MassArg,
    /// Region cores (`given` is not available here: there is no balance table to hold them).
    #[arg(long, value_enum, default_value_t = CoreArg::Centroid)]
    core: CoreArg,
    /// Output folder: supply-regions.csv, supply.tif, demand-regions.csv, demand.tif,
    /// cssdr.tif, cssf-regions.csv, cssf-flows.csv, cssf-flows.geojson.
    #[arg(long)]
    out: PathBuf,
    /// A flow-model plugin library that replaces the built-in breakpoint model.
    #[arg(long)]
    plugin: Option<PathBuf>,
    /// A parameter of the --plugin, repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "plugin")]
    params: Vec<String>,
    /// A demand-estimator plugin library that replaces the built-in estimator for demand
    /// (as `fzc cssf demand --plugin`).
    #[arg(long)]
    demand_plugin: Option<PathBuf>,
    /// A parameter of the --demand-plugin, repeatable.
    #[arg(
        long = "demand-param",
        value_name = "NAME=VALUE",
        requires = "demand_plugin"
    )]
    demand_params: Vec<String>,
}

/// Runs `fzc cssf run`.
pub fn run(args: RunArgs, ui: Ui) -> anyhow::Result<()> {
    if matches!(args.core, CoreArg::Given) {
        bail!(
            "--core given needs core_lon/core_lat from a balance table; run `fzc cssf flows --balance` for it"
        );
    }
    let demand_args = DemandArgs {
        regions: args.regions.clone(),
        id_field: args.id_field.clone(),
        emissions: args.emissions,
        emissions_unit: args.emissions_unit,
        population: args.population,
        population_kind: args.population_kind,
        census: args.census,
        class_weights: args.class_weights,
        lulc: Some(args.lulc.clone()),
        lulc_map: args.lulc_map.clone(),
        agri_classes: args.agri_classes,
        urban_classes: args.urban_classes,
        urban_mask: args.urban_mask,
        raster_crs: args.raster_crs,
        coverage: args.coverage,
        max_outside_share: args.max_outside_share,
        out: args.out.clone(),
        plugin: args.demand_plugin,
        params: args.demand_params,
    };
    let plugin = demand::load_plugin(demand_args.plugin.as_deref(), &demand_args.params)?;
    if plugin.is_none() && demand_args.population.is_none() && demand_args.class_weights.is_none() {
        bail!("--class-weights is required with --census (or give a --demand-plugin estimator)");
    }
    let inputs = RasterInputs {
        regions: regions_input(
            &args.regions,
            args.id_field.as_deref(),
            args.coverage,
            args.max_outside_share,
        ),
        supply: SupplyInputs {
            lulc: args.lulc,
            pools: args.pools,
            lulc_map: args.lulc_map,
            unit: args.supply_unit.unit(),
            unmapped: args.unmapped.policy(),
            raster_crs: args.raster_crs,
        },
        demand: demand_args.inputs()?,
    };
    let progress = ui.progress_sink();
    let flow_plugin = args
        .plugin
        .as_deref()
        .map(|path| flows::load_flow_model(path, &args.params))
        .transpose()?;
    let job = FlowsJob {
        regions: args.regions,
        id_field: args.id_field,
        unit: fzc_core::MassUnit::Tonne,
        model: flows::breakpoint_model(args.k, args.intensity, args.mass, args.core)?,
        flow_model: flow_plugin.as_deref(),
    };
    // All or nothing: the layers and the flows are staged together and moved into --out
    // only when every file was written.
    let outcome = cssf_job::run(
        &inputs,
        plugin.map(Arc::from),
        &job,
        Some(&args.out),
        &progress,
    )?;
    let layers = &outcome.layers;
    for note in layers.notes() {
        ui.note(&format!("note: {note}"));
    }
    for note in &outcome.flows.notes {
        tracing::warn!("{note}");
    }
    if let Some(name) = &outcome.flows.flow_model {
        tracing::info!("flows from plugin model `{name}`");
    }
    ui.note(&format!(
        "supply and demand (demand estimator: {}): {} regions in the {}×{} window; wrote \
         supply-regions.csv, demand-regions.csv, supply.tif, demand.tif, cssdr.tif, \
         cssf-regions.csv, cssf-flows.csv and cssf-flows.geojson to {}",
        layers.demand().estimator,
        layers.regions().len(),
        layers.window().width,
        layers.window().height,
        args.out.display()
    ));
    Ok(())
}
