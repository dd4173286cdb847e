//! Fuzz target `mat_v5`: see `fzc_tests::harness::mat_v5`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::mat_v5(data));
