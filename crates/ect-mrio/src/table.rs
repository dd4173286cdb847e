//! The validated MRIO table: what the readers in `fzc-io` produce and the engine consumes.

use faer::Mat;
use fzc_core::{MassUnit, RegionId, SectorId};

use crate::MrioError;

/// A multi-regional input-output table with every region having the same sector list.
///
/// Rows and columns of `z`, rows of `y` and entries of `x` are ordered region-major: the
/// index of sector `i` of region `r` is `r * sectors.len() + i`.
#[derive(Debug, Clone)]
pub struct MrioTable {
    /// The `m` regions, in table order.
    pub regions: Vec<RegionId>,
    /// The `N` sectors every region has, in table order.
    pub sectors: Vec<SectorId>,
    /// Inter-industry flows `Z` (n × n, n = m·N), in `monetary_unit`.
    pub z: Mat<f64>,
    /// Final demand `Y` summed per region (n × m), in `monetary_unit`.
    pub y: Mat<f64>,
    /// Total output `x` (n), if the source gave it; otherwise it is `Z·1 + Y·1`.
    pub x: Option<Vec<f64>>,
    /// The monetary unit of `Z`, `Y` and `x` as the source states it (e.g. `"M.EUR"`,
    /// `"10^4 yuan"`). Informational: the accounts do not depend on it.
    pub monetary_unit: String,
}

/// One environmental extension row (a stressor such as CO2) of an MRIO table.
#[derive(Debug, Clone)]
pub struct Satellite {
    /// The stressor's name as the source spells it.
    pub name: String,
    /// The unit of every value of this stressor.
    pub unit: MassUnit,
    /// Direct emissions of each sector (n, region-major), `F` in pymrio.
    pub by_sector: Vec<f64>,
    /// Direct emissions of final users, summed per region (m), `F_Y` in pymrio. Reported,
    /// never transferred.
    pub final_users: Vec<f64>,
}

impl MrioTable {
    /// Number of regions `m`.
    pub fn region_count(&self) -> usize {
        self.regions.len()
    }

    /// Number of sectors per region `N`.
    pub fn sector_count(&self) -> usize {
        self.sectors.len()
    }

    /// Size of the table `n = m·N`.
    pub fn size(&self) -> usize {
        self.regions.len() * self.sectors.len()
    }

    /// Checks shapes, label uniqueness and that every entry is finite, and non-negative in
    /// `Z` and `x` (final demand may be negative: changes in inventories).
    ///
    /// # Errors
    /// [`MrioError::Shape`], [`MrioError::DuplicateLabel`] or [`MrioError::BadValue`] naming
    /// the first offending entry.
    pub fn validate(&self) -> Result<(), MrioError> {
        check_unique("region", self.regions.iter().map(RegionId::as_str))?;
        check_unique("sector", self.sectors.iter().map(SectorId::as_str))?;
        let n = self.size();
        let m = self.region_count();
        check_shape("Z", self.z.nrows(), self.z.ncols(), n, n)?;
        check_shape("Y", self.y.nrows(), self.y.ncols(), n, m)?;
        if let Some(x) = &self.x {
            check_shape("x", x.len(), 1, n, 1)?;
        }
        // Final demand may be negative (changes in inventories); Z may not.
        for (what, mat, signed) in [("Z", &self.z, false), ("Y", &self.y, true)] {
            for col in 0..mat.ncols() {
                for row in 0..mat.nrows() {
                    let value = mat[(row, col)];
                    if !(value.is_finite() && (signed || value >= 0.0)) {
                        let expected = if signed {
                            "a finite value"
                        } else {
                            "a finite value ≥ 0"
                        };
                        return Err(self.bad_value(what, row, col, value, expected));
                    }
                }
            }
        }
        if let Some(x) = &self.x {
            for (row, &value) in x.iter().enumerate() {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(self.bad_value("x", row, 0, value, "a finite value ≥ 0"));
                }
            }
        }
        Ok(())
    }

    /// The region and sector of a region-major index.
    pub fn label_of(&self, index: usize) -> (&RegionId, &SectorId) {
        let n_sec = self.sectors.len().max(1);
        (&self.regions[index / n_sec], &self.sectors[index % n_sec])
    }

    fn bad_value(
        &self,
        what: &'static str,
        row: usize,
        col: usize,
        value: f64,
        expected: &'static str,
    ) -> MrioError {
        let (region, sector) = self.label_of(row);
        MrioError::BadValue {
            expected,
            what,
            row,
            col,
            region: region.clone(),
            sector: sector.clone(),
            value,
        }
    }
}

fn check_shape(
    what: &'static str,
    found_rows: usize,
    found_cols: usize,
    expected_rows: usize,
    expected_cols: usize,
) -> Result<(), MrioError> {
    if (found_rows, found_cols) == (expected_rows, expected_cols) {
        Ok(())
    } else {
        Err(MrioError::Shape {
            what,
            found_rows,
            found_cols,
            expected_rows,
            expected_cols,
        })
    }
}

fn check_unique<'a>(
    kind: &'static str,
    labels: impl Iterator<Item = &'a str>,
) -> Result<(), MrioError> {
    let mut seen = std::collections::BTreeSet::new();
    for label in labels {
        if !seen.insert(label) {
            return Err(MrioError::DuplicateLabel {
                kind,
                label: label.to_owned(),
            });
        }
    }
    Ok(())
}
