//! The validated scenario: plain structs, every region by index into one region list.

use std::fmt;
use std::str::FromStr;

use fzc_core::{LonLat, RegionId, TonnesCo2, YuanPerTonne};
use serde::{Deserialize, Serialize};

use fzc_pricing::{AreaMean, BuiltinScheme, EngelUnit};

use crate::bilateral::BilateralRule;

/// Where a value in an input table comes from. Every row of every scenario table carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Printed in the source publication.
    Published,
    /// Arithmetic on published values (the row's note says how).
    Derived,
    /// An assumption or estimate where nothing was published (the note says how).
    Estimated,
    /// The user's own data, not from a publication.
    Given,
    /// Computed by fzc from the scenario's raw inputs (an MRIO, polygons and a balance table).
    Computed,
}

impl Provenance {
    /// Every provenance class, in file order.
    pub const ALL: [Provenance; 5] = [
        Provenance::Published,
        Provenance::Derived,
        Provenance::Estimated,
        Provenance::Given,
        Provenance::Computed,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Published => "published",
            Provenance::Derived => "derived",
            Provenance::Estimated => "estimated",
            Provenance::Given => "given",
            Provenance::Computed => "computed",
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provenance {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Provenance::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "unknown provenance class {text:?}; expected one of published, derived, \
                     estimated, given, computed"
                )
            })
    }
}

/// Options of the compensation layer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PricingOptions {
    /// The pricing scheme.
    pub scheme: BuiltinScheme,
    /// Eq 18: how `A_i`'s denominator is averaged.
    pub mean: AreaMean,
    /// Eq 18: unit of the Engel coefficient `t_i`.
    pub engel_unit: EngelUnit,
    /// Eq 18's `a` (dimensionless).
    pub a: f64,
    /// Eq 18's `b` (dimensionless).
    pub b: f64,
}

/// A compensation standard given directly for one region (overrides Eq 18).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardEntry {
    /// The standard `P · γ_i`.
    pub yuan_per_tonne: YuanPerTonne,
    /// Where it comes from.
    pub provenance: Provenance,
    /// How it was obtained.
    pub note: String,
}

/// Socio-economic data of one region (Eq 18 inputs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EconomyEntry {
    /// Resident population (persons).
    pub population_persons: f64,
    /// GDP in yuan.
    pub gdp_yuan: f64,
    /// Engel coefficient in the scenario's `engel_unit`, if known.
    pub engel: Option<f64>,
    /// Where the row comes from.
    pub provenance: Provenance,
}

/// One given bilateral net ECT transfer `NT[from, to]` (`> 0`: `from` owes `to`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GivenNet {
    /// Index of the region whose consumption caused the emissions.
    pub from: usize,
    /// Index of the region where they were released.
    pub to: usize,
    /// `NT[from, to]`.
    pub tonnes: TonnesCo2,
    /// Where it comes from.
    pub provenance: Provenance,
}

/// The ECT layer given as results: region net transfers and optional bilateral nets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EctResults {
    /// `NF[r]` per region, in the scenario's region order.
    pub net: Vec<TonnesCo2>,
    /// Provenance of each `NF[r]`.
    pub net_provenance: Vec<Provenance>,
    /// Bilateral nets that are known; the rest is allocated by `rule`.
    pub given: Vec<GivenNet>,
    /// How unknown bilateral nets are filled in.
    pub rule: BilateralRule,
}

/// One CSSF transfer: the input region receives the output region's sequestration service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CssfTransfer {
    /// Index of the output (supplying) region, which is paid.
    pub output: usize,
    /// Index of the input (receiving) region, which pays.
    pub input: usize,
    /// `V_sr`.
    pub tonnes: TonnesCo2,
    /// Where it comes from.
    pub provenance: Provenance,
    /// The flow range `R_sr` (Eq 14) the flow model used, km, when the layer was computed
    /// from polygons; `None` for a transfers table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range_km: Option<f64>,
    /// The geodesic distance `D_rs` between the two cores, km, when computed; `None` for a
    /// transfers table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// The output region's core (the circle's centre), as the flow model placed it, when
    /// computed; `None` for a transfers table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_core: Option<LonLat>,
    /// The input region's core, as the flow model placed it, when computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_core: Option<LonLat>,
}

/// One `[[plugin]]` stanza: a plugin library the scenario can price with
/// (`[pricing] scheme = "plugin:<name>"`). The scenario crate does not load it; the CLI does
/// (through `fzc-plugin-host`) and passes the scheme to [`crate::run_with_pricing`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginSpec {
    /// The name the scenario refers to it by (`plugin:<name>`).
    pub name: String,
    /// The library's path, resolved against the scenario file's directory.
    pub path: std::path::PathBuf,
    /// Parameter values as text (TOML numbers and booleans in their TOML form).
    pub params: std::collections::BTreeMap<String, String>,
}

