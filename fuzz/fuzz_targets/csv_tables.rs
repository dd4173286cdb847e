//! Fuzz target `csv_tables`: see `fzc_tests::harness::csv_tables`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::csv_tables(data));
