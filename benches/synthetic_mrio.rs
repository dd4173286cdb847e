//! Deterministic synthetic MRIO tables for the ECT benchmarks.
//!
//! Dense (no structural zeros) `Z` with a domestic bias, generated column by column from a
//! seeded ChaCha8 stream per column so a 13,146² table can be streamed to disk without being
//! held in memory. Final demand is sized so that `x = Z·1 + Y·1 ≥ Z's column sum + row sum`,
//! which keeps every column sum of `A` below 1 (about 0.5 in practice).

use faer::Mat;
use fzc_core::{MassUnit, RegionId, SectorId};
use fzc_ect_mrio::{MrioTable, Satellite};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How much more a sector buys from its own region than from another.
const DOMESTIC_BIAS: f64 = 20.0;

/// The recipe of one synthetic table: `m` regions × `n_sec` sectors, and a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticMrio {
    /// Regions.
    pub m: usize,
    /// Sectors per region.
    pub n_sec: usize,
    /// Seed of every random stream.
    pub seed: u64,
}

impl SyntheticMrio {
    /// Table size `n = m·n_sec`.
    pub fn size(&self) -> usize {
        self.m * self.n_sec
    }

    fn rng(&self, stream: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream)
    }

    /// Column `j` of `Z` (monetary units) into `out` (length n).
    pub fn z_column(&self, j: usize, out: &mut [f64]) {
        let mut rng = self.rng(j as u64);
        let rj = j / self.n_sec;
        for (i, v) in out.iter_mut().enumerate() {
            let bias = if i / self.n_sec == rj {
                DOMESTIC_BIAS
            } else {
                1.0
            };
            *v = bias * rng.random::<f64>();
        }
    }

    /// Final demand (n × m) and CO2 emissions (n, t) given the row and column sums of `Z`.
    pub fn demand_and_emissions(&self, z_row: &[f64], z_col: &[f64]) -> (Mat<f64>, Vec<f64>) {
        let (n, m) = (self.size(), self.m);
        let mut rng = self.rng(u64::MAX);
        let mut y = Mat::<f64>::zeros(n, m);
        let mut e = vec![0.0; n];
        for i in 0..n {
            let ri = i / self.n_sec;
            let weights: Vec<f64> = (0..m)
                .map(|s| if s == ri { DOMESTIC_BIAS } else { 1.0 } * (0.1 + rng.random::<f64>()))
                .collect();
            let total: f64 = weights.iter().sum();
            let target = z_row[i].max(z_col[i]) * (1.0 + rng.random::<f64>());
            for (s, w) in weights.iter().enumerate() {
                y[(i, s)] = target * w / total;
            }
            let x = z_row[i] + target;
            e[i] = x * (0.01 + rng.random::<f64>());
        }
        (y, e)
    }

    /// The whole table in memory with its CO2 satellite (for small sizes and tests).
    ///
    /// # Panics
    /// Never for the labels it makes.
    pub fn table(&self) -> (MrioTable, Satellite) {
        let n = self.size();
        let mut z = Mat::<f64>::zeros(n, n);
        let mut col = vec![0.0; n];
        let mut z_row = vec![0.0; n];
        let mut z_col = vec![0.0; n];
        for j in 0..n {
            self.z_column(j, &mut col);
            for (i, &v) in col.iter().enumerate() {
                z[(i, j)] = v;
                z_row[i] += v;
            }
            z_col[j] = col.iter().sum();
        }
        let (y, e) = self.demand_and_emissions(&z_row, &z_col);
        let table = MrioTable {
            regions: region_labels(self.m),
            sectors: sector_labels(self.n_sec),
            z,
            y,
            x: None,
            monetary_unit: "synthetic".into(),
        };
        let sat = Satellite {
            name: "CO2".into(),
            unit: MassUnit::Tonne,
            by_sector: e,
            final_users: vec![0.0; self.m],
        };
        (table, sat)
    }
}

/// Labels `c000`, `c001`, … for `m` regions.
///
/// # Panics
/// Never: the labels are valid.
#[allow(clippy::unwrap_used)]
pub fn region_labels(m: usize) -> Vec<RegionId> {
    (0..m)
        .map(|r| RegionId::new(format!("c{r:03}")).unwrap())
        .collect()
}

/// Labels `s00`, `s01`, … for `n_sec` sectors.
///
/// # Panics
/// Never: the labels are valid.
#[allow(clippy::unwrap_used)]
pub fn sector_labels(n_sec: usize) -> Vec<SectorId> {
    (0..n_sec)
        .map(|i| SectorId::new(format!("s{i:02}")).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficient_columns_sum_well_below_one_and_tables_repeat() {
        let recipe = SyntheticMrio {
            m: 5,
            n_sec: 7,
            seed: 1,
        };
        let (t, _) = recipe.table();
        let x: Vec<f64> = (0..35)
            .map(|i| t.z.row(i).iter().sum::<f64>() + t.y.row(i).iter().sum::<f64>())
            .collect();
        for (j, xj) in x.iter().enumerate() {
            let a: f64 = t.z.col(j).iter().sum::<f64>() / xj;
            assert!(a < 0.75, "column {j}: {a}");
        }
        let (t2, _) = recipe.table();
        assert_eq!(t.z, t2.z);
    }
}
