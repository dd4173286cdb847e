//! Direct emissions from energy use (METHOD 1.1, Eq 1): `E = Σ_k C_k · K_k · 44/12`.
//!
//! `C_k` is the use of energy carrier `k` in tonnes of standard coal equivalent (tce), `K_k`
//! its carbon emission coefficient in t C per tce, and 44/12 the mass ratio of CO2 to C.
//!
//! # The default coefficient table
//! [`CarbonCoefficients::ipcc_2006`] derives every `K_k` from the default carbon content of
//! the IPCC *2006 Guidelines for National Greenhouse Gas Inventories*, Vol. 2 (Energy),
//! Ch. 1, Table 1.3 (kg C per GJ, net calorific basis), with the oxidation factor 1
//! (the 2006 default) and the Chinese definition of standard coal,
//! 1 tce = 7,000 kcal = 29.3076 GJ:
//!
//! `K [t C/tce] = carbon content [kg C/GJ] × 29.3076 [GJ/tce] / 1000`.
//!
//! | carrier key | IPCC 2006 fuel | kg C/GJ | t C/tce |
//! |---|---|---|---|
//! | `raw_coal` | other bituminous coal | 25.8 | 0.7561 |
//! | `anthracite` | anthracite | 26.8 | 0.7854 |
//! | `lignite` | lignite | 27.6 | 0.8089 |
//! | `coke` | coke oven coke | 29.2 | 0.8558 |
//! | `coke_oven_gas` | coke oven gas | 12.1 | 0.3546 |
//! | `crude_oil` | crude oil | 20.0 | 0.5862 |
//! | `gasoline` | motor gasoline | 18.9 | 0.5539 |
//! | `kerosene` | jet kerosene | 19.5 | 0.5715 |
//! | `diesel` | gas/diesel oil | 20.2 | 0.5920 |
//! | `fuel_oil` | residual fuel oil | 21.1 | 0.6184 |
//! | `lpg` | liquefied petroleum gases | 17.2 | 0.5041 |
//! | `refinery_gas` | refinery gas | 15.7 | 0.4601 |
//! | `natural_gas` | natural gas | 15.3 | 0.4484 |
//!
//! These agree to the third decimal with the table commonly used in the Chinese literature
//! (raw coal 0.7559, coke 0.8550, crude oil 0.5857, gasoline 0.5538, kerosene 0.5714,
//! diesel 0.5921, fuel oil 0.6185, natural gas 0.4483), which rounds the same conversion.
//! Electricity and heat are secondary energy and have no coefficient here: counting them
//! would double-count the fuels burnt to make them. A user may replace the table
//! ([`CarbonCoefficients::new`]).

use std::collections::BTreeMap;

use fzc_core::TonnesCo2;

use crate::MrioError;

/// Mass ratio of CO2 to carbon, 44/12.
pub const CO2_PER_C: f64 = 44.0 / 12.0;

/// Gigajoules per tonne of standard coal equivalent (7,000 kcal/kg × 4.1868 kJ/kcal).
pub const GJ_PER_TCE: f64 = 29.3076;

/// IPCC 2006 default carbon contents (kg C/GJ) of the carriers in the default table.
const IPCC_2006_CARBON_CONTENT: [(&str, f64); 13] = [
    ("raw_coal", 25.8),
    ("anthracite", 26.8),
    ("lignite", 27.6),
    ("coke", 29.2),
    ("coke_oven_gas", 12.1),
    ("crude_oil", 20.0),
    ("gasoline", 18.9),
    ("kerosene", 19.5),
    ("diesel", 20.2),
    ("fuel_oil", 21.1),
    ("lpg", 17.2),
    ("refinery_gas", 15.7),
    ("natural_gas", 15.3),
];

/// Carbon emission coefficients `K_k` per energy carrier.
///
/// # Units
/// t C per tce.
#[derive(Debug, Clone, PartialEq)]
pub struct CarbonCoefficients {
    t_c_per_tce: BTreeMap<String, f64>,
}

/// The use of one energy carrier by one sector.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyUse {
    /// Carrier key, as in the coefficient table (e.g. `"raw_coal"`).
    pub carrier: String,
    /// Amount used, in tonnes of standard coal equivalent.
    pub tce: f64,
}

impl CarbonCoefficients {
    /// The shipped default: IPCC 2006 carbon contents converted to t C/tce (see the module
    /// docs for the table and the conversion).
    pub fn ipcc_2006() -> Self {
        Self {
            t_c_per_tce: IPCC_2006_CARBON_CONTENT
                .iter()
                .map(|&(k, cc)| (k.to_owned(), cc * GJ_PER_TCE / 1000.0))
                .collect(),
        }
    }

