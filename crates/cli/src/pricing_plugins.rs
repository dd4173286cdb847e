//! Pricing-scheme plugins given on the command line (`--plugin PATH`, `--param NAME=VALUE`):
//! loaded through `fzc-plugin-host` and registered by their own names in the
//! [`fzc_pipeline::Plugins`] the pipeline resolves `plugin:<name>` through (the scenario's
//! `[[plugin]]` stanzas come after them).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use fzc_core::PricingScheme;
use fzc_pipeline::Plugins;
use fzc_plugin_host::{LoadedPlugin, load};

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

/// The `--plugin` libraries, each with its share of the `--param` values.
pub struct PricingPlugins {
    cli: Vec<(LoadedPlugin, BTreeMap<String, String>)>,
}

impl PricingPlugins {
    /// Loads the `--plugin` libraries and shares the `--param` values out among them.
    ///
    /// # Errors
    /// When a library does not load, or a `--param` is declared by none of them.
    pub fn new(args: &PricingPluginArgs) -> anyhow::Result<Self> {
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
        Ok(Self { cli })
    }

    /// The plugin set of the pipeline: each `--plugin` as a pricing scheme under its own
    /// name, made (its `create` called) only when a scheme list or the scenario names it.
    pub fn plugins(&self) -> Plugins {
        let mut plugins = Plugins::new();
        for (plugin, params) in &self.cli {
            let name = plugin.info().name.clone();
            let (plugin, params) = (plugin.clone(), params.clone());
            let label = name.clone();
            plugins.add_pricing_factory(
                &name,
                Box::new(move || {
                    plugin
                        .pricing_scheme(&params)
                        .with_context(|| format!("--plugin {label}"))
                }),
            );
        }
        plugins
    }

    /// The scheme `fzc run` prices with: the single `--plugin`, else `None` (the scenario's
    /// own scheme).
    ///
    /// # Errors
    /// With more than one `--plugin`, or when the plugin is not a pricing scheme or refuses
    /// its parameters.
    pub fn run_scheme(&self) -> anyhow::Result<Option<Box<dyn PricingScheme>>> {
        match self.cli.as_slice() {
            [] => Ok(None),
            [(plugin, params)] => {
                Ok(Some(plugin.pricing_scheme(params).with_context(|| {
                    format!("--plugin {}", plugin.info().name)
                })?))
            }
            _ => bail!("fzc run prices with one scheme: give at most one --plugin"),
        }
    }

    /// The plugin scheme a run prices with: the single `--plugin`, else the scenario's
    /// `scheme = "plugin:<name>"`, else `None` (its built-in scheme).
    ///
    /// # Errors
    /// As [`PricingPlugins::run_scheme`] and [`fzc_pipeline::plugin_scheme`].
    pub fn run_scheme_for(
        &self,
        loaded: &fzc_pipeline::Loaded,
        plugins: &Plugins,
    ) -> anyhow::Result<Option<std::sync::Arc<dyn PricingScheme>>> {
        match self.run_scheme()? {
            Some(scheme) => Ok(Some(std::sync::Arc::from(scheme))),
            None => fzc_pipeline::plugin_scheme(loaded, plugins),
        }
    }
}
