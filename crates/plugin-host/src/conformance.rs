//! The conformance suite: the method's invariants, checked on any pricing scheme or flow
//! model, built-in or loaded. `fzc plugins check PATH` runs it on a plugin.
//!
//! The inputs are synthetic and deterministic (a fixed-seed generator), small enough to run
//! in well under a second, and chosen so that each invariant is exercised: flows of both
//! layers, regions with and without GDP, an input region far out of an output region's reach.

use std::fmt;

use fzc_core::{
    DemandEstimator, DemandPixel, FlowModel, FlowOutput, FlowRegion, Layer, LonLat, PolygonRings,
    PopulationScaling, PricingFlow, PricingInput, PricingOutput, PricingScheme, RegionId,
    RegionShape, TonnesCo2, Yuan, YuanPerTonne,
};
use fzc_pricing::BuiltinScheme;

/// The outcome of one invariant.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It held on every case.
    Pass,
    /// It was broken; the message names the case and the values.
    Fail(String),
    /// It does not apply to this subject (the message says why).
    NotApplicable(String),
}

/// One invariant and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The invariant, in words.
    pub invariant: &'static str,
    /// What happened.
    pub outcome: Outcome,
}

/// The outcome of the suite on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceReport {
    /// What was checked, e.g. `pricing scheme gdp-cap`.
    pub subject: String,
    /// One entry per invariant, in a fixed order.
    pub checks: Vec<Check>,
}

impl ConformanceReport {
    /// True when no invariant failed.
    pub fn passed(&self) -> bool {
        !self
            .checks
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Fail(_)))
    }

    /// The outcome of the invariant named `invariant`, if it was checked.
    pub fn outcome(&self, invariant: &str) -> Option<&Outcome> {
        self.checks
            .iter()
            .find(|c| c.invariant == invariant)
            .map(|c| &c.outcome)
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "conformance of {}", self.subject)?;
        for check in &self.checks {
            match &check.outcome {
                Outcome::Pass => writeln!(f, "  PASS  {}", check.invariant)?,
                Outcome::Fail(why) => writeln!(f, "  FAIL  {}: {why}", check.invariant)?,
                Outcome::NotApplicable(why) => writeln!(f, "  n/a   {}: {why}", check.invariant)?,
            }
        }
        let verdict = if self.passed() {
            "conforms"
        } else {
            "DOES NOT CONFORM"
        };
        write!(f, "{}: {verdict}", self.subject)
    }
}

/// Invariant names, shared by the report and the tests.
pub mod invariant {
    /// Every case runs without error.
    pub const RUNS: &str = "runs on every case";
    /// Priced amounts and standards are never negative.
    pub const AMOUNTS_NON_NEGATIVE: &str = "flow amounts never negative";
    /// Region amounts sum to zero.
    pub const LEDGER_BALANCES: &str = "ledger balances (sum paid = sum received)";
    /// Region amounts are paid minus received over the priced flows.
    pub const REGIONS_MATCH_FLOWS: &str = "region amounts = paid - received over the flows";
    /// Zero tonnes are priced at zero.
    pub const ZERO_TONNES: &str = "zero tonnes give zero amounts";
    /// Same input, same bits.
    pub const DETERMINISTIC: &str = "deterministic (same input, same bits)";
    /// Transfers are never negative.
    pub const TRANSFERS_NON_NEGATIVE: &str = "transfers never negative";
    /// A pair whose flow area is zero carries no transfer.
    pub const ZERO_AREA: &str = "zero-area buffer gives zero transfer";
    /// Flows go from a surplus region to a deficit region.
    pub const SURPLUS_TO_DEFICIT: &str = "transfers only from surplus to deficit regions";
    /// Flows are sorted by (from, to) without duplicates.
    pub const SORTED: &str = "flows sorted by (from, to), no duplicates";
    /// Pixel populations are finite and non-negative.
    pub const POPULATION_NON_NEGATIVE: &str = "pixel populations finite and never negative";
    /// Calibrated demand sums to the region's emissions.
    pub const DEMAND_SUMS: &str = "demand sums to the calibrated emissions";
}

/// A small deterministic generator (xorshift64*), so the suite needs no RNG crate and gives
/// the same cases on every machine.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }

    fn index(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n - 1)
    }
}

fn ids(n: usize) -> Vec<RegionId> {
    (0..n)
        .filter_map(|i| RegionId::new(format!("region-{i}")).ok())
        .collect()
}

