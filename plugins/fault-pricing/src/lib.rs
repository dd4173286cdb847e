//! Test-only: a pricing scheme that misbehaves in the way its `mode` parameter asks, so the
//! host's fault handling and the conformance suite can be tested against a real library.
//!
//! Modes: `ok` (the paper's payer standard), `panic` (panics in `price`), `panic-create`
//! (panics in the constructor), `error` (returns an error), `short` (one region amount too
//! few), `nan` (NaN as the first region's amount), `negative` (negative flow amounts, a
//! conformance failure the host itself cannot see).

use fzc_core::{
    FlowPrice, PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan, YuanPerTonne,
};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// The misbehaving scheme.
pub struct Fault {
    mode: String,
}

const MODES: [&str; 7] = [
    "ok",
    "panic",
    "panic-create",
    "error",
    "short",
    "nan",
    "negative",
];

impl Plugin for Fault {
    const NAME: &'static str = "fault";
    const DESCRIPTION: &'static str = "Test-only: misbehaves as `mode` says.";
    const PARAMETERS: &'static [ParamSpec] = &[ParamSpec {
        name: "mode",
        default: Some("ok"),
        description: "ok, panic, panic-create, error, short, nan or negative",
    }];

    fn from_params(params: &Params) -> Result<Self, String> {
        let mode = params.text("mode")?;
        if !MODES.contains(&mode) {
            return Err(format!(
                "parameter `mode` is {mode:?}, expected one of {}",
                MODES.join(", ")
            ));
        }
        if mode == "panic-create" {
            panic!("fault plugin: panic in the constructor, as asked");
        }
        Ok(Fault {
            mode: mode.to_owned(),
        })
    }
}

impl PricingScheme for Fault {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn parameters(&self) -> Vec<(String, String)> {
        vec![("mode".to_owned(), self.mode.clone())]
    }

    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        let sign = match self.mode.as_str() {
            "panic" => panic!("fault plugin: panic in price, as asked"),
            "error" => {
                return Err(PricingSchemeError::Scheme {
                    scheme: Self::NAME.to_owned(),
                    message: "an error, as asked".to_owned(),
                });
            }
            "negative" => -1.0,
            _ => 1.0,
        };
        let mut region_amounts = vec![Yuan(0.0); input.regions.len()];
        let mut prices = Vec::new();
        for flow in input.flows {
            let standard = YuanPerTonne(sign * input.standards[flow.payer].0);
            let amount = flow.tonnes * standard;
            region_amounts[flow.payer] += amount;
            region_amounts[flow.payee] -= amount;
            prices.push(FlowPrice { standard, amount });
        }
        match self.mode.as_str() {
            "short" => {
                region_amounts.pop();
            }
            "nan" => {
                if let Some(first) = region_amounts.first_mut() {
                    *first = Yuan(f64::NAN);
                }
            }
            _ => {}
        }
        Ok(PricingOutput {
            flow_prices: Some(prices),
            region_amounts,
        })
    }
}

fzc_plugin_api::export_pricing_scheme!(Fault);
