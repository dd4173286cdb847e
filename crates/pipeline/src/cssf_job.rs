//! The CSSF layer on its own, as `fzc cssf supply|demand|flows|run` compute it: supply
//! (Eq 11) or demand (Eq 12) per region and pixel, the breakpoint flows between region
//! polygons from a supply/demand balance (Eq 13–16), or the whole raster chain (Eq 11, Eq 12,
//! then the flows), with their output files.
//!
//! The CLI and the Python module (`fzc.cssf`) call these; they only turn flags or keyword
//! arguments into a [`FlowsJob`] and [`RasterInputs`], and print or wrap the result.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use fzc_core::{DemandEstimator, FlowModel, FlowRegion, MassUnit, Progress, TonnesCo2};
use fzc_cssf_flow::geodesic::{RegionPolygon, find_overlaps};
use fzc_cssf_flow::{BreakpointModel, Core, CssfRun};
use fzc_io::RegionBalanceRow;
use fzc_scenario::fixed;
use fzc_scenario::rasters::{
    DemandInputs, DemandOutcome, RasterInputs, RasterLayers, RegionsInput, SupplyInputs,
    SupplyOutcome, demand_per_region, supply_per_region, write_region_csv,
};

/// Overlaps above this fraction of the smaller region are reported as notes.
const OVERLAP_NOTE_FRACTION: f64 = 0.01;

/// The files [`write_flows`] writes: `cssf-regions.csv`, `cssf-flows.csv`,
/// `cssf-flows.geojson` (`docs/formats/regions.md`, "Outputs of fzc cssf flows").
pub const FLOW_FILES: [&str; 3] = ["cssf-regions.csv", "cssf-flows.csv", "cssf-flows.geojson"];

/// What the flows step needs besides the balance: the polygons and the model.
pub struct FlowsJob<'a> {
    /// Region polygons: a GeoJSON FeatureCollection, a folder of GeoJSON files, or a
    /// Shapefile (`.shp`).
    pub regions: PathBuf,
    /// The feature property holding the region id (default: the file stem, or `id`).
    pub id_field: Option<String>,
    /// Unit of the balance's supply and demand.
    pub unit: MassUnit,
    /// The built-in model: it always gives CSSDR, roles and areas (Eq 13), and the flows and
    /// cores unless `flow_model` replaces them.
    pub model: BreakpointModel,
    /// A flow model (a C-ABI plugin, or a Python object) that replaces the built-in flows
    /// and cores.
    pub flow_model: Option<&'a dyn FlowModel>,
}

/// The flows and what the user should know about them.
pub struct FlowsOutcome {
    /// CSSDR, roles, cores and flows.
    pub run: CssfRun,
    /// Warnings for the user: regions that overlap.
    pub notes: Vec<String>,
    /// The name of the flow model that replaced the built-in flows, if one did.
    pub flow_model: Option<String>,
}