struct PricingCase {
    regions: Vec<RegionId>,
    standards: Vec<YuanPerTonne>,
    benchmarks: Vec<TonnesCo2>,
    population: Vec<f64>,
    gdp: Vec<Yuan>,
    flows: Vec<PricingFlow>,
}

impl PricingCase {
    fn generate(seed: u64, n: usize, zero_tonnes: bool) -> Self {
        let mut g = Cases(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let regions = ids(n);
        let standards = (0..n).map(|_| YuanPerTonne(g.range(5.0, 120.0))).collect();
        let benchmarks = (0..n).map(|_| TonnesCo2(g.range(-1e8, 1e8))).collect();
        let population = (0..n).map(|_| g.range(1e6, 2e7)).collect();
        let gdp = (0..n).map(|_| Yuan(g.range(1e10, 4e12))).collect();
        let mut flows = Vec::new();
        for _ in 0..(2 * n) {
            let payer = g.index(n);
            let payee = (payer + 1 + g.index(n - 1)) % n;
            let layer = if g.next() < 0.5 {
                Layer::Ect
            } else {
                Layer::Cssf
            };
            let tonnes = if zero_tonnes { 0.0 } else { g.range(0.0, 5e7) };
            flows.push(PricingFlow {
                payer,
                payee,
                layer,
                tonnes: TonnesCo2(tonnes),
            });
        }
        Self {
            regions,
            standards,
            benchmarks,
            population,
            gdp,
            flows,
        }
    }

    fn input(&self) -> PricingInput<'_> {
        PricingInput {
            price: YuanPerTonne(46.66),
            regions: &self.regions,
            standards: &self.standards,
            benchmarks: &self.benchmarks,
            population_persons: Some(&self.population),
            gdp: Some(&self.gdp),
            flows: &self.flows,
        }
    }
}

