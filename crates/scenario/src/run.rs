//! The runner: a validated [`Scenario`] through zoning and pricing.
//!
//! The runner only assembles inputs and calls the layer crates: zoning is `fzc-zoning`'s,
//! standards, flows and the ledger are `fzc-pricing`'s. The one step it owns is filling in
//! the bilateral ECT matrix ([`crate::allocate`]), because that is a property of the
//! scenario's data, not of the method.

use fzc_core::{PricingScheme, RegionId, TonnesCo2};
use fzc_pricing::{
    BilateralNet, BuiltinScheme, Eq18Params, Flow, Ledger, RegionEconomy, Standards,
    StandardsInput, cssf_flows, ect_flows,
};
use fzc_zoning::{CssTransfer, Zoning};

use crate::bilateral::{AllocationError, NetMatrix, allocate};
use crate::{Scenario, ScenarioError};

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The name of the scheme the ledger was priced with (`PricingScheme::name`: a
    /// built-in's name such as `payer`, or a plugin's own name).
    pub scheme: String,
    /// The zoning by tonnes.
    pub zoning: Zoning,
    /// Every region's standard.
    pub standards: Standards,
    /// The full bilateral net ECT matrix used (`None` without an ECT layer), indexed like
    /// the scenario's regions.
    pub ect_matrix: Option<NetMatrix>,
    /// The priced ledger and the region accounts.
    pub ledger: Ledger,
    /// For a year series (`[ect] years`): each year's outcome, the year's ECT layer with the
    /// rest of the scenario unchanged, in year order (the outcome itself is the last year's).
    /// Empty otherwise.
    pub series: Vec<(i32, Outcome)>,
}

/// Runs a scenario with the scheme its file names.
///
/// # Errors
/// [`ScenarioError::BilateralIncomplete`] when `bilateral_rule = "given"` and the matrix is
/// incomplete; [`ScenarioError::Zoning`] and [`ScenarioError::Pricing`] from the layers;
/// [`ScenarioError::Unsupported`] when the scenario prices with a plugin
/// (`scheme = "plugin:<name>"`), which the caller must load and pass to [`run_with_pricing`].
pub fn run(scenario: &Scenario) -> Result<Outcome, ScenarioError> {
    if let Some(name) = &scenario.pricing_plugin {
        return Err(ScenarioError::Unsupported {
            what: format!("pricing.scheme = \"plugin:{name}\" without a loaded plugin"),
            hint: "load the [[plugin]] (fzc run does) and call run_with_pricing",
        });
    }
    run_with_scheme(scenario, scenario.pricing.scheme)
}

/// Runs a scenario with another built-in pricing scheme (for comparisons); a thin wrapper
/// over [`run_with_pricing`].
///
/// # Errors
/// As [`run`].
pub fn run_with_scheme(
    scenario: &Scenario,
    scheme: BuiltinScheme,
) -> Result<Outcome, ScenarioError> {
    run_with_pricing(scenario, &scheme)
}

/// Runs a scenario with any pricing scheme: a built-in or one loaded from a plugin (the
/// runner does not care where it came from; loading is the caller's job, e.g. the CLI's
/// through `fzc-plugin-host`).
///
/// # Errors
/// As [`run`]; a plugin's failure arrives as [`ScenarioError::Pricing`].
pub fn run_with_pricing(
    scenario: &Scenario,
    scheme: &dyn PricingScheme,
) -> Result<Outcome, ScenarioError> {
    let regions = &scenario.regions;
    let n = regions.len();

    let nf: Vec<TonnesCo2> = match &scenario.ect {
        Some(ect) => ect.net.clone(),
        None => vec![TonnesCo2(0.0); n],
    };
    let nf_pairs: Vec<(RegionId, TonnesCo2)> =
        regions.iter().cloned().zip(nf.iter().copied()).collect();
    let transfers: Vec<CssTransfer> = scenario
        .cssf
        .iter()
        .flatten()
        .map(|t| CssTransfer {
            output: regions[t.output].clone(),
            input: regions[t.input].clone(),
            tonnes: t.tonnes,
        })
        .collect();
    let zoning = Zoning::from_layers(&nf_pairs, &transfers)?;

    let given: Vec<(RegionId, fzc_core::YuanPerTonne)> = regions
        .iter()
        .zip(&scenario.standards)
        .filter_map(|(r, s)| s.as_ref().map(|s| (r.clone(), s.yuan_per_tonne)))
        .collect();
    let economy: Vec<RegionEconomy> = scenario
        .economy
        .iter()
        .flatten()
        .zip(regions)
        .map(|(e, r)| RegionEconomy {
            region: r.clone(),
            population_persons: e.population_persons,
            gdp: fzc_core::Yuan(e.gdp_yuan),
            engel: e.engel,
        })
        .collect();
    let standards = Standards::compute(&StandardsInput {
        price: scenario.price,
        regions,
        economy: &economy,
        given: &given,
        params: Eq18Params {
            a: scenario.pricing.a,
            b: scenario.pricing.b,
            mean: scenario.pricing.mean,
            engel_unit: scenario.pricing.engel_unit,
        },
    })?;

    let mut flows: Vec<Flow> = Vec::new();
    let ect_matrix = match &scenario.ect {
        None => None,
        Some(ect) => {
            let fixed: Vec<(usize, usize, TonnesCo2)> =
                ect.given.iter().map(|g| (g.from, g.to, g.tonnes)).collect();
            let scale: f64 = ect.net.iter().map(|t| t.0.abs()).sum();
            let matrix = allocate(&ect.net, &fixed, ect.rule, (1e-6 * scale).max(1.0)).map_err(
                |e| match e {
                    AllocationError::Incomplete {
                        region,
                        row_sum,
                        nf,
                    } => ScenarioError::BilateralIncomplete {
                        region: regions[region].to_string(),
                        row_sum_tonnes: row_sum,
                        nf_tonnes: nf,
                    },
                    AllocationError::Infeasible { region, left } => {
                        ScenarioError::BilateralInfeasible {
                            region: regions[region].to_string(),
                            left_tonnes: left,
                        }
                    }
                },
            )?;
            let nets: Vec<BilateralNet> = matrix
                .positive_entries()
                .into_iter()
                .map(|(r, s, t)| BilateralNet {
                    region: regions[r].clone(),
                    counterpart: regions[s].clone(),
                    nt: t,
                })
                .collect();
            flows.extend(ect_flows(&nets)?);
            Some(matrix)
        }
    };
    flows.extend(cssf_flows(&transfers)?);
    let ledger = Ledger::build_with_economy(scheme, &zoning, &standards, &flows, &economy)?;
    let mut series = Vec::with_capacity(scenario.ect_series.len());
    for (year, ect) in &scenario.ect_series {
        let mut one = scenario.clone();
        one.ect = Some(ect.clone());
        one.ect_series = Vec::new();
        let outcome = run_with_pricing(&one, scheme).map_err(|error| ScenarioError::Year {
            year: *year,
            error: Box::new(error),
        })?;
        series.push((*year, outcome));
    }
    Ok(Outcome {
        scheme: scheme.name().to_owned(),
        zoning,
        standards,
        ect_matrix,
        ledger,
        series,
    })
}
