//! Shared map drawing: the projection fitted to a pixel rectangle, polygons, hatching, labels
//! with a halo, arrows, a scale bar, a north arrow and legends.

use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Contains, Coord, InteriorPoint, LineString,
    MultiLineString,
};
use geo::{MultiPolygon, Polygon, Rect};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::de;
use super::palette::{INK, OUTLINE};
use crate::fonts::FAMILY;
use crate::model::RegionResult;
use crate::projection::Equirectangular;

/// Pixel coordinates (x right, y down).
pub(crate) type Px = (f64, f64);

/// The projection fitted into a pixel rectangle, preserving the aspect ratio.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MapCanvas {
    proj: Equirectangular,
    xmin_km: f64,
    ymax_km: f64,
    px_per_km: f64,
    ox: f64,
    oy: f64,
    /// Pixel rectangle of the map: left, top, right, bottom.
    pub(crate) rect: (f64, f64, f64, f64),
}

impl MapCanvas {
    /// Fits the regions' bounding box into at most `max_w` × `max_h` px with its top-left
    /// corner at `(left, top)`, keeping `pad` px of frame around the map. The frame
    /// ([`MapCanvas::rect`]) hugs the map.
    pub(crate) fn fit(
        regions: &[&RegionResult],
        (left, top): (f64, f64),
        (max_w, max_h): (f64, f64),
        pad: f64,
    ) -> Self {
        let bbox = regions_bbox(regions);
        let proj = Equirectangular::centred_on(bbox);
        let (mut xmin, mut ymin, mut xmax, mut ymax) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for r in regions {
            for p in r.geometry.iter() {
                for c in p.exterior().coords() {
                    let (x, y) = proj.project(c.x, c.y);
                    xmin = xmin.min(x);
                    xmax = xmax.max(x);
                    ymin = ymin.min(y);
                    ymax = ymax.max(y);
                }
            }
        }
        if xmin > xmax {
            (xmin, ymin, xmax, ymax) = (-1.0, -1.0, 1.0, 1.0);
        }
        let (wk, hk) = ((xmax - xmin).max(1e-9), (ymax - ymin).max(1e-9));
        let s = ((max_w - 2.0 * pad) / wk).min((max_h - 2.0 * pad) / hk);
        Self {
            proj,
            xmin_km: xmin,
            ymax_km: ymax,
            px_per_km: s,
            ox: left + pad,
            oy: top + pad,
            rect: (
                left,
                top,
                left + 2.0 * pad + s * wk,
                top + 2.0 * pad + s * hk,
            ),
        }
    }

    /// Pixel position of a lon/lat point.
    pub(crate) fn px(&self, c: Coord<f64>) -> Px {
        let (x, y) = self.proj.project(c.x, c.y);
        (
            self.ox + (x - self.xmin_km) * self.px_per_km,
            self.oy + (self.ymax_km - y) * self.px_per_km,
        )
    }

    fn ring_px(&self, ring: &LineString<f64>) -> Vec<(i32, i32)> {
        ring.coords().map(|c| ip(self.px(*c))).collect()
    }

