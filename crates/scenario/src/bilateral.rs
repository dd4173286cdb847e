//! Filling in the bilateral net ECT matrix `NT[r,s]` from region nets and the pairs that are
//! known.
//!
//! Publications often give every region's net transfer `NF[r]` but only a few bilateral nets.
//! The pricing ledger needs a full matrix, so the rest is allocated by a rule that is a
//! scenario value ([`BilateralRule`]), never hidden code. Whatever the rule, the result
//! satisfies `NT[r,s] = −NT[s,r]` and `Σ_s NT[r,s] = NF[r]` (METHOD section 1.4).

use std::fmt;
use std::str::FromStr;

use fzc_core::TonnesCo2;
use serde::{Deserialize, Serialize};

/// How bilateral nets that are not given are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BilateralRule {
    /// Given pairs are fixed first and final. Each region's residual
    /// `ρ_r = NF[r] − Σ_s NT_given[r,s]` is then settled between residual payers (`ρ > 0`)
    /// and residual recipients (`ρ < 0`), over the pairs not given: each payer's residual is
    /// split among recipients in proportion to their residual |net|. With no given pair this
    /// is `NT[r,s] = ρ_r · |ρ_s| / Σ_{q: ρ_q<0} |ρ_q|`; with given pairs excluded it is the
    /// same rule fitted to both margins by iterative proportional fitting (RAS). It is the
    /// maximum-entropy allocation with those margins: it invents no flow between two payers
    /// or two recipients and favours no pair the data do not single out.
    #[default]
    Proportional,
    /// The given pairs are the whole matrix; every region's row must already sum to its net.
    Given,
}

impl BilateralRule {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            BilateralRule::Proportional => "proportional",
            BilateralRule::Given => "given",
        }
    }
}

impl fmt::Display for BilateralRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BilateralRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "proportional" => Ok(BilateralRule::Proportional),
            "given" => Ok(BilateralRule::Given),
            _ => Err(format!(
                "unknown bilateral rule {text:?}; expected proportional or given"
            )),
        }
    }
}

/// A dense antisymmetric matrix of bilateral net transfers, `NT[r,s]` in t CO2.
#[derive(Debug, Clone, PartialEq)]
pub struct NetMatrix {
    n: usize,
    tonnes: Vec<f64>,
}

impl NetMatrix {
    /// An all-zero matrix for `n` regions.
    pub fn zeros(n: usize) -> Self {
        Self {
            n,
            tonnes: vec![0.0; n * n],
        }
    }

    /// The number of regions.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the matrix has no regions.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// `NT[r,s]`.
    ///
    /// # Units
    /// t CO2.
    pub fn get(&self, r: usize, s: usize) -> TonnesCo2 {
        TonnesCo2(self.tonnes[r * self.n + s])
    }

    /// Adds `tonnes` to `NT[r,s]` and subtracts it from `NT[s,r]`.
    fn add(&mut self, r: usize, s: usize, tonnes: f64) {
        self.tonnes[r * self.n + s] += tonnes;
        self.tonnes[s * self.n + r] -= tonnes;
    }

    /// `Σ_s NT[r,s]`: what the matrix says region `r`'s net transfer is.
    ///
    /// # Units
    /// t CO2.
    pub fn row_sum(&self, r: usize) -> TonnesCo2 {
        TonnesCo2(self.tonnes[r * self.n..(r + 1) * self.n].iter().sum())
    }

    /// The positive entries as `(payer, payee, tonnes)`, in row-major (sorted) order.
    pub fn positive_entries(&self) -> Vec<(usize, usize, TonnesCo2)> {
        let mut out = Vec::new();
        for r in 0..self.n {
            for s in 0..self.n {
                let t = self.tonnes[r * self.n + s];
                if t > 0.0 {
                    out.push((r, s, TonnesCo2(t)));
                }
            }
        }
        out
    }
}

/// Why an allocation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AllocationError {
    /// With [`BilateralRule::Proportional`], the residuals cannot be settled over the pairs
    /// that are not given (e.g. a payer's only possible recipients are all given pairs).
    Infeasible {
        /// Region index whose residual could not be settled.
        region: usize,
        /// What is left of its residual, t CO2.
        left: f64,
    },
    /// With [`BilateralRule::Given`], region `region`'s row sums to `row_sum` instead of `nf`.
    Incomplete {
        /// Region index.
        region: usize,
        /// `Σ_s NT[r,s]` of the given pairs, t CO2.
        row_sum: f64,
        /// `NF[r]`, t CO2.
        nf: f64,
    },
}

