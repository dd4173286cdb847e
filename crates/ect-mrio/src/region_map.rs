//! Region concordance: table regions aggregated into the regions of a study (EU27 as one
//! region, the rest of the world as another) after the accounts are computed.
//!
//! Aggregation is exact: `T` is summed block by block, never recomputed from an aggregated
//! table, so the accounts of a group are the sums of its members' flows, and flows between
//! members of one group become that group's internal (diagonal) flows.

use fzc_core::RegionId;

use crate::many_to_one::ManyToOne;
use crate::{EctAccounts, MrioError, RegionMatrix};

/// A many-to-one mapping from table regions to study regions.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMap(ManyToOne<RegionId>);

impl RegionMap {
    /// Builds a map from `(from, to)` pairs. Study regions are ordered by their first
    /// appearance. Repeating an identical pair is allowed.
    ///
    /// # Errors
    /// [`MrioError::Concordance`] when the list is empty or a region is mapped to two
    /// different targets (both named).
    pub fn new(pairs: Vec<(RegionId, RegionId)>) -> Result<Self, MrioError> {
        ManyToOne::new(
            pairs,
            "the region map maps no region",
            "region",
            "a region map must map each table region to one study region",
        )
        .map(Self)
    }

    /// The study region of a table region, if mapped.
    pub fn target(&self, from: &RegionId) -> Option<&RegionId> {
        self.0.target(from)
    }

    /// The study regions the given table regions map to (first appearance in the map) and
    /// the index of each table region's target.
    fn targets_for(&self, regions: &[RegionId]) -> Result<(Vec<RegionId>, Vec<usize>), MrioError> {
        let missing: Vec<String> = self
            .0
            .unmapped(regions)
            .into_iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(MrioError::Concordance {
                message: format!(
                    "table regions missing from the region map: {}; every region of the \
                     table must be mapped (map a region to itself to keep it)",
                    missing.join(", ")
                ),
            });
        }
        Ok(self.0.targets_for(regions))
    }
}

/// Aggregates the regions of ECT accounts with a region map:
/// `T'[R, S] = Σ_{r→R, s→S} T[r, s]`, likewise `T_inter` and `T_final`, and
/// `F_Y'[R] = Σ_{r→R} F_Y[r]`. Warnings are kept.
///
/// Production and consumption of a study region are the sums of its members'; inflow and
/// outflow lose the flows between members, which are internal to the group.
///
/// # Units
/// Unchanged: the result is in `accounts.unit`.
///
/// # Errors
/// [`MrioError::Concordance`] naming every table region the map does not map.
pub fn aggregate_regions(
    accounts: &EctAccounts,
    map: &RegionMap,
) -> Result<EctAccounts, MrioError> {
    let (targets, to) = map.targets_for(&accounts.regions)?;
    let m = accounts.regions.len();
    let k = targets.len();
    let sum = |matrix: &RegionMatrix| {
        let mut out = RegionMatrix::new(k);
        for r in 0..m {
            for s in 0..m {
                let (rr, ss) = (to[r], to[s]);
                out.set(rr, ss, out.get(rr, ss) + matrix.get(r, s));
            }
        }
        out
    };
    let mut final_users = vec![0.0; k];
    for (r, v) in accounts.final_users.iter().enumerate() {
        final_users[to[r]] += v;
    }
    Ok(EctAccounts {
        regions: targets,
        unit: accounts.unit,
        method: accounts.method,
        total: sum(&accounts.total),
        intermediate: sum(&accounts.intermediate),
        final_part: sum(&accounts.final_part),
        final_users,
        warnings: accounts.warnings.clone(),
    })
}
