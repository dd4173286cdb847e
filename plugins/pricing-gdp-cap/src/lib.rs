//! Template plugin: the paper's payer-standard pricing, with every payer's total capped at a
//! share of its GDP.
//!
//! Copy this crate to start a pricing scheme of your own: rename the package, change
//! [`GdpCap`], keep the last line (`export_pricing_scheme!`). Build it with
//! `cargo build --release -p fzc-plugin-pricing-gdp-cap` and load
//! `target/release/libfzc_plugin_pricing_gdp_cap.so` (`.dylib` on macOS, `.dll` on Windows).
//!
//! The rule: each flow is first priced at the paying region's standard (`tonnes · P·γ_payer`,
//! the paper's ledger). If a payer's total over all its flows exceeds `share · GDP_payer`,
//! each of its flows is scaled by the same factor `share · GDP / total`, so its total is the
//! cap and its payees receive proportionally less. The ledger still balances: every yuan
//! paid is received. GDP comes from the scenario's economy table; without it the scheme
//! refuses to price.

use fzc_core::{
    FlowPrice, PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan, YuanPerTonne,
};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// Payer-standard pricing with a cap of `share · GDP` on each payer's total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GdpCap {
    /// The largest share of its GDP a region may pay, dimensionless, `≥ 0`.
    pub share: f64,
}

impl Plugin for GdpCap {
    const NAME: &'static str = "gdp-cap";
    const DESCRIPTION: &'static str = "Each flow at the paying region's standard (the paper's ledger); a payer's total is capped at `share` times its GDP by scaling all its flows by one factor.";
    const PARAMETERS: &'static [ParamSpec] = &[ParamSpec {
        name: "share",
        default: None,
        description: "largest share of its GDP a region pays, dimensionless (e.g. 0.001 = 0.1 %)",
    }];

    fn from_params(params: &Params) -> Result<Self, String> {
        let share = params.f64("share")?;
        if share < 0.0 {
            return Err(format!(
                "parameter `share` is {share}, expected a number ≥ 0"
            ));
        }
        Ok(GdpCap { share })
    }
}

impl PricingScheme for GdpCap {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn parameters(&self) -> Vec<(String, String)> {
        vec![("share".to_owned(), self.share.to_string())]
    }

    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        input.validate()?;
        let gdp = input.gdp.ok_or_else(|| PricingSchemeError::Scheme {
            scheme: Self::NAME.to_owned(),
            message: "needs each region's GDP (an economy table in the scenario), found none"
                .into(),
        })?;
        for (region, g) in input.regions.iter().zip(gdp) {
            if !(g.0.is_finite() && g.0 >= 0.0) {
                return Err(PricingSchemeError::InvalidValue {
                    what: format!("GDP of region {region}"),
                    value: g.0,
                    expected: "a finite number ≥ 0 (yuan)",
                });
            }
        }
        let n = input.regions.len();
        let mut total = vec![0.0f64; n];
        for flow in input.flows {
            total[flow.payer] += (flow.tonnes * input.standards[flow.payer]).0;
        }
        let factor: Vec<f64> = total
            .iter()
            .zip(gdp)
            .map(|(&t, g)| {
                let cap = self.share * g.0;
                if t > cap && t > 0.0 { cap / t } else { 1.0 }
            })
            .collect();
        let mut region_amounts = vec![Yuan(0.0); n];
        let mut prices = Vec::with_capacity(input.flows.len());
        for flow in input.flows {
            let standard = YuanPerTonne(input.standards[flow.payer].0 * factor[flow.payer]);
            let amount = flow.tonnes * standard;
            region_amounts[flow.payer] += amount;
            region_amounts[flow.payee] -= amount;
            prices.push(FlowPrice { standard, amount });
        }
        Ok(PricingOutput {
            flow_prices: Some(prices),
            region_amounts,
        })
    }
}

fzc_plugin_api::export_pricing_scheme!(GdpCap);

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::{Layer, PricingFlow, RegionId, TonnesCo2};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// No payer pays more than `share · GDP` in total; a payer under its cap pays exactly
        /// the paper's amount; the ledger balances.
        #[test]
        fn cap_holds_and_ledger_balances(
            share in 0.0f64..0.01,
            regions in prop::collection::vec((1.0f64..100.0, 1e9f64..1e12), 2..6),
            flows in prop::collection::vec((0usize..6, 1usize..6, 0.0f64..1e8), 1..12),
        ) {
            let n = regions.len();
            let ids: Vec<RegionId> = (0..n).map(|i| RegionId::new(format!("r{i}")).unwrap()).collect();
            let standards: Vec<YuanPerTonne> = regions.iter().map(|r| YuanPerTonne(r.0)).collect();
            let gdp: Vec<Yuan> = regions.iter().map(|r| Yuan(r.1)).collect();
            let benchmarks = vec![TonnesCo2(0.0); n];
            let flows: Vec<PricingFlow> = flows
                .iter()
                .map(|&(a, d, t)| PricingFlow {
                    payer: a % n,
                    payee: (a % n + d % (n - 1) + 1) % n,
                    layer: Layer::Cssf,
                    tonnes: TonnesCo2(t),
                })
                .collect();
            let input = PricingInput {
                price: YuanPerTonne(46.66),
                regions: &ids,
                standards: &standards,
                benchmarks: &benchmarks,
                population_persons: None,
                gdp: Some(&gdp),
                flows: &flows,
            };
            let out = GdpCap { share }.price(&input).unwrap();
            let prices = out.flow_prices.unwrap();
            for i in 0..n {
                let paid: f64 = flows.iter().zip(&prices).filter(|(f, _)| f.payer == i).map(|(_, p)| p.amount.0).sum();
                let uncapped: f64 = flows.iter().filter(|f| f.payer == i).map(|f| f.tonnes.0 * standards[i].0).sum();
                let cap = share * gdp[i].0;
                if uncapped <= cap {
                    prop_assert!((paid - uncapped).abs() <= 1e-9 * uncapped.max(1.0));
                } else {
                    prop_assert!((paid - cap).abs() <= 1e-9 * cap.max(1.0));
                }
            }
            let sum: f64 = out.region_amounts.iter().map(|y| y.0).sum();
            let scale: f64 = out.region_amounts.iter().map(|y| y.0.abs()).sum();
            prop_assert!(sum.abs() <= 1e-9 * scale.max(1.0));
        }
    }

    #[test]
    fn share_is_required_and_gdp_is_needed() {
        assert!(
            GdpCap::from_params(&Params::default())
                .unwrap_err()
                .contains("`share`")
        );
        assert!(GdpCap::from_params(&Params::new([("share", "-1")])).is_err());
        let ids = vec![RegionId::new("a").unwrap(), RegionId::new("b").unwrap()];
        let input = PricingInput {
            price: YuanPerTonne(46.66),
            regions: &ids,
            standards: &[YuanPerTonne(1.0), YuanPerTonne(2.0)],
            benchmarks: &[TonnesCo2(1.0), TonnesCo2(-1.0)],
            population_persons: None,
            gdp: None,
            flows: &[],
        };
        let err = GdpCap { share: 0.1 }.price(&input).unwrap_err().to_string();
        assert!(err.contains("GDP"), "{err}");
    }
}
