//! Shared by `fzc cssf supply` and `fzc cssf demand`: regions onto a raster grid, and the
//! raster window that holds them.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use fzc_core::{GeoTransform, RasterGrid, RegionId};
use fzc_cssf_flow::geodesic::RegionPolygon;
use fzc_cssf_flow::zonal::{CoverageMode, RegionMasks};
use fzc_io::GeoTiffReader;

/// `--coverage`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CoverageArg {
    /// Exact cell-coverage fractions (exactextract's method).
    Exact,
    /// A cell counts when its centre is inside.
    PixelCentre,
}

impl From<CoverageArg> for CoverageMode {
    fn from(c: CoverageArg) -> Self {
        match c {
            CoverageArg::Exact => CoverageMode::Exact,
            CoverageArg::PixelCentre => CoverageMode::PixelCentre,
        }
    }
}

/// The regions, their masks on the window of `grid` that holds them, and the window.
pub struct RegionsOnGrid {
    /// Region ids, in mask order (sorted).
    pub ids: Vec<RegionId>,
    /// Masks on `window`.
    pub masks: RegionMasks,
    /// The sub-grid holding all regions (clamped to the raster).
    pub window: RasterGrid,
    /// Column and row of the window's first pixel in the full raster.
    pub offset: (usize, usize),
}

/// Reads the regions, validates them, reprojects them into the raster's CRS, finds the window
/// of the raster that holds them and builds their masks there.
pub fn regions_on_grid(
    regions: &Path,
    id_field: Option<&str>,
    grid: &RasterGrid,
    coverage: CoverageArg,
    max_outside_share: f64,
) -> anyhow::Result<RegionsOnGrid> {
    let read = fzc_io::read_geojson_regions(regions, id_field)?;
    let mut shapes = Vec::with_capacity(read.len());
    for (id, shape) in &read {
        let polygon = RegionPolygon::new(id.clone(), shape)?;
        shapes.push((id.clone(), polygon.shape));
    }
    fzc_io::reproject_lonlat_to(&mut shapes, grid.crs)?;
    // The window: the regions' bounding box in pixel coordinates, clamped to the raster.
    let t = grid.transform;
    let (mut c0, mut c1, mut r0, mut r1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for (_, shape) in &shapes {
        for p in &shape.0 {
            for c in p.exterior().0.iter() {
                let (u, v) = t.to_pixel(c.x, c.y);
                c0 = c0.min(u);
                c1 = c1.max(u);
                r0 = r0.min(v);
                r1 = r1.max(v);
            }
        }
    }
    let clamp = |v: f64, hi: usize| v.max(0.0).min(hi as f64) as usize;
    let (col0, col1) = (clamp(c0.floor(), grid.width), clamp(c1.ceil(), grid.width));
    let (row0, row1) = (
        clamp(r0.floor(), grid.height),
        clamp(r1.ceil(), grid.height),
    );
    if col1 <= col0 || row1 <= row0 {
        anyhow::bail!(
            "{}: the regions lie entirely outside the raster ({} × {} pixels, {}); \
             expected a raster that covers them",
            regions.display(),
            grid.width,
            grid.height,
            grid.crs
        );
    }
    let window = RasterGrid {
        width: col1 - col0,
        height: row1 - row0,
        transform: GeoTransform {
            x0: t.x0 + col0 as f64 * t.dx,
            dx: t.dx,
            y0: t.y0 + row0 as f64 * t.dy,
            dy: t.dy,
        },
        crs: grid.crs,
    };
    let masks = RegionMasks::build(&window, &shapes, coverage.into())?;
    masks.require_covered(max_outside_share)?;
    Ok(RegionsOnGrid {
        ids: shapes.into_iter().map(|(id, _)| id).collect(),
        masks,
        window,
        offset: (col0, row0),
    })
}

/// Reads window rows `row0 .. row0 + rows` of `reader` (window offset `offset`) into `out`.
pub fn read_window(
    reader: &mut GeoTiffReader,
    offset: (usize, usize),
    width: usize,
    row0: usize,
    rows: usize,
    scratch: &mut Vec<f64>,
    out: &mut Vec<f64>,
) -> anyhow::Result<()> {
    reader.read_rows(offset.1 + row0, rows, scratch)?;
    let full = reader.grid().width;
    out.clear();
    for r in 0..rows {
        out.extend_from_slice(&scratch[r * full + offset.0..r * full + offset.0 + width]);
    }
    Ok(())
}

/// Opens a raster that must share `reference`'s grid.
pub fn open_same_grid(path: &Path, reference: &GeoTiffReader) -> anyhow::Result<GeoTiffReader> {
    let reader = GeoTiffReader::open(path)?;
    fzc_io::check_same_grid(&reader, reference)?;
    Ok(reader)
}

/// Writes `region,<column>` rows, sorted by region, atomically.
pub fn write_region_csv(path: &Path, column: &str, rows: &[(RegionId, f64)]) -> anyhow::Result<()> {
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    fzc_io::write_atomically(path, |w| {
        writeln!(w, "region,{column}")?;
        for (id, v) in &rows {
            writeln!(w, "{id},{}", if *v == 0.0 { 0.0 } else { *v })?;
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", path.display()))
}

/// `DIR/name`, creating `DIR`.
pub fn out_file(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join(name))
}
