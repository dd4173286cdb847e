//! The CSSDR raster map: the per-pixel supply–demand ratio (Eq 13) on a diverging ramp fixed
//! on [−1, 1], under the region outlines, names, scale bar and north arrow of the other maps.
//!
//! The grid is on lon/lat, and the maps' projection is linear in each of lon and lat, so every
//! cell is an axis-aligned pixel rectangle. Cells are classed in 20 steps of 0.1 and drawn as
//! rectangles merged along rows and then down columns (equal class, equal extent), which keeps
//! the SVG small; if the grid is still too busy, blocks of `f × f` cells are averaged first
//! (the legend says so). Only cells whose centre lies inside a region are drawn; no-data
//! (`NaN`) cells are not drawn at all, so the background shows through.

use geo::LineString;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::map_canvas::{
    LegendItem, MapCanvas, begin_map, halo_text, ip, label_point, legend, map_furniture,
    map_layout, text,
};
use super::palette::INK;
use super::{DrawResult, Figure, de};
use crate::model::{LonLatRaster, RegionResult, ReportInput};

/// At most this many rectangles are drawn (about 85 bytes each in the SVG: ≈ 1.7 MB).
pub(crate) const MAX_RECTS: usize = 20_000;

/// Number of colour classes on [−1, 1] (steps of 0.1).
pub(crate) const CLASSES: usize = 20;

/// The CSSDR map.
pub struct CssdrMap<'a> {
    /// The regions drawn over the grid (outlines and names).
    pub input: &'a ReportInput,
    /// The CSSDR grid, values in [−1, 1], `NaN` = no data.
    pub raster: &'a LonLatRaster,
}

/// Colour stops of the ramp: deficit (−1) dark red, 0 light grey, surplus (+1) dark green
/// (ColorBrewer Reds and Greens).
const STOPS: [(f64, (u8, u8, u8)); 9] = [
    (-1.0, (103, 0, 13)),
    (-0.75, (203, 24, 29)),
    (-0.5, (251, 106, 74)),
    (-0.25, (252, 187, 161)),
    (0.0, (242, 242, 242)),
    (0.25, (199, 233, 192)),
    (0.5, (116, 196, 118)),
    (0.75, (35, 139, 69)),
    (1.0, (0, 68, 27)),
];

/// The ramp's colour at `v` (clamped to [−1, 1]), linear in RGB between the stops.
pub(crate) fn ramp(v: f64) -> RGBColor {
    let v = v.clamp(-1.0, 1.0);
    let i = STOPS
        .windows(2)
        .position(|w| v <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((a, ca), (b, cb)) = (STOPS[i], STOPS[i + 1]);
    let t = ((v - a) / (b - a)).clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f64::from(x) + t * (f64::from(y) - f64::from(x))).round() as u8;
    RGBColor(mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2))
}

/// The class of a value: `floor((v + 1) · 10)`, clamped to `0..CLASSES`; `None` for NaN.
pub(crate) fn class_of(v: f32) -> Option<u8> {
    if v.is_nan() {
        return None;
    }
    let k = ((f64::from(v).clamp(-1.0, 1.0) + 1.0) * CLASSES as f64 / 2.0).floor();
    Some((k as usize).min(CLASSES - 1) as u8)
}

/// The colour of a class: the ramp at the class's centre.
pub(crate) fn class_colour(k: u8) -> RGBColor {
    ramp(-1.0 + (f64::from(k) + 0.5) * 2.0 / CLASSES as f64)
}

/// One merged rectangle of equal class, in pixels: `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) x0: i32,
    pub(crate) y0: i32,
    pub(crate) x1: i32,
    pub(crate) y1: i32,
    pub(crate) class: u8,
}

