//! The seven zone classes, the zone, and the signs they are derived from (METHOD section 3).

use std::fmt;
use std::str::FromStr;

use fzc_core::TonnesCo2;

use crate::ZoningError;

/// The sign of a position: exactly zero counts as [`Sign::Zero`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sign {
    /// `< 0`.
    Negative,
    /// `= 0` (exactly).
    Zero,
    /// `> 0`.
    Positive,
}

impl Sign {
    /// The sign of `value` (`NaN` has none and reads as [`Sign::Zero`]; zoning rejects NaN
    /// before it gets here).
    pub fn of(value: f64) -> Sign {
        if value > 0.0 {
            Sign::Positive
        } else if value < 0.0 {
            Sign::Negative
        } else {
            Sign::Zero
        }
    }
}

/// The class of a region in the bidirectional zoning matrix (Table 2, extended by the
/// one-layer and neutral cases), derived from the signs of `NF` and `V_net`.
///
/// Stable snake_case names (files, TOML, CLI): `double_high`, `double_low`,
/// `source_deficit_sink_surplus`, `source_surplus_sink_deficit`, `ect_only`, `css_only`,
/// `neutral`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ZoneClass {
    /// `NF > 0`, `V_net > 0`: net ECT beneficiary and net CSS consumer. Always a payer.
    DoubleHigh,
    /// `NF < 0`, `V_net < 0`: net ECT bearer and net CSS provider. Always a recipient.
    DoubleLow,
    /// `NF > 0`, `V_net < 0`: "carbon source deficit, carbon sink surplus".
    SourceDeficitSinkSurplus,
    /// `NF < 0`, `V_net > 0`: "carbon source surplus, carbon sink deficit".
    SourceSurplusSinkDeficit,
    /// `NF ≠ 0`, `V_net = 0`: CSS-neutral; ECT alone decides (the paper's "single-output" /
    /// "single-input" rows of Table 4).
    EctOnly,
    /// `NF = 0`, `V_net ≠ 0`: ECT-neutral; CSSF alone decides.
    CssOnly,
    /// `NF = 0`, `V_net = 0`.
    Neutral,
}

const CLASS_NAMES: &str = "double_high, double_low, source_deficit_sink_surplus, \
     source_surplus_sink_deficit, ect_only, css_only, neutral";

impl ZoneClass {
    /// Every class, in a fixed order.
    pub const ALL: [ZoneClass; 7] = [
        ZoneClass::DoubleHigh,
        ZoneClass::DoubleLow,
        ZoneClass::SourceDeficitSinkSurplus,
        ZoneClass::SourceSurplusSinkDeficit,
        ZoneClass::EctOnly,
        ZoneClass::CssOnly,
        ZoneClass::Neutral,
    ];

    /// The class of a region whose net ECT has sign `nf` and whose net CSS position has sign
    /// `v_net`.
    pub fn from_signs(nf: Sign, v_net: Sign) -> ZoneClass {
        match (nf, v_net) {
            (Sign::Positive, Sign::Positive) => ZoneClass::DoubleHigh,
            (Sign::Negative, Sign::Negative) => ZoneClass::DoubleLow,
            (Sign::Positive, Sign::Negative) => ZoneClass::SourceDeficitSinkSurplus,
            (Sign::Negative, Sign::Positive) => ZoneClass::SourceSurplusSinkDeficit,
            (Sign::Positive | Sign::Negative, Sign::Zero) => ZoneClass::EctOnly,
            (Sign::Zero, Sign::Positive | Sign::Negative) => ZoneClass::CssOnly,
            (Sign::Zero, Sign::Zero) => ZoneClass::Neutral,
        }
    }

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneClass::DoubleHigh => "double_high",
            ZoneClass::DoubleLow => "double_low",
            ZoneClass::SourceDeficitSinkSurplus => "source_deficit_sink_surplus",
            ZoneClass::SourceSurplusSinkDeficit => "source_surplus_sink_deficit",
            ZoneClass::EctOnly => "ect_only",
            ZoneClass::CssOnly => "css_only",
            ZoneClass::Neutral => "neutral",
        }
    }

    /// The benchmark in the magnitude form of Table 2 (and its extension in METHOD section 3),
    /// from `|NF|` and `|V_net|`: `NF + V`, `−(|NF| + |V|)`, `|NF| − |V|`, `|V| − |NF|`, `±|NF|`,
    /// `±|V|`, `0`. Every row equals the signed rule [`crate::benchmark`]; this form exists
    /// to state and test that equivalence, and for reports.
    ///
    /// # Units
    /// t CO2 in, t CO2 out.
    pub fn table2_benchmark(
        self,
        nf_abs: TonnesCo2,
        v_abs: TonnesCo2,
        nf_sign: Sign,
        v_sign: Sign,
    ) -> TonnesCo2 {
        let (nf, v) = (nf_abs.0.abs(), v_abs.0.abs());
        let sign_of = |s: Sign| match s {
            Sign::Positive => 1.0,
            Sign::Negative => -1.0,
            Sign::Zero => 0.0,
        };
        TonnesCo2(match self {
            ZoneClass::DoubleHigh => nf + v,
            ZoneClass::DoubleLow => -(nf + v),
            ZoneClass::SourceDeficitSinkSurplus => nf - v,
            ZoneClass::SourceSurplusSinkDeficit => v - nf,
            ZoneClass::EctOnly => sign_of(nf_sign) * nf,
            ZoneClass::CssOnly => sign_of(v_sign) * v,
            ZoneClass::Neutral => 0.0,
        })
    }
}

