//! `fzc cssf supply`: carbon sequestration service supply (Eq 11) per pixel and per region.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use fzc_core::RegionId;
use fzc_scenario::rasters::{SupplyInputs, SupplyUnit, UnmappedClasses};

use super::raster_regions::{CoverageArg, regions_input};
use crate::ui::Ui;

/// Arguments of `fzc cssf supply`.
#[derive(Debug, Args)]
pub struct SupplyArgs {
    /// Land-use raster (GeoTIFF, integer class codes).
    #[arg(long)]
    pub(super) lulc: PathBuf,
    /// Carbon pools, InVEST biophysical table `lucode,c_above,c_below,c_soil,c_dead` (t C/ha).
    #[arg(long)]
    pub(super) pools: PathBuf,
    /// Optional class mapping `from_class,to_class` applied to the raster's codes first.
    #[arg(long)]
    pub(super) lulc_map: Option<PathBuf>,
    /// Region polygons (GeoJSON file or folder, WGS84 lon/lat).
    #[arg(long)]
    pub(super) regions: PathBuf,
    /// The feature property holding the region id.
    #[arg(long)]
    pub(super) id_field: Option<String>,
    /// Unit of supply: t C as the paper (`as-paper`) or t CO2 (`co2`, × 44/12).
    #[arg(long, value_enum, default_value_t = SupplyUnitArg::AsPaper)]
    pub(super) supply_unit: SupplyUnitArg,
    /// Land-use classes without pools: `error` (default) or `skip` (count and report).
    #[arg(long, value_enum, default_value_t = UnmappedArg::Error)]
    pub(super) unmapped: UnmappedArg,
    /// How cells are shared with regions.
    #[arg(long, value_enum, default_value_t = CoverageArg::Exact)]
    pub(super) coverage: CoverageArg,
    /// Largest share of a region allowed outside the raster before it is an error, in [0, 1].
    #[arg(long, default_value_t = 1e-9, value_parser = super::raster_regions::parse_share, allow_hyphen_values = true)]
    pub(super) max_outside_share: f64,
    /// CRS of rasters whose GeoKeys give none (user-defined or missing, as in MODIS
    /// products) or a geographic code fzc does not know, e.g. `EPSG:4326`. Without it such a
    /// raster is refused; a raster whose keys give another known code is refused too.
    #[arg(long, value_name = "EPSG:CODE", value_parser = crate::arg_ranges::raster_crs)]
    pub(super) raster_crs: Option<fzc_core::GridCrs>,
    /// Output folder: `supply-regions.csv` (`region,supply`) and `supply.tif`.
    #[arg(long)]
    pub(super) out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum SupplyUnitArg {
    AsPaper,
    Co2,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum UnmappedArg {
    Error,
    Skip,
}

impl SupplyUnitArg {
    pub(super) fn unit(self) -> SupplyUnit {
        match self {
            SupplyUnitArg::AsPaper => SupplyUnit::AsPaper,
            SupplyUnitArg::Co2 => SupplyUnit::Co2,
        }
    }
}

impl UnmappedArg {
    pub(super) fn policy(self) -> UnmappedClasses {
        match self {
            UnmappedArg::Error => UnmappedClasses::Error,
            UnmappedArg::Skip => UnmappedClasses::Skip,
        }
    }
}

/// Runs `fzc cssf supply` and returns the supply per region, sorted by region.
pub fn run(args: SupplyArgs, ui: Ui) -> anyhow::Result<Vec<(RegionId, f64)>> {
    let inputs = SupplyInputs {
        lulc: args.lulc.clone(),
        pools: args.pools.clone(),
        lulc_map: args.lulc_map.clone(),
        unit: args.supply_unit.unit(),
        unmapped: args.unmapped.policy(),
        raster_crs: args.raster_crs,
    };
    let regions = regions_input(
        &args.regions,
        args.id_field.as_deref(),
        args.coverage,
        args.max_outside_share,
    );
    // All or nothing: a failure midway (an all-nodata raster, a full disk) leaves --out as
    // it was.
    let (outcome, _) =
        fzc_pipeline::cssf_job::supply(&inputs, &regions, &args.out, &ui.progress_sink())?;
    for note in &outcome.notes {
        ui.note(&format!("note: {note}"));
    }
    ui.note(&format!(
        "supply: {} regions, {} valid pixels, {} nodata pixels in the {}×{} window; wrote {}",
        outcome.regions.len(),
        outcome.stats.valid_pixels,
        outcome.stats.nodata_pixels,
        outcome.window.width,
        outcome.window.height,
        args.out.display()
    ));
    Ok(outcome.regions)
}
