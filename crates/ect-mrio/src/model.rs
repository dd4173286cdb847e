//! The Leontief model (METHOD 1.2): total output, the balance check, `A`, and `I − A`
//! factored once in the buffer of `Z`.

use faer::{Mat, MatMut, Par};
use fzc_core::{NoProgress, Progress, RegionId, SectorId};

use crate::MrioError;
use crate::lu::PackedLu;
use crate::table::MrioTable;

/// Total output of every sector and what was noticed while computing it.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalOutput {
    /// `x` (n, region-major), in the table's monetary unit: the given `x` when the table
    /// has one (after the balance check), else `Z·1 + Y·1`.
    pub x: Vec<f64>,
    /// Indices of sectors with `x = 0` (their columns of `A` are zero).
    pub zero_output: Vec<usize>,
}

/// Computes or checks total output (METHOD 1.2).
///
/// When the table has no `x`, returns `x = Z·1 + Y·1`. When it has one, every sector must
/// satisfy `|x − (Z·1 + Y·1)| ≤ tolerance · max(|x|, |Z·1 + Y·1|)`. A sector with `x = 0`
/// must buy nothing (its column of `Z` is zero); it is listed in
/// [`TotalOutput::zero_output`].
///
/// # Units
/// `x` is in the table's monetary unit; `tolerance` is relative (dimensionless).
///
/// # Errors
/// [`MrioError::Imbalance`] for the first sector beyond the tolerance,
/// [`MrioError::ZeroOutputWithInputs`] for a zero-output sector with inputs,
/// [`MrioError::BadOption`] for a negative or NaN tolerance. Shapes and values are assumed
/// validated ([`MrioTable::validate`]).
pub fn total_output(table: &MrioTable, tolerance: f64) -> Result<TotalOutput, MrioError> {
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(MrioError::BadOption {
            what: "balance_tolerance",
            value: tolerance,
            expected: "a finite relative tolerance ≥ 0",
        });
    }
    let n = table.size();
    let mut sums = vec![0.0f64; n];
    for (mat, cols) in [(&table.z, table.z.ncols()), (&table.y, table.y.ncols())] {
        for j in 0..cols {
            let col = mat.col(j);
            for (i, s) in sums.iter_mut().enumerate() {
                *s += col[i];
            }
        }
    }
    if let Some(i) = sums.iter().position(|s| !s.is_finite()) {
        let (region, sector) = table.label_of(i);
        return Err(MrioError::Overflow {
            what: "x = Z·1 + Y·1".to_owned(),
            place: format!("{region}/{sector}"),
            value: sums[i],
        });
    }
    let x = match &table.x {
        None => sums,
        Some(given) => {
            for (i, (&found, &expected)) in given.iter().zip(&sums).enumerate() {
                let scale = found.abs().max(expected.abs());
                let diff = (found - expected).abs();
                if diff > tolerance * scale {
                    let (region, sector) = table.label_of(i);
                    return Err(MrioError::Imbalance {
                        region: region.clone(),
                        sector: sector.clone(),
                        found,
                        expected,
                        relative: diff / scale,
                        tolerance,
                    });
                }
            }
            given.clone()
        }
    };
    // Negative final demand (inventories drawn down) may outweigh a sector's sales.
    if let Some(j) = x.iter().position(|&v| v < 0.0) {
        let (region, sector) = table.label_of(j);
        return Err(MrioError::BadValue {
            expected: "total output ≥ 0 (negative final demand, such as changes in \
                       inventories, exceeds what the sector sells)",
            what: "x = Z·1 + Y·1",
            row: j,
            col: 0,
            region: region.clone(),
            sector: sector.clone(),
            value: x[j],
        });
    }
    let mut zero_output = Vec::new();
    for (j, &xj) in x.iter().enumerate() {
        if xj == 0.0 {
            let inputs: f64 = table.z.col(j).iter().sum();
            if inputs != 0.0 {
                let (region, sector) = table.label_of(j);
                return Err(MrioError::ZeroOutputWithInputs {
                    region: region.clone(),
                    sector: sector.clone(),
                    inputs,
                });
            }
            zero_output.push(j);
        }
    }
    Ok(TotalOutput { x, zero_output })
}

