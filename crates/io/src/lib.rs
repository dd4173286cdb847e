//! File formats of fzc: everything that touches a path lives here.
//!
//! The compute crates (`fzc-ect-mrio`, `fzc-cssf-flow`, `fzc-zoning`, `fzc-pricing`) take
//! plain validated structs and do no file IO. This crate is the edge: it reads the input files
//! users have, checks them, and turns them into those structs; and it writes fzc's output
//! tables, atomically ([`write_atomically`]) and byte-for-byte reproducibly.
//!
//! **MRIO tables** (METHOD section 1), each format with a reference in `docs/formats/`:
//! - [`read_pymrio_folder`]: pymrio's `save_all` folder in txt layout (`pymrio-folder.md`);
//! - [`read_mrio_csv`]: fzc's long-format CSV set (`mrio-csv.md`);
//! - [`read_ceads_mat`]: the CEADs city MRIO MATLAB file, with our own parser of the
//!   MAT v5/v7 subset it needs ([`mat_v5`]), plus an emissions CSV (`ceads-mat.md`);
//! - [`read_eora26`] and [`read_gloria`]: Eora26 and GLORIA as their publishers ship them
//!   (`eora26.md`, `gloria.md`); [`read_ceads_xlsx`]: the CEADs provincial MRIO workbooks
//!   (`ceads-xlsx.md`); EXIOBASE 3 and OECD ICIO through [`read_mrio`];
//! - [`read_mrio`] dispatches on a [`MrioFormat`], detected from the path when not given.
//!
//! A large table takes seconds to read: [`read_mrio_with_progress`] (and
//! [`read_pymrio_folder_with_progress`], [`read_mrio_csv_with_progress`]) report the rows
//! read to a [`fzc_core::Progress`], one task per table file.
//!
//! Each returns an [`MrioData`]: the engine's `MrioTable` and every stressor row of the source
//! ([`StressorRow`]); [`MrioData::satellite`] picks one by name and checks its unit and values.
//! [`read_concordance`] reads a sector concordance (`concordance.md`);
//! [`write_ect_regions`] and [`write_ect_bilateral`] write the ECT accounts
//! (`ect-regions.md`, `ect-bilateral.md`).
//!
//! **Regions and rasters**: GeoJSON and Shapefile region polygons, GeoTIFF grids, and
//! reprojection between them with a [`ReprojectionEngine`]: proj4rs (pure Rust) by default,
//! PROJ 9.6 with the `proj` cargo feature (`docs/formats/regions.md`).
//!
//! The key design decision: every error is an [`IoError`] that names the file, the 1-based
//! line and the column, what was found and what was expected; and a label is never read as a
//! number (a region called `nan` stays a region, a value cell holding `nan` is an error).
//!
//! ```
//! use fzc_io::{MrioFormat, read_mrio};
//!
//! // A 1-region, 1-sector table as the long CSV set.
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("Z.csv"),
//!     "from_region,from_sector,to_region,to_sector,value\nnan,farming,nan,farming,20\n")?;
//! std::fs::write(dir.path().join("Y.csv"),
//!     "region,sector,demand_region,value\nnan,farming,nan,80\n")?;
//! std::fs::write(dir.path().join("emissions.csv"),
//!     "stressor,region,sector,value[Mt CO2]\nCO2,nan,farming,5\n")?;
//!
//! assert_eq!(MrioFormat::detect(dir.path())?, MrioFormat::Csv);
//! let data = read_mrio(dir.path(), None, &Default::default())?;
//! assert_eq!(data.table.regions[0].as_str(), "nan"); // a label, not a number
//! let co2 = data.satellite(None, "CO2")?;
//! assert_eq!(co2.unit, fzc_core::MassUnit::Megatonne);
//!
//! // A stressor that is not there: the error lists what is.
//! let err = data.satellite(None, "CH4").unwrap_err().to_string();
//! assert!(err.contains("not found") && err.contains("candidates: CO2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ---
//!
//! *The crate's README follows: an example, the units, and the setup (profile settings to
//! copy, features, minimum Rust version).*
#![doc = include_str!("../README.md")]

mod atomic;
mod ceads_mat;
mod ceads_xlsx;
mod concordance_csv;
mod csv_columns;
mod demand_tables;
mod ect_tables;
mod eora26;
mod error;
mod geojson_regions;
mod geotiff;
mod gloria;
mod headerless;
mod line_breaks;
pub mod mat_v5;
mod mat_v73;
mod mrio_csv;
mod mrio_data;
mod mrio_format;
mod number;
mod oecd_icio;
mod parquet_table;
mod pools;
mod pymrio_folder;
mod pymrio_source;
mod pymrio_txt;
mod region_balance;
mod region_major;
mod reproject;
mod shapefile_regions;
mod staged_dir;
mod xlsx;

pub use atomic::write_atomically;
pub use ceads_mat::{CEADS_SECTORS, read_ceads_mat};
pub use ceads_xlsx::read_ceads_xlsx;
pub use concordance_csv::{read_concordance, read_region_map};
pub use demand_tables::{read_census, read_region_emissions};
pub use ect_tables::{
    ECT_BILATERAL_HEADER, ECT_BILATERAL_LONG_HEADER, ECT_REGIONS_HEADER, ECT_REGIONS_LONG_HEADER,
    EctTable, LabelledAccounts, format_number, write_ect_bilateral, write_ect_bilateral_long,
    write_ect_bilateral_parquet, write_ect_regions, write_ect_regions_long,
    write_ect_regions_parquet,
};
pub use eora26::{read_eora26, read_eora26_with_progress};
pub use error::{IoError, Location};
pub use geojson_regions::{read_geojson_regions, read_regions};
pub use geotiff::{
    DEFAULT_MEMORY_BUDGET_MIB, GeoTiffReader, GeoTiffSampleType, GeoTiffWriteOptions,
    KNOWN_GEOGRAPHIC_EPSG, MAX_COMPRESSION_RATIO, MEMORY_BUDGET_ENV, check_budget, check_same_grid,
    known_geographic_list, memory_budget, parse_raster_crs, write_geotiff,
};
pub use gloria::{read_gloria, read_gloria_with_progress};
pub use line_breaks::{LineNumbers, UnixLines};
pub use mrio_csv::{
    read_carbon_coefficients, read_energy_satellite, read_mrio_csv, read_mrio_csv_with_progress,
};
pub use mrio_data::{MrioData, SelectedStressor, StressorRow, StressorSelection};
pub use mrio_format::{MrioFormat, SideFiles, read_mrio, read_mrio_with_progress};
pub use oecd_icio::{read_oecd_icio, read_oecd_icio_with_progress};
pub use parquet_table::{ParquetColumn, ParquetKind, ParquetTableWriter};
pub use pools::{read_carbon_pools, read_class_map, read_class_weights};
pub use pymrio_folder::{read_exiobase3, read_pymrio_folder, read_pymrio_folder_with_progress};
pub use region_balance::{RegionBalanceRow, read_region_balance};
pub use reproject::{
    ReprojectionEngine, Reprojector, WGS84_LONLAT, reproject_lonlat_to, reproject_lonlat_to_crs,
    reproject_lonlat_to_with,
};
pub use shapefile_regions::read_shapefile_regions;
pub use staged_dir::StagedDir;
