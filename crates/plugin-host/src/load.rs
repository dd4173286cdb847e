//! Loading a library, checking its ABI version and table, and the process-wide registry that
//! keeps every library loaded for the life of the process.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fzc_plugin_api::abi::{
    ABI_VERSION_SYMBOL, AbiVersionFn, ENTRY_SYMBOL, EntryFn, FZC_PLUGIN_ABI_VERSION, FzcErrorBuf,
    FzcParam, FzcPluginTable, FzcStr, KIND_DEMAND_ESTIMATOR, KIND_FLOW_MODEL, KIND_PRICING_SCHEME,
    MIN_TABLE_SIZE, STATUS_OK, STATUS_PANIC,
};
use libloading::Library;

use crate::PluginError;

/// What a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PluginKind {
    /// `fzc_core::PricingScheme`.
    PricingScheme,
    /// `fzc_core::FlowModel`.
    FlowModel,
    /// `fzc_core::DemandEstimator`.
    DemandEstimator,
}

impl PluginKind {
    /// The stable name: `pricing-scheme`, `flow-model`.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::PricingScheme => "pricing-scheme",
            PluginKind::FlowModel => "flow-model",
            PluginKind::DemandEstimator => "demand-estimator",
        }
    }
}

impl std::fmt::Display for PluginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// Its default, if it may be omitted.
    pub default: Option<String>,
    /// What it means, with its unit.
    pub description: String,
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// The library file.
    pub path: PathBuf,
    /// The plugin's name.
    pub name: String,
    /// What it implements.
    pub kind: PluginKind,
    /// The ABI version it was built against.
    pub abi_version: u32,
    /// The plugin crate's own version.
    pub version: String,
    /// What it computes.
    pub description: String,
    /// Its declared parameters, in declaration order.
    pub parameters: Vec<ParamInfo>,
}

/// A loaded, checked plugin library. Cheap to clone; the library itself is never unloaded.
#[derive(Debug, Clone)]
pub struct LoadedPlugin {
    pub(crate) info: Arc<PluginInfo>,
    pub(crate) table: FzcPluginTable,
}

// SAFETY: the table is read-only data and function pointers into a library that is never
// unloaded; its strings are `'static` in the plugin.
unsafe impl Send for LoadedPlugin {}
// SAFETY: as above.
unsafe impl Sync for LoadedPlugin {}

/// Every library ever loaded, by canonical path. Never emptied: a library is never unloaded,
/// so no function pointer or instance from it can dangle.
static REGISTRY: Mutex<BTreeMap<PathBuf, &'static Library>> = Mutex::new(BTreeMap::new());

fn library(path: &Path) -> Result<&'static Library, PluginError> {
    let not_a_library = |why: String| PluginError::NotALibrary {
        path: path.to_owned(),
        why,
    };
    let canonical = path
        .canonicalize()
        .map_err(|e| not_a_library(format!("cannot open: {e}")))?;
    let mut registry = REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(lib) = registry.get(&canonical) {
        return Ok(lib);
    }
    // SAFETY: loading a library runs its initialisers; that is the trust a user extends to a
    // plugin by naming it. Rust cdylibs built with fzc-plugin-api have no custom initialisers.
    let lib = unsafe { Library::new(&canonical) }.map_err(|e| not_a_library(e.to_string()))?;
    let lib: &'static Library = Box::leak(Box::new(lib));
    registry.insert(canonical, lib);
    Ok(lib)
}