fn bits_equal_pricing(a: &PricingOutput, b: &PricingOutput) -> bool {
    let amounts = |o: &PricingOutput| {
        o.region_amounts
            .iter()
            .map(|y| y.0.to_bits())
            .collect::<Vec<_>>()
    };
    let prices = |o: &PricingOutput| {
        o.flow_prices.as_ref().map(|p| {
            p.iter()
                .map(|p| (p.standard.0.to_bits(), p.amount.0.to_bits()))
                .collect::<Vec<_>>()
        })
    };
    amounts(a) == amounts(b) && prices(a) == prices(b)
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

/// The output rules of `fzc plugins check` applied to one real pricing call: `None` when
/// `out` keeps them, else the rule broken ([`invariant`] name) and what broke it.
///
/// The rules: every flow price and amount is finite and `>= 0`; the region amounts are
/// finite; for a scheme that prices flows, they sum to zero and each region's amount equals
/// what it pays minus what it receives over its flows (within 1e-9 of the amounts' scale).
/// A region-only scheme (Eq 17) is not held to the balance, as in [`check_pricing_scheme`].
pub fn pricing_output_violation(
    input: &PricingInput<'_>,
    out: &PricingOutput,
) -> Option<(&'static str, String)> {
    if let Some(prices) = out.flow_prices.as_deref()
        && let Some((k, p)) = prices.iter().enumerate().find(|(_, p)| {
            !(p.amount.0.is_finite() && p.standard.0.is_finite())
                || p.amount.0 < 0.0
                || p.standard.0 < 0.0
        })
    {
        let pair = input
            .flows
            .get(k)
            .and_then(|f| Some((input.regions.get(f.payer)?, input.regions.get(f.payee)?)))
            .map_or_else(String::new, |(a, b)| format!(" ({a} → {b})"));
        return Some((
            invariant::AMOUNTS_NON_NEGATIVE,
            format!(
                "flow {k}{pair} priced at {} yuan/t, amount {} yuan",
                p.standard.0, p.amount.0
            ),
        ));
    }
    if let Some((r, a)) = input
        .regions
        .iter()
        .zip(&out.region_amounts)
        .find(|(_, a)| !a.0.is_finite())
    {
        return Some((
            invariant::LEDGER_BALANCES,
            format!("region `{r}` has amount {} yuan", a.0),
        ));
    }
    // A region-only scheme (Eq 17) need not balance, as in `check_pricing_scheme`.
    if let Some(prices) = out.flow_prices.as_deref() {
        let sum: f64 = out.region_amounts.iter().map(|y| y.0).sum();
        let scale: f64 = out.region_amounts.iter().map(|y| y.0.abs()).sum();
        if !close(sum, 0.0, scale) {
            return Some((
                invariant::LEDGER_BALANCES,
                format!("region amounts sum to {sum} yuan, not 0 (scale {scale})"),
            ));
        }
        let mut net = vec![0.0f64; input.regions.len()];
        for (f, p) in input.flows.iter().zip(prices) {
            net[f.payer] += p.amount.0;
            net[f.payee] -= p.amount.0;
        }
        let scale: f64 = prices.iter().map(|p| p.amount.0.abs()).sum();
        if let Some(((a, n), r)) = out
            .region_amounts
            .iter()
            .zip(&net)
            .zip(input.regions)
            .find(|((a, n), _)| !close(a.0, **n, scale))
        {
            return Some((
                invariant::REGIONS_MATCH_FLOWS,
                format!("region `{r}` has amount {} yuan but its flows net {n}", a.0),
            ));
        }
    }
    None
}

/// Runs the pricing-scheme invariants on `scheme`.
pub fn check_pricing_scheme(scheme: &dyn PricingScheme) -> ConformanceReport {
    let subject = format!("pricing scheme `{}`", scheme.name());
    let cases: Vec<PricingCase> = (1..=8u64)
        .map(|seed| PricingCase::generate(seed, 2 + seed as usize, false))
        .collect();
    let mut runs = Outcome::Pass;
    let mut outputs = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match scheme.price(&case.input()) {
            Ok(out) => outputs.push((case, out)),
            Err(err) => {
                runs = Outcome::Fail(format!("case {}: {err}", i + 1));
                break;
            }
        }
    }
    let mut checks = vec![Check {
        invariant: invariant::RUNS,
        outcome: runs.clone(),
    }];
    let region_only = outputs.iter().any(|(_, o)| o.flow_prices.is_none());
    let skip = |why: &str| Outcome::NotApplicable(why.to_owned());
    let (non_negative, balances, matches, zero) = if runs != Outcome::Pass {
        let why = "the scheme failed on a case";
        (skip(why), skip(why), skip(why), skip(why))
    } else if region_only {
        let why = "the scheme prices regions only (no flow prices)";
        (skip(why), skip(why), skip(why), skip(why))
    } else {
        (
            first_failure(&outputs, |case, out| {
                let prices = out.flow_prices.as_deref().unwrap_or_default();
                prices.iter().enumerate().find_map(|(k, p)| {
                    (p.amount.0 < 0.0 || p.standard.0 < 0.0).then(|| {
                        let f = &case.flows[k];
                        format!(
                            "flow {k} ({} → {}) priced at {} yuan/t, amount {} yuan",
                            case.regions[f.payer], case.regions[f.payee], p.standard.0, p.amount.0
                        )
                    })
                })
            }),
            first_failure(&outputs, |_, out| {
                let sum: f64 = out.region_amounts.iter().map(|y| y.0).sum();
                let scale: f64 = out.region_amounts.iter().map(|y| y.0.abs()).sum();
                (!close(sum, 0.0, scale))
                    .then(|| format!("region amounts sum to {sum} yuan, not 0 (scale {scale})"))
            }),
            first_failure(&outputs, |case, out| {
                let prices = out.flow_prices.as_deref().unwrap_or_default();
                let mut net = vec![0.0f64; case.regions.len()];
                for (f, p) in case.flows.iter().zip(prices) {
                    net[f.payer] += p.amount.0;
                    net[f.payee] -= p.amount.0;
                }
                let scale: f64 = prices.iter().map(|p| p.amount.0.abs()).sum();
                out.region_amounts
                    .iter()
                    .zip(&net)
                    .zip(&case.regions)
                    .find(|((a, n), _)| !close(a.0, **n, scale))
                    .map(|((a, n), r)| {
                        format!("region `{r}` has amount {} yuan but its flows net {n}", a.0)
                    })
            }),
            {
                let case = PricingCase::generate(99, 6, true);
                match scheme.price(&case.input()) {
                    Err(err) => Outcome::Fail(format!("zero-tonne case: {err}")),
                    Ok(out) => {
                        let prices = out.flow_prices.unwrap_or_default();
                        if let Some((k, p)) =
                            prices.iter().enumerate().find(|(_, p)| p.amount.0 != 0.0)
                        {
                            Outcome::Fail(format!("flow {k} of 0 t priced at {} yuan", p.amount.0))
                        } else if let Some((r, a)) = case
                            .regions
                            .iter()
                            .zip(&out.region_amounts)
                            .find(|(_, a)| a.0 != 0.0)
                        {
                            Outcome::Fail(format!("region `{r}` owes {} yuan for 0 t", a.0))
                        } else {
                            Outcome::Pass
                        }
                    }
                }
            },
        )
    };
    checks.push(Check {
        invariant: invariant::AMOUNTS_NON_NEGATIVE,
        outcome: non_negative,
    });
    checks.push(Check {
        invariant: invariant::LEDGER_BALANCES,
        outcome: balances,
    });
    checks.push(Check {
        invariant: invariant::REGIONS_MATCH_FLOWS,
        outcome: matches,
    });
    checks.push(Check {
        invariant: invariant::ZERO_TONNES,
        outcome: zero,
    });
    let deterministic = match (scheme.price(&cases[0].input()), outputs.first()) {
        (Ok(again), Some((_, first))) if bits_equal_pricing(&again, first) => Outcome::Pass,
        (Ok(_), Some(_)) => Outcome::Fail("two runs on case 1 differ".into()),
        _ => skip("the scheme failed on a case"),
    };
    checks.push(Check {
        invariant: invariant::DETERMINISTIC,
        outcome: deterministic,
    });
    ConformanceReport { subject, checks }
}

