//! Exact coverage fractions of grid cells by a polygon, in pixel coordinates.
//!
//! Coordinates here are pixel coordinates `(u, v)` = (column, row) as fractions, so a cell is
//! the unit square `[c, c+1] × [r, r+1]` and an area is a cell fraction.
//!
//! The method: the area of the polygon inside the horizontal strip `r ≤ v ≤ r+1` and the
//! vertical slab `c ≤ u ≤ c+1` is, by Green's theorem with `v' = v − r`,
//! `−∮ v' du` over the boundary of (polygon ∩ strip) restricted to the slab. That boundary is
//! made of the polygon's own edges clipped to the strip, plus pieces of the strip's two
//! lines. Pieces on `v' = 0` contribute nothing; pieces on `v' = 1` contribute their length
//! where the line `v = r + 1` (approached from inside the strip) is inside the polygon.
//! So a cell's area = Σ over edge pieces in the cell of `−(v'_a + v'_b)/2 · (u_b − u_a)`,
//! plus the length of the cell's lower line segment (`v = r + 1`) inside the polygon. Cells
//! no edge crosses and whose whole segment is inside are interior (fraction 1). Work and
//! memory are proportional to the perimeter in cells plus the number of rows.

use std::collections::BTreeMap;

use geo::{Coord, MultiPolygon};

/// How a cell's share of a region is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoverageMode {
    /// The exact fraction of the cell's area inside the polygon (exactextract's method).
    #[default]
    Exact,
    /// 1 when the cell's centre is inside the polygon, else 0 (a GDAL-rasterize-like mask).
    PixelCentre,
}

/// A run of cells of one row with the same coverage fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// First column.
    pub col: usize,
    /// Number of cells.
    pub len: usize,
    /// Fraction of each cell inside the region, in (0, 1].
    pub fraction: f64,
}

/// A run before clipping to the grid (columns may be negative or beyond the width).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RawRun {
    pub col: i64,
    pub len: i64,
    pub fraction: f64,
}

/// Fractions below this are dropped as round-off.
const EPS: f64 = 1e-12;

