//! An instance created by a plugin, destroyed by the same plugin when dropped.

use std::ffi::c_void;

use crate::LoadedPlugin;

/// Owns one instance pointer returned by a plugin's `create`.
#[derive(Debug)]
pub(crate) struct Instance {
    pub(crate) plugin: LoadedPlugin,
    pub(crate) ptr: *mut c_void,
    pub(crate) parameters: Vec<(String, String)>,
}

// SAFETY: the instance is a `T: Send + Sync` on the plugin side (the `Plugin` trait requires
// it) and the host only passes it as `*const` to the plugin's functions.
unsafe impl Send for Instance {}
// SAFETY: as above.
unsafe impl Sync for Instance {}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from this plugin's `create` and is destroyed once; `destroy`
        // catches its own panics.
        unsafe { (self.plugin.table.destroy)(self.ptr) };
    }
}
