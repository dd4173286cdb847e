//! Fuzz target `geojson_regions`: see `fzc_tests::harness::geojson_regions`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::geojson_regions(data));
