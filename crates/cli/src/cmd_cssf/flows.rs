//! `fzc cssf flows`: CSSDR per region and the breakpoint flow model between regions.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use fzc_core::{FlowRegion, MassUnit, Progress, RegionFlow, TonnesCo2};
use fzc_cssf_flow::geodesic::{RegionPolygon, find_overlaps};
use fzc_cssf_flow::{BreakpointModel, Core, CssfRun, ImpactFactor, Intensity, Mass, Role};
use fzc_io::RegionBalanceRow;

use crate::ui::{self, Ui};

/// Arguments of `fzc cssf flows`.
#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// Region polygons: a GeoJSON FeatureCollection, a folder of GeoJSON files (one region
    /// per file, named by the file stem unless --id-field is given), or a Shapefile (`.shp`,
    /// geographic WGS84 `.prj`).
    #[arg(long)]
    pub(super) regions: PathBuf,
    /// The feature property holding the region id.
    #[arg(long)]
    pub(super) id_field: Option<String>,
    /// CSV with the header `region,supply,demand` (and `core_lon,core_lat` for --core given).
    #[arg(long)]
    pub(super) balance: PathBuf,
    /// Mass unit of supply and demand in the balance table (t, kt, 10^4 t, Mt, ...).
    #[arg(long, default_value = "t", value_parser = crate::arg_ranges::mass_unit)]
    pub(super) unit: String,
    /// Impact factor k of Eq 16, in [0, 1].
    #[arg(long, default_value_t = 0.6, value_parser = crate::arg_ranges::unit_interval)]
    pub(super) k: f64,
    /// Flow intensity (Eq 15).
    #[arg(long, value_enum, default_value_t = IntensityArg::SurplusOverRange)]
    pub(super) intensity: IntensityArg,
    /// Masses compared by the breakpoint formula (Eq 14).
    #[arg(long, value_enum, default_value_t = MassArg::Demand)]
    pub(super) mass: MassArg,
    /// Region cores.
    #[arg(long, value_enum, default_value_t = CoreArg::Centroid)]
    pub(super) core: CoreArg,
    /// Output folder (created if missing).
    #[arg(long)]
    pub(super) out: PathBuf,
    /// A flow-model plugin library (.so, .dylib, .dll) that replaces the built-in
    /// breakpoint model for the flows and cores; CSSDR and roles stay Eq 13's.
    #[arg(long)]
    pub(super) plugin: Option<PathBuf>,
    /// A parameter of the --plugin, repeatable (declared defaults fill in the rest).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "plugin")]
    pub(super) params: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum IntensityArg {
    SurplusOverRange,
    AsPrinted,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum MassArg {
    Demand,
    Supply,
    Balance,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum CoreArg {
    Centroid,
    InteriorPoint,
    Given,
}

/// Overlaps above this fraction of the smaller region are reported as warnings.
const OVERLAP_WARNING_FRACTION: f64 = 0.01;

/// The files `fzc cssf flows` writes into its output folder.
const FILES: [&str; 3] = ["cssf-regions.csv", "cssf-flows.csv", "cssf-flows.geojson"];

/// Runs `fzc cssf flows`: the flows with a progress bar over the pairs, then the summary on
/// stdout (a table, or JSON with `--json`).
pub fn run(args: FlowsArgs, ui: Ui) -> anyhow::Result<()> {
    let balance = fzc_io::read_region_balance(&args.balance)?;
    let run = run_with_progress(
        &args,
        balance,
        &args.balance.display().to_string(),
        &ui.progress_sink(),
    )?;
    let files: Vec<String> = FILES
        .iter()
        .map(|f| args.out.join(f).display().to_string())
        .collect();
    if ui.json {
        ui::print(&format!("{}\n", summary_json(&run, &files)))
    } else {
        ui::print(&summary_text(&run, &files))
    }
}

/// Runs `fzc cssf flows` on a balance table already in memory (`balance_name` names it in
/// errors; `args.balance` is not read), reporting the flow pairs to `progress` (e.g.
/// `&ui.progress_sink()`), and returns the run (after a `--plugin` replaced its flows).
/// Prints nothing.
pub fn run_with_progress(
    args: &FlowsArgs,
    balance: Vec<RegionBalanceRow>,
    balance_name: &str,
    progress: &dyn Progress,
) -> anyhow::Result<CssfRun> {
    let unit: MassUnit = args.unit.parse().context("--unit")?;
    let model = BreakpointModel {
        k: ImpactFactor::new(args.k).context("--k")?,
        intensity: match args.intensity {
            IntensityArg::SurplusOverRange => Intensity::SurplusOverRange,
            IntensityArg::AsPrinted => Intensity::AsPrinted,
        },
        mass: match args.mass {
            MassArg::Demand => Mass::Demand,
            MassArg::Supply => Mass::Supply,
            MassArg::Balance => Mass::Balance,
        },
        core: match args.core {
            CoreArg::Centroid => Core::Centroid,
            CoreArg::InteriorPoint => Core::InteriorPoint,
            CoreArg::Given => Core::Given,
        },
        ..BreakpointModel::default()
    };
    let is_shapefile = args
        .regions
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    let shapes = if is_shapefile {
        fzc_io::read_shapefile_regions(&args.regions, args.id_field.as_deref())?
    } else {
        fzc_io::read_geojson_regions(&args.regions, args.id_field.as_deref())?
    };
    let shape_ids: BTreeSet<&str> = shapes.iter().map(|(id, _)| id.as_str()).collect();
    let table_ids: BTreeSet<&str> = balance.iter().map(|r| r.id.as_str()).collect();
    if shape_ids != table_ids {
        let only_shapes: Vec<&str> = shape_ids.difference(&table_ids).copied().collect();
        let only_table: Vec<&str> = table_ids.difference(&shape_ids).copied().collect();
        bail!(
            "the region ids of {} and {} differ: only in the polygons: [{}]; only in the balance table: [{}]",
            args.regions.display(),
            balance_name,
            only_shapes.join(", "),
            only_table.join(", ")
        );
    }
    // Both lists are sorted by id and hold the same ids, so they pair up in order.
    let regions: Vec<FlowRegion> = shapes
        .into_iter()
        .zip(balance)
        .map(|((id, shape), row)| FlowRegion {
            id,
            supply: TonnesCo2(row.supply * unit.tonnes_per_unit()),
            demand: TonnesCo2(row.demand * unit.tonnes_per_unit()),
            given_core: row.core,
            shape,
        })
        .collect();
    if model.core == Core::Given
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
        .with_context(|| format!("polygons of {}", args.regions.display()))?;
    for overlap in find_overlaps(&polygons, OVERLAP_WARNING_FRACTION)? {
        tracing::warn!(
            "regions `{}` and `{}` overlap by {:.3} km² ({:.1}% of the smaller); flows are computed per region, the overlap is counted in both",
            overlap.a,
            overlap.b,
            overlap.area_km2,
            100.0 * overlap.fraction_of_smaller
        );
    }
    let mut run = if args.plugin.is_some() {
        // The plugin replaces the flows: the built-in model only supplies CSSDR, roles and
        // areas, so its pairs are not worth a bar.
        model.run_prepared(&regions, &polygons)?
    } else {
        model.run_prepared_with_progress(&regions, &polygons, progress)?
    };
    if let Some(path) = &args.plugin {
        replace_flows(&mut run, &regions, path, &args.params)?;
    }
    let staged = fzc_io::StagedDir::new(&args.out)?;
    write_regions(&staged.path().join(FILES[0]), &run)?;
    write_flows(&staged.path().join(FILES[1]), &run)?;
    write_geojson(&staged.path().join(FILES[2]), &run)?;
    staged.commit()?;
    let moved: f64 = run.flows.iter().map(|f| f.transfer.0).sum();
    tracing::info!(
        "{} regions, {} output–input pairs, {:.3} t transferred",
        run.regions.len(),
        run.flows.len(),
        moved
    );
    Ok(run)
}

/// How many regions have each role: (output, input, balanced or undefined).
fn role_counts(run: &CssfRun) -> (usize, usize, usize) {
    let count = |role: Role| run.regions.iter().filter(|r| r.role == role).count();
    let (output, input) = (count(Role::Output), count(Role::Input));
    (output, input, run.regions.len() - output - input)
}

/// The largest transfer, the first by (from, to) id on ties.
fn largest_flow(run: &CssfRun) -> Option<&RegionFlow> {
    let mut flows: Vec<&RegionFlow> = run.flows.iter().filter(|f| f.transfer.0 > 0.0).collect();
    flows.sort_by(|a, b| {
        (&run.regions[a.from].id, &run.regions[a.to].id)
            .cmp(&(&run.regions[b.from].id, &run.regions[b.to].id))
    });
    flows
        .into_iter()
        .fold(None, |best: Option<&RegionFlow>, f| match best {
            Some(b) if b.transfer.0 >= f.transfer.0 => Some(b),
            _ => Some(f),
        })
}

/// The summary `fzc cssf flows` prints.
fn summary_text(run: &CssfRun, files: &[String]) -> String {
    let (output, input, other) = role_counts(run);
    let moved: f64 = run.flows.iter().map(|f| f.transfer.0).sum();
    let mut out = format!(
        "CSSF flows for {} regions ({output} output, {input} input, {other} balanced): \
         {} output–input pairs, {} t transferred\n",
        run.regions.len(),
        run.flows.len(),
        fixed(moved, 3)
    );
    if let Some(f) = largest_flow(run) {
        out.push_str(&format!(
            "  largest flow {} → {}: {} t over {} km²\n",
            run.regions[f.from].id,
            run.regions[f.to].id,
            fixed(f.transfer.0, 3),
            fixed(f.area_km2, 3)
        ));
    }
    for file in files {
        out.push_str(&format!("  wrote {file}\n"));
    }
    out
}

/// `--json`: per region its CSSDR, role and the transfers it provides and receives (t).
fn summary_json(run: &CssfRun, files: &[String]) -> String {
    let (output, input, other) = role_counts(run);
    let regions: Vec<serde_json::Value> = run
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "region": r.id.as_str(),
                "supply_t": r.supply.0,
                "demand_t": r.demand.0,
                "cssdr": r.cssdr,
                "role": r.role.as_str(),
                "provided_t": run.provided(i).0,
                "received_t": run.received(i).0,
            })
        })
        .collect();
    let value = serde_json::json!({
        "region_count": run.regions.len(),
        "output_regions": output,
        "input_regions": input,
        "balanced_regions": other,
        "pair_count": run.flows.len(),
        "transferred_t": run.flows.iter().map(|f| f.transfer.0).sum::<f64>(),
        "regions": regions,
        "files": files,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Replaces the breakpoint model's flows and cores in `run` by those of the flow-model
/// plugin at `path` (CSSDR, roles and areas do not depend on the flow model).
fn replace_flows(
    run: &mut CssfRun,
    regions: &[FlowRegion],
    path: &Path,
    params: &[String],
) -> anyhow::Result<()> {
    let plugin = fzc_plugin_host::load(path)?;
    let model = plugin
        .flow_model(&crate::cmd_plugins::parse_params(params)?)
        .with_context(|| format!("--plugin {}", path.display()))?;
    let output = model
        .flows(regions)
        .map_err(|e| match &e.region {
            Some(region) => anyhow::anyhow!("region `{region}`: {}", e.message),
            None => anyhow::anyhow!("{}", e.message),
        })
        .with_context(|| format!("flow model `{}` ({})", model.name(), path.display()))?;
    if output.cores.len() != run.regions.len() {
        bail!(
            "flow model `{}` ({}) returned {} cores for {} regions",
            model.name(),
            path.display(),
            output.cores.len(),
            run.regions.len()
        );
    }
    for (region, core) in run.regions.iter_mut().zip(output.cores) {
        region.core = core;
    }
    run.flows = output.flows;
    tracing::info!("flows from plugin model `{}`", model.name());
    Ok(())
}

fn write_regions(path: &Path, run: &CssfRun) -> anyhow::Result<()> {
    fzc_io::write_atomically(path, |w| {
        writeln!(w, "region,supply,demand,cssdr,role,core_lon,core_lat")?;
        for r in &run.regions {
            let cssdr = r.cssdr.map(|v| fixed(v, 9)).unwrap_or_default();
            writeln!(
                w,
                "{},{},{},{},{},{},{}",
                csv_text(r.id.as_str()),
                fixed(r.supply.0, 3),
                fixed(r.demand.0, 3),
                cssdr,
                r.role,
                fixed(r.core.lon_deg, 9),
                fixed(r.core.lat_deg, 9)
            )?;
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", path.display()))
}

fn write_flows(path: &Path, run: &CssfRun) -> anyhow::Result<()> {
    let mut flows = run.flows.clone();
    flows.sort_by(|a, b| {
        (&run.regions[a.from].id, &run.regions[a.to].id)
            .cmp(&(&run.regions[b.from].id, &run.regions[b.to].id))
    });
    fzc_io::write_atomically(path, |w| {
        writeln!(
            w,
            "from,to,distance_km,range_km,area_km2,intensity,transfer"
        )?;
        for f in &flows {
            writeln!(
                w,
                "{},{},{},{},{},{},{}",
                csv_text(run.regions[f.from].id.as_str()),
                csv_text(run.regions[f.to].id.as_str()),
                fixed(f.distance_km, 6),
                fixed(f.range_km, 6),
                fixed(f.area_km2, 6),
                fixed(f.intensity_t_per_km2, 6),
                fixed(f.transfer.0, 3)
            )?;
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", path.display()))
}

fn write_geojson(path: &Path, run: &CssfRun) -> anyhow::Result<()> {
    let mut features = Vec::new();
    let mut flows: Vec<_> = run.flows.iter().filter(|f| f.transfer.0 > 0.0).collect();
    flows.sort_by(|a, b| {
        (&run.regions[a.from].id, &run.regions[a.to].id)
            .cmp(&(&run.regions[b.from].id, &run.regions[b.to].id))
    });
    for f in flows {
        let (from, to) = (&run.regions[f.from], &run.regions[f.to]);
        features.push(format!(
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
        ));
    }
    fzc_io::write_atomically(path, |w| {
        writeln!(w, r#"{{"type":"FeatureCollection","features":["#)?;
        for (i, f) in features.iter().enumerate() {
            let comma = if i + 1 < features.len() { "," } else { "" };
            writeln!(w, "{f}{comma}")?;
        }
        writeln!(w, "]}}")
    })
    .with_context(|| format!("writing {}", path.display()))
}

/// A number with a fixed count of decimals, never written as `-0`.
fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
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
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