/// `region/sector` label of a region-major index.
pub(crate) fn label(regions: &[RegionId], sectors: &[SectorId], index: usize) -> String {
    let n_sec = sectors.len().max(1);
    format!("{}/{}", regions[index / n_sec], sectors[index % n_sec])
}

/// Right-hand sides solved per batch by [`LeontiefModel::solve_checked_with_progress`]: wide
/// enough that the triangular solves stay matrix-matrix work, narrow enough that a CEADs
/// city table (313 columns) reports five steps.
const SOLVE_BATCH: usize = 64;

/// `I − A` factored once; solves `(I − A)·X = B` for any right-hand sides.
///
/// Built by [`LeontiefModel::factor`], which turns the buffer of `Z` into `I − A` and then
/// into its packed LU factors, so the model holds one n × n matrix. The Leontief inverse
/// `L = (I − A)⁻¹` is never formed unless [`LeontiefModel::leontief_inverse`] is called.
#[derive(Debug, Clone)]
pub struct LeontiefModel {
    lu: PackedLu,
    regions: Vec<RegionId>,
    sectors: Vec<SectorId>,
    columns_at_or_above_one: Vec<usize>,
}

impl LeontiefModel {
    /// The task name under which [`LeontiefModel::factor_with_progress`] reports.
    pub const FACTOR_TASK: &'static str = "LU factorisation of I - A";
    /// The task name under which [`LeontiefModel::solve_checked_with_progress`] reports.
    pub const SOLVE_TASK: &'static str = "solving (I - A) X = Y";

    /// Consumes `z` (n × n), forms `A = Z·diag(x)⁻¹` (zero columns where `x = 0`) and
    /// `I − A` in its buffer, and factors it in place with partial pivoting.
    ///
    /// # Units
    /// `z` and `x` in the same monetary unit; `A` is dimensionless.
    ///
    /// # Errors
    /// [`MrioError::Shape`] when `z` is not `x.len()` square or the labels do not cover it;
    /// [`MrioError::Singular`] when `I − A` is singular to working precision, naming the
    /// sectors whose column of `A` sums to ≥ 1 (or else the sector at the vanishing pivot).
    pub fn factor(
        z: Mat<f64>,
        x: &[f64],
        regions: &[RegionId],
        sectors: &[SectorId],
        par: Par,
    ) -> Result<Self, MrioError> {
        Self::factor_with_progress(z, x, regions, sectors, par, &NoProgress)
    }

