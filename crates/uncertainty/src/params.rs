//! Parameter names: which scenario input each stanza varies, and how a drawn value is put
//! into a copy of the scenario.
//!
//! | name | input | unit | valid values |
//! |---|---|---|---|
//! | `price` | the carbon price `P` | yuan/t | `>= 0` |
//! | `pricing.a`, `pricing.b` | Eq 18's `a`, `b` | — | finite |
//! | `standard.<region>` | a given standard (`standards.csv`) | yuan/t | `>= 0` |
//! | `economy.<region>.<column>` | `population`, `gdp` or `engel` of `economy.csv` | persons, yuan, the table's unit | `>= 0` |
//! | `ect.nf.<region>` | the net ECT `NF` | t CO2 | any sign |
//! | `ect.bilateral.<from>.<to>` | a given bilateral net (`ect-bilateral.csv`) | t CO2 | `>= 0` |
//! | `cssf.transfer.<output>.<input>` | a CSSF transfer `V_sr` | t | `>= 0` |
//!
//! | `pools.<lucode>.<pool>` | a carbon density of `[cssf.rasters] pools` (`c_above`, `c_below`, `c_soil`, `c_dead`) | t C/ha | `>= 0` |
//! | `ect.mrio.y` | every cell of the MRIO's final demand `Y` | factor | `>= 0` |
//! | `ect.mrio.f` | every sector's direct emissions `F` (the stressor) | factor | `>= 0` |
//!
//! **Per-cell noise.** `ect.mrio.y` and `ect.mrio.f` draw one factor per cell of `Y` (n · m)
//! or of `F` (n), each independently from the stanza's distribution (`scale = "relative"`,
//! e.g. `dist = "lognormal"`, `mean = 1`, `cv = 0.1`), and recompute the ECT layer from the
//! factored table ([`fzc_scenario::MrioLayerModel`]): solves, no factorisation. They need an
//! `[ect] mrio` layer computed by the final-demand method. The factors come from a stream of
//! their own keyed by `(seed, draw)`, so they are reproducible and shard-independent like
//! every draw; they are not inputs of a sensitivity analysis. `params.csv` records the mean
//! of each draw's factors.
//!
//! In `cssf.transfer.*`, `cssf.transfer.<output>.*` and `cssf.transfer.*.<input>` the `*`
//! stands for every matching transfer; each gets its own draw unless the stanza has a
//! `group`.
//!
//! **A complete bilateral matrix** (`bilateral_rule = "given"`, as an MRIO layer has): NF is
//! the sum of each region's row, so `ect.nf.*` is refused, and a drawn
//! `ect.bilateral.<from>.<to>` moves NF of `from` by the change and NF of `to` by its
//! opposite.
//!
//! **Σ NF = 0.** Eq 10 makes the region net transfers sum to zero. After the `ect.nf.*`
//! draws, their total change is taken back from the regions whose `NF` is not drawn, in
//! proportion to their `|NF|` (equally when those are all zero). Drawing every region's `NF`
//! is refused: nothing would be left to keep the balance.

use std::collections::BTreeSet;

use statrs::distribution::ContinuousCDF;

use fzc_core::{TonnesCo2, YuanPerTonne};
use fzc_scenario::Scenario;

use crate::dist::Distribution;
use crate::error::UncertaintyError;
use crate::spec::{Scale, UncertaintySpec};

/// A column of `economy.csv` that a stanza can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EconomyColumn {
    Population,
    Gdp,
    Engel,
}

/// One of the four carbon pools of a land-use class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pool {
    Above,
    Below,
    Soil,
    Dead,
}

impl Pool {
    const ALL: [(Pool, &'static str); 4] = [
        (Pool::Above, "c_above"),
        (Pool::Below, "c_below"),
        (Pool::Soil, "c_soil"),
        (Pool::Dead, "c_dead"),
    ];

    fn get(self, p: &fzc_cssf_flow::CarbonPools) -> f64 {
        match self {
            Pool::Above => p.c_above,
            Pool::Below => p.c_below,
            Pool::Soil => p.c_soil,
            Pool::Dead => p.c_dead,
        }
    }

    fn set(self, p: &mut fzc_cssf_flow::CarbonPools, v: f64) {
        match self {
            Pool::Above => p.c_above = v,
            Pool::Below => p.c_below = v,
            Pool::Soil => p.c_soil = v,
            Pool::Dead => p.c_dead = v,
        }
    }
}

/// The scenario input one concrete parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// A carbon density: land-use code and pool.
    Pool(i64, Pool),
    Price,
    PricingA,
    PricingB,
    Standard(usize),
    Economy(usize, EconomyColumn),
    EctNf(usize),
    EctBilateral(usize),
    CssfTransfer(usize),
    CssfK,
}

impl Input {
    /// Whether a negative value makes the input invalid.
    fn nonnegative(self) -> bool {
        !matches!(self, Input::PricingA | Input::PricingB | Input::EctNf(_))
    }
}

