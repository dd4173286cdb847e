//! A dense LU factorisation with partial pivoting, computed in the caller's buffer.
//!
//! faer's high-level `partial_piv_lu()` copies the matrix and stores `L` and `U` separately
//! (about 3·n² f64). This wrapper runs faer's low-level `lu_in_place` on a matrix it owns,
//! keeps the packed factors in that same buffer and solves from them, so the peak is one
//! n × n matrix.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::lu::partial_pivoting::{factor, solve};
use faer::perm::PermRef;
use faer::{Mat, MatMut, Par};

/// Packed LU factors of a square matrix with their row permutation.
#[derive(Debug, Clone)]
pub(crate) struct PackedLu {
    /// Strictly lower part: `L` (unit diagonal implied); upper part with diagonal: `U`.
    packed: Mat<f64>,
    perm_fwd: Vec<usize>,
    perm_inv: Vec<usize>,
    par: Par,
}

/// A vanishing pivot: the factorisation exists but the matrix is singular to working precision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TinyPivot {
    /// Column of the smallest pivot (a column of the original matrix: LU permutes rows only).
    pub column: usize,
    /// Its absolute value.
    pub pivot: f64,
}

impl PackedLu {
    /// Factors `matrix` in place. Returns the factors, or the smallest pivot when it is
    /// below `n·ε` times the largest pivot (or not finite), i.e. the matrix is singular to
    /// working precision.
    pub(crate) fn factor(mut matrix: Mat<f64>, par: Par) -> Result<Self, TinyPivot> {
        let n = matrix.nrows();
        debug_assert_eq!(n, matrix.ncols());
        let mut perm_fwd = vec![0usize; n];
        let mut perm_inv = vec![0usize; n];
        let scratch = factor::lu_in_place_scratch::<usize, f64>(n, n, par, Default::default());
        let mut mem = MemBuffer::new(scratch);
        factor::lu_in_place(
            matrix.as_mut(),
            &mut perm_fwd,
            &mut perm_inv,
            par,
            MemStack::new(&mut mem),
            Default::default(),
        );
        let largest = (0..n)
            .map(|k| matrix[(k, k)].abs())
            .filter(|p| p.is_finite())
            .fold(0.0f64, f64::max);
        let threshold = (n as f64) * f64::EPSILON * largest.max(1.0);
        // The first vanishing pivot names the column; later ones may be NaN from dividing
        // by it.
        if let Some(k) = (0..n).find(|&k| {
            let p = matrix[(k, k)].abs();
            !(p.is_finite() && p > threshold)
        }) {
            return Err(TinyPivot {
                column: k,
                pivot: matrix[(k, k)].abs(),
            });
        }
        Ok(Self {
            packed: matrix,
            perm_fwd,
            perm_inv,
            par,
        })
    }

    fn perm(&self) -> PermRef<'_, usize> {
        PermRef::new_checked(&self.perm_fwd, &self.perm_inv, self.perm_fwd.len())
    }

    /// Overwrites `rhs` with `M⁻¹·rhs`.
    pub(crate) fn solve_in_place(&self, rhs: MatMut<'_, f64>) {
        let n = self.packed.nrows();
        let scratch = solve::solve_in_place_scratch::<usize, f64>(n, rhs.ncols(), self.par);
        let mut mem = MemBuffer::new(scratch);
        let lu = self.packed.as_ref();
        solve::solve_in_place(lu, lu, self.perm(), rhs, self.par, MemStack::new(&mut mem));
    }

    /// Overwrites `rhs` with `M⁻ᵀ·rhs`.
    pub(crate) fn solve_transpose_in_place(&self, rhs: MatMut<'_, f64>) {
        let n = self.packed.nrows();
        let scratch =
            solve::solve_transpose_in_place_scratch::<usize, f64>(n, rhs.ncols(), self.par);
        let mut mem = MemBuffer::new(scratch);
        let lu = self.packed.as_ref();
        solve::solve_transpose_in_place(
            lu,
            lu,
            self.perm(),
            rhs,
            self.par,
            MemStack::new(&mut mem),
        );
    }

    /// Size of the factored matrix.
    pub(crate) fn size(&self) -> usize {
        self.packed.nrows()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_system_and_its_transpose() {
        // M = [[4, 1, 0], [2, 5, 1], [0, 3, 6]] (pivoting needed on no row, but exercised).
        let m = Mat::from_fn(3, 3, |i, j| {
            [[4.0, 1.0, 0.0], [2.0, 5.0, 1.0], [0.0, 3.0, 6.0]][i][j]
        });
        let lu = PackedLu::factor(m.clone(), Par::Seq).unwrap();
        let b = Mat::from_fn(3, 2, |i, j| (i + 2 * j) as f64 + 1.0);
        let mut x = b.clone();
        lu.solve_in_place(x.as_mut());
        let r = &m * &x - &b;
        assert!(r.norm_max() < 1e-12, "{r:?}");
        let mut xt = b.clone();
        lu.solve_transpose_in_place(xt.as_mut());
        let rt = m.transpose() * &xt - &b;
        assert!(rt.norm_max() < 1e-12, "{rt:?}");
    }

    #[test]
    fn pivoting_is_honoured() {
        let m = Mat::from_fn(2, 2, |i, j| [[1e-20, 1.0], [1.0, 1.0]][i][j]);
        let lu = PackedLu::factor(m.clone(), Par::Seq).unwrap();
        let b = Mat::from_fn(2, 1, |i, _| [1.0, 2.0][i]);
        let mut x = b.clone();
        lu.solve_in_place(x.as_mut());
        assert!((&m * &x - &b).norm_max() < 1e-12);
    }

    #[test]
    fn singular_matrix_reports_its_column() {
        let m = Mat::from_fn(3, 3, |i, j| if j == 1 { 0.0 } else { (i + j + 1) as f64 });
        let err = PackedLu::factor(m, Par::Seq).unwrap_err();
        assert_eq!(err.column, 1);
    }
}