/// For each cell of `g`, whether its centre lies inside one of `regions` (even–odd rule per
/// region, over all its rings), by a scanline along each row's centre latitude.
pub(crate) fn inside_mask(g: &LonLatRaster, regions: &[&RegionResult]) -> Vec<bool> {
    let mut mask = vec![false; g.width * g.height];
    let dx = (g.east - g.west) / g.width as f64;
    let mut xs: Vec<f64> = Vec::new();
    for row in 0..g.height {
        let lat = (g.row_lat(row) + g.row_lat(row + 1)) / 2.0;
        for r in regions {
            xs.clear();
            let rings = r
                .geometry
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
            for ring in rings {
                crossings(ring, lat, &mut xs);
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                // Columns whose centre lon (west + (c + 0.5)·dx) is in [pair[0], pair[1]).
                let first = ((pair[0] - g.west) / dx - 0.5).ceil().max(0.0);
                let end = ((pair[1] - g.west) / dx - 0.5).ceil().min(g.width as f64);
                let (first, end) = (first as usize, end.max(0.0) as usize);
                for c in first..end.max(first) {
                    mask[row * g.width + c] = true;
                }
            }
        }
    }
    mask
}

/// Longitudes where the ring's edges cross the parallel `lat` (half-open rule, so a vertex on
/// the parallel counts once).
fn crossings(ring: &LineString<f64>, lat: f64, xs: &mut Vec<f64>) {
    for w in ring.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > lat) != (b.y > lat) {
            xs.push(a.x + (lat - a.y) * (b.x - a.x) / (b.y - a.y));
        }
    }
}

/// The grid averaged over blocks of `f × f` cells (NaN cells ignored; NaN if all are).
pub(crate) fn coarsen(g: &LonLatRaster, f: usize) -> LonLatRaster {
    if f <= 1 {
        return g.clone();
    }
    let (w, h) = (g.width.div_ceil(f), g.height.div_ceil(f));
    let mut values = Vec::with_capacity(w * h);
    for br in 0..h {
        for bc in 0..w {
            let (mut sum, mut n) = (0.0f64, 0usize);
            for r in br * f..((br + 1) * f).min(g.height) {
                for c in bc * f..((bc + 1) * f).min(g.width) {
                    let v = g.values[r * g.width + c];
                    if !v.is_nan() {
                        sum += f64::from(v);
                        n += 1;
                    }
                }
            }
            values.push(if n == 0 {
                f32::NAN
            } else {
                (sum / n as f64) as f32
            });
        }
    }
    // The coarse grid's edges are whole blocks, so it may reach past the original's
    // east and south edges.
    LonLatRaster {
        west: g.west,
        north: g.north,
        east: g.west + (g.east - g.west) * (w * f) as f64 / g.width as f64,
        south: g.north - (g.north - g.south) * (h * f) as f64 / g.height as f64,
        width: w,
        height: h,
        values,
    }
}

/// Merged rectangles of the classed grid in the canvas's pixels: runs of equal class along
/// each row, then runs of identical extent and class stacked down the rows.
pub(crate) fn blocks(g: &LonLatRaster, canvas: &MapCanvas) -> Vec<Block> {
    let mid_lat = (g.north + g.south) / 2.0;
    let mid_lon = (g.east + g.west) / 2.0;
    let xe: Vec<i32> = (0..=g.width)
        .map(|c| {
            ip(canvas.px(geo::Coord {
                x: g.col_lon(c),
                y: mid_lat,
            }))
            .0
        })
        .collect();
    let ye: Vec<i32> = (0..=g.height)
        .map(|r| {
            ip(canvas.px(geo::Coord {
                x: mid_lon,
                y: g.row_lat(r),
            }))
            .1
        })
        .collect();
    let mut out = Vec::new();
    // Open rectangles from the rows above: (first col, end col, class, first row).
    let mut open: Vec<(usize, usize, u8, usize)> = Vec::new();
    let mut next: Vec<(usize, usize, u8, usize)> = Vec::new();
    let mut close = |(c0, c1, class, r0): (usize, usize, u8, usize), r1: usize| {
        let b = Block {
            x0: xe[c0],
            y0: ye[r0],
            x1: xe[c1],
            y1: ye[r1],
            class,
        };
        if b.x1 > b.x0 && b.y1 > b.y0 {
            out.push(b);
        }
    };
    for row in 0..g.height {
        next.clear();
        let mut c = 0;
        let mut k = 0; // index into `open`, which is sorted by first column
        while c < g.width {
            let Some(class) = class_of(g.values[row * g.width + c]) else {
                c += 1;
                continue;
            };
            let start = c;
            while c < g.width && class_of(g.values[row * g.width + c]) == Some(class) {
                c += 1;
            }
            while k < open.len() && open[k].0 < start {
                close(open[k], row);
                k += 1;
            }
            if k < open.len() && open[k].0 == start && open[k].1 == c && open[k].2 == class {
                next.push(open[k]);
                k += 1;
            } else {
                next.push((start, c, class, row));
            }
        }
        for o in &open[k..] {
            close(*o, row);
        }
        std::mem::swap(&mut open, &mut next);
    }
    for o in &open {
        close(*o, g.height);
    }
    out
}