    /// Fills and outlines every region. Holes are painted with `hole_fill`.
    pub(crate) fn draw_regions<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        regions: &[&RegionResult],
        fill: impl Fn(&RegionResult) -> RGBColor,
        hole_fill: RGBColor,
    ) -> Result<(), String> {
        for r in regions {
            let colour = fill(r);
            for p in r.geometry.iter() {
                area.draw(&plotters::element::Polygon::new(
                    self.ring_px(p.exterior()),
                    colour.filled(),
                ))
                .map_err(de)?;
                for hole in p.interiors() {
                    area.draw(&plotters::element::Polygon::new(
                        self.ring_px(hole),
                        hole_fill.filled(),
                    ))
                    .map_err(de)?;
                }
            }
        }
        for r in regions {
            self.draw_outline(area, r, OUTLINE, 1)?;
        }
        Ok(())
    }

    /// Outlines one region.
    pub(crate) fn draw_outline<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        r: &RegionResult,
        colour: RGBColor,
        width: u32,
    ) -> Result<(), String> {
        for p in r.geometry.iter() {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                area.draw(&PathElement::new(
                    self.ring_px(ring),
                    colour.stroke_width(width),
                ))
                .map_err(de)?;
            }
        }
        Ok(())
    }

    /// Diagonal hatching clipped to the region (used to mark payers).
    pub(crate) fn draw_hatch<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        r: &RegionResult,
        colour: RGBColor,
        spacing_px: f64,
    ) -> Result<(), String> {
        let px_poly: MultiPolygon<f64> = r
            .geometry
            .iter()
            .map(|p| {
                let ring = |ls: &LineString<f64>| {
                    LineString::from(
                        ls.coords()
                            .map(|c| {
                                let (x, y) = self.px(*c);
                                Coord { x, y }
                            })
                            .collect::<Vec<_>>(),
                    )
                };
                Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
            })
            .collect();
        let Some(b) = px_poly.bounding_rect() else {
            return Ok(());
        };
        let span = (b.width() + b.height()).max(1.0);
        let mut lines = Vec::new();
        let mut k = 0.0;
        while k <= span {
            // Lines x − y = const, from lower-left to upper-right on screen.
            let c0 = b.min().x - b.max().y + k;
            lines.push(LineString::from(vec![
                Coord {
                    x: c0 + b.max().y + 1.0,
                    y: b.max().y + 1.0,
                },
                Coord {
                    x: c0 + b.min().y - 1.0,
                    y: b.min().y - 1.0,
                },
            ]));
            k += spacing_px;
        }
        let mls = MultiLineString::new(lines);
        // BooleanOps can panic on degenerate input (PITFALLS): skip the hatching then.
        let clipped = std::panic::catch_unwind(|| px_poly.clip(&mls, false))
            .unwrap_or_else(|_| MultiLineString::new(Vec::new()));
        for ls in clipped.iter() {
            let pts: Vec<(i32, i32)> = ls.coords().map(|c| ip((c.x, c.y))).collect();
            area.draw(&PathElement::new(pts, colour.stroke_width(2)))
                .map_err(de)?;
        }
        Ok(())
    }

    /// A scale bar whose right end (with its `km` unit) is at `right` px and whose bar top
    /// is at `y`, about `target_px` long.
    pub(crate) fn draw_scale_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        right: f64,
        y: f64,
        target_px: f64,
    ) -> Result<(), String> {
        let want_km = target_px / self.px_per_km;
        let km = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
            .into_iter()
            .rev()
            .find(|k| *k <= want_km)
            .unwrap_or(1.0);
        let len = km * self.px_per_km;
        let x = right - 40.0 - len;
        let h = 9.0;
        for i in 0..4 {
            let x0 = x + len * i as f64 / 4.0;
            let x1 = x + len * (i + 1) as f64 / 4.0;
            let style = if i % 2 == 0 {
                INK.filled()
            } else {
                WHITE.filled()
            };
            area.draw(&Rectangle::new([ip((x0, y)), ip((x1, y + h))], style))
                .map_err(de)?;
        }
        area.draw(&Rectangle::new(
            [ip((x, y)), ip((x + len, y + h))],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        for (f, v) in [(0.0, 0.0), (0.5, km / 2.0), (1.0, km)] {
            text(
                area,
                &format_km(v),
                (x + len * f, y + h + 6.0),
                19.0,
                INK,
                (HPos::Center, VPos::Top),
            )?;
        }
        text(
            area,
            "km",
            (x + len + 10.0, y + h / 2.0),
            19.0,
            INK,
            (HPos::Left, VPos::Center),
        )
    }

    /// A north arrow centred horizontally at `at`, top at `at.1`.
    pub(crate) fn draw_north_arrow<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        at: Px,
    ) -> Result<(), String> {
        let (x, y) = at;
        text(area, "N", (x, y), 28.0, INK, (HPos::Center, VPos::Top))?;
        let top = (x, y + 30.0);
        let bottom = y + 80.0;
        let notch = (x, y + 66.0);
        area.draw(&plotters::element::Polygon::new(
            vec![ip(top), ip((x - 13.0, bottom)), ip(notch)],
            INK.filled(),
        ))
        .map_err(de)?;
        area.draw(&plotters::element::Polygon::new(
            vec![ip(top), ip((x + 13.0, bottom)), ip(notch)],
            WHITE.filled(),
        ))
        .map_err(de)?;
        area.draw(&PathElement::new(
            vec![
                ip(top),
                ip((x + 13.0, bottom)),
                ip(notch),
                ip((x - 13.0, bottom)),
                ip(top),
            ],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        Ok(())
    }

    /// A thin frame around the map rectangle.
    pub(crate) fn draw_frame<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (l, t, r, b) = self.rect;
        area.draw(&Rectangle::new(
            [ip((l, t)), ip((r, b))],
            RGBColor(160, 160, 160).stroke_width(1),
        ))
        .map_err(de)
    }
}

fn format_km(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The lon/lat bounding box of all regions (a unit box at 0,0 if there are none).
pub(crate) fn regions_bbox(regions: &[&RegionResult]) -> Rect<f64> {
    let mut it = regions.iter().filter_map(|r| r.geometry.bounding_rect());
    let Some(first) = it.next() else {
        return Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 });
    };
    it.fold(first, |a, b| {
        Rect::new(
            Coord {
                x: a.min().x.min(b.min().x),
                y: a.min().y.min(b.min().y),
            },
            Coord {
                x: a.max().x.max(b.max().x),
                y: a.max().y.max(b.max().y),
            },
        )
    })
}

