//! Fuzz target `gloria`: see `fzc_tests::harness::gloria`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::gloria(data));
