//! The C ABI itself: symbols, the function table, and the plain `#[repr(C)]` data that
//! crosses the boundary.
//!
//! Rules every field follows:
//! - only fixed-layout types: `u8`, `u32`, `i32`, `usize`, `f64`, raw pointers, and
//!   `Option<unsafe extern "C" fn>` (a nullable function pointer);
//! - text is UTF-8 as pointer + length ([`FzcStr`]), never NUL-terminated;
//! - optional per-region slices are null pointers when absent;
//! - outputs are allocated by the caller (the host): the plugin writes into them and reports
//!   how many entries it wrote, so the host can check every length;
//! - enumerations are `u32` constants, never Rust `enum`s (a value the other side does not
//!   know must not be undefined behaviour).

use std::ffi::c_void;

/// The ABI version this crate speaks. A plugin exports it through [`ABI_VERSION_SYMBOL`];
/// the host refuses any other value before it looks at anything else.
///
/// Versioning rule: appending a field at the end of [`FzcPluginTable`] (guarded by
/// `struct_size`) or of an input struct does **not** change the version; changing, removing or
/// reordering a field, or changing a meaning, does.
pub const FZC_PLUGIN_ABI_VERSION: u32 = 1;

/// Name of the exported `extern "C" fn() -> u32` returning the plugin's ABI version
/// (NUL-terminated for `dlsym`).
pub const ABI_VERSION_SYMBOL: &[u8] = b"fzc_plugin_abi_version\0";

/// Name of the exported `extern "C" fn() -> *const FzcPluginTable` (NUL-terminated).
pub const ENTRY_SYMBOL: &[u8] = b"fzc_plugin_entry\0";

/// Type of the [`ABI_VERSION_SYMBOL`] function.
pub type AbiVersionFn = unsafe extern "C" fn() -> u32;

/// Type of the [`ENTRY_SYMBOL`] function. Returns null if the plugin failed to build its
/// table (it caught a panic).
pub type EntryFn = unsafe extern "C" fn() -> *const FzcPluginTable;

/// Kind code: the plugin implements `fzc_core::PricingScheme` (fills `price`).
pub const KIND_PRICING_SCHEME: u32 = 1;
/// Kind code: the plugin implements `fzc_core::FlowModel` (fills `flows`).
pub const KIND_FLOW_MODEL: u32 = 2;
/// Kind code: the plugin implements `fzc_core::DemandEstimator` (fills `demand_scaling` and
/// `demand_pixels`).
pub const KIND_DEMAND_ESTIMATOR: u32 = 3;

/// Demand scaling code: pixel values are persons.
pub const SCALING_AS_IS: u32 = 0;
/// Demand scaling code: pixel values are weights rescaled to each region's census total.
pub const SCALING_TO_REGION_TOTAL: u32 = 1;
/// Returned by `demand_scaling` when the plugin panicked.
pub const SCALING_FAILED: u32 = u32::MAX;

/// Demand zone code: agricultural land.
pub const ZONE_AGRICULTURAL: u32 = 0;
/// Demand zone code: urban.
pub const ZONE_URBAN: u32 = 1;
/// Demand zone code: rural.
pub const ZONE_RURAL: u32 = 2;

/// Status: success; outputs are written.
pub const STATUS_OK: i32 = 0;
/// Status: the plugin's own code reported an error; the message buffer says which.
pub const STATUS_ERROR: i32 = 1;
/// Status: the plugin's code panicked; the panic was caught and its message is in the buffer.
pub const STATUS_PANIC: i32 = 2;
/// Status: the input the host passed was malformed (bad UTF-8, out-of-range index, ...).
pub const STATUS_INVALID_INPUT: i32 = 3;
/// Status: an output buffer was too small; the `*_needed` field says how large it must be.
pub const STATUS_BUFFER_TOO_SMALL: i32 = 4;

/// Layer code of a pricing flow: embodied carbon transfer.
pub const LAYER_ECT: u32 = 0;
/// Layer code of a pricing flow: carbon sequestration service flow.
pub const LAYER_CSSF: u32 = 1;
/// Layer code of a pricing flow: the combined account.
pub const LAYER_COMBINED: u32 = 2;

