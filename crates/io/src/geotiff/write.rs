//! The streaming GeoTIFF writer.

use std::io::{BufWriter, Seek, Write};
use std::path::Path;

use flate2::write::ZlibEncoder;
use fzc_core::RasterGrid;
use tiff::encoder::TiffEncoder;
use tiff::tags::Tag;

use super::geokeys;
use crate::{IoError, Location};

/// The sample type of a written GeoTIFF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeoTiffSampleType {
    /// 32-bit float (about 7 significant digits; half the size).
    F32,
    /// 64-bit float.
    #[default]
    F64,
}

/// How [`write_geotiff`] writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoTiffWriteOptions {
    /// Sample type.
    pub sample_type: GeoTiffSampleType,
    /// The value written for NaN pixels, declared in GDAL_NODATA.
    pub nodata: f64,
    /// Rows per DEFLATE strip (also the number of rows asked from the callback at a time).
    pub rows_per_strip: usize,
}

impl Default for GeoTiffWriteOptions {
    fn default() -> Self {
        Self {
            sample_type: GeoTiffSampleType::F64,
            nodata: -9999.0,
            rows_per_strip: 16,
        }
    }
}

/// Writes a single-band, stripped, DEFLATE-compressed GeoTIFF on `grid`, atomically (a
/// temporary file beside `path`, renamed over it when complete).
///
/// `fill(row0, rows, buf)` must fill `buf` (already sized `rows × width`) with the values of
/// rows `row0 .. row0 + rows`; NaN is written as `options.nodata`. Rows are asked for top to
/// bottom, `options.rows_per_strip` at a time, so memory stays at one strip.
///
/// # Errors
/// [`IoError::Os`] on any write failure, [`IoError::Structure`] for an empty grid or a CRS
/// that cannot be written, and whatever `fill` returns.
pub fn write_geotiff<E: From<IoError>>(
    path: &Path,
    grid: &RasterGrid,
    options: &GeoTiffWriteOptions,
    mut fill: impl FnMut(usize, usize, &mut [f64]) -> Result<(), E>,
) -> Result<(), E> {
    let at = || Location::file(path);
    if grid.is_empty() {
        return Err(IoError::structure(at(), "cannot write a raster with no pixel").into());
    }
    let keys = geokeys::key_directory_for(grid.crs).map_err(|m| IoError::structure(at(), m))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let os = |e: std::io::Error| IoError::os(path, e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(os)?;
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        encode(path, &mut out, grid, options, &keys, &mut fill)?;
        out.flush().map_err(os)?;
    }
    tmp.as_file().sync_all().map_err(os)?;
    tmp.persist(path).map_err(|e| os(e.error))?;
    Ok(())
}

fn encode<W, E>(
    path: &Path,
    out: &mut W,
    grid: &RasterGrid,
    options: &GeoTiffWriteOptions,
    keys: &[u16],
    fill: &mut impl FnMut(usize, usize, &mut [f64]) -> Result<(), E>,
) -> Result<(), E>
where
    W: Write + Seek,
    E: From<IoError>,
{
    let tiff_err = |e: tiff::TiffError| -> E {
        IoError::structure(Location::file(path), format!("TIFF encoder: {e}")).into()
    };
    let too_large = |what: &str| -> E {
        IoError::structure(Location::file(path), format!("{what} too large for a TIFF")).into()
    };
    let width = u32::try_from(grid.width).map_err(|_| too_large("width"))?;
    let height = u32::try_from(grid.height).map_err(|_| too_large("height"))?;
    let rows_per_strip = options.rows_per_strip.clamp(1, grid.height);
    let (bits, bytes_per_sample): (u16, usize) = match options.sample_type {
        GeoTiffSampleType::F32 => (32, 4),
        GeoTiffSampleType::F64 => (64, 8),
    };
    let mut encoder = TiffEncoder::new(out).map_err(tiff_err)?;
    let mut dir = encoder.image_directory().map_err(tiff_err)?;
    let mut offsets: Vec<u32> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut buf = vec![0.0; rows_per_strip * grid.width];
    let mut raw: Vec<u8> = Vec::with_capacity(rows_per_strip * grid.width * bytes_per_sample);
    let mut row0 = 0;
    while row0 < grid.height {
        let rows = rows_per_strip.min(grid.height - row0);
        let values = &mut buf[..rows * grid.width];
        fill(row0, rows, values)?;
        raw.clear();
        for &v in values.iter() {
            let v = if v.is_nan() { options.nodata } else { v };
            match options.sample_type {
                GeoTiffSampleType::F32 => raw.extend_from_slice(&(v as f32).to_ne_bytes()),
                GeoTiffSampleType::F64 => raw.extend_from_slice(&v.to_ne_bytes()),
            }
        }
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&raw).map_err(|e| IoError::os(path, e))?;
        let compressed = z.finish().map_err(|e| IoError::os(path, e))?;
        let offset = dir.write_data(&compressed[..]).map_err(tiff_err)?;
        offsets.push(u32::try_from(offset).map_err(|_| too_large("file (over 4 GiB)"))?);
        counts.push(u32::try_from(compressed.len()).map_err(|_| too_large("strip"))?);
        row0 += rows;
    }
    let t = grid.transform;
    let nodata = format_nodata(options.nodata);
    dir_tags(&mut dir, width, height, bits, rows_per_strip as u32).map_err(tiff_err)?;
    dir.write_tag(Tag::StripOffsets, &offsets[..])
        .map_err(tiff_err)?;
    dir.write_tag(Tag::StripByteCounts, &counts[..])
        .map_err(tiff_err)?;
    dir.write_tag(Tag::ModelPixelScaleTag, &[t.dx, -t.dy, 0.0][..])
        .map_err(tiff_err)?;
    dir.write_tag(Tag::ModelTiepointTag, &[0.0, 0.0, 0.0, t.x0, t.y0, 0.0][..])
        .map_err(tiff_err)?;
    dir.write_tag(Tag::GeoKeyDirectoryTag, keys)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::GdalNodata, nodata.as_str())
        .map_err(tiff_err)?;
    dir.finish().map_err(tiff_err)?;
    Ok(())
}

fn dir_tags<W: Write + Seek>(
    dir: &mut tiff::encoder::DirectoryEncoder<'_, W, tiff::encoder::TiffKindStandard>,
    width: u32,
    height: u32,
    bits: u16,
    rows_per_strip: u32,
) -> tiff::TiffResult<()> {
    dir.write_tag(Tag::ImageWidth, width)?;
    dir.write_tag(Tag::ImageLength, height)?;
    dir.write_tag(Tag::BitsPerSample, bits)?;
    // 8 = Adobe DEFLATE (zlib stream), what GDAL writes for COMPRESS=DEFLATE.
    dir.write_tag(Tag::Compression, 8u16)?;
    // 1 = BlackIsZero (grey).
    dir.write_tag(Tag::PhotometricInterpretation, 1u16)?;
    dir.write_tag(Tag::SamplesPerPixel, 1u16)?;
    dir.write_tag(Tag::RowsPerStrip, rows_per_strip)?;
    dir.write_tag(Tag::PlanarConfiguration, 1u16)?;
    // 3 = IEEE floating point.
    dir.write_tag(Tag::SampleFormat, 3u16)?;
    Ok(())
}

/// GDAL_NODATA text: integers without a fraction, other values with round-trip precision.
fn format_nodata(v: f64) -> String {
    if v.is_nan() {
        "nan".to_owned()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:?}")
    }
}
