//! The flow range: the breakpoint formula (Eq 14) and the masses it compares.

/// Which masses `N_r` (input region) and `N_s` (output region) enter Eq 14 and the printed
/// intensity (METHOD.md 2.4: Table 3 cannot tell which the paper used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Mass {
    /// `N` = demand of each region (CSSD, as printed). The default.
    #[default]
    Demand,
    /// `N` = supply of each region.
    Supply,
    /// `N_r` = the input region's deficit `D_r − S_r`, `N_s` = the output region's surplus
    /// `S_s − D_s`.
    Balance,
}

impl Mass {
    /// `(N_r, N_s)` for input region `(s_r, d_r)` and output region `(s_s, d_s)`.
    ///
    /// # Units
    /// Supplies, demands and results in t.
    pub fn masses(self, input: (f64, f64), output: (f64, f64)) -> (f64, f64) {
        let ((s_r, d_r), (s_s, d_s)) = (input, output);
        match self {
            Mass::Demand => (d_r, d_s),
            Mass::Supply => (s_r, s_s),
            Mass::Balance => (d_r - s_r, s_s - d_s),
        }
    }

    /// The spelling used on the command line: `demand`, `supply`, `balance`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mass::Demand => "demand",
            Mass::Supply => "supply",
            Mass::Balance => "balance",
        }
    }
}

/// The breakpoint distance from the output core, `R = D_rs / (1 + sqrt(N_r / N_s))` (Eq 14).
///
/// The larger the input region's mass `n_input` against the output region's `n_output`, the
/// closer the breakpoint lies to the output core. Limits: `n_output = 0` gives 0 (the output
/// region has no pull), `n_input = 0` gives `distance_km`. Both zero, or a negative mass, gives
/// 0: no flow range is defined.
///
/// # Units
/// `distance_km` and result in km; masses in the same unit (t).
pub fn breakpoint_range_km(distance_km: f64, n_input: f64, n_output: f64) -> f64 {
    let defined = n_input >= 0.0 && n_output > 0.0 && distance_km.is_finite() && distance_km > 0.0;
    if !defined {
        return 0.0;
    }
    distance_km / (1.0 + (n_input / n_output).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_masses_break_halfway() {
        assert_eq!(breakpoint_range_km(100.0, 5.0, 5.0), 50.0);
        assert_eq!(breakpoint_range_km(100.0, 0.0, 5.0), 100.0);
        assert_eq!(breakpoint_range_km(100.0, 5.0, 0.0), 0.0);
        // N_r = 4 N_s: 1 / (1 + 2).
        assert!((breakpoint_range_km(90.0, 4.0, 1.0) - 30.0).abs() < 1e-12);
    }

    #[test]
    fn balance_uses_deficit_and_surplus() {
        assert_eq!(Mass::Balance.masses((1.0, 5.0), (9.0, 2.0)), (4.0, 7.0));
        assert_eq!(Mass::Demand.masses((1.0, 5.0), (9.0, 2.0)), (5.0, 2.0));
        assert_eq!(Mass::Supply.masses((1.0, 5.0), (9.0, 2.0)), (1.0, 9.0));
    }
}