/// One concrete parameter of the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its concrete name (wildcards expanded), as written to `params.csv`.
    pub name: String,
    /// The scenario's value of the input.
    pub base: f64,
    /// The index of its stanza in [`UncertaintySpec::stanzas`].
    pub stanza: usize,
    /// The uniform number it draws from (parameters of one group share one).
    pub slot: usize,
    input: Input,
}

/// A Gaussian copula over some slots: their uniform numbers become normal scores, are mixed
/// by the lower Cholesky factor of the correlation matrix, and mapped back to uniforms.
#[derive(Debug, Clone, PartialEq)]
struct Copula {
    slots: Vec<usize>,
    /// Lower-triangular `L` with `L·Lᵀ` the correlation matrix, row by row.
    cholesky: Vec<Vec<f64>>,
}

/// Which MRIO input a per-cell noise stanza perturbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoiseTarget {
    /// Final demand `Y`, n · m cells.
    Y,
    /// Direct emissions `F`, n cells.
    F,
}

/// A per-cell noise stanza (`ect.mrio.y`, `ect.mrio.f`).
#[derive(Debug, Clone, PartialEq)]
struct Noise {
    name: &'static str,
    target: NoiseTarget,
    stanza: usize,
}

/// The stanzas resolved against one scenario: what each draw sets.
#[derive(Debug, Clone)]
pub struct Plan {
    spec: UncertaintySpec,
    parameters: Vec<Parameter>,
    noise: Vec<Noise>,
    slots: usize,
    copulas: Vec<Copula>,
    /// Regions whose `NF` absorbs the drawn `NF` changes, with their weights.
    nf_absorbers: Vec<(usize, f64)>,
}

impl Plan {
    /// Resolves every stanza against `scenario`.
    ///
    /// # Errors
    /// [`UncertaintyError::UnknownParameter`] (listing the valid names) for a name this
    /// scenario does not have; [`UncertaintyError::Stanza`] for a parameter named twice, a
    /// truncated distribution whose window allows invalid values, or `ect.nf` drawn for every
    /// region.
    pub fn new(scenario: &Scenario, spec: &UncertaintySpec) -> Result<Plan, UncertaintyError> {
        let mut parameters: Vec<Parameter> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut groups: Vec<String> = Vec::new();
        // Each parameter's group (index into `groups`), or None for an independent draw.
        let mut group_of: Vec<Option<usize>> = Vec::new();
        let mut noise: Vec<Noise> = Vec::new();
        for (index, stanza) in spec.stanzas.iter().enumerate() {
            if let Some(target) = noise_target(&stanza.param) {
                let n = check_noise(scenario, stanza, target).map_err(|message| {
                    UncertaintyError::Stanza {
                        origin: spec.origin.clone(),
                        stanza: stanza.number,
                        param: stanza.param.clone(),
                        message,
                    }
                })?;
                if noise.iter().any(|x| x.target == target) {
                    return Err(UncertaintyError::Stanza {
                        origin: spec.origin.clone(),
                        stanza: stanza.number,
                        param: stanza.param.clone(),
                        message: format!(
                            "{} is already varied by an earlier stanza; give each input one \
                             distribution",
                            n.name
                        ),
                    });
                }
                noise.push(Noise { stanza: index, ..n });
                continue;
            }
            let found = resolve(scenario, &stanza.param).map_err(|why| {
                UncertaintyError::UnknownParameter {
                    origin: spec.origin.clone(),
                    stanza: stanza.number,
                    param: stanza.param.clone(),
                    why: format!("in scenario {:?}, {why}", scenario.name),
                    valid: valid_names(scenario),
                }
            })?;
            let stanza_error = |message: String| UncertaintyError::Stanza {
                origin: spec.origin.clone(),
                stanza: stanza.number,
                param: stanza.param.clone(),
                message,
            };
            let group_slot = stanza.group.as_ref().map(|g| {
                groups.iter().position(|x| x == g).unwrap_or_else(|| {
                    groups.push(g.clone());
                    groups.len() - 1
                })
            });
            for (name, input, base) in found {
                if !seen.insert(name.clone()) {
                    return Err(stanza_error(format!(
                        "{name} is already varied by an earlier stanza; give each input one \
                         distribution"
                    )));
                }
                if input.nonnegative()
                    && stanza.dist.is_truncated()
                    && !admits_only_nonnegative(stanza.dist, stanza.scale, base)
                {
                    return Err(stanza_error(format!(
                        "{name} must stay >= 0, but the truncation window of {} allows \
                         negative values",
                        stanza.dist
                    )));
                }
                parameters.push(Parameter {
                    name,
                    base,
                    stanza: index,
                    slot: 0,
                    input,
                });
                group_of.push(group_slot);
            }
        }
        // Densities give new transfers (other pairs, other order), so a transfer drawn by
        // its index cannot be combined with them; and the class pass runs now, before any
        // draw, so that a raster that cannot be read again fails here.
        if let Some(first) = parameters
            .iter()
            .find(|p| matches!(p.input, Input::Pool(..)))
        {
            let stanza = &spec.stanzas[first.stanza];
            let stanza_error = |message: String| UncertaintyError::Stanza {
                origin: spec.origin.clone(),
                stanza: stanza.number,
                param: stanza.param.clone(),
                message,
            };
            if let Some(t) = parameters
                .iter()
                .find(|p| matches!(p.input, Input::CssfTransfer(_)))
            {
                return Err(stanza_error(format!(
                    "pools.* recomputes every CSSF transfer, so {} cannot be varied as well; \
                     vary the densities or the transfers, not both",
                    t.name
                )));
            }
            if let Some(model) = &scenario.cssf_pools {
                model
                    .prepare(&fzc_core::NoProgress)
                    .map_err(|e| stanza_error(format!("supply per land-use class: {e}")))?;
            }
        }
        // Slots: the independent parameters first, in stanza order, then one per group in
        // order of first appearance.
        let independent = group_of.iter().filter(|g| g.is_none()).count();
        let mut next = 0;
        for (p, g) in parameters.iter_mut().zip(&group_of) {
            p.slot = match g {
                Some(g) => independent + g,
                None => {
                    next += 1;
                    next - 1
                }
            };
        }
        let slots = independent + groups.len();

        let drawn_nf: BTreeSet<usize> = parameters
            .iter()
            .filter_map(|p| match p.input {
                Input::EctNf(r) => Some(r),
                _ => None,
            })
            .collect();
        let mut nf_absorbers = Vec::new();
        if let (false, Some(ect)) = (drawn_nf.is_empty(), &scenario.ect) {
            let free: Vec<usize> = (0..scenario.regions.len())
                .filter(|r| !drawn_nf.contains(r))
                .collect();
            if free.is_empty() {
                let stanza = parameters
                    .iter()
                    .find(|p| matches!(p.input, Input::EctNf(_)))
                    .map_or(0, |p| p.stanza);
                return Err(UncertaintyError::Stanza {
                    origin: spec.origin.clone(),
                    stanza: spec.stanzas[stanza].number,
                    param: spec.stanzas[stanza].param.clone(),
                    message: "every region's ect.nf is drawn, so none is left to keep Σ NF = 0 \
                              (Eq 10); leave at least one region's NF undrawn"
                        .to_owned(),
                });
            }
            let total: f64 = free.iter().map(|&r| ect.net[r].0.abs()).sum();
            #[allow(clippy::cast_precision_loss)] // a region count
            let equal = 1.0 / free.len() as f64;
            nf_absorbers = free
                .iter()
                .map(|&r| {
                    let w = if total > 0.0 {
                        ect.net[r].0.abs() / total
                    } else {
                        equal
                    };
                    (r, w)
                })
                .collect();
        }
        let mut plan = Plan {
            spec: spec.clone(),
            parameters,
            noise,
            slots,
            copulas: Vec::new(),
            nf_absorbers,
        };
        plan.copulas = copulas(&plan, spec)?;
        Ok(plan)
    }

