//! Compensation: how many yuan each region pays or receives (METHOD section 4).
//!
//! Inputs: the zoning ([`fzc_zoning::Zoning`]: each region's `NF`, `V_net`, benchmark `L`),
//! the carbon price `P` (yuan/t), each region's standard (yuan/t; given directly, or Eq 18 from
//! population, GDP and Engel coefficient), and the pairwise flows of tonnes owed
//! ([`Flow`]: from the bilateral net ECT matrix with [`ect_flows`], from CSSF transfers with
//! [`cssf_flows`]). Output: a [`Ledger`] of priced flows per layer (`ect`, `cssf`,
//! `combined`) and one [`RegionAccount`] per region (paid, received, net, Eq 17, flag).
//!
//! - **Eq 18** ([`Standards::compute`], [`gamma`]): `γ_i = A_i / (1 + a·e^(−b·t_i))`, `A_i` =
//!   per-capita GDP of `i` / per-capita GDP of the study area ([`AreaMean`]: population-weighted,
//!   the default, or unweighted), `t_i` the Engel coefficient ([`EngelUnit`]: fraction, default,
//!   or percent), `a = b = 1` by default ([`Eq18Params`]). Standard = `P · γ_i`. A given
//!   standard overrides Eq 18 for its region.
//! - **Eq 17** ([`tc_eq17`]): `TC_i = L_i · P · γ_i`, reported for every region.
//! - **The ledger** ([`Ledger::build`]): a [`fzc_core::PricingScheme`] prices each flow. The
//!   built-ins ([`BuiltinScheme`], [`scheme_by_name`]) are `payer` (alias `paper`: each flow at
//!   the paying region's standard, which is how the paper's amounts are computed), `payee`,
//!   `uniform` (price `P`), and `eq17` (no pairs; region amounts by Eq 17). The `combined`
//!   layer adds the two layers and nets each unordered pair; the net goes from the net payer
//!   to the net payee.
//!
//! Sign convention: a region's `net = paid − received`; `> 0` is a net payer, like `L > 0`.
//! The account's `flag` is set when the money's sign (`ledger_zone`) disagrees with the tonne
//! zone, as for Langfang in the paper (its CSS is priced at Tianjin's higher standard).
//!
//! Key design decision: schemes are values behind one trait (defined in `fzc-core` so plugins
//! can implement it on plain data); netting, totals and flags are done once, here, for all.
//!
//! ```
//! use fzc_core::{RegionId, TonnesCo2, YuanPerTonne};
//! use fzc_pricing::{Ledger, Standards, cssf_flows, scheme_by_name};
//! use fzc_zoning::{CssTransfer, Zoning};
//!
//! let id = |s: &str| s.parse::<RegionId>();
//! // Table 3: Chengde provides 36.6978 Mt of CSS to Tangshan.
//! let transfers = [CssTransfer {
//!     output: id("chengde")?,
//!     input: id("tangshan")?,
//!     tonnes: TonnesCo2(36.6978e6),
//! }];
//! let zoning = Zoning::from_layers(
//!     &[(id("chengde")?, TonnesCo2(0.0)), (id("tangshan")?, TonnesCo2(0.0))],
//!     &transfers,
//! )?;
//! let standards = Standards::given(
//!     YuanPerTonne(46.66),
//!     &[(id("chengde")?, YuanPerTonne(15.0)), (id("tangshan")?, YuanPerTonne(45.73))],
//! )?;
//! let scheme = scheme_by_name("paper")?;
//! let ledger = Ledger::build(scheme.as_ref(), &zoning, &standards, &cssf_flows(&transfers)?)?;
//! let tangshan = ledger.account(&id("tangshan")?).expect("zoned");
//! // Tangshan pays Chengde at its own standard: 1.678 billion yuan, as in section 4.3.2.
//! assert!((tangshan.net.0 / 1e9 - 1.678).abs() < 0.0005);
//! assert!(!tangshan.flag);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod error;
mod flows;
mod ledger;
mod schemes;
mod standards;

pub use error::PricingError;
pub use flows::{Flow, cssf_flows, ect_flows};

// What the public functions take and return, so that a user depends on this crate alone for
// the compensation layer: the zoning (`Ledger::build` takes a `Zoning`, `cssf_flows` takes
// `CssTransfer`s) and the shared vocabulary (ids, units, bilateral nets, the scheme trait).
pub use fzc_core::{
    BilateralNet, Layer, MassUnit, PricingScheme, RegionId, TonnesCo2, Yuan, YuanPerTonne,
};
pub use fzc_zoning::{
    CssTransfer, RegionPosition, RegionZoning, Zone, ZoneClass, Zoning, ZoningError,
};
pub use ledger::{LayerTotal, Ledger, LedgerEntry, RegionAccount, tc_eq17};
pub use schemes::{BuiltinScheme, SCHEME_NAMES, scheme_by_name};
pub use standards::{
    AreaMean, EngelUnit, Eq18Params, RegionEconomy, RegionStandard, StandardSource, Standards,
    StandardsInput, check_price, gamma,
};
/// The crates this one builds on, whole, for what the re-exports above leave out.
pub use {fzc_core, fzc_zoning};
