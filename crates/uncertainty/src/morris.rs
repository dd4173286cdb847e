//! Morris elementary effects: one-at-a-time trajectories on a grid of `p` levels, and
//! `mu*`, its bootstrap confidence half-width, and `sigma` per input.
//!
//! The statistics are SALib's (`SALib.analyze.morris`, unscaled): along a trajectory each
//! step moves one input by `Δ = p / (2 (p − 1))` of the unit grid, and its elementary effect
//! is `(y(higher) − y(lower)) / Δ`; `mu* = mean |EE|`, `sigma = sd(EE)` (n − 1), and the
//! confidence half-width of `mu*` is `z · sd` of `mu*` over bootstrap resamples of the
//! trajectories. Checked against SALib on SALib's own sample (committed fixture).
//!
//! A trajectory `t` depends only on `(seed, t)` ([`crate::uniforms`] on stream `t`): each
//! input starts at a grid level `k` drawn uniformly from `0..p`, moves by `p/2` levels (up
//! when `k < p/2`, else down, so every step stays on the grid), in an order drawn at random.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::sample::uniforms;

/// `mu*`, its confidence half-width and `sigma` of one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean of the elementary effects (signed).
    pub mu: f64,
    /// Mean of their absolute values.
    pub mu_star: f64,
    /// Half-width of `mu_star`'s confidence interval.
    pub mu_star_conf: f64,
    /// Standard deviation of the elementary effects (n − 1 in the denominator).
    pub sigma: f64,
}

/// Keeps the trajectories' random numbers apart from the draws of `fzc mc` with the same seed.
const SALT: u64 = 0x4d6f_7272_6973_0001; // "Morris" 1

/// The step of a grid of `levels` levels, as a share of the unit interval: `p / (2 (p − 1))`.
pub fn morris_delta(levels: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // small level counts
    let p = levels as f64;
    p / (2.0 * (p - 1.0))
}

/// The value in (0, 1) a grid value `g` (a multiple of `1 / (p − 1)` in [0, 1]) stands for
/// when it goes through a quantile function: the centre `(k + ½) / p` of level `k`'s share of
/// the probability, so that unbounded distributions stay finite.
pub fn morris_probability(g: f64, levels: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // small level counts
    let p = levels as f64;
    let k = (g * (p - 1.0)).round();
    (k + 0.5) / p
}

/// Trajectory `t` of a Morris design for `d` inputs on `levels` levels: `d + 1` rows of grid
/// values in [0, 1], each row differing from the one before in one input.
pub fn morris_trajectory(t: u64, d: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    let u = uniforms(seed ^ SALT, t, 2 * d);
    let half = levels / 2;
    #[allow(clippy::cast_precision_loss)] // small level counts
    let top = (levels - 1) as f64;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )] // u in (0, 1), levels small
    let mut level: Vec<usize> = u[..d]
        .iter()
        .map(|x| ((x * levels as f64) as usize).min(levels - 1))
        .collect();
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| u[d + a].total_cmp(&u[d + b]).then(a.cmp(&b)));
    #[allow(clippy::cast_precision_loss)] // small level counts
    let row = |level: &[usize]| level.iter().map(|&k| k as f64 / top).collect::<Vec<f64>>();
    let mut rows = Vec::with_capacity(d + 1);
    rows.push(row(&level));
    for &j in &order {
        level[j] = if level[j] < half {
            level[j] + half
        } else {
            level[j] - half
        };
        rows.push(row(&level));
    }
    rows
}

/// The rows of `trajectories` Morris trajectories (`trajectories · (d + 1)` rows).
pub fn morris_sample(trajectories: usize, d: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..trajectories)
        .flat_map(|t| morris_trajectory(u64::try_from(t).unwrap_or(u64::MAX), d, levels, seed))
        .collect()
}