    /// Whether the plan has `[[correlation]]` stanzas (a sensitivity analysis refuses them:
    /// its indices assume independent inputs).
    pub fn is_correlated(&self) -> bool {
        !self.copulas.is_empty()
    }

    /// The concrete parameters, in stanza order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// How many independent uniform numbers one draw needs.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// A name per uniform number (slot): the parameter's name for an independent one,
    /// `group:<name>` for a group's. These are the inputs of a sensitivity analysis.
    pub fn slot_names(&self) -> Vec<String> {
        let mut names = vec![String::new(); self.slots];
        for p in &self.parameters {
            if names[p.slot].is_empty() {
                names[p.slot] = match &self.spec.stanzas[p.stanza].group {
                    Some(g) => format!("group:{g}"),
                    None => p.name.clone(),
                };
            }
        }
        names
    }

    /// The uniform numbers after the `[[correlation]]` copulas: each correlated block's
    /// numbers become normal scores `z = Φ⁻¹(u)`, then `z' = L·z`, then `u' = Φ(z')`; every
    /// other slot is unchanged. Each marginal stays uniform, so every parameter keeps its
    /// distribution.
    fn correlate(&self, uniforms: &[f64]) -> Vec<f64> {
        let normal = standard_normal();
        let mut out = uniforms.to_vec();
        for c in &self.copulas {
            let z: Vec<f64> = c
                .slots
                .iter()
                .map(|&k| normal.inverse_cdf(uniforms[k]))
                .collect();
            for (row, &slot) in c.cholesky.iter().zip(&c.slots) {
                let mixed: f64 = row.iter().zip(&z).map(|(l, z)| l * z).sum();
                // Far in a tail Φ rounds to 0 or 1, where an unbounded quantile is infinite.
                out[slot] = normal
                    .cdf(mixed)
                    .clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
            }
        }
        out
    }

