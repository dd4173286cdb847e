//! Loads fzc plugins and makes them indistinguishable from the built-ins.
//!
//! [`load`] opens a shared library by path, checks its ABI version symbol before anything
//! else, then its function table (`struct_size`, kind, text), and returns a
//! [`LoadedPlugin`]: its [`PluginInfo`] (name, kind, ABI version, declared parameters) and
//! constructors that return the very trait objects the scenario runner uses for built-ins,
//! [`LoadedPlugin::pricing_scheme`] → `Box<dyn PricingScheme>`,
//! [`LoadedPlugin::flow_model`] → `Box<dyn FlowModel>` and
//! [`LoadedPlugin::demand_estimator`] → a [`LoadedDemandEstimator`] (a `DemandEstimator`).
//!
//! Every call into a plugin is checked on the host side: a missing parameter is an error
//! naming it; a plugin error or a caught panic becomes an error naming the plugin and the
//! function; an output of the wrong length, a NaN or an out-of-range index becomes an error
//! naming the plugin, the output and the region or flow. The host stays alive in every case.
//!
//! Key design decision: libraries are never unloaded. Each one is leaked into a
//! process-wide registry (loading the same file twice reuses it), so no function pointer or
//! instance can outlive its code.
//!
//! [`conformance`] holds the method's invariants as a suite that runs on any scheme or
//! model, built-in or loaded (`fzc plugins check`).
//!
//! ```
//! use fzc_plugin_host::{PluginError, conformance, load};
//!
//! // A file that is not a library is refused with its path, and the host carries on.
//! let err = load(std::path::Path::new("Cargo.toml")).unwrap_err();
//! assert!(matches!(err, PluginError::NotALibrary { .. }));
//! assert!(err.to_string().contains("Cargo.toml"));
//!
//! // The conformance suite runs on built-ins exactly as on plugins.
//! let report = conformance::check_pricing_scheme(&fzc_pricing::BuiltinScheme::PayerStandard);
//! assert!(report.passed(), "{report}");
//! ```

pub mod conformance;
mod demand;
mod error;
mod flow;
mod instance;
mod load;
mod pricing;

pub use demand::LoadedDemandEstimator;
pub use error::PluginError;
pub use load::{LoadedPlugin, ParamInfo, PluginInfo, PluginKind, load};
