//! Fuzz target `ceads_mat`: see `fzc_tests::harness::ceads_mat`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::ceads_mat(data));