    /// The names of the per-cell noise stanzas (`ect.mrio.y`, `ect.mrio.f`), in stanza
    /// order: each adds a row per draw to `params.csv` (the mean of its factors).
    pub fn noise_names(&self) -> Vec<String> {
        self.noise.iter().map(|n| n.name.to_owned()).collect()
    }

    /// The stanzas this plan came from.
    pub fn spec(&self) -> &UncertaintySpec {
        &self.spec
    }

    /// The values of one draw, one per parameter, from the draw's uniform numbers.
    ///
    /// # Errors
    /// [`UncertaintyError::InvalidDraw`] when a value is not finite or makes a non-negative
    /// input negative.
    pub fn values(&self, draw: u64, uniforms: &[f64]) -> Result<Vec<f64>, UncertaintyError> {
        let correlated;
        let uniforms = if self.copulas.is_empty() {
            uniforms
        } else {
            correlated = self.correlate(uniforms);
            &correlated[..]
        };
        self.parameters
            .iter()
            .map(|p| {
                let stanza = &self.spec.stanzas[p.stanza];
                let q = stanza.dist.quantile(uniforms[p.slot]);
                let value = match stanza.scale {
                    Scale::Absolute => q,
                    Scale::Relative => p.base * q,
                };
                let problem = if !value.is_finite() {
                    Some("not a finite number")
                } else if p.input.nonnegative() && value < 0.0 {
                    Some("negative")
                } else if matches!(p.input, Input::CssfK) && value > 1.0 {
                    Some("above 1 (k is in [0, 1], Eq 16)")
                } else {
                    None
                };
                match problem {
                    Some(problem) => Err(UncertaintyError::InvalidDraw {
                        draw,
                        param: p.name.clone(),
                        value,
                        dist: format!("{} ({})", stanza.dist, stanza.scale.as_str()),
                        problem: problem.to_owned(),
                    }),
                    None => Ok(value),
                }
            })
            .collect()
    }

