//! The flow intensity (field strength, Eq 15).

/// Which form of Eq 15 to use (METHOD.md 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Intensity {
    /// `I = (S_s − D_s) / R²`: the output region's surplus over the squared flow range. This
    /// reproduces all 12 rows of the paper's Table 3 and is the default.
    #[default]
    SurplusOverRange,
    /// `I = N_r / D_rs²`, as Eq 15 is printed (`N_r`: the input region's mass per [`Mass`]).
    ///
    /// [`Mass`]: crate::Mass
    AsPrinted,
}

impl Intensity {
    /// The spelling used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Intensity::SurplusOverRange => "surplus-over-range",
            Intensity::AsPrinted => "as-printed",
        }
    }
}

/// The flow intensity of one (output s, input r) pair.
///
/// `surplus_t` is `S_s − D_s` of the output region, `n_input_t` the input region's mass
/// `N_r`. Where the divisor is zero (range or distance 0) there is no flow and the intensity
/// is 0, never infinite or NaN.
///
/// # Units
/// Masses in t, lengths in km; result in t/km².
pub fn flow_intensity_t_per_km2(
    intensity: Intensity,
    surplus_t: f64,
    n_input_t: f64,
    distance_km: f64,
    range_km: f64,
) -> f64 {
    let (numerator, length) = match intensity {
        Intensity::SurplusOverRange => (surplus_t, range_km),
        Intensity::AsPrinted => (n_input_t, distance_km),
    };
    let value = numerator / (length * length);
    if length > 0.0 && value.is_finite() {
        value.max(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_table_3_beijing_to_tianjin() {
        // Beijing's surplus 115.62 Mt over a 102.55 km range: 10,994.64 t/km² (Table 3).
        let i = flow_intensity_t_per_km2(Intensity::SurplusOverRange, 115.62e6, 0.0, 0.0, 102.55);
        assert!((i - 10_994.64).abs() < 1.0, "{i}");
        assert_eq!(
            flow_intensity_t_per_km2(Intensity::AsPrinted, 1.0, 4.0, 2.0, 1.0),
            1.0
        );
        assert_eq!(
            flow_intensity_t_per_km2(Intensity::AsPrinted, 1.0, 4.0, 0.0, 0.0),
            0.0
        );
    }
}