/// The Morris statistics of `d` inputs from grid rows `x` (trajectories of `d + 1` rows, as
/// [`morris_sample`] makes them or SALib's `morris.sample` with bounds [0, 1]) and outputs
/// `y`, with bootstrap `resamples` of the trajectory indices and confidence level
/// `conf_level`.
///
/// # Errors
/// A message when the rows are not whole trajectories of `d + 1` rows in which each step
/// changes exactly one input, fewer than two trajectories, a bad resample or confidence
/// level, or an output that is not finite.
pub fn morris_indices(
    x: &[Vec<f64>],
    y: &[f64],
    d: usize,
    levels: usize,
    resamples: &[Vec<usize>],
    conf_level: f64,
) -> Result<Vec<MorrisIndex>, String> {
    let step = d + 1;
    if d == 0 || x.len() != y.len() || x.is_empty() || !x.len().is_multiple_of(step) {
        return Err(format!(
            "{} rows and {} outputs are not whole trajectories of {step} rows ({d} inputs)",
            x.len(),
            y.len()
        ));
    }
    let r = x.len() / step;
    if r < 2 {
        return Err(format!("{r} trajectory: at least 2 are needed for sigma"));
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(format!("confidence level {conf_level} is not in (0, 1)"));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("model output {i} is {} (not finite)", y[i]));
    }
    for (k, s) in resamples.iter().enumerate() {
        if s.len() != r || s.iter().any(|&i| i >= r) {
            return Err(format!(
                "bootstrap resample {k} must hold {r} indices below {r}"
            ));
        }
    }
    let delta = morris_delta(levels);
    // ee[j][t]: the effect of input j in trajectory t.
    let mut ee = vec![vec![f64::NAN; r]; d];
    for t in 0..r {
        for i in 1..step {
            let (before, after) = (&x[t * step + i - 1], &x[t * step + i]);
            let changed: Vec<usize> = (0..d).filter(|&j| before[j] != after[j]).collect();
            let [j] = changed[..] else {
                return Err(format!(
                    "row {} changes {} inputs from the row before; a trajectory step changes one",
                    t * step + i,
                    changed.len()
                ));
            };
            let (hi, lo) = if after[j] > before[j] {
                (y[t * step + i], y[t * step + i - 1])
            } else {
                (y[t * step + i - 1], y[t * step + i])
            };
            ee[j][t] = (hi - lo) / delta;
        }
    }
    if let Some(j) = ee.iter().position(|e| e.iter().any(|v| v.is_nan())) {
        return Err(format!("input {j} is not moved once in every trajectory"));
    }
    let z = Normal::standard().inverse_cdf(0.5 + conf_level / 2.0);
    let mean = |v: &[f64]| {
        #[allow(clippy::cast_precision_loss)] // sample sizes
        let n = v.len() as f64;
        v.iter().sum::<f64>() / n
    };
    let sd = |v: &[f64]| {
        if v.len() < 2 {
            return 0.0;
        }
        let m = mean(v);
        #[allow(clippy::cast_precision_loss)] // sample sizes
        let n = v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    Ok(ee
        .iter()
        .map(|e| {
            let abs: Vec<f64> = e.iter().map(|v| v.abs()).collect();
            let boot: Vec<f64> = resamples
                .iter()
                .map(|s| mean(&s.iter().map(|&i| abs[i]).collect::<Vec<f64>>()))
                .collect();
            MorrisIndex {
                mu: mean(e),
                mu_star: mean(&abs),
                mu_star_conf: z * sd(&boot),
                sigma: sd(e),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every trajectory stays on the grid and moves each input exactly once, by Δ.
        #[test]
        fn trajectories_move_each_input_once_by_delta(
            t in 0u64..1000, d in 1usize..12, half in 1usize..4, seed: u64
        ) {
            let levels = 2 * half;
            let rows = morris_trajectory(t, d, levels, seed);
            prop_assert_eq!(rows.len(), d + 1);
            let delta = morris_delta(levels);
            let mut moved = vec![0; d];
            for w in rows.windows(2) {
                let changed: Vec<usize> = (0..d).filter(|&j| w[0][j] != w[1][j]).collect();
                prop_assert_eq!(changed.len(), 1);
                let j = changed[0];
                prop_assert!(((w[1][j] - w[0][j]).abs() - delta).abs() < 1e-12);
                moved[j] += 1;
            }
            prop_assert!(moved.iter().all(|&m| m == 1));
            prop_assert!(rows.iter().flatten().all(|g| (0.0..=1.0).contains(g)));
            prop_assert_eq!(rows, morris_trajectory(t, d, levels, seed));
        }

        /// A linear model's elementary effects are its coefficients: mu* = |c|, sigma = 0,
        /// mu = c, whatever the trajectories.
        #[test]
        fn a_linear_model_gives_its_coefficients(
            c in proptest::collection::vec(-10.0f64..10.0, 1..6), seed: u64
        ) {
            let d = c.len();
            let x = morris_sample(8, d, 4, seed);
            let y: Vec<f64> = x.iter().map(|g| g.iter().zip(&c).map(|(a, b)| a * b).sum()).collect();
            let out = morris_indices(&x, &y, d, 4, &[], 0.95).unwrap();
            for (i, cj) in out.iter().zip(&c) {
                prop_assert!((i.mu_star - cj.abs()).abs() < 1e-9);
                prop_assert!((i.mu - cj).abs() < 1e-9);
                prop_assert!(i.sigma.abs() < 1e-9);
            }
        }
    }

    #[test]
    fn probabilities_are_level_centres() {
        assert_eq!(morris_probability(0.0, 4), 0.125);
        assert_eq!(morris_probability(1.0 / 3.0, 4), 0.375);
        assert_eq!(morris_probability(1.0, 4), 0.875);
    }

    #[test]
    fn bad_designs_are_refused() {
        let x = morris_sample(3, 2, 4, 1);
        let y = vec![0.0; x.len()];
        assert!(morris_indices(&x, &y[1..], 2, 4, &[], 0.95).is_err());
        assert!(morris_indices(&x[..3], &y[..3], 2, 4, &[], 0.95).is_err());
        let mut two = x.clone();
        two[1] = vec![1.0 - two[0][0], 1.0 - two[0][1]];
        assert!(morris_indices(&two, &y, 2, 4, &[], 0.95).is_err());
        assert!(morris_indices(&x, &y, 2, 4, &[vec![0, 9, 1]], 0.95).is_err());
    }
}
