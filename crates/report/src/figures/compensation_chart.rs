//! The compensation chart: what each region pays and receives in the combined ledger
//! (billion yuan), and the largest pairs.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart_axes::HBarAxes;
use super::map_canvas::{LegendItem, ip, text};
use super::palette::{INK, PAID, RECEIVED};
use super::{DrawResult, Figure, de};
use crate::model::{LedgerLayer, ReportInput};

/// How many of the largest combined pairs the right panel lists.
pub(crate) const TOP_PAIRS: usize = 15;

/// The compensation chart.
pub struct CompensationChart<'a> {
    /// The results to draw.
    pub input: &'a ReportInput,
}

impl Figure for CompensationChart<'_> {
    fn stem(&self) -> &'static str {
        "compensation-chart"
    }

    fn size(&self) -> (u32, u32) {
        (1600, 900)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        text(
            area,
            &format!("Compensation amounts — {}", self.input.scenario_name),
            (40.0, 24.0),
            34.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        // Left panel: regions, most-paying first.
        let mut regions = self.input.sorted_regions();
        regions.sort_by(|a, b| {
            b.net_yuan
                .partial_cmp(&a.net_yuan)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.id.cmp(&b.id))
        });
        let bn = 1e9;
        let mut values: Vec<f64> = regions.iter().map(|r| r.paid_yuan / bn).collect();
        values.extend(regions.iter().map(|r| -r.received_yuan / bn));
        let (axes, ticks) = HBarAxes::new((190.0, 120.0, 760.0, 780.0), &values, regions.len());
        let names: Vec<String> = regions.iter().map(|r| r.display_name.clone()).collect();
        axes.draw(area, &ticks, &names, "billion yuan (received ← 0 → paid)")?;
        for (i, r) in regions.iter().enumerate() {
            axes.bar(area, i, r.paid_yuan / bn, 0.18, 0.82, PAID)?;
            axes.bar(area, i, -r.received_yuan / bn, 0.18, 0.82, RECEIVED)?;
            let (bt, bb) = axes.band(i);
            let x = axes.x(r.net_yuan / bn);
            let cy = (bt + bb) / 2.0;
            area.draw(&plotters::element::Polygon::new(
                vec![
                    ip((x, cy - 9.0)),
                    ip((x + 7.0, cy)),
                    ip((x, cy + 9.0)),
                    ip((x - 7.0, cy)),
                ],
                INK.filled(),
            ))
            .map_err(de)?;
        }
        text(
            area,
            "Per region (combined ledger)",
            (190.0, 84.0),
            23.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;

        // Right panel: largest combined pairs.
        let mut pairs: Vec<_> = self
            .input
            .ledger
            .iter()
            .filter(|p| p.layer == LedgerLayer::Combined)
            .collect();
        pairs.sort_by(|a, b| {
            b.amount_yuan
                .partial_cmp(&a.amount_yuan)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (&a.payer, &a.payee).cmp(&(&b.payer, &b.payee)))
        });
        pairs.truncate(TOP_PAIRS);
        let name = |id: &str| {
            self.input
                .region(id)
                .map(|r| r.display_name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let labels: Vec<String> = pairs
            .iter()
            .map(|p| format!("{} → {}", name(&p.payer), name(&p.payee)))
            .collect();
        let pv: Vec<f64> = pairs.iter().map(|p| p.amount_yuan / bn).collect();
        let (axes2, ticks2) = HBarAxes::new((1120.0, 120.0, 1560.0, 780.0), &pv, pairs.len());
        axes2.draw(area, &ticks2, &labels, "billion yuan")?;
        for (i, v) in pv.iter().enumerate() {
            axes2.bar(area, i, *v, 0.18, 0.82, RGBColor(120, 120, 120))?;
        }
        text(
            area,
            &format!("Largest pairs (combined, top {})", pairs.len()),
            (1120.0, 84.0),
            21.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        let items = [
            LegendItem::Fill {
                colour: PAID,
                hatched: false,
                label: "Paid".to_string(),
            },
            LegendItem::Fill {
                colour: RECEIVED,
                hatched: false,
                label: "Received".to_string(),
            },
        ];
        // A compact one-line legend under the left panel.
        let y = 848.0;
        for (k, it) in items.iter().enumerate() {
            if let LegendItem::Fill { colour, label, .. } = it {
                let x = 190.0 + 170.0 * k as f64;
                area.draw(&Rectangle::new(
                    [ip((x, y - 9.0)), ip((x + 34.0, y + 9.0))],
                    colour.filled(),
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
        }
        let x = 190.0 + 340.0;
        area.draw(&plotters::element::Polygon::new(
            vec![
                ip((x + 17.0, y - 9.0)),
                ip((x + 24.0, y)),
                ip((x + 17.0, y + 9.0)),
                ip((x + 10.0, y)),
            ],
            INK.filled(),
        ))
        .map_err(de)?;
        text(
            area,
            "Net (paid − received)",
            (x + 44.0, y),
            21.0,
            INK,
            (HPos::Left, VPos::Center),
        )?;
        Ok(())
    }
}
