//! Units of CO2 mass and money, and newtypes that carry them across crate boundaries.

use std::fmt;
use std::str::FromStr;

use crate::CoreError;

/// A unit of CO2 mass that an input file may declare.
///
/// Parsing accepts the SI spellings with an optional CO2 or CO2-equivalent suffix
/// (`"t"`, `"t CO2"`, `"kt"`, `"Mt CO2"`, `"Gt"`, `"kg"`, `"Gg"`, `"Tg"`; EXIOBASE's
/// `"kg CO2 eq."`, and `"t CO2e"`, `"kt CO2-eq"`, `"Mt CO2eq"`), the words `tonne(s)`, and the
/// Chinese statistical unit `"10^4 t"`. Anything else is [`CoreError::UnknownUnit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum MassUnit {
    /// Kilogram.
    Kilogram,
    /// Tonne (10^3 kg). The unit fzc computes in.
    Tonne,
    /// 10^4 tonnes (万吨), common in Chinese statistics.
    TenThousandTonnes,
    /// Kilotonne, or gigagram (10^3 t).
    Kilotonne,
    /// Megatonne, or teragram (10^6 t).
    Megatonne,
    /// Gigatonne (10^9 t).
    Gigatonne,
}

const EXPECTED_UNITS: &str = "kg, t, 10^4 t, kt (Gg), Mt (Tg), Gt, optionally followed by CO2, \
     CO2e, CO2eq, CO2-eq or CO2 eq.";

/// The suffixes naming CO2 or its equivalents, longest first so that `CO2 eq.` is not read
/// as `CO2` followed by text.
const CO2_SUFFIXES: [&str; 12] = [
    "CO2-eq.", "CO2 eq.", "CO2eq.", "CO2-eq", "CO2 eq", "CO2-e", "CO2eq", "CO2e", "co2eq", "co2e",
    "CO2", "co2",
];

impl MassUnit {
    /// How many tonnes one of this unit is.
    ///
    /// # Units
    /// t per unit.
    pub fn tonnes_per_unit(self) -> f64 {
        match self {
            MassUnit::Kilogram => 1e-3,
            MassUnit::Tonne => 1.0,
            MassUnit::TenThousandTonnes => 1e4,
            MassUnit::Kilotonne => 1e3,
            MassUnit::Megatonne => 1e6,
            MassUnit::Gigatonne => 1e9,
        }
    }

    /// The canonical spelling, as written to output files.
    pub fn symbol(self) -> &'static str {
        match self {
            MassUnit::Kilogram => "kg",
            MassUnit::Tonne => "t",
            MassUnit::TenThousandTonnes => "10^4 t",
            MassUnit::Kilotonne => "kt",
            MassUnit::Megatonne => "Mt",
            MassUnit::Gigatonne => "Gt",
        }
    }
}

impl FromStr for MassUnit {
    type Err = CoreError;

    fn from_str(text: &str) -> Result<Self, CoreError> {
        let trimmed = text.trim();
        let base = CO2_SUFFIXES
            .iter()
            .find_map(|suffix| trimmed.strip_suffix(suffix))
            .unwrap_or(trimmed)
            .trim();
        let unit = match base {
            "kg" => MassUnit::Kilogram,
            "t" | "tonne" | "tonnes" => MassUnit::Tonne,
            "10^4 t" | "10^4t" | "1e4 t" => MassUnit::TenThousandTonnes,
            "kt" | "Gg" => MassUnit::Kilotonne,
            "Mt" | "Tg" => MassUnit::Megatonne,
            "Gt" => MassUnit::Gigatonne,
            _ => {
                return Err(CoreError::UnknownUnit {
                    text: text.to_owned(),
                    expected: EXPECTED_UNITS,
                });
            }
        };
        Ok(unit)
    }
}

