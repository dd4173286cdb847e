//! Parse-time checks of numeric and unit flags (clap value parsers): a value outside its
//! domain is refused with the flag's domain before anything is read.

use fzc_core::MassUnit;

/// A number in the closed unit interval [0, 1] (`--k`, Eq 16's impact factor).
///
/// # Errors
/// Not a number, not finite, or outside [0, 1]: the message names the range.
pub fn unit_interval(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number; expected a number in [0, 1]"))?;
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is outside [0, 1]"))
    }
}

/// A CO2 mass unit `fzc_core::MassUnit` accepts (`--unit`, `--emissions-unit`), kept as the
/// text given so the library reports it as written.
///
/// # Errors
/// A unit that is not one of kg, t, 10^4 t, kt (Gg), Mt (Tg), Gt (optionally + CO2/CO2e).
pub fn mass_unit(text: &str) -> Result<String, String> {
    text.parse::<MassUnit>()
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

/// Parses `--raster-crs`: `EPSG:<code>`, a geographic code fzc knows or a projected one.
///
/// # Errors
/// The reason, naming the code and what is accepted.
pub fn raster_crs(text: &str) -> Result<fzc_core::GridCrs, String> {
    fzc_io::parse_raster_crs(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_interval_keeps_its_ends_and_refuses_the_rest() {
        assert_eq!(unit_interval("0"), Ok(0.0));
        assert_eq!(unit_interval("1"), Ok(1.0));
        assert_eq!(unit_interval("0.6"), Ok(0.6));
        for bad in ["-0.1", "1.0001", "NaN", "inf", "-inf", "x", ""] {
            assert!(unit_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mass_unit_accepts_the_documented_spellings() {
        for good in ["t", "kt", "10^4 t", "Mt CO2", "Gg", "kg"] {
            assert_eq!(mass_unit(good).as_deref(), Ok(good));
        }
        for bad in ["tons", "", "lb"] {
            assert!(mass_unit(bad).is_err(), "{bad}");
        }
    }
}
