//! [`FactoredEct`]: the ECT of one stressor with `I − A` kept factored, so that another final
//! demand `Y` or other emissions `F` cost solves and an assembly, never a factorisation.

use faer::{Mat, Par};
use fzc_core::{NoProgress, Progress, RegionId, SectorId};

use crate::ect::{Kept, attribute, compute};
use crate::model::{LeontiefModel, label};
use crate::{EctAccounts, EctMethod, EctOptions, MassUnit, MrioError, MrioTable, Satellite};

/// One stressor's ECT with the factored `I − A` of its table kept.
///
/// The technical coefficients `A = Z·diag(x)⁻¹` are the table's structure and stay fixed.
/// [`FactoredEct::perturbed`] recomputes the accounts for final demand `Y' = Y ∘ g` and
/// direct emissions `F' = F ∘ h` (element-wise factors):
///
/// - `X' = (I − A)⁻¹·Y'` by the kept LU factors (n × m solves);
/// - the total outputs follow: `x' = x ∘ (X'·1) ⊘ (X·1)`, i.e. the table's `x` scaled by
///   the change of the solved output (for a balanced table `x = X·1`);
/// - `c'_i = F'_i / x'_i`: the emission inventory `F'` is what each sector releases, so the
///   production-based emissions of every region stay `Σ F'` of its sectors;
/// - `T'[r, s] = Σ_{i∈r} c'_i X'[i, s]`, split into `T_final` and `T_inter` as
///   [`crate::compute_ect`] does.
///
/// This is exactly [`crate::compute_ect`] on the table `Z' = A·diag(x')`, `Y'`, `F'`, `x'`
/// (tested), without its factorisation. With every factor 1 the result is the base accounts,
/// bit for bit: an unperturbed `Y` reuses the base solution. Final users' emissions `F_Y`
/// are not perturbed.
///
/// Only [`EctMethod::FinalDemand`]: EEBT's multipliers come from the domestic blocks, not
/// from the global factorisation.
///
/// # Example
/// ```
/// use fzc_ect_mrio::faer::Mat;
/// use fzc_ect_mrio::{EctOptions, FactoredEct, MassUnit, MrioTable, RegionId, Satellite, SectorId};
///
/// let table = MrioTable {
///     regions: vec![RegionId::new("a")?, RegionId::new("b")?],
///     sectors: vec![SectorId::new("s")?],
///     z: Mat::from_fn(2, 2, |i, j| if i == j { 10.0 } else { 20.0 }),
///     y: Mat::from_fn(2, 2, |i, j| if i == j { 50.0 } else { 20.0 }),
///     x: None,
///     monetary_unit: "M.EUR".to_owned(),
/// };
/// let co2 = Satellite {
///     name: "CO2".to_owned(),
///     unit: MassUnit::Tonne,
///     by_sector: vec![100.0, 40.0],
///     final_users: vec![0.0, 0.0],
/// };
/// let (factored, base) = FactoredEct::new(table, &co2, &EctOptions::default())?;
/// // Final demand 10 % higher everywhere: T scales by 1.1 while each region's production
/// // stays its inventory F.
/// let more = factored.perturbed(Some(&[1.1; 4]), None)?;
/// assert!((more.production()[0] - base.production()[0]).abs() < 1e-9);
/// // Emissions 10 % higher: every T entry grows by 10 %.
/// let dirtier = factored.perturbed(None, Some(&[1.1, 1.1]))?;
/// assert!((dirtier.total.get(0, 1) - 1.1 * base.total.get(0, 1)).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FactoredEct {
    model: LeontiefModel,
    y: Mat<f64>,
    solved: Mat<f64>,
    /// `X·1` of the base solution.
    solved_output: Vec<f64>,
    intensities: Vec<f64>,
    regions: Vec<RegionId>,
    sectors: Vec<SectorId>,
    unit: MassUnit,
    final_users: Vec<f64>,
}

impl std::fmt::Debug for FactoredEct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactoredEct")
            .field("size", &self.model.size())
            .field("regions", &self.regions.len())
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}

impl FactoredEct {
    /// Computes the accounts of `satellite` as [`crate::compute_ect`] does (the same numbers,
    /// bit for bit) and keeps what [`FactoredEct::perturbed`] needs: the LU factors of
    /// `I − A`, `Y`, the solved outputs and the intensities. Memory: one n × n matrix and
    /// three n × m ones.
    ///
    /// # Errors
    /// As [`crate::compute_ect`]; [`MrioError::Unsupported`] for [`EctMethod::Eebt`].
    pub fn new(
        table: MrioTable,
        satellite: &Satellite,
        options: &EctOptions,
    ) -> Result<(FactoredEct, EctAccounts), MrioError> {
        Self::new_with_progress(table, satellite, options, &NoProgress)
    }