impl fmt::Display for MassUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl std::ops::Add for $name {
            type Output = $name;
            fn add(self, rhs: $name) -> $name {
                $name(self.0 + rhs.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = $name;
            fn sub(self, rhs: $name) -> $name {
                $name(self.0 - rhs.0)
            }
        }

        impl std::ops::Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl std::iter::Sum for $name {
            fn sum<I: Iterator<Item = $name>>(iter: I) -> $name {
                $name(iter.map(|v| v.0).sum())
            }
        }

        impl<'a> std::iter::Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a $name>>(iter: I) -> $name {
                $name(iter.map(|v| v.0).sum())
            }
        }

        impl std::ops::AddAssign for $name {
            fn add_assign(&mut self, rhs: $name) {
                self.0 += rhs.0;
            }
        }

        impl std::ops::SubAssign for $name {
            fn sub_assign(&mut self, rhs: $name) {
                self.0 -= rhs.0;
            }
        }

        /// Scaling by a plain factor keeps the unit.
        impl std::ops::Mul<f64> for $name {
            type Output = $name;
            fn mul(self, factor: f64) -> $name {
                $name(self.0 * factor)
            }
        }

        /// Scaling by a plain factor keeps the unit.
        impl std::ops::Mul<$name> for f64 {
            type Output = $name;
            fn mul(self, value: $name) -> $name {
                $name(self * value.0)
            }
        }

        /// Dividing by a plain factor keeps the unit.
        impl std::ops::Div<f64> for $name {
            type Output = $name;
            fn div(self, divisor: f64) -> $name {
                $name(self.0 / divisor)
            }
        }

        impl std::ops::MulAssign<f64> for $name {
            fn mul_assign(&mut self, factor: f64) {
                self.0 *= factor;
            }
        }

        impl $name {
            /// The unit's symbol, as [`Display`](std::fmt::Display) writes it after the value.
            pub const UNIT: &'static str = $unit;
        }

        /// The value, then a space and the unit (`"2.5 t CO2"`). The value honours the
        /// formatter's precision: `format!("{:.1}", TonnesCo2(2.25))` is `"2.2 t CO2"`.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match f.precision() {
                    Some(p) => write!(f, "{:.*} {}", p, self.0, $unit),
                    None => write!(f, "{} {}", self.0, $unit),
                }
            }
        }
    };
}

quantity!(
    /// A mass of CO2 in tonnes (t CO2).
    TonnesCo2,
    "t CO2"
);
quantity!(
    /// An amount of money in yuan.
    Yuan,
    "yuan"
);
quantity!(
    /// A compensation standard or carbon price in yuan per tonne of CO2.
    YuanPerTonne,
    "yuan/t CO2"
);

impl TonnesCo2 {
    /// Converts `value`, given in `unit`, to tonnes.
    ///
    /// # Units
    /// `value` in `unit`; the result in t CO2.
    pub fn from_unit(value: f64, unit: MassUnit) -> TonnesCo2 {
        TonnesCo2(value * unit.tonnes_per_unit())
    }
}

/// A bilateral net transfer between two regions, as the ECT layer produces it and
/// `fzc-pricing`'s `ect_flows` takes it: `NT[r,s] = T[s,r] − T[r,s]` (`> 0`: `r`'s
/// consumption caused more emissions in `s` than the reverse; `r` owes `s`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BilateralNet {
    /// `r`.
    pub region: crate::RegionId,
    /// `s`.
    pub counterpart: crate::RegionId,
    /// `NT[r,s]`.
    pub nt: TonnesCo2,
}

impl std::ops::Mul<YuanPerTonne> for TonnesCo2 {
    type Output = Yuan;
    fn mul(self, rhs: YuanPerTonne) -> Yuan {
        Yuan(self.0 * rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_parse_to_the_right_factor() {
        for (text, factor) in [
            ("t", 1.0),
            ("t CO2", 1.0),
            ("kt", 1e3),
            ("Gg CO2", 1e3),
            ("Mt CO2", 1e6),
            ("MtCO2", 1e6),
            ("10^4 t", 1e4),
            ("Gt CO2e", 1e9),
            ("kg", 1e-3),
            // EXIOBASE's impacts extension, and other CO2-equivalent spellings.
            ("kg CO2 eq.", 1e-3),
            ("t CO2-eq", 1.0),
            ("kt CO2eq", 1e3),
            ("Gg CO2-eq.", 1e3),
            ("tonnes CO2e", 1.0),
        ] {
            let unit: MassUnit = text.parse().unwrap();
            assert_eq!(unit.tonnes_per_unit(), factor, "{text}");
        }
    }

    #[test]
    fn unknown_unit_names_itself_and_the_alternatives() {
        let err = "lb".parse::<MassUnit>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"lb\"") && text.contains("Mt"), "{text}");
        assert!("".parse::<MassUnit>().is_err());
        assert!("M.EUR".parse::<MassUnit>().is_err());
        // EXIOBASE's non-mass units stay refused, with or without a CO2 word.
        for text in [
            "TJ",
            "1000 p.",
            "km2",
            "kg CO2 eq. per TJ",
            "CO2 eq.",
            "eq.",
        ] {
            assert!(text.parse::<MassUnit>().is_err(), "{text} must be refused");
        }
    }

