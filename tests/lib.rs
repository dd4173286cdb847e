//! End-to-end tests of fzc live in `tests/tests/`; this library only locates the workspace.

use std::path::PathBuf;

/// The workspace root, for tests that read `examples/` or run the `fzc` binary.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}
