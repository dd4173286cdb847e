//! Fuzz target `eora26`: see `fzc_tests::harness::eora26`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::eora26(data));
