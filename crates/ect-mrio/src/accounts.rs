//! The ECT accounts: the bilateral matrix and the regional flows derived from it (METHOD 1.4).

use fzc_core::{BilateralNet, MassUnit, RegionId, TonnesCo2};

use crate::{EctMethod, RegionMatrix};

/// Embodied carbon transfers between regions, in the satellite's unit.
///
/// The plain `f64` accessors ([`Self::net`], [`Self::production`], …) are in [`Self::unit`];
/// the `*_tonnes` ones and [`Self::bilateral_nets`] are converted to t CO2, the unit
/// `fzc-zoning` and `fzc-pricing` take.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EctAccounts {
    /// The regions, in table order; every matrix and vector is indexed by them.
    pub regions: Vec<RegionId>,
    /// The satellite's unit; all values below are in it.
    pub unit: MassUnit,
    /// The accounting method that produced the matrices.
    pub method: EctMethod,
    /// `T[r, s]`: released in `r` for final demand of `s` (for EEBT: embodied in what `r`
    /// exports to `s`, see [`EctMethod::Eebt`]).
    pub total: RegionMatrix,
    /// `T_inter`, the part passing through intermediate inputs.
    pub intermediate: RegionMatrix,
    /// `T_final`, the part in goods sold directly to final users.
    pub final_part: RegionMatrix,
    /// Direct emissions of final users per region (`F_Y`): reported, never transferred.
    pub final_users: Vec<f64>,
    /// What was noticed but is not an error, naming region and sector (zero-output sectors,
    /// emissions that could not be attributed).
    pub warnings: Vec<String>,
}

impl EctAccounts {
    /// Production-based emissions per region: `Σ_s T[r, s]`.
    pub fn production(&self) -> Vec<f64> {
        self.total.row_sums()
    }

    /// Consumption-based emissions per region: `Σ_r T[r, s]` (without `F_Y`).
    pub fn consumption(&self) -> Vec<f64> {
        self.total.col_sums()
    }

    /// Inflow `IF[r] = Σ_{s≠r} T[r, s]`: released in `r` for others' final demand.
    pub fn inflow(&self) -> Vec<f64> {
        let m = self.total.region_count();
        (0..m)
            .map(|r| {
                (0..m)
                    .filter(|&s| s != r)
                    .map(|s| self.total.get(r, s))
                    .sum()
            })
            .collect()
    }

    /// Outflow `OF[r] = Σ_{s≠r} T[s, r]`: released elsewhere for `r`'s final demand.
    pub fn outflow(&self) -> Vec<f64> {
        let m = self.total.region_count();
        (0..m)
            .map(|r| {
                (0..m)
                    .filter(|&s| s != r)
                    .map(|s| self.total.get(s, r))
                    .sum()
            })
            .collect()
    }

    /// Net transfer `NF = OF − IF` (Eq 10): `> 0` a net beneficiary (payer), `< 0` a net
    /// bearer (recipient). Sums to zero over regions.
    pub fn net(&self) -> Vec<f64> {
        self.outflow()
            .into_iter()
            .zip(self.inflow())
            .map(|(o, i)| o - i)
            .collect()
    }

    /// Bilateral net transfer `NT[r, s] = T[s, r] − T[r, s]` (`> 0`: `r` owes `s`);
    /// `NF[r] = Σ_s NT[r, s]`.
    pub fn net_bilateral(&self) -> RegionMatrix {
        RegionMatrix::from_fn(self.total.region_count(), |r, s| {
            self.total.get(s, r) - self.total.get(r, s)
        })
    }

    /// `value` (in [`Self::unit`]) in t CO2.
    pub fn to_tonnes(&self, value: f64) -> TonnesCo2 {
        TonnesCo2::from_unit(value, self.unit)
    }

    /// Net transfer `NF` per region in t CO2, paired with its region, in table order: the
    /// form `fzc_zoning::Zoning::from_layers` takes.
    ///
    /// # Units
    /// t CO2, converted from [`Self::unit`].
    pub fn net_tonnes(&self) -> Vec<(RegionId, TonnesCo2)> {
        self.regions
            .iter()
            .cloned()
            .zip(self.net().into_iter().map(|v| self.to_tonnes(v)))
            .collect()
    }