/// Builds the full bilateral net matrix.
///
/// `nf[r]` are the region nets (they must sum to zero; the caller checks), `given` the known
/// pairs `(from, to, NT[from,to])`, with at most one entry per unordered pair (the caller
/// checks). `tolerance` is the absolute slack, in t CO2, for the row check of
/// [`BilateralRule::Given`].
///
/// # Units
/// All masses t CO2.
///
/// # Errors
/// [`AllocationError::Incomplete`] when the rule is `Given` and a row does not sum to its net.
pub fn allocate(
    nf: &[TonnesCo2],
    given: &[(usize, usize, TonnesCo2)],
    rule: BilateralRule,
    tolerance: f64,
) -> Result<NetMatrix, AllocationError> {
    let n = nf.len();
    let mut matrix = NetMatrix::zeros(n);
    for &(from, to, tonnes) in given {
        matrix.add(from, to, tonnes.0);
    }
    let residual: Vec<f64> = (0..n).map(|r| nf[r].0 - matrix.row_sum(r).0).collect();
    match rule {
        BilateralRule::Given => {
            if let Some(r) = (0..n).find(|&r| residual[r].abs() > tolerance) {
                return Err(AllocationError::Incomplete {
                    region: r,
                    row_sum: matrix.row_sum(r).0,
                    nf: nf[r].0,
                });
            }
        }
        BilateralRule::Proportional => {
            let payers: Vec<usize> = (0..n).filter(|&r| residual[r] > 0.0).collect();
            let recipients: Vec<usize> = (0..n).filter(|&s| residual[s] < 0.0).collect();
            let fixed: std::collections::BTreeSet<(usize, usize)> = given
                .iter()
                .map(|&(a, b, _)| (a.min(b), a.max(b)))
                .collect();
            let open = |r: usize, s: usize| !fixed.contains(&(r.min(s), r.max(s)));
            // Seed: 1 on open payer-recipient pairs, 0 on given ones; then RAS.
            let mut x: Vec<Vec<f64>> = payers
                .iter()
                .map(|&r| {
                    recipients
                        .iter()
                        .map(|&s| if open(r, s) { 1.0 } else { 0.0 })
                        .collect()
                })
                .collect();
            let scale = residual.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let target_tol = 1e-12 * scale;
            for _ in 0..10_000 {
                for (i, &r) in payers.iter().enumerate() {
                    let sum: f64 = x[i].iter().sum();
                    if sum > 0.0 {
                        let f = residual[r] / sum;
                        x[i].iter_mut().for_each(|v| *v *= f);
                    }
                }
                let mut worst = 0.0f64;
                for (j, &s) in recipients.iter().enumerate() {
                    let sum: f64 = x.iter().map(|row| row[j]).sum();
                    worst = worst.max((sum + residual[s]).abs());
                    if sum > 0.0 {
                        let f = -residual[s] / sum;
                        x.iter_mut().for_each(|row| row[j] *= f);
                    }
                }
                if worst <= target_tol {
                    break;
                }
            }
            // Rows exactly on target last, then check both margins.
            for (i, &r) in payers.iter().enumerate() {
                let sum: f64 = x[i].iter().sum();
                if sum > 0.0 {
                    let f = residual[r] / sum;
                    x[i].iter_mut().for_each(|v| *v *= f);
                }
            }
            for (i, &r) in payers.iter().enumerate() {
                for (j, &s) in recipients.iter().enumerate() {
                    if x[i][j] > 0.0 {
                        matrix.add(r, s, x[i][j]);
                    }
                }
            }
            let slack = tolerance.max(1e-9 * scale * n as f64);
            if let Some(r) = (0..n).find(|&r| (matrix.row_sum(r).0 - nf[r].0).abs() > slack) {
                return Err(AllocationError::Infeasible {
                    region: r,
                    left: nf[r].0 - matrix.row_sum(r).0,
                });
            }
        }
    }
    Ok(matrix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(values: &[f64]) -> Vec<TonnesCo2> {
        values.iter().map(|&v| TonnesCo2(v)).collect()
    }

    #[test]
    fn a_payer_splits_among_recipients_by_their_net() {
        // One payer (+30) and recipients −10 and −20: 10 and 20.
        let m = allocate(
            &t(&[30.0, -10.0, -20.0]),
            &[],
            BilateralRule::Proportional,
            1e-9,
        )
        .unwrap();
        assert_eq!(m.get(0, 1).0, 10.0);
        assert_eq!(m.get(0, 2).0, 20.0);
        assert_eq!(m.get(1, 2).0, 0.0);
        assert_eq!(m.get(2, 0).0, -20.0);
    }

    #[test]
    fn given_pairs_are_kept_and_the_rest_allocated() {
        // 0 owes 1 exactly 10 (given); its remaining 20 goes to 2, the only open pair.
        let m = allocate(
            &t(&[30.0, -10.0, -20.0]),
            &[(0, 1, TonnesCo2(10.0))],
            BilateralRule::Proportional,
            1e-9,
        )
        .unwrap();
        assert_eq!(m.get(0, 1).0, 10.0);
        assert_eq!(m.get(0, 2).0, 20.0);
    }

    #[test]
    fn a_given_pair_is_final_and_the_others_take_the_rest() {
        // Payers 0 and 1 (+20 each); recipients 2 and 3 (−20 each). Given: 0 owes 2 five.
        // Residuals: 0: 15, 2: −15. Pair (0,2) is closed, so 0 pays 3 its 15 and 1 pays the
        // rest: 15 to 2 and 5 to 3.
        let m = allocate(
            &t(&[20.0, 20.0, -20.0, -20.0]),
            &[(0, 2, TonnesCo2(5.0))],
            BilateralRule::Proportional,
            1e-6,
        )
        .unwrap();
        assert_eq!(m.get(0, 2).0, 5.0);
        assert!((m.get(0, 3).0 - 15.0).abs() < 1e-6, "{m:?}");
        assert!((m.get(1, 2).0 - 15.0).abs() < 1e-6, "{m:?}");
        assert!((m.get(1, 3).0 - 5.0).abs() < 1e-6, "{m:?}");
    }

    #[test]
    fn an_unsettleable_residual_is_refused() {
        // 0 (+30) may only pay 1 (−30), but that pair is given as 10: 20 cannot go anywhere.
        let err = allocate(
            &t(&[30.0, -30.0]),
            &[(0, 1, TonnesCo2(10.0))],
            BilateralRule::Proportional,
            1e-6,
        )
        .unwrap_err();
        assert!(matches!(err, AllocationError::Infeasible { .. }), "{err:?}");
    }

    #[test]
    fn an_incomplete_given_matrix_is_refused() {
        let err = allocate(
            &t(&[30.0, -10.0, -20.0]),
            &[(0, 1, TonnesCo2(10.0))],
            BilateralRule::Given,
            1e-6,
        )
        .unwrap_err();
        assert_eq!(
            err,
            AllocationError::Incomplete {
                region: 0,
                row_sum: 10.0,
                nf: 30.0
            }
        );
    }

    /// Region nets that sum to zero, plus some given pairs.
    fn nets_and_pairs() -> impl Strategy<Value = (Vec<f64>, Vec<(usize, usize, f64)>)> {
        (2usize..9).prop_flat_map(|n| {
            (
                prop::collection::vec(-1.0e8..1.0e8f64, n - 1),
                prop::collection::vec((0..n, 0..n, -5.0e7..5.0e7f64), 0..6),
            )
                .prop_map(move |(mut nets, pairs)| {
                    let sum: f64 = nets.iter().sum();
                    nets.push(-sum);
                    let mut seen = std::collections::BTreeSet::new();
                    let pairs = pairs
                        .into_iter()
                        .filter(|&(a, b, _)| a != b && seen.insert((a.min(b), a.max(b))))
                        .collect();
                    (nets, pairs)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The allocation keeps every given pair, is antisymmetric, and reproduces every
        /// region's net, or says that the residuals cannot be settled over the open pairs.
        #[test]
        fn rows_sum_to_the_nets_and_given_pairs_stay((nets, pairs) in nets_and_pairs()) {
            let given: Vec<_> = pairs.iter().map(|&(a, b, x)| (a, b, TonnesCo2(x))).collect();
            let scale = nets.iter().chain(pairs.iter().map(|p| &p.2)).fold(1.0f64, |a, &x| a.max(x.abs()));
            let tolerance = 1e-6 * scale;
            match allocate(&t(&nets), &given, BilateralRule::Proportional, tolerance) {
                Ok(m) => {
                    for (r, &nf) in nets.iter().enumerate() {
                        prop_assert!((m.row_sum(r).0 - nf).abs() <= tolerance,
                            "row {r}: {} vs {nf}", m.row_sum(r).0);
                        prop_assert_eq!(m.get(r, r).0, 0.0);
                        for s in 0..nets.len() {
                            prop_assert_eq!(m.get(r, s).0, -m.get(s, r).0);
                        }
                    }
                    for &(a, b, x) in &given {
                        prop_assert_eq!(m.get(a, b).0, x.0);
                    }
                }
                Err(AllocationError::Infeasible { .. }) => prop_assert!(!given.is_empty()),
                Err(e) => prop_assert!(false, "{e:?}"),
            }
        }

        /// Without given pairs the allocation always succeeds and matches the closed form.
        #[test]
        fn without_given_pairs_it_is_the_closed_form((nets, _) in nets_and_pairs()) {
            let m = allocate(&t(&nets), &[], BilateralRule::Proportional, 0.0).unwrap();
            let owed: f64 = nets.iter().filter(|&&x| x < 0.0).map(|x| -x).sum();
            for r in (0..nets.len()).filter(|&r| nets[r] > 0.0) {
                for s in (0..nets.len()).filter(|&s| nets[s] < 0.0) {
                    let expected = nets[r] * -nets[s] / owed;
                    prop_assert!((m.get(r, s).0 - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                        "{r}->{s}: {} vs {expected}", m.get(r, s).0);
                }
            }
        }

        /// Without given pairs no payer pays a payer and no recipient pays anyone.
        #[test]
        fn flows_only_run_from_payers_to_recipients((nets, _) in nets_and_pairs()) {
            let m = allocate(&t(&nets), &[], BilateralRule::Proportional, 0.0).unwrap();
            for (r, s, _) in m.positive_entries() {
                prop_assert!(nets[r] > 0.0 && nets[s] < 0.0, "{r} -> {s}: {} -> {}", nets[r], nets[s]);
            }
        }
    }
}
