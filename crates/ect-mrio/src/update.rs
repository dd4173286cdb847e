//! Bringing a table to another year (METHOD 1.5): constant direct input coefficients with
//! per-region growth of final demand (Ye 2012), and RAS balancing to given margins.

use faer::{Mat, MatRef, Par};

use crate::model::{LeontiefModel, total_output};
use crate::{MrioError, MrioTable};

/// Updates a table by constant direct input coefficients.
///
/// Keeps `A` and the column structure of `Y`; scales the final demand of region `s`
/// (column `s` of `Y`) by `growth[s]`; recomputes `x' = (I − A)⁻¹·Y'·1` with one solve and
/// `Z' = A·diag(x')`. The result carries `x'`. Satellites are not updated: emissions of the
/// new year are an input.
///
/// # Units
/// `growth` is dimensionless (e.g. GDP 2020 / GDP 2017); flows stay in the table's unit.
///
/// # Errors
/// [`MrioError::Shape`] when `growth` does not have one factor per region,
/// [`MrioError::BadGrowthFactor`] for a NaN, infinite or negative factor, and the errors of
/// [`MrioTable::validate`], [`total_output`] and [`LeontiefModel`].
pub fn update_constant_coefficients(
    table: &MrioTable,
    growth: &[f64],
    balance_tolerance: f64,
    par: Par,
) -> Result<MrioTable, MrioError> {
    table.validate()?;
    let m = table.region_count();
    if growth.len() != m {
        return Err(MrioError::Shape {
            what: "growth factors",
            found_rows: growth.len(),
            found_cols: 1,
            expected_rows: m,
            expected_cols: 1,
        });
    }
    for (region, &g) in table.regions.iter().zip(growth) {
        if !(g.is_finite() && g >= 0.0) {
            return Err(MrioError::BadGrowthFactor {
                region: region.clone(),
                value: g,
            });
        }
    }
    let x_old = total_output(table, balance_tolerance)?.x;
    let n = table.size();
    let y = Mat::from_fn(n, m, |i, s| table.y[(i, s)] * growth[s]);
    let demand = Mat::from_fn(n, 1, |i, _| y.row(i).iter().sum::<f64>());
    let model =
        LeontiefModel::factor(table.z.clone(), &x_old, &table.regions, &table.sectors, par)?;
    let x_new = model.solve_checked(&demand)?;
    drop(model);
    let x: Vec<f64> = x_new.col(0).iter().map(|&v| v.max(0.0)).collect();
    let z = Mat::from_fn(n, n, |i, j| {
        if x_old[j] == 0.0 {
            0.0
        } else {
            table.z[(i, j)] / x_old[j] * x[j]
        }
    });
    Ok(MrioTable {
        regions: table.regions.clone(),
        sectors: table.sectors.clone(),
        z,
        y,
        x: Some(x),
        monetary_unit: table.monetary_unit.clone(),
    })
}

/// Options of [`ras_balance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RasOptions {
    /// Largest relative residual `|sum − target| / target` of any row or column accepted
    /// (default 1e-10). Also the relative tolerance of `Σ rows = Σ columns`.
    pub tolerance: f64,
    /// Iterations (one row and one column scaling each) before giving up (default 10,000).
    pub max_iterations: usize,
}

impl Default for RasOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            max_iterations: 10_000,
        }
    }
}

/// A balanced matrix and how it was reached.
#[derive(Debug, Clone)]
pub struct RasResult {
    /// `diag(r)·prior·diag(s)` with the requested margins.
    pub matrix: Mat<f64>,
    /// Iterations used.
    pub iterations: usize,
    /// Largest relative row or column residual at the end.
    pub residual: f64,
}

