//! Embodied carbon transfer (ECT) from a multi-regional input-output (MRIO) table.
//!
//! This crate is fzc's flow layer, part A (METHOD section 1): given an MRIO table (`Z`, `Y`,
//! optionally `x`, in one monetary unit) and one stressor (direct emissions per sector `F`
//! and of final users `F_Y`, in a [`MassUnit`](fzc_core::MassUnit)), it says how much of
//! the emissions released in region `r` were caused by the final demand of region `s`:
//! the bilateral matrix `T[r, s]`, its split into intermediate and final parts, and the
//! regional inflow `IF`, outflow `OF` and net transfer `NF = OF − IF` (Eq 8–10). It does no
//! file IO; `fzc-io` reads tables into [`MrioTable`].
//!
//! Principal types and functions:
//! - [`compute_ect`] → [`EctAccounts`]: the whole computation, with [`EctOptions`]
//!   choosing the [`EctMethod`] (final-demand attribution, the default, or EEBT).
//! - [`LeontiefModel`]: `I − A` factored once (LU with partial pivoting), solving for any
//!   right-hand side; [`total_output`] checks the balance `x = Z·1 + Y·1`.
//! - [`CarbonCoefficients`]: Eq 1, energy use in tce → t CO2, with a documented IPCC 2006
//!   default table.
//! - [`aggregate_sectors`] with a [`Concordance`]; [`update_constant_coefficients`] and
//!   [`ras_balance`] to bring a table to another year.
//! - [`compute_ect_with_progress`], [`LeontiefModel::factor_with_progress`] and
//!   [`LeontiefModel::solve_checked_with_progress`]: the same, reporting the long steps (LU
//!   columns per 256-column panel, solved columns, `T` assembly) to a
//!   [`fzc_core::Progress`]; the plain functions pass [`fzc_core::NoProgress`]. The result
//!   never depends on the sink.
//!
//! The key design decision: the Leontief inverse `L = (I − A)⁻¹` is never formed.
//! [`compute_ect`] consumes the table; the buffer of `Z` becomes `A`, then `I − A`, then
//! its packed LU factors, all in place. The m final-demand columns are solved in one batch,
//! `(I − A)·X = Y`, and `T[r, s] = Σ_{i∈r} c_i X[i, s]`. Peak memory is one n × n matrix plus
//! O(n·m), which keeps the CEADs city table (n = 13,146) under 2 GiB where forming `L` needs
//! three such matrices; LU is also about three times cheaper in flops than an inverse.
//!
//! A downstream crate uses it like this (2 regions × 2 sectors):
//!
//! ```
//! use faer::Mat;
//! use fzc_core::{MassUnit, RegionId, SectorId};
//! use fzc_ect_mrio::{EctOptions, MrioTable, Satellite, compute_ect};
//!
//! let regions = vec![RegionId::new("beijing")?, RegionId::new("tangshan")?];
//! let sectors = vec![SectorId::new("energy")?, SectorId::new("services")?];
//! // Z[i, j]: sales of sector i to sector j (region-major: beijing/energy, beijing/services,
//! // tangshan/energy, tangshan/services).
//! let z = Mat::from_fn(4, 4, |i, j| {
//!     [[5.0, 2.0, 1.0, 0.5],
//!      [1.0, 8.0, 0.5, 1.0],
//!      [6.0, 1.0, 10.0, 2.0],
//!      [0.5, 0.5, 1.0, 4.0]][i][j]
//! });
//! // Y[i, s]: final demand of region s for the output of sector i.
//! let y = Mat::from_fn(4, 2, |i, s| [[10.0, 1.0], [30.0, 2.0], [8.0, 12.0], [1.0, 15.0]][i][s]);
//! let table = MrioTable { regions, sectors, z, y, x: None, monetary_unit: "M.CNY".into() };
//! let co2 = Satellite {
//!     name: "CO2".into(),
//!     unit: MassUnit::Tonne,
//!     by_sector: vec![20.0, 5.0, 90.0, 10.0],
//!     final_users: vec![3.0, 2.0],
//! };
//! let accounts = compute_ect(table, &co2, &EctOptions::default())?;
//!
//! // Every tonne released in a region is attributed to some region's final demand.
//! let production = accounts.production();
//! assert!((production[0] - 25.0).abs() < 1e-9 && (production[1] - 100.0).abs() < 1e-9);
//! // Tangshan emits for Beijing's demand more than the reverse: Beijing is a net beneficiary.
//! let net = accounts.net();
//! assert!(net[0] > 0.0 && net[1] < 0.0 && (net[0] + net[1]).abs() < 1e-9);
//! // T = intermediate + final, pair by pair.
//! let (t, ti, tf) = (&accounts.total, &accounts.intermediate, &accounts.final_part);
//! assert!((t.get(1, 0) - ti.get(1, 0) - tf.get(1, 0)).abs() < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod accounts;
mod aggregate;
mod ect;
mod eebt;
mod energy;
mod error;
mod factored;
mod intensity;
mod lu;
mod many_to_one;
mod model;
mod region_map;
mod region_matrix;
mod table;
mod update;

/// The faer version this crate's [`MrioTable`] is built on (`z`, `y` are `faer::Mat`); build
/// tables with `fzc_ect_mrio::faer::Mat` to avoid a second faer version.
pub use faer;
/// `fzc-core`, whole, for what the re-exports below leave out.
pub use fzc_core;
pub use fzc_core::{BilateralNet, MassUnit, RegionId, SectorId, TonnesCo2};

pub use accounts::EctAccounts;
pub use aggregate::{Concordance, aggregate_sectors};
pub use ect::{
    ASSEMBLY_TASK, EEBT_TASK, EctMethod, EctOptions, compute_ect, compute_ect_many,
    compute_ect_many_with_progress, compute_ect_with_progress,
};
pub use energy::{CO2_PER_C, CarbonCoefficients, EnergyUse, GJ_PER_TCE};
pub use error::MrioError;
pub use factored::FactoredEct;
pub use intensity::{Intensities, intensities};
pub use model::{LeontiefModel, TotalOutput, total_output};
pub use region_map::{RegionMap, aggregate_regions};
pub use region_matrix::RegionMatrix;
pub use table::{MrioTable, Satellite};
pub use update::{RasOptions, RasResult, ras_balance, update_constant_coefficients};
