//! Layers that start from raw inputs: the ECT layer from an MRIO table, the CSSF layer from
//! region polygons and a supply/demand balance table.
//!
//! Nothing here computes a layer: reading is `fzc-io`'s, the ECT accounts are
//! `fzc-ect-mrio`'s and the breakpoint flows are `fzc-cssf-flow`'s. This module checks that
//! the regions of the raw inputs are exactly the scenario's, converts units to t CO2 and maps
//! the results onto the scenario's region indices, so that the runner sees the same
//! [`EctResults`] and [`CssfTransfer`]s as for a scenario given as tables.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fzc_core::{
    FlowModel, FlowRegion, LonLat, MassUnit, Progress, RegionFlow, RegionId, TonnesCo2,
};
use fzc_cssf_flow::geodesic::{RegionPolygon, find_overlaps};
use fzc_cssf_flow::{BreakpointModel, Core, ImpactFactor, Intensity, Mass};
use fzc_ect_mrio::{
    EctAccounts, EctMethod, EctOptions, FactoredEct, RegionMap, aggregate_regions,
    aggregate_sectors, compute_ect_with_progress,
};
use fzc_io::MrioFormat;
use serde::Deserialize;

use crate::ScenarioError;
use crate::bilateral::BilateralRule;
use crate::model::{CssfTransfer, EctResults, GivenNet, MrioLayerModel, Provenance};

/// Overlaps above this fraction of the smaller region are reported (as `fzc cssf flows` does).
const OVERLAP_WARNING_FRACTION: f64 = 0.01;

/// `[ect] format`: the MRIO's file format (detected from the path when omitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FormatKey {
    Pymrio,
    Exiobase3,
    OecdIcio,
    Eora26,
    Csv,
    CeadsMat,
    Gloria,
    CeadsXlsx,
}

/// `[ect] method`: how emissions are attributed to pairs of regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MethodKey {
    #[default]
    FinalDemand,
    Eebt,
}

/// `[cssf] intensity`: Eq 15's flow intensity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum IntensityKey {
    #[default]
    SurplusOverRange,
    AsPrinted,
}

/// `[cssf] mass`: the masses Eq 14 compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MassKey {
    #[default]
    Demand,
    Supply,
    Balance,
}

/// `[cssf] core`: how each region's core is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum CoreKey {
    #[default]
    Centroid,
    InteriorPoint,
    Given,
}

/// The ECT layer's raw-input options, with paths already resolved.
pub(crate) struct MrioInput<'a> {
    pub(crate) mrio: PathBuf,
    pub(crate) format: Option<FormatKey>,
    pub(crate) extension: Option<&'a str>,
    pub(crate) stressor: &'a str,
    pub(crate) method: MethodKey,
    pub(crate) aggregate: Option<PathBuf>,
    pub(crate) region_map: Option<PathBuf>,
    pub(crate) energy: Option<PathBuf>,
    pub(crate) coefficients: Option<PathBuf>,
    pub(crate) emissions: Option<PathBuf>,
    pub(crate) city_names: Option<PathBuf>,
}

/// The CSSF layer's raw-input options, with paths already resolved.
pub(crate) struct PolygonInput<'a> {
    pub(crate) regions: PathBuf,
    pub(crate) id_field: Option<&'a str>,
    pub(crate) balance: PathBuf,
    pub(crate) unit: MassUnit,
    pub(crate) k: f64,
    pub(crate) intensity: IntensityKey,
    pub(crate) mass: MassKey,
    pub(crate) core: CoreKey,
}

