//! The breakpoint and field-strength flow model (Eq 14–16) and its parts.

mod core_point;
mod intensity;
mod model;
mod range;
mod transfer;

pub use core_point::Core;
pub use intensity::{Intensity, flow_intensity_t_per_km2};
pub use model::{BreakpointModel, CssfRegion, CssfRun};
pub use range::{Mass, breakpoint_range_km};
pub use transfer::{ImpactFactor, transfer_t};
