//! Embodied carbon transfer (ECT) from a multi-regional input-output (MRIO) table.
//!
//! (Crate essay and doctest: to be written with the engine, see issue 2.)

mod error;
mod table;

pub use error::MrioError;
pub use table::{MrioTable, Satellite};
