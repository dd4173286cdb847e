//! Morris statistics: the same numbers as SALib on SALib's own sample of the Sobol' G
//! function (committed fixture, `tests/fixtures/sensitivity/make_morris.py`), and a whole
//! analysis of the embedded case, sharded and merged, byte-identical to one process.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_core::NoProgress;
use fzc_uncertainty::{
    Method, Plan, SensitivityOptions, Shard, UncertaintySpec, merge_sensitivity, morris_indices,
    run_sensitivity,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/sensitivity")
        .join(name)
}

fn numbers(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn mu_star_and_sigma_equal_salibs_on_the_same_sample() {
    let x = numbers("morris-x.csv");
    let y: Vec<f64> = numbers("morris-y.csv").into_iter().map(|r| r[0]).collect();
    let resamples: Vec<Vec<usize>> = std::fs::read_to_string(fixture("morris-resamples.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!((x.len(), y.len(), resamples.len()), (100, 100, 100));
    let ours = morris_indices(&x, &y, 4, 4, &resamples, 0.95).unwrap();
    let salib = std::fs::read_to_string(fixture("morris-salib.csv")).unwrap();
    for (line, got) in salib.lines().skip(1).zip(&ours) {
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        for (name, ours, theirs) in [
            ("mu", got.mu, f[0]),
            ("mu_star", got.mu_star, f[1]),
            ("sigma", got.sigma, f[2]),
            ("mu_star_conf", got.mu_star_conf, f[3]),
        ] {
            assert!(
                (ours - theirs).abs() < 1e-10,
                "{line}: {name} {ours} vs SALib {theirs}"
            );
        }
    }
    // The G function's inputs rank by their a: x1 (a = 0) first, x4 (a = 99) last.
    assert!(ours[0].mu_star > ours[1].mu_star && ours[2].mu_star > ours[3].mu_star);
}

fn analysis() -> (fzc_scenario::Scenario, Plan) {
    let scenario = fzc_scenario::load(&fzc_scenario::embedded::bth_2020()).unwrap();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bth-2020/uncertainty.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = UncertaintySpec::from_toml_str(&text, "uncertainty.toml").unwrap();
    let plan = Plan::new(&scenario, &spec).unwrap();
    (scenario, plan)
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn shards_merged_are_byte_identical_to_one_process_for_both_methods() {
    let (scenario, plan) = analysis();
    let tmp = tempfile::tempdir().unwrap();
    for (method, samples) in [(Method::Sobol, 16), (Method::Morris { levels: 4 }, 12)] {
        let options = |shard| SensitivityOptions {
            method,
            samples,
            seed: 5,
            shard,
        };
        let name = method.file();
        let whole = tmp.path().join(format!("{name}-whole"));
        let written = run_sensitivity(
            &scenario,
            &scenario.pricing.scheme,
            &plan,
            &options(Shard::WHOLE),
            &whole,
            &NoProgress,
        )
        .unwrap();
        assert!(written[0].ends_with(name), "{written:?}");
        let mut shards = Vec::new();
        for index in 0..3 {
            let dir = tmp.path().join(format!("{name}-{index}"));
            run_sensitivity(
                &scenario,
                &scenario.pricing.scheme,
                &plan,
                &options(Shard { index, count: 3 }),
                &dir,
                &NoProgress,
            )
            .unwrap();
            assert!(!dir.join(name).exists(), "a shard writes no indices");
            shards.push(dir);
        }
        // Any order of the shard folders.
        shards.reverse();
        let merged = tmp.path().join(format!("{name}-merged"));
        merge_sensitivity(&shards, &merged).unwrap();
        assert_eq!(files(&merged), files(&whole), "{name}");
        // A missing shard is named.
        let err = merge_sensitivity(&shards[..2], &tmp.path().join("x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("in no shard given"), "{err}");
    }
}

#[test]
fn the_morris_table_ranks_the_inputs_of_the_embedded_case() {
    let (scenario, plan) = analysis();
    let tmp = tempfile::tempdir().unwrap();
    let options = SensitivityOptions {
        method: Method::Morris { levels: 4 },
        samples: 20,
        seed: 1,
        shard: Shard::WHOLE,
    };
    run_sensitivity(
        &scenario,
        &scenario.pricing.scheme,
        &plan,
        &options,
        tmp.path(),
        &NoProgress,
    )
    .unwrap();
    let text = std::fs::read_to_string(tmp.path().join("morris.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("output,param,mu_star,mu_star_conf,sigma")
    );
    // Langfang's amount moves with its own standard, and not with Tianjin's and Tangshan's
    // group, which prices only their own flows.
    let row = |output: &str, param: &str| -> Vec<f64> {
        text.lines()
            .find(|l| l.starts_with(&format!("{output},{param},")))
            .unwrap_or_else(|| panic!("no row {output},{param} in\n{text}"))
            .split(',')
            .skip(2)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let own = row("ledger_net.langfang", "standard.langfang");
    assert!(own[0] > 0.0 && own[1] >= 0.0 && own[2] >= 0.0, "{own:?}");
    let rows = text.lines().count() - 1;
    assert_eq!(rows, (scenario.regions.len() + 1) * plan.slots());
}
