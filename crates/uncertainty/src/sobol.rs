//! Sobol' sensitivity indices: Saltelli sampling on a scrambled Sobol' sequence, and the
//! first-order and total indices with bootstrap confidence intervals.
//!
//! The estimators are SALib's (`SALib.analyze.sobol`, second order off), so that the same
//! model outputs give the same indices (checked against a committed SALib fixture):
//! the outputs are standardised, `S1_j = mean(f_B (f_ABj − f_A)) / var(f_A ∪ f_B)` (Saltelli
//! 2010) and `ST_j = mean((f_A − f_ABj)²) / 2 / var(f_A ∪ f_B)` (Jansen), variances with
//! `n` in the denominator; a confidence half-width is `z · sd(bootstrap estimates)`.
//!
//! The sample layout is SALib's too: sample `i` is `D + 2` rows, `A_i`, `AB_i1 … AB_iD`
//! (`A_i` with column `j` from `B_i`), `B_i`.

use statrs::distribution::{ContinuousCDF, Normal};

/// The first-order and total index of one input, with confidence half-widths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index `S1`.
    pub s1: f64,
    /// Half-width of `S1`'s confidence interval.
    pub s1_conf: f64,
    /// Total index `ST`.
    pub st: f64,
    /// Half-width of `ST`'s confidence interval.
    pub st_conf: f64,
}

/// The largest number of inputs: the scrambled Sobol' sequence has 256 dimensions and the
/// Saltelli scheme uses two per input.
pub const MAX_INPUTS: usize = 128;

/// The Saltelli sample of `n` base points for `d` inputs: `n · (d + 2)` rows of `d`
/// numbers in (0, 1), in SALib's layout (module doc). The base points are an Owen-scrambled
/// Sobol' sequence of dimension `2d` seeded by `seed`.
///
/// # Panics
/// Never for `d <= MAX_INPUTS`; callers check (the sequence has 256 dimensions).
pub fn saltelli_sample(n: usize, d: usize, seed: u32) -> Vec<Vec<f64>> {
    let point = |i: usize, dim: usize| -> f64 {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let dim = u32::try_from(dim).unwrap_or(255);
        // Owen-scrambled points can be 0; keep them inside (0, 1) for quantile functions.
        f64::from(sobol_burley::sample(index, dim, seed)).clamp(1e-9, 1.0 - 1e-9)
    };
    let mut rows = Vec::with_capacity(n * (d + 2));
    for i in 0..n {
        let a: Vec<f64> = (0..d).map(|j| point(i, j)).collect();
        let b: Vec<f64> = (0..d).map(|j| point(i, d + j)).collect();
        rows.push(a.clone());
        for j in 0..d {
            let mut ab = a.clone();
            ab[j] = b[j];
            rows.push(ab);
        }
        rows.push(b);
    }
    rows
}

