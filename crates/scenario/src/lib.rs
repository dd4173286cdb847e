//! Scenarios: one TOML file that names the regions, the layer results, the price and the
//! standards, and the runner that turns it into zoning, a ledger and a summary.
//!
//! A scenario ([`Scenario`], read by [`load`] from a [`ScenarioSource`]) gives each layer
//! either as results tables (ECT: region net transfers `NF` plus optional bilateral nets;
//! CSSF: a transfers table like the paper's Table 3) or from raw inputs: the ECT layer from
//! an MRIO table (`[ect] mrio`, read by `fzc-io` and computed by `fzc-ect-mrio`, giving `NF`
//! and the complete bilateral net matrix), the CSSF layer from region polygons and a
//! supply/demand table (`[cssf] regions` + `balance`, through `fzc-cssf-flow`'s breakpoint
//! model), or from region polygons and rasters (`[cssf.rasters]`: supply Eq 11 and demand
//! Eq 12 per region by the streamed raster pipeline of [`rasters`], shared with
//! `fzc cssf supply|demand|run`, then the same flow model; [`load_with_options`] takes the
//! plugin loaders and a `Progress` sink). Either way the runner sees the same validated structs. Paths are relative to the
//! scenario file; every value carries a [`Provenance`] (`computed` for raw-input results).
//! Units are stated in the tables (or by the MRIO's satellite) and converted to t CO2 on
//! reading; a raw input whose regions are not the scenario's is an error listing both sides.
//!
//! [`run`] assembles the inputs and calls the layer crates: `fzc-zoning` for the zones and
//! `fzc-pricing` for standards (given or Eq 18), flows and the ledger. The one step owned
//! here is filling in bilateral ECT nets that the data do not give ([`allocate`], by a
//! [`BilateralRule`] that is a scenario value). [`write_outputs`] writes `zoning.csv`,
//! `ledger.csv` and `summary.json` atomically; [`terminal_table`] is the printed view;
//! [`compare`] runs one scenario under several pricing schemes.
//!
//! The key design decision: the runner holds no method logic. It validates at the edge
//! (unknown keys, regions, duplicates, units and provenance classes are errors naming file
//! and line) and passes plain validated structs on.
//!
//! ```
//! use fzc_scenario::{embedded, load, run};
//!
//! // The paper's case, compiled in.
//! let scenario = load(&embedded::bth_2020())?;
//! let outcome = run(&scenario)?;
//! let tangshan = "tangshan".parse()?;
//! let account = outcome.ledger.account(&tangshan).expect("zoned");
//! // Tangshan pays Chengde 1.678 billion yuan for CSS (section 4.3.2) ...
//! let to_chengde = outcome.ledger.entries().iter()
//!     .find(|e| e.payer == tangshan && e.payee.as_str() == "chengde" && e.layer.as_str() == "cssf")
//!     .expect("flow");
//! assert!((to_chengde.amount.0 / 1e9 - 1.678).abs() < 0.0005);
//! // ... and receives more for the embodied carbon it bears: a net recipient.
//! assert!(account.net.0 < 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bilateral;
mod compare;
pub mod embedded;
mod error;
mod load;
mod model;
mod output;
pub mod rasters;
mod raw;
mod run;
mod series;
mod tables;

pub use bilateral::{AllocationError, BilateralRule, NetMatrix, allocate};
pub use compare::{Comparison, compare, compare_with, parse_schemes};
pub use error::ScenarioError;
pub use load::{
    DemandEstimatorLoader, FlowModelLoader, LoadOptions, ScenarioSource, load, load_with,
    load_with_options,
};
pub use model::{
    CssdrPreview, CssfPoolsModel, CssfTransfer, EconomyEntry, EctResults, GivenNet, MrioLayerModel,
    PluginSpec, PricingOptions, Provenance, RasterCssf, RegionRasterCssf, Scenario, StandardEntry,
};
pub use output::{
    LEDGER_HEADER, ZONING_HEADER, check_finite, fixed, ledger_csv, summary_json, terminal_table,
    write_outputs, write_outputs_with_progress, zoning_csv, zoning_series_csv,
};
pub use run::{Outcome, run, run_with_pricing, run_with_scheme};
pub use series::parse_years;