    /// Draw `draw` of the analysis seeded `seed`: the scenario with `values` (from
    /// [`Plan::values`]) and the per-cell noise put in, and the mean factor of each noise
    /// stanza (in [`Plan::noise_names`] order). Without noise stanzas this is
    /// [`Plan::apply`].
    ///
    /// # Errors
    /// [`UncertaintyError::InvalidDraw`] for a noise factor that is negative or not finite;
    /// [`UncertaintyError::Run`] when the ECT layer cannot be recomputed (a sector with
    /// emissions left without output).
    pub fn apply_draw(
        &self,
        scenario: &Scenario,
        values: &[f64],
        seed: u64,
        draw: u64,
    ) -> Result<(Scenario, Vec<f64>), UncertaintyError> {
        let run_error = |source: fzc_scenario::ScenarioError| UncertaintyError::Run {
            draw,
            source: Box::new(source),
        };
        let Some(model) = scenario
            .ect_model
            .as_ref()
            .filter(|_| !self.noise.is_empty())
        else {
            return Ok((self.apply(scenario, values).map_err(run_error)?, Vec::new()));
        };
        let mut factors: [Option<Vec<f64>>; 2] = [None, None];
        let mut means = Vec::with_capacity(self.noise.len());
        for n in &self.noise {
            let (slot, count) = match n.target {
                NoiseTarget::Y => (0, model.size() * model.table_regions()),
                NoiseTarget::F => (1, model.size()),
            };
            let stanza = &self.spec.stanzas[n.stanza];
            let drawn: Vec<f64> = noise_uniforms(seed, draw, n.target, count)
                .into_iter()
                .map(|u| stanza.dist.quantile(u))
                .collect();
            if let Some(bad) = drawn.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(UncertaintyError::InvalidDraw {
                    draw,
                    param: n.name.to_owned(),
                    value: *bad,
                    dist: format!("{} ({})", stanza.dist, stanza.scale.as_str()),
                    problem: "not a finite factor >= 0".to_owned(),
                });
            }
            #[allow(clippy::cast_precision_loss)] // a cell count
            means.push(drawn.iter().sum::<f64>() / count.max(1) as f64);
            // Factors that are all 1 (a zero-width distribution) leave the input as it is:
            // the base solution is reused and the layer is the scenario's, bit for bit.
            if drawn.iter().any(|&v| v != 1.0) {
                factors[slot] = Some(drawn);
            }
        }
        let [y, f] = &factors;
        // One copy of the scenario per draw: the noisy layer goes into it, then the values.
        let mut noisy = scenario.clone();
        if y.is_some() || f.is_some() {
            noisy.ect = Some(model.ect(y.as_deref(), f.as_deref()).map_err(run_error)?);
        }
        Ok((self.apply_to(noisy, values).map_err(run_error)?, means))
    }

    /// A copy of `scenario` with `values` (from [`Plan::values`]) put in, without the
    /// per-cell noise of `ect.mrio.y` / `ect.mrio.f` ([`Plan::apply_draw`] adds it). Drawn
    /// carbon densities (`pools.*`) recompute the CSSF transfers. For a year series
    /// (`[ect] years`) the copy is the last year's scenario alone (its `ect_series` emptied):
    /// an analysis perturbs one year's inputs, and each run zones that year only.
    ///
    /// # Errors
    /// When drawn densities cannot be run through the flow model (the land-use raster cannot
    /// be read again, or the model fails).
    pub fn apply(
        &self,
        scenario: &Scenario,
        values: &[f64],
    ) -> Result<Scenario, fzc_scenario::ScenarioError> {
        self.apply_to(scenario.clone(), values)
    }

    /// [`Plan::apply`] on a copy the caller has made (and may have changed already).
    fn apply_to(
        &self,
        mut s: Scenario,
        values: &[f64],
    ) -> Result<Scenario, fzc_scenario::ScenarioError> {
        s.ect_series = Vec::new();
        // The models the draws run through: the scenario's, read while `s` is changed.
        let pools_model = s.cssf_pools.take();
        let base_k = s.cssf_k;
        let mut nf_change = 0.0;
        let mut k = None;
        // Carbon densities: the scenario's, with the drawn ones put in; only when one moved.
        let mut pools = None;
        for (p, &v) in self.parameters.iter().zip(values) {
            match p.input {
                Input::Pool(code, pool) => {
                    // A value equal to the scenario's is already in the copied table.
                    if v != p.base
                        && let Some(model) = &pools_model
                    {
                        let table = pools.get_or_insert_with(|| model.pools().clone());
                        if let Some(entry) = table.get_mut(&code) {
                            pool.set(entry, v);
                        }
                    }
                }
                Input::Price => s.price = YuanPerTonne(v),
                Input::PricingA => s.pricing.a = v,
                Input::PricingB => s.pricing.b = v,
                Input::Standard(r) => {
                    if let Some(entry) = s.standards[r].as_mut() {
                        entry.yuan_per_tonne = YuanPerTonne(v);
                    }
                }
                Input::Economy(r, column) => {
                    if let Some(entry) = s.economy.as_mut().and_then(|e| e.get_mut(r)) {
                        match column {
                            EconomyColumn::Population => entry.population_persons = v,
                            EconomyColumn::Gdp => entry.gdp_yuan = v,
                            EconomyColumn::Engel => entry.engel = Some(v),
                        }
                    }
                }
                Input::EctNf(r) => {
                    if let Some(ect) = s.ect.as_mut() {
                        nf_change += v - ect.net[r].0;
                        ect.net[r] = TonnesCo2(v);
                    }
                }
                Input::EctBilateral(i) => {
                    if let Some(ect) = s.ect.as_mut() {
                        let (from, to) = (ect.given[i].from, ect.given[i].to);
                        let change = v - ect.given[i].tonnes.0;
                        ect.given[i].tonnes = TonnesCo2(v);
                        // A complete matrix fixes NF as its row sums (NT[from,to] = v,
                        // NT[to,from] = −v): both regions' NF move by the change, and Σ NF
                        // stays 0.
                        if ect.rule == fzc_scenario::BilateralRule::Given {
                            ect.net[from] = TonnesCo2(ect.net[from].0 + change);
                            ect.net[to] = TonnesCo2(ect.net[to].0 - change);
                        }
                    }
                }
                Input::CssfTransfer(i) => {
                    if let Some(cssf) = s.cssf.as_mut() {
                        cssf[i].tonnes = TonnesCo2(v);
                    }
                }
                Input::CssfK => k = Some(v),
            }
        }
        // Other densities: supply again (linear in them) and the breakpoint model again.
        if let (Some(pools), Some(model)) = (&pools, &pools_model) {
            s.cssf = Some(model.transfers(pools)?);
        }
        s.cssf_pools = pools_model;
        // Eq 16 is linear in k: another k scales every transfer (drawn ones included) by
        // the ratio, exactly what the breakpoint model would give.
        if let (Some(k), Some(base)) = (k, base_k)
            && base > 0.0
            && let Some(cssf) = s.cssf.as_mut()
        {
            for t in cssf {
                t.tonnes = TonnesCo2(t.tonnes.0 * (k / base));
            }
            s.cssf_k = Some(k);
        }
        if nf_change != 0.0
            && let Some(ect) = s.ect.as_mut()
        {
            for &(r, w) in &self.nf_absorbers {
                ect.net[r] = TonnesCo2(ect.net[r].0 - nf_change * w);
            }
        }
        Ok(s)
    }
}

fn standard_normal() -> statrs::distribution::Normal {
    // Mean 0 and sd 1 are valid parameters: this cannot fail.
    statrs::distribution::Normal::standard()
}

