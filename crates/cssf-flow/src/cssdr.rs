//! The carbon sequestration service supply–demand ratio (CSSDR, Eq 13) and the role it gives
//! a region.

/// The pixel value [`cssdr_pixels`] writes where the ratio is undefined.
pub const CSSDR_NODATA: f64 = -9999.0;

/// The role of a region in the CSSF layer, from the sign of its CSSDR (METHOD.md 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// CSSDR > 0: supply exceeds demand; the region can provide service to others.
    Output,
    /// CSSDR < 0: demand exceeds supply; the region draws service from others.
    Input,
    /// CSSDR = 0, or undefined (supply + demand = 0).
    Balanced,
}

impl Role {
    /// The role of a region with the given CSSDR (`None`: undefined, i.e. balanced).
    pub fn from_cssdr(cssdr: Option<f64>) -> Self {
        match cssdr {
            Some(r) if r > 0.0 => Role::Output,
            Some(r) if r < 0.0 => Role::Input,
            _ => Role::Balanced,
        }
    }

    /// The spelling used in output files: `output`, `input` or `balanced`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Output => "output",
            Role::Input => "input",
            Role::Balanced => "balanced",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The supply–demand ratio `(S − D) / (S + D)` (Eq 13).
///
/// Returns `None` where it is undefined: `S + D = 0`, a negative or non-finite input. For
/// `S, D ≥ 0` the result lies in [−1, 1].
///
/// # Units
/// `supply` and `demand` in the same mass unit (t); the ratio is dimensionless.
pub fn cssdr(supply: f64, demand: f64) -> Option<f64> {
    if !(supply.is_finite() && demand.is_finite()) || supply < 0.0 || demand < 0.0 {
        return None;
    }
    let total = supply + demand;
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    Some(((supply - demand) / total).clamp(-1.0, 1.0))
}

/// Eq 13 per pixel: writes `cssdr(supply[i], demand[i])` into `out[i]`, or [`CSSDR_NODATA`]
/// where the ratio is undefined (`S + D = 0`, negative, non-finite, or a nodata input).
///
/// `nodata` is the nodata value of the input layers, if they have one; a pixel where either
/// layer holds it is nodata in the output. The output never holds NaN.
///
/// # Units
/// Inputs in the same mass unit per pixel (t); output dimensionless.
///
/// # Panics
/// If the three slices do not have the same length (a programming error, not a data error).
pub fn cssdr_pixels(supply: &[f64], demand: &[f64], nodata: Option<f64>, out: &mut [f64]) {
    assert!(
        supply.len() == demand.len() && supply.len() == out.len(),
        "cssdr_pixels: slices of different lengths ({}, {}, {})",
        supply.len(),
        demand.len(),
        out.len()
    );
    for ((s, d), o) in supply.iter().zip(demand).zip(out.iter_mut()) {
        let is_nodata = nodata.is_some_and(|nd| *s == nd || *d == nd);
        *o = if is_nodata {
            CSSDR_NODATA
        } else {
            cssdr(*s, *d).unwrap_or(CSSDR_NODATA)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_matches_the_papers_tianjin_value() {
        // Tianjin: demand 141.72 Mt, deficit 63.635 Mt, CSSDR −0.29 (paper 4.2.3).
        let demand = 141.72;
        let supply = demand - 63.635;
        let r = cssdr(supply, demand).unwrap();
        assert!((r - (-0.29)).abs() < 0.005, "{r}");
        assert_eq!(Role::from_cssdr(Some(r)), Role::Input);
    }

    #[test]
    fn undefined_where_nothing_is_supplied_or_demanded() {
        assert_eq!(cssdr(0.0, 0.0), None);
        assert_eq!(cssdr(-1.0, 2.0), None);
        assert_eq!(cssdr(f64::NAN, 2.0), None);
        assert_eq!(Role::from_cssdr(None), Role::Balanced);
        assert_eq!(cssdr(3.0, 0.0), Some(1.0));
        assert_eq!(cssdr(0.0, 3.0), Some(-1.0));
    }

    #[test]
    fn pixels_write_nodata_not_nan() {
        let s = [1.0, 0.0, -5.0, 2.0, f64::NAN];
        let d = [1.0, 0.0, 1.0, -9.0, 1.0];
        let mut out = [0.0; 5];
        cssdr_pixels(&s, &d, Some(-9.0), &mut out);
        assert_eq!(
            out,
            [0.0, CSSDR_NODATA, CSSDR_NODATA, CSSDR_NODATA, CSSDR_NODATA]
        );
    }
}
