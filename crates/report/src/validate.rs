//! Consistency checks on a [`ReportInput`] before anything is drawn or written.

use std::collections::BTreeSet;

use crate::ReportError;
use crate::model::{LonLatRaster, ReportInput};

fn bad(what: String) -> ReportError {
    ReportError::Input { what }
}

fn finite(v: f64, what: impl FnOnce() -> String) -> Result<(), ReportError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(bad(format!("{} is {v}, expected a finite number", what())))
    }
}

/// Checks that region ids are unique and non-empty, every region has a polygon, every number
/// is finite, and every flow, ledger pair and comparison row names a known region.
///
/// # Errors
/// [`ReportError::Input`] naming the region or pair and what was expected.
pub fn validate(input: &ReportInput) -> Result<(), ReportError> {
    let mut ids = BTreeSet::new();
    for r in &input.regions {
        if r.id.is_empty() {
            return Err(bad(
                "a region has an empty id, expected e.g. `beijing`".into()
            ));
        }
        if !ids.insert(r.id.as_str()) {
            return Err(bad(format!(
                "region `{}` appears twice, expected unique ids",
                r.id
            )));
        }
        if r.geometry.0.is_empty() {
            return Err(bad(format!(
                "region `{}` has no polygon, expected its boundary in lon/lat",
                r.id
            )));
        }
        for p in r.geometry.iter() {
            for c in p.exterior().coords() {
                if !(c.x.is_finite() && c.y.is_finite() && c.y.abs() <= 90.0) {
                    return Err(bad(format!(
                        "region `{}` has the vertex ({}, {}), expected lon/lat degrees",
                        r.id, c.x, c.y
                    )));
                }
            }
        }
        for (name, v) in [
            ("nf_t", r.nf_t),
            ("v_net_t", r.v_net_t),
            ("benchmark_t", r.benchmark_t),
            ("paid_yuan", r.paid_yuan),
            ("received_yuan", r.received_yuan),
            ("net_yuan", r.net_yuan),
        ] {
            finite(v, || format!("region `{}` {name}", r.id))?;
        }
    }
    let known = |id: &str, what: &str| {
        if ids.contains(id) {
            Ok(())
        } else {
            Err(bad(format!(
                "{what} names region `{id}`, which has no polygon; expected one of: {}",
                ids.iter().copied().collect::<Vec<_>>().join(", ")
            )))
        }
    };
    for f in &input.ect_flows {
        let what = format!("ECT flow {} → {}", f.from, f.to);
        known(&f.from, &what)?;
        known(&f.to, &what)?;
        finite(f.tonnes, || format!("{what} tonnes"))?;
    }
    for f in &input.cssf_flows {
        let what = format!("CSSF flow {} → {}", f.output, f.input);
        known(&f.output, &what)?;
        known(&f.input, &what)?;
        finite(f.transfer_t, || format!("{what} transfer_t"))?;
        finite(f.range_km, || format!("{what} range_km"))?;
    }
    for p in &input.ledger {
        let what = format!("{} ledger pair {} → {}", p.layer.as_str(), p.payer, p.payee);
        known(&p.payer, &what)?;
        known(&p.payee, &what)?;
        finite(p.amount_yuan, || format!("{what} amount_yuan"))?;
    }
    if let Some(c) = &input.comparison {
        for row in &c.rows {
            known(&row.region, "comparison row")?;
            if row.net_yuan.len() != c.schemes.len() {
                return Err(bad(format!(
                    "comparison row `{}` has {} amounts, expected {} (one per scheme: {})",
                    row.region,
                    row.net_yuan.len(),
                    c.schemes.len(),
                    c.schemes.join(", ")
                )));
            }
        }
    }
    if let Some(series) = &input.series {
        if let Some(w) = series.years.windows(2).find(|w| w[1] <= w[0]) {
            return Err(bad(format!(
                "year series: {} follows {}, expected increasing years",
                w[1], w[0]
            )));
        }
        for row in &series.rows {
            known(&row.region, "year series row")?;
            if row.net_yuan.len() != series.years.len() {
                return Err(bad(format!(
                    "year series row `{}` has {} amounts, expected {} (one per year)",
                    row.region,
                    row.net_yuan.len(),
                    series.years.len()
                )));
            }
            for (year, v) in series.years.iter().zip(&row.net_yuan) {
                finite(*v, || format!("year series `{}` {year}", row.region))?;
            }
        }
    }
    if let Some(g) = &input.cssdr {
        validate_raster(g, "CSSDR grid")?;
    }
    Ok(())
}

/// Checks a lon/lat grid: finite edges with west < east and south < north within ±90°, at
/// least one cell, and `width · height` values.
fn validate_raster(g: &LonLatRaster, what: &str) -> Result<(), ReportError> {
    let edges_ok = [g.west, g.south, g.east, g.north]
        .iter()
        .all(|v| v.is_finite())
        && g.west < g.east
        && g.south < g.north
        && g.south >= -90.0
        && g.north <= 90.0;
    if !edges_ok {
        return Err(bad(format!(
            "{what} has west {}, south {}, east {}, north {}; expected lon/lat degrees with \
             west < east and -90 <= south < north <= 90",
            g.west, g.south, g.east, g.north
        )));
    }
    if g.width == 0 || g.height == 0 || g.values.len() != g.width.saturating_mul(g.height) {
        return Err(bad(format!(
            "{what} has {} values for {} × {} cells (width × height); expected width · height \
             values, at least one",
            g.values.len(),
            g.width,
            g.height
        )));
    }
    Ok(())
}
