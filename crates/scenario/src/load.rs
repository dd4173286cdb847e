//! Reading a scenario: the TOML file and the CSV tables it points to.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use fzc_core::{
    DemandEstimator, FlowModel, LonLat, MassUnit, NoProgress, Progress, RegionId, TonnesCo2,
    YuanPerTonne,
};
use serde::Deserialize;

use crate::ScenarioError;
use crate::bilateral::BilateralRule;
use crate::model::{
    CssfPoolsModel, CssfTransfer, EconomyEntry, EctResults, GivenNet, MrioLayerModel, PluginSpec,
    PricingOptions, RasterCssf, RegionRasterCssf, Scenario, StandardEntry,
};
use crate::rasters::{
    CoverageMode, DemandInputs, PREVIEW_MAX_SIDE, PopulationKind, RasterInputs, RasterLayers,
    RegionsInput, SupplyInputs, SupplyUnit, UnmappedClasses,
};
use crate::raw::{
    CoreKey, FormatKey, IntensityKey, MassKey, MethodKey, MrioInput, PolygonInput,
    cssf_from_balance, cssf_from_polygons, ect_from_mrio, match_regions,
};
use crate::tables::Table;
use fzc_pricing::{AreaMean, BuiltinScheme, EngelUnit};

/// Where a scenario's files are read from.
#[derive(Debug, Clone)]
pub enum ScenarioSource {
    /// A scenario TOML on disk; tables are resolved relative to its directory.
    File(PathBuf),
    /// Files compiled into the binary: `(relative path, contents)`, the first being the TOML.
    /// `label` is the path shown in messages (e.g. `examples/bth-2020`).
    Embedded {
        /// The directory shown in messages.
        label: &'static str,
        /// The scenario TOML's file name.
        toml: &'static str,
        /// `(path relative to the scenario directory, contents)`.
        files: &'static [(&'static str, &'static str)],
    },
}

impl ScenarioSource {
    fn toml_path(&self) -> PathBuf {
        match self {
            ScenarioSource::File(path) => path.clone(),
            ScenarioSource::Embedded { label, toml, .. } => Path::new(label).join(toml),
        }
    }

    fn resolve(&self, relative: &str) -> PathBuf {
        match self {
            ScenarioSource::File(path) => path
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join(relative),
            ScenarioSource::Embedded { label, .. } => Path::new(label).join(relative),
        }
    }

    fn read(&self, path: &Path, relative: &str) -> Result<String, ScenarioError> {
        match self {
            ScenarioSource::File(_) => {
                std::fs::read_to_string(path).map_err(|error| ScenarioError::Io {
                    path: path.to_owned(),
                    error,
                })
            }
            ScenarioSource::Embedded { files, .. } => files
                .iter()
                .find(|(name, _)| *name == relative)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| ScenarioError::Io {
                    path: path.to_owned(),
                    error: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not among the embedded files",
                    ),
                }),
        }
    }

    fn read_relative(&self, relative: &str) -> Result<(PathBuf, String), ScenarioError> {
        let path = self.resolve(relative);
        let text = self.read(&path, relative)?;
        Ok((path, text))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioToml {
    name: String,
    #[serde(default)]
    description: String,
    regions: Vec<String>,
    pricing: PricingToml,
    ect: Option<EctToml>,
    cssf: Option<CssfToml>,
    #[serde(default)]
    plugin: Vec<PluginToml>,
    /// `[[uncertainty]]` stanzas: read by `fzc-uncertainty` (`fzc mc`), not by the runner.
    #[serde(default, rename = "uncertainty")]
    _uncertainty: Vec<toml::Value>,
    /// `[[correlation]]` stanzas of the uncertainty analysis: read by `fzc-uncertainty`.
    #[serde(default, rename = "correlation")]
    _correlation: Vec<toml::Value>,
}

/// One `[[plugin]]` stanza: a plugin library the scenario may name as `plugin:<name>`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginToml {
    name: String,
    path: String,
    #[serde(default)]
    params: std::collections::BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingToml {
    price_yuan_per_tonne: f64,
    #[serde(default = "default_scheme")]
    scheme: String,
    #[serde(default)]
    mean: AreaMean,
    #[serde(default)]
    engel_unit: EngelUnit,
    #[serde(default = "one")]
    a: f64,
    #[serde(default = "one")]
    b: f64,
    standards: Option<String>,
    economy: Option<String>,
}

fn default_scheme() -> String {
    "paper".to_owned()
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EctToml {
    net: Option<String>,
    bilateral: Option<String>,
    #[serde(default)]
    bilateral_rule: Option<BilateralRule>,
    mrio: Option<String>,
    format: Option<FormatKey>,
    extension: Option<String>,
    stressor: Option<String>,
    method: Option<MethodKey>,
    aggregate: Option<String>,
    region_map: Option<String>,
    energy: Option<String>,
    coefficients: Option<String>,
    emissions: Option<String>,
    city_names: Option<String>,
    years: Option<YearsToml>,
}

/// `[ect] years`: `"2015..2022"` (or a comma-separated list of years and ranges), or an
/// array of years.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum YearsToml {
    Text(String),
    List(Vec<i32>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CssfToml {
    transfers: Option<String>,
    rasters: Option<RastersToml>,
    regions: Option<String>,
    id_field: Option<String>,
    balance: Option<String>,
    unit: Option<String>,
    k: Option<f64>,
    intensity: Option<IntensityKey>,
    mass: Option<MassKey>,
    core: Option<CoreKey>,
    model: Option<String>,
}

/// `[cssf.rasters] supply_unit`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SupplyUnitKey {
    #[default]
    AsPaper,
    Co2,
}

/// `[cssf.rasters] unmapped`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum UnmappedKey {
    #[default]
    Error,
    Skip,
}

/// `[cssf.rasters] population_kind`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum PopulationKindKey {
    #[default]
    Count,
    DensityPerKm2,
}

