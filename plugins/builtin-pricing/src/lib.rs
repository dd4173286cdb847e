//! The built-in pricing schemes of `fzc-pricing`, exported unchanged as a plugin.
//!
//! It exists for the equivalence tests: the scheme loaded through the C ABI must give
//! bit-identical results to the same scheme called in process. Parameter `scheme`: `payer`
//! (alias `paper`, the default), `payee`, `uniform` or `eq17`.

use fzc_core::{PricingInput, PricingOutput, PricingScheme, PricingSchemeError};
use fzc_plugin_api::{ParamSpec, Params, Plugin};
use fzc_pricing::BuiltinScheme;

/// A built-in scheme behind the plugin ABI.
pub struct BuiltinPricing(BuiltinScheme);

impl Plugin for BuiltinPricing {
    const NAME: &'static str = "builtin-pricing";
    const DESCRIPTION: &'static str = "The built-in pricing schemes of fzc-pricing (payer = the paper's, payee, uniform, eq17) behind the plugin ABI.";
    const PARAMETERS: &'static [ParamSpec] = &[ParamSpec {
        name: "scheme",
        default: Some("payer"),
        description: "which built-in: paper (= payer), payer, payee, uniform, eq17",
    }];

    fn from_params(params: &Params) -> Result<Self, String> {
        params
            .text("scheme")?
            .parse::<BuiltinScheme>()
            .map(BuiltinPricing)
            .map_err(|e| e.to_string())
    }
}

impl PricingScheme for BuiltinPricing {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn parameters(&self) -> Vec<(String, String)> {
        self.0.parameters()
    }

    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        self.0.price(input)
    }
}

fzc_plugin_api::export_pricing_scheme!(BuiltinPricing);
