//! The figures of an uncertainty analysis: the map of each region's probability of paying
//! and the chart of its amount's 90 % interval (`fzc mc --report`), and the tornado chart of
//! sensitivity indices (`fzc sensitivity --report`).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart_axes::HBarAxes;
use super::map_canvas::{
    LegendItem, begin_map, halo_text, ip, label_point, legend, map_furniture, map_layout, text,
};
use super::palette::{INK, PAID, RECEIVED, SERIES};
use super::{DrawResult, Figure, de};
use crate::model::{ReportInput, Sensitivity, Uncertainty};

/// The colour of a probability of paying: blue (always receives) through white (a coin
/// toss) to red (always pays), in five classes of 0.2.
pub(crate) fn probability_colour(p: f64) -> RGBColor {
    const CLASSES: [RGBColor; 5] = [
        RGBColor(33, 102, 172),
        RGBColor(146, 197, 222),
        RGBColor(247, 247, 247),
        RGBColor(244, 165, 130),
        RGBColor(178, 24, 43),
    ];
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // p in [0, 1]
    let k = ((p.clamp(0.0, 1.0) * 5.0).floor() as usize).min(4);
    CLASSES[k]
}

/// A probability as a percentage label.
fn percent(p: f64) -> String {
    format!("{:.0} %", 100.0 * p)
}

/// The map of each region's probability of paying.
pub struct PayerProbabilityMap<'a> {
    /// The run's results (polygons, names).
    pub input: &'a ReportInput,
    /// The Monte Carlo summary.
    pub summary: &'a Uncertainty,
}

impl PayerProbabilityMap<'_> {
    /// The caption under the figure.
    pub fn caption(u: &Uncertainty) -> String {
        format!(
            "Probability that each region pays (share of {} draws, seed {}, with \
             ledger_net > 0): red pays in most draws, blue receives in most, white is a coin \
             toss.",
            u.draws, u.seed
        )
    }
}

impl Figure for PayerProbabilityMap<'_> {
    fn stem(&self) -> &'static str {
        "p-payer-map"
    }

    fn size(&self) -> (u32, u32) {
        map_layout(&self.input.sorted_regions()).1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (regions, canvas, lx) = begin_map(area, self.input, "Probability of paying")?;
        let p = |id: &str| {
            self.summary
                .rows
                .iter()
                .find(|r| r.region == id)
                .map(|r| r.p_payer)
        };
        canvas.draw_regions(
            area,
            &regions,
            |r| p(&r.id).map_or(RGBColor(220, 220, 220), probability_colour),
            WHITE,
        )?;
        for r in &regions {
            canvas.draw_outline(area, r, RGBColor(90, 90, 90), 2)?;
        }
        for r in &regions {
            let at = canvas.px(label_point(r));
            halo_text(area, &r.display_name, (at.0, at.1 - 14.0), 24.0, INK)?;
            if let Some(v) = p(&r.id) {
                halo_text(area, &percent(v), (at.0, at.1 + 14.0), 22.0, INK)?;
            }
        }
        map_furniture(area, &canvas)?;
        let items: Vec<LegendItem> = (0..5)
            .rev()
            .map(|k| {
                let lo = 0.2 * f64::from(k);
                LegendItem::Fill {
                    colour: probability_colour(lo + 0.1),
                    hatched: false,
                    label: if k == 4 {
                        "80 – 100 % (pays)".to_owned()
                    } else if k == 0 {
                        "0 – 20 % (receives)".to_owned()
                    } else {
                        format!("{:.0} – {:.0} %", 100.0 * lo, 100.0 * (lo + 0.2))
                    },
                }
            })
            .collect();
        let y = legend(area, (lx, 100.0), "Share of draws paying", &items)?;
        legend(
            area,
            (lx, y + 16.0),
            "Notes",
            &[
                LegendItem::Note(format!(
                    "{} draws, seed {}",
                    self.summary.draws, self.summary.seed
                )),
                LegendItem::Note("pays: combined ledger net > 0".to_owned()),
                LegendItem::Note("(summary.csv, column p_payer)".to_owned()),
            ],
        )?;
        Ok(())
    }
}