/// The ECT layer from an MRIO: `NF` per region and the complete bilateral net matrix, in
/// t CO2, indexed like `regions`.
///
/// # Units
/// Converts from the satellite's [`MassUnit`] to t CO2.
///
/// # Errors
/// [`ScenarioError::Input`] from reading, [`ScenarioError::RegionsDiffer`] when the MRIO's
/// regions are not the scenario's, [`ScenarioError::Layer`] from aggregation or the ECT
/// computation.
pub(crate) fn ect_from_mrio(
    input: &MrioInput<'_>,
    regions: &[RegionId],
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
    keep: bool,
) -> Result<(EctResults, Option<MrioLayerModel>), ScenarioError> {
    let format = input.format.map(|f| match f {
        FormatKey::Pymrio => MrioFormat::Pymrio,
        FormatKey::Exiobase3 => MrioFormat::Exiobase3,
        FormatKey::OecdIcio => MrioFormat::OecdIcio,
        FormatKey::Eora26 => MrioFormat::Eora26,
        FormatKey::Csv => MrioFormat::Csv,
        FormatKey::CeadsMat => MrioFormat::CeadsMat,
        FormatKey::Gloria => MrioFormat::Gloria,
        FormatKey::CeadsXlsx => MrioFormat::CeadsXlsx,
    });
    let side = fzc_io::SideFiles {
        emissions: input.emissions.clone(),
        city_names: input.city_names.clone(),
    };
    let mut data = fzc_io::read_mrio_with_progress(&input.mrio, format, &side, progress)?;
    match (&input.energy, &input.coefficients) {
        (Some(energy), coefficients) => {
            let coefficients = match coefficients {
                Some(path) => fzc_io::read_carbon_coefficients(path)?,
                None => fzc_ect_mrio::CarbonCoefficients::ipcc_2006(),
            };
            let row = fzc_io::read_energy_satellite(energy, &data.table, &coefficients)?;
            data.stressors.push(row);
        }
        (None, Some(path)) => {
            return Err(ScenarioError::Layer {
                path: path.clone(),
                what: "reading Eq 1's carbon coefficients",
                message: "[ect] coefficients needs `energy`, the energy-use table".to_owned(),
            });
        }
        (None, None) => {}
    }
    let mut satellite = data.satellite(input.extension, input.stressor)?;
    let mut table = data.table;
    if let Some(path) = &input.aggregate {
        let concordance = fzc_io::read_concordance(path)?;
        let (t, mut sats) = aggregate_sectors(&table, &[satellite], &concordance).map_err(|e| {
            ScenarioError::Layer {
                path: path.clone(),
                what: "aggregating sectors",
                message: e.to_string(),
            }
        })?;
        table = t;
        satellite = sats.remove(0);
    }
    // Refuse a region mismatch before the long computation when nothing is aggregated.
    if input.region_map.is_none() {
        match_regions(&input.mrio, "MRIO", &table.regions, regions)?;
    }
    let options = EctOptions {
        method: match input.method {
            MethodKey::FinalDemand => EctMethod::FinalDemand,
            MethodKey::Eebt => EctMethod::Eebt,
        },
        ..EctOptions::default()
    };
    let layer_error = |e: fzc_ect_mrio::MrioError| ScenarioError::Layer {
        path: input.mrio.clone(),
        what: "computing embodied carbon transfers",
        message: e.to_string(),
    };
    // Final demand: keep the factored table for the uncertainty parameters ect.mrio.y/f.
    // The accounts are the same numbers either way (one code path in fzc-ect-mrio).
    let (accounts, factored) = if keep && options.method == EctMethod::FinalDemand {
        let (factored, accounts) =
            FactoredEct::new_with_progress(table, &satellite, &options, progress)
                .map_err(layer_error)?;
        (accounts, Some(factored))
    } else {
        let accounts = compute_ect_with_progress(table, &satellite, &options, progress)
            .map_err(layer_error)?;
        (accounts, None)
    };
    let region_map = match &input.region_map {
        Some(path) => Some((path.clone(), fzc_io::read_region_map(path)?)),
        None => None,
    };
    let accounts = aggregate(accounts, region_map.as_ref())?;
    let index = match_regions(&input.mrio, "MRIO", &accounts.regions, regions)?;
    warnings.extend(
        accounts
            .warnings
            .iter()
            .map(|w| format!("{}: {w}", input.mrio.display())),
    );
    let results = ect_results(&accounts, &index);
    let model = factored
        .map(|factored| MrioLayerModel::new(factored, region_map, index, input.mrio.clone()));
    Ok((results, model))
}

/// The accounts with the table's regions aggregated by the `[ect] region_map`, if any.
pub(crate) fn aggregate(
    accounts: EctAccounts,
    region_map: Option<&(PathBuf, RegionMap)>,
) -> Result<EctAccounts, ScenarioError> {
    match region_map {
        Some((path, map)) => aggregate_regions(&accounts, map).map_err(|e| ScenarioError::Layer {
            path: path.clone(),
            what: "aggregating regions",
            message: e.to_string(),
        }),
        None => Ok(accounts),
    }
}

