//! Shared pieces of the fzc benchmarks: deterministic synthetic inputs.