fn first_failure<C, O>(outputs: &[(C, O)], check: impl Fn(&C, &O) -> Option<String>) -> Outcome {
    outputs
        .iter()
        .enumerate()
        .find_map(|(i, (c, o))| {
            check(c, o).map(|why| Outcome::Fail(format!("case {}: {why}", i + 1)))
        })
        .unwrap_or(Outcome::Pass)
}

/// An axis-aligned lon/lat square, counter-clockwise.
fn square(lon: f64, lat: f64, half_deg: f64) -> RegionShape {
    let ring = vec![
        LonLat::new(lon - half_deg, lat - half_deg),
        LonLat::new(lon + half_deg, lat - half_deg),
        LonLat::new(lon + half_deg, lat + half_deg),
        LonLat::new(lon - half_deg, lat + half_deg),
        LonLat::new(lon - half_deg, lat - half_deg),
    ];
    RegionShape {
        parts: vec![PolygonRings {
            exterior: ring,
            holes: Vec::new(),
        }],
    }
}

/// Synthetic flow-model cases: regions on a grid around Beijing–Tianjin–Hebei with random
/// sizes and masses, plus one case with an input region far out of reach.
pub fn flow_cases() -> Vec<Vec<FlowRegion>> {
    let mut cases = Vec::new();
    for seed in 1..=4u64 {
        let mut g = Cases(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
        let n = 3 + seed as usize;
        let regions = ids(n)
            .into_iter()
            .enumerate()
            .map(|(i, id)| FlowRegion {
                id,
                supply: TonnesCo2(g.range(1e5, 1e8)),
                demand: TonnesCo2(g.range(1e5, 1e8)),
                given_core: None,
                shape: square(
                    114.0 + 1.2 * (i % 4) as f64,
                    37.0 + 1.2 * (i / 4) as f64,
                    g.range(0.15, 0.55),
                ),
            })
            .collect();
        cases.push(regions);
    }
    let far = ids(2);
    cases.push(vec![
        FlowRegion {
            id: far[0].clone(),
            supply: TonnesCo2(5e8),
            demand: TonnesCo2(1e6),
            given_core: None,
            shape: square(115.0, 40.0, 0.5),
        },
        FlowRegion {
            id: far[1].clone(),
            supply: TonnesCo2(1e5),
            demand: TonnesCo2(5e6),
            given_core: None,
            shape: square(125.0, 40.0, 0.05),
        },
    ]);
    cases
}

fn bits_equal_flows(a: &FlowOutput, b: &FlowOutput) -> bool {
    let key = |o: &FlowOutput| {
        let cores: Vec<_> = o
            .cores
            .iter()
            .map(|c| (c.lon_deg.to_bits(), c.lat_deg.to_bits()))
            .collect();
        let flows: Vec<_> = o
            .flows
            .iter()
            .map(|f| {
                (
                    f.from,
                    f.to,
                    [
                        f.distance_km,
                        f.range_km,
                        f.area_km2,
                        f.intensity_t_per_km2,
                        f.transfer.0,
                    ]
                    .map(f64::to_bits),
                )
            })
            .collect();
        (cores, flows)
    };
    key(a) == key(b)
}

/// Runs the flow-model invariants on `model`, including pricing its flows with the paper's
/// payer-standard scheme and checking the ledger balances.
pub fn check_flow_model(model: &dyn FlowModel) -> ConformanceReport {
    let subject = format!("flow model `{}`", model.name());
    let cases = flow_cases();
    let mut runs = Outcome::Pass;
    let mut outputs = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        match model.flows(case) {
            Ok(out) => outputs.push((case, out)),
            Err(err) => {
                runs = Outcome::Fail(format!("case {}: {err}", i + 1));
                break;
            }
        }
    }
    let failed = runs != Outcome::Pass;
    let guard = |outcome: Outcome| {
        if failed {
            Outcome::NotApplicable("the model failed on a case".into())
        } else {
            outcome
        }
    };
    let label = |case: &[FlowRegion], i: usize| {
        case.get(i)
            .map_or_else(|| format!("#{i}"), |r| r.id.to_string())
    };
    let mut checks = vec![Check {
        invariant: invariant::RUNS,
        outcome: runs,
    }];
    checks.push(Check {
        invariant: invariant::TRANSFERS_NON_NEGATIVE,
        outcome: guard(first_failure(&outputs, |case, out| {
            out.flows.iter().find(|f| f.transfer.0 < 0.0).map(|f| {
                format!(
                    "{} → {} transfers {} t",
                    label(case, f.from),
                    label(case, f.to),
                    f.transfer.0
                )
            })
        })),
    });
    checks.push(Check {
        invariant: invariant::ZERO_AREA,
        outcome: guard(first_failure(&outputs, |case, out| {
            out.flows
                .iter()
                .find(|f| f.area_km2 <= 0.0 && f.transfer.0 != 0.0)
                .map(|f| {
                    format!(
                        "{} → {} has flow area {} km² but transfers {} t",
                        label(case, f.from),
                        label(case, f.to),
                        f.area_km2,
                        f.transfer.0
                    )
                })
        })),
    });
    checks.push(Check {
        invariant: invariant::SURPLUS_TO_DEFICIT,
        outcome: guard(first_failure(&outputs, |case, out| {
            out.flows
                .iter()
                .filter(|f| f.transfer.0 > 0.0)
                .find(|f| {
                    let (s, r) = (&case[f.from], &case[f.to]);
                    !(s.supply.0 > s.demand.0 && r.supply.0 < r.demand.0)
                })
                .map(|f| {
                    format!(
                        "{} → {} is not surplus → deficit",
                        label(case, f.from),
                        label(case, f.to)
                    )
                })
        })),
    });
    checks.push(Check {
        invariant: invariant::SORTED,
        outcome: guard(first_failure(&outputs, |case, out| {
            out.flows
                .windows(2)
                .find(|w| (w[0].from, w[0].to) >= (w[1].from, w[1].to))
                .map(|w| {
                    format!(
                        "{} → {} is followed by {} → {}",
                        label(case, w[0].from),
                        label(case, w[0].to),
                        label(case, w[1].from),
                        label(case, w[1].to)
                    )
                })
        })),
    });
    checks.push(Check {
        invariant: invariant::LEDGER_BALANCES,
        outcome: guard(first_failure(&outputs, |case, out| {
            ledger_imbalance(case, out)
        })),
    });
    let deterministic = match (outputs.first(), model.flows(&cases[0])) {
        (Some((_, first)), Ok(again)) if bits_equal_flows(first, &again) => Outcome::Pass,
        (Some(_), Ok(_)) => Outcome::Fail("two runs on case 1 differ".into()),
        _ => Outcome::NotApplicable("the model failed on a case".into()),
    };
    checks.push(Check {
        invariant: invariant::DETERMINISTIC,
        outcome: deterministic,
    });
    ConformanceReport { subject, checks }
}

