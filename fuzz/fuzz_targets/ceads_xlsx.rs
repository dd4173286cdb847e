//! Fuzz target `ceads_xlsx`: see `fzc_tests::harness::ceads_xlsx`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::ceads_xlsx(data));
