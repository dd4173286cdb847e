//! File formats of fzc: everything that touches a path lives here.
//!
//! (Crate essay and doctest: written with the readers, see issue 2.)

mod atomic;
mod ceads_mat;
mod concordance_csv;
mod csv_columns;
mod demand_tables;
mod ect_tables;
mod error;
mod geojson_regions;
mod geotiff;
pub mod mat_v5;
mod mrio_csv;
mod mrio_data;
mod mrio_format;
mod number;
mod pools;
mod pymrio_folder;
mod pymrio_txt;
mod region_balance;
mod region_major;
mod reproject;

pub use atomic::write_atomically;
pub use ceads_mat::{CEADS_SECTORS, read_ceads_mat};
pub use concordance_csv::read_concordance;
pub use demand_tables::{read_census, read_region_emissions};
pub use ect_tables::{
    ECT_BILATERAL_HEADER, ECT_REGIONS_HEADER, format_number, write_ect_bilateral, write_ect_regions,
};
pub use error::{IoError, Location};
pub use geojson_regions::read_geojson_regions;
pub use geotiff::{
    GeoTiffReader, GeoTiffSampleType, GeoTiffWriteOptions, check_same_grid, write_geotiff,
};
pub use mrio_csv::read_mrio_csv;
pub use mrio_data::{MrioData, StressorRow};
pub use mrio_format::{MrioFormat, read_mrio};
pub use pools::{read_carbon_pools, read_class_map, read_class_weights};
pub use pymrio_folder::read_pymrio_folder;
pub use region_balance::{RegionBalanceRow, read_region_balance};
pub use reproject::reproject_lonlat_to;
