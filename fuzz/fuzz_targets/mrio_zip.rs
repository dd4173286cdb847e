//! Fuzz target `mrio_zip`: see `fzc_tests::harness::mrio_zip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::mrio_zip(data));
