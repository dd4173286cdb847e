//! `compute_ect`: from a validated table and one stressor to the ECT accounts (METHOD 1.3).

use faer::{Mat, Par};
use fzc_core::{NoProgress, Progress};

use crate::intensity::intensities;
use crate::model::{LeontiefModel, label, total_output};
use crate::{EctAccounts, MrioError, MrioTable, RegionMatrix, Satellite};

/// The task name under which [`compute_ect_with_progress`] reports the assembly of `T`
/// from the solved outputs (one step per final-demand region).
pub const ASSEMBLY_TASK: &str = "assembling T";

/// The task name under which [`compute_ect_with_progress`] reports the EEBT domestic
/// multipliers (one step per region).
pub const EEBT_TASK: &str = "EEBT domestic multipliers";

/// How emissions are attributed to pairs of regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum EctMethod {
    /// Final-demand attribution (METHOD 1.3, the default):
    /// `T[r, s] = Σ_{i∈r} c_i · ((I − A)⁻¹ · y_s)_i`, split exactly into
    /// `T_final[r, s] = Σ_{i∈r} c_i · y_s[i]` and `T_inter = T − T_final`
    /// `= Σ_{i∈r} c_i · ((I − A)⁻¹ − I) · y_s`. Row sums are the production emissions of
    /// `r`, column sums the consumption-based footprint of `s`.
    #[default]
    FinalDemand,
    /// Emissions embodied in bilateral trade (EEBT): what `r` exports to `s` times `r`'s
    /// domestic total-emission multipliers `m_r = c_r · (I − A_rr)⁻¹`.
    ///
    /// - `T_inter[r, s] = m_r · Z[r, s]·1` for `s ≠ r`: embodied in intermediate exports to
    ///   `s`'s industries, whatever final demand (possibly a third region's, or `r`'s own)
    ///   they end up in; zero on the diagonal (domestic intermediate use is internal).
    /// - `T_final[r, s] = m_r · Y[r, s]`: embodied in goods sold to `s`'s final users,
    ///   including `r`'s own final demand on the diagonal.
    ///
    /// Row sums are again the production emissions of `r` (`m_r · (x_r − Z_rr·1) = c_r·x_r`),
    /// but column sums are not footprints: EEBT counts trade flows, not final-demand causes.
    Eebt,
}

/// Options of [`compute_ect`].
#[derive(Debug, Clone, PartialEq)]
pub struct EctOptions {
    /// The attribution method.
    pub method: EctMethod,
    /// Relative tolerance of the balance check `x = Z·1 + Y·1` when `x` is given
    /// (default 1e-6).
    pub balance_tolerance: f64,
    /// Threads for faer: 1 is sequential, 0 means rayon's global thread count when the
    /// computation runs. The default is the global thread count when `Default` is called
    /// ([`rayon::current_num_threads`]), which is the same unless the pool changes in between.
    pub parallelism: usize,
}

impl Default for EctOptions {
    fn default() -> Self {
        Self {
            method: EctMethod::FinalDemand,
            balance_tolerance: 1e-6,
            parallelism: rayon::current_num_threads(),
        }
    }
}

impl EctOptions {
    /// The faer parallelism these options ask for.
    pub fn par(&self) -> Par {
        match self.parallelism {
            1 => Par::Seq,
            n => Par::rayon(n),
        }
    }
}

/// Computes the ECT accounts of one stressor.
///
/// Consumes the table so that the buffer of `Z` becomes `I − A` and then its LU factors in
/// place: peak memory is about one n × n matrix plus O(n·m).
///
/// # Units
/// Every value of the result is in `satellite.unit`.
///
/// # Errors
/// Any [`MrioError`] of [`MrioTable::validate`], a satellite of the wrong length or with
/// NaN/negative values ([`MrioError::Shape`], [`MrioError::BadSatelliteValue`]), an
/// imbalance ([`MrioError::Imbalance`]), a zero-output sector with inputs, a singular or
/// non-productive `I − A`, or a bad option.
pub fn compute_ect(
    table: MrioTable,
    satellite: &Satellite,
    options: &EctOptions,
) -> Result<EctAccounts, MrioError> {
    compute_ect_with_progress(table, satellite, options, &NoProgress)
}