/// A borrowed UTF-8 string: pointer and length in bytes. Not NUL-terminated.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcStr {
    /// First byte; may be dangling when `len == 0`.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl FzcStr {
    /// Borrows `text` (the caller keeps it alive while the `FzcStr` is in use).
    pub const fn new(text: &str) -> Self {
        Self {
            ptr: text.as_ptr(),
            len: text.len(),
        }
    }

    /// The text, if it is valid UTF-8.
    ///
    /// # Errors
    /// A message when the bytes are not UTF-8 or the pointer is null with a non-zero length.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that stay alive and unchanged for `'a`.
    pub unsafe fn to_str<'a>(self) -> Result<&'a str, String> {
        if self.len == 0 {
            return Ok("");
        }
        if self.ptr.is_null() {
            return Err(format!("null string pointer with length {}", self.len));
        }
        // SAFETY: the caller guarantees `len` readable bytes at `ptr` for `'a`.
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.len) };
        std::str::from_utf8(bytes).map_err(|e| format!("string is not UTF-8: {e}"))
    }
}

/// A caller-allocated buffer the plugin writes an error message into (UTF-8, truncated at a
/// character boundary to `cap` bytes).
#[repr(C)]
#[derive(Debug)]
pub struct FzcErrorBuf {
    /// Start of the buffer.
    pub ptr: *mut u8,
    /// Capacity in bytes.
    pub cap: usize,
    /// Bytes written.
    pub len: usize,
}

/// One declared parameter of a plugin.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcParamDecl {
    /// Parameter name, e.g. `share`.
    pub name: FzcStr,
    /// Default value as text (meaningful when `has_default != 0`).
    pub default_value: FzcStr,
    /// Non-zero when the parameter has a default and may be omitted.
    pub has_default: u8,
    /// One line for `fzc plugins info`, with the unit.
    pub description: FzcStr,
}

/// One parameter value passed to `create`: name and value as text.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcParam {
    /// Parameter name.
    pub name: FzcStr,
    /// Value as text (numbers in Rust's shortest round-trip form).
    pub value: FzcStr,
}

/// `create`: builds an instance from every parameter (defaults already filled in by the
/// host). On success writes the instance pointer to `out`.
pub type CreateFn = unsafe extern "C" fn(
    params: *const FzcParam,
    params_len: usize,
    out: *mut *mut c_void,
    err: *mut FzcErrorBuf,
) -> i32;

/// `destroy`: drops an instance made by `create`.
pub type DestroyFn = unsafe extern "C" fn(instance: *mut c_void);

/// `price`: a pricing scheme's `PricingScheme::price`.
pub type PriceFn = unsafe extern "C" fn(
    instance: *const c_void,
    input: *const FzcPricingInput,
    output: *mut FzcPricingOutput,
    err: *mut FzcErrorBuf,
) -> i32;

/// `flows`: a flow model's `FlowModel::flows`.
pub type FlowsFn = unsafe extern "C" fn(
    instance: *const c_void,
    input: *const FzcFlowInput,
    output: *mut FzcFlowOutput,
    err: *mut FzcErrorBuf,
) -> i32;

/// `demand_scaling`: a demand estimator's `DemandEstimator::scaling`, as a `SCALING_*` code
/// ([`SCALING_FAILED`] if it panicked).
pub type DemandScalingFn = unsafe extern "C" fn(instance: *const c_void) -> u32;

/// `demand_pixels`: a demand estimator's `pixel_population` and `zone` for `n` pixels. Writes
/// `n` entries to each output: `has_population[i]` 0 for no data, else `population[i]`; and
/// `zones[i]`, a `ZONE_*` code.
pub type DemandPixelsFn = unsafe extern "C" fn(
    instance: *const c_void,
    pixels: *const FzcDemandPixel,
    n: usize,
    population: *mut f64,
    has_population: *mut u8,
    zones: *mut u32,
    err: *mut FzcErrorBuf,
) -> i32;

/// What a demand estimator knows about one pixel (see `fzc_core::DemandPixel`); NaN = no data.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FzcDemandPixel {
    /// Population raster value (count or density), or NaN.
    pub population: f64,
    /// Land-use class code, or NaN.
    pub land_class: f64,
    /// Urban mask (or night-light) value, or NaN.
    pub urban: f64,
    /// Pixel area, km².
    pub area_km2: f64,
}

