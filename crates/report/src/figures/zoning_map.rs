//! The zoning map: each region filled by its class, payers hatched, names, legend, scale bar
//! and north arrow.

use fzc_zoning::{Zone, ZoneClass};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::map_canvas::{
    LegendItem, begin_map, halo_text, label_point, legend, map_furniture, map_layout,
};
use super::palette::{INK, class_colour, class_label};
use super::{DrawResult, Figure};
use crate::model::ReportInput;

/// The zoning map (paper Figures 10–12 style): class fills, payer hatching.
pub struct ZoningMap<'a> {
    /// The results to draw.
    pub input: &'a ReportInput,
}

impl Figure for ZoningMap<'_> {
    fn stem(&self) -> &'static str {
        "zoning-map"
    }

    fn size(&self) -> (u32, u32) {
        map_layout(&self.input.sorted_regions()).1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (regions, canvas, lx) = begin_map(area, self.input, "Compensation zoning")?;
        canvas.draw_regions(area, &regions, |r| class_colour(r.class), WHITE)?;
        for r in &regions {
            if r.zone == Zone::Payer {
                canvas.draw_hatch(area, r, RGBColor(60, 60, 60), 11.0)?;
            }
        }
        for r in &regions {
            canvas.draw_outline(area, r, RGBColor(90, 90, 90), 2)?;
        }
        for r in &regions {
            let p = canvas.px(label_point(r));
            let name = if r.flag {
                format!("{}*", r.display_name)
            } else {
                r.display_name.clone()
            };
            halo_text(area, &name, p, 25.0, INK)?;
        }
        map_furniture(area, &canvas)?;

        // Legend: the classes present, then the zone marker.
        let mut classes: Vec<ZoneClass> = regions.iter().map(|r| r.class).collect();
        classes.sort();
        classes.dedup();
        let mut items: Vec<LegendItem> = classes
            .iter()
            .map(|c| LegendItem::Fill {
                colour: class_colour(*c),
                hatched: false,
                label: class_label(*c).to_string(),
            })
            .collect();
        let y = legend(area, (lx, 100.0), "Zoning class", &items)?;
        items = vec![
            LegendItem::Fill {
                colour: WHITE,
                hatched: true,
                label: "Payer (hatched)".to_string(),
            },
            LegendItem::Fill {
                colour: WHITE,
                hatched: false,
                label: "Recipient or none".to_string(),
            },
        ];
        let mut y = legend(area, (lx, y + 24.0), "Zone", &items)?;
        if regions.iter().any(|r| r.flag) {
            y = legend(
                area,
                (lx, y + 16.0),
                "Flag",
                &[
                    LegendItem::Note("* ledger sign differs from".to_string()),
                    LegendItem::Note("   the benchmark L = NF + V".to_string()),
                ],
            )?;
        }
        legend(
            area,
            (lx, y + 16.0),
            "Notes",
            &[
                LegendItem::Note("NF: net embodied carbon transfer".to_string()),
                LegendItem::Note("V: net CSS input (received − provided)".to_string()),
                LegendItem::Note("Equirectangular projection,".to_string()),
                LegendItem::Note("   scaled by cos(mean latitude)".to_string()),
            ],
        )?;
        Ok(())
    }
}
