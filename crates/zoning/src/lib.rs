//! Compensation zoning: who is a payer and who a recipient, by tonnes (METHOD section 3).
//!
//! Inputs, per region: the net embodied carbon transfer `NF` (t CO2, from the ECT layer;
//! `> 0` = net beneficiary of embodied carbon) and the CSSF transfers between regions (t, from
//! the CSSF layer, [`CssTransfer`]: the output region provides, the input region receives).
//! Outputs, per region ([`RegionZoning`]): `V_net = Σ received − Σ provided`, the benchmark
//! `L = NF + V_net`, the class ([`ZoneClass`]) and the zone ([`Zone`]).
//!
//! The key design decision: the paper's Table 2 gives four magnitude formulas
//! (`NF + V`, `−(|NF| + |V|)`, `|NF| − |V|`, `|V| − |NF|`). In signed form they are one rule,
//! `L = NF + V_net` ([`benchmark`]), written once. The class is only a label derived from the
//! two signs; the zone is the sign of `L` (payer if `L > 0`, recipient if `L < 0`, none if 0).
//! The rows Table 2 lacks follow from the same rule: `ect_only` (CSS-neutral, `V_net = 0`),
//! `css_only` (ECT-neutral, `NF = 0`) and `neutral`. "Zero" means exactly 0.
//!
//! Class names are stable snake_case strings: `double_high`, `double_low`,
//! `source_deficit_sink_surplus`, `source_surplus_sink_deficit`, `ect_only`, `css_only`,
//! `neutral` ([`ZoneClass::as_str`], `FromStr`, serde). Zones: `payer`, `recipient`, `none`.
//!
//! The [`errata`] module holds the paper's Table 4 as printed and tests, one per erratum,
//! that the classification derived from the published inputs differs from it where METHOD
//! says it does.
//!
//! API in one screen:
//! - [`Zoning::from_layers`]`(&[(RegionId, TonnesCo2)], &[CssTransfer])` → [`Zoning`]
//!   (the NF list defines the region set; transfers naming other regions are an error);
//! - [`Zoning::new`]`(&[RegionPosition])` when `V_net` is already known;
//! - [`Zoning::regions`] (sorted by id) and [`Zoning::get`];
//! - [`benchmark`], [`v_net`], [`ZoneClass::from_signs`], [`Zone::of_benchmark`].
//!
//! ```
//! use fzc_core::{RegionId, TonnesCo2};
//! use fzc_zoning::{CssTransfer, Zone, ZoneClass, Zoning};
//!
//! let id = |s: &str| s.parse::<RegionId>();
//! // Langfang: NF = +22.2755 Mt, and it provides 15.743 Mt of CSS to Tianjin (Table 3).
//! let nf = [
//!     (id("langfang")?, TonnesCo2(22.2755e6)),
//!     (id("tianjin")?, TonnesCo2(-2.0e6)),
//! ];
//! let transfers = [CssTransfer {
//!     output: id("langfang")?,
//!     input: id("tianjin")?,
//!     tonnes: TonnesCo2(15.743e6),
//! }];
//! let zoning = Zoning::from_layers(&nf, &transfers)?;
//! let langfang = zoning.get(&id("langfang")?).expect("zoned");
//! assert_eq!(langfang.class, ZoneClass::SourceDeficitSinkSurplus);
//! assert_eq!(langfang.zone, Zone::Payer); // L = +6.53 Mt
//! let tianjin = zoning.get(&id("tianjin")?).expect("zoned");
//! assert_eq!(tianjin.class.as_str(), "source_surplus_sink_deficit");
//! assert_eq!(tianjin.zone, Zone::Payer); // L = −2.0 + 15.743 Mt
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod class;
pub mod errata;
mod error;
mod transfers;
mod zoning;

pub use class::{Sign, Zone, ZoneClass};
pub use error::ZoningError;
pub use transfers::{CssTransfer, v_net};
pub use zoning::{RegionPosition, RegionZoning, Zoning, benchmark};
