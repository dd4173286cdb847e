//! A dense LU factorisation with partial pivoting, computed in the caller's buffer.
//!
//! faer's high-level `partial_piv_lu()` copies the matrix and stores `L` and `U` separately
//! (about 3·n² f64). This wrapper runs faer's low-level `lu_in_place` on a matrix it owns,
//! keeps the packed factors in that same buffer and solves from them, so the peak is one
//! n × n matrix.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg;
use faer::linalg::lu::partial_pivoting::{factor, solve};
use faer::perm::PermRef;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, Par};
use rayon::prelude::*;

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

/// Width of the column panels of the blocked factorisation: the progress granularity of
/// [`PackedLu::factor`]. A matrix of at most this size is factored in one call of faer's
/// `lu_in_place`; larger ones in panels of this many columns, each followed by the
/// triangular solve and rank-`PANEL` update of the trailing matrix (right-looking blocked
/// LU). The panel width depends only on `n`, never on who listens to the progress, so results
/// do not depend on whether a bar is drawn.
pub(crate) const PANEL: usize = 256;

impl PackedLu {
    /// Factors `matrix` in place. Returns the factors, or the smallest pivot when it is
    /// below `n·ε` times the largest pivot (or not finite), i.e. the matrix is singular to
    /// working precision.
    ///
    /// `columns_done(k)` is called after every panel with the number `k` of columns it
    /// factored; the calls add up to `n`, also when the result is a [`TinyPivot`].
    pub(crate) fn factor(
        mut matrix: Mat<f64>,
        par: Par,
        columns_done: &mut dyn FnMut(usize),
    ) -> Result<Self, TinyPivot> {
        let n = matrix.nrows();
        debug_assert_eq!(n, matrix.ncols());
        let mut perm_fwd: Vec<usize> = (0..n).collect();
        let mut local_fwd = vec![0usize; n];
        let mut local_inv = vec![0usize; n];
        let scratch =
            factor::lu_in_place_scratch::<usize, f64>(n, PANEL.min(n), par, Default::default());
        let mut mem = MemBuffer::new(scratch);
        let mut moved: Vec<(usize, usize)> = Vec::new();
        let mut k = 0;
        while k < n {
            let width = PANEL.min(n - k);
            let rows = n - k;
            factor::lu_in_place(
                matrix.as_mut().submatrix_mut(k, k, rows, width),
                &mut local_fwd[..rows],
                &mut local_inv[..rows],
                par,
                MemStack::new(&mut mem),
                Default::default(),
            );
            // Row `k + i` of the panel now holds what was row `k + local_fwd[i]`: move the
            // same rows in the columns left of the panel (L) and right of it (still A), and
            // compose the global permutation. Partial pivoting over `width` columns moves at
            // most 2·width rows.
            moved.clear();
            moved.extend(
                (0..rows)
                    .filter(|&i| local_fwd[i] != i)
                    .map(|i| (k + i, k + local_fwd[i])),
            );
            if !moved.is_empty() {
                permute_rows(matrix.as_mut().submatrix_mut(0, 0, n, k), &moved, par);
                permute_rows(
                    matrix
                        .as_mut()
                        .submatrix_mut(0, k + width, n, n - k - width),
                    &moved,
                    par,
                );
                let before: Vec<usize> = moved.iter().map(|&(_, src)| perm_fwd[src]).collect();
                for (&(dst, _), p) in moved.iter().zip(before) {
                    perm_fwd[dst] = p;
                }
            }
            if k + width < n {
                let (_, _, _, trailing) = matrix.as_mut().split_at_mut(k, k);
                let (l11, mut a12, l21, a22) = trailing.split_at_mut(width, width);
                linalg::triangular_solve::solve_unit_lower_triangular_in_place(
                    l11.rb(),
                    a12.rb_mut(),
                    par,
                );
                linalg::matmul::matmul(a22, Accum::Add, l21.rb(), a12.rb(), -1.0, par);
            }
            columns_done(width);
            k += width;
        }
        let mut perm_inv = vec![0usize; n];
        for (i, &p) in perm_fwd.iter().enumerate() {
            perm_inv[p] = i;
        }
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
        self.solve_in_place_with(rhs, self.par);
    }

