//! `fzc-uncertainty` end to end on the embedded BTH-2020 case: zero width reproduces the
//! deterministic run, shards merge into the single run byte for byte whatever the thread
//! count, quantiles of a linear response match the closed form within Monte Carlo error,
//! Eq 10 holds in every draw, and bad stanzas give clear errors.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_core::NoProgress;
use fzc_scenario::{Scenario, embedded, fixed, load, run};
use fzc_uncertainty::{
    Distribution, McOptions, Plan, Shard, UncertaintyError, UncertaintySpec, merge, run_mc,
    uniforms,
};
use proptest::prelude::*;

fn bth() -> Scenario {
    load(&embedded::bth_2020()).unwrap()
}

fn spec(text: &str) -> UncertaintySpec {
    UncertaintySpec::from_toml_str(text, "test.toml").unwrap()
}

fn run_to(scenario: &Scenario, text: &str, draws: u64, seed: u64, shard: Shard, out: &Path) {
    let plan = Plan::new(scenario, &spec(text)).unwrap();
    let options = McOptions { draws, seed, shard };
    run_mc(
        scenario,
        &scenario.pricing.scheme,
        &plan,
        &options,
        out,
        &NoProgress,
    )
    .unwrap();
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

const MIXED: &str = r#"
[[uncertainty]]
param = "standard.langfang"
dist = "uniform"
low = 21.9
high = 36.5
[[uncertainty]]
param = "cssf.transfer.*"
dist = "triangular"
low = 0.7
mode = 1.0
high = 1.3
scale = "relative"
group = "densities"
[[uncertainty]]
param = "ect.nf.langfang"
dist = "normal"
mean = 22.2755e6
sd = 2.2e6
[[uncertainty]]
param = "standard.tianjin"
dist = "truncnormal"
mean = 44.0
sd = 20.0
low = 0.0
"#;

#[test]
fn zero_width_distributions_reproduce_fzc_run_exactly() {
    let scenario = bth();
    let deterministic = run(&scenario).unwrap();
    let tianjin = scenario.standards[scenario
        .regions
        .iter()
        .position(|r| r.as_str() == "tianjin")
        .unwrap()]
    .as_ref()
    .unwrap()
    .yuan_per_tonne
    .0;
    let text = format!(
        r#"
[[uncertainty]]
param = "standard.tianjin"
dist = "uniform"
low = {tianjin:?}
high = {tianjin:?}
[[uncertainty]]
param = "cssf.transfer.*"
dist = "normal"
mean = 1.0
sd = 0.0
scale = "relative"
"#
    );
    let dir = tempfile::tempdir().unwrap();
    run_to(&scenario, &text, 5, 3, Shard::WHOLE, dir.path());
    let draws = read(dir.path(), "draws.csv");
    let mut rows = 0;
    for line in draws.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let account = deterministic
            .ledger
            .account(&f[1].parse().unwrap())
            .unwrap();
        assert_eq!(f[3], fixed(account.net.0, 2), "{line}");
        assert_eq!(f[6], fixed(account.standard.0, 4), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 5 * scenario.regions.len());
    // The summary's spread is exactly zero.
    for line in read(dir.path(), "summary.csv").lines().skip(1) {
        assert_eq!(line.split(',').nth(3), Some("0.00"), "{line}");
    }
}

#[test]
fn merged_shards_equal_the_single_run_whatever_the_thread_count() {
    let scenario = bth();
    let root = tempfile::tempdir().unwrap();
    let single = root.path().join("single");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| run_to(&scenario, MIXED, 700, 11, Shard::WHOLE, &single));
    let mut shards: Vec<PathBuf> = Vec::new();
    for index in [2, 0, 1] {
        let dir = root.path().join(format!("shard-{index}"));
        run_to(&scenario, MIXED, 700, 11, Shard { index, count: 3 }, &dir);
        shards.push(dir);
    }
    let merged = root.path().join("merged");
    merge(&shards, &merged).unwrap();
    for file in [
        "draws.csv",
        "draws.parquet",
        "params.csv",
        "params.parquet",
        "summary.csv",
        "mc.json",
    ] {
        assert!(
            std::fs::read(single.join(file)).unwrap() == std::fs::read(merged.join(file)).unwrap(),
            "{file} of the merged shards differs from the single run"
        );
    }
    // Shards missing or repeated are refused, naming what is wrong.
    let message = merge(&shards[..2], &root.path().join("bad"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("in no shard given"), "{message}");
    let twice = vec![shards[1].clone(), shards[1].clone(), shards[0].clone()];
    let message = merge(&twice, &root.path().join("bad"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("overlap"), "{message}");
    // A shard of another seed is another analysis.
    let other = root.path().join("other-seed");
    run_to(
        &scenario,
        MIXED,
        700,
        12,
        Shard { index: 1, count: 3 },
        &other,
    );
    let mixed = vec![shards[1].clone(), other, shards[0].clone()];
    let message = merge(&mixed, &root.path().join("bad"))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("not a shard of the same analysis"),
        "{message}"
    );
    assert!(
        !root.path().join("bad").exists(),
        "a failed merge wrote output"
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_draws() {
    let scenario = bth();
    let root = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        root.path().join("a"),
        root.path().join("b"),
        root.path().join("c"),
    );
    run_to(&scenario, MIXED, 64, 5, Shard::WHOLE, &a);
    run_to(&scenario, MIXED, 64, 5, Shard::WHOLE, &b);
    run_to(&scenario, MIXED, 64, 6, Shard::WHOLE, &c);
    assert_eq!(read(&a, "draws.csv"), read(&b, "draws.csv"));
    assert_ne!(read(&a, "params.csv"), read(&c, "params.csv"));
}

/// Beijing's combined net is linear in its own standard (it pays its ECT flows at its own
/// standard; what it receives is priced at the payers' standards). So with a uniform
/// standard its quantiles are the closed-form uniform quantiles mapped through that line.
#[test]
fn quantiles_of_a_uniform_standard_match_the_closed_form() {
    let scenario = bth();
    let (low, high) = (60.0, 140.0);
    let net_at = |standard: f64| {
        let text = format!(
            "[[uncertainty]]\nparam = \"standard.beijing\"\ndist = \"uniform\"\nlow = {standard:?}\nhigh = {standard:?}\n"
        );
        let plan = Plan::new(&scenario, &spec(&text)).unwrap();
        let values = plan.values(0, &uniforms(0, 0, plan.slots())).unwrap();
        let outcome = run(&plan.apply(&scenario, &values).unwrap()).unwrap();
        outcome
            .ledger
            .account(&"beijing".parse().unwrap())
            .unwrap()
            .net
            .0
    };
    let (at_low, at_high) = (net_at(low), net_at(high));
    let line = |s: f64| at_low + (s - low) / (high - low) * (at_high - at_low);
    assert!((net_at(100.0) - line(100.0)).abs() < 1.0, "not linear");

    let n = 4000;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[[uncertainty]]\nparam = \"standard.beijing\"\ndist = \"uniform\"\nlow = {low:?}\nhigh = {high:?}\n"
    );
    run_to(&scenario, &text, n, 2024, Shard::WHOLE, dir.path());
    let summary = read(dir.path(), "summary.csv");
    let row: Vec<f64> = summary
        .lines()
        .find(|l| l.starts_with("beijing,"))
        .unwrap()
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let slope = (at_high - at_low).abs();
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    for (q, got) in [(0.05, row[3]), (0.5, row[4]), (0.95, row[5])] {
        let expected = line(low + q * (high - low));
        // The sample quantile's standard error for a uniform: sqrt(q (1 − q) / n) of the
        // range, mapped through the line; 4 standard errors.
        let tolerance = 4.0 * slope * (q * (1.0 - q) / n).sqrt();
        assert!(
            (got - expected).abs() < tolerance,
            "q = {q}: {got} vs closed form {expected} (tolerance {tolerance})"
        );
    }
    let mean = line(f64::midpoint(low, high));
    let sd = slope / 12f64.sqrt();
    assert!(
        (row[1] - mean).abs() < 4.0 * sd / n.sqrt(),
        "mean {} vs {mean}",
        row[1]
    );
    assert!((row[2] - sd).abs() < 0.05 * sd, "sd {} vs {sd}", row[2]);
}

#[test]
fn every_draw_keeps_the_net_transfers_summing_to_zero() {
    let scenario = bth();
    let plan = Plan::new(
        &scenario,
        &spec(
            "[[uncertainty]]\nparam = \"ect.nf.beijing\"\ndist = \"normal\"\nmean = 51.1e6\nsd = 10e6\n\
             [[uncertainty]]\nparam = \"ect.nf.tangshan\"\ndist = \"uniform\"\nlow = -160e6\nhigh = -120e6\n",
        ),
    )
    .unwrap();
    let base: f64 = scenario.ect.as_ref().unwrap().net.iter().map(|t| t.0).sum();
    for draw in 0..200 {
        let values = plan.values(draw, &uniforms(9, draw, plan.slots())).unwrap();
        let drawn = plan.apply(&scenario, &values).unwrap();
        let ect = drawn.ect.as_ref().unwrap();
        let sum: f64 = ect.net.iter().map(|t| t.0).sum();
        assert!((sum - base).abs() < 1e-3, "draw {draw}: Σ NF = {sum}");
        assert_eq!(ect.net[0].0, values[0]);
    }
}

fn error_of(text: &str) -> String {
    match Plan::new(&bth(), &spec(text)) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_stanzas_give_clear_errors() {
    let message = error_of(
        "[[uncertainty]]\nparam = \"standard.atlantis\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n",
    );
    assert!(
        message.contains("\"atlantis\" is not one of the scenario's regions"),
        "{message}"
    );
    assert!(
        message.contains("Valid names: price, pricing.a, pricing.b"),
        "{message}"
    );
    assert!(
        message.contains("cssf.transfer.chengde.tangshan"),
        "{message}"
    );

    let message =
        error_of("[[uncertainty]]\nparam = \"cssf.k\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n");
    assert!(
        message.contains("unknown parameter \"cssf.k\""),
        "{message}"
    );

    let twice = "[[uncertainty]]\nparam = \"price\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n";
    let message = error_of(&format!("{twice}{twice}"));
    assert!(
        message.contains("stanza 2") && message.contains("already varied"),
        "{message}"
    );

    let message = error_of(
        "[[uncertainty]]\nparam = \"standard.tianjin\"\ndist = \"truncnormal\"\nmean = 44\nsd = 9\nlow = -5\n",
    );
    assert!(message.contains("allows negative values"), "{message}");

    let mut every_nf = String::new();
    for r in &bth().regions {
        every_nf.push_str(&format!(
            "[[uncertainty]]\nparam = \"ect.nf.{r}\"\ndist = \"normal\"\nmean = 0\nsd = 1\n"
        ));
    }
    assert!(error_of(&every_nf).contains("none is left to keep Σ NF = 0"));

    let message = error_of(
        "[[uncertainty]]\nparam = \"ect.bilateral.hengshui.beijing\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n",
    );
    assert!(message.contains("not a given bilateral net"), "{message}");
}

#[test]
fn a_draw_that_makes_an_input_negative_names_the_parameter_and_the_draw() {
    let scenario = bth();
    let plan = Plan::new(
        &scenario,
        &spec("[[uncertainty]]\nparam = \"standard.tianjin\"\ndist = \"normal\"\nmean = 44\nsd = 40\n"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("draws.csv"), "earlier").unwrap();
    let err = run_mc(
        &scenario,
        &scenario.pricing.scheme,
        &plan,
        &McOptions {
            draws: 500,
            seed: 1,
            shard: Shard::WHOLE,
        },
        &out,
        &NoProgress,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, UncertaintyError::InvalidDraw { .. }),
        "{message}"
    );
    assert!(
        message.starts_with("draw ") && message.contains("standard.tianjin = -"),
        "{message}"
    );
    assert!(message.contains("truncnormal"), "{message}");
    // Nothing was written, the earlier output is untouched, no staging folder is left.
    assert_eq!(read(&out, "draws.csv"), "earlier");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

fn distribution() -> impl Strategy<Value = Distribution> {
    let finite = -1e6..1e6f64;
    prop_oneof![
        (finite.clone(), 0.0..1e5f64)
            .prop_map(|(low, w)| Distribution::Uniform { low, high: low + w }),
        (finite.clone(), 0.0..1e5f64).prop_map(|(mean, sd)| Distribution::Normal { mean, sd }),
        (-3.0..3.0f64, 0.0..2.0f64).prop_map(|(mu, sigma)| Distribution::LogNormal { mu, sigma }),
        (finite.clone(), 0.0..1.0f64, 0.0..1e5f64).prop_map(|(low, m, w)| {
            Distribution::Triangular {
                low,
                mode: low + m * w,
                high: low + w,
            }
        }),
        (finite, 1e-3..1e4f64, -3.0..3.0f64, 0.1..6.0f64).prop_map(|(mean, sd, a, w)| {
            Distribution::TruncNormal {
                mean,
                sd,
                low: mean + a * sd,
                high: mean + (a + w) * sd,
            }
        }),
    ]
}

proptest! {
    /// Every quantile function is non-decreasing in u and stays in the support.
    #[test]
    fn quantiles_are_monotone_and_in_support(d in distribution(), u in 1e-6..(1.0 - 1e-6f64), v in 1e-6..(1.0 - 1e-6f64)) {
        prop_assert!(d.validate().is_ok(), "{}", d);
        let (lo, hi) = if u <= v { (u, v) } else { (v, u) };
        let (a, b) = (d.quantile(lo), d.quantile(hi));
        prop_assert!(a <= b + 1e-9 * b.abs().max(1.0), "{}: Q({lo}) = {a} > Q({hi}) = {b}", d);
        let (low, high) = match d {
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::TruncNormal { low, high, .. } => (low, high),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
        };
        prop_assert!(a >= low && b <= high, "{}: {a}, {b} outside [{low}, {high}]", d);
    }

    /// Relative scale multiplies the base; a group shares one uniform (identical factors).
    #[test]
    fn a_group_draws_one_factor(seed: u64, draw in 0u64..1000) {
        let scenario = bth();
        let plan = Plan::new(&scenario, &spec(
            "[[uncertainty]]\nparam = \"cssf.transfer.*\"\ndist = \"uniform\"\nlow = 0.5\nhigh = 1.5\nscale = \"relative\"\ngroup = \"g\"\n",
        )).unwrap();
        prop_assert_eq!(plan.slots(), 1);
        let values = plan.values(draw, &uniforms(seed, draw, plan.slots())).unwrap();
        let factors: Vec<f64> = plan.parameters().iter().zip(&values).map(|(p, v)| v / p.base).collect();
        for f in &factors {
            prop_assert!((f - factors[0]).abs() < 1e-12 && (0.5..=1.5).contains(f));
        }
    }
}