/// The ECT layer's MRIO kept factored: recomputes the layer for another final demand `Y` or
/// other emissions `F` with solves only (the uncertainty parameters `ect.mrio.y` and
/// `ect.mrio.f`). Kept when the layer comes from an MRIO with `method = "final-demand"`;
/// holds the LU of `I − A` (one n × n matrix), which the computation needed anyway. Clones
/// share it.
#[derive(Clone)]
pub struct MrioLayerModel {
    inner: std::sync::Arc<MrioLayerInner>,
}

struct MrioLayerInner {
    factored: fzc_ect_mrio::FactoredEct,
    region_map: Option<(std::path::PathBuf, fzc_ect_mrio::RegionMap)>,
    index: Vec<usize>,
    path: std::path::PathBuf,
}

impl MrioLayerModel {
    pub(crate) fn new(
        factored: fzc_ect_mrio::FactoredEct,
        region_map: Option<(std::path::PathBuf, fzc_ect_mrio::RegionMap)>,
        index: Vec<usize>,
        path: std::path::PathBuf,
    ) -> Self {
        Self {
            inner: std::sync::Arc::new(MrioLayerInner {
                factored,
                region_map,
                index,
                path,
            }),
        }
    }

    /// The table's size `n` (sectors of all its regions): the length of an `F` factor list.
    pub fn size(&self) -> usize {
        self.inner.factored.size()
    }

    /// The table's region count `m` (before a region map): `Y` has `n · m` entries.
    pub fn table_regions(&self) -> usize {
        self.inner.factored.region_count()
    }

    /// The table's final demand `Y` (n × m).
    pub fn final_demand(&self) -> &fzc_ect_mrio::faer::Mat<f64> {
        self.inner.factored.final_demand()
    }

    /// The MRIO file the layer came from.
    pub fn path(&self) -> &std::path::Path {
        &self.inner.path
    }

    /// The ECT layer for `Y ∘ y_factors` and `F ∘ f_factors` (see
    /// [`fzc_ect_mrio::FactoredEct::perturbed`]: `y_factors` column-major, `n · m` long;
    /// `f_factors` `n` long), aggregated and mapped onto the scenario's regions as at load.
    /// With no factors it is the scenario's layer, bit for bit.
    ///
    /// # Errors
    /// [`crate::ScenarioError::Layer`] naming the MRIO: factors of the wrong length or not
    /// finite, or a sector with emissions left without output.
    pub fn ect(
        &self,
        y_factors: Option<&[f64]>,
        f_factors: Option<&[f64]>,
    ) -> Result<EctResults, crate::ScenarioError> {
        let accounts = self
            .inner
            .factored
            .perturbed(y_factors, f_factors)
            .map_err(|e| crate::ScenarioError::Layer {
                path: self.inner.path.clone(),
                what: "recomputing embodied carbon transfers for a perturbed Y or F",
                message: e.to_string(),
            })?;
        let accounts = crate::raw::aggregate(accounts, self.inner.region_map.as_ref())?;
        Ok(crate::raw::ect_results(&accounts, &self.inner.index))
    }
}

impl fmt::Debug for MrioLayerModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MrioLayerModel")
            .field("path", &self.inner.path)
            .field("factored", &self.inner.factored)
            .finish_non_exhaustive()
    }
}

impl PartialEq for MrioLayerModel {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// The CSSF layer's raster supply and breakpoint model kept for other carbon densities (the
/// uncertainty parameters `pools.<lucode>.<pool>`). Supply is linear in the densities, so a
/// region's supply for any densities is `Σ_k A[k][r] · C_k` with the class supplies `A` of one
/// extra pass over the land-use raster ([`crate::rasters::RasterLayers::class_supply`]); the
/// flows are then run again through the breakpoint model on the kept polygons. Kept when
/// `[cssf.rasters]` feeds the built-in model. Clones share it.
#[derive(Clone)]
pub struct CssfPoolsModel {
    inner: std::sync::Arc<PoolsInner>,
}

struct PoolsInner {
    layers: crate::rasters::RasterLayers,
    prepared: crate::raw::PreparedFlows,
    region_count: usize,
}

impl CssfPoolsModel {
    /// `None` when the raster regions and the flow model's regions are not in the same order
    /// (they are both sorted by id, so this does not happen).
    pub(crate) fn new(
        layers: crate::rasters::RasterLayers,
        prepared: crate::raw::PreparedFlows,
        region_count: usize,
    ) -> Option<Self> {
        let same = layers.regions().len() == prepared.flow_regions.len()
            && layers
                .regions()
                .iter()
                .zip(&prepared.flow_regions)
                .all(|(a, b)| a.region == b.id);
        same.then(|| Self {
            inner: std::sync::Arc::new(PoolsInner {
                layers,
                prepared,
                region_count,
            }),
        })
    }

