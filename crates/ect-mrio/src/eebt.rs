//! Emissions embodied in bilateral trade (EEBT), the second [`EctMethod`](crate::EctMethod).
//!
//! For each region `r`, the domestic total-emission multipliers `m_r = c_r·(I − A_rr)⁻¹`
//! come from one small LU of the domestic block (N × N). Exports of `r` to `s` are the
//! intermediate sales `Z[r, s]·1` (for `s ≠ r`) and the final sales `Y[r, s]`; their
//! embodied emissions are `m_r` times them. Nothing here needs the global `I − A`.

use faer::{Mat, Par};
use fzc_core::Progress;

use crate::lu::PackedLu;
use crate::model::{into_i_minus_a, label};
use crate::{MrioError, MrioTable, RegionMatrix};

/// Returns `(total, intermediate, final)` EEBT matrices. See
/// [`EctMethod::Eebt`](crate::EctMethod::Eebt) for what each part means.
pub(crate) fn eebt(
    table: &MrioTable,
    x: &[f64],
    c: &[f64],
    par: Par,
    progress: &dyn Progress,
) -> Result<(RegionMatrix, RegionMatrix, RegionMatrix), MrioError> {
    let m = table.region_count();
    let n_sec = table.sector_count();
    progress.begin(crate::ect::EEBT_TASK, m as u64);
    let multipliers = domestic_multipliers(table, x, c, par, progress);
    progress.finish();
    let multipliers = multipliers?;
    // Intermediate sales of every sector i to every region s: Σ_{j∈s} Z[i, j].
    let n = table.size();
    let mut sales = Mat::<f64>::zeros(n, m);
    for j in 0..n {
        let s = j / n_sec;
        let zcol = table.z.col(j);
        let mut out = sales.col_mut(s);
        for i in 0..n {
            out[i] += zcol[i];
        }
    }
    let mut inter = RegionMatrix::new(m);
    let mut fin = RegionMatrix::new(m);
    for s in 0..m {
        let sales_s = sales.col(s);
        let ys = table.y.col(s);
        for r in 0..m {
            let rows = r * n_sec..(r + 1) * n_sec;
            if r != s {
                let v: f64 = rows.clone().map(|i| multipliers[i] * sales_s[i]).sum();
                inter.set(r, s, v);
            }
            let v: f64 = rows.map(|i| multipliers[i] * ys[i]).sum();
            fin.set(r, s, v);
        }
    }
    let total = RegionMatrix::from_fn(m, |r, s| inter.get(r, s) + fin.get(r, s));
    Ok((total, inter, fin))
}

/// `m_r = c_r·(I − A_rr)⁻¹` for every region, concatenated (n, region-major).
fn domestic_multipliers(
    table: &MrioTable,
    x: &[f64],
    c: &[f64],
    par: Par,
    progress: &dyn Progress,
) -> Result<Vec<f64>, MrioError> {
    let n_sec = table.sector_count();
    let mut out = Vec::with_capacity(table.size());
    for (r, region) in table.regions.iter().enumerate() {
        let off = r * n_sec;
        let mut block = Mat::from_fn(n_sec, n_sec, |i, j| table.z[(off + i, off + j)]);
        let above = into_i_minus_a(block.as_mut(), &x[off..off + n_sec]);
        // A_rr = Z_rr·diag(x_r)⁻¹ overflows where a tiny output buys a huge input; the LU
        // would only see a NaN pivot and call the block singular.
        for j in 0..n_sec {
            if let Some(i) = block.col(j).iter().position(|v| !v.is_finite()) {
                return Err(MrioError::Overflow {
                    what: format!("A_rr = Z_rr·diag(x_r)⁻¹ of region {region}"),
                    place: format!(
                        "row {}, column {}",
                        label(&table.regions, &table.sectors, off + i),
                        label(&table.regions, &table.sectors, off + j)
                    ),
                    value: block[(i, j)],
                });
            }
        }
        let lu = PackedLu::factor(block, par, &mut |_| {}).map_err(|tiny| {
            let cols = if above.is_empty() {
                vec![tiny.column]
            } else {
                above.clone()
            };
            MrioError::Singular {
                what: format!("I − A_rr of region {region}"),
                sectors: cols
                    .iter()
                    .map(|&j| label(&table.regions, &table.sectors, off + j))
                    .collect(),
                pivot: tiny.pivot,
            }
        })?;
        let mut rhs = Mat::from_fn(n_sec, 1, |i, _| c[off + i]);
        lu.solve_transpose_in_place(rhs.as_mut());
        if let Some(i) = rhs.col(0).iter().position(|v| !v.is_finite()) {
            return Err(MrioError::Overflow {
                what: format!("the domestic multipliers c_r·(I − A_rr)⁻¹ of region {region}"),
                place: label(&table.regions, &table.sectors, off + i),
                value: rhs[(i, 0)],
            });
        }
        out.extend(rhs.col(0).iter().copied());
        progress.advance(1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::{RegionId, SectorId};

    /// A tiny output buying a huge input overflows A_rr: reported as an overflow naming the
    /// entry, not as a singular block with a NaN pivot.
    #[test]
    fn an_overflowing_domestic_block_is_an_overflow_not_a_singularity() {
        let table = MrioTable {
            regions: vec![RegionId::new("r0").unwrap_or_else(|e| panic!("{e}"))],
            sectors: ["s0", "s1"]
                .iter()
                .map(|s| SectorId::new(*s).unwrap_or_else(|e| panic!("{e}")))
                .collect(),
            z: Mat::from_fn(2, 2, |i, j| if (i, j) == (1, 0) { 1e300 } else { 1.0 }),
            y: Mat::from_fn(2, 1, |_, _| 1.0),
            x: None,
            monetary_unit: String::new(),
        };
        let err = domestic_multipliers(
            &table,
            &[1e-300, 10.0],
            &[1.0, 1.0],
            Par::Seq,
            &fzc_core::NoProgress,
        )
        .unwrap_err();
        assert!(matches!(err, MrioError::Overflow { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("r0/s1") && text.contains("r0/s0") && text.contains("A_rr"),
            "{text}"
        );
    }
}
