//! Fuzz target `scenario_toml`: see `fzc_tests::harness::scenario_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::scenario_toml(data));