/// Resolves the `[[correlation]]` stanzas against the plan's slots and factors each matrix.
#[allow(clippy::needless_range_loop)] // matrix entries by (i, j), as the checks state them
fn copulas(plan: &Plan, spec: &UncertaintySpec) -> Result<Vec<Copula>, UncertaintyError> {
    let names = plan.slot_names();
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(spec.correlations.len());
    for c in &spec.correlations {
        let err = |message: String| UncertaintyError::Stanza {
            origin: spec.origin.clone(),
            stanza: c.number,
            param: "[[correlation]]".to_owned(),
            message,
        };
        let mut slots = Vec::with_capacity(c.params.len());
        for p in &c.params {
            let Some(slot) = names.iter().position(|n| n == p) else {
                return Err(err(format!(
                    "{p:?} is not an input of this analysis; name a concrete parameter of a \
                     stanza without a group, or group:<name> for a group. Inputs: {}",
                    names.join(", ")
                )));
            };
            if !used.insert(slot) {
                return Err(err(format!(
                    "{p} appears twice, or in two [[correlation]] stanzas; put the inputs that \
                     are correlated with each other in one matrix"
                )));
            }
            slots.push(slot);
        }
        let m = &c.matrix;
        let d = slots.len();
        for i in 0..d {
            if m[i][i] != 1.0 {
                return Err(err(format!(
                    "matrix[{i}][{i}] is {}, expected 1 (a correlation matrix has a unit \
                     diagonal)",
                    m[i][i]
                )));
            }
            for j in 0..d {
                let v = m[i][j];
                if !(v.is_finite() && (-1.0..=1.0).contains(&v)) {
                    return Err(err(format!(
                        "matrix[{i}][{j}] is {v}, expected a value in [-1, 1]"
                    )));
                }
                if (v - m[j][i]).abs() > 1e-12 {
                    return Err(err(format!(
                        "matrix is not symmetric: [{i}][{j}] = {v} but [{j}][{i}] = {}",
                        m[j][i]
                    )));
                }
            }
        }
        let cholesky = cholesky(m).ok_or_else(|| {
            err(
                "matrix is not positive definite (no Gaussian copula has it); check that the \
                 pairwise correlations are consistent with each other"
                    .to_owned(),
            )
        })?;
        out.push(Copula { slots, cholesky });
    }
    Ok(out)
}

/// The lower Cholesky factor of a symmetric matrix, or `None` when it is not positive
/// definite (a pivot at or below 1e-12).
fn cholesky(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let d = m.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let pivot = m[i][i] - sum;
                if pivot <= 1e-12 {
                    return None;
                }
                l[i][j] = pivot.sqrt();
            } else {
                l[i][j] = (m[i][j] - sum) / l[j][j];
            }
        }
    }
    Some(l)
}

/// The noise target a parameter name stands for, if it is a per-cell noise name.
fn noise_target(name: &str) -> Option<NoiseTarget> {
    match name {
        "ect.mrio.y" => Some(NoiseTarget::Y),
        "ect.mrio.f" => Some(NoiseTarget::F),
        _ => None,
    }
}

/// Checks a per-cell noise stanza against the scenario.
fn check_noise(
    s: &Scenario,
    stanza: &crate::spec::Stanza,
    target: NoiseTarget,
) -> Result<Noise, String> {
    let name = match target {
        NoiseTarget::Y => "ect.mrio.y",
        NoiseTarget::F => "ect.mrio.f",
    };
    if s.ect.is_none() {
        return Err("the scenario has no ECT layer".to_owned());
    }
    if s.ect_model.is_none() {
        return Err(format!(
            "{name} perturbs the MRIO table, but the ECT layer was not computed from one by \
             the final-demand method (it is a net table, or method = \"eebt\"); vary ect.nf.* \
             or ect.bilateral.* instead"
        ));
    }
    if stanza.scale != Scale::Relative {
        return Err(format!(
            "{name} draws a factor per cell: set scale = \"relative\" (e.g. dist = \
             \"lognormal\", mean = 1, cv = 0.1)"
        ));
    }
    if stanza.group.is_some() {
        return Err(format!(
            "{name} draws every cell independently; it cannot be in a group"
        ));
    }
    if !stanza.dist.is_nonnegative() {
        return Err(format!(
            "{name}'s factors must stay >= 0, but {} can be negative; use lognormal, or \
             truncnormal with low >= 0",
            stanza.dist
        ));
    }
    Ok(Noise {
        name,
        target,
        stanza: 0,
    })
}

/// The `count` uniform numbers of draw `draw`'s noise on `target`: ChaCha20 keyed by the
/// seed and the target (a key of its own, so these never repeat the draw's parameter
/// numbers), on stream `draw`.
fn noise_uniforms(seed: u64, draw: u64, target: NoiseTarget, count: usize) -> Vec<f64> {
    use rand::{Rng, SeedableRng};
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let tag: &[u8; 24] = match target {
        NoiseTarget::Y => b"fzc per-cell noise on Y ",
        NoiseTarget::F => b"fzc per-cell noise on F ",
    };
    key[8..].copy_from_slice(tag);
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(key);
    rng.set_stream(draw);
    (0..count)
        .map(|_| crate::sample::open_unit(rng.next_u64()))
        .collect()
}

