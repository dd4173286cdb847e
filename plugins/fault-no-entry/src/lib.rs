//! Test-only: a library with the right ABI version symbol but no `fzc_plugin_entry`.

/// Reports the current ABI version (1).
#[unsafe(no_mangle)]
pub extern "C" fn fzc_plugin_abi_version() -> u32 {
    1
}