/// Where a region's name goes: the centroid of its largest polygon when that lies inside it,
/// otherwise an interior point (always inside, unlike the centroid of a U-shaped or
/// multi-part region).
pub(crate) fn label_point(r: &RegionResult) -> Coord<f64> {
    let largest = r.geometry.iter().max_by(|a, b| {
        a.unsigned_area()
            .partial_cmp(&b.unsigned_area())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let Some(p) = largest else {
        return Coord { x: 0.0, y: 0.0 };
    };
    if let Some(c) = p.centroid().filter(|c| p.contains(c)) {
        return c.0;
    }
    p.interior_point()
        .map(|p| p.0)
        .unwrap_or(Coord { x: 0.0, y: 0.0 })
}

/// The region's core: given, or [`label_point`].
pub(crate) fn core_point(r: &RegionResult) -> Coord<f64> {
    r.core.map(|p| p.0).unwrap_or_else(|| label_point(r))
}

/// The parts of a pixel polyline inside a rectangle (left, top, right, bottom).
pub(crate) fn clip_to_rect(line: &[Px], rect: (f64, f64, f64, f64)) -> Vec<Vec<Px>> {
    let (l, t, r, b) = rect;
    let frame = Polygon::new(
        LineString::from(vec![(l, t), (r, t), (r, b), (l, b), (l, t)]),
        Vec::new(),
    );
    let mls = MultiLineString::new(vec![LineString::from(line.to_vec())]);
    // BooleanOps can panic on degenerate input (PITFALLS): draw nothing then.
    std::panic::catch_unwind(|| frame.clip(&mls, false))
        .map(|m| {
            m.0.into_iter()
                .map(|ls| ls.0.into_iter().map(|c| (c.x, c.y)).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// Rounds a pixel position.
pub(crate) fn ip(p: Px) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

/// Draws text with an anchor.
pub(crate) fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: Px,
    size: f64,
    colour: RGBColor,
    anchor: (HPos, VPos),
) -> Result<(), String> {
    let style = TextStyle::from((FAMILY, size).into_font())
        .color(&colour)
        .pos(Pos::new(anchor.0, anchor.1));
    area.draw(&Text::new(s.to_string(), ip(at), style))
        .map_err(de)
}

/// Draws text with a white halo so it stays readable over fills and arrows.
pub(crate) fn halo_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: Px,
    size: f64,
    colour: RGBColor,
) -> Result<(), String> {
    let anchor = (HPos::Center, VPos::Center);
    for (dx, dy) in [
        (-2.0, 0.0),
        (2.0, 0.0),
        (0.0, -2.0),
        (0.0, 2.0),
        (-1.5, -1.5),
        (1.5, 1.5),
        (-1.5, 1.5),
        (1.5, -1.5),
    ] {
        text(area, s, (at.0 + dx, at.1 + dy), size, WHITE, anchor)?;
    }
    text(area, s, at, size, colour, anchor)
}

/// Draws an arrow from `from` to `to` (px), curved by `bend` (fraction of its length, sign
/// picks the side), with a shaft `width` px wide and a white edge, stopping `gap` px short of
/// both ends.
#[allow(clippy::too_many_arguments)]
pub(crate) fn arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: Px,
    to: Px,
    width: f64,
    colour: RGBColor,
    bend: f64,
    gap_from: f64,
    gap_to: f64,
) -> Result<(), String> {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < gap_from + gap_to + 10.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let p0 = (from.0 + ux * gap_from, from.1 + uy * gap_from);
    let p2 = (to.0 - ux * gap_to, to.1 - uy * gap_to);
    let l2 = len - gap_from - gap_to;
    // Control point: off the chord's midpoint along its normal.
    let (nx, ny) = (-uy, ux);
    let c = (
        (p0.0 + p2.0) / 2.0 + nx * bend * l2,
        (p0.1 + p2.1) / 2.0 + ny * bend * l2,
    );
    let head_len = (3.2 * width).clamp(14.0, 40.0).min(0.45 * l2);
    let head_half = (1.6 * width).max(7.0);
    let bez = |t: f64| {
        let a = (1.0 - t) * (1.0 - t);
        let b = 2.0 * (1.0 - t) * t;
        let d = t * t;
        (a * p0.0 + b * c.0 + d * p2.0, a * p0.1 + b * c.1 + d * p2.1)
    };
    // Tangent at the tip.
    let (tx, ty) = (p2.0 - c.0, p2.1 - c.1);
    let tl = (tx * tx + ty * ty).sqrt().max(1e-9);
    let (tx, ty) = (tx / tl, ty / tl);
    let base = (p2.0 - tx * head_len, p2.1 - ty * head_len);
    // Shaft samples up to where the curve reaches the head's base.
    let n = 32;
    let mut pts: Vec<Px> = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let p = bez(i as f64 / n as f64);
        let dist_to_tip = ((p.0 - p2.0).powi(2) + (p.1 - p2.1).powi(2)).sqrt();
        if dist_to_tip < head_len * 0.9 {
            break;
        }
        pts.push(p);
    }
    pts.push((base.0 + tx * 2.0, base.1 + ty * 2.0));
    let half = width / 2.0;
    let mut left = Vec::with_capacity(pts.len());
    let mut right = Vec::with_capacity(pts.len());
    for i in 0..pts.len() {
        let a = pts[i.saturating_sub(1)];
        let b = pts[(i + 1).min(pts.len() - 1)];
        let (ddx, ddy) = (b.0 - a.0, b.1 - a.1);
        let dl = (ddx * ddx + ddy * ddy).sqrt().max(1e-9);
        let (mx, my) = (-ddy / dl, ddx / dl);
        left.push((pts[i].0 + mx * half, pts[i].1 + my * half));
        right.push((pts[i].0 - mx * half, pts[i].1 - my * half));
    }
    let head = vec![
        ip(p2),
        ip((base.0 - ty * head_half, base.1 + tx * head_half)),
        ip((base.0 + ty * head_half, base.1 - tx * head_half)),
    ];
    let mut shaft: Vec<(i32, i32)> = left.iter().map(|p| ip(*p)).collect();
    shaft.extend(right.iter().rev().map(|p| ip(*p)));
    // White edge first, then the fill.
    let mut edge = shaft.clone();
    if let Some(f) = edge.first().copied() {
        edge.push(f);
    }
    area.draw(&PathElement::new(edge, WHITE.stroke_width(3)))
        .map_err(de)?;
    let mut head_edge = head.clone();
    head_edge.push(head[0]);
    area.draw(&PathElement::new(head_edge, WHITE.stroke_width(3)))
        .map_err(de)?;
    area.draw(&plotters::element::Polygon::new(shaft, colour.filled()))
        .map_err(de)?;
    area.draw(&plotters::element::Polygon::new(head, colour.filled()))
        .map_err(de)?;
    Ok(())
}

/// One legend entry.
pub(crate) enum LegendItem {
    /// A filled box, optionally hatched.
    Fill {
        /// Fill colour.
        colour: RGBColor,
        /// Hatched (payer marker).
        hatched: bool,
        /// Text.
        label: String,
    },
    /// An arrow of a given width.
    Arrow {
        /// Colour.
        colour: RGBColor,
        /// Shaft width, px.
        width: f64,
        /// Text.
        label: String,
    },
    /// A circle outline.
    Ring {
        /// Colour.
        colour: RGBColor,
        /// Text.
        label: String,
    },
    /// A dot.
    Dot {
        /// Colour.
        colour: RGBColor,
        /// Text.
        label: String,
    },
    /// A line of text only.
    Note(String),
}

/// Draws a legend block with a title at `at` (top-left), `width` px wide; returns its bottom.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: Px,
    title: &str,
    items: &[LegendItem],
) -> Result<f64, String> {
    let (x, mut y) = at;
    text(area, title, (x, y), 23.0, INK, (HPos::Left, VPos::Top))?;
    y += 34.0;
    let row = 32.0;
    let sw = 44.0;
    for item in items {
        let cy = y + row / 2.0 - 4.0;
        let label = match item {
            LegendItem::Fill {
                colour,
                hatched,
                label,
            } => {
                area.draw(&Rectangle::new(
                    [ip((x, cy - 10.0)), ip((x + sw, cy + 10.0))],
                    colour.filled(),
                ))
                .map_err(de)?;
                if *hatched {
                    let mut k = -20.0;
                    while k < sw {
                        let (x0, x1) = ((x + k).max(x), (x + k + 20.0).min(x + sw));
                        let y0 = cy + 10.0 - (x0 - (x + k));
                        let y1 = cy + 10.0 - (x1 - (x + k));
                        area.draw(&PathElement::new(
                            vec![ip((x0, y0)), ip((x1, y1))],
                            INK.stroke_width(2),
                        ))
                        .map_err(de)?;
                        k += 9.0;
                    }
                }
                area.draw(&Rectangle::new(
                    [ip((x, cy - 10.0)), ip((x + sw, cy + 10.0))],
                    OUTLINE.stroke_width(1),
                ))
                .map_err(de)?;
                label
            }
            LegendItem::Arrow {
                colour,
                width,
                label,
            } => {
                arrow(
                    area,
                    (x, cy),
                    (x + sw + 8.0, cy),
                    *width,
                    *colour,
                    0.0,
                    0.0,
                    0.0,
                )?;
                text(
                    area,
                    label,
                    (x + sw + 24.0, cy),
                    20.0,
                    INK,
                    (HPos::Left, VPos::Center),
                )?;
                y += row;
                continue;
            }
            LegendItem::Ring { colour, label } => {
                area.draw(&Circle::new(
                    ip((x + sw / 2.0, cy)),
                    11,
                    colour.stroke_width(2),
                ))
                .map_err(de)?;
                label
            }
            LegendItem::Dot { colour, label } => {
                area.draw(&Circle::new(ip((x + sw / 2.0, cy)), 6, colour.filled()))
                    .map_err(de)?;
                label
            }
            LegendItem::Note(label) => {
                text(area, label, (x, cy), 18.0, INK, (HPos::Left, VPos::Center))?;
                y += row * 0.8;
                continue;
            }
        };
        text(
            area,
            label,
            (x + sw + 16.0, cy),
            20.0,
            INK,
            (HPos::Left, VPos::Center),
        )?;
        y += row;
    }
    Ok(y)
}

/// Width of the legend column right of a map, px.
pub(crate) const LEGEND_W: f64 = 500.0;

/// The map frame and figure size shared by the three maps: a map at most 1000 × 1130 px
/// under a title, and a legend column to its right.
pub(crate) fn map_layout(regions: &[&RegionResult]) -> (MapCanvas, (u32, u32)) {
    let canvas = MapCanvas::fit(regions, (40.0, 90.0), (1000.0, 1130.0), 36.0);
    let w = canvas.rect.2 + 40.0 + LEGEND_W;
    let h = canvas.rect.3 + 40.0;
    (canvas, (w.ceil() as u32, h.ceil() as u32))
}

/// The start every map shares: its regions in id order, the fitted canvas, the x of the legend
/// column, and the title drawn at the top left.
pub(crate) fn begin_map<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    input: &'a crate::model::ReportInput,
    title: &str,
) -> Result<(Vec<&'a RegionResult>, MapCanvas, f64), String> {
    let regions = input.sorted_regions();
    let (canvas, _) = map_layout(&regions);
    let legend_x = canvas.rect.2 + 36.0;
    text(
        area,
        &format!("{title} — {}", input.scenario_name),
        (40.0, 28.0),
        34.0,
        INK,
        (HPos::Left, VPos::Top),
    )?;
    Ok((regions, canvas, legend_x))
}

/// Draws the frame, the north arrow (top right) and the scale bar (bottom right).
pub(crate) fn map_furniture<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    canvas: &MapCanvas,
) -> Result<(), String> {
    canvas.draw_frame(area)?;
    let (_, t, r, b) = canvas.rect;
    canvas.draw_north_arrow(area, (r - 40.0, t + 14.0))?;
    canvas.draw_scale_bar(area, r - 14.0, b - 52.0, 230.0)
}

/// Formats tonnes as Mt with sensible precision.
pub(crate) fn format_mt(t: f64) -> String {
    let mt = t / 1e6;
    if mt.abs() >= 10.0 {
        format!("{mt:.0} Mt")
    } else if mt.abs() >= 1.0 {
        format!("{mt:.1} Mt")
    } else {
        format!("{mt:.2} Mt")
    }
}