    /// [`LeontiefModel::factor`], reporting the factorisation to `progress` as the task
    /// [`LeontiefModel::FACTOR_TASK`] with `n` steps (columns), advanced one panel of
    /// columns at a time (256 columns; a model of at most 256 sectors is one step). `finish`
    /// is called on success and on error. The result does not depend on `progress`.
    ///
    /// # Units
    /// As [`LeontiefModel::factor`].
    ///
    /// # Errors
    /// As [`LeontiefModel::factor`].
    pub fn factor_with_progress(
        mut z: Mat<f64>,
        x: &[f64],
        regions: &[RegionId],
        sectors: &[SectorId],
        par: Par,
        progress: &dyn Progress,
    ) -> Result<Self, MrioError> {
        let n = x.len();
        if z.nrows() != n || z.ncols() != n || regions.len() * sectors.len() != n {
            return Err(MrioError::Shape {
                what: "Z",
                found_rows: z.nrows(),
                found_cols: z.ncols(),
                expected_rows: regions.len() * sectors.len(),
                expected_cols: n,
            });
        }
        if let Some(j) = x.iter().position(|v| !v.is_finite()) {
            return Err(MrioError::Overflow {
                what: "x".to_owned(),
                place: label(regions, sectors, j),
                value: x[j],
            });
        }
        let columns_at_or_above_one = into_i_minus_a(z.as_mut(), x);
        // A = Z·diag(x)⁻¹ overflows where a tiny output buys a huge input; the LU would
        // only see a NaN pivot and call the matrix singular.
        for j in 0..n {
            if let Some(i) = z.col(j).iter().position(|v| !v.is_finite()) {
                return Err(MrioError::Overflow {
                    what: "A = Z·diag(x)⁻¹".to_owned(),
                    place: format!(
                        "row {}, column {}",
                        label(regions, sectors, i),
                        label(regions, sectors, j)
                    ),
                    value: z[(i, j)],
                });
            }
        }
        progress.begin(Self::FACTOR_TASK, n as u64);
        let factored = PackedLu::factor(z, par, &mut |columns| progress.advance(columns as u64));
        progress.finish();
        let lu = factored.map_err(|tiny| {
            let mut names: Vec<String> = columns_at_or_above_one
                .iter()
                .map(|&j| label(regions, sectors, j))
                .collect();
            if names.is_empty() {
                names.push(label(regions, sectors, tiny.column));
            }
            MrioError::Singular {
                what: "I − A".to_owned(),
                sectors: names,
                pivot: tiny.pivot,
            }
        })?;
        Ok(Self {
            lu,
            regions: regions.to_vec(),
            sectors: sectors.to_vec(),
            columns_at_or_above_one,
        })
    }

    /// Size `n` of the model.
    pub fn size(&self) -> usize {
        self.lu.size()
    }

    /// Overwrites `rhs` (n × k) with `(I − A)⁻¹·rhs`: for final demand `Y`, the outputs
    /// each column's demand requires.
    ///
    /// # Units
    /// The result has the unit of `rhs`.
    ///
    /// # Panics
    /// When `rhs` does not have `n` rows.
    pub fn solve_in_place(&self, rhs: MatMut<'_, f64>) {
        assert_eq!(rhs.nrows(), self.size(), "right-hand side must have n rows");
        self.lu.solve_in_place(rhs);
    }

    /// [`LeontiefModel::solve_in_place`] with the given parallelism instead of the one the
    /// model was factored with: [`Par::Seq`] for a solve inside a task that already runs on
    /// the thread pool (one draw of an uncertainty analysis).
    ///
    /// # Panics
    /// When `rhs` does not have `n` rows.
    pub fn solve_in_place_with(&self, rhs: MatMut<'_, f64>, par: Par) {
        assert_eq!(rhs.nrows(), self.size(), "right-hand side must have n rows");
        self.lu.solve_in_place_with(rhs, par);
    }

    /// Overwrites `rhs` (n × k) with `(I − A)⁻ᵀ·rhs`: for intensities `c`, the total
    /// (direct + indirect) multipliers `c·(I − A)⁻¹` as a column.
    ///
    /// # Panics
    /// When `rhs` does not have `n` rows.
    pub fn solve_transpose_in_place(&self, rhs: MatMut<'_, f64>) {
        assert_eq!(rhs.nrows(), self.size(), "right-hand side must have n rows");
        self.lu.solve_transpose_in_place(rhs);
    }

    /// Solves `(I − A)·X = Y` and checks that the economy is productive: a solution with
    /// negative entries (beyond rounding) for non-negative `Y` is an error.
    ///
    /// # Errors
    /// [`MrioError::NonProductive`] naming the sectors with negative solved output;
    /// [`MrioError::Singular`] when the solution is not finite.
    pub fn solve_checked(&self, y: &Mat<f64>) -> Result<Mat<f64>, MrioError> {
        self.solve_checked_with_progress(y, &NoProgress)
    }