/// RAS (biproportional) balancing of a non-negative prior to given row and column totals.
///
/// Alternately scales rows and columns until every margin is within `tolerance` (relative).
/// Used to bring `Z` to new intermediate totals (`row_targets = x − Y·1`, `col_targets =
/// x − value added`).
///
/// # Units
/// Targets in the unit of `prior`; the result in the same unit.
///
/// # Errors
/// [`MrioError::RasInfeasible`] when the shapes disagree, a value is NaN, infinite or
/// negative, the totals are inconsistent (`Σ rows ≠ Σ cols` beyond the tolerance), or a
/// row or column of the prior is zero with a positive target (naming it);
/// [`MrioError::RasNotConverged`] after `max_iterations`.
pub fn ras_balance(
    prior: MatRef<'_, f64>,
    row_targets: &[f64],
    col_targets: &[f64],
    options: &RasOptions,
) -> Result<RasResult, MrioError> {
    let infeasible = |message: String| MrioError::RasInfeasible { message };
    let (nr, nc) = (prior.nrows(), prior.ncols());
    if row_targets.len() != nr || col_targets.len() != nc {
        return Err(infeasible(format!(
            "prior is {nr} × {nc} but there are {} row and {} column targets",
            row_targets.len(),
            col_targets.len()
        )));
    }
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
        return Err(MrioError::BadOption {
            what: "RAS tolerance",
            value: options.tolerance,
            expected: "a finite relative tolerance > 0",
        });
    }
    for (what, v) in [("row", row_targets), ("column", col_targets)] {
        if let Some((i, &t)) = v
            .iter()
            .enumerate()
            .find(|(_, t)| !(t.is_finite() && **t >= 0.0))
        {
            return Err(infeasible(format!(
                "{what} target {i} is {t}, expected a finite value ≥ 0"
            )));
        }
    }
    for j in 0..nc {
        for i in 0..nr {
            let v = prior[(i, j)];
            if !(v.is_finite() && v >= 0.0) {
                return Err(infeasible(format!(
                    "prior[{i}, {j}] is {v}, expected a finite value ≥ 0"
                )));
            }
        }
    }
    let (sr, sc): (f64, f64) = (row_targets.iter().sum(), col_targets.iter().sum());
    if (sr - sc).abs() > options.tolerance * sr.max(sc) {
        return Err(infeasible(format!(
            "row targets sum to {sr} but column targets to {sc}; they must be equal"
        )));
    }
    let mut a = prior.to_owned();
    let row_sums = |a: &Mat<f64>| -> Vec<f64> {
        let mut out = vec![0.0; nr];
        for j in 0..nc {
            for (i, o) in out.iter_mut().enumerate() {
                *o += a[(i, j)];
            }
        }
        out
    };
    let col_sums = |a: &Mat<f64>| -> Vec<f64> { (0..nc).map(|j| a.col(j).iter().sum()).collect() };
    for (what, sums, targets) in [
        ("row", row_sums(&a), row_targets),
        ("column", col_sums(&a), col_targets),
    ] {
        if let Some(i) = (0..sums.len()).find(|&i| sums[i] == 0.0 && targets[i] > 0.0) {
            return Err(infeasible(format!(
                "{what} {i} of the prior is all zero but its target is {}",
                targets[i]
            )));
        }
    }
    let residual_of = |sums: &[f64], targets: &[f64]| -> f64 {
        sums.iter().zip(targets).fold(0.0f64, |acc, (&s, &t)| {
            let r = if t == 0.0 {
                if s == 0.0 { 0.0 } else { f64::INFINITY }
            } else {
                (s - t).abs() / t
            };
            acc.max(r)
        })
    };
    let mut residual = f64::INFINITY;
    for iteration in 1..=options.max_iterations {
        let rs = row_sums(&a);
        for j in 0..nc {
            for i in 0..nr {
                let f = if rs[i] == 0.0 {
                    0.0
                } else {
                    row_targets[i] / rs[i]
                };
                a[(i, j)] *= f;
            }
        }
        let cs = col_sums(&a);
        for (j, &s) in cs.iter().enumerate() {
            let f = if s == 0.0 { 0.0 } else { col_targets[j] / s };
            a.col_mut(j).iter_mut().for_each(|v| *v *= f);
        }
        residual =
            residual_of(&row_sums(&a), row_targets).max(residual_of(&col_sums(&a), col_targets));
        if residual <= options.tolerance {
            return Ok(RasResult {
                matrix: a,
                iterations: iteration,
                residual,
            });
        }
    }
    Err(MrioError::RasNotConverged {
        iterations: options.max_iterations,
        residual,
        tolerance: options.tolerance,
    })
}
