//! Emission intensities `c = E / x` (METHOD 1.3, Eq 6).

/// Emission intensities per unit of output, and the sectors where none could be formed.
#[derive(Debug, Clone, PartialEq)]
pub struct Intensities {
    /// `c[i] = E[i] / x[i]`, zero where `x[i] = 0` (n, region-major).
    pub per_output: Vec<f64>,
    /// Indices with `x = 0` and `E > 0`: their emissions cannot be attributed to any final
    /// demand and drop out of every account.
    pub dropped: Vec<usize>,
}

/// Computes `c = E / x` (Eq 6).
///
/// # Units
/// `c` is in (unit of `emissions`) per (monetary unit of `x`).
///
/// # Panics
/// When the slices differ in length.
pub fn intensities(emissions: &[f64], x: &[f64]) -> Intensities {
    assert_eq!(emissions.len(), x.len(), "one emission value per sector");
    let mut dropped = Vec::new();
    let per_output = emissions
        .iter()
        .zip(x)
        .enumerate()
        .map(|(i, (&e, &xi))| {
            if xi == 0.0 {
                if e != 0.0 {
                    dropped.push(i);
                }
                0.0
            } else {
                e / xi
            }
        })
        .collect();
    Intensities {
        per_output,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_output_gives_zero_intensity_and_is_reported() {
        let c = intensities(&[10.0, 5.0, 0.0], &[4.0, 0.0, 0.0]);
        assert_eq!(c.per_output, vec![2.5, 0.0, 0.0]);
        assert_eq!(c.dropped, vec![1]);
    }
}