/// `[cssf.rasters] coverage`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum CoverageKey {
    #[default]
    Exact,
    PixelCentre,
}

/// `[cssf.rasters]`: the keys mirror the flags of `fzc cssf run`.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [cssf.rasters] table of raster inputs (lulc, pools, emissions, ...)"
)]
struct RastersToml {
    lulc: String,
    pools: String,
    lulc_map: Option<String>,
    #[serde(default)]
    supply_unit: SupplyUnitKey,
    #[serde(default)]
    unmapped: UnmappedKey,
    emissions: String,
    emissions_unit: Option<String>,
    population: Option<String>,
    population_kind: Option<PopulationKindKey>,
    census: Option<String>,
    class_weights: Option<String>,
    agri_classes: Option<Vec<i64>>,
    urban_classes: Option<Vec<i64>>,
    urban_mask: Option<String>,
    /// `EPSG:<code>` for rasters whose GeoKeys give no CRS (`--raster-crs`).
    crs: Option<String>,
    #[serde(default)]
    coverage: CoverageKey,
    max_outside_share: Option<f64>,
    demand: Option<String>,
}

/// Turns a `[[plugin]]` stanza named by `cssf.rasters.demand` into a demand estimator (the
/// caller loads the library); an `Err` is a message naming what went wrong.
pub type DemandEstimatorLoader<'a> =
    dyn Fn(&PluginSpec) -> Result<Box<dyn DemandEstimator>, String> + 'a;

/// What [`load_with_options`] takes besides the source: plugin loaders and a progress sink.
pub struct LoadOptions<'a> {
    /// Loads the flow-model plugin named by `cssf.model` (default: refuses, naming
    /// [`load_with_options`]).
    pub flow_model: &'a FlowModelLoader<'a>,
    /// Loads the demand-estimator plugin named by `cssf.rasters.demand` (default: refuses).
    pub demand_estimator: &'a DemandEstimatorLoader<'a>,
    /// Where the long steps (the MRIO, raster rows, flow pairs) report progress.
    pub progress: &'a dyn Progress,
}

fn refuse_flow_model(spec: &PluginSpec) -> Result<Box<dyn FlowModel>, String> {
    Err(format!(
        "flow-model plugin {:?} ({}) must be loaded by the caller: use \
         fzc_scenario::load_with or load_with_options (as `fzc run` and `fzc compare` do)",
        spec.name,
        spec.path.display()
    ))
}

fn refuse_demand_estimator(spec: &PluginSpec) -> Result<Box<dyn DemandEstimator>, String> {
    Err(format!(
        "demand-estimator plugin {:?} ({}) must be loaded by the caller: use \
         fzc_scenario::load_with_options (as `fzc run` and `fzc compare` do)",
        spec.name,
        spec.path.display()
    ))
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        Self {
            flow_model: &refuse_flow_model,
            demand_estimator: &refuse_demand_estimator,
            progress: &NoProgress,
        }
    }
}

/// Reads and validates a scenario.
///
/// # Errors
/// A [`ScenarioError`] naming the file, line, key or region at fault: an unknown TOML key,
/// an unknown scheme or rule name, a negative price, duplicate or unknown region ids, a layer
/// table whose regions differ from the scenario's, an unbalanced ECT table, a region with no
/// standard and no Eq 18 data.
pub fn load(source: &ScenarioSource) -> Result<Scenario, ScenarioError> {
    load_with_options(source, &LoadOptions::default())
}

/// Turns a `[[plugin]]` stanza named by `cssf.model` into a flow model (the caller loads
/// the library); an `Err` is a message naming what went wrong.
pub type FlowModelLoader<'a> = dyn Fn(&PluginSpec) -> Result<Box<dyn FlowModel>, String> + 'a;

/// Like [`load`], for a scenario whose `[cssf]` layer may name a flow-model plugin
/// (`model = "plugin:<name>"`): `flow_model` turns that `[[plugin]]` stanza into the model
/// (the CLI loads it through `fzc-plugin-host`; this crate never loads libraries).
///
/// # Errors
/// As [`load`]; also [`ScenarioError::Toml`] when `cssf.model` names an undeclared plugin,
/// and [`ScenarioError::Layer`] when `flow_model` refuses the stanza or the model fails.
pub fn load_with(
    source: &ScenarioSource,
    flow_model: &FlowModelLoader<'_>,
) -> Result<Scenario, ScenarioError> {
    load_with_options(
        source,
        &LoadOptions {
            flow_model,
            ..LoadOptions::default()
        },
    )
}

