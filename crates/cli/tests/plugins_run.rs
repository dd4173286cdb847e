//! Plugins through the runners (issue 5, item 2): `fzc compare --pricing
//! paper,plugin:<name> --plugin PATH`, `fzc run --plugin`, a scenario's `[[plugin]]` stanza,
//! and `fzc cssf flows --plugin` with a flow model.
//!
//! The example plugins are built by a nested `cargo build` into the same separate target
//! directory as `crates/plugin-host/tests/plugins.rs` (`…/plugin-tests`), once per test
//! binary, so cargo reuses the libraries between the two.

#![allow(clippy::unwrap_used)] // tests unwrap their own fixtures

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const PLUGINS: [&str; 4] = [
    "pricing-gdp-cap",
    "flow-gravity",
    "demand-nightlight",
    "fault-pricing",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the plugins once (nested cargo, own target dir); returns the library directory.
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => workspace().join(dir),
            None => workspace().join("target"),
        }
        .join("plugin-tests");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(workspace())
            .args(["build", "--quiet", "--target-dir"])
            .arg(&target);
        for plugin in PLUGINS {
            command.args(["-p", &format!("fzc-plugin-{plugin}")]);
        }
        let status = command.status().expect("cargo runs");
        assert!(status.success(), "building the plugins failed: {status}");
        target.join("debug")
    })
}

