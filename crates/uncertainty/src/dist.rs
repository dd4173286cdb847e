//! The distributions a `[[uncertainty]]` stanza can name, each as a quantile function.
//!
//! Every draw goes through the quantile function `Q(u)` of its distribution, with `u` a
//! uniform number in (0, 1). That makes a `group` of stanzas perfectly rank-correlated (they
//! share one `u`) and a zero-width distribution exactly its single value.

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

/// A probability distribution of one uncertain input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (`0`: always `mean`).
        sd: f64,
    },
    /// Log-normal: `ln X` is normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X`.
        sigma: f64,
    },
    /// Triangular on `[low, high]` with its peak at `mode`.
    Triangular {
        /// Lower bound.
        low: f64,
        /// The most likely value.
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// A normal with mean `mean` and standard deviation `sd`, truncated to `[low, high]`
    /// (either bound may be infinite).
    TruncNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

impl Distribution {
    /// The names accepted in `dist = "..."`.
    pub const NAMES: [&'static str; 5] = [
        "uniform",
        "normal",
        "lognormal",
        "triangular",
        "truncnormal",
    ];

    /// The distribution's name as written in a stanza.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "uniform",
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::Triangular { .. } => "triangular",
            Distribution::TruncNormal { .. } => "truncnormal",
        }
    }

    /// Whether the distribution is bounded below at a value `>= 0` by construction, so that
    /// its draws can never be negative.
    pub fn is_nonnegative(&self) -> bool {
        match *self {
            Distribution::Uniform { low, .. }
            | Distribution::Triangular { low, .. }
            | Distribution::TruncNormal { low, .. } => low >= 0.0,
            Distribution::Normal { mean, sd } => sd == 0.0 && mean >= 0.0,
            Distribution::LogNormal { .. } => true,
        }
    }

    /// Whether the distribution is truncated (its support is stated by the user), so that a
    /// draw outside an input's valid range is the user's stated intent, not an accident.
    pub fn is_truncated(&self) -> bool {
        matches!(self, Distribution::TruncNormal { .. })
    }

    /// Checks the parameters: finite, `sd >= 0`, `low <= mode <= high`, a truncation window
    /// with positive probability.
    ///
    /// # Errors
    /// A message saying which parameter is wrong and what is expected.
    pub fn validate(&self) -> Result<(), String> {
        let finite = |name: &str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(format!("{name} = {v} is not a finite number"))
            }
        };
        match *self {
            Distribution::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if low > high {
                    return Err(format!("low = {low} is above high = {high}"));
                }
            }
            Distribution::Normal { mean, sd } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd < 0.0 {
                    return Err(format!("sd = {sd} is negative"));
                }
            }
            Distribution::LogNormal { mu, sigma } => {
                finite("mu", mu)?;
                finite("sigma", sigma)?;
                if sigma < 0.0 {
                    return Err(format!("sigma = {sigma} is negative"));
                }
            }
            Distribution::Triangular { low, mode, high } => {
                finite("low", low)?;
                finite("mode", mode)?;
                finite("high", high)?;
                if !(low <= mode && mode <= high) {
                    return Err(format!(
                        "expected low <= mode <= high, got low = {low}, mode = {mode}, high = {high}"
                    ));
                }
            }
            Distribution::TruncNormal {
                mean,
                sd,
                low,
                high,
            } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd < 0.0 {
                    return Err(format!("sd = {sd} is negative"));
                }
                if low.is_nan() || high.is_nan() || low > high {
                    return Err(format!("low = {low} is above high = {high}"));
                }
                if sd == 0.0 {
                    if !(low <= mean && mean <= high) {
                        return Err(format!(
                            "sd = 0 puts every draw at mean = {mean}, outside [{low}, {high}]"
                        ));
                    }
                } else {
                    let (a, b) = truncation_window(mean, sd, low, high);
                    if b <= a {
                        return Err(format!(
                            "the window [{low}, {high}] holds no probability of normal(mean = \
                             {mean}, sd = {sd}) in double precision"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The quantile function: the value below which a share `u` of the distribution lies.
    ///
    /// `u` must be in the open interval (0, 1); a zero-width distribution returns its single
    /// value for every `u`.
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Distribution::Uniform { low, high } => {
                if low == high {
                    low
                } else {
                    (low + u * (high - low)).clamp(low, high)
                }
            }
            Distribution::Normal { mean, sd } => {
                if sd == 0.0 {
                    mean
                } else {
                    mean + sd * standard_normal_quantile(u)
                }
            }
            Distribution::LogNormal { mu, sigma } => {
                if sigma == 0.0 {
                    mu.exp()
                } else {
                    (mu + sigma * standard_normal_quantile(u)).exp()
                }
            }
            Distribution::Triangular { low, mode, high } => {
                if low == high {
                    return low;
                }
                let width = high - low;
                let split = (mode - low) / width;
                let value = if u < split {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                };
                value.clamp(low, high)
            }
            Distribution::TruncNormal {
                mean,
                sd,
                low,
                high,
            } => {
                if sd == 0.0 || low == high {
                    return mean.clamp(low, high);
                }
                // Work in the tail where the normal CDF keeps its relative precision: a window
                // above the mean is mirrored below it.
                let mirrored = low > mean;
                let (a, b) = truncation_window(mean, sd, low, high);
                // Mirroring reverses the order, so a mirrored window takes 1 − u.
                let p = if mirrored {
                    a + (1.0 - u) * (b - a)
                } else {
                    a + u * (b - a)
                };
                let z = standard_normal_quantile(p.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON));
                let x = mean + sd * z;
                let x = if mirrored { 2.0 * mean - x } else { x };
                x.clamp(low, high)
            }
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Distribution::Uniform { low, high } => write!(f, "uniform(low = {low}, high = {high})"),
            Distribution::Normal { mean, sd } => write!(f, "normal(mean = {mean}, sd = {sd})"),
            Distribution::LogNormal { mu, sigma } => {
                write!(f, "lognormal(mu = {mu}, sigma = {sigma})")
            }
            Distribution::Triangular { low, mode, high } => {
                write!(f, "triangular(low = {low}, mode = {mode}, high = {high})")
            }
            Distribution::TruncNormal {
                mean,
                sd,
                low,
                high,
            } => write!(
                f,
                "truncnormal(mean = {mean}, sd = {sd}, low = {low}, high = {high})"
            ),
        }
    }
}