/// The grid masked to the regions, then coarsened by the smallest block factor whose merged
/// rectangles number at most `max_rects`: the rectangles and the factor.
pub(crate) fn raster_blocks(
    g: &LonLatRaster,
    regions: &[&RegionResult],
    canvas: &MapCanvas,
    max_rects: usize,
) -> (Vec<Block>, usize) {
    let mask = inside_mask(g, regions);
    let mut masked = g.clone();
    for (v, inside) in masked.values.iter_mut().zip(&mask) {
        if !inside {
            *v = f32::NAN;
        }
    }
    let mut f = 1;
    loop {
        let b = blocks(&coarsen(&masked, f), canvas);
        if b.len() <= max_rects || f >= g.width.max(g.height) {
            return (b, f);
        }
        f += 1;
    }
}

impl Figure for CssdrMap<'_> {
    fn stem(&self) -> &'static str {
        "cssdr-map"
    }

    fn size(&self) -> (u32, u32) {
        map_layout(&self.input.sorted_regions()).1
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (regions, canvas, lx) = begin_map(area, self.input, "CSS supply–demand ratio")?;
        let (rects, factor) = raster_blocks(self.raster, &regions, &canvas, MAX_RECTS);
        for b in &rects {
            area.draw(&Rectangle::new(
                [(b.x0, b.y0), (b.x1, b.y1)],
                class_colour(b.class).filled(),
            ))
            .map_err(de)?;
        }
        // A white casing under a dark line: the outlines stay visible on the darkest and the
        // lightest classes alike.
        for r in &regions {
            canvas.draw_outline(area, r, WHITE, 4)?;
        }
        for r in &regions {
            canvas.draw_outline(area, r, RGBColor(40, 40, 40), 1)?;
        }
        for r in &regions {
            halo_text(area, &r.display_name, canvas.px(label_point(r)), 24.0, INK)?;
        }
        map_furniture(area, &canvas)?;

        let y = colour_bar(area, (lx, 100.0))?;
        let mut notes = vec![
            LegendItem::Fill {
                colour: WHITE,
                hatched: false,
                label: "No data (S + D = 0)".to_string(),
            },
            LegendItem::Note("CSSDR = (S − D) / (S + D) per pixel".to_string()),
            LegendItem::Note("   (Eq 13): S supply, D demand".to_string()),
            LegendItem::Note("Classes of 0.1; cells whose centre".to_string()),
            LegendItem::Note("   lies inside a region".to_string()),
        ];
        if factor > 1 {
            notes.push(LegendItem::Note(format!(
                "Shown as means of {factor} × {factor} cells"
            )));
            notes.push(LegendItem::Note(format!(
                "   ({} × {} grid)",
                self.raster.width, self.raster.height
            )));
        }
        legend(area, (lx, y + 24.0), "Notes", &notes)?;
        Ok(())
    }
}

