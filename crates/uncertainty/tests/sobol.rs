//! Sobol' indices: the same numbers as SALib on SALib's own sample (committed fixture,
//! `tests/fixtures/sensitivity/make_reference.py`), and the closed-form indices of the
//! Ishigami function and of a product of independent uniforms within their bootstrap
//! intervals on fzc's own Saltelli sample.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use fzc_uncertainty::{bootstrap_resamples, saltelli_sample, sobol_indices};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/sensitivity")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

#[test]
fn indices_equal_salibs_on_the_same_outputs_and_resamples() {
    let y: Vec<f64> = read("ishigami-y.csv")
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect();
    let resamples: Vec<Vec<usize>> = read("ishigami-resamples.csv")
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!((y.len(), resamples.len()), (256 * 5, 50));
    let ours = sobol_indices(&y, 3, &resamples, 0.95).unwrap();
    let salib = read("ishigami-salib.csv");
    for (line, got) in salib.lines().skip(1).zip(&ours) {
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        for (name, ours, theirs) in [
            ("s1", got.s1, f[0]),
            ("s1_conf", got.s1_conf, f[1]),
            ("st", got.st, f[2]),
            ("st_conf", got.st_conf, f[3]),
        ] {
            assert!(
                (ours - theirs).abs() < 1e-10,
                "{line}: {name} {ours} vs SALib {theirs}"
            );
        }
    }
}

fn check_closed_form(model: impl Fn(&[f64]) -> f64, d: usize, s1: &[f64], st: &[f64], n: usize) {
    let rows = saltelli_sample(n, d, 2026);
    let y: Vec<f64> = rows.iter().map(|u| model(u)).collect();
    let indices = sobol_indices(&y, d, &bootstrap_resamples(n, 200, 9), 0.95).unwrap();
    for (j, i) in indices.iter().enumerate() {
        assert!(
            (i.s1 - s1[j]).abs() <= i.s1_conf,
            "input {j}: S1 {} ± {} misses the closed form {}",
            i.s1,
            i.s1_conf,
            s1[j]
        );
        assert!(
            (i.st - st[j]).abs() <= i.st_conf,
            "input {j}: ST {} ± {} misses the closed form {}",
            i.st,
            i.st_conf,
            st[j]
        );
        assert!(i.s1_conf > 0.0 && i.s1_conf < 0.1, "{i:?}");
    }
}

#[test]
fn ishigami_indices_fall_within_their_intervals_of_the_closed_form() {
    let (a, b) = (7.0, 0.1);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * 8.0 / 225.0;
    let v = v1 + v2 + v13;
    let model = |u: &[f64]| {
        let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    };
    check_closed_form(
        model,
        3,
        &[v1 / v, v2 / v, 0.0],
        &[(v1 + v13) / v, v2 / v, v13 / v],
        4096,
    );
}

#[test]
fn product_of_uniforms_indices_fall_within_their_intervals_of_the_closed_form() {
    // f = x1 x2 x3, x_i ~ U(0, 1): V = 1/27 - 1/64, V_i = 1/192, S1 = 9/37, ST = 16/37.
    let model = |u: &[f64]| u.iter().product::<f64>();
    check_closed_form(model, 3, &[9.0 / 37.0; 3], &[16.0 / 37.0; 3], 4096);
}