impl fmt::Display for ZoneClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZoneClass {
    type Err = ZoningError;

    fn from_str(text: &str) -> Result<Self, ZoningError> {
        ZoneClass::ALL
            .into_iter()
            .find(|class| class.as_str() == text)
            .ok_or_else(|| ZoningError::UnknownClass {
                text: text.to_owned(),
                expected: CLASS_NAMES,
            })
    }
}

/// The compensation zone: the sign of the benchmark `L`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// `L > 0`: pays compensation.
    Payer,
    /// `L < 0`: receives compensation.
    Recipient,
    /// `L = 0`: neither.
    None,
}

impl Zone {
    /// The zone of a benchmark: payer if `L > 0`, recipient if `L < 0`, none if `L = 0`.
    ///
    /// # Units
    /// `benchmark` in t CO2.
    pub fn of_benchmark(benchmark: TonnesCo2) -> Zone {
        match Sign::of(benchmark.0) {
            Sign::Positive => Zone::Payer,
            Sign::Negative => Zone::Recipient,
            Sign::Zero => Zone::None,
        }
    }

    /// The stable name: `payer`, `recipient`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Payer => "payer",
            Zone::Recipient => "recipient",
            Zone::None => "none",
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Zone {
    type Err = ZoningError;

    fn from_str(text: &str) -> Result<Self, ZoningError> {
        [Zone::Payer, Zone::Recipient, Zone::None]
            .into_iter()
            .find(|zone| zone.as_str() == text)
            .ok_or_else(|| ZoningError::UnknownZone {
                text: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for class in ZoneClass::ALL {
            assert_eq!(class.as_str().parse::<ZoneClass>().unwrap(), class);
            assert_eq!(class.to_string(), class.as_str());
        }
        for zone in [Zone::Payer, Zone::Recipient, Zone::None] {
            assert_eq!(zone.as_str().parse::<Zone>().unwrap(), zone);
        }
    }

    #[test]
    fn unknown_class_lists_the_valid_names() {
        let err = "dual_high".parse::<ZoneClass>().unwrap_err().to_string();
        assert!(err.contains("\"dual_high\""), "{err}");
        for class in ZoneClass::ALL {
            assert!(err.contains(class.as_str()), "{err} lacks {class}");
        }
        let err = "payment".parse::<Zone>().unwrap_err().to_string();
        assert!(
            err.contains("\"payment\"") && err.contains("recipient"),
            "{err}"
        );
    }

    #[test]
    fn classes_and_zones_serialise_as_their_names() {
        for class in ZoneClass::ALL {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(json, format!("\"{class}\""));
        }
        assert_eq!(
            serde_json::to_string(&Zone::Recipient).unwrap(),
            "\"recipient\""
        );
    }
}
