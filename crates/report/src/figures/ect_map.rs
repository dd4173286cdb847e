//! The ECT net-flow map: an arrow from each payer to its payee, width scaled by the bilateral
//! net transfer (paper Figure 5 style).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::map_canvas::{
    LegendItem, arrow, begin_map, core_point, format_mt, halo_text, label_point, legend,
    map_furniture, map_layout,
};
use super::palette::{BASE_FILL, INK, PAID};
use super::{DrawResult, Figure};
use crate::model::ReportInput;

/// The largest arrow width, px.
pub(crate) const MAX_ARROW_PX: f64 = 16.0;
/// The smallest arrow width, px.
pub(crate) const MIN_ARROW_PX: f64 = 1.5;

/// Arrow width for `value` when the largest value is `max`: proportional to the value, at
/// least [`MIN_ARROW_PX`].
pub(crate) fn arrow_width(value: f64, max: f64) -> f64 {
    if max <= 0.0 {
        return MIN_ARROW_PX;
    }
    (MAX_ARROW_PX * value / max).max(MIN_ARROW_PX)
}

/// The ECT net-flow map.
pub struct EctMap<'a> {
    /// The results to draw.
    pub input: &'a ReportInput,
}

impl Figure for EctMap<'_> {
    fn stem(&self) -> &'static str {
        "ect-flow-map"
    }

    fn size(&self) -> (u32, u32) {
        map_layout(&self.input.sorted_regions()).1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (regions, canvas, lx) = begin_map(area, self.input, "ECT bilateral net flows")?;
        let tint = |nf: f64| {
            if nf > 0.0 {
                RGBColor(252, 226, 220)
            } else if nf < 0.0 {
                RGBColor(222, 235, 247)
            } else {
                BASE_FILL
            }
        };
        canvas.draw_regions(area, &regions, |r| tint(r.nf_t), WHITE)?;
        let mut flows: Vec<_> = self.input.ect_flows.iter().collect();
        // Widest first, so thin arrows stay visible on top.
        flows.sort_by(|a, b| {
            b.tonnes
                .partial_cmp(&a.tonnes)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        let max = flows.iter().map(|f| f.tonnes).fold(0.0, f64::max);
        for f in &flows {
            let (Some(a), Some(b)) = (self.input.region(&f.from), self.input.region(&f.to)) else {
                continue;
            };
            let w = arrow_width(f.tonnes, max);
            arrow(
                area,
                canvas.px(core_point(a)),
                canvas.px(core_point(b)),
                w,
                PAID,
                0.12,
                14.0,
                16.0,
            )?;
        }
        for r in &regions {
            let c = canvas.px(core_point(r));
            area.draw(&Circle::new((c.0 as i32, c.1 as i32), 5, INK.filled()))
                .map_err(super::de)?;
            let l = canvas.px(label_point(r));
            let at = if (l.0 - c.0).abs() + (l.1 - c.1).abs() < 30.0 {
                (c.0, c.1 + 24.0)
            } else {
                l
            };
            halo_text(area, &r.display_name, at, 24.0, INK)?;
        }
        map_furniture(area, &canvas)?;

        let mut items = vec![
            LegendItem::Fill {
                colour: RGBColor(252, 226, 220),
                hatched: false,
                label: "NF > 0 (net ECT beneficiary)".to_string(),
            },
            LegendItem::Fill {
                colour: RGBColor(222, 235, 247),
                hatched: false,
                label: "NF < 0 (net ECT bearer)".to_string(),
            },
        ];
        let y = legend(area, (lx, 100.0), "Region", &items)?;
        items.clear();
        if max > 0.0 {
            for frac in [1.0, 0.5, 0.1] {
                let v = max * frac;
                items.push(LegendItem::Arrow {
                    colour: PAID,
                    width: arrow_width(v, max),
                    label: format_mt(v),
                });
            }
        }
        items.push(LegendItem::Note("Arrow: payer → payee,".to_string()));
        items.push(LegendItem::Note(
            "   width ∝ bilateral net (t CO2)".to_string(),
        ));
        items.push(LegendItem::Dot {
            colour: INK,
            label: "Region core".to_string(),
        });
        legend(area, (lx, y + 24.0), "ECT net flow", &items)?;
        Ok(())
    }
}
