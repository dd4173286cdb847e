//! Units of CO2 mass and money, and newtypes that carry them across crate boundaries.

use std::fmt;
use std::str::FromStr;

use crate::CoreError;

/// A unit of CO2 mass that an input file may declare.
///
/// Parsing accepts the SI spellings with an optional `CO2`/`CO2e` suffix
/// (`"t"`, `"t CO2"`, `"kt"`, `"Mt CO2"`, `"Gt"`, `"kg"`, `"Gg"`, `"Tg"`) and the Chinese
/// statistical unit `"10^4 t"`. Anything else is [`CoreError::UnknownUnit`].
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

const EXPECTED_UNITS: &str =
    "kg, t, 10^4 t, kt (Gg), Mt (Tg), Gt, optionally followed by CO2 or CO2e";

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
        let base = ["CO2e", "CO2eq", "CO2", "co2e", "co2"]
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
    ($(#[$doc:meta])* $name:ident) => {
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
    };
}

quantity!(
    /// A mass of CO2 in tonnes (t CO2).
    TonnesCo2
);
quantity!(
    /// An amount of money in yuan.
    Yuan
);
quantity!(
    /// A compensation standard or carbon price in yuan per tonne of CO2.
    YuanPerTonne
);

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
    }

    #[test]
    fn price_times_mass_is_money() {
        let amount = TonnesCo2(2.0e6) * YuanPerTonne(46.66);
        assert!((amount.0 - 93.32e6).abs() < 1e-6);
    }
}