/// The function table a plugin's [`ENTRY_SYMBOL`] returns. It lives as long as the library.
///
/// `struct_size` comes first and is the size the plugin was built with: the host reads a
/// field only if it lies within `struct_size`, so fields may be appended without a new ABI
/// version.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcPluginTable {
    /// `size_of::<FzcPluginTable>()` as the plugin was compiled.
    pub struct_size: usize,
    /// Must equal [`FZC_PLUGIN_ABI_VERSION`].
    pub abi_version: u32,
    /// One of the `KIND_*` codes.
    pub kind: u32,
    /// The plugin's name (the trait's `name()`), e.g. `gdp-cap`.
    pub name: FzcStr,
    /// The plugin crate's own version.
    pub version: FzcStr,
    /// One paragraph: what it computes.
    pub description: FzcStr,
    /// Declared parameters.
    pub params: *const FzcParamDecl,
    /// Number of declared parameters.
    pub params_len: usize,
    /// Builds an instance.
    pub create: CreateFn,
    /// Drops an instance.
    pub destroy: DestroyFn,
    /// Set for [`KIND_PRICING_SCHEME`].
    pub price: Option<PriceFn>,
    /// Set for [`KIND_FLOW_MODEL`].
    pub flows: Option<FlowsFn>,
    /// Set for [`KIND_DEMAND_ESTIMATOR`].
    pub demand_scaling: Option<DemandScalingFn>,
    /// Set for [`KIND_DEMAND_ESTIMATOR`].
    pub demand_pixels: Option<DemandPixelsFn>,
}

/// The smallest `struct_size` a host of this version accepts: every field of ABI 1.
pub const MIN_TABLE_SIZE: usize = std::mem::size_of::<FzcPluginTable>();

/// One flow of tonnes to price (see `fzc_core::PricingFlow`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcPricingFlow {
    /// Index of the paying region.
    pub payer: usize,
    /// Index of the region paid.
    pub payee: usize,
    /// One of the `LAYER_*` codes.
    pub layer: u32,
    /// Tonnes owed, t CO2.
    pub tonnes_t: f64,
}

/// Input of `price` (see `fzc_core::PricingInput`). Every per-region array has
/// `n_regions` entries; optional ones are null when absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcPricingInput {
    /// `size_of::<FzcPricingInput>()` as the host was compiled.
    pub struct_size: usize,
    /// Carbon price `P`, yuan/t.
    pub price_yuan_per_t: f64,
    /// Number of regions.
    pub n_regions: usize,
    /// Region ids.
    pub region_ids: *const FzcStr,
    /// Standards `P · γ_i`, yuan/t.
    pub standards_yuan_per_t: *const f64,
    /// Benchmarks `L_i`, t CO2.
    pub benchmarks_t: *const f64,
    /// Population, persons; null when unknown.
    pub population_persons: *const f64,
    /// GDP, yuan; null when unknown.
    pub gdp_yuan: *const f64,
    /// The flows.
    pub flows: *const FzcPricingFlow,
    /// Number of flows.
    pub n_flows: usize,
}

/// Caller-allocated output of `price`.
#[repr(C)]
#[derive(Debug)]
pub struct FzcPricingOutput {
    /// `n_regions` slots for the signed region amounts, yuan (`> 0` pays).
    pub region_amounts_yuan: *mut f64,
    /// Capacity of `region_amounts_yuan`.
    pub region_amounts_cap: usize,
    /// Written by the plugin: how many region amounts it produced.
    pub region_amounts_len: usize,
    /// `n_flows` slots for each flow's standard, yuan/t.
    pub flow_standards_yuan_per_t: *mut f64,
    /// `n_flows` slots for each flow's amount, yuan.
    pub flow_amounts_yuan: *mut f64,
    /// Capacity of the two flow arrays.
    pub flow_prices_cap: usize,
    /// Written by the plugin: how many flow prices it produced.
    pub flow_prices_len: usize,
    /// Written by the plugin: 1 if it prices flows, 0 if it prices regions only (Eq 17).
    pub has_flow_prices: u8,
}

