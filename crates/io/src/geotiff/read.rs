//! The streaming GeoTIFF reader.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use fzc_core::{GridCrs, RasterGrid};
use tiff::ColorType;
use tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits};
use tiff::tags::{PlanarConfiguration, Tag};

use super::geokeys;
use crate::{IoError, Location};

/// A single-band GeoTIFF opened for reading in row windows.
///
/// Values come out as `f64`; pixels equal to the file's nodata value come out as NaN. The
/// reader decodes one row of chunks (one strip, or one row of tiles) at a time and keeps only
/// that row of chunks, so reading a raster top to bottom needs `width × chunk height` values
/// of memory.
pub struct GeoTiffReader {
    path: PathBuf,
    decoder: Decoder<BufReader<File>>,
    grid: RasterGrid,
    nodata: Option<f64>,
    samples: usize,
    planar: bool,
    tiled: bool,
    chunk_w: usize,
    chunk_h: usize,
    chunks_across: usize,
    /// The decoded chunk row in memory: its index and `chunk_h × width` values (fewer rows
    /// for the last chunk row).
    cache: Option<(usize, Vec<f64>)>,
}

impl std::fmt::Debug for GeoTiffReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoTiffReader")
            .field("path", &self.path)
            .field("grid", &self.grid)
            .field("nodata", &self.nodata)
            .finish_non_exhaustive()
    }
}

fn tiff_err(path: &Path, e: tiff::TiffError) -> IoError {
    match e {
        tiff::TiffError::IoError(io) => IoError::os(path, io),
        other => IoError::structure(Location::file(path), format!("TIFF: {other}")),
    }
}

/// The environment variable that sets the memory budget of one raster window, in MiB.
pub const MEMORY_BUDGET_ENV: &str = "FZC_MEMORY_BUDGET";

/// The default memory budget (MiB) when `FZC_MEMORY_BUDGET` is not set: 4 GiB.
pub const DEFAULT_MEMORY_BUDGET_MIB: u64 = 4096;

/// The largest compression ratio believed of a compressed strip or tile: DEFLATE peaks near
/// 1032:1, LZW with 12-bit codes near 4096:1 on constant data.
pub const MAX_COMPRESSION_RATIO: u64 = 4096;

/// The memory budget in bytes: `FZC_MEMORY_BUDGET` (MiB) or [`DEFAULT_MEMORY_BUDGET_MIB`].
///
/// # Errors
/// A message naming the variable when it is set but not a positive whole number of MiB.
pub fn memory_budget() -> Result<u64, String> {
    match std::env::var(MEMORY_BUDGET_ENV) {
        Err(_) => Ok(DEFAULT_MEMORY_BUDGET_MIB << 20),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(mib) if mib > 0 && mib < (1 << 44) => Ok(mib << 20),
            _ => Err(format!(
                "{MEMORY_BUDGET_ENV}={text:?}: expected a positive whole number of MiB \
                 (default {DEFAULT_MEMORY_BUDGET_MIB})"
            )),
        },
    }
}

/// Checks that `bytes` asked for `what` fit the memory budget.
///
/// # Errors
/// [`IoError::Structure`] naming the file, what asked, and the variable that raises the budget.
pub fn check_budget(path: &Path, what: &str, bytes: u128) -> Result<(), IoError> {
    let budget = memory_budget().map_err(|m| structure(path, m))?;
    if bytes > u128::from(budget) {
        return Err(structure(
            path,
            format!(
                "{what} needs {bytes} bytes, over the memory budget of {budget} bytes; \
                 set {MEMORY_BUDGET_ENV} (MiB, default {DEFAULT_MEMORY_BUDGET_MIB}) to raise it"
            ),
        ));
    }
    Ok(())
}

