//! A loaded pricing-scheme plugin behind `fzc_core::PricingScheme`.

use std::collections::BTreeMap;

use fzc_core::{
    FlowPrice, PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan, YuanPerTonne,
};
use fzc_plugin_api::abi::FzcPricingOutput;
use fzc_plugin_api::marshal::PricingInputBuffers;

use crate::instance::Instance;
use crate::load::{ErrorBuffer, PluginKind};
use crate::{LoadedPlugin, PluginError};

/// A pricing scheme implemented by a plugin. Callers see only `dyn PricingScheme`.
#[derive(Debug)]
struct PluginPricingScheme {
    instance: Instance,
    /// Whether [`PricingScheme::price`] applies the output rules (run time), or returns
    /// what the plugin gave (for `fzc plugins check`, which reports each rule itself).
    checked: bool,
}

impl LoadedPlugin {
    /// Builds the plugin's pricing scheme from `parameters` (defaults filled in). Its
    /// `price` refuses an output that breaks a rule of `fzc plugins check` (negative or
    /// non-finite amounts, a ledger that does not balance, region amounts that are not the
    /// flows' net), naming the plugin and the rule.
    ///
    /// # Errors
    /// [`PluginError::WrongKind`], [`PluginError::MissingParameter`],
    /// [`PluginError::UnknownParameter`], or the plugin's own `create` failure
    /// ([`PluginError::Failed`], [`PluginError::Panicked`]).
    pub fn pricing_scheme(
        &self,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Box<dyn PricingScheme>, PluginError> {
        self.pricing_scheme_with(parameters, true)
    }

    /// The plugin's pricing scheme without the run-time output rules: what the plugin
    /// returns is returned. For conformance checks, which test each rule and report it.
    ///
    /// # Errors
    /// As [`LoadedPlugin::pricing_scheme`].
    pub fn pricing_scheme_unchecked(
        &self,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Box<dyn PricingScheme>, PluginError> {
        self.pricing_scheme_with(parameters, false)
    }

    fn pricing_scheme_with(
        &self,
        parameters: &BTreeMap<String, String>,
        checked: bool,
    ) -> Result<Box<dyn PricingScheme>, PluginError> {
        self.expect_kind(PluginKind::PricingScheme)?;
        let parameters = self.resolve_parameters(parameters)?;
        let ptr = self.create(&parameters)?;
        Ok(Box::new(PluginPricingScheme {
            instance: Instance {
                plugin: self.clone(),
                ptr,
                parameters,
            },
            checked,
        }))
    }
}

impl PluginPricingScheme {
    fn call(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PluginError> {
        let plugin = &self.instance.plugin;
        let name = &plugin.info.name;
        let n = input.regions.len();
        let m = input.flows.len();
        let buffers = PricingInputBuffers::new(input);
        let abi_input = buffers.abi();
        let mut amounts = vec![0.0f64; n];
        let mut standards = vec![0.0f64; m];
        let mut flow_amounts = vec![0.0f64; m];
        let mut output = FzcPricingOutput {
            region_amounts_yuan: amounts.as_mut_ptr(),
            region_amounts_cap: n,
            region_amounts_len: 0,
            flow_standards_yuan_per_t: standards.as_mut_ptr(),
            flow_amounts_yuan: flow_amounts.as_mut_ptr(),
            flow_prices_cap: m,
            flow_prices_len: 0,
            has_flow_prices: 0,
        };
        let mut buf = ErrorBuffer::new();
        let price = plugin.table.price.ok_or_else(|| PluginError::WrongKind {
            plugin: name.clone(),
            found: plugin.info.kind.as_str(),
            expected: PluginKind::PricingScheme.as_str(),
        })?;
        // SAFETY: the instance is this plugin's; input buffers and output arrays outlive the
        // call and have the capacities written in `output`.
        let status = unsafe { price(self.instance.ptr, &abi_input, &mut output, buf.abi()) };
        plugin.check_status("price", status, &buf)?;
        let length = |output: &'static str, expected: usize, found: usize| {
            if expected == found {
                Ok(())
            } else {
                Err(PluginError::OutputLength {
                    plugin: name.clone(),
                    output,
                    expected,
                    found,
                })
            }
        };
        length("region_amounts", n, output.region_amounts_len)?;
        for (region, &value) in input.regions.iter().zip(&amounts) {
            finite(
                name,
                "region_amounts",
                || format!("region `{region}`"),
                value,
            )?;
        }
        let flow_prices = if output.has_flow_prices != 0 {
            length("flow_prices", m, output.flow_prices_len)?;
            let mut prices = Vec::with_capacity(m);
            for (i, (&standard, &amount)) in standards.iter().zip(&flow_amounts).enumerate() {
                let at = || {
                    let f = &input.flows[i];
                    format!(
                        "{} flow {i} ({} → {})",
                        f.layer,
                        region_label(input, f.payer),
                        region_label(input, f.payee)
                    )
                };
                finite(name, "flow_standards", at, standard)?;
                finite(name, "flow_amounts", at, amount)?;
                prices.push(FlowPrice {
                    standard: YuanPerTonne(standard),
                    amount: Yuan(amount),
                });
            }
            Some(prices)
        } else {
            None
        };
        Ok(PricingOutput {
            flow_prices,
            region_amounts: amounts.into_iter().map(Yuan).collect(),
        })
    }
}

fn region_label(input: &PricingInput<'_>, index: usize) -> String {
    input
        .regions
        .get(index)
        .map_or_else(|| format!("#{index}"), ToString::to_string)
}

/// Checks one output value.
pub(crate) fn finite(
    plugin: &str,
    output: &'static str,
    at: impl FnOnce() -> String,
    value: f64,
) -> Result<(), PluginError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(PluginError::NonFinite {
            plugin: plugin.to_owned(),
            output,
            at: at(),
            value,
        })
    }
}

impl PricingScheme for PluginPricingScheme {
    fn name(&self) -> &str {
        &self.instance.plugin.info.name
    }

    fn parameters(&self) -> Vec<(String, String)> {
        self.instance.parameters.clone()
    }

    /// Calls the plugin, then applies the output rules of `fzc plugins check`
    /// ([`crate::conformance::pricing_output_violation`]) to the real call: an output that
    /// breaks one is refused, naming the plugin and the rule, instead of being priced.
    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        let path = self.instance.plugin.info.path.display();
        let out = self.call(input).map_err(|err| PricingSchemeError::Scheme {
            scheme: self.name().to_owned(),
            message: format!("{err} [plugin {path}]"),
        })?;
        if !self.checked {
            return Ok(out);
        }
        match crate::conformance::pricing_output_violation(input, &out) {
            None => Ok(out),
            Some((rule, what)) => Err(PricingSchemeError::Scheme {
                scheme: self.name().to_owned(),
                message: format!(
                    "refused: its output breaks the rule \"{rule}\" that `fzc plugins check` \
                     tests: {what} [plugin {path}]"
                ),
            }),
        }
    }
}
