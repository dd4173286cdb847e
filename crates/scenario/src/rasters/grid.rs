//! Regions onto a raster grid, the window of the raster that holds them, and reading that
//! window row by row.

use std::path::{Path, PathBuf};

use fzc_core::{GeoTransform, GridCrs, RasterGrid, RegionId, RegionShape};
use fzc_cssf_flow::geodesic::RegionPolygon;
use fzc_cssf_flow::zonal::{CoverageMode, RegionMasks};
use fzc_io::GeoTiffReader;

use crate::ScenarioError;

/// Where the region polygons come from and how cells are shared with them.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionsInput {
    /// Region polygons: a GeoJSON file or folder, or a `.shp` shapefile (WGS84 lon/lat).
    pub path: PathBuf,
    /// The feature property holding the region id (`None`: the reader's default).
    pub id_field: Option<String>,
    /// How cells are shared with regions (exact coverage fractions or pixel centres).
    pub coverage: CoverageMode,
    /// Largest share of a region (by cell coverage) allowed outside the raster before it is
    /// an error, in [0, 1].
    pub max_outside_share: f64,
}

impl RegionsInput {
    /// Regions from `path` with the defaults of `fzc cssf`: exact coverage, and at most
    /// 1e-9 of a region outside the raster.
    pub fn new(path: impl Into<PathBuf>, id_field: Option<String>) -> Self {
        Self {
            path: path.into(),
            id_field,
            coverage: CoverageMode::Exact,
            max_outside_share: 1e-9,
        }
    }

    /// Reads the polygons (lon/lat), sorted by id.
    ///
    /// # Errors
    /// [`ScenarioError::Input`] when the file cannot be read or a feature has no id.
    pub fn read(&self) -> Result<Vec<(RegionId, RegionShape)>, ScenarioError> {
        Ok(fzc_io::read_regions(&self.path, self.id_field.as_deref())?)
    }
}

/// The regions, their masks on the window of a raster grid that holds them, and the window.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionsOnGrid {
    /// Region ids, in mask order (sorted).
    pub ids: Vec<RegionId>,
    /// The regions' lon/lat bounding box `(west, south, east, north)`, degrees.
    pub lonlat_bounds: (f64, f64, f64, f64),
    /// Masks on `window`.
    pub masks: RegionMasks,
    /// The sub-grid holding all regions (clamped to the raster).
    pub window: RasterGrid,
    /// Column and row of the window's first pixel in the full raster.
    pub offset: (usize, usize),
}

