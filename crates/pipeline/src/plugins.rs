//! Resolving the plugins a scenario names (`plugin:<name>`): in-process objects registered by
//! the front end first, then the scenario's `[[plugin]]` stanzas through the C-ABI loader of
//! `fzc-plugin-host`.

use std::fmt;
use std::sync::Arc;

use anyhow::{Context, bail};
use fzc_core::{DemandEstimator, FlowModel, PricingScheme};
use fzc_scenario::{PluginSpec, Scenario};

/// Makes a pricing scheme when a scenario or a `compare` list names it.
pub type PricingFactory = dyn Fn() -> anyhow::Result<Box<dyn PricingScheme>> + Send + Sync;
/// Makes a flow model for a `[[plugin]]` stanza named by `[cssf] model`.
pub type FlowModelFactory = dyn Fn(&PluginSpec) -> anyhow::Result<Box<dyn FlowModel>> + Send + Sync;
/// Makes a demand estimator for a `[[plugin]]` stanza named by `[cssf.rasters] demand`.
pub type DemandEstimatorFactory =
    dyn Fn(&PluginSpec) -> anyhow::Result<Box<dyn DemandEstimator>> + Send + Sync;

enum Pricing {
    Object(Arc<dyn PricingScheme>),
    Factory(Box<PricingFactory>),
}

/// The plugins a run can name as `plugin:<name>`.
///
/// Resolution of a name: an in-process entry registered under that name (a trait object or a
/// factory) wins; otherwise the scenario's `[[plugin]]` stanza of that name is loaded from its
/// library through [`fzc_plugin_host::load`] (unless [`Plugins::without_libraries`]).
///
/// The scenario crate still requires a `[[plugin]]` stanza for every name a scenario TOML uses
/// (`[cssf] model`, `[cssf.rasters] demand`, `pricing.scheme`); an in-process entry of the
/// same name replaces what its library would have built.
pub struct Plugins {
    pricing: Vec<(String, Pricing)>,
    flow_models: Vec<(String, Box<FlowModelFactory>)>,
    demand_estimators: Vec<(String, Box<DemandEstimatorFactory>)>,
    libraries: bool,
}

impl Default for Plugins {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Plugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plugins")
            .field("pricing", &self.pricing_names())
            .field(
                "flow_models",
                &self.flow_models.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "demand_estimators",
                &self
                    .demand_estimators
                    .iter()
                    .map(|(n, _)| n)
                    .collect::<Vec<_>>(),
            )
            .field("libraries", &self.libraries)
            .finish()
    }
}

impl Plugins {
    /// No in-process plugins; `[[plugin]]` stanzas are loaded from their libraries.
    pub fn new() -> Self {
        Self {
            pricing: Vec::new(),
            flow_models: Vec::new(),
            demand_estimators: Vec::new(),
            libraries: true,
        }
    }

    /// Never loads a library: a name with no in-process entry is an error.
    #[must_use]
    pub fn without_libraries(mut self) -> Self {
        self.libraries = false;
        self
    }

    /// Registers a pricing scheme object under `name` (`plugin:<name>`). A later
    /// registration of the same name replaces it.
    pub fn add_pricing_scheme(&mut self, name: &str, scheme: Box<dyn PricingScheme>) {
        self.pricing.retain(|(n, _)| n != name);
        self.pricing
            .push((name.to_owned(), Pricing::Object(Arc::from(scheme))));
    }

    /// Registers a pricing scheme made on demand (e.g. a library loaded by a front end whose
    /// `create` should run only when the scheme is used).
    pub fn add_pricing_factory(&mut self, name: &str, factory: Box<PricingFactory>) {
        self.pricing.retain(|(n, _)| n != name);
        self.pricing
            .push((name.to_owned(), Pricing::Factory(factory)));
    }

    /// Registers a flow-model factory for the `[[plugin]]` stanza `name`.
    pub fn add_flow_model_factory(&mut self, name: &str, factory: Box<FlowModelFactory>) {
        self.flow_models.retain(|(n, _)| n != name);
        self.flow_models.push((name.to_owned(), factory));
    }

    /// Registers a flow model object for the `[[plugin]]` stanza `name`; it can be used by one
    /// load (a second load naming it is an error saying so).
    pub fn add_flow_model(&mut self, name: &str, model: Box<dyn FlowModel>) {
        let slot = std::sync::Mutex::new(Some(model));
        let owned = name.to_owned();
        self.add_flow_model_factory(
            name,
            Box::new(move |_spec: &PluginSpec| {
                slot.lock()
                    .ok()
                    .and_then(|mut s| s.take())
                    .with_context(|| {
                        format!("flow model {owned:?} was already used by an earlier load")
                    })
            }),
        );
    }

