//! Fuzz target `pymrio_folder`: see `fzc_tests::harness::pymrio_folder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fzc_tests::harness::pymrio_folder(data));