/// Reads the regions, validates them, reprojects them into `grid`'s CRS, finds the window of
/// the raster that holds them and builds their masks there.
///
/// # Errors
/// [`ScenarioError::Input`] when the polygons cannot be read or reprojected,
/// [`ScenarioError::Layer`] for an invalid polygon, regions outside the raster, or a region
/// more than `max_outside_share` outside it.
pub fn regions_on_grid(
    regions: &RegionsInput,
    grid: &RasterGrid,
) -> Result<RegionsOnGrid, ScenarioError> {
    let layer = |message: String| ScenarioError::Layer {
        path: regions.path.clone(),
        what: "placing the regions on the raster grid",
        message,
    };
    let read = regions.read()?;
    let mut shapes = Vec::with_capacity(read.len());
    let (mut west, mut south, mut east, mut north) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (id, shape) in &read {
        let polygon = RegionPolygon::new(id.clone(), shape).map_err(|e| layer(e.to_string()))?;
        for p in &polygon.shape.0 {
            for c in p.exterior().0.iter() {
                west = west.min(c.x);
                east = east.max(c.x);
                south = south.min(c.y);
                north = north.max(c.y);
            }
        }
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
        return Err(layer(format!(
            "the regions lie entirely outside the raster ({} × {} pixels, {}); expected a \
             raster that covers them",
            grid.width, grid.height, grid.crs
        )));
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
    let masks = RegionMasks::build_within(
        &window,
        &shapes,
        regions.coverage,
        fzc_io::memory_budget().map_err(layer)?,
    )
    .map_err(|e| layer(e.to_string()))?;
    masks
        .require_covered(regions.max_outside_share)
        .map_err(|e| layer(e.to_string()))?;
    Ok(RegionsOnGrid {
        ids: shapes.into_iter().map(|(id, _)| id).collect(),
        lonlat_bounds: (west, south, east, north),
        masks,
        window,
        offset: (col0, row0),
    })
}

/// One raster read window by window: rows of the window at `offset`, `width` wide.
pub(crate) struct WindowReader {
    reader: GeoTiffReader,
    offset: (usize, usize),
    width: usize,
    scratch: Vec<f64>,
}

impl WindowReader {
    /// Opens `path` for reading the window of `on`, with `crs` for a raster whose keys give
    /// none.
    pub(crate) fn open(
        path: &Path,
        on: &RegionsOnGrid,
        crs: Option<GridCrs>,
    ) -> Result<Self, ScenarioError> {
        Ok(Self::new(GeoTiffReader::open_with_crs(path, crs)?, on))
    }

    /// Wraps an open reader.
    pub(crate) fn new(reader: GeoTiffReader, on: &RegionsOnGrid) -> Self {
        Self {
            reader,
            offset: on.offset,
            width: on.window.width,
            scratch: Vec::new(),
        }
    }

    /// Reads window rows `row0 .. row0 + rows` into `out`.
    pub(crate) fn read(
        &mut self,
        row0: usize,
        rows: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), ScenarioError> {
        self.reader
            .read_rows(self.offset.1 + row0, rows, &mut self.scratch)?;
        let full = self.reader.grid().width;
        out.clear();
        for r in 0..rows {
            let start = r * full + self.offset.0;
            out.extend_from_slice(&self.scratch[start..start + self.width]);
        }
        Ok(())
    }
}

impl WindowReader {
    /// As [`Self::read`], for a land-use raster: every value must be a whole class code. A
    /// fractional value (2.5 in a float raster) is refused rather than truncated to a class.
    pub(crate) fn read_classes(
        &mut self,
        row0: usize,
        rows: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), ScenarioError> {
        self.read(row0, rows, out)?;
        let bad: Vec<f64> = out
            .iter()
            .copied()
            .filter(|v| v.is_infinite() || (v.is_finite() && v.fract() != 0.0))
            .collect();
        if let Some(first) = bad.first() {
            return Err(self.refuse(
                "reading land-use classes",
                format!(
                    "{} pixels in window rows {row0}..{} hold fractional or infinite class \
                     values (e.g. {first}); expected whole class codes",
                    bad.len(),
                    row0 + rows
                ),
            ));
        }
        Ok(())
    }

    /// As [`Self::read`], for a count or density raster (population): every value that is
    /// not nodata must be finite and ≥ 0, or demand would come out negative.
    pub(crate) fn read_nonnegative(
        &mut self,
        row0: usize,
        rows: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), ScenarioError> {
        self.read(row0, rows, out)?;
        let bad: Vec<f64> = out
            .iter()
            .copied()
            .filter(|v| v.is_infinite() || *v < 0.0)
            .collect();
        if let Some(first) = bad.first() {
            return Err(self.refuse(
                "reading population",
                format!(
                    "{} pixels in window rows {row0}..{} are negative or infinite (e.g. {first}); \
                     expected finite counts ≥ 0 (or nodata)",
                    bad.len(),
                    row0 + rows
                ),
            ));
        }
        Ok(())
    }

    fn refuse(&self, what: &'static str, message: String) -> ScenarioError {
        ScenarioError::Layer {
            path: self.reader.path().to_path_buf(),
            what,
            message,
        }
    }
}

/// Opens a raster that must share `reference`'s grid, with `crs` for a raster whose keys
/// give none.
pub(crate) fn open_same_grid(
    path: &Path,
    reference: &GeoTiffReader,
    crs: Option<GridCrs>,
) -> Result<GeoTiffReader, ScenarioError> {
    let reader = GeoTiffReader::open_with_crs(path, crs)?;
    fzc_io::check_same_grid(&reader, reference)?;
    Ok(reader)
}
