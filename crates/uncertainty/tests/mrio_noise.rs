//! Per-cell noise on the MRIO's final demand and emissions (`ect.mrio.y`, `ect.mrio.f`) on
//! the EXIOBASE-layout example (5 table regions aggregated into 4 by a region map): a
//! zero-width noise reproduces the run byte for byte, the factored table gives the loaded
//! layer back, Eq 10 holds in every draw, shards merge into the single run, the mean factor
//! recorded in `params.csv` behaves as its distribution says, and bad stanzas are refused.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_core::NoProgress;
use fzc_scenario::{Scenario, ScenarioSource, embedded, load};
use fzc_uncertainty::{
    McOptions, Method, Plan, SensitivityOptions, Shard, UncertaintyError, UncertaintySpec, merge,
    run_mc, run_sensitivity,
};

fn exiobase() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exiobase-synthetic/scenario.toml");
    load(&ScenarioSource::File(path)).unwrap()
}

fn spec(text: &str) -> UncertaintySpec {
    UncertaintySpec::from_toml_str(text, "test.toml").unwrap()
}

fn run_to(scenario: &Scenario, text: &str, draws: u64, shard: Shard, out: &Path) {
    let plan = Plan::new(scenario, &spec(text)).unwrap();
    let options = McOptions {
        draws,
        seed: 11,
        shard,
    };
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

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fzc-mrio-noise-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const PRICE: &str = r#"
[[uncertainty]]
param = "price"
dist = "uniform"
low = 46.66
high = 46.66
"#;

const NOISE: &str = r#"
[[uncertainty]]
param = "ect.mrio.y"
dist = "lognormal"
mean = 1.0
cv = 0.2
scale = "relative"
[[uncertainty]]
param = "ect.mrio.f"
dist = "lognormal"
mean = 1.0
cv = 0.1
scale = "relative"
"#;

#[test]
fn the_factored_table_gives_the_loaded_layer_back() {
    let s = exiobase();
    let model = s.ect_model.as_ref().expect("an MRIO layer keeps its table");
    // 5 table regions × 6 products.
    assert_eq!((model.size(), model.table_regions()), (30, 5));
    assert_eq!(&model.ect(None, None).unwrap(), s.ect.as_ref().unwrap());
    // Unit factors on Y are solved again: equal to rounding.
    let again = model.ect(Some(&vec![1.0; 150]), Some(&[1.0; 30])).unwrap();
    for (a, b) in again.net.iter().zip(&s.ect.as_ref().unwrap().net) {
        assert!(
            (a.0 - b.0).abs() <= 1e-9 * b.0.abs().max(1.0),
            "{a:?} vs {b:?}"
        );
    }
    // Doubling every emission doubles every transfer.
    let double = model.ect(None, Some(&[2.0; 30])).unwrap();
    for (a, b) in double.net.iter().zip(&s.ect.as_ref().unwrap().net) {
        assert!((a.0 - 2.0 * b.0).abs() <= 1e-9 * b.0.abs().max(1.0));
    }
}

#[test]
fn zero_width_noise_is_the_run_byte_for_byte() {
    let s = exiobase();
    let (plain, noisy) = (tmp("plain"), tmp("zero"));
    run_to(&s, PRICE, 6, Shard::WHOLE, &plain);
    let zero = format!(
        "{PRICE}{}",
        NOISE
            .replace("cv = 0.2", "cv = 0.0")
            .replace("cv = 0.1", "cv = 0.0")
    );
    run_to(&s, &zero, 6, Shard::WHOLE, &noisy);
    assert_eq!(read(&plain, "draws.csv"), read(&noisy, "draws.csv"));
    assert_eq!(read(&plain, "summary.csv"), read(&noisy, "summary.csv"));
    // params.csv gains one row per draw and noise stanza: its mean factor, exactly 1.
    let params = read(&noisy, "params.csv");
    assert_eq!(
        params
            .lines()
            .filter(|l| l.ends_with(",ect.mrio.y,1"))
            .count(),
        6
    );
    assert_eq!(
        params
            .lines()
            .filter(|l| l.ends_with(",ect.mrio.f,1"))
            .count(),
        6
    );
}

#[test]
fn every_noisy_draw_keeps_eq_10_and_moves_the_layer() {
    let s = exiobase();
    let plan = Plan::new(&s, &spec(NOISE)).unwrap();
    let base = &s.ect.as_ref().unwrap().net;
    let mut moved = 0;
    for draw in 0..40 {
        let values = plan.values(draw, &[]).unwrap();
        let (drawn, means) = plan.apply_draw(&s, &values, 3, draw).unwrap();
        let net = &drawn.ect.as_ref().unwrap().net;
        let total: f64 = net.iter().map(|t| t.0).sum();
        let scale: f64 = net.iter().map(|t| t.0.abs()).sum();
        assert!(total.abs() <= 1e-9 * scale, "draw {draw}: Σ NF = {total}");
        assert_eq!(means.len(), 2);
        if net
            .iter()
            .zip(base)
            .any(|(a, b)| (a.0 - b.0).abs() > 1e-6 * b.0.abs())
        {
            moved += 1;
        }
        // The same (seed, draw) gives the same layer; another seed another one.
        let (again, _) = plan.apply_draw(&s, &values, 3, draw).unwrap();
        assert_eq!(drawn.ect, again.ect);
        let (other, _) = plan.apply_draw(&s, &values, 4, draw).unwrap();
        assert_ne!(drawn.ect, other.ect);
    }
    assert_eq!(moved, 40);
}

#[test]
fn noisy_shards_merge_into_the_single_run() {
    let s = exiobase();
    let (whole, a, b, merged) = (tmp("whole"), tmp("a"), tmp("b"), tmp("merged"));
    run_to(&s, NOISE, 9, Shard::WHOLE, &whole);
    run_to(&s, NOISE, 9, Shard { index: 0, count: 2 }, &a);
    run_to(&s, NOISE, 9, Shard { index: 1, count: 2 }, &b);
    merge(&[b.clone(), a.clone()], &merged).unwrap();
    for file in ["draws.csv", "params.csv", "summary.csv", "mc.json"] {
        assert_eq!(read(&whole, file), read(&merged, file), "{file}");
    }
}

#[test]
fn the_mean_factor_follows_the_distribution() {
    // 150 cells of Y with cv 0.2 and mean 1: the mean factor of a draw has mean 1 and sd
    // 0.2/√150 ≈ 0.0163. Over 400 draws the average is within 4 standard errors of 1 and
    // the spread within 15 % of 0.0163.
    let s = exiobase();
    let plan = Plan::new(&s, &spec(NOISE)).unwrap();
    let means: Vec<f64> = (0..400)
        .map(|d| plan.apply_draw(&s, &[], 5, d).unwrap().1[0])
        .collect();
    let n = means.len() as f64;
    let avg = means.iter().sum::<f64>() / n;
    let sd = (means.iter().map(|m| (m - avg).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let expected_sd = 0.2 / 150f64.sqrt();
    assert!(
        (avg - 1.0).abs() < 4.0 * expected_sd / n.sqrt(),
        "mean {avg}"
    );
    assert!(
        (sd / expected_sd - 1.0).abs() < 0.15,
        "sd {sd} vs {expected_sd}"
    );
}

fn stanza_error(scenario: &Scenario, text: &str) -> String {
    match Plan::new(scenario, &spec(text)) {
        Err(e @ (UncertaintyError::Stanza { .. } | UncertaintyError::UnknownParameter { .. })) => {
            e.to_string()
        }
        other => panic!("expected a stanza error, got {other:?}"),
    }
}

#[test]
fn bad_noise_stanzas_are_refused() {
    let s = exiobase();
    let e = stanza_error(&s, &NOISE.replacen("scale = \"relative\"", "", 1));
    assert!(e.contains("scale = \"relative\""), "{e}");
    let e = stanza_error(
        &s,
        "[[uncertainty]]\nparam = \"ect.mrio.y\"\ndist = \"normal\"\nmean = 1.0\nsd = 0.1\nscale = \"relative\"\n",
    );
    assert!(e.contains("can be negative"), "{e}");
    let e = stanza_error(
        &s,
        &NOISE.replacen(
            "scale = \"relative\"",
            "scale = \"relative\"\ngroup = \"g\"",
            1,
        ),
    );
    assert!(e.contains("group"), "{e}");
    let e = stanza_error(
        &s,
        &format!(
            "{NOISE}{}",
            &NOISE[..NOISE
                .find("[[uncertainty]]\nparam = \"ect.mrio.f\"")
                .unwrap()]
        ),
    );
    assert!(e.contains("already varied"), "{e}");
    // A scenario whose ECT layer is a table has no MRIO to perturb.
    let bth = load(&embedded::bth_2020()).unwrap();
    let e = stanza_error(&bth, NOISE);
    assert!(e.contains("not computed from one"), "{e}");
    // The valid names of an MRIO scenario list the noise parameters.
    let e = stanza_error(
        &s,
        "[[uncertainty]]\nparam = \"ect.mrio.z\"\ndist = \"uniform\"\nlow = 1\nhigh = 1\n",
    );
    assert!(e.contains("ect.mrio.y, ect.mrio.f"), "{e}");
    // Both parameterisations of a lognormal at once.
    let e = UncertaintySpec::from_toml_str(
        "[[uncertainty]]\nparam = \"price\"\ndist = \"lognormal\"\nmean = 1.0\ncv = 0.1\nsigma = 0.1\n",
        "t.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("not both"), "{e}");
}

#[test]
fn sensitivity_refuses_per_cell_noise() {
    let s = exiobase();
    let plan = Plan::new(&s, &spec(&format!("{PRICE}{NOISE}"))).unwrap();
    let options = SensitivityOptions {
        method: Method::Sobol,
        samples: 8,
        seed: 1,
        shard: Shard::WHOLE,
    };
    let e = run_sensitivity(
        &s,
        &s.pricing.scheme,
        &plan,
        &options,
        &tmp("sobol"),
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.to_string().contains("fzc mc"), "{e}");
}

/// An MRIO layer's bilateral matrix is complete (`bilateral_rule = "given"`): a drawn pair
/// moves both regions' NF, so every draw runs; `ect.nf.*` is refused with what to vary.
#[test]
fn a_complete_matrix_keeps_its_rows_summing_to_nf() {
    let s = exiobase();
    let ect = s.ect.as_ref().unwrap();
    assert_eq!(ect.rule, fzc_scenario::BilateralRule::Given);
    let pair = &ect.given[0];
    let (from, to) = (s.regions[pair.from].as_str(), s.regions[pair.to].as_str());
    let text = format!(
        "[[uncertainty]]\nparam = \"ect.bilateral.{from}.{to}\"\ndist = \"uniform\"\nlow = 0.5\nhigh = 2.0\nscale = \"relative\"\n"
    );
    let plan = Plan::new(&s, &spec(&text)).unwrap();
    for draw in 0..20 {
        let values = plan
            .values(draw, &fzc_uncertainty::uniforms(1, draw, plan.slots()))
            .unwrap();
        let drawn = plan.apply(&s, &values).unwrap();
        let nf = &drawn.ect.as_ref().unwrap().net;
        let change = values[0] - pair.tonnes.0;
        assert!((nf[pair.from].0 - (ect.net[pair.from].0 + change)).abs() <= 1e-6);
        assert!((nf[pair.to].0 - (ect.net[pair.to].0 - change)).abs() <= 1e-6);
        fzc_scenario::run(&drawn).unwrap();
    }
    let e = stanza_error(
        &s,
        "[[uncertainty]]\nparam = \"ect.nf.China\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n",
    );
    assert!(e.contains("complete") && e.contains("ect.mrio.y"), "{e}");
}