/// Computes the CSSF flows of `balance` (one row per region; `balance_name` names the table
/// in errors) over the polygons of `job`, reporting the output–input pairs to `progress`.
///
/// # Errors
/// Unreadable polygons, region ids that differ between the polygons and the balance (both
/// lists given), a missing core for `Core::Given`, and the model's own errors (the region
/// named).
pub fn flows(
    job: &FlowsJob<'_>,
    balance: Vec<RegionBalanceRow>,
    balance_name: &str,
    progress: &dyn Progress,
) -> anyhow::Result<FlowsOutcome> {
    let shapes = fzc_io::read_regions(&job.regions, job.id_field.as_deref())?;
    let shape_ids: BTreeSet<&str> = shapes.iter().map(|(id, _)| id.as_str()).collect();
    let table_ids: BTreeSet<&str> = balance.iter().map(|r| r.id.as_str()).collect();
    if shape_ids != table_ids || shapes.len() != balance.len() {
        let only_shapes: Vec<&str> = shape_ids.difference(&table_ids).copied().collect();
        let only_table: Vec<&str> = table_ids.difference(&shape_ids).copied().collect();
        bail!(
            "the region ids of {} and {} differ: only in the polygons: [{}]; only in the balance table: [{}]",
            job.regions.display(),
            balance_name,
            only_shapes.join(", "),
            only_table.join(", ")
        );
    }
    let mut balance = balance;
    balance.sort_by(|a, b| a.id.cmp(&b.id));
    // Both lists are sorted by id and hold the same ids, so they pair up in order.
    let per_tonne = job.unit.tonnes_per_unit();
    let regions: Vec<FlowRegion> = shapes
        .into_iter()
        .zip(balance)
        .map(|((id, shape), row)| FlowRegion {
            id,
            supply: TonnesCo2(row.supply * per_tonne),
            demand: TonnesCo2(row.demand * per_tonne),
            given_core: row.core,
            shape,
        })
        .collect();
    if job.model.core == Core::Given
        && let Some(r) = regions.iter().find(|r| r.given_core.is_none())
    {
        bail!(
            "{}: region `{}` has no core_lon/core_lat, required by --core given",
            balance_name,
            r.id
        );
    }
    let polygons: Vec<RegionPolygon> = regions
        .iter()
        .map(|r| RegionPolygon::new(r.id.clone(), &r.shape))
        .collect::<Result<_, _>>()
        .with_context(|| format!("polygons of {}", job.regions.display()))?;
    let mut notes = Vec::new();
    for overlap in find_overlaps(&polygons, OVERLAP_NOTE_FRACTION)? {
        notes.push(format!(
            "regions `{}` and `{}` overlap by {:.3} km² ({:.1}% of the smaller); flows are \
             computed per region, the overlap is counted in both",
            overlap.a,
            overlap.b,
            overlap.area_km2,
            100.0 * overlap.fraction_of_smaller
        ));
    }
    let mut run = match job.flow_model {
        // The model replaces the flows: the built-in one only supplies CSSDR, roles and
        // areas, so its pairs are not worth a bar.
        Some(_) => job.model.run_prepared(&regions, &polygons)?,
        None => job
            .model
            .run_prepared_with_progress(&regions, &polygons, progress)?,
    };
    if let Some(model) = job.flow_model {
        replace_flows(&mut run, &regions, model)?;
    }
    Ok(FlowsOutcome {
        run,
        notes,
        flow_model: job.flow_model.map(|m| m.name().to_owned()),
    })
}

/// Replaces the breakpoint model's flows and cores in `run` by those of `model` (CSSDR,
/// roles and areas do not depend on the flow model).
fn replace_flows(
    run: &mut CssfRun,
    regions: &[FlowRegion],
    model: &dyn FlowModel,
) -> anyhow::Result<()> {
    let output = model
        .flows(regions)
        .map_err(|e| match &e.region {
            Some(region) => anyhow::anyhow!("region `{region}`: {}", e.message),
            None => anyhow::anyhow!("{}", e.message),
        })
        .with_context(|| format!("flow model `{}`", model.name()))?;
    if output.cores.len() != run.regions.len() {
        bail!(
            "flow model `{}` returned {} cores for {} regions",
            model.name(),
            output.cores.len(),
            run.regions.len()
        );
    }
    for (region, core) in run.regions.iter_mut().zip(output.cores) {
        region.core = core;
    }
    run.flows = output.flows;
    Ok(())
}

/// Writes [`FLOW_FILES`] into `dir` (created if missing), all or nothing (staged beside it).
///
/// # Errors
/// When a file cannot be written or moved into place; `dir` is then unchanged.
pub fn write_flows(dir: &Path, run: &CssfRun) -> anyhow::Result<Vec<PathBuf>> {
    let staged = fzc_io::StagedDir::new(dir)?;
    write_flow_files(staged.path(), run)?;
    staged.commit()?;
    Ok(FLOW_FILES.iter().map(|f| dir.join(f)).collect())
}