/// `NF` and the bilateral nets of `accounts` in t CO2, on the scenario's regions
/// (`index[a]` is the scenario index of the accounts' region `a`).
pub(crate) fn ect_results(accounts: &EctAccounts, index: &[usize]) -> EctResults {
    // fzc-ect-mrio converts from the satellite's unit to t CO2 (net_tonnes, bilateral_nets).
    let mut net = vec![TonnesCo2(0.0); index.len()];
    for (a, (_, nf)) in accounts.net_tonnes().into_iter().enumerate() {
        net[index[a]] = nf;
    }
    let table_index: std::collections::HashMap<&RegionId, usize> = accounts
        .regions
        .iter()
        .enumerate()
        .map(|(a, id)| (id, a))
        .collect();
    let mut given = Vec::new();
    for entry in accounts.bilateral_nets() {
        // Both ids come from `accounts.regions`, so the look-ups cannot miss.
        if let (Some(&a), Some(&b)) = (
            table_index.get(&entry.region),
            table_index.get(&entry.counterpart),
        ) {
            given.push(GivenNet {
                from: index[a],
                to: index[b],
                tonnes: entry.nt,
                provenance: Provenance::Computed,
            });
        }
    }
    given.sort_by_key(|g| (g.from, g.to));
    EctResults {
        net,
        net_provenance: vec![Provenance::Computed; index.len()],
        given,
        rule: BilateralRule::Given,
    }
}

