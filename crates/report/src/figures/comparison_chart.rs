//! The scheme-comparison chart: each region's net amount under every pricing scheme.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::chart_axes::HBarAxes;
use super::map_canvas::{ip, text};
use super::palette::{INK, SERIES};
use super::{DrawResult, Figure, de};
use crate::model::{Comparison, ReportInput};

/// The scheme-comparison chart (only drawn when a comparison is present).
pub struct ComparisonChart<'a> {
    /// The results (region names).
    pub input: &'a ReportInput,
    /// The comparison to draw.
    pub comparison: &'a Comparison,
}

impl Figure for ComparisonChart<'_> {
    fn stem(&self) -> &'static str {
        "scheme-comparison"
    }

    fn size(&self) -> (u32, u32) {
        (1400, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        text(
            area,
            &format!(
                "Net amount by pricing scheme — {}",
                self.input.scenario_name
            ),
            (40.0, 24.0),
            34.0,
            INK,
            (HPos::Left, VPos::Top),
        )?;
        let mut rows: Vec<_> = self.comparison.rows.iter().collect();
        rows.sort_by(|a, b| a.region.cmp(&b.region));
        let k = self.comparison.schemes.len().max(1);
        let bn = 1e9;
        let values: Vec<f64> = rows
            .iter()
            .flat_map(|r| r.net_yuan.iter().map(|v| v / bn))
            .collect();
        let (axes, ticks) = HBarAxes::new((200.0, 90.0, 1360.0, 880.0), &values, rows.len());
        let names: Vec<String> = rows
            .iter()
            .map(|r| {
                self.input
                    .region(&r.region)
                    .map(|g| g.display_name.clone())
                    .unwrap_or_else(|| r.region.clone())
            })
            .collect();
        axes.draw(
            area,
            &ticks,
            &names,
            "net amount, billion yuan (received ← 0 → paid)",
        )?;
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.net_yuan.iter().enumerate().take(k) {
                let f0 = 0.1 + 0.8 * j as f64 / k as f64;
                let f1 = 0.1 + 0.8 * (j + 1) as f64 / k as f64;
                axes.bar(area, i, v / bn, f0, f1, SERIES[j % SERIES.len()])?;
            }
        }
        let y = 962.0;
        for (j, s) in self.comparison.schemes.iter().enumerate() {
            let x = 200.0 + 200.0 * j as f64;
            area.draw(&Rectangle::new(
                [ip((x, y - 9.0)), ip((x + 34.0, y + 9.0))],
                SERIES[j % SERIES.len()].filled(),
            ))
            .map_err(de)?;
            text(
                area,
                s,
                (x + 44.0, y),
                21.0,
                INK,
                (HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
}
