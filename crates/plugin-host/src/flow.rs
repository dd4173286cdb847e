//! A loaded flow-model plugin behind `fzc_core::FlowModel`.

use std::collections::BTreeMap;

use fzc_core::{FlowModel, FlowModelError, FlowOutput, FlowRegion, LonLat, RegionFlow, TonnesCo2};
use fzc_plugin_api::abi::{FzcFlowOutput, FzcLonLat, FzcRegionFlow, STATUS_BUFFER_TOO_SMALL};
use fzc_plugin_api::marshal::FlowInputBuffers;

use crate::instance::Instance;
use crate::load::{ErrorBuffer, PluginKind};
use crate::pricing::finite;
use crate::{LoadedPlugin, PluginError};

/// A flow model implemented by a plugin. Callers see only `dyn FlowModel`.
#[derive(Debug)]
struct PluginFlowModel {
    instance: Instance,
}

impl LoadedPlugin {
    /// Builds the plugin's flow model from `parameters` (defaults filled in).
    ///
    /// # Errors
    /// As [`LoadedPlugin::pricing_scheme`].
    pub fn flow_model(
        &self,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Box<dyn FlowModel>, PluginError> {
        self.expect_kind(PluginKind::FlowModel)?;
        let parameters = self.resolve_parameters(parameters)?;
        let ptr = self.create(&parameters)?;
        Ok(Box::new(PluginFlowModel {
            instance: Instance {
                plugin: self.clone(),
                ptr,
                parameters,
            },
        }))
    }
}

/// The most flows the host will make room for when a plugin asks for more than `n·(n−1)`.
const MAX_FLOWS: usize = 1 << 26;

impl PluginFlowModel {
    fn call(&self, regions: &[FlowRegion]) -> Result<FlowOutput, PluginError> {
        let plugin = &self.instance.plugin;
        let name = &plugin.info.name;
        let flows_fn = plugin.table.flows.ok_or_else(|| PluginError::WrongKind {
            plugin: name.clone(),
            found: plugin.info.kind.as_str(),
            expected: PluginKind::FlowModel.as_str(),
        })?;
        let n = regions.len();
        let buffers = FlowInputBuffers::new(regions);
        let abi_input = buffers.abi();
        let mut capacity = n.saturating_mul(n.saturating_sub(1)).max(1);
        loop {
            let mut cores = vec![FzcLonLat::default(); n];
            let mut flows = vec![FzcRegionFlow::default(); capacity];
            let mut output = FzcFlowOutput {
                cores: cores.as_mut_ptr(),
                cores_cap: n,
                cores_len: 0,
                flows: flows.as_mut_ptr(),
                flows_cap: capacity,
                flows_len: 0,
                flows_needed: 0,
            };
            let mut buf = ErrorBuffer::new();
            // SAFETY: the instance is this plugin's; input buffers (and the region ids they
            // borrow) and output arrays outlive the call, with the capacities in `output`.
            let status = unsafe { flows_fn(self.instance.ptr, &abi_input, &mut output, buf.abi()) };
            if status == STATUS_BUFFER_TOO_SMALL
                && output.flows_needed > capacity
                && output.flows_needed <= MAX_FLOWS
            {
                capacity = output.flows_needed;
                continue;
            }
            plugin.check_status("flows", status, &buf)?;
            if output.cores_len != n {
                return Err(PluginError::OutputLength {
                    plugin: name.clone(),
                    output: "cores",
                    expected: n,
                    found: output.cores_len,
                });
            }
            if output.flows_len > capacity {
                return Err(PluginError::InvalidOutput {
                    plugin: name.clone(),
                    output: "flows",
                    why: format!(
                        "claims {} flows but only {capacity} slots were offered",
                        output.flows_len
                    ),
                });
            }
            return self.convert(regions, &cores, &flows[..output.flows_len]);
        }
    }

    fn convert(
        &self,
        regions: &[FlowRegion],
        cores: &[FzcLonLat],
        flows: &[FzcRegionFlow],
    ) -> Result<FlowOutput, PluginError> {
        let name = &self.instance.plugin.info.name;
        let n = regions.len();
        for (region, core) in regions.iter().zip(cores) {
            for value in [core.lon_deg, core.lat_deg] {
                finite(name, "cores", || format!("region `{}`", region.id), value)?;
            }
        }
        let mut out = Vec::with_capacity(flows.len());
        for (i, f) in flows.iter().enumerate() {
            if f.from >= n || f.to >= n || f.from == f.to {
                return Err(PluginError::InvalidOutput {
                    plugin: name.clone(),
                    output: "flows",
                    why: format!(
                        "flow {i} goes from region index {} to {}; expected two different indices below {n}",
                        f.from, f.to
                    ),
                });
            }
            let at = || format!("flow {i} ({} → {})", regions[f.from].id, regions[f.to].id);
            for (output, value) in [
                ("flows.distance_km", f.distance_km),
                ("flows.range_km", f.range_km),
                ("flows.area_km2", f.area_km2),
                ("flows.intensity_t_per_km2", f.intensity_t_per_km2),
                ("flows.transfer_t", f.transfer_t),
            ] {
                finite(name, output, at, value)?;
            }
            out.push(RegionFlow {
                from: f.from,
                to: f.to,
                distance_km: f.distance_km,
                range_km: f.range_km,
                area_km2: f.area_km2,
                intensity_t_per_km2: f.intensity_t_per_km2,
                transfer: TonnesCo2(f.transfer_t),
            });
        }
        Ok(FlowOutput {
            cores: cores
                .iter()
                .map(|c| LonLat::new(c.lon_deg, c.lat_deg))
                .collect(),
            flows: out,
        })
    }
}

impl FlowModel for PluginFlowModel {
    fn name(&self) -> &str {
        &self.instance.plugin.info.name
    }

    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError> {
        self.call(regions).map_err(|err| FlowModelError {
            region: None,
            message: format!(
                "{err} [plugin {}]",
                self.instance.plugin.info.path.display()
            ),
        })
    }
}
