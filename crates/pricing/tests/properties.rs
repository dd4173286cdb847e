//! Properties of the compensation layer (METHOD section 4).

// Tests may unwrap (common rules); helpers outside #[test] functions included.
#![allow(clippy::unwrap_used)]

use fzc_core::{Layer, RegionId, TonnesCo2, Yuan, YuanPerTonne};
use fzc_pricing::{
    AreaMean, BuiltinScheme, EngelUnit, Eq18Params, Flow, Ledger, RegionEconomy, Standards,
    StandardsInput, gamma,
};
use fzc_zoning::{RegionPosition, Zoning};
use proptest::prelude::*;

fn id(i: usize) -> RegionId {
    RegionId::new(format!("r{i}")).unwrap()
}

/// A random case: `n` regions with Eq 18 data and benchmarks, and flows between them.
#[derive(Debug, Clone)]
struct Case {
    economy: Vec<RegionEconomy>,
    benchmarks: Vec<f64>,
    flows: Vec<Flow>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..7).prop_flat_map(|n| {
        (
            prop::collection::vec((1e4..1e7f64, 1e8..1e12f64, 0.2..0.5f64), n),
            prop::collection::vec(-1e8..1e8f64, n),
            prop::collection::vec((0..n, 0..n, prop::bool::ANY, 0.0..1e8f64), 0..16),
        )
            .prop_map(move |(economy, benchmarks, raw)| {
                let economy = economy
                    .into_iter()
                    .enumerate()
                    .map(|(i, (population, gdp, engel))| RegionEconomy {
                        region: id(i),
                        population_persons: population,
                        gdp: Yuan(gdp),
                        engel: Some(engel),
                    })
                    .collect();
                let flows = raw
                    .into_iter()
                    .filter(|(p, q, _, _)| p != q)
                    .map(|(p, q, ect, tonnes)| Flow {
                        payer: id(p),
                        payee: id(q),
                        layer: if ect { Layer::Ect } else { Layer::Cssf },
                        tonnes: TonnesCo2(tonnes),
                    })
                    .collect();
                Case {
                    economy,
                    benchmarks,
                    flows,
                }
            })
    })
}

fn zoning(benchmarks: &[f64]) -> Zoning {
    let positions: Vec<RegionPosition> = benchmarks
        .iter()
        .enumerate()
        .map(|(i, l)| RegionPosition {
            region: id(i),
            nf: TonnesCo2(*l),
            v_net: TonnesCo2(0.0),
        })
        .collect();
    Zoning::new(&positions).unwrap()
}

fn standards(case: &Case, price: f64) -> Standards {
    let regions: Vec<RegionId> = case.economy.iter().map(|r| r.region.clone()).collect();
    Standards::compute(&StandardsInput {
        price: YuanPerTonne(price),
        regions: &regions,
        economy: &case.economy,
        given: &[],
        params: Eq18Params::default(),
    })
    .unwrap()
}

fn ledger(case: &Case, scheme: BuiltinScheme, price: f64, flows: &[Flow]) -> Ledger {
    Ledger::build(
        &scheme,
        &zoning(&case.benchmarks),
        &standards(case, price),
        flows,
    )
    .unwrap()
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.abs().max(1.0)
}