    /// The scenario's carbon pools per land-use class (after the class map), t C/ha.
    pub fn pools(&self) -> &std::collections::BTreeMap<i64, fzc_cssf_flow::CarbonPools> {
        self.inner.layers.pools()
    }

    /// Runs the pass over the land-use raster that [`CssfPoolsModel::transfers`] needs, if
    /// it has not run yet (so a caller can report it, and fail, before any draw).
    ///
    /// # Errors
    /// When the land-use raster cannot be read again.
    pub fn prepare(&self, progress: &dyn fzc_core::Progress) -> Result<(), crate::ScenarioError> {
        self.inner.layers.class_supply(progress).map(|_| ())
    }

    /// The CSSF transfers for the carbon pools `pools` (every class of the scenario's table;
    /// a class missing from `pools` counts 0 t C/ha): supply recomputed per region, demand
    /// unchanged, the breakpoint model run again. Equal, up to the order of summation, to
    /// loading the scenario with a pools table holding `pools`.
    ///
    /// # Errors
    /// When the land-use raster cannot be read again, or the flow model fails.
    pub fn transfers(
        &self,
        pools: &std::collections::BTreeMap<i64, fzc_cssf_flow::CarbonPools>,
    ) -> Result<Vec<CssfTransfer>, crate::ScenarioError> {
        let inner = &self.inner;
        let classes = inner.layers.class_supply(&fzc_core::NoProgress)?;
        let supply = classes.supply(|code| {
            pools
                .get(&code)
                .map_or(0.0, fzc_cssf_flow::CarbonPools::total_t_c_per_ha)
        });
        let flow_regions: Vec<fzc_core::FlowRegion> = inner
            .prepared
            .flow_regions
            .iter()
            .zip(&supply)
            .map(|(r, &s)| fzc_core::FlowRegion {
                supply: TonnesCo2(s * inner.prepared.to_tonnes),
                ..r.clone()
            })
            .collect();
        let computed = crate::raw::run_flows(
            &inner.prepared,
            &flow_regions,
            None,
            inner.region_count,
            &fzc_core::NoProgress,
        )?;
        Ok(computed.transfers)
    }
}

impl fmt::Debug for CssfPoolsModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CssfPoolsModel")
            .field("classes", &self.pools().len())
            .field("regions", &self.inner.region_count)
            .finish_non_exhaustive()
    }
}

