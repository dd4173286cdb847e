//! Fuzz target `mat_v73`: see `fzc_tests::harness::mat_v73`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::mat_v73(data));
