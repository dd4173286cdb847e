//! `[[correlation]]`: a Gaussian copula over some inputs. On 20,000 draws of the embedded
//! case the marginals stay as their stanzas say, and the rank correlation matches the
//! closed form of a Gaussian copula, `ρ_s = (6/π)·asin(ρ/2)`, within Monte Carlo error. Bad
//! matrices and names are refused, and a sensitivity analysis refuses correlated inputs.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use fzc_core::NoProgress;
use fzc_scenario::{Scenario, embedded, load};
use fzc_uncertainty::{
    McOptions, Method, Plan, SensitivityOptions, Shard, UncertaintySpec, run_mc, run_sensitivity,
    uniforms,
};

fn bth() -> Scenario {
    load(&embedded::bth_2020()).unwrap()
}

fn stanzas(rho: f64) -> String {
    format!(
        r#"
[[uncertainty]]
param = "price"
dist = "uniform"
low = 20.0
high = 100.0
[[uncertainty]]
param = "standard.tianjin"
dist = "lognormal"
mean = 44.0
cv = 0.3
[[uncertainty]]
param = "standard.langfang"
dist = "uniform"
low = 20.0
high = 40.0
[[correlation]]
params = ["price", "standard.tianjin"]
matrix = [[1, {rho}], [{rho}, 1.0]]
"#
    )
}

fn plan(s: &Scenario, text: &str) -> Result<Plan, String> {
    let spec = UncertaintySpec::from_toml_str(text, "t.toml").map_err(|e| e.to_string())?;
    Plan::new(s, &spec).map_err(|e| e.to_string())
}

/// Ranks 1..n of `v` (no ties in continuous draws).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    for (rank, &i) in order.iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

fn columns(plan: &Plan, draws: u64) -> Vec<Vec<f64>> {
    let mut cols = vec![Vec::new(); plan.parameters().len()];
    for d in 0..draws {
        let values = plan.values(d, &uniforms(42, d, plan.slots())).unwrap();
        for (c, v) in cols.iter_mut().zip(values) {
            c.push(v);
        }
    }
    cols
}

#[test]
fn rank_correlation_matches_the_gaussian_copula() {
    let s = bth();
    const N: u64 = 20_000;
    for rho in [0.6, -0.8] {
        let p = plan(&s, &stanzas(rho)).unwrap();
        assert!(p.is_correlated());
        let cols = columns(&p, N);
        let spearman = pearson(&ranks(&cols[0]), &ranks(&cols[1]));
        let expected = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
        // The standard error of Spearman's ρ is below 1/√(N − 1) = 0.0071.
        assert!(
            (spearman - expected).abs() < 0.03,
            "rho {rho}: spearman {spearman} vs {expected}"
        );
        // An input outside the block stays independent of both.
        let other = pearson(&ranks(&cols[0]), &ranks(&cols[2]));
        assert!(other.abs() < 0.03, "price vs langfang {other}");
        // The marginals keep their distributions: uniform(20, 100) and lognormal(mean 44, cv 0.3).
        let n = N as f64;
        let mean0 = cols[0].iter().sum::<f64>() / n;
        let se0 = 80.0 / 12f64.sqrt() / n.sqrt();
        assert!((mean0 - 60.0).abs() < 4.0 * se0, "price mean {mean0}");
        assert!(cols[0].iter().all(|v| (20.0..=100.0).contains(v)));
        let mean1 = cols[1].iter().sum::<f64>() / n;
        let se1 = 44.0 * 0.3 / n.sqrt();
        assert!((mean1 - 44.0).abs() < 4.0 * se1, "tianjin mean {mean1}");
        let sd1 = (cols[1].iter().map(|v| (v - mean1).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!((sd1 / (44.0 * 0.3) - 1.0).abs() < 0.05, "tianjin sd {sd1}");
    }
}

#[test]
fn the_identity_matrix_leaves_the_draws_alone() {
    let s = bth();
    let independent = plan(&s, &stanzas(0.0).replace("[[correlation]]", "[[ignored]]")).unwrap();
    let identity = plan(&s, &stanzas(0.0)).unwrap();
    for d in 0..200 {
        let u = uniforms(3, d, independent.slots());
        let a = independent.values(d, &u).unwrap();
        let b = identity.values(d, &u).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= 1e-9 * x.abs(), "draw {d}: {x} vs {y}");
        }
    }
}

#[test]
fn bad_correlations_are_refused() {
    let s = bth();
    let base = stanzas(0.5);
    let with = |block: &str| {
        base.replace(
        "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nmatrix = [[1, 0.5], [0.5, 1.0]]",
        block,
    )
    };
    let cases = [
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\", \"standard.langfang\"]\nmatrix = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]",
            "not positive definite",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nmatrix = [[1, 0.5], [0.4, 1]]",
            "not symmetric",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nmatrix = [[2, 0.5], [0.5, 1]]",
            "unit diagonal",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.baoding\"]\nmatrix = [[1, 0.5], [0.5, 1]]",
            "not an input of this analysis",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"price\"]\nmatrix = [[1, 0.5], [0.5, 1]]",
            "appears twice",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nmatrix = [[1, 0.5, 0], [0.5, 1, 0]]",
            "must be 2 × 2",
        ),
        (
            "[[correlation]]\nparams = [\"price\"]\nmatrix = [[1]]",
            "at least two",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nmatrix = [[1, 1.5], [1.5, 1]]",
            "in [-1, 1]",
        ),
        (
            "[[correlation]]\nparams = [\"price\", \"standard.tianjin\"]\nrho = 0.5",
            "unknown key `rho`",
        ),
    ];
    for (block, expected) in cases {
        let text = with(block);
        assert_ne!(text, base, "the replacement did not apply");
        let e = plan(&s, &text).unwrap_err();
        assert!(e.contains(expected), "{block}: {e}");
        assert!(e.contains("correlation"), "{e}");
    }
    // A correlation without its stanzas.
    let e = UncertaintySpec::from_toml_str(
        "[[correlation]]\nparams = [\"a\", \"b\"]\nmatrix = [[1, 0], [0, 1]]\n",
        "c.toml",
    )
    .unwrap_err();
    assert!(e.to_string().contains("same file"), "{e}");
}

#[test]
fn mc_records_the_copula_and_sensitivity_refuses_it() {
    let s = bth();
    let p = plan(&s, &stanzas(0.6)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = McOptions {
        draws: 20,
        seed: 1,
        shard: Shard::WHOLE,
    };
    run_mc(&s, &s.pricing.scheme, &p, &options, dir.path(), &NoProgress).unwrap();
    let manifest = std::fs::read_to_string(dir.path().join("mc.json")).unwrap();
    assert!(
        manifest.contains("correlation price, standard.tianjin ~ gaussian copula"),
        "{manifest}"
    );
    let e = run_sensitivity(
        &s,
        &s.pricing.scheme,
        &p,
        &SensitivityOptions {
            method: Method::Sobol,
            samples: 8,
            seed: 1,
            shard: Shard::WHOLE,
        },
        &dir.path().join("sobol"),
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.to_string().contains("independent inputs"), "{e}");
}