/// The indices of `d` inputs from model outputs `y` in the layout of [`saltelli_sample`],
/// with bootstrap resamples `resamples` (each a list of `n` indices of base points, drawn
/// with replacement) and confidence level `conf_level` (e.g. 0.95).
///
/// # Errors
/// A message when `y`'s length is not a multiple of `d + 2`, a resample has the wrong
/// length or an index out of range, `conf_level` is not in (0, 1), or an output is not finite.
pub fn sobol_indices(
    y: &[f64],
    d: usize,
    resamples: &[Vec<usize>],
    conf_level: f64,
) -> Result<Vec<SobolIndex>, String> {
    let step = d + 2;
    if d == 0 || y.is_empty() || !y.len().is_multiple_of(step) {
        return Err(format!(
            "{} model outputs are not a whole number of samples of {step} rows ({d} inputs)",
            y.len()
        ));
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(format!("confidence level {conf_level} is not in (0, 1)"));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("model output {i} is {} (not finite)", y[i]));
    }
    let n = y.len() / step;
    for (k, r) in resamples.iter().enumerate() {
        if r.len() != n || r.iter().any(|&i| i >= n) {
            return Err(format!(
                "bootstrap resample {k} must hold {n} indices below {n}"
            ));
        }
    }
    #[allow(clippy::cast_precision_loss)] // sample sizes
    let total = y.len() as f64;
    let mean = y.iter().sum::<f64>() / total;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / total).sqrt();
    let y: Vec<f64> = if sd > 0.0 {
        y.iter().map(|v| (v - mean) / sd).collect()
    } else {
        vec![0.0; y.len()]
    };
    let a = |i: usize| y[i * step];
    let b = |i: usize| y[i * step + step - 1];
    let ab = |i: usize, j: usize| y[i * step + 1 + j];
    let identity: Vec<usize> = (0..n).collect();
    let z = Normal::standard().inverse_cdf(0.5 + conf_level / 2.0);

    let estimate = |rows: &[usize], j: usize| -> (f64, f64) {
        #[allow(clippy::cast_precision_loss)] // sample sizes
        let m = rows.len() as f64;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut sum = 0.0;
        for &i in rows {
            for v in [a(i), b(i)] {
                lo = lo.min(v);
                hi = hi.max(v);
                sum += v;
            }
        }
        if hi - lo <= f64::EPSILON {
            return (0.0, 0.0);
        }
        let mean = sum / (2.0 * m);
        let var = rows
            .iter()
            .map(|&i| (a(i) - mean).powi(2) + (b(i) - mean).powi(2))
            .sum::<f64>()
            / (2.0 * m);
        if var <= f64::EPSILON {
            return (0.0, 0.0);
        }
        let first = rows.iter().map(|&i| b(i) * (ab(i, j) - a(i))).sum::<f64>() / m;
        let total = 0.5 * rows.iter().map(|&i| (a(i) - ab(i, j)).powi(2)).sum::<f64>() / m;
        (first / var, total / var)
    };
    let spread = |values: &[f64]| -> f64 {
        if values.len() < 2 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)] // resample counts
        let k = values.len() as f64;
        let mean = values.iter().sum::<f64>() / k;
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
    };
    Ok((0..d)
        .map(|j| {
            let (s1, st) = estimate(&identity, j);
            let boot: Vec<(f64, f64)> = resamples.iter().map(|r| estimate(r, j)).collect();
            let s1s: Vec<f64> = boot.iter().map(|x| x.0).collect();
            let sts: Vec<f64> = boot.iter().map(|x| x.1).collect();
            SobolIndex {
                s1,
                s1_conf: z * spread(&s1s),
                st,
                st_conf: z * spread(&sts),
            }
        })
        .collect())
}

/// `count` bootstrap resamples of `n` base points (indices drawn with replacement) from
/// ChaCha20 keyed by `seed`: the same seed gives the same resamples.
pub fn bootstrap_resamples(n: usize, count: usize, seed: u64) -> Vec<Vec<usize>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let n64 = u64::try_from(n).unwrap_or(u64::MAX).max(1);
    (0..count)
        .map(|_| {
            (0..n)
                .map(|_| {
                    // Multiply-shift: an unbiased-enough index for bootstrap purposes.
                    let k = (u128::from(rng.next_u64()) * u128::from(n64)) >> 64;
                    usize::try_from(k).unwrap_or(0)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_swaps_one_column_per_row() {
        let rows = saltelli_sample(8, 3, 1);
        assert_eq!(rows.len(), 8 * 5);
        for i in 0..8 {
            let (a, b) = (&rows[i * 5], &rows[i * 5 + 4]);
            for j in 0..3 {
                let ab = &rows[i * 5 + 1 + j];
                for k in 0..3 {
                    assert_eq!(ab[k], if k == j { b[k] } else { a[k] });
                }
            }
        }
        assert!(rows.iter().flatten().all(|u| *u > 0.0 && *u < 1.0));
    }

    #[test]
    fn bad_outputs_are_refused() {
        assert!(sobol_indices(&[1.0; 7], 3, &[], 0.95).is_err());
        assert!(sobol_indices(&[1.0, f64::NAN, 1.0], 1, &[], 0.95).is_err());
        assert!(sobol_indices(&[1.0; 6], 1, &[vec![0, 5]], 0.95).is_err());
        assert!(sobol_indices(&[1.0; 6], 1, &[], 1.0).is_err());
    }
}