impl PartialEq for CssfPoolsModel {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// A complete, validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Short name; the default output directory is `out/<name>/`.
    pub name: String,
    /// One line saying what the scenario is.
    pub description: String,
    /// The regions, in the order of the scenario file; every index refers to this list.
    pub regions: Vec<RegionId>,
    /// The carbon price `P`.
    pub price: YuanPerTonne,
    /// Compensation options.
    pub pricing: PricingOptions,
    /// Standards given directly, per region (`None`: computed by Eq 18).
    pub standards: Vec<Option<StandardEntry>>,
    /// Economy rows per region, if an economy table was given.
    pub economy: Option<Vec<EconomyEntry>>,
    /// The ECT layer, if any. For a year series (`[ect] years`), the last year's.
    pub ect: Option<EctResults>,
    /// The ECT layer of every year of a series (`[ect] mrio` with `{year}` and `[ect]
    /// years`), in year order; empty otherwise. Each year is zoned and priced with the rest
    /// of the scenario unchanged ([`crate::Outcome::series`]).
    pub ect_series: Vec<(i32, EctResults)>,
    /// The MRIO behind [`Scenario::ect`], kept factored, when the layer was computed from
    /// an MRIO by the final-demand method (for a year series, the last year's); `None`
    /// otherwise. Not serialised.
    #[serde(skip)]
    pub ect_model: Option<MrioLayerModel>,
    /// The CSSF transfers, if any.
    pub cssf: Option<Vec<CssfTransfer>>,
    /// Per region (in [`Scenario::regions`] order), the core the CSSF flow model used when
    /// the layer was computed from polygons, also for regions in no positive transfer;
    /// `None` for a transfers table, no CSSF layer, or a flow-model plugin that gave no cores.
    /// Read it through [`Scenario::cssf_cores`].
    pub cssf_model_cores: Vec<Option<LonLat>>,
    /// The impact factor `k` (Eq 16) of a CSSF layer the built-in breakpoint model computed
    /// (from polygons and a balance, or from rasters); `None` for a transfers table or a
    /// flow-model plugin. Every transfer is `k · S_rs · I_sr`, so another `k` scales them all
    /// by the ratio (the uncertainty parameter `cssf.k`). Not serialised.
    #[serde(skip)]
    pub cssf_k: Option<f64>,
    /// The `[[plugin]]` stanzas, in file order.
    pub plugins: Vec<PluginSpec>,
    /// `Some(name)` when `[pricing] scheme = "plugin:<name>"`: the ledger is priced by the
    /// `[[plugin]]` of that name, which the caller loads (see [`crate::run_with_pricing`]);
    /// [`crate::run`] refuses such a scenario, and `pricing.scheme` is unused.
    pub pricing_plugin: Option<String>,
    /// What was noticed while computing layers from raw inputs but is not an error (ECT
    /// warnings such as zero-output sectors, overlapping region polygons), each naming its
    /// input; empty for layers given as tables. `fzc run` prints them.
    pub warnings: Vec<String>,
    /// The CSSF layer's supply, demand and CSSDR when it was computed from rasters
    /// (`[cssf.rasters]`), for the report; `None` otherwise.
    pub cssf_rasters: Option<RasterCssf>,
    /// The raster pipeline behind [`Scenario::cssf_rasters`], kept so that
    /// [`crate::write_outputs`] can stream `supply.tif`, `demand.tif` and `cssdr.tif` without
    /// computing supply and demand again. Not serialised.
    #[serde(skip)]
    pub cssf_raster_layers: Option<crate::rasters::RasterLayers>,
    /// The raster supply and breakpoint model behind [`Scenario::cssf`], kept for other
    /// carbon densities, when `[cssf.rasters]` feeds the built-in model; `None` otherwise.
    /// Not serialised.
    #[serde(skip)]
    pub cssf_pools: Option<CssfPoolsModel>,
}

/// Supply, demand and CSSDR (Eq 11–13) of one region, computed from rasters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionRasterCssf {
    /// Index of the region in [`Scenario::regions`].
    pub region: usize,
    /// Supply `S` (Eq 11), in the scenario's supply unit (t C as the paper, or t CO2).
    pub supply: TonnesCo2,
    /// Demand `D` (Eq 12), t CO2.
    pub demand: TonnesCo2,
    /// CSSDR `(S − D) / (S + D)` (Eq 13), `None` where `S + D = 0`.
    pub cssdr: Option<f64>,
}

/// A CSSDR map resampled onto a lon/lat grid, small enough for a report figure.
///
/// Cells run row-major from the north-west corner: `values[row * width + col]` covers
/// longitudes `west + col · (east − west) / width ..` and latitudes
/// `north − row · (north − south) / height ..`. `NaN` means no data. The longest side is at
/// most 600 cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CssdrPreview {
    /// Western edge, degrees east (WGS84).
    pub west: f64,
    /// Southern edge, degrees north.
    pub south: f64,
    /// Eastern edge, degrees east.
    pub east: f64,
    /// Northern edge, degrees north.
    pub north: f64,
    /// Cells per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// CSSDR per cell (dimensionless, in [−1, 1]; `NaN` = no data), row-major from the
    /// north-west corner.
    pub values: Vec<f32>,
}

/// The CSSF layer's raster results kept on the scenario for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RasterCssf {
    /// One row per region, in the scenario's region order.
    pub regions: Vec<RegionRasterCssf>,
    /// The per-pixel CSSDR on a lon/lat grid.
    pub preview: CssdrPreview,
}

impl Scenario {
    /// The index of a region id, if it is one of the scenario's regions.
    pub fn region_index(&self, id: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.as_str() == id)
    }

    /// Each region's core as the CSSF flow model placed it, in region order: known for every
    /// region of a layer computed from polygons (also those in no positive transfer), `None`
    /// for a transfers table (which carries no cores). Where [`Scenario::cssf_model_cores`]
    /// has no core, a core carried by a transfer is used.
    pub fn cssf_cores(&self) -> Vec<Option<LonLat>> {
        let mut cores = self.cssf_model_cores.clone();
        cores.resize(self.regions.len(), None);
        for t in self.cssf.iter().flatten() {
            for (i, core) in [(t.output, t.output_core), (t.input, t.input_core)] {
                if let (Some(slot @ None), Some(core)) = (cores.get_mut(i), core) {
                    *slot = Some(core);
                }
            }
        }
        cores
    }
}
