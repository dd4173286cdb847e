//! The built-in breakpoint CSSF model of `fzc-cssf-flow`, exported unchanged as a plugin.
//!
//! It exists for the equivalence tests: the model loaded through the C ABI must give
//! bit-identical flows to the same model called in process. Its parameters are the model's
//! options, with the same defaults.

use fzc_core::{FlowModel, FlowModelError, FlowOutput, FlowRegion};
use fzc_cssf_flow::{BreakpointModel, Core, ImpactFactor, Intensity, Mass};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// The breakpoint model behind the plugin ABI.
pub struct BuiltinBreakpoint(BreakpointModel);

fn choose<T: Copy>(
    params: &Params,
    name: &str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<T, String> {
    let text = params.text(name)?;
    all.iter()
        .copied()
        .find(|v| as_str(*v) == text)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| as_str(*v)).collect();
            format!(
                "parameter `{name}` is {text:?}, expected one of {}",
                names.join(", ")
            )
        })
}

impl Plugin for BuiltinBreakpoint {
    const NAME: &'static str = "builtin-breakpoint";
    const DESCRIPTION: &'static str = "The paper's breakpoint and field-strength CSSF model (Eq 14-16) from fzc-cssf-flow behind the plugin ABI.";
    const PARAMETERS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "k",
            default: Some("0.6"),
            description: "impact factor k of Eq 16, dimensionless, in [0, 1]",
        },
        ParamSpec {
            name: "intensity",
            default: Some("surplus-over-range"),
            description: "Eq 15 form: surplus-over-range or as-printed",
        },
        ParamSpec {
            name: "mass",
            default: Some("demand"),
            description: "masses of Eq 14: demand, supply or balance",
        },
        ParamSpec {
            name: "core",
            default: Some("centroid"),
            description: "region core: centroid, interior-point or given",
        },
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let k = ImpactFactor::new(params.f64("k")?).map_err(|e| e.to_string())?;
        let mass_name = |m: Mass| match m {
            Mass::Demand => "demand",
            Mass::Supply => "supply",
            Mass::Balance => "balance",
        };
        Ok(BuiltinBreakpoint(BreakpointModel {
            k,
            intensity: choose(
                params,
                "intensity",
                &[Intensity::SurplusOverRange, Intensity::AsPrinted],
                Intensity::as_str,
            )?,
            mass: choose(
                params,
                "mass",
                &[Mass::Demand, Mass::Supply, Mass::Balance],
                mass_name,
            )?,
            core: choose(
                params,
                "core",
                &[Core::Centroid, Core::InteriorPoint, Core::Given],
                Core::as_str,
            )?,
            ..BreakpointModel::default()
        }))
    }
}

impl FlowModel for BuiltinBreakpoint {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError> {
        self.0.flows(regions)
    }
}

fzc_plugin_api::export_flow_model!(BuiltinBreakpoint);