/// Loads the plugin at `path`: checks its ABI version first, then its function table.
///
/// Loading the same file twice returns the same library. Nothing is ever unloaded.
///
/// # Errors
/// [`PluginError::NotALibrary`], [`PluginError::MissingSymbol`],
/// [`PluginError::AbiVersion`] or [`PluginError::InvalidTable`], each naming the file.
pub fn load(path: &Path) -> Result<LoadedPlugin, PluginError> {
    let lib = library(path)?;
    let missing = |symbol: &'static str| PluginError::MissingSymbol {
        path: path.to_owned(),
        symbol,
    };
    // SAFETY: the symbol's type is fixed by the ABI for every version.
    let version_fn = unsafe { lib.get::<AbiVersionFn>(ABI_VERSION_SYMBOL) }
        .map_err(|_| missing("fzc_plugin_abi_version"))?;
    // SAFETY: a plain function with no arguments.
    let found = unsafe { version_fn() };
    if found != FZC_PLUGIN_ABI_VERSION {
        return Err(PluginError::AbiVersion {
            path: path.to_owned(),
            found,
            expected: FZC_PLUGIN_ABI_VERSION,
        });
    }
    // SAFETY: the entry's type is fixed by ABI version 1, checked above.
    let entry =
        unsafe { lib.get::<EntryFn>(ENTRY_SYMBOL) }.map_err(|_| missing("fzc_plugin_entry"))?;
    let invalid = |why: String| PluginError::InvalidTable {
        path: path.to_owned(),
        why,
    };
    // SAFETY: the entry builds its table inside `catch_unwind` and returns null on failure.
    let ptr = unsafe { entry() };
    if ptr.is_null() {
        return Err(invalid(
            "fzc_plugin_entry returned null (the plugin failed to build its table)".into(),
        ));
    }
    // SAFETY: every table starts with its size; read that first, and the rest only if the
    // plugin's table is at least as large as the fields this host reads.
    let struct_size = unsafe { ptr.cast::<usize>().read() };
    if struct_size < MIN_TABLE_SIZE {
        return Err(invalid(format!(
            "struct_size is {struct_size} bytes, expected at least {MIN_TABLE_SIZE}"
        )));
    }
    // SAFETY: `struct_size ≥ size_of::<FzcPluginTable>()`, checked above.
    let table = unsafe { ptr.read() };
    if table.abi_version != FZC_PLUGIN_ABI_VERSION {
        return Err(invalid(format!(
            "table says ABI version {}, the version symbol said {FZC_PLUGIN_ABI_VERSION}",
            table.abi_version
        )));
    }
    let demand = table.demand_scaling.is_some() && table.demand_pixels.is_some();
    let kind = match table.kind {
        KIND_PRICING_SCHEME if table.price.is_some() => PluginKind::PricingScheme,
        KIND_FLOW_MODEL if table.flows.is_some() => PluginKind::FlowModel,
        KIND_DEMAND_ESTIMATOR if demand => PluginKind::DemandEstimator,
        kind => {
            return Err(invalid(format!(
                "kind code {kind} with no matching function (1 = pricing scheme with `price`, 2 = flow model with `flows`, 3 = demand estimator with `demand_scaling` and `demand_pixels`)"
            )));
        }
    };
    // SAFETY: the plugin's strings are static data of a library that is never unloaded.
    let text = |s: FzcStr, what: &str| {
        unsafe { s.to_str() }
            .map(str::to_owned)
            .map_err(|e| invalid(format!("{what}: {e}")))
    };
    let decls = if table.params_len == 0 {
        &[][..]
    } else if table.params.is_null() {
        return Err(invalid("null parameter declarations".into()));
    } else {
        // SAFETY: the plugin declares `params_len` entries at `params`.
        unsafe { std::slice::from_raw_parts(table.params, table.params_len) }
    };
    let mut parameters = Vec::with_capacity(decls.len());
    for (i, d) in decls.iter().enumerate() {
        let name = text(d.name, &format!("parameter {i} name"))?;
        parameters.push(ParamInfo {
            default: (d.has_default != 0)
                .then(|| text(d.default_value, &format!("default of `{name}`")))
                .transpose()?,
            description: text(d.description, &format!("description of `{name}`"))?,
            name,
        });
    }
    let info = PluginInfo {
        path: path.to_owned(),
        name: text(table.name, "name")?,
        kind,
        abi_version: table.abi_version,
        version: text(table.version, "version")?,
        description: text(table.description, "description")?,
        parameters,
    };
    Ok(LoadedPlugin {
        info: Arc::new(info),
        table,
    })
}