/// [`compute_ect`], reporting its long steps to `progress`, one task after the other.
///
/// With [`EctMethod::FinalDemand`]: [`LeontiefModel::FACTOR_TASK`] (n columns),
/// [`LeontiefModel::SOLVE_TASK`] (one step per region's final-demand column) and
/// [`ASSEMBLY_TASK`] (one step per region). With [`EctMethod::Eebt`]:
/// [`EEBT_TASK`] (one step per region). Every task that begins also finishes, on success
/// and on error; validation errors come before any task begins. The accounts are the same
/// whatever `progress` is.
///
/// # Units
/// Every value of the result is in `satellite.unit`.
///
/// # Errors
/// As [`compute_ect`].
pub fn compute_ect_with_progress(
    table: MrioTable,
    satellite: &Satellite,
    options: &EctOptions,
    progress: &dyn Progress,
) -> Result<EctAccounts, MrioError> {
    let mut all =
        compute_ect_many_with_progress(table, std::slice::from_ref(satellite), options, progress)?;
    all.pop().ok_or(MrioError::Shape {
        what: "satellites",
        found_rows: 0,
        found_cols: 0,
        expected_rows: 1,
        expected_cols: 1,
    })
}

/// The ECT accounts of many stressors from one factorisation: `I − A` is factored once and
/// `(I − A)·X = Y` solved once for the table; each stressor then costs only its intensities
/// and the assembly of its `T` (O(n·m)). With [`EctMethod::Eebt`] each stressor repeats the
/// small domestic LUs (N × N per region), which never touch the global `I − A`.
///
/// The result has one [`EctAccounts`] per satellite, in order; each is what
/// [`compute_ect`] returns for that satellite alone, value for value.
///
/// # Units
/// Each result is in its satellite's unit.
///
/// # Errors
/// As [`compute_ect`], for the first satellite that fails; no accounts are returned then.
pub fn compute_ect_many(
    table: MrioTable,
    satellites: &[Satellite],
    options: &EctOptions,
) -> Result<Vec<EctAccounts>, MrioError> {
    compute_ect_many_with_progress(table, satellites, options, &NoProgress)
}

/// [`compute_ect_many`], reporting to `progress` as [`compute_ect_with_progress`] does:
/// the factorisation and the solve once, then [`ASSEMBLY_TASK`] (or [`EEBT_TASK`]) once per
/// satellite.
///
/// # Units
/// As [`compute_ect_many`].
///
/// # Errors
/// As [`compute_ect_many`].
pub fn compute_ect_many_with_progress(
    table: MrioTable,
    satellites: &[Satellite],
    options: &EctOptions,
    progress: &dyn Progress,
) -> Result<Vec<EctAccounts>, MrioError> {
    compute(table, satellites, options, progress, false).map(|(accounts, _)| accounts)
}

/// What [`compute`] keeps of a final-demand computation when asked: the factored model, the
/// final demand, the solved outputs and the intensities of each satellite.
pub(crate) struct Kept {
    pub(crate) model: LeontiefModel,
    pub(crate) y: Mat<f64>,
    pub(crate) solved: Mat<f64>,
    pub(crate) intensities: Vec<Vec<f64>>,
}

/// The accounts of every satellite; with `keep` and [`EctMethod::FinalDemand`], also the
/// model and solved outputs behind them ([`crate::FactoredEct`]). The accounts do not depend
/// on `keep`.
pub(crate) fn compute(
    table: MrioTable,
    satellites: &[Satellite],
    options: &EctOptions,
    progress: &dyn Progress,
    keep: bool,
) -> Result<(Vec<EctAccounts>, Option<Kept>), MrioError> {
    table.validate()?;
    for satellite in satellites {
        check_satellite(&table, satellite)?;
    }
    let output = total_output(&table, options.balance_tolerance)?;
    let mut zero_output: Vec<String> = output
        .zero_output
        .iter()
        .map(|&j| {
            format!(
                "sector {} has zero total output; its column of A is zero",
                label(&table.regions, &table.sectors, j)
            )
        })
        .collect();
    if let Some(note) = negative_final_demand(&table) {
        zero_output.push(note);
    }
    let prepared: Vec<(Vec<f64>, Vec<String>)> = satellites
        .iter()
        .map(|satellite| {
            let c = intensities(&satellite.by_sector, &output.x);
            let mut warnings = zero_output.clone();
            for &j in &c.dropped {
                warnings.push(format!(
                    "sector {} emits {} {} with zero output; these emissions are attributed \
                     to no final demand",
                    label(&table.regions, &table.sectors, j),
                    satellite.by_sector[j],
                    satellite.unit
                ));
            }
            (c.per_output, warnings)
        })
        .collect();
    let regions = table.regions.clone();
    let (m, n_sec) = (table.region_count(), table.sector_count());
    let mut kept = None;
    let parts: Vec<(RegionMatrix, RegionMatrix, RegionMatrix)> = match options.method {
        EctMethod::FinalDemand => {
            let MrioTable {
                regions: table_regions,
                sectors,
                z,
                y,
                ..
            } = table;
            let model = LeontiefModel::factor_with_progress(
                z,
                &output.x,
                &table_regions,
                &sectors,
                options.par(),
                progress,
            )?;
            let solved = model.solve_checked_with_progress(&y, progress)?;
            let parts = prepared
                .iter()
                .map(|(c, _)| attribute(&solved, &y, c, m, n_sec, progress))
                .collect();
            if keep {
                kept = Some(Kept {
                    model,
                    y,
                    solved,
                    intensities: prepared.iter().map(|(c, _)| c.clone()).collect(),
                });
            }
            parts
        }
        EctMethod::Eebt => prepared
            .iter()
            .map(|(c, _)| crate::eebt::eebt(&table, &output.x, c, options.par(), progress))
            .collect::<Result<_, _>>()?,
    };
    let accounts = satellites
        .iter()
        .zip(prepared)
        .zip(parts)
        .map(
            |((satellite, (_, warnings)), (total, intermediate, final_part))| EctAccounts {
                regions: regions.clone(),
                unit: satellite.unit,
                method: options.method,
                total,
                intermediate,
                final_part,
                final_users: satellite.final_users.clone(),
                warnings,
            },
        )
        .collect();
    Ok((accounts, kept))
}