    #[test]
    fn display_writes_the_unit() {
        assert_eq!(TonnesCo2(2.5).to_string(), "2.5 t CO2");
        assert_eq!(format!("{:.1}", Yuan(1234.56)), "1234.6 yuan");
        assert_eq!(YuanPerTonne(46.66).to_string(), "46.66 yuan/t CO2");
        assert_eq!(
            TonnesCo2::from_unit(2.0, MassUnit::Megatonne),
            TonnesCo2(2.0e6)
        );
    }

    mod algebra {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = f64> {
            -1e12..1e12f64
        }

        proptest! {
            /// `+=`/`-=` are `+`/`-`; `Sum` is a fold of `+` from zero; scaling by a factor
            /// is the same from either side and distributes over `+`; `-=` undoes `+=`.
            #[test]
            fn assign_ops_sum_and_scaling_agree(
                a in value(), b in value(), k in -1e3..1e3f64,
                values in proptest::collection::vec(value(), 0..20),
            ) {
                let mut x = TonnesCo2(a);
                x += TonnesCo2(b);
                prop_assert_eq!(x, TonnesCo2(a) + TonnesCo2(b));
                x -= TonnesCo2(b);
                prop_assert!((x.0 - a).abs() <= 2.0 * f64::EPSILON * (a.abs() + b.abs()));
                let mut y = Yuan(a);
                y -= Yuan(b);
                prop_assert_eq!(y, Yuan(a) - Yuan(b));

                let folded = values.iter().fold(TonnesCo2(0.0), |acc, &v| acc + TonnesCo2(v));
                let summed: TonnesCo2 = values.iter().map(|&v| TonnesCo2(v)).sum();
                let summed_ref: TonnesCo2 = values.iter().map(|&v| TonnesCo2(v)).collect::<Vec<_>>().iter().sum();
                prop_assert_eq!(summed, folded);
                prop_assert_eq!(summed_ref, folded);

                prop_assert_eq!(TonnesCo2(a) * k, k * TonnesCo2(a));
                prop_assert_eq!((TonnesCo2(a) * k).0, a * k);
                let mut z = YuanPerTonne(a);
                z *= k;
                prop_assert_eq!(z, YuanPerTonne(a) * k);
                let lhs = (TonnesCo2(a) + TonnesCo2(b)) * k;
                let rhs = TonnesCo2(a) * k + TonnesCo2(b) * k;
                prop_assert!((lhs.0 - rhs.0).abs() <= 4.0 * f64::EPSILON * (a.abs() + b.abs()) * k.abs() + f64::MIN_POSITIVE);
                if k.abs() > 1e-6 {
                    prop_assert!((((TonnesCo2(a) * k) / k).0 - a).abs() <= 2.0 * f64::EPSILON * a.abs());
                }
            }

            /// Display is the plain number followed by the unit, so it parses back.
            #[test]
            fn display_round_trips_the_number(a in value()) {
                let text = TonnesCo2(a).to_string();
                let number = text.strip_suffix(" t CO2").expect("unit suffix");
                prop_assert_eq!(number.parse::<f64>().expect("a number"), a);
            }
        }
    }

    #[test]
    fn price_times_mass_is_money() {
        let amount = TonnesCo2(2.0e6) * YuanPerTonne(46.66);
        assert!((amount.0 - 93.32e6).abs() < 1e-6);
    }
}