/// Whether every value a truncated distribution can give is `>= 0` once scaled.
fn admits_only_nonnegative(dist: Distribution, scale: Scale, base: f64) -> bool {
    let Distribution::TruncNormal { low, high, .. } = dist else {
        return true;
    };
    match scale {
        Scale::Absolute => low >= 0.0,
        Scale::Relative => {
            if base >= 0.0 {
                low >= 0.0
            } else {
                high <= 0.0
            }
        }
    }
}

type Found = Vec<(String, Input, f64)>;

/// The concrete inputs a name stands for, or why there are none.
fn resolve(s: &Scenario, name: &str) -> Result<Found, String> {
    let region = |id: &str| -> Result<usize, String> {
        s.regions
            .iter()
            .position(|r| r.as_str() == id)
            .ok_or_else(|| format!("{id:?} is not one of the scenario's regions"))
    };
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        ["price"] => Ok(vec![(name.to_owned(), Input::Price, s.price.0)]),
        ["pricing", "a"] => Ok(vec![(name.to_owned(), Input::PricingA, s.pricing.a)]),
        ["pricing", "b"] => Ok(vec![(name.to_owned(), Input::PricingB, s.pricing.b)]),
        ["standard", r] => {
            let i = region(r)?;
            match &s.standards[i] {
                Some(entry) => Ok(vec![(
                    name.to_owned(),
                    Input::Standard(i),
                    entry.yuan_per_tonne.0,
                )]),
                None => Err(format!(
                    "{r}'s standard is computed by Eq 18, not given; vary economy.{r}.* or \
                     pricing.a / pricing.b instead"
                )),
            }
        }
        ["economy", r, column] => {
            let i = region(r)?;
            let Some(economy) = &s.economy else {
                return Err("the scenario has no economy table".to_owned());
            };
            let entry = &economy[i];
            let (column, base) = match *column {
                "population" => (EconomyColumn::Population, entry.population_persons),
                "gdp" => (EconomyColumn::Gdp, entry.gdp_yuan),
                "engel" => match entry.engel {
                    Some(e) => (EconomyColumn::Engel, e),
                    None => {
                        return Err(format!("{r} has no Engel coefficient in the economy table"));
                    }
                },
                other => {
                    return Err(format!(
                        "economy has no column {other:?}; expected population, gdp or engel"
                    ));
                }
            };
            Ok(vec![(name.to_owned(), Input::Economy(i, column), base)])
        }
        ["ect", "nf", r] => {
            let i = region(r)?;
            let Some(ect) = &s.ect else {
                return Err("the scenario has no ECT layer".to_owned());
            };
            if ect.rule == fzc_scenario::BilateralRule::Given {
                return Err(format!(
                    "this ECT layer's bilateral matrix is complete (bilateral_rule = \"given\", \
                     as an MRIO gives it), so {r}'s NF is the sum of its row; vary \
                     ect.bilateral.<from>.<to>{}",
                    if s.ect_model.is_some() {
                        ", or the table itself with ect.mrio.y / ect.mrio.f"
                    } else {
                        ""
                    }
                ));
            }
            Ok(vec![(name.to_owned(), Input::EctNf(i), ect.net[i].0)])
        }
        ["ect", "bilateral", from, to] => {
            let (f, t) = (region(from)?, region(to)?);
            let Some(ect) = &s.ect else {
                return Err("the scenario has no ECT layer".to_owned());
            };
            match ect.given.iter().position(|g| g.from == f && g.to == t) {
                Some(i) => Ok(vec![(
                    name.to_owned(),
                    Input::EctBilateral(i),
                    ect.given[i].tonnes.0,
                )]),
                None => Err(format!(
                    "{from} -> {to} is not a given bilateral net (only rows of the bilateral \
                     table can be varied; the rest follow from NF by the bilateral rule)"
                )),
            }
        }
        ["cssf", "transfer", output, input] => {
            let Some(cssf) = &s.cssf else {
                return Err("the scenario has no CSSF layer".to_owned());
            };
            let o = if *output == "*" {
                None
            } else {
                Some(region(output)?)
            };
            let i = if *input == "*" {
                None
            } else {
                Some(region(input)?)
            };
            let found: Found = cssf
                .iter()
                .enumerate()
                .filter(|(_, t)| o.is_none_or(|o| t.output == o) && i.is_none_or(|i| t.input == i))
                .map(|(k, t)| {
                    (
                        format!(
                            "cssf.transfer.{}.{}",
                            s.regions[t.output], s.regions[t.input]
                        ),
                        Input::CssfTransfer(k),
                        t.tonnes.0,
                    )
                })
                .collect();
            if found.is_empty() {
                Err(format!("no CSSF transfer from {output} to {input}"))
            } else {
                Ok(found)
            }
        }
        ["cssf", "transfer", "*"] => resolve(s, "cssf.transfer.*.*"),
        ["pools", code, pool] => {
            let Some(model) = &s.cssf_pools else {
                return Err(
                    "carbon densities apply to a CSSF layer computed from rasters by the \
                     built-in breakpoint model ([cssf.rasters], no flow-model plugin); this \
                     scenario has none"
                        .to_owned(),
                );
            };
            let codes: Vec<i64> = if *code == "*" {
                model.pools().keys().copied().collect()
            } else {
                let c: i64 = code
                    .parse()
                    .map_err(|_| format!("{code:?} is not a land-use code (an integer) or *"))?;
                if !model.pools().contains_key(&c) {
                    let known: Vec<String> = model.pools().keys().map(i64::to_string).collect();
                    return Err(format!(
                        "land-use class {c} is not in the pools table (classes: {})",
                        known.join(", ")
                    ));
                }
                vec![c]
            };
            let kinds: Vec<(Pool, &str)> = if *pool == "*" {
                Pool::ALL.to_vec()
            } else {
                match Pool::ALL.iter().find(|(_, n)| n == pool) {
                    Some(&found) => vec![found],
                    None => {
                        return Err(format!(
                            "{pool:?} is not a pool; expected c_above, c_below, c_soil, c_dead \
                             or *"
                        ));
                    }
                }
            };
            let mut found = Vec::new();
            for c in codes {
                for &(kind, kind_name) in &kinds {
                    let base = model.pools().get(&c).map_or(0.0, |p| kind.get(p));
                    found.push((format!("pools.{c}.{kind_name}"), Input::Pool(c, kind), base));
                }
            }
            Ok(found)
        }
        ["cssf", "k"] => match (s.cssf_k, &s.cssf) {
            (Some(k), Some(_)) if k > 0.0 => Ok(vec![(name.to_owned(), Input::CssfK, k)]),
            (Some(_), Some(_)) => Err(
                "cssf.k is 0 in the scenario, so its transfers are all zero and cannot be \
                 rescaled; set [cssf] k > 0"
                    .to_owned(),
            ),
            (_, None) => Err("the scenario has no CSSF layer".to_owned()),
            (None, Some(_)) => Err(
                "the CSSF layer was not computed by the built-in breakpoint model (it is a \
                 transfers table or a flow-model plugin), so k has no effect; vary \
                 cssf.transfer.* instead"
                    .to_owned(),
            ),
        },
        _ => Err("not a parameter name".to_owned()),
    }
}