    /// [`FactoredEct::new`], reporting to `progress` as [`crate::compute_ect_with_progress`].
    ///
    /// # Errors
    /// As [`FactoredEct::new`].
    pub fn new_with_progress(
        table: MrioTable,
        satellite: &Satellite,
        options: &EctOptions,
        progress: &dyn Progress,
    ) -> Result<(FactoredEct, EctAccounts), MrioError> {
        if options.method != EctMethod::FinalDemand {
            return Err(MrioError::Unsupported {
                what: "perturbed accounts need method = final-demand: EEBT's multipliers come \
                       from each region's domestic block, not from the global factorisation \
                       they reuse"
                    .to_owned(),
            });
        }
        let (regions, sectors) = (table.regions.clone(), table.sectors.clone());
        let (mut accounts, kept) = compute(
            table,
            std::slice::from_ref(satellite),
            options,
            progress,
            true,
        )?;
        let (Some(accounts), Some(kept)) = (accounts.pop(), kept) else {
            return Err(MrioError::Shape {
                what: "satellites",
                found_rows: 0,
                found_cols: 0,
                expected_rows: 1,
                expected_cols: 1,
            });
        };
        let Kept {
            model,
            y,
            solved,
            mut intensities,
            ..
        } = kept;
        let solved_output = row_sums(&solved);
        let factored = FactoredEct {
            model,
            y,
            solved,
            solved_output,
            intensities: intensities.pop().unwrap_or_default(),
            regions,
            sectors,
            unit: satellite.unit,
            final_users: satellite.final_users.clone(),
        };
        Ok((factored, accounts))
    }

    /// The table's size `n` (rows of `Y`, entries of `F`).
    pub fn size(&self) -> usize {
        self.model.size()
    }

    /// The number of regions `m` (columns of `Y`).
    pub fn region_count(&self) -> usize {
        self.regions.len()
    }

    /// The table's final demand `Y` (n × m), region-major rows.
    pub fn final_demand(&self) -> &Mat<f64> {
        &self.y
    }

    /// The accounts for `Y ∘ y_factors` and `F ∘ f_factors` (see the type's documentation).
    /// `y_factors` is column-major, `n · m` long (entry `s·n + i` multiplies `Y[i, s]`);
    /// `f_factors` is `n` long. `None` leaves that input as it is. Solves run on the calling
    /// thread ([`Par::Seq`]): run draws in parallel, not the solve. The result's `warnings`
    /// are empty (the base accounts carry the table's).
    ///
    /// # Errors
    /// [`MrioError::Shape`] for factors of the wrong length; [`MrioError::BadValue`] for a
    /// factor that is not finite; [`MrioError::PerturbedOutput`] when a sector with
    /// emissions has no positive output under the new `Y`; [`MrioError::Singular`] when the
    /// solution is not finite.
    pub fn perturbed(
        &self,
        y_factors: Option<&[f64]>,
        f_factors: Option<&[f64]>,
    ) -> Result<EctAccounts, MrioError> {
        let (n, m) = (self.size(), self.region_count());
        let shape = |what: &'static str, found: usize, expected: usize| MrioError::Shape {
            what,
            found_rows: 1,
            found_cols: found,
            expected_rows: 1,
            expected_cols: expected,
        };
        let finite = |what: &'static str, factors: &[f64]| -> Result<(), MrioError> {
            match factors.iter().position(|v| !v.is_finite()) {
                Some(k) => Err(MrioError::BadValue {
                    what,
                    row: k % n,
                    col: k / n,
                    region: self.regions[(k % n) / self.sectors.len()].clone(),
                    sector: self.sectors[(k % n) % self.sectors.len()].clone(),
                    value: factors[k],
                    expected: "a finite factor",
                }),
                None => Ok(()),
            }
        };
        let mut owned = None;
        if let Some(g) = y_factors {
            if g.len() != n * m {
                return Err(shape("Y factors", g.len(), n * m));
            }
            finite("Y factors", g)?;
            let y = Mat::from_fn(n, m, |i, s| self.y[(i, s)] * g[s * n + i]);
            let mut x = y.clone();
            self.model.solve_in_place_with(x.as_mut(), Par::Seq);
            if let Some(j) = (0..m).find(|&j| x.col(j).iter().any(|v| !v.is_finite())) {
                let i = x.col(j).iter().position(|v| !v.is_finite()).unwrap_or(0);
                return Err(MrioError::Singular {
                    what: "I − A".to_owned(),
                    sectors: vec![label(&self.regions, &self.sectors, i)],
                    pivot: f64::NAN,
                });
            }
            owned = Some((y, x));
        }
        if let Some(h) = f_factors {
            if h.len() != n {
                return Err(shape("F factors", h.len(), n));
            }
            finite("F factors", h)?;
        }
        let (y, solved) = match &owned {
            Some((y, x)) => (y, x),
            None => (&self.y, &self.solved),
        };
        let output = owned.as_ref().map(|(_, x)| row_sums(x));
        let mut c = self.intensities.clone();
        for (i, ci) in c.iter_mut().enumerate() {
            if let Some(h) = f_factors {
                *ci *= h[i];
            }
            if let Some(output) = &output
                && *ci != 0.0
            {
                // NaN is not positive either.
                if output[i].is_nan() || output[i] <= 0.0 {
                    return Err(MrioError::PerturbedOutput {
                        place: label(&self.regions, &self.sectors, i),
                        value: output[i],
                    });
                }
                // c' = F'/x' with x' = x · (X'·1)/(X·1).
                *ci *= self.solved_output[i] / output[i];
            }
        }
        let (total, intermediate, final_part) =
            attribute(solved, y, &c, m, self.sectors.len(), &NoProgress);
        Ok(EctAccounts {
            regions: self.regions.clone(),
            unit: self.unit,
            method: EctMethod::FinalDemand,
            total,
            intermediate,
            final_part,
            final_users: self.final_users.clone(),
            warnings: Vec::new(),
        })
    }
}

fn row_sums(x: &Mat<f64>) -> Vec<f64> {
    (0..x.nrows())
        .map(|i| (0..x.ncols()).map(|j| x[(i, j)]).sum())
        .collect()
}
