//! Fuzz target `geotiff`: see `fzc_tests::harness::geotiff`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::geotiff(data));
