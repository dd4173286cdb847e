//! `fzc plugins`: errors a user sees without any plugin built (the plugin libraries
//! themselves are exercised in `crates/plugin-host/tests/plugins.rs`).

use std::process::Command;

fn fzc(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .output()
        .expect("the fzc binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn info_on_a_file_that_is_not_a_library_names_the_file() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let (ok, _, err) = fzc(&["plugins", "info", manifest]);
    assert!(!ok);
    assert!(
        err.contains("not a loadable plugin library") && err.contains("Cargo.toml"),
        "{err}"
    );
}

#[test]
fn list_of_an_empty_directory_says_so_and_check_needs_name_value_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = fzc(&["plugins", "list", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.is_empty() && err.contains("no fzc plugins found"),
        "{out}{err}"
    );
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let (ok, _, err) = fzc(&["plugins", "check", manifest]);
    assert!(!ok && err.contains("Cargo.toml"), "{err}");
}