/// The legend's colour bar: a title, the 20 classes left (−1, deficit) to right (+1,
/// surplus), ticks at −1, −0.5, 0, 0.5, 1 and the meaning of each side. Returns its bottom.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (f64, f64),
) -> Result<f64, String> {
    text(area, "CSSDR", (x, y), 23.0, INK, (HPos::Left, VPos::Top))?;
    let (bar_w, bar_h) = (400.0, 26.0);
    let top = y + 40.0;
    let cell = bar_w / CLASSES as f64;
    for k in 0..CLASSES {
        let x0 = x + cell * k as f64;
        area.draw(&Rectangle::new(
            [ip((x0, top)), ip((x0 + cell, top + bar_h))],
            class_colour(k as u8).filled(),
        ))
        .map_err(de)?;
    }
    area.draw(&Rectangle::new(
        [ip((x, top)), ip((x + bar_w, top + bar_h))],
        INK.stroke_width(1),
    ))
    .map_err(de)?;
    for (v, label) in [
        (-1.0, "−1"),
        (-0.5, "−0.5"),
        (0.0, "0"),
        (0.5, "0.5"),
        (1.0, "1"),
    ] {
        let tx = x + bar_w * (v + 1.0) / 2.0;
        area.draw(&PathElement::new(
            vec![ip((tx, top + bar_h)), ip((tx, top + bar_h + 7.0))],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        text(
            area,
            label,
            (tx, top + bar_h + 10.0),
            19.0,
            INK,
            (HPos::Center, VPos::Top),
        )?;
    }
    let below = top + bar_h + 40.0;
    text(
        area,
        "← deficit (input)",
        (x, below),
        19.0,
        INK,
        (HPos::Left, VPos::Top),
    )?;
    text(
        area,
        "surplus (output) →",
        (x + bar_w, below),
        19.0,
        INK,
        (HPos::Right, VPos::Top),
    )?;
    Ok(below + 30.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use proptest::prelude::*;

    fn grid(width: usize, height: usize, values: Vec<f32>) -> LonLatRaster {
        LonLatRaster {
            west: 116.0,
            south: 39.0,
            east: 117.0,
            north: 40.0,
            width,
            height,
            values,
        }
    }

    #[test]
    fn the_ramp_is_red_below_zero_green_above_and_neutral_at_zero() {
        let red = ramp(-1.0);
        let green = ramp(1.0);
        let mid = ramp(0.0);
        assert!(red.0 > red.1 && red.0 > red.2, "{red:?}");
        assert!(green.1 > green.0 && green.1 > green.2, "{green:?}");
        assert!(mid.0 == mid.1 && mid.1 == mid.2, "{mid:?}");
        assert_eq!(class_of(f32::NAN), None);
        assert_eq!(class_of(-1.0), Some(0));
        assert_eq!(class_of(1.0), Some(19));
        assert_eq!(class_of(-0.01), Some(9));
        assert_eq!(class_of(0.0), Some(10));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Classes are monotone in the value and each class spans 0.1: the class of `v` is
        /// `floor((v + 1)·10)` within [−1, 1].
        #[test]
        fn classes_are_monotone_steps_of_a_tenth(a in -1.0f32..=1.0, b in -1.0f32..=1.0) {
            let (ka, kb) = (class_of(a).unwrap(), class_of(b).unwrap());
            if a <= b {
                prop_assert!(ka <= kb);
            }
            let lo = -1.0 + f64::from(ka) * 0.1;
            prop_assert!(f64::from(a) >= lo - 1e-6 && f64::from(a) <= lo + 0.1 + 1e-6);
        }

        /// Deficit classes are redder than green, surplus classes greener than red, and the
        /// ramp darkens away from zero (lightness decreases with |v| on each side).
        #[test]
        fn the_ramp_diverges_from_zero(v in 0.0f64..=1.0, w in 0.0f64..=1.0) {
            let (neg, pos) = (ramp(-v), ramp(v));
            if v > 0.05 {
                prop_assert!(neg.0 > neg.1, "{neg:?}");
                prop_assert!(pos.1 > pos.0, "{pos:?}");
            }
            let light = |c: RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
            if v < w {
                prop_assert!(light(ramp(v)) >= light(ramp(w)));
                prop_assert!(light(ramp(-v)) >= light(ramp(-w)));
            }
        }

        /// Merged rectangles cover exactly the cells with data: painting them reproduces the
        /// classed grid cell by cell (grid of one pixel per cell), and none overlap.
        #[test]
        fn merged_blocks_cover_each_cell_once_with_its_class(
            (w, h, values) in (1usize..12, 1usize..12).prop_flat_map(|(w, h)| {
                (Just(w), Just(h), proptest::collection::vec(
                    prop_oneof![Just(f32::NAN), Just(-0.95f32), Just(0.02f32), Just(0.97f32)],
                    w * h,
                ))
            })
        ) {
            let g = grid(w, h, values);
            let px = PixelGrid::new(&g);
            // Per pixel: the class painted there, and whether it was painted twice.
            let (pw, ph) = (px.xe[w] - px.xe[0], px.ye[h] - px.ye[0]);
            let mut painted: Vec<Option<u8>> = vec![None; (pw * ph) as usize];
            for b in blocks(&g, &px.canvas) {
                for y in b.y0..b.y1 {
                    for x in b.x0..b.x1 {
                        let i = ((y - px.ye[0]) * pw + (x - px.xe[0])) as usize;
                        prop_assert!(painted[i].is_none(), "pixel {x},{y} painted twice");
                        painted[i] = Some(b.class);
                    }
                }
            }
            // Every pixel shows its cell's class, or nothing for NaN.
            for y in px.ye[0]..px.ye[h] {
                for x in px.xe[0]..px.xe[w] {
                    let (c, r) = px.cell(x, y);
                    let i = ((y - px.ye[0]) * pw + (x - px.xe[0])) as usize;
                    prop_assert_eq!(painted[i], class_of(g.values[r * w + c]));
                }
            }
        }

        /// Block averages lie between the block's smallest and largest value, and a block of
        /// NaN only stays NaN.
        #[test]
        fn coarse_cells_are_means_of_their_blocks(
            values in proptest::collection::vec(prop_oneof![Just(f32::NAN), -1.0f32..1.0], 36),
            f in 1usize..4,
        ) {
            let g = grid(6, 6, values);
            let c = coarsen(&g, f);
            for br in 0..c.height {
                for bc in 0..c.width {
                    let block: Vec<f32> = (br * f..((br + 1) * f).min(6))
                        .flat_map(|r| (bc * f..((bc + 1) * f).min(6)).map(move |cc| (r, cc)))
                        .map(|(r, cc)| g.values[r * 6 + cc])
                        .filter(|v| !v.is_nan())
                        .collect();
                    let v = c.values[br * c.width + bc];
                    if block.is_empty() {
                        prop_assert!(v.is_nan());
                    } else {
                        let lo = block.iter().copied().fold(f32::MAX, f32::min);
                        let hi = block.iter().copied().fold(f32::MIN, f32::max);
                        prop_assert!(v >= lo - 1e-6 && v <= hi + 1e-6);
                    }
                }
            }
        }
    }

    fn region(id: &str, poly: geo::Polygon<f64>) -> RegionResult {
        RegionResult {
            id: id.into(),
            display_name: id.to_uppercase(),
            geometry: geo::MultiPolygon(vec![poly]),
            core: None,
            class: fzc_zoning::ZoneClass::Neutral,
            zone: fzc_zoning::Zone::None,
            nf_t: 0.0,
            v_net_t: 0.0,
            benchmark_t: 0.0,
            standard_yuan_per_t: None,
            tc_eq17_yuan: None,
            paid_yuan: 0.0,
            received_yuan: 0.0,
            net_yuan: 0.0,
            flag: false,
        }
    }

    #[test]
    fn the_mask_keeps_cells_whose_centre_is_inside() {
        // A triangle over the 10 × 10 grid of [116, 117] × [39, 40]: below the line
        // lat − 39 = 1.05·(lon − 116), which passes through no cell centre.
        let tri = polygon![(x: 116.0, y: 39.0), (x: 117.0, y: 39.0), (x: 117.0, y: 40.05),
                           (x: 116.0, y: 39.0)];
        let t = region("t", tri);
        let g = grid(10, 10, vec![0.0; 100]);
        let mask = inside_mask(&g, &[&t]);
        for r in 0..10 {
            for c in 0..10 {
                let (lon, lat) = (116.05 + 0.1 * c as f64, 39.95 - 0.1 * r as f64);
                let expect = lat - 39.0 < 1.05 * (lon - 116.0);
                assert_eq!(mask[r * 10 + c], expect, "cell ({r}, {c})");
            }
        }
    }

    /// One square region A on [116, 118] × [39, 41] under a 30 × 30 grid on
    /// [115.5, 118.5] × [38.5, 41.5] whose values rise from −1 (west) to +1 (east), with a
    /// no-data block on [117.2, 117.8] × [40.2, 40.8].
    fn synthetic() -> (ReportInput, LonLatRaster) {
        let square = polygon![(x: 116.0, y: 39.0), (x: 118.0, y: 39.0),
            (x: 118.0, y: 41.0), (x: 116.0, y: 41.0), (x: 116.0, y: 39.0)];
        let input = ReportInput {
            scenario_name: "synthetic".into(),
            regions: vec![region("a", square)],
            ..ReportInput::default()
        };
        let (w, h) = (30, 30);
        let mut g = LonLatRaster {
            west: 115.5,
            south: 38.5,
            east: 118.5,
            north: 41.5,
            width: w,
            height: h,
            values: vec![0.0; w * h],
        };
        for r in 0..h {
            for c in 0..w {
                let lon = (g.col_lon(c) + g.col_lon(c + 1)) / 2.0;
                let lat = (g.row_lat(r) + g.row_lat(r + 1)) / 2.0;
                g.values[r * w + c] =
                    if (117.2..117.8).contains(&lon) && (40.2..40.8).contains(&lat) {
                        f32::NAN
                    } else {
                        ((lon - 117.0) / 1.5) as f32
                    };
            }
        }
        (input, g)
    }

    fn decode(png_bytes: &[u8]) -> (u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        (info.width, buf)
    }

    #[test]
    fn the_png_paints_data_cells_and_leaves_no_data_and_outside_cells_blank() {
        let (input, g) = synthetic();
        let fig = CssdrMap {
            input: &input,
            raster: &g,
        };
        let (w, rgb) = decode(&crate::render_png(&fig).unwrap());
        let (canvas, _) = map_layout(&input.sorted_regions());
        let at = |lon: f64, lat: f64| {
            let (x, y) = ip(canvas.px(geo::Coord { x: lon, y: lat }));
            let i = (y as usize * w as usize + x as usize) * 3;
            RGBColor(rgb[i], rgb[i + 1], rgb[i + 2])
        };
        // Inside the region, west: a deficit cell (value ≈ −0.57, red); east: surplus.
        let west = at(116.15, 39.55);
        let expect = class_colour(class_of(((116.15 - 117.0) / 1.5) as f32).unwrap());
        assert_eq!(west, expect);
        assert!(west.0 > west.1, "{west:?}");
        let east = at(117.85, 39.35);
        assert!(east.1 > east.0, "{east:?}");
        // The no-data block and the grid's cells outside the region (in the frame's margin)
        // stay white.
        assert_eq!(at(117.5, 40.5), WHITE);
        assert_eq!(at(115.97, 40.0), WHITE);
        assert_eq!(at(118.03, 39.5), WHITE);
    }

    #[test]
    fn the_svg_has_the_colour_bar_and_both_renderings_are_deterministic() {
        let (input, g) = synthetic();
        let fig = CssdrMap {
            input: &input,
            raster: &g,
        };
        let svg = crate::render_svg(&fig).unwrap();
        for tick in ["−1", "−0.5", "0", "0.5", "1"] {
            assert!(svg.contains(&format!("\n{tick}\n</text>")), "tick {tick}");
        }
        assert!(svg.contains("deficit (input)") && svg.contains("surplus (output)"));
        // Every class colour of the bar is in the SVG.
        for k in 0..CLASSES as u8 {
            let c = class_colour(k);
            let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
            assert!(svg.contains(&hex), "class {k} colour {hex}");
        }
        assert_eq!(svg, crate::render_svg(&fig).unwrap());
        assert_eq!(
            crate::render_png(&fig).unwrap(),
            crate::render_png(&fig).unwrap()
        );
    }

    #[test]
    fn a_noisy_full_size_grid_is_coarsened_until_the_svg_stays_small() {
        let (input, mut g) = synthetic();
        // 600 × 600 cells of noise from a fixed linear congruential sequence: no two
        // neighbours merge, so the unmerged grid would need ~200,000 rectangles.
        let (w, h) = (600, 600);
        let mut state: u64 = 42;
        g.width = w;
        g.height = h;
        g.values = (0..w * h)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) as f64 / f64::from(1u32 << 31) * 2.0 - 1.0) as f32
            })
            .collect();
        let regions = input.sorted_regions();
        let (canvas, _) = map_layout(&regions);
        let (rects, factor) = raster_blocks(&g, &regions, &canvas, MAX_RECTS);
        assert!(
            rects.len() <= MAX_RECTS && factor > 1,
            "{} rects, factor {factor}",
            rects.len()
        );
        let svg = crate::render_svg(&CssdrMap {
            input: &input,
            raster: &g,
        })
        .unwrap();
        assert!(svg.len() < 2_000_000, "SVG of {} bytes", svg.len());
        assert!(svg.contains(&format!("Shown as means of {factor} × {factor} cells")));
    }

    /// A canvas fitted to the grid's extent (≈ 93 × 120 px, so each of up to 12 × 12 cells
    /// spans several pixels), and the pixel edges of its columns and rows.
    struct PixelGrid {
        canvas: MapCanvas,
        xe: Vec<i32>,
        ye: Vec<i32>,
    }

    impl PixelGrid {
        fn new(g: &LonLatRaster) -> Self {
            let square = geo::Polygon::new(
                LineString::from(vec![
                    (g.west, g.south),
                    (g.east, g.south),
                    (g.east, g.north),
                    (g.west, g.north),
                    (g.west, g.south),
                ]),
                Vec::new(),
            );
            let frame = region("frame", square);
            let canvas = MapCanvas::fit(&[&frame], (0.0, 0.0), (120.0, 120.0), 0.0);
            let mid = geo::Coord {
                x: (g.west + g.east) / 2.0,
                y: (g.south + g.north) / 2.0,
            };
            let xe = (0..=g.width)
                .map(|c| {
                    ip(canvas.px(geo::Coord {
                        x: g.col_lon(c),
                        y: mid.y,
                    }))
                    .0
                })
                .collect();
            let ye = (0..=g.height)
                .map(|r| {
                    ip(canvas.px(geo::Coord {
                        x: mid.x,
                        y: g.row_lat(r),
                    }))
                    .1
                })
                .collect();
            Self { canvas, xe, ye }
        }

        fn cell(&self, x: i32, y: i32) -> (usize, usize) {
            let c = self
                .xe
                .windows(2)
                .position(|w| x >= w[0] && x < w[1])
                .unwrap();
            let r = self
                .ye
                .windows(2)
                .position(|w| y >= w[0] && y < w[1])
                .unwrap();
            (c, r)
        }
    }
}
