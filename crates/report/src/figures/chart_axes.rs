//! Axes of the horizontal bar charts: categories down the left, values along the bottom.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::de;
use super::map_canvas::{ip, text};
use super::palette::INK;

/// "Nice" tick values covering `[lo, hi]`, about `target` of them (1, 2, 2.5, 5 × 10^k steps).
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Formats a tick value without float noise.
pub(crate) fn tick_label(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" { "0".to_string() } else { s }
}

/// A horizontal bar chart's plotting rectangle and value range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HBarAxes {
    /// Plot rectangle, px: left, top, right, bottom.
    pub(crate) rect: (f64, f64, f64, f64),
    /// Value at the left edge.
    pub(crate) lo: f64,
    /// Value at the right edge.
    pub(crate) hi: f64,
    /// Number of category rows.
    pub(crate) rows: usize,
}

impl HBarAxes {
    /// Axes whose range covers `values` and zero, extended to nice ticks.
    pub(crate) fn new(rect: (f64, f64, f64, f64), values: &[f64], rows: usize) -> (Self, Vec<f64>) {
        let lo = values.iter().copied().fold(0.0, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        let ticks = nice_ticks(lo, hi, 6);
        let lo = ticks.first().copied().unwrap_or(lo);
        let hi = ticks.last().copied().unwrap_or(hi);
        (
            Self {
                rect,
                lo,
                hi,
                rows: rows.max(1),
            },
            ticks,
        )
    }

    /// x pixel of a value.
    pub(crate) fn x(&self, v: f64) -> f64 {
        let (l, _, r, _) = self.rect;
        l + (v - self.lo) / (self.hi - self.lo).max(1e-300) * (r - l)
    }

    /// Top and bottom pixel of row `i`'s band.
    pub(crate) fn band(&self, i: usize) -> (f64, f64) {
        let (_, t, _, b) = self.rect;
        let h = (b - t) / self.rows as f64;
        (t + h * i as f64, t + h * (i + 1) as f64)
    }

    /// Gridlines, tick labels, the zero line, category labels and the axis title.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ticks: &[f64],
        categories: &[String],
        x_title: &str,
    ) -> Result<(), String> {
        let (l, t, r, b) = self.rect;
        for v in ticks {
            let x = self.x(*v);
            area.draw(&PathElement::new(
                vec![ip((x, t)), ip((x, b))],
                RGBColor(225, 225, 225).stroke_width(1),
            ))
            .map_err(de)?;
            text(
                area,
                &tick_label(*v),
                (x, b + 8.0),
                20.0,
                INK,
                (HPos::Center, VPos::Top),
            )?;
        }
        for (i, c) in categories.iter().enumerate() {
            let (bt, bb) = self.band(i);
            text(
                area,
                c,
                (l - 10.0, (bt + bb) / 2.0),
                21.0,
                INK,
                (HPos::Right, VPos::Center),
            )?;
        }
        let x0 = self.x(0.0);
        area.draw(&PathElement::new(
            vec![ip((x0, t)), ip((x0, b))],
            INK.stroke_width(2),
        ))
        .map_err(de)?;
        area.draw(&PathElement::new(
            vec![ip((l, b)), ip((r, b))],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        text(
            area,
            x_title,
            ((l + r) / 2.0, b + 38.0),
            21.0,
            INK,
            (HPos::Center, VPos::Top),
        )?;
        Ok(())
    }

    /// A bar from 0 to `v` in row `i`, occupying the fraction `[f0, f1]` of the band height.
    pub(crate) fn bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        i: usize,
        v: f64,
        f0: f64,
        f1: f64,
        colour: RGBColor,
    ) -> Result<(), String> {
        let (bt, bb) = self.band(i);
        let (y0, y1) = (bt + (bb - bt) * f0, bt + (bb - bt) * f1);
        let (xa, xb) = (self.x(0.0), self.x(v));
        area.draw(&Rectangle::new(
            [ip((xa.min(xb), y0)), ip((xa.max(xb), y1))],
            colour.filled(),
        ))
        .map_err(de)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// The ticks cover the range, are evenly spaced, and are not too many.
        #[test]
        fn nice_ticks_cover_the_range(lo in -1e4f64..1e4, span in 1e-3f64..1e4) {
            let hi = lo + span;
            let t = nice_ticks(lo, hi, 6);
            prop_assert!(t.len() >= 2 && t.len() <= 14, "{t:?}");
            prop_assert!(t[0] <= lo && *t.last().unwrap() >= hi);
            let step = t[1] - t[0];
            for w in t.windows(2) {
                prop_assert!(((w[1] - w[0]) - step).abs() <= 1e-9 * step.abs().max(1.0));
            }
        }
    }
}