/// Prices a flow model's transfers (input region pays output region, CSSF layer) with the
/// paper's payer-standard scheme; `Some(why)` if the ledger does not balance.
fn ledger_imbalance(case: &[FlowRegion], out: &FlowOutput) -> Option<String> {
    let regions: Vec<RegionId> = case.iter().map(|r| r.id.clone()).collect();
    let standards: Vec<YuanPerTonne> = (0..case.len())
        .map(|i| YuanPerTonne(10.0 + 7.0 * i as f64))
        .collect();
    let benchmarks = vec![TonnesCo2(0.0); case.len()];
    let flows: Vec<PricingFlow> = out
        .flows
        .iter()
        .filter(|f| f.transfer.0 > 0.0)
        .map(|f| PricingFlow {
            payer: f.to,
            payee: f.from,
            layer: Layer::Cssf,
            tonnes: f.transfer,
        })
        .collect();
    let input = PricingInput {
        price: YuanPerTonne(46.66),
        regions: &regions,
        standards: &standards,
        benchmarks: &benchmarks,
        population_persons: None,
        gdp: None,
        flows: &flows,
    };
    match BuiltinScheme::PayerStandard.price(&input) {
        Err(err) => Some(format!("pricing the transfers failed: {err}")),
        Ok(priced) => {
            let paid: f64 = priced.region_amounts.iter().map(|y| y.0.max(0.0)).sum();
            let received: f64 = priced.region_amounts.iter().map(|y| (-y.0).max(0.0)).sum();
            (!close(paid, received, paid.abs() + received.abs()))
                .then(|| format!("{paid} yuan paid but {received} yuan received"))
        }
    }
}

