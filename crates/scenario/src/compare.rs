//! Comparative runs: one scenario priced under several schemes, side by side.

use std::fmt::Write as _;

use fzc_core::PricingScheme;
use fzc_pricing::BuiltinScheme;

use crate::output::fixed;
use crate::run::{Outcome, run_with_pricing};
use crate::{Scenario, ScenarioError};

/// One scenario run under several pricing schemes.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The scheme names as asked for (e.g. `paper`), in order; the first is the reference.
    pub names: Vec<String>,
    /// One outcome per scheme, in the same order.
    pub outcomes: Vec<Outcome>,
}

/// Parses a comma-separated scheme list such as `paper,payee,uniform,eq17`.
///
/// # Errors
/// [`ScenarioError::Pricing`] naming an unknown scheme; [`ScenarioError::InvalidValue`]-free:
/// an empty list or a repeated name is a [`ScenarioError::Unsupported`].
pub fn parse_schemes(list: &str) -> Result<Vec<(String, BuiltinScheme)>, ScenarioError> {
    let mut out: Vec<(String, BuiltinScheme)> = Vec::new();
    for name in list.split(',').map(str::trim) {
        let scheme: BuiltinScheme = name.parse()?;
        if out.iter().any(|(n, _)| n == name) {
            return Err(ScenarioError::Unsupported {
                what: format!("scheme {name:?} listed twice"),
                hint: "list each scheme once, e.g. paper,payee,uniform,eq17",
            });
        }
        out.push((name.to_owned(), scheme));
    }
    Ok(out)
}

/// Runs `scenario` under each built-in scheme; a thin wrapper over [`compare_with`].
///
/// # Errors
/// As [`crate::run`].
pub fn compare(
    scenario: &Scenario,
    schemes: &[(String, BuiltinScheme)],
) -> Result<Comparison, ScenarioError> {
    let schemes: Vec<(String, &dyn PricingScheme)> = schemes
        .iter()
        .map(|(n, s)| (n.clone(), s as &dyn PricingScheme))
        .collect();
    compare_with(scenario, &schemes)
}

/// Runs `scenario` under each named scheme, built-in or loaded from a plugin; the names
/// (e.g. `paper`, `plugin:gdpcap`) head the columns, the first is the reference.
///
/// # Errors
/// As [`crate::run`].
pub fn compare_with(
    scenario: &Scenario,
    schemes: &[(String, &dyn PricingScheme)],
) -> Result<Comparison, ScenarioError> {
    let mut outcomes = Vec::with_capacity(schemes.len());
    for (_, scheme) in schemes {
        outcomes.push(run_with_pricing(scenario, *scheme)?);
    }
    Ok(Comparison {
        names: schemes.iter().map(|(n, _)| n.clone()).collect(),
        outcomes,
    })
}

impl Comparison {
    /// `compare.csv`: `region`, then per scheme `<name>_amount` (yuan, `> 0` pays) and
    /// `<name>_zone` (by ledger), and for every scheme after the first `<name>_diff`
    /// (its amount minus the first scheme's). Rows sorted by region id.
    ///
    /// # Units
    /// Amounts in yuan.
    pub fn csv(&self) -> String {
        let mut out = String::from("region");
        for (k, name) in self.names.iter().enumerate() {
            let _ = write!(out, ",{name}_amount,{name}_zone");
            if k > 0 {
                let _ = write!(out, ",{name}_diff");
            }
        }
        out.push('\n');
        let Some(first) = self.outcomes.first() else {
            return out;
        };
        for (i, reference) in first.ledger.accounts().iter().enumerate() {
            out.push_str(reference.region.as_str());
            for (k, outcome) in self.outcomes.iter().enumerate() {
                let a = &outcome.ledger.accounts()[i];
                let _ = write!(out, ",{},{}", fixed(a.net.0, 2), a.ledger_zone.as_str());
                if k > 0 {
                    let _ = write!(out, ",{}", fixed(a.net.0 - reference.net.0, 2));
                }
            }
            out.push('\n');
        }
        out
    }

    /// The printed table: one line per region, amounts in billion yuan, each scheme's zone
    /// as `P` (payer), `R` (recipient) or `-`.
    pub fn table(&self) -> String {
        let mut out =
            String::from("amounts in billion yuan (> 0 pays, < 0 receives); zone P/R/-; diff vs ");
        out.push_str(self.names.first().map_or("", String::as_str));
        out.push_str("\n\n");
        let _ = write!(out, "{:<14}", "region");
        // Each scheme's column is as wide as its name (at least 10), so long plugin names
        // such as `plugin:gdp-cap` stay aligned.
        let widths: Vec<usize> = self.names.iter().map(|n| n.len().max(10)).collect();
        for (k, name) in self.names.iter().enumerate() {
            let _ = write!(out, " {:>w$}  ", name, w = widths[k]);
            if k > 0 {
                let _ = write!(out, " {:>8}", "diff");
            }
        }
        out.push('\n');
        let Some(first) = self.outcomes.first() else {
            return out;
        };
        for (i, reference) in first.ledger.accounts().iter().enumerate() {
            let _ = write!(out, "{:<14}", reference.region.as_str());
            for (k, outcome) in self.outcomes.iter().enumerate() {
                let a = &outcome.ledger.accounts()[i];
                let zone = match a.ledger_zone.as_str() {
                    "payer" => "P",
                    "recipient" => "R",
                    _ => "-",
                };
                let _ = write!(
                    out,
                    " {:>w$} {}",
                    fixed(a.net.0 / 1e9, 3),
                    zone,
                    w = widths[k]
                );
                if k > 0 {
                    let _ = write!(out, " {:>8}", fixed((a.net.0 - reference.net.0) / 1e9, 3));
                }
            }
            out.push('\n');
        }
        out
    }
}
