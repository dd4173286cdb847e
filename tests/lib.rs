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

/// Asserts that fzc's `ours` agrees with `theirs`, a reference tool's value for `what` at
/// `at`: to 1e-9 relative, or 1e-12 absolute near zero. The message names both values.
///
/// # Panics
/// When they differ by more.
pub fn assert_close(tool: &str, what: &str, at: &str, ours: f64, theirs: f64) {
    let diff = (ours - theirs).abs();
    assert!(
        diff <= 1e-9 * ours.abs().max(theirs.abs()) || diff <= 1e-12,
        "{what} of {at}: fzc {ours}, {tool} {theirs}, difference {diff:e}"
    );
}
