//! Shared pieces of the fzc benchmarks: deterministic synthetic inputs and the measurements
//! every benchmark takes (peak memory, load average).

pub mod measure;
pub mod synthetic_mrio;
pub mod synthetic_regions;