/// A position, degrees (WGS84 longitude east, latitude north).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FzcLonLat {
    /// Longitude, degrees east.
    pub lon_deg: f64,
    /// Latitude, degrees north.
    pub lat_deg: f64,
}

/// A ring: a run of `points_len` positions starting at `points_start` in the point array.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcRing {
    /// Index of the first point.
    pub points_start: usize,
    /// Number of points.
    pub points_len: usize,
}

/// A polygon part: a run of rings; the first is the exterior, the rest are holes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcPart {
    /// Index of the first ring.
    pub rings_start: usize,
    /// Number of rings (≥ 1).
    pub rings_len: usize,
}

/// One region of a flow model's input (see `fzc_core::FlowRegion`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcFlowRegion {
    /// Region id.
    pub id: FzcStr,
    /// Supply, t.
    pub supply_t: f64,
    /// Demand, t CO2.
    pub demand_t: f64,
    /// Non-zero when `given_core` is set.
    pub has_given_core: u8,
    /// The given core, degrees.
    pub given_core: FzcLonLat,
    /// Index of the first part.
    pub parts_start: usize,
    /// Number of parts.
    pub parts_len: usize,
}

/// Input of `flows`: regions whose shapes index into flat part, ring and point arrays.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FzcFlowInput {
    /// `size_of::<FzcFlowInput>()` as the host was compiled.
    pub struct_size: usize,
    /// Regions.
    pub regions: *const FzcFlowRegion,
    /// Number of regions.
    pub n_regions: usize,
    /// Parts of all regions.
    pub parts: *const FzcPart,
    /// Number of parts.
    pub n_parts: usize,
    /// Rings of all parts.
    pub rings: *const FzcRing,
    /// Number of rings.
    pub n_rings: usize,
    /// Points of all rings.
    pub points: *const FzcLonLat,
    /// Number of points.
    pub n_points: usize,
}

/// One flow of a flow model's output (see `fzc_core::RegionFlow`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FzcRegionFlow {
    /// Index of the output region.
    pub from: usize,
    /// Index of the input region.
    pub to: usize,
    /// Core distance, km.
    pub distance_km: f64,
    /// Flow range, km.
    pub range_km: f64,
    /// Flow area, km².
    pub area_km2: f64,
    /// Intensity, t/km².
    pub intensity_t_per_km2: f64,
    /// Transfer, t.
    pub transfer_t: f64,
}

/// Caller-allocated output of `flows`.
#[repr(C)]
#[derive(Debug)]
pub struct FzcFlowOutput {
    /// `n_regions` slots for the cores.
    pub cores: *mut FzcLonLat,
    /// Capacity of `cores`.
    pub cores_cap: usize,
    /// Written: cores produced.
    pub cores_len: usize,
    /// Slots for flows (the host offers `n·(n−1)`, every ordered pair).
    pub flows: *mut FzcRegionFlow,
    /// Capacity of `flows`.
    pub flows_cap: usize,
    /// Written: flows produced (at most `flows_cap`).
    pub flows_len: usize,
    /// Written with [`STATUS_BUFFER_TOO_SMALL`]: the capacity needed.
    pub flows_needed: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_nul_terminated_and_table_starts_with_its_size() {
        assert_eq!(ABI_VERSION_SYMBOL.last(), Some(&0));
        assert_eq!(ENTRY_SYMBOL.last(), Some(&0));
        assert_eq!(std::mem::offset_of!(FzcPluginTable, struct_size), 0);
        assert_eq!(std::mem::offset_of!(FzcPricingInput, struct_size), 0);
        assert_eq!(std::mem::offset_of!(FzcFlowInput, struct_size), 0);
    }

    #[test]
    fn fzc_str_round_trips_and_rejects_bad_utf8() {
        let s = FzcStr::new("tangshan");
        assert_eq!(unsafe { s.to_str() }.unwrap(), "tangshan");
        let bad = [0xffu8, 0xfe];
        let s = FzcStr {
            ptr: bad.as_ptr(),
            len: 2,
        };
        assert!(unsafe { s.to_str() }.unwrap_err().contains("UTF-8"));
        let null = FzcStr {
            ptr: std::ptr::null(),
            len: 3,
        };
        assert!(unsafe { null.to_str() }.is_err());
    }
}
