//! Test-only: a library that claims ABI version 999. The host must refuse it before looking
//! up anything else.

/// Reports an ABI version no host speaks.
#[unsafe(no_mangle)]
pub extern "C" fn fzc_plugin_abi_version() -> u32 {
    999
}

/// Would be the entry point; the host must never call it.
#[unsafe(no_mangle)]
pub extern "C" fn fzc_plugin_entry() -> *const u8 {
    panic!("the host called the entry of a plugin with the wrong ABI version")
}
