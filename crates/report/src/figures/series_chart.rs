//! The year-series chart: each region's combined net amount over the years of a series.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart_axes::{nice_ticks, tick_label};
use super::map_canvas::{ip, text};
use super::palette::{INK, RANGE_RINGS};
use super::{DrawResult, Figure, de};
use crate::model::{ReportInput, YearSeries};

/// The chart of each region's amount per year (only drawn for a year series).
pub struct SeriesChart<'a> {
    /// The run's results (region names).
    pub input: &'a ReportInput,
    /// The amounts per year.
    pub series: &'a YearSeries,
}

impl SeriesChart<'_> {
    /// The caption under the figure.
    pub fn caption(series: &YearSeries) -> String {
        let span = match (series.years.first(), series.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        };
        format!(
            "Each region's combined net amount per year, {span} (billion yuan, > 0 pays): each \
             year's ECT layer with the rest of the scenario unchanged (zoning-series.csv, \
             column ledger_net)."
        )
    }
}

/// Plot rectangle: left, top, right, bottom.
const RECT: (f64, f64, f64, f64) = (130.0, 110.0, 1120.0, 800.0);
/// Smallest vertical distance between two end labels, px.
const LABEL_GAP: f64 = 24.0;

/// End-label positions: the wanted `ys` moved apart by at least [`LABEL_GAP`] and kept inside
/// `[top, bottom]` where there is room (a pass down from the top, then one up from the
/// bottom); returned in the input order.
fn spread(ys: &[f64], top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]).then(a.cmp(&b)));
    let mut placed = vec![0.0; ys.len()];
    let mut last = f64::NEG_INFINITY;
    for &i in &order {
        let y = ys[i].max(last + LABEL_GAP).max(top);
        placed[i] = y;
        last = y;
    }
    let mut next = f64::INFINITY;
    for &i in order.iter().rev() {
        let y = placed[i].min(next - LABEL_GAP).min(bottom);
        placed[i] = y;
        next = y;
    }
    placed
}

impl Figure for SeriesChart<'_> {
    fn stem(&self) -> &'static str {
        "amount-series"
    }

    fn size(&self) -> (u32, u32) {
        (1400, 900)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        text(
            area,
            &format!("Net amount by year — {}", self.input.scenario_name),
            (40.0, 24.0),
            34.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        let (l, t, r, b) = RECT;
        let bn = 1e9;
        let years = &self.series.years;
        let mut rows: Vec<_> = self.series.rows.iter().collect();
        rows.sort_by(|a, b| a.region.cmp(&b.region));
        let values: Vec<f64> = rows
            .iter()
            .flat_map(|row| row.net_yuan.iter().map(|v| v / bn))
            .collect();
        let lo = values.iter().copied().fold(0.0, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        let ticks = nice_ticks(lo, hi, 6);
        let (lo, hi) = (
            ticks.first().copied().unwrap_or(lo),
            ticks.last().copied().unwrap_or(hi),
        );
        let y_of = |v: f64| b - (v - lo) / (hi - lo).max(1e-300) * (b - t);
        let (first, last) = (
            years.first().copied().unwrap_or(0),
            years.last().copied().unwrap_or(0),
        );
        let x_of = |year: i32| {
            if last > first {
                l + f64::from(year - first) / f64::from(last - first) * (r - l)
            } else {
                (l + r) / 2.0
            }
        };

        for v in &ticks {
            let y = y_of(*v);
            area.draw(&PathElement::new(
                vec![ip((l, y)), ip((r, y))],
                RGBColor(225, 225, 225).stroke_width(1),
            ))
            .map_err(de)?;
            text(
                area,
                &tick_label(*v),
                (l - 10.0, y),
                20.0,
                INK,
                (HPos::Right, VPos::Center),
            )?;
        }
        // About 12 year labels at most.
        let every = years.len().div_ceil(12).max(1);
        for (k, &year) in years.iter().enumerate() {
            let x = x_of(year);
            area.draw(&PathElement::new(
                vec![ip((x, b)), ip((x, b + 6.0))],
                INK.stroke_width(1),
            ))
            .map_err(de)?;
            if k % every == 0 || k + 1 == years.len() {
                text(
                    area,
                    &year.to_string(),
                    (x, b + 10.0),
                    20.0,
                    INK,
                    (HPos::Center, VPos::Top),
                )?;
            }
        }
        area.draw(&PathElement::new(
            vec![ip((l, y_of(0.0))), ip((r, y_of(0.0)))],
            INK.stroke_width(2),
        ))
        .map_err(de)?;
        area.draw(&PathElement::new(
            vec![ip((l, t)), ip((l, b)), ip((r, b))],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        text(
            area,
            "net amount, billion yuan (> 0 pays, < 0 receives)",
            (l, t - 22.0),
            21.0,
            INK,
            (HPos::Left, VPos::Bottom),
        )?;
        text(
            area,
            "year",
            ((l + r) / 2.0, b + 44.0),
            21.0,
            INK,
            (HPos::Center, VPos::Top),
        )?;

        let mut ends = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let colour = RANGE_RINGS[i % RANGE_RINGS.len()];
            let points: Vec<(i32, i32)> = years
                .iter()
                .zip(&row.net_yuan)
                .map(|(&year, v)| ip((x_of(year), y_of(v / bn))))
                .collect();
            area.draw(&PathElement::new(points.clone(), colour.stroke_width(3)))
                .map_err(de)?;
            for p in &points {
                area.draw(&Circle::new(*p, 5, colour.filled()))
                    .map_err(de)?;
            }
            let end = points.last().map_or(y_of(0.0), |p| f64::from(p.1));
            ends.push(end);
        }
        let labels = spread(&ends, t, b);
        for (i, row) in rows.iter().enumerate() {
            let colour = RANGE_RINGS[i % RANGE_RINGS.len()];
            let name = self
                .input
                .region(&row.region)
                .map_or_else(|| row.region.clone(), |g| g.display_name.clone());
            area.draw(&PathElement::new(
                vec![ip((r + 8.0, ends[i])), ip((r + 24.0, labels[i]))],
                colour.stroke_width(1),
            ))
            .map_err(de)?;
            text(
                area,
                &name,
                (r + 30.0, labels[i]),
                20.0,
                colour,
                (HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_labels_keep_their_gap_and_order_inside_the_plot() {
        let ys = [300.0, 301.0, 299.0, 790.0, 795.0, 120.0];
        let placed = spread(&ys, 110.0, 800.0);
        let mut order: Vec<usize> = (0..ys.len()).collect();
        order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
        for w in order.windows(2) {
            assert!(
                placed[w[1]] - placed[w[0]] >= LABEL_GAP - 1e-9,
                "{placed:?}"
            );
        }
        assert!(
            placed.iter().all(|y| (110.0..=800.0).contains(y)),
            "{placed:?}"
        );
        // A label with room stays where its line ends.
        assert!((placed[5] - 120.0).abs() < 1e-9);
    }
}