    /// Production-based emissions per region in t CO2, in table order.
    pub fn production_tonnes(&self) -> Vec<TonnesCo2> {
        self.production()
            .into_iter()
            .map(|v| self.to_tonnes(v))
            .collect()
    }

    /// Consumption-based emissions per region in t CO2, in table order.
    pub fn consumption_tonnes(&self) -> Vec<TonnesCo2> {
        self.consumption()
            .into_iter()
            .map(|v| self.to_tonnes(v))
            .collect()
    }

    /// The bilateral net matrix as the list `fzc_pricing::ect_flows` takes: one entry per
    /// ordered pair with `NT[r, s] > 0` (`r` owes `s`), in t CO2, sorted by table order of
    /// `(r, s)`. Each unordered pair appears at most once (`NT` is antisymmetric); pairs
    /// with `NT = 0` are left out.
    ///
    /// # Units
    /// t CO2, converted from [`Self::unit`].
    pub fn bilateral_nets(&self) -> Vec<BilateralNet> {
        let nt = self.net_bilateral();
        let m = nt.region_count();
        let mut out = Vec::new();
        for r in 0..m {
            for s in 0..m {
                let value = nt.get(r, s);
                if r != s && value > 0.0 {
                    out.push(BilateralNet {
                        region: self.regions[r].clone(),
                        counterpart: self.regions[s].clone(),
                        nt: self.to_tonnes(value),
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EctMethod;

    fn accounts(unit: MassUnit) -> EctAccounts {
        let total = RegionMatrix::from_fn(3, |r, s| {
            [[5.0, 1.0, 4.0], [3.0, 7.0, 2.0], [4.0, 0.5, 1.0]][r][s]
        });
        EctAccounts {
            regions: RegionId::list(["a", "b", "c"]).expect("valid ids"),
            unit,
            method: EctMethod::FinalDemand,
            intermediate: total.clone(),
            final_part: RegionMatrix::new(3),
            total,
            final_users: vec![0.0; 3],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn tonne_accessors_convert_from_the_satellite_unit() {
        let kt = accounts(MassUnit::Kilotonne);
        let t = accounts(MassUnit::Tonne);
        for ((ra, a), (rb, b)) in kt.net_tonnes().into_iter().zip(t.net_tonnes()) {
            assert_eq!(ra, rb);
            assert_eq!(a, b * 1e3);
        }
        assert_eq!(kt.production_tonnes()[1], TonnesCo2(12e3));
        assert_eq!(kt.consumption_tonnes()[2], TonnesCo2(7e3));
    }

    #[test]
    fn bilateral_nets_list_each_positive_pair_once_in_tonnes() {
        let acc = accounts(MassUnit::Megatonne);
        let nets = acc.bilateral_nets();
        // NT[a,b] = T[b,a] − T[a,b] = 3 − 1 = 2 (a owes b); NT[c,a] = 4 − 4 = 0 (left out);
        // NT[c,b] = T[b,c] − T[c,b] = 2 − 0.5 = 1.5 (c owes b).
        let got: Vec<(&str, &str, f64)> = nets
            .iter()
            .map(|n| (n.region.as_str(), n.counterpart.as_str(), n.nt.0))
            .collect();
        assert_eq!(got, vec![("a", "b", 2e6), ("c", "b", 1.5e6)]);
        // Each region's NF is the sum of what it owes minus what it is owed.
        for (region, nf) in acc.net_tonnes() {
            let owed: f64 = nets
                .iter()
                .filter(|n| n.region == region)
                .map(|n| n.nt.0)
                .sum();
            let owed_to: f64 = nets
                .iter()
                .filter(|n| n.counterpart == region)
                .map(|n| n.nt.0)
                .sum();
            assert!((nf.0 - (owed - owed_to)).abs() < 1e-6, "{region}");
        }
    }
}
