//! Sector aggregation by a many-to-one concordance (METHOD 1.5).
//!
//! Applied to `Z`, `Y`, `x` and every satellite before any coefficient is computed: flows
//! and emissions are summed, never averaged, so total output, total final demand and total
//! emissions are preserved exactly (up to rounding).

use faer::Mat;
use fzc_core::SectorId;

use crate::many_to_one::ManyToOne;
use crate::{MrioError, MrioTable, Satellite};

/// A many-to-one mapping from source sectors to target sectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Concordance(ManyToOne<SectorId>);

impl Concordance {
    /// Builds a concordance from `(from, to)` pairs. Target sectors are ordered by their
    /// first appearance. Repeating an identical pair is allowed.
    ///
    /// # Errors
    /// [`MrioError::Concordance`] when the list is empty or a source sector is mapped to two
    /// different targets (both named).
    pub fn new(pairs: Vec<(SectorId, SectorId)>) -> Result<Self, MrioError> {
        ManyToOne::new(
            pairs,
            "it maps no sector",
            "sector",
            "a concordance must map each source sector to one target",
        )
        .map(Self)
    }

    /// The target of a source sector, if mapped.
    pub fn target(&self, from: &SectorId) -> Option<&SectorId> {
        self.0.target(from)
    }

    /// Target sectors of the given source sectors, in order of first appearance in the
    /// concordance, and the index of each source's target.
    fn targets_for(&self, sectors: &[SectorId]) -> Result<(Vec<SectorId>, Vec<usize>), MrioError> {
        let missing = self.0.unmapped(sectors);
        if !missing.is_empty() {
            return Err(MrioError::UnmappedSectors {
                sectors: missing.into_iter().cloned().collect(),
            });
        }
        Ok(self.0.targets_for(sectors))
    }
}

/// Aggregates the sectors of a table and its satellites with a concordance.
///
/// Every entry is summed into its target: `Z'[(r,I),(s,J)] = Σ_{i→I, j→J} Z[(r,i),(s,j)]`,
/// and likewise for the rows of `Y`, `x` and each satellite's `F`. `F_Y` is unchanged.
/// Target sectors that no sector of the table maps to are left out.
///
/// # Units
/// Unchanged: the output is in the units of the input.
///
/// # Errors
/// [`MrioError::UnmappedSectors`] naming every table sector the concordance does not map;
/// the errors of [`MrioTable::validate`]; [`MrioError::Shape`] for a satellite of the
/// wrong length.
pub fn aggregate_sectors(
    table: &MrioTable,
    satellites: &[Satellite],
    concordance: &Concordance,
) -> Result<(MrioTable, Vec<Satellite>), MrioError> {
    table.validate()?;
    let (targets, to) = concordance.targets_for(&table.sectors)?;
    let (n_sec, m) = (table.sector_count(), table.region_count());
    let k = targets.len();
    let n2 = m * k;
    let map = |i: usize| (i / n_sec) * k + to[i % n_sec];
    let mut z = Mat::<f64>::zeros(n2, n2);
    for j in 0..table.size() {
        let jj = map(j);
        let col = table.z.col(j);
        for (i, &v) in col.iter().enumerate() {
            z[(map(i), jj)] += v;
        }
    }
    let mut y = Mat::<f64>::zeros(n2, m);
    for s in 0..m {
        for (i, &v) in table.y.col(s).iter().enumerate() {
            y[(map(i), s)] += v;
        }
    }
    let sum_rows = |v: &[f64]| {
        let mut out = vec![0.0; n2];
        for (i, &e) in v.iter().enumerate() {
            out[map(i)] += e;
        }
        out
    };
    let x = table.x.as_deref().map(sum_rows);
    let mut sats = Vec::with_capacity(satellites.len());
    for sat in satellites {
        if sat.by_sector.len() != table.size() {
            return Err(MrioError::Shape {
                what: "F",
                found_rows: 1,
                found_cols: sat.by_sector.len(),
                expected_rows: 1,
                expected_cols: table.size(),
            });
        }
        sats.push(Satellite {
            name: sat.name.clone(),
            unit: sat.unit,
            by_sector: sum_rows(&sat.by_sector),
            final_users: sat.final_users.clone(),
        });
    }
    Ok((
        MrioTable {
            regions: table.regions.clone(),
            sectors: targets,
            z,
            y,
            x,
            monetary_unit: table.monetary_unit.clone(),
        },
        sats,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(s: &str) -> SectorId {
        SectorId::new(s).unwrap()
    }

    #[test]
    fn conflicting_pairs_are_rejected() {
        let err = Concordance::new(vec![(sid("a"), sid("X")), (sid("a"), sid("Y"))]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("a") && msg.contains("X") && msg.contains("Y"),
            "{msg}"
        );
        assert!(Concordance::new(vec![(sid("a"), sid("X")), (sid("a"), sid("X"))]).is_ok());
        assert!(Concordance::new(vec![]).is_err());
    }

    #[test]
    fn unmapped_sectors_are_all_named() {
        let c = Concordance::new(vec![(sid("a"), sid("X"))]).unwrap();
        let err = c.targets_for(&[sid("a"), sid("b"), sid("c")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sectors missing from the concordance: b, c"
        );
    }

    #[test]
    fn targets_follow_first_appearance() {
        let c = Concordance::new(vec![
            (sid("c"), sid("Z")),
            (sid("a"), sid("Y")),
            (sid("b"), sid("Z")),
            (sid("unused"), sid("W")),
        ])
        .unwrap();
        let (t, idx) = c.targets_for(&[sid("a"), sid("b"), sid("c")]).unwrap();
        assert_eq!(t, vec![sid("Z"), sid("Y")]);
        assert_eq!(idx, vec![1, 0, 0]);
    }
}