/// Checks the declared image size against the strip/tile byte counts and the file size,
/// before anything is allocated for it: a 526-byte file may declare a width of 3·10⁹.
fn check_declared_size(
    path: &Path,
    decoder: &mut Decoder<BufReader<File>>,
    dims: (u32, u32),
    chunk: (u32, u32),
    tiled: bool,
    samples: u64,
    planar: bool,
) -> Result<(), IoError> {
    let (width, height) = (u128::from(dims.0), u128::from(dims.1));
    let (cw, ch) = (u128::from(chunk.0), u128::from(chunk.1));
    let bits = decoder
        .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
        .map_err(|e| tiff_err(path, e))?
        .and_then(|v| v.first().copied())
        .unwrap_or(1);
    let compression = decoder
        .find_tag_unsigned::<u16>(Tag::Compression)
        .map_err(|e| tiff_err(path, e))?
        .unwrap_or(1);
    let counts_tag = if tiled {
        Tag::TileByteCounts
    } else {
        Tag::StripByteCounts
    };
    let counts = decoder
        .find_tag_unsigned_vec::<u64>(counts_tag)
        .map_err(|e| tiff_err(path, e))?
        .unwrap_or_default();
    let stored: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    let file_len = u128::from(
        std::fs::metadata(path)
            .map_err(|e| IoError::os(path, e))?
            .len(),
    );
    let offsets_tag = if tiled {
        Tag::TileOffsets
    } else {
        Tag::StripOffsets
    };
    let offsets = decoder
        .find_tag_unsigned_vec::<u64>(offsets_tag)
        .map_err(|e| tiff_err(path, e))?
        .unwrap_or_default();
    let end = offsets
        .iter()
        .zip(&counts)
        .map(|(&o, &c)| u128::from(o) + u128::from(c))
        .max()
        .unwrap_or(0);
    if stored > file_len || end > file_len {
        return Err(structure(
            path,
            format!(
                "{counts_tag:?} and {offsets_tag:?} reach byte {}, but the file has {file_len}; \
                 expected a complete TIFF",
                end.max(stored)
            ),
        ));
    }
    let spp = if planar { 1 } else { u128::from(samples) };
    let planes = if planar { u128::from(samples) } else { 1 };
    let bits = u128::from(bits);
    let needed = if tiled {
        width.div_ceil(cw) * height.div_ceil(ch) * (cw * spp * bits).div_ceil(8) * ch * planes
    } else {
        (width * spp * bits).div_ceil(8) * height * planes
    };
    let (limit, how) = if compression == 1 {
        (stored, "uncompressed".to_owned())
    } else {
        (
            stored * u128::from(MAX_COMPRESSION_RATIO),
            format!("compressed (at most {MAX_COMPRESSION_RATIO}:1)"),
        )
    };
    if needed > limit {
        return Err(structure(
            path,
            format!(
                "ImageWidth × ImageLength = {} × {} needs {needed} bytes of samples, but the \
                 {how} {counts_tag:?} hold {stored} bytes; expected dimensions matching the \
                 stored data",
                dims.0, dims.1
            ),
        ));
    }
    // One chunk row is held decoded as f64, plus the chunk being decoded.
    let window = width * ch.min(height.max(1)) * 8;
    let chunk_bytes = cw.min(width.max(1)) * ch * spp * 8;
    check_budget(path, "one row of strips/tiles", window + chunk_bytes)
}

fn structure(path: &Path, message: impl Into<String>) -> IoError {
    IoError::structure(Location::file(path), message)
}

impl GeoTiffReader {
    /// Opens a GeoTIFF and reads its georeferencing.
    ///
    /// # Errors
    /// [`IoError::Os`] if the file cannot be read, [`IoError::Structure`] if it is not a TIFF,
    /// uses a sample type or compression that is not supported, has no georeferencing, a
    /// rotated transform, a CRS without EPSG code or a geographic CRS fzc does not know (see
    /// [`GeoTiffReader::open_with_crs`]), or a nodata text that is not a number.
    pub fn open(path: &Path) -> Result<Self, IoError> {
        Self::open_with_crs(path, None)
    }

