//! The ECT accounts: the bilateral matrix and the regional flows derived from it (METHOD 1.4).

use fzc_core::{MassUnit, RegionId};

use crate::{EctMethod, RegionMatrix};

/// Embodied carbon transfers between regions, in the satellite's unit.
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
        let m = self.total.size();
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
        let m = self.total.size();
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
        RegionMatrix::from_fn(self.total.size(), |r, s| {
            self.total.get(s, r) - self.total.get(r, s)
        })
    }
}