const LEDGER_SCHEMES: [BuiltinScheme; 3] = [
    BuiltinScheme::PayerStandard,
    BuiltinScheme::PayeeStandard,
    BuiltinScheme::Uniform,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_ledger_pays_out_exactly_what_it_takes_in(case in case()) {
        for scheme in LEDGER_SCHEMES {
            let ledger = ledger(&case, scheme, 46.66, &case.flows);
            for layer in Layer::ALL {
                let totals = ledger.layer_totals(layer);
                let paid: f64 = totals.iter().map(|t| t.paid.0).sum();
                let received: f64 = totals.iter().map(|t| t.received.0).sum();
                prop_assert!(close(paid, received, paid), "{layer}: {paid} vs {received}");
            }
            let net: f64 = ledger.accounts().iter().map(|a| a.net.0).sum();
            let gross: f64 = ledger.accounts().iter().map(|a| a.paid.0).sum();
            prop_assert!(close(net, 0.0, gross));
            // Netting never creates money: combined gross ≤ the two layers' gross.
            let layers: f64 = [Layer::Ect, Layer::Cssf].iter()
                .flat_map(|l| ledger.layer_totals(*l)).map(|t| t.paid.0).sum();
            prop_assert!(gross <= layers * (1.0 + 1e-12) + 1e-6);
        }
    }

    #[test]
    fn netting_is_antisymmetric(case in case()) {
        let swapped: Vec<Flow> = case.flows.iter().map(|f| Flow {
            payer: f.payee.clone(), payee: f.payer.clone(), ..f.clone()
        }).collect();
        // Direction-free pricing: swapping every flow flips every net.
        // Payer's standard on the flows = payee's standard on the swapped flows.
        for (scheme, swapped_scheme) in [
            (BuiltinScheme::Uniform, BuiltinScheme::Uniform),
            (BuiltinScheme::PayerStandard, BuiltinScheme::PayeeStandard),
        ] {
            let forward = ledger(&case, scheme, 46.66, &case.flows);
            let backward = ledger(&case, swapped_scheme, 46.66, &swapped);
            for (a, b) in forward.accounts().iter().zip(backward.accounts()) {
                prop_assert!(close(a.net.0, -b.net.0, a.paid.0 + a.received.0));
                prop_assert!(close(a.paid.0, b.received.0, a.paid.0));
            }
            let f: Vec<_> = forward.layer(Layer::Combined).collect();
            let b: Vec<_> = backward.layer(Layer::Combined).collect();
            prop_assert_eq!(f.len(), b.len());
            for e in f {
                let r = b.iter().find(|r| r.payer == e.payee && r.payee == e.payer);
                prop_assert!(r.is_some(), "no reversed entry for {:?}", e);
                prop_assert!(close(r.unwrap().amount.0, e.amount.0, e.amount.0));
            }
        }
    }

    #[test]
    fn gamma_rises_with_capacity_and_engel(
        a1 in 0.01..10.0f64, a2 in 0.01..10.0f64,
        t1 in 0.0..1.0f64, t2 in 0.0..1.0f64,
        a in 0.01..5.0f64, b in 0.01..5.0f64,
    ) {
        let (lo, hi) = if a1 < a2 { (a1, a2) } else { (a2, a1) };
        prop_assume!(hi - lo > 1e-9);
        prop_assert!(gamma(lo, t1, a, b) < gamma(hi, t1, a, b));
        let (tlo, thi) = if t1 < t2 { (t1, t2) } else { (t2, t1) };
        prop_assume!(thi - tlo > 1e-6);
        prop_assert!(gamma(a1, tlo, a, b) < gamma(a1, thi, a, b));
    }

    #[test]
    fn eq18_standards_order_like_per_capita_gdp(case in case(), engel in 0.2..0.5f64, weighted in prop::bool::ANY) {
        let economy: Vec<RegionEconomy> = case.economy.iter()
            .map(|r| RegionEconomy { engel: Some(engel), ..r.clone() }).collect();
        let regions: Vec<RegionId> = economy.iter().map(|r| r.region.clone()).collect();
        let params = Eq18Params {
            mean: if weighted { AreaMean::PopulationWeighted } else { AreaMean::Unweighted },
            engel_unit: EngelUnit::Fraction,
            ..Eq18Params::default()
        };
        let s = Standards::compute(&StandardsInput {
            price: YuanPerTonne(46.66), regions: &regions, economy: &economy, given: &[], params,
        }).unwrap();
        for x in &economy {
            for y in &economy {
                let (px, py) = (x.gdp.0 / x.population_persons, y.gdp.0 / y.population_persons);
                if px < py * (1.0 - 1e-9) {
                    prop_assert!(s.get(&x.region).unwrap().gamma < s.get(&y.region).unwrap().gamma);
                }
            }
        }
    }

    #[test]
    fn scaling_the_price_scales_every_amount(case in case(), k in 0.1..10.0f64) {
        for scheme in BuiltinScheme::ALL {
            let base = ledger(&case, scheme, 46.66, &case.flows);
            let scaled = ledger(&case, scheme, 46.66 * k, &case.flows);
            for (a, b) in base.entries().iter().zip(scaled.entries()) {
                prop_assert_eq!((&a.payer, &a.payee, a.layer), (&b.payer, &b.payee, b.layer));
                prop_assert!(close(b.amount.0, k * a.amount.0, b.amount.0));
            }
            prop_assert_eq!(base.entries().len(), scaled.entries().len());
            for (a, b) in base.accounts().iter().zip(scaled.accounts()) {
                for (x, y) in [(a.net, b.net), (a.paid, b.paid), (a.received, b.received), (a.tc_eq17, b.tc_eq17)] {
                    prop_assert!(close(y.0, k * x.0, y.0), "{scheme}: {} vs {}", y.0, k * x.0);
                }
                prop_assert_eq!(a.flag, b.flag);
            }
        }
    }

    /// Eq 17 equals the ledger for region `r0` under the payer's-standard scheme when: `r0`
    /// is the payer in every flow of one layer that involves it, it is absent from the other
    /// layer, and its benchmark equals the tonnes it pays in that layer (for ECT: `L = NF =
    /// Σ_s NT[r0,s]`, it is CSS-neutral; for CSSF: `L = V_net`, it is ECT-neutral). Then its
    /// combined pairs are its layer pairs, each priced at its own standard:
    /// `net = Σ tonnes · P·γ_r0 = L · P·γ_r0 = TC_r0`.
    #[test]
    fn eq17_equals_the_ledger_for_a_one_layer_payer(
        case in case(),
        ect in prop::bool::ANY,
        owed in prop::collection::vec((1usize..7, 0.0..1e8f64), 1..4),
    ) {
        let n = case.economy.len();
        let layer = if ect { Layer::Ect } else { Layer::Cssf };
        let mut partners = std::collections::BTreeSet::new();
        let mut flows: Vec<Flow> = owed.iter()
            .filter(|(q, _)| q % n != 0 && partners.insert(q % n))
            .map(|(q, t)| Flow { payer: id(0), payee: id(q % n), layer, tonnes: TonnesCo2(*t) })
            .collect();
        // Everything else: flows not involving r0.
        flows.extend(case.flows.iter().filter(|f| f.payer != id(0) && f.payee != id(0)).cloned());
        let paid_tonnes: f64 = flows.iter().filter(|f| f.payer == id(0)).map(|f| f.tonnes.0).sum();
        let mut benchmarks = case.benchmarks.clone();
        benchmarks[0] = paid_tonnes;
        let case = Case { benchmarks, ..case };
        let ledger = ledger(&case, BuiltinScheme::PayerStandard, 46.66, &flows);
        let r0 = ledger.account(&id(0)).unwrap();
        prop_assert!(close(r0.net.0, r0.tc_eq17.0, r0.tc_eq17.0), "{} vs {}", r0.net.0, r0.tc_eq17.0);
        let eq17 = Ledger::build(&BuiltinScheme::Eq17, &zoning(&case.benchmarks), &standards(&case, 46.66), &flows).unwrap();
        prop_assert!(close(eq17.account(&id(0)).unwrap().net.0, r0.net.0, r0.net.0));
    }
}

/// The condition matters: with a flow in the other layer, the ledger and Eq 17 differ
/// (the region's CSS is priced at the other region's standard).
#[test]
fn eq17_and_the_ledger_differ_when_the_condition_fails() {
    let case = Case {
        economy: (0..2)
            .map(|i| RegionEconomy {
                region: id(i),
                population_persons: 1.0,
                gdp: Yuan(if i == 0 { 1.0 } else { 3.0 }),
                engel: Some(0.3),
            })
            .collect(),
        benchmarks: vec![1.0, -1.0],
        flows: Vec::new(),
    };
    let flows = [
        Flow {
            payer: id(0),
            payee: id(1),
            layer: Layer::Ect,
            tonnes: TonnesCo2(2.0),
        },
        Flow {
            payer: id(1),
            payee: id(0),
            layer: Layer::Cssf,
            tonnes: TonnesCo2(1.0),
        },
    ];
    let ledger = ledger(&case, BuiltinScheme::PayerStandard, 46.66, &flows);
    let r0 = ledger.account(&id(0)).unwrap();
    assert!(
        (r0.net.0 - r0.tc_eq17.0).abs() > 1.0,
        "{} vs {}",
        r0.net.0,
        r0.tc_eq17.0
    );
}