    /// Opens a GeoTIFF, taking `assumed` as its CRS where its GeoKeys give no EPSG code (a
    /// user-defined or missing CRS key) or a geographic code fzc does not know. A raster
    /// whose keys give a known code that differs from `assumed` is refused.
    ///
    /// # Errors
    /// As [`GeoTiffReader::open`]; the CRS errors name the GeoKey, its value, and
    /// `--raster-crs`.
    pub fn open_with_crs(path: &Path, assumed: Option<GridCrs>) -> Result<Self, IoError> {
        let file = File::open(path).map_err(|e| IoError::os(path, e))?;
        let mut limits = Limits::default();
        limits.ifd_value_size = 64 << 20;
        let mut decoder = Decoder::new(BufReader::new(file))
            .map_err(|e| tiff_err(path, e))?
            .with_limits(limits);
        let (width, height) = decoder.dimensions().map_err(|e| tiff_err(path, e))?;
        let colortype = decoder.colortype().map_err(|e| tiff_err(path, e))?;
        let samples = match colortype {
            ColorType::Gray(_) => 1,
            ColorType::GrayA(_) => 2,
            ColorType::RGB(_) | ColorType::YCbCr(_) | ColorType::Lab(_) => 3,
            ColorType::RGBA(_) | ColorType::CMYK(_) => 4,
            ColorType::CMYKA(_) => 5,
            ColorType::Multiband { num_samples, .. } => usize::from(num_samples),
            other => {
                return Err(structure(
                    path,
                    format!(
                        "colour type {other:?} is not a data band; expected a grey/multiband raster"
                    ),
                ));
            }
        };
        let planar = decoder
            .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
            .map_err(|e| tiff_err(path, e))?
            == Some(PlanarConfiguration::Planar.to_u16());
        let tiled = matches!(decoder.get_chunk_type(), ChunkType::Tile);
        let (cw, ch) = decoder.chunk_dimensions();
        let (chunk_w, chunk_h) = (cw as usize, ch as usize);
        if chunk_w == 0 || chunk_h == 0 {
            return Err(structure(path, "chunk (strip or tile) of size 0"));
        }
        check_declared_size(
            path,
            &mut decoder,
            (width, height),
            (cw, ch),
            tiled,
            samples as u64,
            planar,
        )?;
        let chunks_across = if tiled {
            (width as usize).div_ceil(chunk_w)
        } else {
            1
        };

        let f64_vec =
            |d: &mut Decoder<BufReader<File>>, tag: Tag| -> Result<Option<Vec<f64>>, IoError> {
                match d.find_tag(tag).map_err(|e| tiff_err(path, e))? {
                    None => Ok(None),
                    Some(v) => v
                        .into_f64_vec()
                        .map(Some)
                        .map_err(|e| structure(path, format!("tag {tag:?}: {e}"))),
                }
            };
        let scale = f64_vec(&mut decoder, Tag::ModelPixelScaleTag)?;
        let tiepoint = f64_vec(&mut decoder, Tag::ModelTiepointTag)?;
        let matrix = f64_vec(&mut decoder, Tag::ModelTransformationTag)?;
        let keys = match decoder
            .find_tag(Tag::GeoKeyDirectoryTag)
            .map_err(|e| tiff_err(path, e))?
        {
            None => {
                return Err(structure(
                    path,
                    "no GeoKeyDirectory: expected a GeoTIFF with a CRS (EPSG code)",
                ));
            }
            Some(v) => {
                let dir = v
                    .into_u16_vec()
                    .map_err(|e| structure(path, format!("GeoKeyDirectory: {e}")))?;
                geokeys::parse_key_directory(&dir).map_err(|m| structure(path, m))?
            }
        };
        let crs = geokeys::crs_from_keys(&keys, assumed).map_err(|m| structure(path, m))?;
        let transform = geokeys::transform_from_tags(
            scale.as_deref(),
            tiepoint.as_deref(),
            matrix.as_deref(),
            geokeys::is_pixel_is_point(&keys),
        )
        .map_err(|m| structure(path, m))?;
        let nodata = match decoder
            .find_tag(Tag::GdalNodata)
            .map_err(|e| tiff_err(path, e))?
        {
            None => None,
            Some(v) => {
                let text = v
                    .into_string()
                    .map_err(|e| structure(path, format!("GDAL_NODATA: {e}")))?;
                let text = text.trim_matches(char::from(0)).trim();
                let value = match text.to_ascii_lowercase().as_str() {
                    "nan" | "-nan" => f64::NAN,
                    "inf" | "+inf" => f64::INFINITY,
                    "-inf" => f64::NEG_INFINITY,
                    t => t.parse::<f64>().map_err(|_| {
                        IoError::value(Location::file(path), text, "GDAL_NODATA: a number (or nan)")
                    })?,
                };
                Some(value)
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            decoder,
            grid: RasterGrid {
                width: width as usize,
                height: height as usize,
                transform,
                crs,
            },
            nodata,
            samples,
            planar,
            tiled,
            chunk_w,
            chunk_h,
            chunks_across,
            cache: None,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raster's grid.
    pub fn grid(&self) -> &RasterGrid {
        &self.grid
    }

    /// The nodata value declared in GDAL_NODATA, if any.
    pub fn nodata(&self) -> Option<f64> {
        self.nodata
    }

    /// The natural window height: rows per strip or tile height.
    pub fn block_rows(&self) -> usize {
        self.chunk_h
    }

    /// Reads rows `row0 .. row0 + rows` of band 1 into `out` (resized to `rows × width`),
    /// nodata as NaN. Sequential windows (top to bottom) decode each chunk once.
    ///
    /// # Errors
    /// [`IoError::Structure`] for a window outside the raster or a chunk that fails to decode.
    pub fn read_rows(
        &mut self,
        row0: usize,
        rows: usize,
        out: &mut Vec<f64>,
    ) -> Result<(), IoError> {
        let width = self.grid.width;
        if row0 + rows > self.grid.height {
            return Err(structure(
                &self.path,
                format!(
                    "rows {row0}..{} asked for, but the raster has {} rows",
                    row0 + rows,
                    self.grid.height
                ),
            ));
        }
        check_budget(
            &self.path,
            &format!("a window of {rows} rows × {width} columns"),
            (rows as u128) * (width as u128) * 8,
        )?;
        out.clear();
        out.reserve(rows * width);
        let mut row = row0;
        while row < row0 + rows {
            let chunk_row = row / self.chunk_h;
            self.load_chunk_row(chunk_row)?;
            let first = chunk_row * self.chunk_h;
            let last = (first + self.chunk_h)
                .min(self.grid.height)
                .min(row0 + rows);
            if let Some((_, data)) = &self.cache {
                out.extend_from_slice(&data[(row - first) * width..(last - first) * width]);
            }
            row = last;
        }
        Ok(())
    }

    /// Reads the whole band (for small rasters and tests).
    ///
    /// # Errors
    /// As [`Self::read_rows`].
    pub fn read_all(&mut self) -> Result<Vec<f64>, IoError> {
        let mut out = Vec::new();
        self.read_rows(0, self.grid.height, &mut out)?;
        Ok(out)
    }

    fn load_chunk_row(&mut self, chunk_row: usize) -> Result<(), IoError> {
        if matches!(&self.cache, Some((r, _)) if *r == chunk_row) {
            return Ok(());
        }
        let width = self.grid.width;
        let rows_here = self
            .chunk_h
            .min(self.grid.height - chunk_row * self.chunk_h);
        let mut data = match self.cache.take() {
            Some((_, mut v)) => {
                v.clear();
                v
            }
            None => Vec::new(),
        };
        data.resize(rows_here * width, f64::NAN);
        for tile_col in 0..self.chunks_across {
            let index = chunk_row * self.chunks_across + tile_col;
            let index32 = u32::try_from(index)
                .map_err(|_| structure(&self.path, format!("chunk index {index} too large")))?;
            let result = self
                .decoder
                .read_chunk(index32)
                .map_err(|e| tiff_err(&self.path, e))?;
            let (dw, dh) = self.decoder.chunk_data_dimensions(index32);
            let (dw, dh) = (dw as usize, dh as usize);
            let values = to_f64(result);
            // Samples per pixel in this chunk: 1 for planar configuration 2.
            let spp = if self.planar { 1 } else { self.samples };
            if dh == 0 || values.len() < dh * dw * spp {
                return Err(structure(
                    &self.path,
                    format!(
                        "chunk {index} decoded to {} samples, expected {}×{}×{spp}",
                        values.len(),
                        dw,
                        dh
                    ),
                ));
            }
            let stride = values.len() / dh;
            let col0 = if self.tiled {
                tile_col * self.chunk_w
            } else {
                0
            };
            let ncols = dw.min(width - col0);
            for r in 0..dh.min(rows_here) {
                let dst = &mut data[r * width + col0..r * width + col0 + ncols];
                let src = &values[r * stride..];
                for (c, d) in dst.iter_mut().enumerate() {
                    *d = src[c * spp];
                }
            }
        }
        if let Some(nd) = self.nodata {
            if nd.is_nan() {
                // NaN is already NaN.
            } else {
                // Compare at the precision the file stores: f32 files hold nodata as f32.
                let nd32 = nd as f32 as f64;
                for v in &mut data {
                    if *v == nd || *v == nd32 {
                        *v = f64::NAN;
                    }
                }
            }
        }
        self.cache = Some((chunk_row, data));
        Ok(())
    }
}

fn to_f64(result: DecodingResult) -> Vec<f64> {
    fn conv<T: Copy + Into<f64>>(v: Vec<T>) -> Vec<f64> {
        v.into_iter().map(Into::into).collect()
    }
    match result {
        DecodingResult::U8(v) => conv(v),
        DecodingResult::U16(v) => conv(v),
        DecodingResult::U32(v) => conv(v),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f64).collect(),
        DecodingResult::F16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F32(v) => conv(v),
        DecodingResult::F64(v) => v,
        DecodingResult::I8(v) => conv(v),
        DecodingResult::I16(v) => conv(v),
        DecodingResult::I32(v) => conv(v),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f64).collect(),
    }
}

/// Checks that two rasters share one grid (size, transform and CRS).
///
/// # Errors
/// [`IoError::Structure`] naming both files and listing what differs.
pub fn check_same_grid(a: &GeoTiffReader, b: &GeoTiffReader) -> Result<(), IoError> {
    let diff = a.grid().differences(b.grid());
    if diff.is_empty() {
        Ok(())
    } else {
        Err(structure(
            a.path(),
            format!(
                "grid differs from {}: {} (expected the same size, transform and CRS; \
                 resample one raster onto the other's grid)",
                b.path().display(),
                diff.join("; ")
            ),
        ))
    }
}