fn library(plugin: &str) -> String {
    let stem = format!("fzc_plugin_{}", plugin.replace('-', "_"));
    plugin_dir()
        .join(format!(
            "{}{stem}{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ))
        .to_str()
        .unwrap()
        .to_owned()
}

fn fzc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `compare.csv` as (header, rows of cells).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.iter().map(|r| r[i].parse().unwrap()).collect()
}

#[test]
fn compare_has_the_plugin_column_and_its_ledger_balances() {
    let dir = tempfile::tempdir().unwrap();
    let gdp_cap = library("pricing-gdp-cap");
    let out = fzc(&[
        "--quiet",
        "compare",
        "--pricing",
        "paper,plugin:gdp-cap",
        "--plugin",
        &gdp_cap,
        "--param",
        "share=0.0005",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("plugin:gdp-cap"), "{table}");

    let (header, rows) = read_csv(&dir.path().join("compare.csv"));
    assert_eq!(rows.len(), 13, "one row per BTH region");
    let paper = column(&header, &rows, "paper_amount");
    let capped = column(&header, &rows, "plugin:gdp-cap_amount");
    let diff = column(&header, &rows, "plugin:gdp-cap_diff");
    // Amounts are printed to the fen; each region rounds by at most 0.005 yuan.
    for (name, amounts) in [("paper", &paper), ("gdp-cap", &capped)] {
        let sum: f64 = amounts.iter().sum();
        assert!(sum.abs() <= 0.01 * 13.0, "{name}: ledger off by {sum} yuan");
    }
    for i in 0..rows.len() {
        assert!((capped[i] - paper[i] - diff[i]).abs() <= 0.011, "row {i}");
    }
    // A cap of 0.05 % of GDP binds in the paper's case: payers pay no more, some less.
    let paid = |v: &[f64]| v.iter().filter(|a| **a > 0.0).sum::<f64>();
    assert!(
        paid(&capped) < paid(&paper),
        "{} vs {}",
        paid(&capped),
        paid(&paper)
    );
}

#[test]
fn run_prices_with_the_plugin_from_the_flag_or_the_scenario_stanza() {
    let dir = tempfile::tempdir().unwrap();
    let gdp_cap = library("pricing-gdp-cap");
    let flag = dir.path().join("flag");
    let out = fzc(&[
        "--quiet",
        "run",
        "--plugin",
        &gdp_cap,
        "--param",
        "share=0.0005",
        "--out",
        flag.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flag_ledger = std::fs::read_to_string(flag.join("ledger.csv")).unwrap();

    // The same run from a scenario file: the embedded case's TOML with a [[plugin]] stanza.
    let example = workspace().join("examples/bth-2020");
    let mut toml = std::fs::read_to_string(example.join("scenario.toml"))
        .unwrap()
        .replace("scheme = \"paper\"", "scheme = \"plugin:capped\"");
    for file in [
        "standards.csv",
        "economy.csv",
        "ect-net.csv",
        "ect-bilateral.csv",
        "cssf-transfers.csv",
    ] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    let lib_copy = dir
        .path()
        .join("lib")
        .join(Path::new(&gdp_cap).file_name().unwrap());
    std::fs::create_dir_all(lib_copy.parent().unwrap()).unwrap();
    std::fs::copy(&gdp_cap, &lib_copy).unwrap();
    toml.push_str(&format!(
        "\n[[plugin]]\nname = \"capped\"\npath = \"lib/{}\"\nparams = {{ share = 0.0005 }}\n",
        lib_copy.file_name().unwrap().to_str().unwrap()
    ));
    let scenario = dir.path().join("scenario.toml");
    std::fs::write(&scenario, toml).unwrap();
    let stanza = dir.path().join("stanza");
    let out = fzc(&[
        "--quiet",
        "run",
        scenario.to_str().unwrap(),
        "--out",
        stanza.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stanza_ledger = std::fs::read_to_string(stanza.join("ledger.csv")).unwrap();
    assert_eq!(flag_ledger, stanza_ledger);

    // And the paper's scheme gives another ledger: the plugin was used.
    let paper = dir.path().join("paper");
    let out = fzc(&["--quiet", "run", "--out", paper.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let paper_ledger = std::fs::read_to_string(paper.join("ledger.csv")).unwrap();
    assert_ne!(paper_ledger, flag_ledger);
}

#[test]
fn a_required_plugin_parameter_left_out_or_unknown_is_a_clear_error() {
    let gdp_cap = library("pricing-gdp-cap");
    let out = fzc(&[
        "compare",
        "--pricing",
        "paper,plugin:gdp-cap",
        "--plugin",
        &gdp_cap,
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("share") && err.contains("gdp-cap"), "{err}");

    let out = fzc(&["run", "--plugin", &gdp_cap, "--param", "shar=0.1"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("shar"), "{}", stderr(&out));

    let out = fzc(&["compare", "--pricing", "paper,plugin:nope"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
}

/// Issue 10: a pricing plugin that `fzc plugins check` marks FAIL (negative amounts) is
/// refused by `fzc run` too, naming the plugin and the rule, and nothing is written.
#[test]
fn a_plugin_whose_amounts_break_the_check_rules_does_not_price_a_run() {
    let fault = library("fault-pricing");
    let check = fzc(&["plugins", "check", &fault, "--param", "mode=negative"]);
    assert!(
        !check.status.success(),
        "plugins check passed a negative plugin"
    );
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = fzc(&[
        "run",
        "--plugin",
        &fault,
        "--param",
        "mode=negative",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "fzc run priced with it");
    let err = stderr(&out);
    assert!(
        err.contains("flow amounts never negative") && err.contains("fault"),
        "{err}"
    );
    assert!(
        !out_dir.exists(),
        "a refused run wrote {}",
        out_dir.display()
    );
    // The same plugin in its honest mode prices the run.
    let ok = fzc(&[
        "run",
        "--plugin",
        &fault,
        "--param",
        "mode=ok",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn a_flow_model_given_as_pricing_is_refused_by_kind() {
    let gravity = library("flow-gravity");
    let out = fzc(&[
        "compare",
        "--pricing",
        "paper,plugin:gravity",
        "--plugin",
        &gravity,
        "--param",
        "k=1",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("plugin `gravity` is a flow-model, not a pricing-scheme"),
        "{err}"
    );
}

/// The 7 cities of `cssf_flows.rs` (supply, demand in Mt).
const CITIES: [(&str, f64, f64); 7] = [
    ("chengde", 554.303, 169.64),
    ("handan", 89.74, 194.57),
    ("hengshui", 61.405, 11.66),
    ("langfang", 44.232, 9.68),
    ("tangshan", 108.5246, 531.44),
    ("tianjin", 78.085, 141.72),
    ("zhangjiakou", 377.958, 173.91),
];

#[test]
fn cssf_flows_with_the_gravity_plugin_moves_non_negative_tonnes() {
    let dir = tempfile::tempdir().unwrap();
    let regions = dir.path().join("regions");
    std::fs::create_dir_all(&regions).unwrap();
    let source = workspace().join("tests/fixtures/geo/bth-boundaries");
    let mut balance = String::from("region,supply,demand\n");
    for (city, supply, demand) in CITIES {
        let file = format!("{city}.geojson");
        std::fs::copy(source.join(&file), regions.join(&file)).unwrap();
        balance.push_str(&format!("{city},{supply},{demand}\n"));
    }
    let balance_path = dir.path().join("balance.csv");
    std::fs::write(&balance_path, balance).unwrap();
    let gravity = library("flow-gravity");
    let run = |out: &Path, plugin: bool| {
        let mut args = vec![
            "cssf",
            "flows",
            "--regions",
            regions.to_str().unwrap(),
            "--balance",
            balance_path.to_str().unwrap(),
            "--unit",
            "Mt",
            "--out",
            out.to_str().unwrap(),
        ];
        if plugin {
            args.extend(["--plugin", gravity.as_str(), "--param", "k=1e-9"]);
        }
        let result = fzc(&args);
        assert!(result.status.success(), "{}", stderr(&result));
        read_csv(&out.join("cssf-flows.csv"))
    };
    let (header, rows) = run(&dir.path().join("gravity"), true);
    let transfers = column(&header, &rows, "transfer");
    assert!(!transfers.is_empty());
    assert!(transfers.iter().all(|t| *t >= 0.0), "{transfers:?}");
    // Gravity moves tonnes between the BTH pairs where the breakpoint model moves none
    // (its buffers do not reach, section 4.2.3 and the bth7 snapshot): a different model ran.
    assert!(transfers.iter().any(|t| *t > 0.0), "{transfers:?}");
    // The other way round: a pricing scheme given as the flow model is refused by kind.
    let gdp_cap = library("pricing-gdp-cap");
    let out = dir.path().join("wrong");
    let wrong = fzc(&[
        "cssf",
        "flows",
        "--regions",
        regions.to_str().unwrap(),
        "--balance",
        balance_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--plugin",
        &gdp_cap,
    ]);
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("is a pricing-scheme, not a flow-model"),
        "{}",
        stderr(&wrong)
    );
    let (b_header, b_rows) = run(&dir.path().join("breakpoint"), false);
    let breakpoint = column(&b_header, &b_rows, "transfer");
    assert_ne!(transfers, breakpoint);
}

/// The bth-raw scenario (CSSF layer from boundaries + balance) rewritten into `dir` with
/// absolute paths, `[cssf] model = <model>` and the given extra stanzas.
fn bth_raw_with(dir: &Path, model: Option<&str>, stanzas: &str) -> PathBuf {
    let data = workspace().join("crates/scenario/tests/data/bth-raw");
    let examples = workspace().join("examples");
    let mut toml = std::fs::read_to_string(data.join("scenario.toml"))
        .unwrap()
        .replace("../../../../../examples", examples.to_str().unwrap())
        .replace(
            "\"balance.csv\"",
            &format!("{:?}", data.join("balance.csv").to_str().unwrap()),
        );
    if let Some(model) = model {
        toml = toml.replace(
            "core = \"centroid\"",
            &format!("core = \"centroid\"\nmodel = {model:?}"),
        );
    }
    toml.push_str(stanzas);
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

#[test]
fn a_scenario_cssf_layer_runs_the_gravity_plugin_named_by_cssf_model() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = format!(
        "\n[[plugin]]\nname = \"gravity\"\npath = {:?}\nparams = {{ k = 1e-9 }}\n\
         \n[[plugin]]\nname = \"capped\"\npath = {:?}\nparams = {{ share = 0.0005 }}\n",
        library("flow-gravity"),
        library("pricing-gdp-cap")
    );
    let run = |name: &str, model: Option<&str>| {
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let scenario = bth_raw_with(&sub, model, &stanzas);
        let out = sub.join("out");
        let result = fzc(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        (result, out)
    };
    let (result, gravity) = run("gravity", Some("plugin:gravity"));
    assert!(result.status.success(), "{}", stderr(&result));
    let (header, rows) = read_csv(&gravity.join("ledger.csv"));
    let layer = header.iter().position(|h| h == "layer").unwrap();
    let cssf: Vec<Vec<String>> = rows.into_iter().filter(|r| r[layer] == "cssf").collect();
    let tonnes = column(&header, &cssf, "tonnes");
    assert!(!tonnes.is_empty(), "the gravity model moved nothing");
    assert!(tonnes.iter().all(|t| *t >= 0.0), "{tonnes:?}");
    // Every region's ledger_net sums to zero: what payers pay, payees receive.
    let (zh, zr) = read_csv(&gravity.join("zoning.csv"));
    let sum: f64 = column(&zh, &zr, "ledger_net").iter().sum();
    assert!(sum.abs() <= 0.01 * 13.0, "ledger off by {sum} yuan");

    // The built-in breakpoint model (no model key, or "breakpoint") gives another CSSF layer.
    let (result, breakpoint) = run("breakpoint", Some("breakpoint"));
    assert!(result.status.success(), "{}", stderr(&result));
    let (result, default) = run("default", None);
    assert!(result.status.success(), "{}", stderr(&result));
    let ledger = |dir: &Path| std::fs::read_to_string(dir.join("ledger.csv")).unwrap();
    assert_eq!(ledger(&breakpoint), ledger(&default));
    assert_ne!(ledger(&breakpoint), ledger(&gravity));

    // An undeclared plugin is named with the declared ones.
    let (result, _) = run("undeclared", Some("plugin:radiation"));
    assert!(!result.status.success());
    let message = stderr(&result);
    assert!(message.contains("\"radiation\""), "{message}");
    assert!(message.contains("[gravity, capped]"), "{message}");

    // A pricing plugin given as the flow model is refused by kind.
    let (result, _) = run("wrong-kind", Some("plugin:capped"));
    assert!(!result.status.success());
    let message = stderr(&result);
    assert!(message.contains("capped"), "{message}");
    assert!(message.to_lowercase().contains("flow"), "{message}");
}

#[test]
fn cssf_demand_with_the_nightlight_plugin_sums_to_each_regions_emissions() {
    let dir = tempfile::tempdir().unwrap();
    let f = workspace().join("tests/fixtures/raster/storage");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let emissions = write(
        "em.csv",
        "region,emissions,agricultural_emissions\neast,2.5,0.5\nwest,1.25,0.25\n",
    );
    let census = write("census.csv", "region,population\neast,120000\nwest,80000\n");
    let nightlight = library("demand-nightlight");
    let lulc = f.join("lulc.tif");
    let regions = f.join("regions.geojson");
    let out = dir.path().join("out");
    // The land-use codes stand in for radiance (the plugin reads the urban-mask layer as
    // light): any raster on the grid will do for the calibration invariant.
    let mut args = vec![
        "cssf",
        "demand",
        "--regions",
        regions.to_str().unwrap(),
        "--id-field",
        "name",
        "--emissions",
        emissions.to_str().unwrap(),
        "--emissions-unit",
        "Mt",
        "--census",
        census.to_str().unwrap(),
        "--lulc",
        lulc.to_str().unwrap(),
        "--urban-mask",
        lulc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--plugin",
        nightlight.as_str(),
        "--param",
        "urban_threshold=5",
        "--param",
        "agricultural_class=1",
    ];
    let result = fzc(&args);
    assert!(result.status.success(), "{}", stderr(&result));
    let (header, rows) = read_csv(&out.join("demand-regions.csv"));
    let demand = column(&header, &rows, "demand");
    assert_eq!(rows[0][0], "east");
    assert!((demand[0] - 2.5e6).abs() <= 1e-6 * 2.5e6, "{demand:?}");
    assert!((demand[1] - 1.25e6).abs() <= 1e-6 * 1.25e6, "{demand:?}");
    assert!(out.join("demand.tif").exists());
    // A flow model given as the demand estimator is refused by kind.
    let gravity = library("flow-gravity");
    let n = args.len();
    args.truncate(n - 6);
    args.extend(["--plugin", gravity.as_str()]);
    let wrong = fzc(&args);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("flow-model"), "{}", stderr(&wrong));

    // `fzc cssf run` takes the same estimator as --demand-plugin.
    let run_out = dir.path().join("run");
    let pools = f.join("pools.csv");
    let result = fzc(&[
        "cssf",
        "run",
        "--lulc",
        lulc.to_str().unwrap(),
        "--pools",
        pools.to_str().unwrap(),
        "--regions",
        regions.to_str().unwrap(),
        "--id-field",
        "name",
        "--emissions",
        emissions.to_str().unwrap(),
        "--emissions-unit",
        "Mt",
        "--census",
        census.to_str().unwrap(),
        "--urban-mask",
        lulc.to_str().unwrap(),
        "--out",
        run_out.to_str().unwrap(),
        "--demand-plugin",
        nightlight.as_str(),
        "--demand-param",
        "urban_threshold=5",
        "--demand-param",
        "agricultural_class=1",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        std::fs::read_to_string(run_out.join("demand-regions.csv")).unwrap(),
        std::fs::read_to_string(out.join("demand-regions.csv")).unwrap()
    );
}