/// `T[r, s] = Σ_{i∈r} c_i X[i, s]`, `T_final[r, s] = Σ_{i∈r} c_i Y[i, s]`,
/// `T_inter[r, s] = Σ_{i∈r} c_i (X − Y)[i, s]`.
pub(crate) fn attribute(
    solved: &Mat<f64>,
    y: &Mat<f64>,
    c: &[f64],
    m: usize,
    n_sec: usize,
    progress: &dyn Progress,
) -> (RegionMatrix, RegionMatrix, RegionMatrix) {
    progress.begin(ASSEMBLY_TASK, m as u64);
    let mut total = RegionMatrix::new(m);
    let mut inter = RegionMatrix::new(m);
    let mut fin = RegionMatrix::new(m);
    for s in 0..m {
        let xs = solved.col(s);
        let ys = y.col(s);
        for r in 0..m {
            let (mut t, mut ti, mut tf) = (0.0, 0.0, 0.0);
            for i in r * n_sec..(r + 1) * n_sec {
                t += c[i] * xs[i];
                ti += c[i] * (xs[i] - ys[i]);
                tf += c[i] * ys[i];
            }
            total.set(r, s, t);
            inter.set(r, s, ti);
            fin.set(r, s, tf);
        }
        progress.advance(1);
    }
    progress.finish();
    (total, inter, fin)
}

/// A note on negative final demand, if any: how many entries, and the most negative.
fn negative_final_demand(table: &MrioTable) -> Option<String> {
    let mut count = 0usize;
    let mut worst = (0.0f64, 0usize, 0usize);
    for s in 0..table.y.ncols() {
        for (i, &v) in table.y.col(s).iter().enumerate() {
            if v < 0.0 {
                count += 1;
                if v < worst.0 {
                    worst = (v, i, s);
                }
            }
        }
    }
    (count > 0).then(|| {
        format!(
            "final demand has {count} negative entries (changes in inventories or valuables); \
             the most negative is {} for {} bought by {}: T[r, s] and footprints can be \
             negative where they dominate",
            worst.0,
            label(&table.regions, &table.sectors, worst.1),
            table.regions[worst.2]
        )
    })
}

fn check_satellite(table: &MrioTable, satellite: &Satellite) -> Result<(), MrioError> {
    let (n, m) = (table.size(), table.region_count());
    if satellite.by_sector.len() != n {
        return Err(MrioError::Shape {
            what: "F",
            found_rows: 1,
            found_cols: satellite.by_sector.len(),
            expected_rows: 1,
            expected_cols: n,
        });
    }
    if satellite.final_users.len() != m {
        return Err(MrioError::Shape {
            what: "F_Y",
            found_rows: 1,
            found_cols: satellite.final_users.len(),
            expected_rows: 1,
            expected_cols: m,
        });
    }
    for (i, &v) in satellite.by_sector.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(MrioError::BadSatelliteValue {
                what: "F",
                stressor: satellite.name.clone(),
                place: label(&table.regions, &table.sectors, i),
                value: v,
            });
        }
    }
    for (r, &v) in satellite.final_users.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(MrioError::BadSatelliteValue {
                what: "F_Y",
                stressor: satellite.name.clone(),
                place: table.regions[r].to_string(),
                value: v,
            });
        }
    }
    Ok(())
}