    /// A user table of `(carrier, t C per tce)` pairs.
    ///
    /// # Units
    /// t C per tce.
    ///
    /// # Errors
    /// [`MrioError::BadEnergyValue`] for a NaN, infinite or negative coefficient.
    pub fn new(pairs: impl IntoIterator<Item = (String, f64)>) -> Result<Self, MrioError> {
        let mut t_c_per_tce = BTreeMap::new();
        for (carrier, k) in pairs {
            if !(k.is_finite() && k >= 0.0) {
                return Err(MrioError::BadEnergyValue {
                    what: "carbon coefficient (t C/tce)",
                    carrier,
                    value: k,
                });
            }
            t_c_per_tce.insert(carrier, k);
        }
        Ok(Self { t_c_per_tce })
    }

    /// The coefficient of a carrier.
    ///
    /// # Units
    /// t C per tce.
    ///
    /// # Errors
    /// [`MrioError::UnknownCarrier`] listing the known carriers.
    pub fn coefficient(&self, carrier: &str) -> Result<f64, MrioError> {
        self.t_c_per_tce
            .get(carrier)
            .copied()
            .ok_or_else(|| MrioError::UnknownCarrier {
                carrier: carrier.to_owned(),
                known: self.t_c_per_tce.keys().cloned().collect(),
            })
    }

    /// The carriers in the table, sorted.
    pub fn carriers(&self) -> impl Iterator<Item = &str> {
        self.t_c_per_tce.keys().map(String::as_str)
    }

    /// Eq 1 for one sector: `E = Σ_k C_k · K_k · 44/12`.
    ///
    /// # Units
    /// `uses` in tce; the result in t CO2.
    ///
    /// # Errors
    /// [`MrioError::UnknownCarrier`], or [`MrioError::BadEnergyValue`] for a NaN, infinite
    /// or negative use.
    pub fn direct_emissions(&self, uses: &[EnergyUse]) -> Result<TonnesCo2, MrioError> {
        let mut carbon = 0.0;
        for u in uses {
            if !(u.tce.is_finite() && u.tce >= 0.0) {
                return Err(MrioError::BadEnergyValue {
                    what: "energy use (tce)",
                    carrier: u.carrier.clone(),
                    value: u.tce,
                });
            }
            carbon += u.tce * self.coefficient(&u.carrier)?;
        }
        Ok(TonnesCo2(carbon * CO2_PER_C))
    }
}

impl Default for CarbonCoefficients {
    fn default() -> Self {
        Self::ipcc_2006()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(pairs: &[(&str, f64)]) -> Vec<EnergyUse> {
        pairs
            .iter()
            .map(|&(c, t)| EnergyUse {
                carrier: c.to_owned(),
                tce: t,
            })
            .collect()
    }

    #[test]
    fn default_table_matches_the_literature_to_three_decimals() {
        let k = CarbonCoefficients::ipcc_2006();
        for (carrier, lit) in [
            ("raw_coal", 0.7559),
            ("coke", 0.8550),
            ("crude_oil", 0.5857),
            ("gasoline", 0.5538),
            ("kerosene", 0.5714),
            ("diesel", 0.5921),
            ("fuel_oil", 0.6185),
            ("natural_gas", 0.4483),
        ] {
            let got = k.coefficient(carrier).unwrap();
            assert!((got - lit).abs() < 1e-3, "{carrier}: {got} vs {lit}");
        }
    }

    #[test]
    fn one_tce_of_raw_coal() {
        let e = CarbonCoefficients::ipcc_2006()
            .direct_emissions(&uses(&[("raw_coal", 1.0)]))
            .unwrap();
        assert!((e.0 - 25.8 * 29.3076 / 1000.0 * 44.0 / 12.0).abs() < 1e-12);
    }

    #[test]
    fn unknown_carrier_lists_the_known_ones() {
        let err = CarbonCoefficients::ipcc_2006()
            .direct_emissions(&uses(&[("peat", 1.0)]))
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("\"peat\"") && msg.contains("raw_coal"),
            "{msg}"
        );
    }

    #[test]
    fn nan_and_negative_use_are_errors() {
        let k = CarbonCoefficients::ipcc_2006();
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            let err = k.direct_emissions(&uses(&[("diesel", bad)])).unwrap_err();
            assert!(matches!(err, MrioError::BadEnergyValue { .. }), "{err}");
        }
        assert!(CarbonCoefficients::new([("x".to_owned(), -0.1)]).is_err());
    }
}
