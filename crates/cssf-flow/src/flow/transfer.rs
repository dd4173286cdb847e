//! The transfer (Eq 16) and its impact factor `k`.

use crate::CssfError;

/// The impact factor `k` of Eq 16, validated to lie in [0, 1]. The paper uses 0.6.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct ImpactFactor(f64);

impl ImpactFactor {
    /// The paper's value, 0.6 (Wang et al. 2021a).
    pub const PAPER: ImpactFactor = ImpactFactor(0.6);

    /// A validated impact factor.
    ///
    /// # Errors
    /// [`CssfError::InvalidImpactFactor`] unless `0 ≤ k ≤ 1`.
    pub fn new(k: f64) -> Result<Self, CssfError> {
        if (0.0..=1.0).contains(&k) {
            Ok(Self(k))
        } else {
            Err(CssfError::InvalidImpactFactor { value: k })
        }
    }

    /// The value of `k`, dimensionless.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for ImpactFactor {
    fn default() -> Self {
        Self::PAPER
    }
}

/// The transfer `V = k · S_rs · I` (Eq 16). Zero when the flow area is zero.
///
/// # Units
/// `area_km2` in km², `intensity_t_per_km2` in t/km²; result in t.
pub fn transfer_t(k: ImpactFactor, area_km2: f64, intensity_t_per_km2: f64) -> f64 {
    if area_km2 <= 0.0 || intensity_t_per_km2 <= 0.0 {
        return 0.0;
    }
    k.get() * area_km2 * intensity_t_per_km2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_is_validated() {
        assert!(ImpactFactor::new(1.5).is_err());
        assert!(ImpactFactor::new(-0.1).is_err());
        assert!(ImpactFactor::new(f64::NAN).is_err());
        assert_eq!(ImpactFactor::new(0.6).unwrap(), ImpactFactor::default());
        assert_eq!(transfer_t(ImpactFactor::PAPER, 10.0, 2.0), 12.0);
        assert_eq!(transfer_t(ImpactFactor::PAPER, 0.0, 2.0), 0.0);
    }
}