/// Like [`load_with`], with every option: the flow-model and demand-estimator plugin
/// loaders, and the progress sink the raw-input layers report to (the MRIO's ECT, the raster
/// pipeline of `[cssf.rasters]`, the flow model).
///
/// # Errors
/// As [`load_with`]; also for `[cssf.rasters]`: a missing file (naming its key), keys that do
/// not combine, `core = "given"`, an undeclared `demand` plugin, and whatever the raster
/// pipeline refuses ([`crate::rasters`]).
pub fn load_with_options(
    source: &ScenarioSource,
    options: &LoadOptions<'_>,
) -> Result<Scenario, ScenarioError> {
    let toml_path = source.toml_path();
    let toml_name = match source {
        ScenarioSource::File(_) => String::new(),
        ScenarioSource::Embedded { toml, .. } => (*toml).to_owned(),
    };
    let text = match source {
        ScenarioSource::File(path) => {
            std::fs::read_to_string(path).map_err(|error| ScenarioError::Io {
                path: path.clone(),
                error,
            })?
        }
        ScenarioSource::Embedded { .. } => source.read(&toml_path, &toml_name)?,
    };
    let raw: ScenarioToml = toml::from_str(&text).map_err(|e| ScenarioError::Toml {
        path: toml_path.clone(),
        message: e.to_string().trim_end().to_owned(),
    })?;

    let toml_err = |message: String| ScenarioError::Toml {
        path: toml_path.clone(),
        message,
    };
    // The name is a path component (`out/<name>/`): `.` and `..` would write into the
    // working directory or its parent.
    if raw.name.is_empty()
        || raw.name == "."
        || raw.name == ".."
        || !raw
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(toml_err(format!(
            "name {:?} must be non-empty, not `.` or `..`, and use only ASCII letters, \
             digits, '-', '_' or '.' (it names the output directory)",
            raw.name
        )));
    }
    let mut regions = Vec::with_capacity(raw.regions.len());
    let mut seen = BTreeSet::new();
    for text in &raw.regions {
        let id = RegionId::new(text.clone()).map_err(|e| toml_err(format!("regions: {e}")))?;
        if !seen.insert(text.clone()) {
            return Err(toml_err(format!(
                "regions: duplicate region {text:?}; each must appear once"
            )));
        }
        regions.push(id);
    }
    if regions.is_empty() {
        return Err(toml_err("regions: the list is empty".to_owned()));
    }

    let p = &raw.pricing;
    if !(p.price_yuan_per_tonne.is_finite() && p.price_yuan_per_tonne >= 0.0) {
        return Err(ScenarioError::InvalidValue {
            what: format!("{}: pricing.price_yuan_per_tonne", toml_path.display()),
            value: p.price_yuan_per_tonne,
            expected: "a finite price ≥ 0 yuan/t",
        });
    }
    for (key, value) in [("pricing.a", p.a), ("pricing.b", p.b)] {
        if !value.is_finite() {
            return Err(ScenarioError::InvalidValue {
                what: format!("{}: {key}", toml_path.display()),
                value,
                expected: "a finite number",
            });
        }
    }
    let plugins = read_plugins(source, &raw.plugin, &toml_err)?;
    let (scheme, pricing_plugin) = match p.scheme.strip_prefix("plugin:") {
        Some(name) => {
            if !plugins.iter().any(|spec| spec.name == name) {
                return Err(toml_err(format!(
                    "pricing.scheme: plugin {name:?} is not declared; expected a [[plugin]] \
                     stanza with name = {name:?} (declared: {})",
                    plugins
                        .iter()
                        .map(|spec| spec.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            (BuiltinScheme::PayerStandard, Some(name.to_owned()))
        }
        None => (
            p.scheme
                .parse()
                .map_err(|e: fzc_pricing::PricingError| toml_err(format!("pricing.scheme: {e}")))?,
            None,
        ),
    };
    let pricing = PricingOptions {
        scheme,
        mean: p.mean,
        engel_unit: p.engel_unit,
        a: p.a,
        b: p.b,
    };

    let n = regions.len();
    let standards = match &p.standards {
        Some(rel) => read_standards(source, rel, &regions)?,
        None => vec![None; n],
    };
    let economy = match &p.economy {
        Some(rel) => Some(read_economy(source, rel, &regions, p.engel_unit)?),
        None => None,
    };
    for (i, region) in regions.iter().enumerate() {
        let has_eq18 = economy
            .as_ref()
            .is_some_and(|rows| rows[i].as_ref().is_some_and(|e| e.engel.is_some()));
        if standards[i].is_none() && !has_eq18 {
            return Err(ScenarioError::MissingStandard {
                region: region.to_string(),
            });
        }
    }
    // Eq 18 averages over the whole study area, so once it is used every region needs data.
    let economy = match economy {
        Some(rows) => {
            if let Some(i) = rows.iter().position(Option::is_none) {
                return Err(ScenarioError::MissingRegion {
                    path: source.resolve(p.economy.as_deref().unwrap_or_default()),
                    region: regions[i].to_string(),
                    what: "the economy table must have a row for every region",
                });
            }
            Some(rows.into_iter().flatten().collect())
        }
        None => None,
    };

    let mut warnings = Vec::new();
    let (ect, ect_series, ect_model) = match &raw.ect {
        None => (None, Vec::new(), None),
        Some(e) => {
            let (series, model) = load_ect_series(
                source,
                &toml_path,
                e,
                &regions,
                &mut warnings,
                options.progress,
            )?;
            let last = series.last().map(|(_, ect)| ect.clone());
            let years: Vec<(i32, EctResults)> = series
                .into_iter()
                .filter_map(|(year, ect)| year.map(|y| (y, ect)))
                .collect();
            (last, years, model)
        }
    };
    let (cssf, cssf_model_cores, rasters) = match &raw.cssf {
        None => (None, vec![None; regions.len()], None),
        Some(c) => {
            let (transfers, cores, rasters) = load_cssf(
                source,
                &toml_path,
                c,
                &regions,
                (&plugins, options),
                &mut warnings,
            )?;
            (Some(transfers), cores, rasters)
        }
    };
    // The built-in model computed the layer: polygons (and a balance or rasters), no
    // transfers table, no plugin.
    let cssf_k = raw.cssf.as_ref().and_then(|c| {
        let builtin = matches!(c.model.as_deref(), None | Some("breakpoint"));
        (c.transfers.is_none() && c.regions.is_some() && builtin)
            .then(|| c.k.unwrap_or(fzc_cssf_flow::ImpactFactor::PAPER.get()))
    });
    let (cssf_rasters, cssf_raster_layers, cssf_pools) = match rasters {
        Some((result, layers, pools)) => (Some(result), Some(layers), pools),
        None => (None, None, None),
    };
    if ect.is_none() && cssf.is_none() {
        return Err(toml_err(
            "the scenario has neither an [ect] nor a [cssf] layer; give at least one".to_owned(),
        ));
    }

    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        regions,
        price: YuanPerTonne(p.price_yuan_per_tonne),
        pricing,
        standards,
        economy,
        ect,
        ect_series,
        ect_model,
        cssf,
        cssf_model_cores,
        cssf_k,
        plugins,
        pricing_plugin,
        warnings,
        cssf_rasters,
        cssf_raster_layers,
        cssf_pools,
    })
}

/// Validates the `[[plugin]]` stanzas: unique names, paths resolved against the scenario
/// file, parameter values as text (numbers and booleans in TOML form).
fn read_plugins(
    source: &ScenarioSource,
    stanzas: &[PluginToml],
    toml_err: &dyn Fn(String) -> ScenarioError,
) -> Result<Vec<PluginSpec>, ScenarioError> {
    let mut out: Vec<PluginSpec> = Vec::with_capacity(stanzas.len());
    for (k, stanza) in stanzas.iter().enumerate() {
        if stanza.name.is_empty() || out.iter().any(|spec| spec.name == stanza.name) {
            return Err(toml_err(format!(
                "plugin[{k}].name {:?}: expected a non-empty name used by one [[plugin]] only",
                stanza.name
            )));
        }
        let mut params = std::collections::BTreeMap::new();
        for (key, value) in &stanza.params {
            let text = match value {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                    value.to_string()
                }
                _ => {
                    return Err(toml_err(format!(
                        "plugin[{k}] ({}): params.{key}: expected a string, number or boolean",
                        stanza.name
                    )));
                }
            };
            params.insert(key.clone(), text);
        }
        out.push(PluginSpec {
            name: stanza.name.clone(),
            path: source.resolve(&stanza.path),
            params,
        });
    }
    Ok(out)
}

/// The keys of one input mode that were given, by name, for "cannot be combined" errors.
fn given_keys(keys: &[(&'static str, bool)]) -> Vec<&'static str> {
    keys.iter()
        .filter(|(_, given)| *given)
        .map(|(key, _)| *key)
        .collect()
}

/// The path of a raw input, which must be a file on disk (an embedded scenario has none).
fn raw_path(
    source: &ScenarioSource,
    toml_path: &Path,
    key: &str,
    relative: &str,
) -> Result<PathBuf, ScenarioError> {
    match source {
        ScenarioSource::File(_) => Ok(source.resolve(relative)),
        ScenarioSource::Embedded { .. } => Err(ScenarioError::Unsupported {
            what: format!(
                "{key} = {relative:?} in the embedded scenario {}",
                toml_path.display()
            ),
            hint: "raw inputs are read from disk: run the scenario from its file",
        }),
    }
}

/// The ECT layer of each year of `[ect] years` (`{year}` in `mrio` replaced), or the one
/// layer of a scenario without years (year `None`). Every year's table must exist before any
/// is read; a year that fails names the year.
/// Each year's ECT layer (one entry with no year when `[ect] years` is absent), and the
/// last year's factored MRIO when one is kept.
type EctSeries = (Vec<(Option<i32>, EctResults)>, Option<MrioLayerModel>);

fn load_ect_series(
    source: &ScenarioSource,
    toml_path: &Path,
    e: &EctToml,
    regions: &[RegionId],
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<EctSeries, ScenarioError> {
    let toml_err = |message: String| ScenarioError::Toml {
        path: toml_path.to_owned(),
        message,
    };
    let template = e.mrio.as_deref().unwrap_or_default();
    let has_year = template.contains("{year}");
    let Some(years) = &e.years else {
        if has_year {
            return Err(toml_err(format!(
                "[ect] mrio = {template:?} holds {{year}} but [ect] has no `years`; give them, \
                 e.g. years = \"2015..2022\""
            )));
        }
        let (ect, model) = load_ect(
            source,
            toml_path,
            e,
            (None, true),
            regions,
            warnings,
            progress,
        )?;
        return Ok((vec![(None, ect)], model));
    };
    if e.mrio.is_none() || !has_year {
        return Err(toml_err(format!(
            "[ect] years needs `mrio` with {{year}} in its path (e.g. mrio = \
             \"tables/IOT_{{year}}_pxp.zip\"); found {}",
            e.mrio
                .as_deref()
                .map_or_else(|| "no mrio".to_owned(), |m| format!("mrio = {m:?}"))
        )));
    }
    let years = match years {
        YearsToml::Text(text) => {
            crate::parse_years(text).map_err(|m| toml_err(format!("[ect] years: {m}")))?
        }
        YearsToml::List(list) => {
            let text: Vec<String> = list.iter().map(i32::to_string).collect();
            crate::parse_years(&text.join(","))
                .map_err(|m| toml_err(format!("[ect] years: {m}")))?
        }
    };
    let mut missing = Vec::new();
    for &year in &years {
        let path = raw_path(
            source,
            toml_path,
            "ect.mrio",
            &template.replace("{year}", &year.to_string()),
        )?;
        if !path.exists() {
            missing.push(format!("{year} ({})", path.display()));
        }
    }
    if !missing.is_empty() {
        return Err(toml_err(format!(
            "[ect] years: {} of {} years have no table: {}",
            missing.len(),
            years.len(),
            missing.join(", ")
        )));
    }
    let mut out = Vec::with_capacity(years.len());
    let mut kept = None;
    let last = years.last().copied();
    for year in years {
        // Only the last year's factored table is kept, and only while no other year is
        // computed: one n × n matrix at a time.
        let (ect, model) = load_ect(
            source,
            toml_path,
            e,
            (Some(year), Some(year) == last),
            regions,
            warnings,
            progress,
        )
        .map_err(|error| ScenarioError::Year {
            year,
            error: Box::new(error),
        })?;
        out.push((Some(year), ect));
        kept = kept.or(model);
    }
    Ok((out, kept))
}

/// One year's ECT layer (or the only one); with `keep`, also its factored MRIO.
fn load_ect(
    source: &ScenarioSource,
    toml_path: &Path,
    e: &EctToml,
    (year, keep): (Option<i32>, bool),
    regions: &[RegionId],
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<(EctResults, Option<MrioLayerModel>), ScenarioError> {
    let toml_err = |message: String| ScenarioError::Toml {
        path: toml_path.to_owned(),
        message,
    };
    let Some(mrio) = &e.mrio else {
        let raw_only = given_keys(&[
            ("format", e.format.is_some()),
            ("extension", e.extension.is_some()),
            ("stressor", e.stressor.is_some()),
            ("method", e.method.is_some()),
            ("aggregate", e.aggregate.is_some()),
            ("region_map", e.region_map.is_some()),
            ("energy", e.energy.is_some()),
            ("coefficients", e.coefficients.is_some()),
            ("emissions", e.emissions.is_some()),
            ("city_names", e.city_names.is_some()),
        ]);
        if !raw_only.is_empty() || e.years.is_some() {
            let mut raw_only = raw_only;
            if e.years.is_some() {
                raw_only.push("years");
            }
            return Err(toml_err(format!(
                "[ect] {} only apply with `mrio`; without it the layer is the `net` table",
                raw_only.join(", ")
            )));
        }
        let Some(net) = &e.net else {
            return Err(toml_err(
                "[ect] needs `net`, a region,nf,unit table of net transfers, or `mrio`, an MRIO \
                 table"
                    .to_owned(),
            ));
        };
        return Ok((
            read_ect(
                source,
                net,
                e.bilateral.as_deref(),
                e.bilateral_rule.unwrap_or_default(),
                regions,
            )?,
            None,
        ));
    };
    let tables = given_keys(&[
        ("net", e.net.is_some()),
        ("bilateral", e.bilateral.is_some()),
        ("bilateral_rule", e.bilateral_rule.is_some()),
    ]);
    if !tables.is_empty() {
        return Err(toml_err(format!(
            "[ect] mrio cannot be combined with {}: from an MRIO the net transfers and the whole \
             bilateral matrix are computed",
            tables.join(", ")
        )));
    }
    let Some(stressor) = &e.stressor else {
        return Err(toml_err(
            "[ect] mrio needs `stressor`, the satellite row to use (e.g. \"CO2\")".to_owned(),
        ));
    };
    let optional = |key: &str, rel: &Option<String>| {
        rel.as_deref()
            .map(|rel| raw_path(source, toml_path, key, rel))
            .transpose()
    };
    let mrio = match year {
        Some(y) => mrio.replace("{year}", &y.to_string()),
        None => mrio.clone(),
    };
    let input = MrioInput {
        mrio: raw_path(source, toml_path, "ect.mrio", &mrio)?,
        format: e.format,
        extension: e.extension.as_deref(),
        stressor,
        method: e.method.unwrap_or_default(),
        aggregate: optional("ect.aggregate", &e.aggregate)?,
        region_map: optional("ect.region_map", &e.region_map)?,
        energy: optional("ect.energy", &e.energy)?,
        coefficients: optional("ect.coefficients", &e.coefficients)?,
        emissions: optional("ect.emissions", &e.emissions)?,
        city_names: optional("ect.city_names", &e.city_names)?,
    };
    ect_from_mrio(&input, regions, warnings, progress, keep)
}

/// The CSSF layer's transfers, the flow model's core per region (all `None` for a transfers
/// table) and, when it came from rasters, its raster results.
type CssfLoaded = (
    Vec<CssfTransfer>,
    Vec<Option<LonLat>>,
    Option<(RasterCssf, RasterLayers, Option<CssfPoolsModel>)>,
);

fn load_cssf(
    source: &ScenarioSource,
    toml_path: &Path,
    c: &CssfToml,
    regions: &[RegionId],
    (plugins, options): (&[PluginSpec], &LoadOptions<'_>),
    warnings: &mut Vec<String>,
) -> Result<CssfLoaded, ScenarioError> {
    let toml_err = |message: String| ScenarioError::Toml {
        path: toml_path.to_owned(),
        message,
    };
    if let Some(r) = &c.rasters {
        let excluded = given_keys(&[
            ("transfers", c.transfers.is_some()),
            ("balance", c.balance.is_some()),
            ("unit", c.unit.is_some()),
        ]);
        if !excluded.is_empty() {
            return Err(toml_err(format!(
                "[cssf.rasters] cannot be combined with cssf.{}: with rasters, supply and demand \
                 per region are computed from the rasters and the flows from them",
                excluded.join(", cssf.")
            )));
        }
        if c.core == Some(CoreKey::Given) {
            return Err(toml_err(
                "cssf.core = \"given\" needs core_lon/core_lat from a balance table, which \
                 [cssf.rasters] does not have; expected \"centroid\" or \"interior-point\""
                    .to_owned(),
            ));
        }
        let Some(polygons) = &c.regions else {
            return Err(toml_err(
                "[cssf.rasters] needs cssf.regions, the region polygons (GeoJSON file or \
                 folder, or a shapefile)"
                    .to_owned(),
            ));
        };
        let model = flow_model_of(c, plugins, options, &toml_err)?;
        let input = PolygonInput {
            regions: existing_path(source, toml_path, "cssf.regions", polygons)?,
            id_field: c.id_field.as_deref(),
            balance: toml_path.to_owned(),
            unit: MassUnit::Tonne,
            k: c.k.unwrap_or(fzc_cssf_flow::ImpactFactor::PAPER.get()),
            intensity: c.intensity.unwrap_or_default(),
            mass: c.mass.unwrap_or_default(),
            core: c.core.unwrap_or_default(),
        };
        let inputs = raster_inputs(source, toml_path, r, &input)?;
        let plugin = match r.demand.as_deref() {
            None | Some("builtin") => None,
            Some(text) => {
                let spec = plugin_named(plugins, "cssf.rasters.demand", text, &toml_err)?;
                let estimator =
                    (options.demand_estimator)(spec).map_err(|message| ScenarioError::Layer {
                        path: spec.path.clone(),
                        what: "loading the cssf.rasters.demand demand-estimator plugin",
                        message,
                    })?;
                Some(Arc::<dyn DemandEstimator>::from(estimator))
            }
        };
        let layers = RasterLayers::compute(&inputs, plugin, options.progress)?;
        let ids: Vec<RegionId> = layers.regions().iter().map(|b| b.region.clone()).collect();
        let index = match_regions(&input.regions, "region polygons", &ids, regions)?;
        warnings.extend(layers.notes());
        let preview = layers.preview(PREVIEW_MAX_SIDE, options.progress)?;
        let balance = layers
            .regions()
            .iter()
            .map(|b| fzc_io::RegionBalanceRow {
                id: b.region.clone(),
                supply: b.supply,
                demand: b.demand,
                core: None,
            })
            .collect();
        let (computed, prepared) = cssf_from_balance(
            &input,
            balance,
            regions,
            model.as_deref(),
            warnings,
            options.progress,
        )?;
        // The built-in model's inputs are kept so that other carbon densities (the
        // uncertainty parameters pools.*) can be run through it again.
        let pools = model
            .is_none()
            .then(|| CssfPoolsModel::new(layers.clone(), prepared, regions.len()))
            .flatten();
        let mut rows: Vec<RegionRasterCssf> = layers
            .regions()
            .iter()
            .zip(&index)
            .map(|(b, &i)| RegionRasterCssf {
                region: i,
                supply: TonnesCo2(b.supply),
                demand: TonnesCo2(b.demand),
                cssdr: b.cssdr,
            })
            .collect();
        rows.sort_by_key(|r| r.region);
        let result = RasterCssf {
            regions: rows,
            preview,
        };
        return Ok((
            computed.transfers,
            computed.cores,
            Some((result, layers, pools)),
        ));
    }
    let polygon_keys = given_keys(&[
        ("regions", c.regions.is_some()),
        ("id_field", c.id_field.is_some()),
        ("balance", c.balance.is_some()),
        ("unit", c.unit.is_some()),
        ("k", c.k.is_some()),
        ("intensity", c.intensity.is_some()),
        ("mass", c.mass.is_some()),
        ("core", c.core.is_some()),
        ("model", c.model.is_some()),
    ]);
    if let Some(transfers) = &c.transfers {
        if !polygon_keys.is_empty() {
            return Err(toml_err(format!(
                "[cssf] transfers cannot be combined with {}: give the layer either as a \
                 transfers table or as regions + balance",
                polygon_keys.join(", ")
            )));
        }
        let transfers = read_cssf(source, transfers, regions)?;
        return Ok((transfers, vec![None; regions.len()], None));
    }
    let (Some(polygons), Some(balance)) = (&c.regions, &c.balance) else {
        return Err(toml_err(
            "[cssf] needs `transfers`, an output_region,input_region,transfer,unit table, both \
             `regions` (polygons) and `balance` (a region,supply,demand table), or `regions` \
             and a [cssf.rasters] table"
                .to_owned(),
        ));
    };
    let unit_text = c.unit.as_deref().unwrap_or("t");
    let unit: MassUnit = unit_text
        .parse()
        .map_err(|e: fzc_core::CoreError| toml_err(format!("cssf.unit: {e}")))?;
    let input = PolygonInput {
        regions: raw_path(source, toml_path, "cssf.regions", polygons)?,
        id_field: c.id_field.as_deref(),
        balance: raw_path(source, toml_path, "cssf.balance", balance)?,
        unit,
        k: c.k.unwrap_or(fzc_cssf_flow::ImpactFactor::PAPER.get()),
        intensity: c.intensity.unwrap_or_default(),
        mass: c.mass.unwrap_or_default(),
        core: c.core.unwrap_or_default(),
    };
    let model = flow_model_of(c, plugins, options, &toml_err)?;
    let computed = cssf_from_polygons(
        &input,
        regions,
        model.as_deref(),
        warnings,
        options.progress,
    )?;
    Ok((computed.transfers, computed.cores, None))
}

/// The `[[plugin]]` stanza `text` (`plugin:<name>`) names, for key `key`.
fn plugin_named<'p>(
    plugins: &'p [PluginSpec],
    key: &str,
    text: &str,
    toml_err: &dyn Fn(String) -> ScenarioError,
) -> Result<&'p PluginSpec, ScenarioError> {
    let Some(name) = text.strip_prefix("plugin:") else {
        return Err(toml_err(format!(
            "{key} {text:?}: expected \"plugin:<name>\" naming a [[plugin]] stanza"
        )));
    };
    plugins
        .iter()
        .find(|spec| spec.name == name)
        .ok_or_else(|| {
            toml_err(format!(
                "{key}: plugin {name:?} is not declared; expected a [[plugin]] stanza with name = \
             {name:?} (declared: [{}])",
                plugins
                    .iter()
                    .map(|spec| spec.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// The flow model `cssf.model` asks for: `None` for the built-in breakpoint model.
fn flow_model_of(
    c: &CssfToml,
    plugins: &[PluginSpec],
    options: &LoadOptions<'_>,
    toml_err: &dyn Fn(String) -> ScenarioError,
) -> Result<Option<Box<dyn FlowModel>>, ScenarioError> {
    match c.model.as_deref() {
        None | Some("breakpoint") => Ok(None),
        Some(text) => {
            if !text.starts_with("plugin:") {
                return Err(toml_err(format!(
                    "cssf.model {text:?}: expected \"breakpoint\" or \"plugin:<name>\" \
                     naming a [[plugin]] stanza"
                )));
            }
            let spec = plugin_named(plugins, "cssf.model", text, toml_err)?;
            Ok(Some((options.flow_model)(spec).map_err(|message| {
                ScenarioError::Layer {
                    path: spec.path.clone(),
                    what: "loading the cssf.model flow-model plugin",
                    message,
                }
            })?))
        }
    }
}

/// A raw input's path that must exist on disk; the error names the key.
fn existing_path(
    source: &ScenarioSource,
    toml_path: &Path,
    key: &str,
    relative: &str,
) -> Result<PathBuf, ScenarioError> {
    let path = raw_path(source, toml_path, key, relative)?;
    if !path.exists() {
        return Err(ScenarioError::Toml {
            path: toml_path.to_owned(),
            message: format!(
                "{key} = {relative:?}: no such file or folder ({}); paths are relative to the \
                 scenario file",
                path.display()
            ),
        });
    }
    Ok(path)
}

/// The raster pipeline's inputs from `[cssf.rasters]`, every path checked.
fn raster_inputs(
    source: &ScenarioSource,
    toml_path: &Path,
    r: &RastersToml,
    polygons: &PolygonInput<'_>,
) -> Result<RasterInputs, ScenarioError> {
    let toml_err = |message: String| ScenarioError::Toml {
        path: toml_path.to_owned(),
        message,
    };
    let path = |key: &str, rel: &str| {
        existing_path(source, toml_path, &format!("cssf.rasters.{key}"), rel)
    };
    let optional =
        |key: &str, rel: &Option<String>| rel.as_deref().map(|rel| path(key, rel)).transpose();
    if r.population.is_some() && r.census.is_some() {
        return Err(toml_err(
            "cssf.rasters: population and census cannot be combined; give a population raster, \
             or census totals spread over land use by class_weights"
                .to_owned(),
        ));
    }
    if r.population.is_none() && r.census.is_none() && r.demand.is_none() {
        return Err(toml_err(
            "cssf.rasters needs population (a raster) or census (region,population totals \
             with class_weights), or a demand = \"plugin:<name>\" estimator"
                .to_owned(),
        ));
    }
    if r.census.is_some() && r.class_weights.is_none() && r.demand.is_none() {
        return Err(toml_err(
            "cssf.rasters.census needs class_weights (a class,weight table) to spread the \
             census totals over land use, or a demand = \"plugin:<name>\" estimator"
                .to_owned(),
        ));
    }
    if r.population_kind.is_some() && r.population.is_none() {
        return Err(toml_err(
            "cssf.rasters.population_kind only applies with cssf.rasters.population".to_owned(),
        ));
    }
    let max_outside_share = r.max_outside_share.unwrap_or(1e-9);
    if !(0.0..=1.0).contains(&max_outside_share) {
        return Err(ScenarioError::InvalidValue {
            what: format!("{}: cssf.rasters.max_outside_share", toml_path.display()),
            value: max_outside_share,
            expected: "a share in [0, 1]",
        });
    }
    let emissions_unit: MassUnit = r
        .emissions_unit
        .as_deref()
        .unwrap_or("t")
        .parse()
        .map_err(|e: fzc_core::CoreError| toml_err(format!("cssf.rasters.emissions_unit: {e}")))?;
    let lulc = path("lulc", &r.lulc)?;
    let lulc_map = optional("lulc_map", &r.lulc_map)?;
    let raster_crs = r
        .crs
        .as_deref()
        .map(fzc_io::parse_raster_crs)
        .transpose()
        .map_err(|e| toml_err(format!("cssf.rasters.crs: {e}")))?;
    Ok(RasterInputs {
        regions: RegionsInput {
            path: polygons.regions.clone(),
            id_field: polygons.id_field.map(str::to_owned),
            coverage: match r.coverage {
                CoverageKey::Exact => CoverageMode::Exact,
                CoverageKey::PixelCentre => CoverageMode::PixelCentre,
            },
            max_outside_share,
        },
        supply: SupplyInputs {
            lulc: lulc.clone(),
            pools: path("pools", &r.pools)?,
            lulc_map: lulc_map.clone(),
            unit: match r.supply_unit {
                SupplyUnitKey::AsPaper => SupplyUnit::AsPaper,
                SupplyUnitKey::Co2 => SupplyUnit::Co2,
            },
            unmapped: match r.unmapped {
                UnmappedKey::Error => UnmappedClasses::Error,
                UnmappedKey::Skip => UnmappedClasses::Skip,
            },
            raster_crs,
        },
        demand: DemandInputs {
            emissions: path("emissions", &r.emissions)?,
            emissions_unit,
            population: optional("population", &r.population)?,
            population_kind: match r.population_kind.unwrap_or_default() {
                PopulationKindKey::Count => PopulationKind::Count,
                PopulationKindKey::DensityPerKm2 => PopulationKind::DensityPerKm2,
            },
            census: optional("census", &r.census)?,
            class_weights: optional("class_weights", &r.class_weights)?,
            lulc: Some(lulc),
            lulc_map,
            agri_classes: r
                .agri_classes
                .clone()
                .unwrap_or_else(|| vec![1])
                .into_iter()
                .collect::<BTreeSet<_>>(),
            urban_classes: r
                .urban_classes
                .clone()
                .unwrap_or_else(|| vec![5])
                .into_iter()
                .collect::<BTreeSet<_>>(),
            urban_mask: optional("urban_mask", &r.urban_mask)?,
            raster_crs,
        },
    })
}

fn read_standards(
    source: &ScenarioSource,
    rel: &str,
    regions: &[RegionId],
) -> Result<Vec<Option<StandardEntry>>, ScenarioError> {
    let (path, text) = source.read_relative(rel)?;
    let table = Table::parse(
        &path,
        &text,
        &["region", "yuan_per_tonne", "provenance"],
        &[],
    )?;
    let mut out = vec![None; regions.len()];
    for row in table.rows() {
        let i = row.region("region", regions)?;
        let value = row.number("yuan_per_tonne")?;
        if value < 0.0 {
            return Err(row.invalid(format!(
                "standard of region {:?} is {value}; expected a value ≥ 0 yuan/t",
                regions[i].as_str()
            )));
        }
        let entry = StandardEntry {
            yuan_per_tonne: YuanPerTonne(value),
            provenance: row.provenance()?,
            note: row.text("note").to_owned(),
        };
        if out[i].replace(entry).is_some() {
            return Err(row.duplicate("region", regions[i].to_string()));
        }
    }
    Ok(out)
}

fn read_economy(
    source: &ScenarioSource,
    rel: &str,
    regions: &[RegionId],
    engel_unit: EngelUnit,
) -> Result<Vec<Option<EconomyEntry>>, ScenarioError> {
    let (path, text) = source.read_relative(rel)?;
    let table = Table::parse(
        &path,
        &text,
        &["region", "population", "gdp_1e8_yuan", "provenance"],
        &["engel"],
    )?;
    let mut out = vec![None; regions.len()];
    for row in table.rows() {
        let i = row.region("region", regions)?;
        let population = row.number("population")?;
        let gdp = row.number("gdp_1e8_yuan")?;
        if population <= 0.0 || gdp <= 0.0 {
            return Err(row.invalid(format!(
                "region {:?}: population {population} and GDP {gdp} must both be > 0",
                regions[i].as_str()
            )));
        }
        let engel = row.optional_number("engel")?;
        let max = match engel_unit {
            EngelUnit::Fraction => 1.0,
            EngelUnit::Percent => 100.0,
        };
        if let Some(t) = engel
            && !(0.0..=max).contains(&t)
        {
            return Err(row.invalid(format!(
                "region {:?}: Engel coefficient {t} is outside [0, {max}] (engel_unit = {})",
                regions[i].as_str(),
                match engel_unit {
                    EngelUnit::Fraction => "fraction",
                    EngelUnit::Percent => "percent",
                }
            )));
        }
        let entry = EconomyEntry {
            population_persons: population,
            gdp_yuan: gdp * 1e8,
            engel,
            provenance: row.provenance()?,
        };
        if out[i].replace(entry).is_some() {
            return Err(row.duplicate("region", regions[i].to_string()));
        }
    }
    Ok(out)
}

fn read_ect(
    source: &ScenarioSource,
    net_rel: &str,
    bilateral_rel: Option<&str>,
    rule: BilateralRule,
    regions: &[RegionId],
) -> Result<EctResults, ScenarioError> {
    let (path, text) = source.read_relative(net_rel)?;
    let table = Table::parse(&path, &text, &["region", "nf", "unit", "provenance"], &[])?;
    let mut net = vec![None; regions.len()];
    for row in table.rows() {
        let i = row.region("region", regions)?;
        let tonnes = row.number("nf")? * row.unit("unit")?.tonnes_per_unit();
        if net[i]
            .replace((TonnesCo2(tonnes), row.provenance()?))
            .is_some()
        {
            return Err(row.duplicate("region", regions[i].to_string()));
        }
    }
    if let Some(i) = net.iter().position(Option::is_none) {
        return Err(ScenarioError::MissingRegion {
            path,
            region: regions[i].to_string(),
            what: "the ECT net-transfer table must give NF for every region of the scenario \
                   (0 for an ECT-neutral region)",
        });
    }
    let (net, net_provenance): (Vec<TonnesCo2>, Vec<_>) = net.into_iter().flatten().unzip();
    let sum: f64 = net.iter().map(|t| t.0).sum();
    let scale: f64 = net.iter().map(|t| t.0.abs()).sum();
    let tolerance = (1e-6 * scale).max(1.0);
    if sum.abs() > tolerance {
        return Err(ScenarioError::Unbalanced {
            path,
            sum_tonnes: sum,
            tolerance_tonnes: tolerance,
        });
    }

    let mut given = Vec::new();
    if let Some(rel) = bilateral_rel {
        let (path, text) = source.read_relative(rel)?;
        let table = Table::parse(
            &path,
            &text,
            &["from", "to", "nt", "unit", "provenance"],
            &[],
        )?;
        let mut pairs = BTreeSet::new();
        for row in table.rows() {
            let from = row.region("from", regions)?;
            let to = row.region("to", regions)?;
            if from == to {
                return Err(row.invalid(format!(
                    "a region cannot owe itself ({:?} to {:?})",
                    regions[from].as_str(),
                    regions[to].as_str()
                )));
            }
            if !pairs.insert((from.min(to), from.max(to))) {
                return Err(row.duplicate("pair", format!("{} / {}", regions[from], regions[to])));
            }
            let tonnes = row.number("nt")? * row.unit("unit")?.tonnes_per_unit();
            given.push(GivenNet {
                from,
                to,
                tonnes: TonnesCo2(tonnes),
                provenance: row.provenance()?,
            });
        }
    }
    Ok(EctResults {
        net,
        net_provenance,
        given,
        rule,
    })
}

fn read_cssf(
    source: &ScenarioSource,
    rel: &str,
    regions: &[RegionId],
) -> Result<Vec<CssfTransfer>, ScenarioError> {
    let (path, text) = source.read_relative(rel)?;
    let table = Table::parse(
        &path,
        &text,
        &[
            "output_region",
            "input_region",
            "transfer",
            "unit",
            "provenance",
        ],
        &[],
    )?;
    let mut out = Vec::new();
    let mut pairs = BTreeSet::new();
    for row in table.rows() {
        let output = row.region("output_region", regions)?;
        let input = row.region("input_region", regions)?;
        if output == input {
            return Err(row.invalid(format!(
                "region {:?} cannot supply itself",
                regions[output].as_str()
            )));
        }
        if !pairs.insert((output, input)) {
            return Err(row.duplicate("pair", format!("{} -> {}", regions[output], regions[input])));
        }
        let tonnes = row.number("transfer")? * row.unit("unit")?.tonnes_per_unit();
        if tonnes < 0.0 {
            return Err(row.invalid(format!(
                "transfer {} -> {} is negative; a CSSF transfer is ≥ 0 (swap the columns)",
                regions[output], regions[input]
            )));
        }
        out.push(CssfTransfer {
            output,
            input,
            tonnes: TonnesCo2(tonnes),
            provenance: row.provenance()?,
            range_km: None,
            distance_km: None,
            output_core: None,
            input_core: None,
        });
    }
    Ok(out)
}