    /// [`PackedLu::solve_in_place`] with the given parallelism (e.g. [`Par::Seq`] inside a
    /// task that already runs on the thread pool).
    pub(crate) fn solve_in_place_with(&self, rhs: MatMut<'_, f64>, par: Par) {
        let n = self.packed.nrows();
        let scratch = solve::solve_in_place_scratch::<usize, f64>(n, rhs.ncols(), par);
        let mut mem = MemBuffer::new(scratch);
        let lu = self.packed.as_ref();
        solve::solve_in_place(lu, lu, self.perm(), rhs, par, MemStack::new(&mut mem));
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

/// Applies a row permutation given as `(destination, source)` pairs (every row that moves,
/// sources distinct) to every column of `matrix`.
fn permute_rows(matrix: MatMut<'_, f64>, moved: &[(usize, usize)], par: Par) {
    let ncols = matrix.ncols();
    if ncols == 0 {
        return;
    }
    let apply = |mut block: MatMut<'_, f64>| {
        let mut values = vec![0.0; moved.len()];
        for j in 0..block.ncols() {
            let mut col = block.rb_mut().col_mut(j);
            for (v, &(_, src)) in values.iter_mut().zip(moved) {
                *v = col[src];
            }
            for (&v, &(dst, _)) in values.iter().zip(moved) {
                col[dst] = v;
            }
        }
    };
    match par {
        Par::Rayon(threads) if ncols * moved.len() > 1 << 16 => {
            let chunk = ncols.div_ceil(threads.get() * 4).max(16);
            matrix.par_col_chunks_mut(chunk).for_each(apply);
        }
        _ => apply(matrix),
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
        let lu = PackedLu::factor(m.clone(), Par::Seq, &mut |_| {}).unwrap();
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
        let lu = PackedLu::factor(m.clone(), Par::Seq, &mut |_| {}).unwrap();
        let b = Mat::from_fn(2, 1, |i, _| [1.0, 2.0][i]);
        let mut x = b.clone();
        lu.solve_in_place(x.as_mut());
        assert!((&m * &x - &b).norm_max() < 1e-12);
    }

    #[test]
    fn singular_matrix_reports_its_column() {
        let m = Mat::from_fn(3, 3, |i, j| if j == 1 { 0.0 } else { (i + j + 1) as f64 });
        let err = PackedLu::factor(m, Par::Seq, &mut |_| {}).unwrap_err();
        assert_eq!(err.column, 1);
    }

    /// A seeded, well-conditioned but pivot-hungry matrix: random entries with a dominant
    /// entry in a shuffled position of each column, so partial pivoting moves rows in every
    /// panel.
    fn pivoting_matrix(n: usize, seed: u64) -> Mat<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut m = Mat::from_fn(n, n, |_, _| rng.random_range(-1.0..1.0));
        let mut rows: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            rows.swap(i, rng.random_range(0..=i));
        }
        for (j, &i) in rows.iter().enumerate() {
            m[(i, j)] += n as f64;
        }
        m
    }

    #[test]
    fn blocked_factorisation_solves_like_a_single_call() {
        // Three panels and a partial one; sequential and parallel.
        let n = 2 * PANEL + 37;
        let m = pivoting_matrix(n, 7);
        let b = Mat::from_fn(n, 3, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        for par in [Par::Seq, Par::rayon(2)] {
            let mut done = Vec::new();
            let lu = PackedLu::factor(m.clone(), par, &mut |k| done.push(k)).unwrap();
            assert_eq!(done, vec![PANEL, PANEL, 37]);
            let mut x = b.clone();
            lu.solve_in_place(x.as_mut());
            let scale = m.norm_max() * x.norm_max() * n as f64;
            assert!((&m * &x - &b).norm_max() < 1e-13 * scale);
            let mut xt = b.clone();
            lu.solve_transpose_in_place(xt.as_mut());
            assert!((m.transpose() * &xt - &b).norm_max() < 1e-13 * scale);
            // faer's own one-call factorisation gives the same solution.
            let reference = m.partial_piv_lu();
            let want = faer::linalg::solvers::Solve::solve(&reference, &b);
            assert!((&x - &want).norm_max() < 1e-12 * want.norm_max().max(1.0));
        }
    }

    #[test]
    fn a_singular_column_after_the_first_panel_is_named_and_every_column_reported() {
        let n = PANEL + 20;
        let mut m = pivoting_matrix(n, 3);
        let dead = PANEL + 5;
        for i in 0..n {
            m[(i, dead)] = 0.0;
        }
        let mut total = 0;
        let err = PackedLu::factor(m, Par::Seq, &mut |k| total += k).unwrap_err();
        assert_eq!(err.column, dead);
        assert_eq!(total, n);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whatever the size relative to the panel width, the blocked factorisation solves
        /// `M·x = b` to a residual of a few ε·‖M‖·‖x‖·n, and reports every column once, in
        /// one call per panel.
        #[test]
        fn blocked_lu_solves_and_reports_every_column(
            n in 1usize..=(2 * PANEL + 50), seed in 0u64..1000, parallel in proptest::bool::ANY,
        ) {
            let m = pivoting_matrix(n, seed);
            let par = if parallel { Par::rayon(2) } else { Par::Seq };
            let mut done = Vec::new();
            let lu = PackedLu::factor(m.clone(), par, &mut |k| done.push(k)).unwrap();
            proptest::prop_assert_eq!(done.iter().sum::<usize>(), n);
            proptest::prop_assert_eq!(done.len(), n.div_ceil(PANEL));
            let b = Mat::from_fn(n, 2, |i, j| ((i * 5 + j) % 9) as f64 - 4.0);
            let mut x = b.clone();
            lu.solve_in_place(x.as_mut());
            let scale = m.norm_max() * x.norm_max().max(1.0) * n as f64;
            let r = (&m * &x - &b).norm_max();
            proptest::prop_assert!(r < 1e-13 * scale, "residual {} (scale {})", r, scale);
        }
    }
}