/// The valid parameter names of a scenario, for error messages.
pub fn valid_names(s: &Scenario) -> String {
    let mut names = vec![
        "price".to_owned(),
        "pricing.a".to_owned(),
        "pricing.b".to_owned(),
    ];
    let given: Vec<&str> = s
        .regions
        .iter()
        .zip(&s.standards)
        .filter(|(_, st)| st.is_some())
        .map(|(r, _)| r.as_str())
        .collect();
    if !given.is_empty() {
        names.push(format!("standard.<region> for {}", given.join("|")));
    }
    let all: Vec<&str> = s.regions.iter().map(|r| r.as_str()).collect();
    let regions = all.join("|");
    if s.economy.is_some() {
        names.push(format!(
            "economy.<region>.population|gdp|engel for {regions}"
        ));
    }
    if let Some(ect) = &s.ect {
        if ect.rule != fzc_scenario::BilateralRule::Given {
            names.push(format!("ect.nf.<region> for {regions}"));
        }
        for g in &ect.given {
            names.push(format!(
                "ect.bilateral.{}.{}",
                s.regions[g.from], s.regions[g.to]
            ));
        }
    }
    if let Some(model) = &s.cssf_pools {
        let codes: Vec<String> = model.pools().keys().map(i64::to_string).collect();
        names.push(format!(
            "pools.<lucode>.<pool> for lucode {} (or *) and pool c_above|c_below|c_soil|c_dead \
             (or *)",
            codes.join("|")
        ));
    }
    if s.ect.is_some() && s.ect_model.is_some() {
        names.push("ect.mrio.y, ect.mrio.f (per-cell noise)".to_owned());
    }
    if s.cssf.is_some() && s.cssf_k.is_some_and(|k| k > 0.0) {
        names.push("cssf.k".to_owned());
    }
    if let Some(cssf) = &s.cssf
        && !cssf.is_empty()
    {
        names.push("cssf.transfer.* (or cssf.transfer.<output>.* / .*.<input>)".to_owned());
        for t in cssf {
            names.push(format!(
                "cssf.transfer.{}.{}",
                s.regions[t.output], s.regions[t.input]
            ));
        }
    }
    names.join(", ")
}
