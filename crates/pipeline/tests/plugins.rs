//! Plugin resolution of the pipeline: in-process objects by name, then `[[plugin]]` libraries.

#![allow(clippy::unwrap_used)] // test helpers unwrap on fixture data

use std::path::{Path, PathBuf};

use fzc_core::NoProgress;
use fzc_pipeline::{Plugins, compare, load, run};
use fzc_pricing::BuiltinScheme;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020")
}

/// The example case in `dir`, pricing with `scheme = "plugin:mine"` from a `[[plugin]]` whose
/// library does not exist.
fn plugin_scenario(dir: &Path) -> PathBuf {
    for entry in std::fs::read_dir(example()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let toml = toml.replace("scheme = \"paper\"", "scheme = \"plugin:mine\"")
        + "\n[[plugin]]\nname = \"mine\"\npath = \"no-such-library.so\"\n";
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn nets(outcome: &fzc_scenario::Outcome) -> Vec<f64> {
    outcome.ledger.accounts().iter().map(|a| a.net.0).collect()
}

#[test]
fn an_in_process_scheme_is_compared_by_name() {
    let mut plugins = Plugins::new();
    plugins.add_pricing_scheme("mine", Box::new(BuiltinScheme::Uniform));
    let loaded = load(None, &plugins, &NoProgress).unwrap();
    let c = compare(&loaded, &plugins, &["uniform", "plugin:mine", "paper"]).unwrap();
    assert_eq!(nets(&c.outcomes[0]), nets(&c.outcomes[1]));
    assert_ne!(nets(&c.outcomes[1]), nets(&c.outcomes[2]));
}

#[test]
fn an_in_process_scheme_wins_over_the_scenarios_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = plugin_scenario(dir.path());
    let mut plugins = Plugins::new().without_libraries();
    plugins.add_pricing_scheme("mine", Box::new(BuiltinScheme::PayeeStandard));
    let loaded = load(Some(&path), &plugins, &NoProgress).unwrap();
    let outcome = run(&loaded, &plugins, None).unwrap();
    let payee = run(&loaded, &plugins, Some(&BuiltinScheme::PayeeStandard)).unwrap();
    let payer = run(&loaded, &plugins, Some(&BuiltinScheme::PayerStandard)).unwrap();
    assert_eq!(nets(&outcome), nets(&payee));
    assert_ne!(nets(&outcome), nets(&payer));
}

#[test]
fn without_the_object_the_library_is_loaded_and_its_failure_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = plugin_scenario(dir.path());
    let plugins = Plugins::new();
    let loaded = load(Some(&path), &plugins, &NoProgress).unwrap();
    let err = format!("{:#}", run(&loaded, &plugins, None).unwrap_err());
    assert!(
        err.contains("[[plugin]] \"mine\"") && err.contains("no-such-library.so"),
        "{err}"
    );
    let off = Plugins::new().without_libraries();
    let err = format!("{:#}", run(&loaded, &off, None).unwrap_err());
    assert!(
        err.contains("\"mine\"") && err.contains("turned off"),
        "{err}"
    );
}

#[test]
fn an_unknown_plugin_name_lists_those_available() {
    let mut plugins = Plugins::new();
    plugins.add_pricing_scheme("mine", Box::new(BuiltinScheme::Uniform));
    let loaded = load(None, &plugins, &NoProgress).unwrap();
    let err = format!(
        "{:#}",
        compare(&loaded, &plugins, &["paper", "plugin:other"]).unwrap_err()
    );
    assert!(
        err.contains("plugin:other") && err.contains("[mine]"),
        "{err}"
    );
}

#[test]
fn a_one_shot_flow_model_is_used_once() {
    let mut plugins = Plugins::new();
    plugins.add_flow_model("m", Box::new(fzc_cssf_flow::BreakpointModel::default()));
    let spec = fzc_scenario::PluginSpec {
        name: "m".into(),
        path: "unused.so".into(),
        params: Default::default(),
    };
    assert!(plugins.flow_model(&spec).is_ok());
    let err = format!("{:#}", plugins.flow_model(&spec).err().unwrap());
    assert!(err.contains("already used"), "{err}");
}