/// Writes [`FLOW_FILES`] into `dir`, each atomically (for callers that stage the folder).
fn write_flow_files(dir: &Path, run: &CssfRun) -> anyhow::Result<()> {
    for (name, text) in [
        (FLOW_FILES[0], regions_csv(run)),
        (FLOW_FILES[1], flows_csv(run)),
        (FLOW_FILES[2], flows_geojson(run)),
    ] {
        let path = dir.join(name);
        fzc_io::write_atomically(&path, |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The flows sorted by (from, to) id, as every file lists them.
fn sorted_flows(run: &CssfRun) -> Vec<&fzc_core::RegionFlow> {
    let mut flows: Vec<_> = run.flows.iter().collect();
    flows.sort_by(|a, b| {
        (&run.regions[a.from].id, &run.regions[a.to].id)
            .cmp(&(&run.regions[b.from].id, &run.regions[b.to].id))
    });
    flows
}

/// `cssf-regions.csv`: `region,supply,demand,cssdr,role,core_lon,core_lat`, one row per
/// region in id order; supply and demand t (3 decimals), CSSDR 9 decimals (empty when
/// S + D = 0), core in degrees (9 decimals).
pub fn regions_csv(run: &CssfRun) -> String {
    let mut out = String::from("region,supply,demand,cssdr,role,core_lon,core_lat\n");
    for r in &run.regions {
        let cssdr = r.cssdr.map(|v| fixed(v, 9)).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            csv_text(r.id.as_str()),
            fixed(r.supply.0, 3),
            fixed(r.demand.0, 3),
            cssdr,
            r.role,
            fixed(r.core.lon_deg, 9),
            fixed(r.core.lat_deg, 9)
        );
    }
    out
}

/// `cssf-flows.csv`: `from,to,distance_km,range_km,area_km2,intensity,transfer`, one row
/// per output → input pair sorted by (from, to); km and km² 6 decimals, transfer t 3.
pub fn flows_csv(run: &CssfRun) -> String {
    let mut out = String::from("from,to,distance_km,range_km,area_km2,intensity,transfer\n");
    for f in sorted_flows(run) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            csv_text(run.regions[f.from].id.as_str()),
            csv_text(run.regions[f.to].id.as_str()),
            fixed(f.distance_km, 6),
            fixed(f.range_km, 6),
            fixed(f.area_km2, 6),
            fixed(f.intensity_t_per_km2, 6),
            fixed(f.transfer.0, 3)
        );
    }
    out
}

/// `cssf-flows.geojson`: the pairs with a positive transfer as lines from core to core, with
/// the columns of `cssf-flows.csv` as properties.
pub fn flows_geojson(run: &CssfRun) -> String {
    let features: Vec<String> = sorted_flows(run)
        .into_iter()
        .filter(|f| f.transfer.0 > 0.0)
        .map(|f| {
            let (from, to) = (&run.regions[f.from], &run.regions[f.to]);
            format!(
                concat!(
                    r#"{{"type":"Feature","properties":{{"from":{},"to":{},"distance_km":{},"range_km":{},"#,
                    r#""area_km2":{},"intensity":{},"transfer":{}}},"#,
                    r#""geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}}}}"#
                ),
                json_text(from.id.as_str()),
                json_text(to.id.as_str()),
                fixed(f.distance_km, 6),
                fixed(f.range_km, 6),
                fixed(f.area_km2, 6),
                fixed(f.intensity_t_per_km2, 6),
                fixed(f.transfer.0, 3),
                fixed(from.core.lon_deg, 9),
                fixed(from.core.lat_deg, 9),
                fixed(to.core.lon_deg, 9),
                fixed(to.core.lat_deg, 9)
            )
        })
        .collect();
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        let comma = if i + 1 < features.len() { "," } else { "" };
        let _ = writeln!(out, "{f}{comma}");
    }
    out.push_str("]}\n");
    out
}

/// The whole raster chain of `fzc cssf run`.
pub struct CssfRunOutcome {
    /// Supply, demand and CSSDR per region and per pixel.
    pub layers: RasterLayers,
    /// The flows between the regions, from the supply and demand of `layers`.
    pub flows: FlowsOutcome,
    /// Every file written (empty without an output folder).
    pub written: Vec<PathBuf>,
}

