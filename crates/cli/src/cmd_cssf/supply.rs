//! `fzc cssf supply`: carbon sequestration service supply (Eq 11) per pixel and per region.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use fzc_core::RegionId;
use fzc_cssf_flow::pixel_area::PixelAreas;
use fzc_cssf_flow::zonal::ZonalSum;
use fzc_cssf_flow::{InvestSupply, SupplyStats, SupplyUnit, UnmappedClasses, supply_pixels};
use fzc_io::{GeoTiffReader, GeoTiffWriteOptions};

use super::raster_regions::{
    CoverageArg, out_file, read_window, regions_on_grid, write_region_csv,
};

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
    /// Largest share of a region allowed outside the raster before it is an error.
    #[arg(long, default_value_t = 1e-9)]
    pub(super) max_outside_share: f64,
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

/// Rows per window (memory: a few windows of the raster's width).
const WINDOW_ROWS: usize = 64;

/// Runs `fzc cssf supply` and returns the supply per region, in the order written.
pub fn run(args: SupplyArgs) -> anyhow::Result<Vec<(RegionId, f64)>> {
    let mut lulc = GeoTiffReader::open(&args.lulc)?;
    let grid = *lulc.grid();
    let on = regions_on_grid(
        &args.regions,
        args.id_field.as_deref(),
        &grid,
        args.coverage,
        args.max_outside_share,
    )?;
    let estimator = InvestSupply {
        pools: fzc_io::read_carbon_pools(&args.pools)?,
        class_map: args
            .lulc_map
            .as_deref()
            .map(fzc_io::read_class_map)
            .transpose()?,
        unit: match args.supply_unit {
            SupplyUnitArg::AsPaper => SupplyUnit::AsPaper,
            SupplyUnitArg::Co2 => SupplyUnit::Co2,
        },
    };
    let policy = match args.unmapped {
        UnmappedArg::Error => UnmappedClasses::Error,
        UnmappedArg::Skip => UnmappedClasses::Skip,
    };
    let window = on.window;
    let areas = PixelAreas::for_grid(&window);
    let mut sums = vec![ZonalSum::default(); on.ids.len()];
    let mut stats = SupplyStats::default();
    let (mut scratch, mut classes) = (Vec::new(), Vec::new());
    let tif = out_file(&args.out, "supply.tif")?;
    let options = GeoTiffWriteOptions {
        rows_per_strip: WINDOW_ROWS,
        ..GeoTiffWriteOptions::default()
    };
    fzc_io::write_geotiff::<anyhow::Error>(&tif, &window, &options, |row0, rows, buf| {
        read_window(
            &mut lulc,
            on.offset,
            window.width,
            row0,
            rows,
            &mut scratch,
            &mut classes,
        )?;
        supply_pixels(
            &estimator,
            row0,
            window.width,
            &classes,
            |r| areas.ha(r),
            buf,
            &mut stats,
        );
        on.masks.accumulate(row0, buf, |_| 1.0, &mut sums);
        Ok(())
    })
    .with_context(|| format!("writing {}", tif.display()))?;
    if let Err(e) = stats.check(policy) {
        let _ = std::fs::remove_file(&tif);
        bail!("{}: {e}", args.lulc.display());
    }
    if !stats.unmapped.is_empty() {
        tracing::warn!(
            "{}: skipped pixels of classes without pools: {:?}",
            args.lulc.display(),
            stats.unmapped
        );
    }
    let mut rows = Vec::with_capacity(sums.len());
    for (id, s) in on.ids.iter().zip(&sums) {
        if s.coverage <= 0.0 {
            bail!(
                "{}: region `{id}`: every cell inside it is nodata or has no pools; expected land-use data over the region",
                args.lulc.display()
            );
        }
        if s.nodata_coverage > 0.0 {
            let share = s.nodata_coverage / (s.coverage + s.nodata_coverage);
            eprintln!(
                "note: region `{id}`: {:.3} % of its cells are nodata or unmapped and contribute nothing",
                share * 100.0
            );
        }
        rows.push((id.clone(), s.sum));
    }
    write_region_csv(&out_file(&args.out, "supply-regions.csv")?, "supply", &rows)?;
    eprintln!(
        "supply: {} regions, {} valid pixels, {} nodata pixels in the {}×{} window; wrote {}",
        rows.len(),
        stats.valid_pixels,
        stats.nodata_pixels,
        window.width,
        window.height,
        args.out.display()
    );
    Ok(rows)
}