/// The chart of each region's amount: its 90 % interval (p05 to p95) and median.
pub struct IntervalChart<'a> {
    /// The run's results (names).
    pub input: &'a ReportInput,
    /// The Monte Carlo summary.
    pub summary: &'a Uncertainty,
}

impl IntervalChart<'_> {
    /// The caption under the figure.
    pub fn caption(u: &Uncertainty) -> String {
        format!(
            "Each region's combined net amount over {} draws (billion yuan, > 0 pays): the \
             bar spans the 5th to the 95th percentile, the dot is the median (summary.csv).",
            u.draws
        )
    }
}

impl Figure for IntervalChart<'_> {
    fn stem(&self) -> &'static str {
        "amount-intervals"
    }

    fn size(&self) -> (u32, u32) {
        let rows = u32::try_from(self.summary.rows.len()).unwrap_or(u32::MAX);
        (1400, 260 + 56 * rows.max(1))
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        text(
            area,
            &format!("Net amount, 90 % interval — {}", self.input.scenario_name),
            (40.0, 24.0),
            34.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        let mut rows: Vec<_> = self.summary.rows.iter().collect();
        rows.sort_by(|a, b| a.region.cmp(&b.region));
        let bn = 1e9;
        let values: Vec<f64> = rows.iter().flat_map(|r| [r.p05 / bn, r.p95 / bn]).collect();
        let (_, h) = self.size();
        let bottom = f64::from(h) - 130.0;
        let (axes, ticks) = HBarAxes::new((220.0, 90.0, 1360.0, bottom), &values, rows.len());
        let names: Vec<String> = rows
            .iter()
            .map(|r| {
                self.input
                    .region(&r.region)
                    .map_or_else(|| r.region.clone(), |g| g.display_name.clone())
            })
            .collect();
        axes.draw(
            area,
            &ticks,
            &names,
            "net amount, billion yuan (received ← 0 → paid)",
        )?;
        for (i, r) in rows.iter().enumerate() {
            let (bt, bb) = axes.band(i);
            let y = (bt + bb) / 2.0;
            let colour = if r.p50 > 0.0 { PAID } else { RECEIVED };
            let (x0, x1) = (axes.x(r.p05 / bn), axes.x(r.p95 / bn));
            area.draw(&Rectangle::new(
                [
                    ip((x0.min(x1), y - 9.0)),
                    ip((x0.max(x1).max(x0.min(x1) + 2.0), y + 9.0)),
                ],
                colour.mix(0.45).filled(),
            ))
            .map_err(de)?;
            area.draw(&Circle::new(
                ip((axes.x(r.p50 / bn), y)),
                8,
                colour.filled(),
            ))
            .map_err(de)?;
            area.draw(&Circle::new(
                ip((axes.x(r.p50 / bn), y)),
                8,
                INK.stroke_width(1),
            ))
            .map_err(de)?;
        }
        let y = f64::from(h) - 40.0;
        for (k, (colour, label)) in [(PAID, "median pays"), (RECEIVED, "median receives")]
            .iter()
            .enumerate()
        {
            let x = 220.0 + 300.0 * f64::from(u8::try_from(k).unwrap_or(0));
            area.draw(&Rectangle::new(
                [ip((x, y - 9.0)), ip((x + 34.0, y + 9.0))],
                colour.mix(0.45).filled(),
            ))
            .map_err(de)?;
            text(
                area,
                label,
                (x + 44.0, y),
                21.0,
                INK,
                (HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
}

/// The tornado chart: per output, the inputs' indices as bars, largest on top, with their
/// confidence half-widths as whiskers; one panel per output.
pub struct TornadoChart<'a> {
    /// The run's results (region names for the panel titles).
    pub input: &'a ReportInput,
    /// The indices.
    pub sensitivity: &'a Sensitivity,
}

/// Panels per row of the tornado chart.
const COLUMNS: usize = 2;
/// Width of one panel, px.
const PANEL_W: f64 = 760.0;

impl TornadoChart<'_> {
    /// The caption under the figure.
    pub fn caption(s: &Sensitivity) -> String {
        format!(
            "Which input decides each amount ({} method): per output, the inputs' {} as \
             bars, largest first, with the 95 % confidence half-width as a whisker \
             ({}.csv).",
            s.method, s.measure, s.method
        )
    }

    fn panel_height(&self) -> f64 {
        let inputs = self
            .sensitivity
            .outputs
            .iter()
            .map(|(_, v)| v.len())
            .max()
            .unwrap_or(1);
        #[allow(clippy::cast_precision_loss)] // small counts
        let h = 110.0 + 34.0 * inputs as f64;
        h
    }
}

impl Figure for TornadoChart<'_> {
    fn stem(&self) -> &'static str {
        "sensitivity-tornado"
    }

    fn size(&self) -> (u32, u32) {
        let panels = self.sensitivity.outputs.len().max(1);
        let rows = panels.div_ceil(COLUMNS);
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let h = (90.0 + self.panel_height() * rows as f64).ceil() as u32;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let w = (40.0 + PANEL_W * COLUMNS as f64) as u32;
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        text(
            area,
            &format!(
                "Sensitivity ({}, {}) — {}",
                self.sensitivity.method, self.sensitivity.measure, self.input.scenario_name
            ),
            (40.0, 24.0),
            34.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        let ph = self.panel_height();
        for (k, (output, bars)) in self.sensitivity.outputs.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)] // small counts
            let (left, top) = (
                20.0 + PANEL_W * (k % COLUMNS) as f64,
                80.0 + ph * (k / COLUMNS) as f64,
            );
            let title = output.strip_prefix("ledger_net.").map_or_else(
                || output.clone(),
                |id| {
                    let name = self
                        .input
                        .region(id)
                        .map_or_else(|| id.to_owned(), |r| r.display_name.clone());
                    format!("{name} (ledger_net)")
                },
            );
            text(
                area,
                &title,
                (left + 20.0, top),
                24.0,
                INK,
                (HPos::Left, VPos::Top),
            )?;
            let mut sorted: Vec<&(String, f64, f64)> = bars.iter().collect();
            sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let values: Vec<f64> = sorted.iter().map(|b| (b.1 + b.2).max(0.0)).collect();
            let rect = (
                left + 250.0,
                top + 40.0,
                left + PANEL_W - 40.0,
                top + ph - 60.0,
            );
            let (axes, ticks) = HBarAxes::new(rect, &values, sorted.len());
            let names: Vec<String> = sorted.iter().map(|b| short(&b.0)).collect();
            axes.draw(area, &ticks, &names, "")?;
            for (i, (_, value, conf)) in sorted.iter().enumerate() {
                axes.bar(area, i, *value, 0.2, 0.8, SERIES[0])?;
                let (bt, bb) = axes.band(i);
                let y = (bt + bb) / 2.0;
                let (a, b) = (axes.x(value - conf), axes.x(value + conf));
                area.draw(&PathElement::new(
                    vec![ip((a, y)), ip((b, y))],
                    INK.stroke_width(2),
                ))
                .map_err(de)?;
            }
        }
        Ok(())
    }
}

/// An input's name cut to fit the panel's label column.
fn short(name: &str) -> String {
    if name.chars().count() <= 24 {
        name.to_owned()
    } else {
        let head: String = name.chars().take(22).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_classes_run_from_blue_to_red() {
        assert_eq!(probability_colour(0.0), RGBColor(33, 102, 172));
        assert_eq!(probability_colour(0.5), RGBColor(247, 247, 247));
        assert_eq!(probability_colour(1.0), RGBColor(178, 24, 43));
        assert_eq!(probability_colour(0.79), RGBColor(244, 165, 130));
    }
}