fn standard_normal() -> Normal {
    // Mean 0 and sd 1 are valid parameters.
    Normal::standard()
}

/// `Φ⁻¹(u)` of the standard normal.
fn standard_normal_quantile(u: f64) -> f64 {
    standard_normal().inverse_cdf(u)
}

/// `(Φ(z_low), Φ(z_high))` of a truncation window; a window above the mean is mirrored
/// below it first (`quantile` mirrors the draw back), where Φ keeps its relative precision.
fn truncation_window(mean: f64, sd: f64, low: f64, high: f64) -> (f64, f64) {
    let n = standard_normal();
    let (low, high) = if low > mean {
        (2.0 * mean - high, 2.0 * mean - low)
    } else {
        (low, high)
    };
    (n.cdf((low - mean) / sd), n.cdf((high - mean) / sd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_at_known_points() {
        let u = Distribution::Uniform {
            low: 40.0,
            high: 60.0,
        };
        assert_eq!(u.quantile(0.25), 45.0);
        let n = Distribution::Normal {
            mean: 10.0,
            sd: 2.0,
        };
        assert!((n.quantile(0.975) - (10.0 + 2.0 * 1.959_963_984_540_054)).abs() < 1e-9);
        let t = Distribution::Triangular {
            low: 0.0,
            mode: 1.0,
            high: 2.0,
        };
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12);
        let l = Distribution::LogNormal {
            mu: 0.0,
            sigma: 0.5,
        };
        assert!((l.quantile(0.5) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_window_far_in_the_upper_tail_keeps_its_draws_inside() {
        let d = Distribution::TruncNormal {
            mean: 0.0,
            sd: 1.0,
            low: 9.0,
            high: 10.0,
        };
        d.validate().unwrap_or_else(|e| panic!("{e}"));
        let mut last = f64::NEG_INFINITY;
        for u in [1e-9, 0.1, 0.5, 0.9, 1.0 - 1e-9] {
            let x = d.quantile(u);
            assert!((9.0..=10.0).contains(&x), "u = {u}: {x}");
            // Mirrored windows must stay increasing in u (a proptest found them reversed).
            assert!(x >= last, "u = {u}: {x} < {last}");
            last = x;
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let bad = [
            Distribution::Uniform {
                low: 2.0,
                high: 1.0,
            },
            Distribution::Normal {
                mean: 0.0,
                sd: -1.0,
            },
            Distribution::Triangular {
                low: 0.0,
                mode: 3.0,
                high: 2.0,
            },
            Distribution::TruncNormal {
                mean: 0.0,
                sd: 0.0,
                low: 1.0,
                high: 2.0,
            },
            Distribution::Uniform {
                low: f64::NAN,
                high: 1.0,
            },
        ];
        for d in bad {
            assert!(d.validate().is_err(), "{d} was accepted");
        }
    }
}
