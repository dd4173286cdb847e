//! A dense m × m matrix indexed by region.

/// Dense m × m row-major matrix indexed by region: entry `(r, s)` is about the ordered pair
/// "from r, to s" (for transfers: released in `r`, caused by final demand of `s`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegionMatrix {
    m: usize,
    data: Vec<f64>,
}

impl RegionMatrix {
    /// An m × m matrix of zeros.
    pub fn new(m: usize) -> Self {
        Self {
            m,
            data: vec![0.0; m * m],
        }
    }

    /// Builds an m × m matrix from `f(r, s)`.
    pub fn from_fn(m: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut out = Self::new(m);
        for r in 0..m {
            for s in 0..m {
                out.data[r * m + s] = f(r, s);
            }
        }
        out
    }

    /// The number of regions `m`: the matrix is m × m and holds `m²` entries
    /// ([`Self::len`]).
    pub fn region_count(&self) -> usize {
        self.m
    }

    /// The number of regions `m`, not the number of entries.
    #[deprecated(
        since = "0.1.0",
        note = "ambiguous: it is m, not m²; use `region_count()` (m) or `len()` (m²)"
    )]
    pub fn size(&self) -> usize {
        self.m
    }

    /// The number of entries, `m²`.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the matrix has no regions.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Entry `(r, s)`.
    ///
    /// # Panics
    /// When `r` or `s` is ≥ m.
    pub fn get(&self, r: usize, s: usize) -> f64 {
        assert!(
            r < self.m && s < self.m,
            "index ({r}, {s}) out of {0} × {0}",
            self.m
        );
        self.data[r * self.m + s]
    }

    /// Sets entry `(r, s)`.
    ///
    /// # Panics
    /// When `r` or `s` is ≥ m.
    pub fn set(&mut self, r: usize, s: usize, v: f64) {
        assert!(
            r < self.m && s < self.m,
            "index ({r}, {s}) out of {0} × {0}",
            self.m
        );
        self.data[r * self.m + s] = v;
    }

    /// `Σ_s M[r, s]` for every `r`.
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.m)
            .map(|r| self.data[r * self.m..(r + 1) * self.m].iter().sum())
            .collect()
    }

    /// `Σ_r M[r, s]` for every `s`.
    pub fn col_sums(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.m];
        for r in 0..self.m {
            for (s, o) in out.iter_mut().enumerate() {
                *o += self.data[r * self.m + s];
            }
        }
        out
    }

    /// The row-major entries (`m²`).
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_follow_rows_and_columns() {
        let m = RegionMatrix::from_fn(2, |r, s| (10 * r + s) as f64);
        assert_eq!(m.row_sums(), vec![1.0, 21.0]);
        assert_eq!(m.col_sums(), vec![10.0, 12.0]);
        assert_eq!(m.get(1, 0), 10.0);
        assert_eq!((m.region_count(), m.len()), (2, 4));
        assert!(!m.is_empty() && RegionMatrix::new(0).is_empty());
    }
}
