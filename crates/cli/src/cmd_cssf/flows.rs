//! `fzc cssf flows`: CSSDR per region and the breakpoint flow model between regions.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use fzc_core::{Progress, RegionFlow};
use fzc_cssf_flow::{BreakpointModel, Core, CssfRun, ImpactFactor, Intensity, Mass, Role};
use fzc_io::RegionBalanceRow;
use fzc_pipeline::cssf_job::{self, FLOW_FILES, FlowsJob};
use fzc_scenario::fixed;

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
    let files: Vec<String> = FLOW_FILES
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
/// `&ui.progress_sink()`), writes the files, and returns the run (after a `--plugin`
/// replaced its flows). The work is `fzc_pipeline::cssf_job`'s; this only maps the flags.
pub fn run_with_progress(
    args: &FlowsArgs,
    balance: Vec<RegionBalanceRow>,
    balance_name: &str,
    progress: &dyn Progress,
) -> anyhow::Result<CssfRun> {
    let plugin = args
        .plugin
        .as_deref()
        .map(|path| load_flow_model(path, &args.params))
        .transpose()?;
    let job = FlowsJob {
        regions: args.regions.clone(),
        id_field: args.id_field.clone(),
        unit: args.unit.parse().context("--unit")?,
        model: args.model()?,
        flow_model: plugin.as_deref(),
    };
    let outcome = cssf_job::flows(&job, balance, balance_name, progress)?;
    for note in &outcome.notes {
        tracing::warn!("{note}");
    }
    if let Some(name) = &outcome.flow_model {
        tracing::info!("flows from plugin model `{name}`");
    }
    cssf_job::write_flows(&args.out, &outcome.run)?;
    let run = outcome.run;
    let moved: f64 = run.flows.iter().map(|f| f.transfer.0).sum();
    tracing::info!(
        "{} regions, {} output–input pairs, {:.3} t transferred",
        run.regions.len(),
        run.flows.len(),
        moved
    );
    Ok(run)
}

impl FlowsArgs {
    /// The built-in model the flags describe.
    pub(super) fn model(&self) -> anyhow::Result<BreakpointModel> {
        breakpoint_model(self.k, self.intensity, self.mass, self.core)
    }
}

/// The built-in breakpoint model of `--k`, `--intensity`, `--mass` and `--core`.
pub(super) fn breakpoint_model(
    k: f64,
    intensity: IntensityArg,
    mass: MassArg,
    core: CoreArg,
) -> anyhow::Result<BreakpointModel> {
    Ok(BreakpointModel {
        k: ImpactFactor::new(k).context("--k")?,
        intensity: match intensity {
            IntensityArg::SurplusOverRange => Intensity::SurplusOverRange,
            IntensityArg::AsPrinted => Intensity::AsPrinted,
        },
        mass: match mass {
            MassArg::Demand => Mass::Demand,
            MassArg::Supply => Mass::Supply,
            MassArg::Balance => Mass::Balance,
        },
        core: match core {
            CoreArg::Centroid => Core::Centroid,
            CoreArg::InteriorPoint => Core::InteriorPoint,
            CoreArg::Given => Core::Given,
        },
        ..BreakpointModel::default()
    })
}

/// The flow model of the plugin library at `path` with `--param`s.
pub(super) fn load_flow_model(
    path: &Path,
    params: &[String],
) -> anyhow::Result<Box<dyn fzc_core::FlowModel>> {
    let plugin = fzc_plugin_host::load(path)?;
    let model = plugin
        .flow_model(&crate::cmd_plugins::parse_params(params)?)
        .with_context(|| format!("--plugin {}", path.display()))?;
    Ok(model)
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
