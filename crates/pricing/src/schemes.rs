//! The four built-in pricing schemes.

use std::fmt;
use std::str::FromStr;

use fzc_core::{
    FlowPrice, PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan, YuanPerTonne,
};

use crate::PricingError;

/// A built-in pricing scheme. Names (for files and the CLI): `payer` (alias `paper`),
/// `payee`, `uniform`, `eq17`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinScheme {
    /// Every flow priced at the paying region's standard (the paper's results; default).
    PayerStandard,
    /// Every flow priced at the paid region's standard.
    PayeeStandard,
    /// Every flow priced at the carbon price `P` (`γ = 1`).
    Uniform,
    /// No pairs: each region's amount is Eq 17, `TC_i = L_i · P · γ_i`.
    Eq17,
}

/// The names [`BuiltinScheme::from_str`] accepts.
pub const SCHEME_NAMES: &str = "paper (= payer), payer, payee, uniform, eq17";

impl BuiltinScheme {
    /// Every built-in scheme.
    pub const ALL: [BuiltinScheme; 4] = [
        BuiltinScheme::PayerStandard,
        BuiltinScheme::PayeeStandard,
        BuiltinScheme::Uniform,
        BuiltinScheme::Eq17,
    ];

    /// The stable name: `payer`, `payee`, `uniform`, `eq17`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinScheme::PayerStandard => "payer",
            BuiltinScheme::PayeeStandard => "payee",
            BuiltinScheme::Uniform => "uniform",
            BuiltinScheme::Eq17 => "eq17",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            BuiltinScheme::PayerStandard => "each flow at the paying region's standard P·γ_payer",
            BuiltinScheme::PayeeStandard => "each flow at the paid region's standard P·γ_payee",
            BuiltinScheme::Uniform => "each flow at the carbon price P (γ = 1)",
            BuiltinScheme::Eq17 => "no pairs; region amount TC_i = L_i·P·γ_i (Eq 17)",
        }
    }
}

impl fmt::Display for BuiltinScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BuiltinScheme {
    type Err = PricingError;

    fn from_str(text: &str) -> Result<Self, PricingError> {
        match text {
            "paper" | "payer" => Ok(BuiltinScheme::PayerStandard),
            "payee" => Ok(BuiltinScheme::PayeeStandard),
            "uniform" => Ok(BuiltinScheme::Uniform),
            "eq17" => Ok(BuiltinScheme::Eq17),
            _ => Err(PricingError::UnknownScheme {
                text: text.to_owned(),
                expected: SCHEME_NAMES,
            }),
        }
    }
}

/// Looks a built-in scheme up by name (`paper`/`payer`, `payee`, `uniform`, `eq17`).
///
/// # Errors
/// [`PricingError::UnknownScheme`] listing the valid names.
pub fn scheme_by_name(name: &str) -> Result<Box<dyn PricingScheme>, PricingError> {
    Ok(Box::new(name.parse::<BuiltinScheme>()?))
}

impl PricingScheme for BuiltinScheme {
    fn name(&self) -> &str {
        self.as_str()
    }

    fn parameters(&self) -> Vec<(String, String)> {
        vec![("rule".to_owned(), self.describe().to_owned())]
    }

    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        input.validate()?;
        let n = input.regions.len();
        if *self == BuiltinScheme::Eq17 {
            let region_amounts = input
                .benchmarks
                .iter()
                .zip(input.standards)
                .map(|(l, standard)| *l * *standard)
                .collect();
            return Ok(PricingOutput {
                flow_prices: None,
                region_amounts,
            });
        }
        let mut region_amounts = vec![Yuan(0.0); n];
        let mut prices = Vec::with_capacity(input.flows.len());
        for flow in input.flows {
            let standard: YuanPerTonne = match self {
                BuiltinScheme::PayerStandard => input.standards[flow.payer],
                BuiltinScheme::PayeeStandard => input.standards[flow.payee],
                _ => input.price,
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        for scheme in BuiltinScheme::ALL {
            assert_eq!(scheme.as_str().parse::<BuiltinScheme>().unwrap(), scheme);
            assert_eq!(
                scheme_by_name(scheme.as_str()).unwrap().name(),
                scheme.as_str()
            );
        }
        assert_eq!(
            "paper".parse::<BuiltinScheme>().unwrap(),
            BuiltinScheme::PayerStandard
        );
        assert!(!BuiltinScheme::Eq17.parameters().is_empty());
    }

    #[test]
    fn unknown_scheme_lists_valid_names() {
        let err = scheme_by_name("cheapest").err().unwrap().to_string();
        assert!(err.contains("\"cheapest\""), "{err}");
        for name in ["paper", "payer", "payee", "uniform", "eq17"] {
            assert!(err.contains(name), "{err} lacks {name}");
        }
    }
}
