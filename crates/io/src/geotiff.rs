//! GeoTIFF in pure Rust: a streaming reader of single-band rasters and a DEFLATE writer.
//!
//! The reader ([`GeoTiffReader`]) takes strips or tiles, compressed with none, DEFLATE, LZW or
//! ZSTD, with predictors 2 (horizontal) or 3 (floating point), of u8/i8/u16/i16/u32/i32/f32/f64
//! samples. It reads the georeferencing itself (ModelPixelScale + ModelTiepoint, or a
//! rotation-free ModelTransformation; the GeoKeyDirectory for the EPSG code, or a CRS the
//! caller names where the keys give none, see [`parse_raster_crs`]; GDAL_NODATA) and
//! hands out rows in windows, decoding one row of strips or tiles at a time, so memory stays
//! at one chunk row whatever the raster size. Only band 1 is read (planar configuration 1 or
//! 2; with configuration 2 chunks are read one by one, never through the whole-image path).
//!
//! The writer ([`write_geotiff`]) writes a stripped DEFLATE f32 or f64 GeoTIFF with
//! GDAL_NODATA and EPSG GeoKeys, pulling rows from a callback so that it streams too.

mod geokeys;
mod read;
mod write;

pub use geokeys::{KNOWN_GEOGRAPHIC_EPSG, known_geographic_list, parse_raster_crs};
pub use read::{
    DEFAULT_MEMORY_BUDGET_MIB, GeoTiffReader, MAX_COMPRESSION_RATIO, MEMORY_BUDGET_ENV,
    check_budget, check_same_grid, memory_budget,
};
pub use write::{GeoTiffSampleType, GeoTiffWriteOptions, write_geotiff};