    /// Registers a demand-estimator factory for the `[[plugin]]` stanza `name`.
    pub fn add_demand_estimator_factory(
        &mut self,
        name: &str,
        factory: Box<DemandEstimatorFactory>,
    ) {
        self.demand_estimators.retain(|(n, _)| n != name);
        self.demand_estimators.push((name.to_owned(), factory));
    }

    /// Registers a demand estimator object for the `[[plugin]]` stanza `name` (one load).
    pub fn add_demand_estimator(&mut self, name: &str, estimator: Box<dyn DemandEstimator>) {
        let slot = std::sync::Mutex::new(Some(estimator));
        let owned = name.to_owned();
        self.add_demand_estimator_factory(
            name,
            Box::new(move |_spec: &PluginSpec| {
                slot.lock()
                    .ok()
                    .and_then(|mut s| s.take())
                    .with_context(|| {
                        format!("demand estimator {owned:?} was already used by an earlier load")
                    })
            }),
        );
    }

    /// The names of the in-process pricing schemes, in registration order.
    pub fn pricing_names(&self) -> Vec<&str> {
        self.pricing.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The flow model of the stanza `spec`: an in-process entry of its name, else its library.
    ///
    /// # Errors
    /// When the factory fails, or the library does not load or is not a flow model; the
    /// message names the stanza.
    pub fn flow_model(&self, spec: &PluginSpec) -> anyhow::Result<Box<dyn FlowModel>> {
        if let Some((_, factory)) = self.flow_models.iter().find(|(n, _)| *n == spec.name) {
            return factory(spec).with_context(|| format!("[[plugin]] {:?}", spec.name));
        }
        self.require_libraries(&spec.name)?;
        fzc_plugin_host::load(&spec.path)
            .and_then(|plugin| plugin.flow_model(&spec.params))
            .map_err(|e| anyhow::anyhow!("[[plugin]] {:?}: {e}", spec.name))
    }

    /// The demand estimator of the stanza `spec`: an in-process entry of its name, else its
    /// library.
    ///
    /// # Errors
    /// As [`Plugins::flow_model`].
    pub fn demand_estimator(&self, spec: &PluginSpec) -> anyhow::Result<Box<dyn DemandEstimator>> {
        if let Some((_, factory)) = self.demand_estimators.iter().find(|(n, _)| *n == spec.name) {
            return factory(spec).with_context(|| format!("[[plugin]] {:?}", spec.name));
        }
        self.require_libraries(&spec.name)?;
        fzc_plugin_host::load(&spec.path)
            .and_then(|plugin| plugin.demand_estimator(&spec.params))
            .map(|e| Box::new(e) as Box<dyn DemandEstimator>)
            .map_err(|e| anyhow::anyhow!("[[plugin]] {:?}: {e}", spec.name))
    }

    /// The pricing scheme `plugin:<name>`: an in-process entry of that name, else the
    /// scenario's `[[plugin]]` stanza of that name.
    ///
    /// # Errors
    /// When no plugin has that name (the message lists those that exist), or it is not a
    /// pricing scheme, or refuses its parameters.
    pub fn pricing_scheme(
        &self,
        scenario: &Scenario,
        name: &str,
    ) -> anyhow::Result<Arc<dyn PricingScheme>> {
        if let Some((_, entry)) = self.pricing.iter().find(|(n, _)| n == name) {
            return match entry {
                Pricing::Object(scheme) => Ok(Arc::clone(scheme)),
                Pricing::Factory(factory) => factory().map(Arc::from),
            };
        }
        if let Some(spec) = scenario.plugins.iter().find(|s| s.name == name) {
            self.require_libraries(name)?;
            let plugin = fzc_plugin_host::load(&spec.path)
                .with_context(|| format!("the scenario's [[plugin]] {name:?}"))?;
            return plugin
                .pricing_scheme(&spec.params)
                .map(Arc::from)
                .with_context(|| format!("the scenario's [[plugin]] {name:?}"));
        }
        let known: Vec<&str> = self
            .pricing_names()
            .into_iter()
            .chain(scenario.plugins.iter().map(|s| s.name.as_str()))
            .collect();
        bail!(
            "plugin:{name}: no --plugin and no [[plugin]] of the scenario is named `{name}` \
             (available: [{}])",
            known.join(", ")
        )
    }

    fn require_libraries(&self, name: &str) -> anyhow::Result<()> {
        if self.libraries {
            Ok(())
        } else {
            bail!(
                "plugin {name:?}: no in-process plugin has this name and loading plugin \
                 libraries is turned off"
            )
        }
    }
}
