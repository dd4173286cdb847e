//! The plugin side of the ABI: a function table built from a type that implements
//! [`Plugin`] and one of the `fzc-core` traits. Use the macros
//! ([`crate::export_pricing_scheme!`], [`crate::export_flow_model!`]) rather than this module
//! directly.
//!
//! Every `extern "C"` function here runs its body inside `catch_unwind`: a panic in the
//! author's code becomes [`STATUS_PANIC`] with the panic message, never an unwind across the
//! boundary (which would abort the host: each `cdylib` has its own copy of std).

use std::any::Any;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use fzc_core::{
    DemandEstimator, DemandPixel, DemandZone, FlowModel, PopulationScaling, PricingScheme,
};

use crate::abi::{
    FZC_PLUGIN_ABI_VERSION, FzcDemandPixel, FzcErrorBuf, FzcFlowInput, FzcFlowOutput, FzcLonLat,
    FzcParam, FzcParamDecl, FzcPluginTable, FzcPricingInput, FzcPricingOutput, FzcRegionFlow,
    FzcStr, KIND_DEMAND_ESTIMATOR, KIND_FLOW_MODEL, KIND_PRICING_SCHEME, SCALING_AS_IS,
    SCALING_FAILED, SCALING_TO_REGION_TOTAL, STATUS_BUFFER_TOO_SMALL, STATUS_ERROR,
    STATUS_INVALID_INPUT, STATUS_OK, STATUS_PANIC, ZONE_AGRICULTURAL, ZONE_RURAL, ZONE_URBAN,
};
use crate::marshal::{OwnedPricingInput, flow_regions_from_abi};
use crate::params::{ParamSpec, Params};

/// What every exported plugin type provides besides its `fzc-core` trait: a description,
/// its declared parameters, and a constructor from them.
pub trait Plugin: Sized + Send + Sync + 'static {
    /// The stable name, which the trait's `name()` must also return (e.g. `gdp-cap`).
    const NAME: &'static str;
    /// One paragraph for `fzc plugins info`: what the plugin computes.
    const DESCRIPTION: &'static str;
    /// The parameters the scenario may (or, without a default, must) set.
    const PARAMETERS: &'static [ParamSpec];

    /// Builds the plugin from its parameters (every declared one is present: the host fills
    /// in defaults and refuses missing ones).
    ///
    /// # Errors
    /// A message naming the parameter that is unusable and what would be right.
    fn from_params(params: &Params) -> Result<Self, String>;
}

/// The table and the storage it points into. Built once per library.
#[derive(Debug)]
pub struct TableHolder {
    table: FzcPluginTable,
    _decls: Vec<FzcParamDecl>,
}

// SAFETY: the table's pointers refer to `'static` strings and to `_decls`, which is never
// mutated after construction; everything is read-only.
unsafe impl Send for TableHolder {}
// SAFETY: as above.
unsafe impl Sync for TableHolder {}

impl TableHolder {
    fn new<T: Plugin>(kind: u32, version: &'static str) -> Self {
        let decls: Vec<FzcParamDecl> = T::PARAMETERS
            .iter()
            .map(|p| FzcParamDecl {
                name: FzcStr::new(p.name),
                default_value: FzcStr::new(p.default.unwrap_or("")),
                has_default: u8::from(p.default.is_some()),
                description: FzcStr::new(p.description),
            })
            .collect();
        let table = FzcPluginTable {
            struct_size: std::mem::size_of::<FzcPluginTable>(),
            abi_version: FZC_PLUGIN_ABI_VERSION,
            kind,
            name: FzcStr::new(T::NAME),
            version: FzcStr::new(version),
            description: FzcStr::new(T::DESCRIPTION),
            params: decls.as_ptr(),
            params_len: decls.len(),
            create: create::<T>,
            destroy: destroy::<T>,
            price: None,
            flows: None,
            demand_scaling: None,
            demand_pixels: None,
        };
        Self {
            table,
            _decls: decls,
        }
    }

    /// The table of a pricing scheme plugin; `version` is the plugin crate's version.
    pub fn pricing_scheme<T: Plugin + PricingScheme>(version: &'static str) -> Self {
        let mut holder = Self::new::<T>(KIND_PRICING_SCHEME, version);
        holder.table.price = Some(price::<T>);
        holder
    }

    /// The table of a flow model plugin; `version` is the plugin crate's version.
    pub fn flow_model<T: Plugin + FlowModel>(version: &'static str) -> Self {
        let mut holder = Self::new::<T>(KIND_FLOW_MODEL, version);
        holder.table.flows = Some(flows::<T>);
        holder
    }
}

