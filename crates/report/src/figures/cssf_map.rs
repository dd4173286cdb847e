//! The CSSF flow map: cores, flow-range circles (geodesic) and arrows from output to input
//! regions scaled by the transfer (paper Figure 9 style).

use geo::Coord;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::ect_map::arrow_width;
use super::map_canvas::{
    LegendItem, arrow, begin_map, clip_to_rect, core_point, format_mt, halo_text, ip, label_point,
    legend, map_furniture, map_layout,
};
use super::palette::{BASE_FILL, CSS_FLOW, INK, RANGE_RINGS};
use super::{DrawResult, Figure, de};
use crate::model::ReportInput;
use crate::projection::geodesic_circle;

/// The CSSF flow map.
pub struct CssfMap<'a> {
    /// The results to draw.
    pub input: &'a ReportInput,
}

impl Figure for CssfMap<'_> {
    fn stem(&self) -> &'static str {
        "cssf-flow-map"
    }

    fn size(&self) -> (u32, u32) {
        map_layout(&self.input.sorted_regions()).1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (regions, canvas, lx) = begin_map(area, self.input, "CSS flows")?;
        let tint = |v: f64| {
            if v < 0.0 {
                RGBColor(217, 240, 211)
            } else if v > 0.0 {
                RGBColor(254, 230, 206)
            } else {
                BASE_FILL
            }
        };
        canvas.draw_regions(area, &regions, |r| tint(r.v_net_t), WHITE)?;

        // Output regions in id order get one colour each for their range circles.
        let mut outputs: Vec<&str> = self
            .input
            .cssf_flows
            .iter()
            .map(|f| f.output.as_str())
            .collect();
        outputs.sort();
        outputs.dedup();
        let colour_of = |id: &str| {
            let i = outputs.iter().position(|o| *o == id).unwrap_or(0);
            RANGE_RINGS[i % RANGE_RINGS.len()]
        };
        let mut flows: Vec<_> = self.input.cssf_flows.iter().collect();
        flows.sort_by(|a, b| (&a.output, &a.input).cmp(&(&b.output, &b.input)));
        // Circles are clipped to the map frame so long ranges do not run over the legend.
        for f in &flows {
            let Some(out) = self.input.region(&f.output) else {
                continue;
            };
            if f.range_km.is_nan() || f.range_km <= 0.0 {
                continue;
            }
            let ring: Vec<(f64, f64)> = geodesic_circle(core_point(out), f.range_km, 180)
                .into_iter()
                .map(|c: Coord<f64>| canvas.px(c))
                .collect();
            for piece in clip_to_rect(&ring, canvas.rect) {
                area.draw(&PathElement::new(
                    piece.into_iter().map(ip).collect::<Vec<_>>(),
                    colour_of(&f.output).mix(0.6).stroke_width(2),
                ))
                .map_err(de)?;
            }
        }
        let max = flows.iter().map(|f| f.transfer_t).fold(0.0, f64::max);
        let mut by_width = flows.clone();
        by_width.sort_by(|a, b| {
            b.transfer_t
                .partial_cmp(&a.transfer_t)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (&a.output, &a.input).cmp(&(&b.output, &b.input)))
        });
        for f in &by_width {
            let (Some(a), Some(b)) = (self.input.region(&f.output), self.input.region(&f.input))
            else {
                continue;
            };
            arrow(
                area,
                canvas.px(core_point(a)),
                canvas.px(core_point(b)),
                arrow_width(f.transfer_t, max),
                CSS_FLOW,
                0.12,
                14.0,
                16.0,
            )?;
        }
        for r in &regions {
            let c = canvas.px(core_point(r));
            area.draw(&Circle::new(ip(c), 6, INK.filled()))
                .map_err(de)?;
            let lp = canvas.px(label_point(r));
            let at = if (lp.0 - c.0).abs() + (lp.1 - c.1).abs() < 30.0 {
                (c.0, c.1 + 24.0)
            } else {
                lp
            };
            halo_text(area, &r.display_name, at, 24.0, INK)?;
        }
        map_furniture(area, &canvas)?;

        let items = vec![
            LegendItem::Fill {
                colour: RGBColor(217, 240, 211),
                hatched: false,
                label: "Net CSS output (V < 0)".to_string(),
            },
            LegendItem::Fill {
                colour: RGBColor(254, 230, 206),
                hatched: false,
                label: "Net CSS input (V > 0)".to_string(),
            },
            LegendItem::Fill {
                colour: BASE_FILL,
                hatched: false,
                label: "CSS-neutral".to_string(),
            },
        ];
        let y = legend(area, (lx, 100.0), "Region", &items)?;
        let mut items = Vec::new();
        if max > 0.0 {
            for frac in [1.0, 0.5, 0.1] {
                let v = max * frac;
                items.push(LegendItem::Arrow {
                    colour: CSS_FLOW,
                    width: arrow_width(v, max),
                    label: format_mt(v),
                });
            }
        }
        items.push(LegendItem::Note(
            "Arrow: output → input region,".to_string(),
        ));
        items.push(LegendItem::Note(
            "   width ∝ transfer V (t CO2)".to_string(),
        ));
        items.push(LegendItem::Dot {
            colour: INK,
            label: "Region core".to_string(),
        });
        let y = legend(area, (lx, y + 24.0), "CSS transfer", &items)?;
        let mut items: Vec<LegendItem> = outputs
            .iter()
            .map(|o| LegendItem::Ring {
                colour: colour_of(o),
                label: self
                    .input
                    .region(o)
                    .map(|r| r.display_name.clone())
                    .unwrap_or_else(|| o.to_string()),
            })
            .collect();
        items.push(LegendItem::Note("Geodesic circles (WGS84) of".to_string()));
        items.push(LegendItem::Note(
            "   radius R_sr around the core".to_string(),
        ));
        legend(area, (lx, y + 24.0), "Flow range, by output", &items)?;
        Ok(())
    }
}
