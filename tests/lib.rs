//! End-to-end tests of fzc live in `tests/tests/`; this library locates the workspace and
//! holds the fuzz harnesses ([`harness`]) shared by `fuzz/` and the corpus replay test.

use std::path::PathBuf;

pub mod harness;

/// The workspace root, for tests that read `examples/` or run the `fzc` binary.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}