/// Supply (Eq 11) and demand (Eq 12) from rasters, then the flows between the regions of
/// `job` from them; with `out`, writes `supply-regions.csv`, `demand-regions.csv`,
/// `supply.tif`, `demand.tif`, `cssdr.tif` and [`FLOW_FILES`] into it, all or nothing.
/// `job.unit` is ignored: the layers are in t (supply as `inputs.supply.unit` says).
///
/// # Errors
/// As [`RasterLayers::compute`] and [`flows`]; a file that cannot be written (nothing is
/// moved into `out` then).
pub fn run(
    inputs: &RasterInputs,
    demand_estimator: Option<Arc<dyn DemandEstimator>>,
    job: &FlowsJob<'_>,
    out: Option<&Path>,
    progress: &dyn Progress,
) -> anyhow::Result<CssfRunOutcome> {
    let layers = RasterLayers::compute(inputs, demand_estimator, progress)?;
    let balance = layers
        .regions()
        .iter()
        .map(|b| RegionBalanceRow {
            id: b.region.clone(),
            supply: b.supply,
            demand: b.demand,
            core: None,
        })
        .collect();
    let job = FlowsJob {
        regions: job.regions.clone(),
        id_field: job.id_field.clone(),
        unit: MassUnit::Tonne,
        model: job.model,
        flow_model: job.flow_model,
    };
    let flows = flows(
        &job,
        balance,
        "the supply and demand computed by this run",
        progress,
    )?;
    let mut written = Vec::new();
    if let Some(dir) = out {
        let staged = fzc_io::StagedDir::new(dir)?;
        layers.write_all(staged.path(), progress)?;
        write_flow_files(staged.path(), &flows.run)?;
        staged.commit()?;
        for name in [
            "supply-regions.csv",
            "demand-regions.csv",
            "supply.tif",
            "demand.tif",
            "cssdr.tif",
        ]
        .into_iter()
        .chain(FLOW_FILES)
        {
            written.push(dir.join(name));
        }
    }
    Ok(CssfRunOutcome {
        layers,
        flows,
        written,
    })
}

/// The files [`supply`] writes: `supply-regions.csv` (`region,supply`) and `supply.tif`.
pub const SUPPLY_FILES: [&str; 2] = ["supply-regions.csv", "supply.tif"];
/// The files [`demand`] writes: `demand-regions.csv` (`region,demand`) and `demand.tif`.
pub const DEMAND_FILES: [&str; 2] = ["demand-regions.csv", "demand.tif"];

/// `fzc cssf supply`: supply (Eq 11) per region, and [`SUPPLY_FILES`] written into `out`, all
/// or nothing (a failure midway, such as an all-nodata raster or a full disk, leaves `out`
/// as it was). Returns the outcome and the files written.
///
/// # Errors
/// As [`fzc_scenario::rasters::supply_per_region`]; a file that cannot be written.
pub fn supply(
    inputs: &SupplyInputs,
    regions: &RegionsInput,
    out: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<(SupplyOutcome, Vec<PathBuf>)> {
    let staged = fzc_io::StagedDir::new(out)?;
    let tif = staged.path().join("supply.tif");
    let outcome = supply_per_region(inputs, regions, Some(&tif), progress)?;
    write_region_csv(
        &staged.path().join("supply-regions.csv"),
        "supply",
        &outcome.regions,
    )?;
    staged.commit()?;
    Ok((outcome, SUPPLY_FILES.iter().map(|f| out.join(f)).collect()))
}

/// `fzc cssf demand`: demand (Eq 12) per region, θ calibrated to each region's emissions,
/// with `plugin` in place of the built-in estimator when given, and [`DEMAND_FILES`] written
/// into `out`, all or nothing. Returns the outcome and the files written.
///
/// # Errors
/// No population source (a raster, or census totals with a land-use raster and class
/// weights unless `plugin` estimates); as [`fzc_scenario::rasters::demand_per_region`]; a
/// file that cannot be written.
pub fn demand(
    inputs: &DemandInputs,
    regions: &RegionsInput,
    plugin: Option<&dyn DemandEstimator>,
    out: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<(DemandOutcome, Vec<PathBuf>)> {
    if inputs.population.is_none() && inputs.lulc.is_none() {
        bail!(
            "give a population raster, or census totals with a land-use raster and class weights"
        );
    }
    if plugin.is_none() && inputs.population.is_none() && inputs.class_weights.is_none() {
        bail!("class weights are required with census totals (or give a demand-estimator plugin)");
    }
    let staged = fzc_io::StagedDir::new(out)?;
    let tif = staged.path().join("demand.tif");
    let outcome = demand_per_region(inputs, regions, plugin, Some(&tif), progress)?;
    write_region_csv(
        &staged.path().join("demand-regions.csv"),
        "demand",
        &outcome.regions,
    )?;
    staged.commit()?;
    Ok((outcome, DEMAND_FILES.iter().map(|f| out.join(f)).collect()))
}

/// A CSV field, quoted when it needs to be.
fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A JSON string literal.
fn json_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
