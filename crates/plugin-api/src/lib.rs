//! The stable C ABI of fzc plugins, and the safe side a plugin author writes against.
//!
//! A plugin is a `cdylib` that implements one of the method's swappable parts with the very
//! trait the built-ins implement: [`fzc_core::PricingScheme`], [`fzc_core::FlowModel`] or
//! [`fzc_core::DemandEstimator`]. It adds [`Plugin`] (its description, declared
//! [`ParamSpec`]s and a constructor from [`Params`]) and exports itself with one macro,
//! [`export_pricing_scheme!`], [`export_flow_model!`] or [`export_demand_estimator!`]. The host (`fzc-plugin-host`) loads it by path and hands callers a
//! `Box<dyn PricingScheme>` / `Box<dyn FlowModel>` indistinguishable from a built-in.
//!
//! The ABI ([`abi`]) is deliberately plain:
//!
//! - `fzc_plugin_abi_version() -> u32` is looked up and checked before anything else
//!   ([`FZC_PLUGIN_ABI_VERSION`]);
//! - `fzc_plugin_entry() -> *const FzcPluginTable` returns a `#[repr(C)]` function table that
//!   starts with its own `struct_size`, so fields can be appended without breaking old hosts
//!   or plugins;
//! - inputs are `#[repr(C)]` structs of `f64` arrays with lengths and UTF-8 region ids as
//!   pointer + length; outputs are allocated by the host and the plugin reports how much it
//!   wrote, so the host checks every length and every value;
//! - every function returns a status code and writes a message into a host buffer.
//!
//! Key design decision: a panic must never cross the boundary (each `cdylib` carries its own
//! std, and an escaping panic aborts the host), so every exported function runs the author's
//! code inside `catch_unwind` and reports [`abi::STATUS_PANIC`] with the panic message.
//! [`marshal`] converts between `fzc-core` values and the ABI structs on both sides.
//!
//! ```
//! use fzc_core::{PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan};
//! use fzc_plugin_api::{ParamSpec, Params, Plugin, abi};
//!
//! /// Charges nobody anything: a template, not a method.
//! struct Free {
//!     note: String,
//! }
//!
//! impl Plugin for Free {
//!     const NAME: &'static str = "free";
//!     const DESCRIPTION: &'static str = "Every region pays 0 yuan.";
//!     const PARAMETERS: &'static [ParamSpec] = &[ParamSpec {
//!         name: "note",
//!         default: Some("none"),
//!         description: "free text, copied into reports",
//!     }];
//!     fn from_params(params: &Params) -> Result<Self, String> {
//!         Ok(Free { note: params.text("note")?.to_owned() })
//!     }
//! }
//!
//! impl PricingScheme for Free {
//!     fn name(&self) -> &str {
//!         Self::NAME
//!     }
//!     fn parameters(&self) -> Vec<(String, String)> {
//!         vec![("note".into(), self.note.clone())]
//!     }
//!     fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
//!         Ok(PricingOutput {
//!             flow_prices: None,
//!             region_amounts: vec![Yuan(0.0); input.regions.len()],
//!         })
//!     }
//! }
//!
//! // In a plugin crate this line is all the export code there is.
//! fzc_plugin_api::export_pricing_scheme!(Free);
//!
//! assert_eq!(fzc_plugin_abi_version(), abi::FZC_PLUGIN_ABI_VERSION);
//! let table = unsafe { &*fzc_plugin_entry() };
//! assert_eq!(table.kind, abi::KIND_PRICING_SCHEME);
//! assert_eq!(unsafe { table.name.to_str() }?, "free");
//! assert_eq!(table.params_len, 1);
//! # Ok::<(), String>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

pub mod abi;
pub mod export;
pub mod marshal;
mod params;

pub use abi::FZC_PLUGIN_ABI_VERSION;
pub use export::Plugin;
/// The vocabulary the plugin traits speak (ids, units, the traits themselves), re-exported
/// so that a plugin crate needs only `fzc-plugin-api` and cannot skew its `fzc-core` version.
pub use fzc_core;
pub use params::{ParamSpec, Params};