/// One synthetic region for the demand checks: pixels, census population, emissions.
struct DemandCase {
    id: RegionId,
    pixels: Vec<DemandPixel>,
    census_persons: f64,
    emissions: fzc_cssf_flow::RegionEmissions,
}

fn demand_cases() -> Vec<DemandCase> {
    let mut g = Cases(0x5EED_DEAD_BEEF);
    ids(4)
        .into_iter()
        .map(|id| {
            let pixels = (0..150)
                .map(|_| {
                    let nodata = g.next() < 0.05;
                    DemandPixel {
                        population: if nodata {
                            f64::NAN
                        } else {
                            g.range(0.0, 5000.0)
                        },
                        // MODIS IGBP codes: 10 grassland, 12 cropland, 13 urban, 14 mosaic.
                        land_class: [10.0, 12.0, 13.0, 14.0][g.index(4)],
                        urban: if g.next() < 0.05 {
                            f64::NAN
                        } else {
                            g.range(0.0, 63.0)
                        },
                        area_km2: g.range(0.5, 1.0),
                    }
                })
                .collect();
            let total_t = g.range(1e6, 1e8);
            DemandCase {
                id,
                pixels,
                census_persons: g.range(1e5, 1e7),
                emissions: fzc_cssf_flow::RegionEmissions {
                    total_t,
                    agricultural_t: 0.1 * total_t,
                    urban_share: None,
                },
            }
        })
        .collect()
}

/// Demand per region: the estimator's pixel populations (rescaled to the census total when
/// its scaling says so), θ calibrated by `fzc-cssf-flow`, and Σ θ(zone)·persons.
fn calibrated_demand(
    estimator: &dyn DemandEstimator,
    case: &DemandCase,
) -> Result<(f64, Vec<u64>), String> {
    let mut pop = fzc_cssf_flow::ZonePopulation::default();
    let mut per_pixel = Vec::with_capacity(case.pixels.len());
    for (i, pixel) in case.pixels.iter().enumerate() {
        let zone = estimator.zone(pixel);
        match estimator.pixel_population(pixel) {
            Some(p) if !(p.is_finite() && p >= 0.0) => {
                return Err(format!("pixel {i} of `{}` has population {p}", case.id));
            }
            Some(p) => {
                pop.add(zone, p);
                per_pixel.push((zone, p));
            }
            None => {}
        }
    }
    let scale = match estimator.scaling() {
        PopulationScaling::AsIs => 1.0,
        PopulationScaling::ToRegionTotal if pop.total() > 0.0 => case.census_persons / pop.total(),
        PopulationScaling::ToRegionTotal => 1.0,
    };
    let pop = pop.scaled(scale);
    let (theta, _) = fzc_cssf_flow::calibrate_theta(&case.id, &case.emissions, &pop)
        .map_err(|e| e.to_string())?;
    let demand: f64 = per_pixel
        .iter()
        .map(|(z, p)| theta.of(*z) * p * scale)
        .sum();
    let bits = per_pixel.iter().map(|(_, p)| p.to_bits()).collect();
    Ok((demand, bits))
}

