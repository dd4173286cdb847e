//! Strict number parsing for table cells: a label such as `"nan"` is never a number, and
//! NaN, infinities and negative values are reported with their location.

use crate::{IoError, Location};

/// Parses one cell as a finite number ≥ 0.
///
/// Accepts plain decimal and exponent notation (`12`, `0.5`, `1.2e-3`). Rejects empty cells
/// (pandas writes NaN as an empty cell), any spelling of NaN or infinity, and negative values.
pub(crate) fn parse_cell(text: &str, at: impl FnOnce() -> Location) -> Result<f64, IoError> {
    match classify(text) {
        Ok(value) => Ok(value),
        Err(expected) => Err(IoError::value(at(), text, expected)),
    }
}

/// Parses a cell; on failure returns what was expected instead of an error, so a caller can
/// defer the complaint (see the pymrio extension reader).
pub(crate) fn classify(text: &str) -> Result<f64, &'static str> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("a finite number ≥ 0 (an empty cell is a missing value)");
    }
    let looks_numeric = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !looks_numeric {
        return Err("a finite number ≥ 0 (NaN, infinity and text are not allowed)");
    }
    let value: f64 = trimmed
        .parse()
        .map_err(|_| "a finite number ≥ 0 in decimal or exponent notation")?;
    if !value.is_finite() {
        return Err("a finite number ≥ 0");
    }
    if value < 0.0 {
        return Err("a finite number ≥ 0 (negative entries are not allowed)");
    }
    // Normalise -0 so that outputs never print "-0".
    Ok(if value == 0.0 { 0.0 } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn labels_and_specials_are_not_numbers() {
        for text in [
            "nan", "NaN", "inf", "-inf", "infinity", "", " ", "Henan", "1,5", "0x10",
        ] {
            assert!(classify(text).is_err(), "{text:?}");
        }
        assert!(classify("-1").unwrap_err().contains("negative"));
        assert_eq!(classify("-0").unwrap().to_bits(), 0.0f64.to_bits());
        assert_eq!(classify("1.5e3").unwrap(), 1500.0);
        assert_eq!(classify(" 7 ").unwrap(), 7.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Every non-negative finite f64 survives printing with `{}` and strict parsing exactly.
        #[test]
        fn display_round_trips(value in 0.0f64..1e300) {
            prop_assert_eq!(classify(&format!("{value}")).unwrap(), value);
            prop_assert_eq!(classify(&format!("{value:e}")).unwrap(), value);
        }
    }
}