    /// [`LeontiefModel::solve_checked`], reporting to `progress` as the task
    /// [`LeontiefModel::SOLVE_TASK`] with one step per column of `y`. The columns are solved
    /// in batches of 64 whatever `progress` is, so the result does not depend on it.
    /// `finish` is called on success and on error.
    ///
    /// # Units
    /// The result has the unit of `y`.
    ///
    /// # Errors
    /// As [`LeontiefModel::solve_checked`].
    ///
    /// # Panics
    /// When `y` does not have `n` rows.
    pub fn solve_checked_with_progress(
        &self,
        y: &Mat<f64>,
        progress: &dyn Progress,
    ) -> Result<Mat<f64>, MrioError> {
        let mut out = y.clone();
        let k = out.ncols();
        progress.begin(Self::SOLVE_TASK, k as u64);
        let mut j = 0;
        while j < k {
            let width = SOLVE_BATCH.min(k - j);
            self.solve_in_place(out.as_mut().subcols_mut(j, width));
            progress.advance(width as u64);
            j += width;
        }
        progress.finish();
        if y.col_iter().any(|c| c.iter().any(|v| *v < 0.0)) {
            // With negative final demand (inventories drawn down) a column of X may be
            // negative in a productive economy: test productivity on its own instead.
            // For A ≥ 0, z = (I − A)⁻¹·1 > 0 holds exactly when the spectral radius of A is
            // below 1 (then (I − A)·z = 1 > 0 with z > 0).
            for j in 0..out.ncols() {
                if let Some(i) = out.col(j).iter().position(|v| !v.is_finite()) {
                    return Err(MrioError::Singular {
                        what: "I − A".to_owned(),
                        sectors: vec![label(&self.regions, &self.sectors, i)],
                        pivot: f64::NAN,
                    });
                }
            }
            let mut ones = Mat::<f64>::from_fn(self.size(), 1, |_, _| 1.0);
            self.solve_in_place(ones.as_mut());
            let not_positive: Vec<usize> = (0..self.size())
                .filter(|&i| !(ones[(i, 0)] > 0.0 && ones[(i, 0)].is_finite()))
                .collect();
            if !not_positive.is_empty() {
                let most_negative = not_positive
                    .iter()
                    .map(|&i| ones[(i, 0)])
                    .fold(0.0f64, f64::min);
                return Err(MrioError::NonProductive {
                    sectors: not_positive
                        .into_iter()
                        .map(|i| label(&self.regions, &self.sectors, i))
                        .collect(),
                    columns_at_or_above_one: self
                        .columns_at_or_above_one
                        .iter()
                        .map(|&j| label(&self.regions, &self.sectors, j))
                        .collect(),
                    most_negative,
                });
            }
            return Ok(out);
        }
        self.check_productive(&out)?;
        Ok(out)
    }

    /// Checks a solution `X = (I − A)⁻¹·Y` of non-negative `Y` for negative or non-finite
    /// entries.
    ///
    /// # Errors
    /// See [`LeontiefModel::solve_checked`].
    pub fn check_productive(&self, solved: &Mat<f64>) -> Result<(), MrioError> {
        let mut negative = std::collections::BTreeSet::new();
        let mut most_negative = 0.0f64;
        for j in 0..solved.ncols() {
            let col = solved.col(j);
            let scale = col.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for (i, &v) in col.iter().enumerate() {
                if !v.is_finite() {
                    return Err(MrioError::Singular {
                        what: "I − A".to_owned(),
                        sectors: vec![label(&self.regions, &self.sectors, i)],
                        pivot: f64::NAN,
                    });
                }
                if v < -1e-9 * scale {
                    negative.insert(i);
                    most_negative = most_negative.min(v);
                }
            }
        }
        if negative.is_empty() {
            return Ok(());
        }
        Err(MrioError::NonProductive {
            sectors: negative
                .into_iter()
                .map(|i| label(&self.regions, &self.sectors, i))
                .collect(),
            columns_at_or_above_one: self
                .columns_at_or_above_one
                .iter()
                .map(|&j| label(&self.regions, &self.sectors, j))
                .collect(),
            most_negative,
        })
    }