impl TableHolder {
    /// The table of a demand estimator plugin; `version` is the plugin crate's version.
    pub fn demand_estimator<T: Plugin + DemandEstimator>(version: &'static str) -> Self {
        let mut holder = Self::new::<T>(KIND_DEMAND_ESTIMATOR, version);
        holder.table.demand_scaling = Some(demand_scaling::<T>);
        holder.table.demand_pixels = Some(demand_pixels::<T>);
        holder
    }
}

/// The body of the exported entry function: builds the table once, returns null if that
/// panicked.
pub fn entry(
    cell: &'static OnceLock<TableHolder>,
    build: fn() -> TableHolder,
) -> *const FzcPluginTable {
    catch_unwind(|| &cell.get_or_init(build).table as *const FzcPluginTable)
        .unwrap_or(std::ptr::null())
}

/// The panic payload as text.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}

/// Writes `message` into the caller's buffer, truncated at a character boundary.
///
/// # Safety
/// `err` is null or points to a valid [`FzcErrorBuf`] whose `ptr` has `cap` writable bytes.
pub unsafe fn write_error(err: *mut FzcErrorBuf, message: &str) {
    // SAFETY: the caller guarantees `err` is null or valid.
    let Some(err) = (unsafe { err.as_mut() }) else {
        return;
    };
    if err.ptr.is_null() {
        err.len = 0;
        return;
    }
    let mut len = message.len().min(err.cap);
    while !message.is_char_boundary(len) {
        len -= 1;
    }
    // SAFETY: `len ≤ cap` bytes are writable at `ptr`; the regions cannot overlap (the
    // message is the plugin's own string).
    unsafe { std::ptr::copy_nonoverlapping(message.as_ptr(), err.ptr, len) };
    err.len = len;
}

/// Runs `body`, turning an `Err` into [`STATUS_ERROR`]/[`STATUS_INVALID_INPUT`] and a panic
/// into [`STATUS_PANIC`], each with its message in `err`.
fn guarded(err: *mut FzcErrorBuf, body: impl FnOnce() -> Result<i32, (i32, String)>) -> i32 {
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => return status,
        Ok(Err((status, message))) => (status, message),
        Err(payload) => (
            STATUS_PANIC,
            format!("panicked: {}", panic_message(payload.as_ref())),
        ),
    };
    // The message write cannot panic, but stay inside a guard anyway.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host passes a valid error buffer or null.
        unsafe { write_error(err, &message) }
    }));
    status
}

unsafe extern "C" fn create<T: Plugin>(
    params: *const FzcParam,
    params_len: usize,
    out: *mut *mut c_void,
    err: *mut FzcErrorBuf,
) -> i32 {
    guarded(err, || {
        if out.is_null() {
            return Err((STATUS_INVALID_INPUT, "null output pointer".to_owned()));
        }
        let given: &[FzcParam] = if params_len == 0 {
            &[]
        } else if params.is_null() {
            return Err((STATUS_INVALID_INPUT, "null parameter array".to_owned()));
        } else {
            // SAFETY: the host passes `params_len` parameters.
            unsafe { std::slice::from_raw_parts(params, params_len) }
        };
        let mut pairs = Vec::with_capacity(given.len());
        for p in given {
            // SAFETY: the host's strings live for the call.
            let name = unsafe { p.name.to_str() }.map_err(|e| (STATUS_INVALID_INPUT, e))?;
            // SAFETY: as above.
            let value = unsafe { p.value.to_str() }.map_err(|e| (STATUS_INVALID_INPUT, e))?;
            pairs.push((name, value));
        }
        let instance = T::from_params(&Params::new(pairs)).map_err(|e| (STATUS_ERROR, e))?;
        let raw = Box::into_raw(Box::new(instance)).cast::<c_void>();
        // SAFETY: `out` is non-null and the host passes a writable slot.
        unsafe { out.write(raw) };
        Ok(STATUS_OK)
    })
}

unsafe extern "C" fn destroy<T: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `instance` came from `create::<T>` and is destroyed once.
        drop(unsafe { Box::from_raw(instance.cast::<T>()) });
    }));
}

/// Copies `values` into a caller buffer of `cap` slots; returns how many were produced (which
/// may exceed `cap`; only `cap` are written).
///
/// # Safety
/// `ptr` is null or has `cap` writable slots.
unsafe fn fill<T: Copy>(
    ptr: *mut T,
    cap: usize,
    values: impl ExactSizeIterator<Item = T>,
) -> usize {
    let produced = values.len();
    if !ptr.is_null() {
        for (i, v) in values.take(cap).enumerate() {
            // SAFETY: `i < cap`.
            unsafe { ptr.add(i).write(v) };
        }
    }
    produced
}

