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
    let bytes = text.trim().as_bytes();
    if bytes.is_empty() {
        return Err("a finite number ≥ 0 (an empty cell is a missing value)");
    }
    // One pass over the bytes: only digits, sign, point and exponent may form a number, so
    // `nan`, `inf` and labels are text. Then one parse (no second parse to classify).
    if !bytes
        .iter()
        .all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return Err("a finite number ≥ 0 (NaN, infinity and text are not allowed)");
    }
    let value = parse_f64(bytes).ok_or("a finite number ≥ 0 in decimal or exponent notation")?;
    if !value.is_finite() {
        return Err("a finite number ≥ 0");
    }
    if value < 0.0 {
        return Err("a finite number ≥ 0 (negative entries are not allowed)");
    }
    // Normalise -0 so that outputs never print "-0".
    Ok(if value == 0.0 { 0.0 } else { value })
}

/// Parses a cell as any finite number, negative included (final demand, where changes in
/// inventories are negative); on failure returns what was expected.
pub(crate) fn classify_signed(text: &str) -> Result<f64, &'static str> {
    match classify(text) {
        Ok(v) => Ok(v),
        Err(e) if e.contains("negative") => {
            let v = parse_f64(text.trim().as_bytes()).ok_or("a finite number")?;
            Ok(v)
        }
        Err(_) => Err("a finite number (NaN, infinity, text and empty cells are not allowed)"),
    }
}

/// Parses the whole of `bytes` (digits, sign, point, exponent only) as `f64`, with the same
/// acceptance and the same correctly rounded result as `str::parse::<f64>` (proptested
/// below), at several times its speed.
fn parse_f64(bytes: &[u8]) -> Option<f64> {
    fast_float2::parse::<f64, _>(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn signed_cells_take_negatives_and_nothing_else() {
        assert_eq!(classify_signed("-12.5"), Ok(-12.5));
        assert_eq!(classify_signed("3e2"), Ok(300.0));
        for text in ["nan", "-inf", "", "Henan", "1,5"] {
            assert!(classify_signed(text).is_err(), "{text:?}");
        }
    }

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
        #![proptest_config(ProptestConfig::with_cases(2048))]
        /// Every non-negative finite f64 survives printing with `{}` and strict parsing exactly.
        #[test]
        fn display_round_trips(value in 0.0f64..1e300) {
            prop_assert_eq!(classify(&format!("{value}")).unwrap(), value);
            prop_assert_eq!(classify(&format!("{value:e}")).unwrap(), value);
        }

        /// The fast parser accepts exactly what `str::parse::<f64>` accepts among strings of
        /// the number alphabet, and returns the same bits (signs, subnormals, overflow to
        /// infinity, halfway cases among long digit strings included).
        #[test]
        fn fast_parser_is_bit_identical_to_std(text in "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{0,4})?|[-+.eE0-9]{0,12}") {
            let std_value = text.parse::<f64>().ok().map(f64::to_bits);
            let fast_value = parse_f64(text.as_bytes()).map(f64::to_bits);
            prop_assert_eq!(fast_value, std_value, "{:?}", text);
        }

        /// Bit-identical on the shortest and the long (17-digit) printings of any f64 bits.
        #[test]
        fn fast_parser_matches_std_on_any_bits(bits in any::<u64>()) {
            let value = f64::from_bits(bits);
            prop_assume!(value.is_finite());
            for text in [format!("{value:e}"), format!("{value:.16e}"), format!("{value:.20e}")] {
                let std_value = text.parse::<f64>().ok().map(f64::to_bits);
                let fast_value = parse_f64(text.as_bytes()).map(f64::to_bits);
                prop_assert_eq!(fast_value, std_value, "{:?}", text);
            }
        }
    }
}