/// The coverage of every cell the polygon (in pixel coordinates) touches, by row.
///
/// Rings may be wound either way: each ring is oriented (exteriors positive, holes negative)
/// before integration. Fractions are clamped to [0, 1].
pub fn coverage_rows(shape: &MultiPolygon<f64>, mode: CoverageMode) -> Vec<(i64, Vec<Run>)> {
    coverage_rows_raw(shape, mode)
        .into_iter()
        .map(|(r, runs)| {
            (
                r,
                runs.into_iter()
                    .filter(|run| run.col >= 0)
                    .map(|run| Run {
                        col: run.col as usize,
                        len: run.len as usize,
                        fraction: run.fraction,
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Oriented rings: each a closed list of coordinates, exteriors with positive signed area
/// in the `(u, v)` plane, holes negative.
fn oriented_rings(shape: &MultiPolygon<f64>) -> Vec<Vec<Coord<f64>>> {
    let mut rings = Vec::new();
    for poly in &shape.0 {
        let mut push = |ring: &geo::LineString<f64>, positive: bool| {
            let mut pts: Vec<Coord<f64>> = ring.0.clone();
            if pts.len() < 3 {
                return;
            }
            if pts.first() != pts.last() {
                pts.push(pts[0]);
            }
            let area2: f64 = pts
                .windows(2)
                .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
                .sum();
            if (area2 > 0.0) != positive {
                pts.reverse();
            }
            rings.push(pts);
        };
        push(poly.exterior(), true);
        for hole in poly.interiors() {
            push(hole, false);
        }
    }
    rings
}

pub(crate) fn coverage_rows_raw(
    shape: &MultiPolygon<f64>,
    mode: CoverageMode,
) -> Vec<(i64, Vec<RawRun>)> {
    let rings = oriented_rings(shape);
    let edges: Vec<(Coord<f64>, Coord<f64>)> = rings
        .iter()
        .flat_map(|r| r.windows(2).map(|w| (w[0], w[1])))
        .filter(|(a, b)| a.x.is_finite() && a.y.is_finite() && b.x.is_finite() && b.y.is_finite())
        .collect();
    if edges.is_empty() {
        return Vec::new();
    }
    let vmin = edges
        .iter()
        .map(|(a, b)| a.y.min(b.y))
        .fold(f64::INFINITY, f64::min);
    let vmax = edges
        .iter()
        .map(|(a, b)| a.y.max(b.y))
        .fold(f64::NEG_INFINITY, f64::max);
    let (r0, r1) = (
        vmin.floor() as i64,
        (vmax.ceil() as i64 - 1).max(vmin.floor() as i64),
    );
    match mode {
        CoverageMode::PixelCentre => centre_rows(&edges, r0, r1),
        CoverageMode::Exact => exact_rows(&edges, r0, r1),
    }
}

/// Crossings of horizontal lines `v = y` (for increasing `y`) by the edges, with the rule
/// `min < y ≤ max` (the line as seen from just above, inside row `y − 1`), as sorted
/// `(u, winding)`. Keeps an active-edge list so that a row costs the edges it meets, not all.
struct Scanline<'e> {
    /// Edges sorted by their lower `v`.
    edges: Vec<&'e (Coord<f64>, Coord<f64>)>,
    next: usize,
    active: Vec<&'e (Coord<f64>, Coord<f64>)>,
}

impl<'e> Scanline<'e> {
    fn new(edges: &'e [(Coord<f64>, Coord<f64>)]) -> Self {
        let mut sorted: Vec<_> = edges.iter().collect();
        sorted.sort_by(|p, q| p.0.y.min(p.1.y).total_cmp(&q.0.y.min(q.1.y)));
        Self {
            edges: sorted,
            next: 0,
            active: Vec::new(),
        }
    }

    /// The crossings of `v = y`; `y` must not decrease between calls.
    fn crossings(&mut self, y: f64, out: &mut Vec<(f64, i32)>) {
        while self.next < self.edges.len()
            && self.edges[self.next].0.y.min(self.edges[self.next].1.y) < y
        {
            self.active.push(self.edges[self.next]);
            self.next += 1;
        }
        self.active.retain(|(a, b)| a.y.max(b.y) >= y);
        out.clear();
        for (a, b) in &self.active {
            let (lo, hi) = if a.y < b.y { (a, b) } else { (b, a) };
            if lo.y < y && y <= hi.y {
                let t = (y - lo.y) / (hi.y - lo.y);
                let u = lo.x + t * (hi.x - lo.x);
                out.push((u, if a.y < b.y { 1 } else { -1 }));
            }
        }
        out.sort_by(|p, q| p.0.total_cmp(&q.0));
    }
}

/// Intervals of `u` inside the polygon (nonzero winding) along a line, from its crossings.
fn inside_intervals(cross: &[(f64, i32)], out: &mut Vec<(f64, f64)>) {
    out.clear();
    let mut winding = 0;
    let mut start = 0.0;
    for &(u, w) in cross {
        let before = winding;
        winding += w;
        if before == 0 && winding != 0 {
            start = u;
        } else if before != 0 && winding == 0 && u > start {
            out.push((start, u));
        }
    }
}

fn centre_rows(edges: &[(Coord<f64>, Coord<f64>)], r0: i64, r1: i64) -> Vec<(i64, Vec<RawRun>)> {
    let mut rows = Vec::new();
    let (mut cross, mut intervals) = (Vec::new(), Vec::new());
    let mut scan = Scanline::new(edges);
    for r in r0..=r1 {
        scan.crossings(r as f64 + 0.5, &mut cross);
        inside_intervals(&cross, &mut intervals);
        let mut runs: Vec<RawRun> = Vec::new();
        for &(ua, ub) in &intervals {
            // Columns whose centre c + 0.5 lies in [ua, ub).
            let first = (ua - 0.5).ceil() as i64;
            let end = (ub - 0.5).ceil() as i64;
            if end > first {
                match runs.last_mut() {
                    Some(last) if last.col + last.len == first => last.len += end - first,
                    _ => runs.push(RawRun {
                        col: first,
                        len: end - first,
                        fraction: 1.0,
                    }),
                }
            }
        }
        if !runs.is_empty() {
            rows.push((r, runs));
        }
    }
    rows
}

fn exact_rows(edges: &[(Coord<f64>, Coord<f64>)], r0: i64, r1: i64) -> Vec<(i64, Vec<RawRun>)> {
    // Edge pieces per row: (row, col) -> Σ −(v'_a + v'_b)/2 · (u_b − u_a).
    let mut pieces: BTreeMap<(i64, i64), f64> = BTreeMap::new();
    for &(a, b) in edges {
        add_edge_pieces(a, b, &mut pieces);
    }
    let mut rows = Vec::new();
    let (mut cross, mut intervals) = (Vec::new(), Vec::new());
    let mut specials: Vec<(i64, f64)> = Vec::new();
    let mut scan = Scanline::new(edges);
    for r in r0..=r1 {
        scan.crossings((r + 1) as f64, &mut cross);
        inside_intervals(&cross, &mut intervals);
        // Cells with an edge piece, or with a fractional share of the lower line.
        specials.clear();
        specials.extend(
            pieces
                .range((r, i64::MIN)..=(r, i64::MAX))
                .map(|(&(_, c), &a)| (c, a)),
        );
        for &(ua, ub) in &intervals {
            for c in [ua.floor() as i64, (ub.ceil() as i64) - 1] {
                let overlap = (ub.min((c + 1) as f64) - ua.max(c as f64)).max(0.0);
                if overlap < 1.0 {
                    specials.push((c, 0.0));
                }
            }
        }
        specials.sort_by_key(|p| p.0);
        specials.dedup_by(|later, first| {
            if later.0 == first.0 {
                first.1 += later.1;
                true
            } else {
                false
            }
        });
        let mut runs: Vec<RawRun> = Vec::new();
        let push = |runs: &mut Vec<RawRun>, col: i64, len: i64, fraction: f64| {
            if len <= 0 || fraction <= EPS {
                return;
            }
            let fraction = fraction.min(1.0);
            match runs.last_mut() {
                Some(last)
                    if fraction == 1.0 && last.fraction == 1.0 && last.col + last.len == col =>
                {
                    last.len += len
                }
                _ => runs.push(RawRun { col, len, fraction }),
            }
        };
        // Walk the full-interior column ranges and the special cells in column order.
        let mut s = 0;
        for &(ua, ub) in &intervals {
            let (full_a, full_b) = (ua.ceil() as i64, ub.floor() as i64); // columns [full_a, full_b)
            // Specials before this range.
            while s < specials.len() && specials[s].0 < full_a {
                let (c, part) = specials[s];
                push(&mut runs, c, 1, part + line_overlap(&intervals, c));
                s += 1;
            }
            let mut c = full_a;
            while s < specials.len() && specials[s].0 < full_b {
                let (sc, part) = specials[s];
                push(&mut runs, c, sc - c, 1.0);
                push(&mut runs, sc, 1, part + 1.0);
                c = sc + 1;
                s += 1;
            }
            push(&mut runs, c, full_b - c, 1.0);
        }
        while s < specials.len() {
            let (c, part) = specials[s];
            push(&mut runs, c, 1, part + line_overlap(&intervals, c));
            s += 1;
        }
        if !runs.is_empty() {
            rows.push((r, runs));
        }
    }
    rows
}

/// Length of the line segment `[c, c+1]` inside the intervals.
fn line_overlap(intervals: &[(f64, f64)], c: i64) -> f64 {
    let (lo, hi) = (c as f64, (c + 1) as f64);
    intervals
        .iter()
        .map(|&(a, b)| (b.min(hi) - a.max(lo)).max(0.0))
        .sum()
}

/// Splits an edge by rows and columns and adds each piece's `−∮ v' du` to its cell.
fn add_edge_pieces(a: Coord<f64>, b: Coord<f64>, pieces: &mut BTreeMap<(i64, i64), f64>) {
    if a.x == b.x {
        return; // vertical: du = 0 everywhere
    }
    // Parameter values where the edge crosses integer rows or columns.
    let mut ts = vec![0.0, 1.0];
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut cuts = |p0: f64, d: f64| {
        if d != 0.0 {
            let (lo, hi) = (p0.min(p0 + d), p0.max(p0 + d));
            let mut k = lo.floor() + 1.0;
            while k < hi {
                ts.push((k - p0) / d);
                k += 1.0;
            }
        }
    };
    cuts(a.x, dx);
    cuts(a.y, dy);
    ts.sort_by(f64::total_cmp);
    for w in ts.windows(2) {
        let (t0, t1) = (w[0], w[1]);
        if t1 <= t0 {
            continue;
        }
        let tm = 0.5 * (t0 + t1);
        let (um, vm) = (a.x + tm * dx, a.y + tm * dy);
        let (r, c) = (vm.floor(), um.floor());
        let (u0, u1) = (a.x + t0 * dx, a.x + t1 * dx);
        let (v0, v1) = (a.y + t0 * dy - r, a.y + t1 * dy - r);
        let contribution = -0.5 * (v0 + v1) * (u1 - u0);
        if contribution != 0.0 {
            *pieces.entry((r as i64, c as i64)).or_insert(0.0) += contribution;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn poly(pts: &[(f64, f64)]) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(LineString::from(pts.to_vec()), vec![])])
    }

    fn total(rows: &[(i64, Vec<RawRun>)]) -> f64 {
        rows.iter()
            .flat_map(|(_, runs)| runs.iter().map(|r| r.len as f64 * r.fraction))
            .sum()
    }

    #[test]
    fn a_cell_aligned_square_covers_its_cells_fully() {
        let rows = coverage_rows_raw(
            &poly(&[(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)]),
            CoverageMode::Exact,
        );
        assert_eq!(
            rows,
            vec![
                (
                    1,
                    vec![RawRun {
                        col: 1,
                        len: 2,
                        fraction: 1.0
                    }]
                ),
                (
                    2,
                    vec![RawRun {
                        col: 1,
                        len: 2,
                        fraction: 1.0
                    }]
                ),
            ]
        );
    }

    #[test]
    fn a_half_shifted_square_splits_cells() {
        // Clockwise on purpose: orientation must not matter.
        let rows = coverage_rows_raw(
            &poly(&[(0.5, 0.5), (0.5, 2.5), (2.5, 2.5), (2.5, 0.5)]),
            CoverageMode::Exact,
        );
        assert!((total(&rows) - 4.0).abs() < 1e-12);
        assert_eq!(
            rows[0].1[0],
            RawRun {
                col: 0,
                len: 1,
                fraction: 0.25
            }
        );
        assert_eq!(
            rows[1].1[1],
            RawRun {
                col: 1,
                len: 1,
                fraction: 1.0
            }
        );
    }

    #[test]
    fn a_triangle_inside_one_cell() {
        let rows = coverage_rows_raw(
            &poly(&[(0.1, 0.1), (0.9, 0.1), (0.1, 0.9)]),
            CoverageMode::Exact,
        );
        assert_eq!(rows.len(), 1);
        assert!((total(&rows) - 0.32).abs() < 1e-12);
    }

    #[test]
    fn a_hole_is_cut_out() {
        let outer = LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]);
        let hole = LineString::from(vec![(1.5, 1.5), (2.5, 1.5), (2.5, 2.5), (1.5, 2.5)]);
        let mp = MultiPolygon(vec![Polygon::new(outer, vec![hole])]);
        let rows = coverage_rows_raw(&mp, CoverageMode::Exact);
        assert!((total(&rows) - 15.0).abs() < 1e-12);
        let centre = coverage_rows_raw(&mp, CoverageMode::PixelCentre);
        // Cell (1,1) has its centre (1.5,1.5) on the hole's corner; cells (1..3, 1..3)
        // centres: only (2,2)'s centre (2.5, 2.5) is on the corner too; 16 − centres in hole.
        assert!(total(&centre) >= 14.0 && total(&centre) <= 16.0);
    }
}