impl LoadedPlugin {
    /// What the plugin says about itself.
    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The full parameter list for `given`: every declared parameter, from `given` or its
    /// default, in declaration order.
    ///
    /// # Errors
    /// [`PluginError::MissingParameter`] naming a parameter without default that `given`
    /// lacks; [`PluginError::UnknownParameter`] for a name in `given` the plugin does not
    /// declare.
    pub fn resolve_parameters(
        &self,
        given: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, PluginError> {
        let declared = &self.info.parameters;
        if let Some(unknown) = given
            .keys()
            .find(|k| !declared.iter().any(|d| &d.name == *k))
        {
            return Err(PluginError::UnknownParameter {
                plugin: self.info.name.clone(),
                parameter: unknown.clone(),
                declared: declared
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        declared
            .iter()
            .map(|d| match given.get(&d.name).or(d.default.as_ref()) {
                Some(value) => Ok((d.name.clone(), value.clone())),
                None => Err(PluginError::MissingParameter {
                    plugin: self.info.name.clone(),
                    parameter: d.name.clone(),
                    description: d.description.clone(),
                }),
            })
            .collect()
    }

    pub(crate) fn expect_kind(&self, kind: PluginKind) -> Result<(), PluginError> {
        if self.info.kind == kind {
            Ok(())
        } else {
            Err(PluginError::WrongKind {
                plugin: self.info.name.clone(),
                found: self.info.kind.as_str(),
                expected: kind.as_str(),
            })
        }
    }

    /// Calls `create` with the resolved parameters; returns the instance.
    pub(crate) fn create(&self, params: &[(String, String)]) -> Result<*mut c_void, PluginError> {
        let abi: Vec<FzcParam> = params
            .iter()
            .map(|(k, v)| FzcParam {
                name: FzcStr::new(k),
                value: FzcStr::new(v),
            })
            .collect();
        let mut instance: *mut c_void = std::ptr::null_mut();
        let mut buf = ErrorBuffer::new();
        // SAFETY: `abi` and the strings it borrows outlive the call; `instance` and the
        // buffer are writable.
        let status =
            unsafe { (self.table.create)(abi.as_ptr(), abi.len(), &mut instance, buf.abi()) };
        self.check_status("create", status, &buf)?;
        if instance.is_null() {
            return Err(PluginError::Failed {
                plugin: self.info.name.clone(),
                function: "create",
                message: "returned success but no instance".into(),
            });
        }
        Ok(instance)
    }

    pub(crate) fn check_status(
        &self,
        function: &'static str,
        status: i32,
        buf: &ErrorBuffer,
    ) -> Result<(), PluginError> {
        match status {
            STATUS_OK => Ok(()),
            STATUS_PANIC => Err(PluginError::Panicked {
                plugin: self.info.name.clone(),
                function,
                message: buf.message(),
            }),
            other => Err(PluginError::Failed {
                plugin: self.info.name.clone(),
                function,
                message: format!("status {other}: {}", buf.message()),
            }),
        }
    }
}

/// A host-owned message buffer handed to every plugin call.
pub(crate) struct ErrorBuffer {
    bytes: Vec<u8>,
    abi: FzcErrorBuf,
}

impl ErrorBuffer {
    const CAPACITY: usize = 4096;

    pub(crate) fn new() -> Self {
        let mut bytes = vec![0u8; Self::CAPACITY];
        let abi = FzcErrorBuf {
            ptr: bytes.as_mut_ptr(),
            cap: bytes.len(),
            len: 0,
        };
        Self { bytes, abi }
    }

    pub(crate) fn abi(&mut self) -> *mut FzcErrorBuf {
        &mut self.abi
    }

    pub(crate) fn message(&self) -> String {
        let len = self.abi.len.min(self.bytes.len());
        let text = String::from_utf8_lossy(&self.bytes[..len]).into_owned();
        if text.is_empty() {
            "(no message)".to_owned()
        } else {
            text
        }
    }
}