unsafe extern "C" fn price<T: Plugin + PricingScheme>(
    instance: *const c_void,
    input: *const FzcPricingInput,
    output: *mut FzcPricingOutput,
    err: *mut FzcErrorBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: `instance` came from `create::<T>`; the host passes valid input/output.
        let (scheme, input, output) = unsafe {
            match (
                instance.cast::<T>().as_ref(),
                input.as_ref(),
                output.as_mut(),
            ) {
                (Some(s), Some(i), Some(o)) => (s, i, o),
                _ => return Err((STATUS_INVALID_INPUT, "null argument".to_owned())),
            }
        };
        // SAFETY: the host's arrays match their length fields.
        let owned =
            unsafe { OwnedPricingInput::from_abi(input) }.map_err(|e| (STATUS_INVALID_INPUT, e))?;
        let priced = scheme
            .price(&owned.as_input())
            .map_err(|e| (STATUS_ERROR, e.to_string()))?;
        // SAFETY (three fills): the host allocated `cap` slots for each array.
        output.region_amounts_len = unsafe {
            fill(
                output.region_amounts_yuan,
                output.region_amounts_cap,
                priced.region_amounts.iter().map(|a| a.0),
            )
        };
        match &priced.flow_prices {
            Some(prices) => {
                output.has_flow_prices = 1;
                output.flow_prices_len = unsafe {
                    fill(
                        output.flow_standards_yuan_per_t,
                        output.flow_prices_cap,
                        prices.iter().map(|p| p.standard.0),
                    )
                };
                unsafe {
                    fill(
                        output.flow_amounts_yuan,
                        output.flow_prices_cap,
                        prices.iter().map(|p| p.amount.0),
                    )
                };
            }
            None => {
                output.has_flow_prices = 0;
                output.flow_prices_len = 0;
            }
        }
        Ok(STATUS_OK)
    })
}

unsafe extern "C" fn flows<T: Plugin + FlowModel>(
    instance: *const c_void,
    input: *const FzcFlowInput,
    output: *mut FzcFlowOutput,
    err: *mut FzcErrorBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: `instance` came from `create::<T>`; the host passes valid input/output.
        let (model, input, output) = unsafe {
            match (
                instance.cast::<T>().as_ref(),
                input.as_ref(),
                output.as_mut(),
            ) {
                (Some(m), Some(i), Some(o)) => (m, i, o),
                _ => return Err((STATUS_INVALID_INPUT, "null argument".to_owned())),
            }
        };
        // SAFETY: the host's arrays match their length fields.
        let regions =
            unsafe { flow_regions_from_abi(input) }.map_err(|e| (STATUS_INVALID_INPUT, e))?;
        let result = model
            .flows(&regions)
            .map_err(|e| (STATUS_ERROR, e.to_string()))?;
        if result.flows.len() > output.flows_cap {
            output.flows_needed = result.flows.len();
            return Err((
                STATUS_BUFFER_TOO_SMALL,
                format!(
                    "{} flows do not fit in {} slots",
                    result.flows.len(),
                    output.flows_cap
                ),
            ));
        }
        // SAFETY (two fills): the host allocated `cap` slots.
        output.cores_len = unsafe {
            fill(
                output.cores,
                output.cores_cap,
                result.cores.iter().map(|c| FzcLonLat {
                    lon_deg: c.lon_deg,
                    lat_deg: c.lat_deg,
                }),
            )
        };
        output.flows_len = unsafe {
            fill(
                output.flows,
                output.flows_cap,
                result.flows.iter().map(|f| FzcRegionFlow {
                    from: f.from,
                    to: f.to,
                    distance_km: f.distance_km,
                    range_km: f.range_km,
                    area_km2: f.area_km2,
                    intensity_t_per_km2: f.intensity_t_per_km2,
                    transfer_t: f.transfer.0,
                }),
            )
        };
        Ok(STATUS_OK)
    })
}

unsafe extern "C" fn demand_scaling<T: Plugin + DemandEstimator>(instance: *const c_void) -> u32 {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `instance` came from `create::<T>`.
        match unsafe { instance.cast::<T>().as_ref() }.map(T::scaling) {
            Some(PopulationScaling::AsIs) => SCALING_AS_IS,
            Some(PopulationScaling::ToRegionTotal) => SCALING_TO_REGION_TOTAL,
            None => SCALING_FAILED,
        }
    }))
    .unwrap_or(SCALING_FAILED)
}