/// The CSSF layer from polygons and a balance table, by `fzc-cssf-flow`'s breakpoint model
/// or, when given, the caller's `plugin` model: every output → input pair with a positive
/// transfer. Each transfer keeps the flow range and core distance the model
/// computed and both regions' cores, for the report's flow map.
///
/// # Units
/// Supply and demand are converted from `input.unit` to t; transfers are in t CO2.
///
/// # Errors
/// [`ScenarioError::Input`] from reading, [`ScenarioError::RegionsDiffer`] when the
/// polygons' or the balance table's regions are not the scenario's, [`ScenarioError::Layer`]
/// from the flow model (invalid polygon, `k` out of range, a missing given core).
pub(crate) fn cssf_from_polygons(
    input: &PolygonInput<'_>,
    regions: &[RegionId],
    plugin: Option<&dyn FlowModel>,
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<ComputedCssf, ScenarioError> {
    let balance = fzc_io::read_region_balance(&input.balance)?;
    cssf_from_balance(input, balance, regions, plugin, warnings, progress).map(|(c, _)| c)
}

/// [`cssf_from_polygons`] with the balance rows already at hand (e.g. computed from rasters);
/// `input.balance` only names their source in messages.
///
/// # Errors
/// As [`cssf_from_polygons`].
pub(crate) fn cssf_from_balance(
    input: &PolygonInput<'_>,
    balance: Vec<fzc_io::RegionBalanceRow>,
    regions: &[RegionId],
    plugin: Option<&dyn FlowModel>,
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<(ComputedCssf, PreparedFlows), ScenarioError> {
    let prepared = prepare_flows(input, balance, regions, warnings)?;
    let computed = run_flows(
        &prepared,
        &prepared.flow_regions,
        plugin,
        regions.len(),
        progress,
    )?;
    Ok((computed, prepared))
}

/// What the flow model runs on: the breakpoint model's settings, the regions with their
/// shapes, supply and demand (sorted by id), their prepared polygons, and each one's index
/// among the scenario's regions. Kept by a scenario whose supply the uncertainty analysis
/// recomputes (`pools.*`), so a draw runs the model without reading the polygons again.
#[derive(Debug, Clone)]
pub(crate) struct PreparedFlows {
    pub(crate) model: BreakpointModel,
    pub(crate) flow_regions: Vec<FlowRegion>,
    pub(crate) polygons: Vec<RegionPolygon>,
    pub(crate) shape_index: Vec<usize>,
    /// Converts the balance's supply unit to t.
    pub(crate) to_tonnes: f64,
    /// The polygons' file, for messages.
    pub(crate) regions_path: PathBuf,
}

/// Reads the polygons, pairs them with `balance`, checks both against the scenario's
/// regions, prepares the polygons and reports overlaps: everything before the model runs.
fn prepare_flows(
    input: &PolygonInput<'_>,
    mut balance: Vec<fzc_io::RegionBalanceRow>,
    regions: &[RegionId],
    warnings: &mut Vec<String>,
) -> Result<PreparedFlows, ScenarioError> {
    balance.sort_by(|a, b| a.id.cmp(&b.id));
    let layer_err = |path: &Path, e: fzc_cssf_flow::CssfError| ScenarioError::Layer {
        path: path.to_owned(),
        what: "running the CSSF breakpoint model",
        message: e.to_string(),
    };
    let model = BreakpointModel {
        k: ImpactFactor::new(input.k).map_err(|e| layer_err(&input.balance, e))?,
        intensity: match input.intensity {
            IntensityKey::SurplusOverRange => Intensity::SurplusOverRange,
            IntensityKey::AsPrinted => Intensity::AsPrinted,
        },
        mass: match input.mass {
            MassKey::Demand => Mass::Demand,
            MassKey::Supply => Mass::Supply,
            MassKey::Balance => Mass::Balance,
        },
        core: match input.core {
            CoreKey::Centroid => Core::Centroid,
            CoreKey::InteriorPoint => Core::InteriorPoint,
            CoreKey::Given => Core::Given,
        },
        ..BreakpointModel::default()
    };
    let shapes = fzc_io::read_regions(&input.regions, input.id_field)?;
    let shape_ids: Vec<RegionId> = shapes.iter().map(|(id, _)| id.clone()).collect();
    let balance_ids: Vec<RegionId> = balance.iter().map(|row| row.id.clone()).collect();
    let shape_index = match_regions(&input.regions, "region polygons", &shape_ids, regions)?;
    match_regions(&input.balance, "balance table", &balance_ids, regions)?;
    // Both lists are sorted by id and hold the scenario's ids, so they pair up in order.
    let to_tonnes = input.unit.tonnes_per_unit();
    let flow_regions: Vec<FlowRegion> = shapes
        .into_iter()
        .zip(balance)
        .map(|((id, shape), row)| FlowRegion {
            id,
            supply: TonnesCo2(row.supply * to_tonnes),
            demand: TonnesCo2(row.demand * to_tonnes),
            given_core: row.core,
            shape,
        })
        .collect();
    if model.core == Core::Given
        && let Some(r) = flow_regions.iter().find(|r| r.given_core.is_none())
    {
        return Err(ScenarioError::Table {
            path: input.balance.clone(),
            line: 1,
            message: format!(
                "region {:?} has no core_lon/core_lat, which cssf.core = \"given\" requires",
                r.id.as_str()
            ),
        });
    }
    let polygons: Vec<RegionPolygon> = flow_regions
        .iter()
        .map(|r| RegionPolygon::new(r.id.clone(), &r.shape))
        .collect::<Result<_, _>>()
        .map_err(|e| layer_err(&input.regions, e))?;
    let overlaps = find_overlaps(&polygons, OVERLAP_WARNING_FRACTION)
        .map_err(|e| layer_err(&input.regions, e))?;
    for overlap in overlaps {
        warnings.push(format!(
            "{}: regions {:?} and {:?} overlap by {:.3} km² ({:.1}% of the smaller); flows are \
             computed per region, the overlap is counted in both",
            input.regions.display(),
            overlap.a.as_str(),
            overlap.b.as_str(),
            overlap.area_km2,
            100.0 * overlap.fraction_of_smaller
        ));
    }
    Ok(PreparedFlows {
        model,
        flow_regions,
        polygons,
        shape_index,
        to_tonnes,
        regions_path: input.regions.clone(),
    })
}

/// Runs the breakpoint model (or `plugin`) on prepared regions: the positive transfers and
/// every scenario region's core. `flow_regions` are `prepared.flow_regions` or a copy with
/// other supply and demand (same regions, same order).
pub(crate) fn run_flows(
    prepared: &PreparedFlows,
    flow_regions: &[FlowRegion],
    plugin: Option<&dyn FlowModel>,
    region_count: usize,
    progress: &dyn Progress,
) -> Result<ComputedCssf, ScenarioError> {
    let PreparedFlows {
        model,
        polygons,
        shape_index,
        regions_path,
        ..
    } = prepared;
    let layer_err = |path: &Path, e: fzc_cssf_flow::CssfError| ScenarioError::Layer {
        path: path.to_owned(),
        what: "running the CSSF breakpoint model",
        message: e.to_string(),
    };
    // The cores the model used, in the order of `flow_regions` (empty if a plugin gave none).
    let (flows, cores): (Vec<RegionFlow>, Vec<LonLat>) = match plugin {
        None => {
            let run = model
                .run_prepared_with_progress(flow_regions, polygons, progress)
                .map_err(|e| layer_err(regions_path, e))?;
            (run.flows, run.regions.iter().map(|r| r.core).collect())
        }
        Some(plugin) => {
            progress.begin("CSSF flows (flow-model plugin)", 0);
            let run = plugin.flows(flow_regions);
            progress.finish();
            let run = run.map_err(|e| ScenarioError::Layer {
                path: regions_path.clone(),
                what: "running the cssf.model flow-model plugin",
                message: format!("{}: {e}", plugin.name()),
            })?;
            if let Some(f) = run.flows.iter().find(|f| {
                f.from >= shape_index.len()
                    || f.to >= shape_index.len()
                    || !(f.transfer.0.is_finite() && f.transfer.0 >= 0.0)
            }) {
                return Err(ScenarioError::Layer {
                    path: regions_path.clone(),
                    what: "running the cssf.model flow-model plugin",
                    message: format!(
                        "{}: flow {} -> {} has transfer {} t; expected region indices below {} \
                         and a finite transfer >= 0 t",
                        plugin.name(),
                        f.from,
                        f.to,
                        f.transfer.0,
                        shape_index.len()
                    ),
                });
            }
            (run.flows, run.cores)
        }
    };
    let core = |i: usize| cores.get(i).copied();
    let mut out: Vec<CssfTransfer> = flows
        .iter()
        .filter(|f| f.transfer.0 > 0.0)
        .map(|f| CssfTransfer {
            output: shape_index[f.from],
            input: shape_index[f.to],
            tonnes: f.transfer,
            provenance: Provenance::Computed,
            range_km: Some(f.range_km),
            distance_km: Some(f.distance_km),
            output_core: core(f.from),
            input_core: core(f.to),
        })
        .collect();
    out.sort_by_key(|t| (t.output, t.input));
    // Every region's core, in the scenario's order: also those in no positive transfer.
    let mut model_cores = vec![None; region_count];
    for (k, &i) in shape_index.iter().enumerate() {
        if let Some(slot) = model_cores.get_mut(i) {
            *slot = core(k);
        }
    }
    Ok(ComputedCssf {
        transfers: out,
        cores: model_cores,
    })
}

/// A CSSF layer computed from polygons: its positive transfers, and the core the flow model
/// used for every region.
#[derive(Debug)]
pub(crate) struct ComputedCssf {
    /// Transfers with `tonnes > 0`, sorted by (output, input).
    pub transfers: Vec<CssfTransfer>,
    /// Per scenario region (index into the scenario's regions), the model's core; `None`
    /// only when a flow-model plugin returned no cores.
    pub cores: Vec<Option<LonLat>>,
}

/// For each region of a raw input, its index among the scenario's regions.
///
/// # Errors
/// [`ScenarioError::RegionsDiffer`] listing the regions only in the input and only in the
/// scenario (ids compare exactly, case included).
pub(crate) fn match_regions(
    path: &Path,
    what: &'static str,
    found: &[RegionId],
    regions: &[RegionId],
) -> Result<Vec<usize>, ScenarioError> {
    let found_set: BTreeSet<&str> = found.iter().map(RegionId::as_str).collect();
    let scenario_set: BTreeSet<&str> = regions.iter().map(RegionId::as_str).collect();
    if found_set != scenario_set || found_set.len() != found.len() {
        return Err(ScenarioError::RegionsDiffer {
            path: path.to_owned(),
            what,
            only_in_input: found_set
                .difference(&scenario_set)
                .map(|s| (*s).to_owned())
                .collect(),
            only_in_scenario: scenario_set
                .difference(&found_set)
                .map(|s| (*s).to_owned())
                .collect(),
        });
    }
    Ok(found
        .iter()
        .map(|id| regions.iter().position(|r| r == id).unwrap_or_default())
        .collect())
}
