//! Fuzz target `shapefile_regions`: see `fzc_tests::harness::shapefile_regions`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::shapefile_regions(data));