unsafe extern "C" fn demand_pixels<T: Plugin + DemandEstimator>(
    instance: *const c_void,
    pixels: *const FzcDemandPixel,
    n: usize,
    population: *mut f64,
    has_population: *mut u8,
    zones: *mut u32,
    err: *mut FzcErrorBuf,
) -> i32 {
    guarded(err, || {
        if n == 0 {
            return Ok(STATUS_OK);
        }
        if pixels.is_null() || population.is_null() || has_population.is_null() || zones.is_null() {
            return Err((STATUS_INVALID_INPUT, "null argument".to_owned()));
        }
        // SAFETY: `instance` came from `create::<T>`.
        let Some(estimator) = (unsafe { instance.cast::<T>().as_ref() }) else {
            return Err((STATUS_INVALID_INPUT, "null instance".to_owned()));
        };
        // SAFETY: the host passes `n` pixels and `n` slots in each output.
        let pixels = unsafe { std::slice::from_raw_parts(pixels, n) };
        for (i, p) in pixels.iter().enumerate() {
            let pixel = DemandPixel {
                population: p.population,
                land_class: p.land_class,
                urban: p.urban,
                area_km2: p.area_km2,
            };
            let persons = estimator.pixel_population(&pixel);
            let zone = match estimator.zone(&pixel) {
                DemandZone::Agricultural => ZONE_AGRICULTURAL,
                DemandZone::Urban => ZONE_URBAN,
                DemandZone::Rural => ZONE_RURAL,
            };
            // SAFETY: `i < n`.
            unsafe {
                population.add(i).write(persons.unwrap_or(f64::NAN));
                has_population.add(i).write(u8::from(persons.is_some()));
                zones.add(i).write(zone);
            }
        }
        Ok(STATUS_OK)
    })
}

/// Exports a [`PricingScheme`] + [`Plugin`] type as an fzc plugin: defines the two exported
/// symbols, `fzc_plugin_abi_version` and `fzc_plugin_entry`. Use once per `cdylib`.
///
#[macro_export]
macro_rules! export_pricing_scheme {
    ($ty:ty) => {
        /// The ABI version this plugin was built against.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_abi_version() -> u32 {
            $crate::abi::FZC_PLUGIN_ABI_VERSION
        }

        /// The plugin's function table.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_entry() -> *const $crate::abi::FzcPluginTable {
            static TABLE: ::std::sync::OnceLock<$crate::export::TableHolder> =
                ::std::sync::OnceLock::new();
            $crate::export::entry(&TABLE, || {
                $crate::export::TableHolder::pricing_scheme::<$ty>(env!("CARGO_PKG_VERSION"))
            })
        }
    };
}

/// Exports a [`FlowModel`] + [`Plugin`] type as an fzc plugin (see
/// [`crate::export_pricing_scheme!`]).
#[macro_export]
macro_rules! export_flow_model {
    ($ty:ty) => {
        /// The ABI version this plugin was built against.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_abi_version() -> u32 {
            $crate::abi::FZC_PLUGIN_ABI_VERSION
        }

        /// The plugin's function table.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_entry() -> *const $crate::abi::FzcPluginTable {
            static TABLE: ::std::sync::OnceLock<$crate::export::TableHolder> =
                ::std::sync::OnceLock::new();
            $crate::export::entry(&TABLE, || {
                $crate::export::TableHolder::flow_model::<$ty>(env!("CARGO_PKG_VERSION"))
            })
        }
    };
}

/// Exports a [`DemandEstimator`] + [`Plugin`] type as an fzc plugin (see
/// [`crate::export_pricing_scheme!`]).
#[macro_export]
macro_rules! export_demand_estimator {
    ($ty:ty) => {
        /// The ABI version this plugin was built against.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_abi_version() -> u32 {
            $crate::abi::FZC_PLUGIN_ABI_VERSION
        }

        /// The plugin's function table.
        #[unsafe(no_mangle)]
        pub extern "C" fn fzc_plugin_entry() -> *const $crate::abi::FzcPluginTable {
            static TABLE: ::std::sync::OnceLock<$crate::export::TableHolder> =
                ::std::sync::OnceLock::new();
            $crate::export::entry(&TABLE, || {
                $crate::export::TableHolder::demand_estimator::<$ty>(env!("CARGO_PKG_VERSION"))
            })
        }
    };
}