/// Runs the demand-estimator invariants on `estimator`.
pub fn check_demand_estimator(estimator: &dyn DemandEstimator) -> ConformanceReport {
    let subject = format!("demand estimator `{}`", estimator.name());
    let cases = demand_cases();
    let mut results = Vec::new();
    let mut runs = Outcome::Pass;
    let mut non_negative = Outcome::Pass;
    for case in &cases {
        match calibrated_demand(estimator, case) {
            Ok(r) => results.push((case, r)),
            Err(why) if why.contains("has population") => {
                non_negative = Outcome::Fail(why);
                break;
            }
            Err(why) => {
                runs = Outcome::Fail(why);
                break;
            }
        }
    }
    let failed = runs != Outcome::Pass || non_negative != Outcome::Pass;
    let sums = if failed {
        Outcome::NotApplicable("the estimator failed on a case".into())
    } else {
        results
            .iter()
            .find(|(case, (demand, _))| {
                !close(*demand, case.emissions.total_t, case.emissions.total_t)
            })
            .map_or(Outcome::Pass, |(case, (demand, _))| {
                Outcome::Fail(format!(
                    "`{}`: demand {demand} t, emissions {} t",
                    case.id, case.emissions.total_t
                ))
            })
    };
    let deterministic = match (results.first(), calibrated_demand(estimator, &cases[0])) {
        (Some((_, (_, first))), Ok((_, again))) if *first == again => Outcome::Pass,
        (Some(_), Ok(_)) => Outcome::Fail("two runs on case 1 differ".into()),
        _ => Outcome::NotApplicable("the estimator failed on a case".into()),
    };
    ConformanceReport {
        subject,
        checks: vec![
            Check {
                invariant: invariant::RUNS,
                outcome: runs,
            },
            Check {
                invariant: invariant::POPULATION_NON_NEGATIVE,
                outcome: non_negative,
            },
            Check {
                invariant: invariant::DEMAND_SUMS,
                outcome: sums,
            },
            Check {
                invariant: invariant::DETERMINISTIC,
                outcome: deterministic,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::FlowPrice;

    /// Prices each flow at minus the payer's standard: breaks the sign invariant only.
    struct Negative;
    impl PricingScheme for Negative {
        fn name(&self) -> &str {
            "negative"
        }
        fn parameters(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn price(
            &self,
            input: &PricingInput<'_>,
        ) -> Result<PricingOutput, fzc_core::PricingSchemeError> {
            let mut region_amounts = vec![Yuan(0.0); input.regions.len()];
            let mut prices = Vec::new();
            for f in input.flows {
                let standard = YuanPerTonne(-input.standards[f.payer].0);
                let amount = f.tonnes * standard;
                region_amounts[f.payer] += amount;
                region_amounts[f.payee] -= amount;
                prices.push(FlowPrice { standard, amount });
            }
            Ok(PricingOutput {
                flow_prices: Some(prices),
                region_amounts,
            })
        }
    }

    #[test]
    fn builtin_schemes_conform_and_a_negative_one_does_not() {
        for scheme in BuiltinScheme::ALL {
            let report = check_pricing_scheme(&scheme);
            assert!(report.passed(), "{report}");
        }
        let eq17 = check_pricing_scheme(&BuiltinScheme::Eq17);
        assert!(matches!(
            eq17.outcome(invariant::LEDGER_BALANCES),
            Some(Outcome::NotApplicable(_))
        ));
        let report = check_pricing_scheme(&Negative);
        assert!(!report.passed());
        assert!(matches!(
            report.outcome(invariant::AMOUNTS_NON_NEGATIVE),
            Some(Outcome::Fail(_))
        ));
        assert_eq!(
            report.outcome(invariant::LEDGER_BALANCES),
            Some(&Outcome::Pass)
        );
        assert!(report.to_string().contains("DOES NOT CONFORM"), "{report}");
    }

    #[test]
    fn builtin_demand_estimators_conform() {
        let raster = fzc_cssf_flow::PopulationRaster::default();
        let report = check_demand_estimator(&raster);
        assert!(report.passed(), "{report}");
        assert_eq!(report.outcome(invariant::DEMAND_SUMS), Some(&Outcome::Pass));
    }

    #[test]
    fn generator_is_deterministic_and_in_range() {
        let mut a = Cases(7);
        let mut b = Cases(7);
        for _ in 0..1000 {
            let x = a.next();
            assert_eq!(x.to_bits(), b.next().to_bits());
            assert!((0.0..1.0).contains(&x));
        }
        assert!(flow_cases().iter().all(|c| c.len() >= 2));
    }
}
