//! Fuzz target `oecd_icio`: see `fzc_tests::harness::oecd_icio`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::oecd_icio(data));
