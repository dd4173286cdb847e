//! A loaded demand-estimator plugin behind `fzc_core::DemandEstimator`.
//!
//! The trait's methods cannot fail (`pixel_population` returns `Option`, `zone` a zone), so
//! the adapter checks what it can when the estimator is built (the scaling code), and a
//! failure inside a per-pixel call (a caught panic, an error status, an unknown zone code,
//! a NaN or negative population) is logged once with the plugin's name and counted as no data
//! (rural zone). [`LoadedPlugin::demand_pixels`] is the fallible form that reports it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use fzc_core::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling};
use fzc_plugin_api::abi::{
    FzcDemandPixel, SCALING_AS_IS, SCALING_TO_REGION_TOTAL, ZONE_AGRICULTURAL, ZONE_RURAL,
    ZONE_URBAN,
};

use crate::instance::Instance;
use crate::load::{ErrorBuffer, PluginKind};
use crate::{LoadedPlugin, PluginError};

/// A demand estimator implemented by a plugin. Callers see only `dyn DemandEstimator`.
#[derive(Debug)]
struct PluginDemandEstimator {
    instance: Instance,
    scaling: PopulationScaling,
    warned: AtomicBool,
}

/// A demand estimator built from a plugin, with a fallible batch call next to the trait.
#[derive(Debug)]
pub struct LoadedDemandEstimator(PluginDemandEstimator);

impl LoadedPlugin {
    /// Builds the plugin's demand estimator from `parameters` (defaults filled in).
    ///
    /// # Errors
    /// As [`LoadedPlugin::pricing_scheme`]; [`PluginError::InvalidOutput`] for an unknown
    /// scaling code or a panic in `scaling`.
    pub fn demand_estimator(
        &self,
        parameters: &BTreeMap<String, String>,
    ) -> Result<LoadedDemandEstimator, PluginError> {
        self.expect_kind(PluginKind::DemandEstimator)?;
        let parameters = self.resolve_parameters(parameters)?;
        let ptr = self.create(&parameters)?;
        let instance = Instance {
            plugin: self.clone(),
            ptr,
            parameters,
        };
        let code = match self.table.demand_scaling {
            // SAFETY: the instance is this plugin's; the function catches its panics.
            Some(f) => unsafe { f(ptr) },
            None => u32::MAX,
        };
        let scaling = match code {
            SCALING_AS_IS => PopulationScaling::AsIs,
            SCALING_TO_REGION_TOTAL => PopulationScaling::ToRegionTotal,
            other => {
                return Err(PluginError::InvalidOutput {
                    plugin: self.info.name.clone(),
                    output: "scaling",
                    why: format!("code {other} (a panic, or not 0 = as-is / 1 = to-region-total)"),
                });
            }
        };
        Ok(LoadedDemandEstimator(PluginDemandEstimator {
            instance,
            scaling,
            warned: AtomicBool::new(false),
        }))
    }
}

impl LoadedDemandEstimator {
    /// The estimator as the trait object the CSSF layer takes.
    pub fn into_boxed(self) -> Box<dyn DemandEstimator> {
        Box::new(self.0)
    }

    /// Population (or weight) and zone of every pixel, with every failure reported.
    ///
    /// # Errors
    /// [`PluginError::Failed`] / [`PluginError::Panicked`] from the plugin;
    /// [`PluginError::NonFinite`] or [`PluginError::InvalidOutput`] naming the pixel.
    pub fn demand_pixels(
        &self,
        pixels: &[DemandPixel],
    ) -> Result<Vec<(Option<f64>, DemandZone)>, PluginError> {
        self.0.call(pixels)
    }
}

impl DemandEstimator for LoadedDemandEstimator {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn scaling(&self) -> PopulationScaling {
        self.0.scaling
    }
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        self.0.pixel_population(pixel)
    }
    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.0.zone(pixel)
    }
}

impl PluginDemandEstimator {
    fn call(&self, pixels: &[DemandPixel]) -> Result<Vec<(Option<f64>, DemandZone)>, PluginError> {
        let plugin = &self.instance.plugin;
        let name = &plugin.info.name;
        let f = plugin
            .table
            .demand_pixels
            .ok_or_else(|| PluginError::WrongKind {
                plugin: name.clone(),
                found: plugin.info.kind.as_str(),
                expected: PluginKind::DemandEstimator.as_str(),
            })?;
        let n = pixels.len();
        let abi: Vec<FzcDemandPixel> = pixels
            .iter()
            .map(|p| FzcDemandPixel {
                population: p.population,
                land_class: p.land_class,
                urban: p.urban,
                area_km2: p.area_km2,
            })
            .collect();
        let mut population = vec![f64::NAN; n];
        let mut has = vec![0u8; n];
        let mut zones = vec![u32::MAX; n];
        let mut buf = ErrorBuffer::new();
        // SAFETY: the instance is this plugin's; every array has `n` entries.
        let status = unsafe {
            f(
                self.instance.ptr,
                abi.as_ptr(),
                n,
                population.as_mut_ptr(),
                has.as_mut_ptr(),
                zones.as_mut_ptr(),
                buf.abi(),
            )
        };
        plugin.check_status("demand_pixels", status, &buf)?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let zone = match zones[i] {
                ZONE_AGRICULTURAL => DemandZone::Agricultural,
                ZONE_URBAN => DemandZone::Urban,
                ZONE_RURAL => DemandZone::Rural,
                other => {
                    return Err(PluginError::InvalidOutput {
                        plugin: name.clone(),
                        output: "zones",
                        why: format!("pixel {i} has zone code {other}, expected 0, 1 or 2"),
                    });
                }
            };
            let persons = if has[i] != 0 {
                let value = population[i];
                if !(value.is_finite() && value >= 0.0) {
                    return Err(PluginError::NonFinite {
                        plugin: name.clone(),
                        output: "population",
                        at: format!("pixel {i}"),
                        value,
                    });
                }
                Some(value)
            } else {
                None
            };
            out.push((persons, zone));
        }
        Ok(out)
    }

    fn one(&self, pixel: &DemandPixel) -> (Option<f64>, DemandZone) {
        match self.call(std::slice::from_ref(pixel)) {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            Ok(_) => (None, DemandZone::Rural),
            Err(err) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        "{err}; the pixel counts as no data (further failures of this plugin are not logged)"
                    );
                }
                (None, DemandZone::Rural)
            }
        }
    }
}

impl DemandEstimator for PluginDemandEstimator {
    fn name(&self) -> &str {
        &self.instance.plugin.info.name
    }
    fn scaling(&self) -> PopulationScaling {
        self.scaling
    }
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        self.one(pixel).0
    }
    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.one(pixel).1
    }
}