    /// The Leontief inverse `L = (I − A)⁻¹` as a dense n × n matrix. Costs a second n × n
    /// matrix and n right-hand-side solves: only for users who need `L` itself.
    pub fn leontief_inverse(&self) -> Mat<f64> {
        let mut l = Mat::<f64>::identity(self.size(), self.size());
        self.solve_in_place(l.as_mut());
        l
    }
}

/// Turns `Z` into `I − A` in place; returns the columns whose `A` column sum is ≥ 1.
pub(crate) fn into_i_minus_a(mut z: MatMut<'_, f64>, x: &[f64]) -> Vec<usize> {
    let mut at_or_above_one = Vec::new();
    for (j, &xj) in x.iter().enumerate() {
        let mut col = z.rb_mut().col_mut(j);
        let mut sum = 0.0;
        if xj == 0.0 {
            col.fill(0.0);
        } else {
            for v in col.rb_mut().iter_mut() {
                let a = *v / xj;
                sum += a;
                *v = -a;
            }
        }
        col[j] += 1.0;
        if sum >= 1.0 {
            at_or_above_one.push(j);
        }
    }
    at_or_above_one
}

use faer::reborrow::ReborrowMut;

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(m: usize, n: usize) -> (Vec<RegionId>, Vec<SectorId>) {
        (
            (0..m)
                .map(|r| RegionId::new(format!("r{r}")).unwrap())
                .collect(),
            (0..n)
                .map(|i| SectorId::new(format!("s{i}")).unwrap())
                .collect(),
        )
    }

    #[test]
    fn overflowing_z_is_reported_as_overflow_not_singularity() {
        let (regions, sectors) = labels(1, 2);
        // Row sums of Z + Y overflow: named at total output.
        let table = MrioTable {
            regions: regions.clone(),
            sectors: sectors.clone(),
            z: Mat::from_fn(2, 2, |i, _| if i == 1 { 1e308 } else { 1.0 }),
            y: Mat::from_fn(2, 1, |_, _| 1.0),
            x: None,
            monetary_unit: "M.EUR".to_owned(),
        };
        let err = total_output(&table, 1e-6).unwrap_err();
        assert!(matches!(err, MrioError::Overflow { .. }), "{err}");
        assert!(err.to_string().contains("r0/s1"), "{err}");
        // A tiny output buying a huge input: A overflows, named by row and column.
        let z = Mat::from_fn(2, 2, |i, j| if (i, j) == (0, 1) { 1e308 } else { 0.0 });
        let err =
            LeontiefModel::factor(z, &[1.0, 1e-10], &regions, &sectors, Par::Seq).unwrap_err();
        assert!(matches!(err, MrioError::Overflow { .. }), "{err}");
        assert!(err.to_string().contains("row r0/s0, column r0/s1"), "{err}");
    }

    #[test]
    fn i_minus_a_is_formed_column_normalised() {
        let z = Mat::from_fn(2, 2, |i, j| [[1.0, 2.0], [3.0, 4.0]][i][j]);
        let mut m = z.clone();
        let above = into_i_minus_a(m.as_mut(), &[10.0, 5.0]);
        assert_eq!(above, vec![1]); // (2 + 4) / 5 ≥ 1
        assert_eq!(m[(0, 0)], 1.0 - 0.1);
        assert_eq!(m[(1, 0)], -0.3);
        assert_eq!(m[(0, 1)], -0.4);
        assert_eq!(m[(1, 1)], 1.0 - 0.8);
    }

    #[test]
    fn leontief_inverse_times_i_minus_a_is_identity() {
        let (r, s) = labels(1, 2);
        let z = Mat::from_fn(2, 2, |i, j| [[1.0, 2.0], [3.0, 4.0]][i][j]);
        let x = [10.0, 20.0];
        let model = LeontiefModel::factor(z.clone(), &x, &r, &s, Par::Seq).unwrap();
        let l = model.leontief_inverse();
        let mut ima = z;
        into_i_minus_a(ima.as_mut(), &x);
        let id = &ima * &l;
        assert!((id - Mat::<f64>::identity(2, 2)).norm_max() < 1e-14);
    }
}
