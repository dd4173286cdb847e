//! Monte Carlo uncertainty analysis of fzc scenarios: how sure is each region's zone and
//! amount when the inputs are uncertain?
//!
//! An analysis is a scenario plus `[[uncertainty]]` stanzas ([`UncertaintySpec`], format
//! `docs/formats/uncertainty.md`), each giving one input (or, with a `*`, a family of
//! inputs) a [`Distribution`]. [`Plan::new`] resolves the stanzas against the scenario
//! (unknown names are errors that list the valid ones); [`run_mc`] runs the draws and writes
//! `draws.csv`, `params.csv`, `summary.csv` and `mc.json`; [`merge`] joins the folders of
//! shards into the files one process would have written.
//!
//! The key design decision: every draw goes through the quantile function of its
//! distribution from uniform numbers that depend only on `(seed, draw)` ([`uniforms`]:
//! ChaCha20 keyed by the seed, one stream per draw). So a draw is the same whatever the
//! thread count or shard, a `group` of stanzas (one shared uniform) is perfectly
//! rank-correlated, and a zero-width distribution reproduces `fzc run` exactly. Each draw is
//! a plain [`fzc_scenario::run_with_pricing`] on a modified copy of the scenario: the
//! analysis holds no zoning or pricing logic.
//!
//! ```
//! use fzc_scenario::{embedded, load};
//! use fzc_uncertainty::{Plan, UncertaintySpec, uniforms};
//!
//! let scenario = load(&embedded::bth_2020())?;
//! let spec = UncertaintySpec::from_toml_str(
//!     "[[uncertainty]]\nparam = \"price\"\ndist = \"uniform\"\nlow = 20\nhigh = 100\n",
//!     "example",
//! )?;
//! let plan = Plan::new(&scenario, &spec)?;
//! let values = plan.values(0, &uniforms(42, 0, plan.slots()))?;
//! assert!((20.0..=100.0).contains(&values[0]));
//! let drawn = plan.apply(&scenario, &values)?;
//! assert_eq!(drawn.price.0, values[0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dist;
mod error;
mod mc;
mod morris;
mod params;
mod sample;
mod sensitivity;
mod sobol;
mod spec;

pub use dist::Distribution;
pub use error::UncertaintyError;
pub use mc::{
    DRAWS_HEADER, McManifest, McOptions, PARAMS_HEADER, SUMMARY_HEADER, Stats, merge, run_mc,
};
pub use morris::{
    MorrisIndex, morris_delta, morris_indices, morris_probability, morris_sample, morris_trajectory,
};
pub use params::{Parameter, Plan, valid_names};
pub use sample::{Shard, uniforms};
pub use sensitivity::{
    MORRIS_HEADER, Method, RESAMPLES, SOBOL_HEADER, SensitivityManifest, SensitivityOptions,
    SobolOptions, merge_sensitivity, run_sensitivity, run_sobol,
};
pub use sobol::{MAX_INPUTS, SobolIndex, bootstrap_resamples, saltelli_sample, sobol_indices};
pub use spec::{Correlation, Scale, Stanza, UncertaintySpec, stanzas_for};
