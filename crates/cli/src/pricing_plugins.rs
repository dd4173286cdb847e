//! Pricing-scheme plugins for `fzc run` and `fzc compare`: from `--plugin PATH` on the
//! command line or from the scenario's `[[plugin]]` stanzas, loaded through
//! `fzc-plugin-host` into the same `Box<dyn PricingScheme>` the built-ins are used as.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use fzc_core::PricingScheme;
use fzc_plugin_host::{LoadedPlugin, load};
use fzc_scenario::Scenario;

use crate::cmd_plugins::parse_params;

/// `--plugin PATH` and `--param NAME=VALUE`.
#[derive(Debug, Default, clap::Args)]
pub struct PricingPluginArgs {
    /// A pricing-scheme plugin library (.so, .dylib, .dll), repeatable. `fzc run` prices
    /// with it; `fzc compare` names it as `plugin:<name>` (the plugin's own name).
    #[arg(long = "plugin", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
    /// A parameter of the --plugin libraries, repeatable; it goes to each one that declares
    /// it (declared defaults fill in the rest).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "plugins")]
    pub params: Vec<String>,
}

/// The pricing plugins a command can name: the command line's, then the scenario's.
pub struct PricingPlugins<'a> {
    scenario: &'a Scenario,
    cli: Vec<(LoadedPlugin, BTreeMap<String, String>)>,
}

impl<'a> PricingPlugins<'a> {
    /// Loads the `--plugin` libraries and shares the `--param` values out among them.
    ///
    /// # Errors
    /// When a library does not load, or a `--param` is declared by none of them.
    pub fn new(scenario: &'a Scenario, args: &PricingPluginArgs) -> anyhow::Result<Self> {
        let params = parse_params(&args.params)?;
        let mut cli = Vec::with_capacity(args.plugins.len());
        for path in &args.plugins {
            let plugin = load(path)?;
            let own: BTreeMap<String, String> = params
                .iter()
                .filter(|(k, _)| plugin.info().parameters.iter().any(|p| &p.name == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            cli.push((plugin, own));
        }
        if let Some(name) = params.keys().find(|k| {
            !cli.iter()
                .any(|(p, _)| p.info().parameters.iter().any(|d| &d.name == *k))
        }) {
            bail!(
                "--param {name}: no --plugin declares a parameter `{name}` (declared: {})",
                cli.iter()
                    .flat_map(|(p, _)| p.info().parameters.iter().map(|d| d.name.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok(Self { scenario, cli })
    }

    /// The scheme `fzc run` prices with: the single `--plugin`, else the scenario's
    /// `scheme = "plugin:<name>"`, else `None` (a built-in scheme).
    ///
    /// # Errors
    /// With more than one `--plugin`, or when the plugin is not a pricing scheme or refuses
    /// its parameters.
    pub fn run_scheme(&self) -> anyhow::Result<Option<Box<dyn PricingScheme>>> {
        match self.cli.as_slice() {
            [] => match &self.scenario.pricing_plugin {
                Some(name) => self.scheme(name).map(Some),
                None => Ok(None),
            },
            [(plugin, params)] => {
                Ok(Some(plugin.pricing_scheme(params).with_context(|| {
                    format!("--plugin {}", plugin.info().name)
                })?))
            }
            _ => bail!("fzc run prices with one scheme: give at most one --plugin"),
        }
    }

    /// The scheme named `plugin:<name>`: a `--plugin` whose own name is `name`, else the
    /// scenario's `[[plugin]]` stanza of that name.
    ///
    /// # Errors
    /// When no plugin has that name, or it is not a pricing scheme, or refuses its
    /// parameters.
    pub fn scheme(&self, name: &str) -> anyhow::Result<Box<dyn PricingScheme>> {
        if let Some((plugin, params)) = self.cli.iter().find(|(p, _)| p.info().name == name) {
            return plugin
                .pricing_scheme(params)
                .with_context(|| format!("--plugin {name}"));
        }
        if let Some(spec) = self.scenario.plugins.iter().find(|s| s.name == name) {
            let plugin =
                load(&spec.path).with_context(|| format!("the scenario's [[plugin]] {name:?}"))?;
            return plugin
                .pricing_scheme(&spec.params)
                .with_context(|| format!("the scenario's [[plugin]] {name:?}"));
        }
        let known: Vec<String> = self
            .cli
            .iter()
            .map(|(p, _)| p.info().name.clone())
            .chain(self.scenario.plugins.iter().map(|s| s.name.clone()))
            .collect();
        bail!(
            "plugin:{name}: no --plugin and no [[plugin]] of the scenario is named `{name}` \
             (available: [{}])",
            known.join(", ")
        )
    }
}
