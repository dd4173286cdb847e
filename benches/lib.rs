//! Shared pieces of the fzc benchmarks: deterministic synthetic inputs.

pub mod synthetic_mrio;
pub mod synthetic_regions;
