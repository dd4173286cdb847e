//! Fuzz target `mrio_csv`: see `fzc_tests::harness::mrio_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::mrio_csv(data));
