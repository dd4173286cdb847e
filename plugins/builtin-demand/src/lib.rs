//! The built-in population-raster demand estimator of `fzc-cssf-flow`, exported unchanged as
//! a plugin, for the equivalence tests. Parameters: `kind` (`count` or `density`), and the
//! agricultural and urban land-use classes of its zone rule (comma-separated codes).

use fzc_core::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling};
use fzc_cssf_flow::{PopulationKind, PopulationRaster, ZoneRule};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// The population-raster estimator behind the plugin ABI.
pub struct BuiltinDemand(PopulationRaster);

fn classes(params: &Params, name: &str) -> Result<std::collections::BTreeSet<i64>, String> {
    params
        .text(name)?
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| format!("parameter `{name}`: {t:?} is not a class code"))
        })
        .collect()
}

impl Plugin for BuiltinDemand {
    const NAME: &'static str = "builtin-demand";
    const DESCRIPTION: &'static str =
        "The population-raster demand estimator (Eq 12) of fzc-cssf-flow behind the plugin ABI.";
    const PARAMETERS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "kind",
            default: Some("count"),
            description: "population raster values: count (persons) or density (persons/km²)",
        },
        ParamSpec {
            name: "agricultural_classes",
            default: Some(""),
            description: "land-use codes of agricultural land, comma-separated",
        },
        ParamSpec {
            name: "urban_classes",
            default: Some(""),
            description: "land-use codes that are urban without a mask, comma-separated",
        },
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let kind = match params.text("kind")? {
            "count" => PopulationKind::Count,
            "density" => PopulationKind::DensityPerKm2,
            other => {
                return Err(format!(
                    "parameter `kind` is {other:?}, expected count or density"
                ));
            }
        };
        let zones = ZoneRule {
            agricultural_classes: classes(params, "agricultural_classes")?,
            urban_classes: classes(params, "urban_classes")?,
        };
        Ok(BuiltinDemand(PopulationRaster { kind, zones }))
    }
}

impl DemandEstimator for BuiltinDemand {
    fn name(&self) -> &str {
        Self::NAME
    }
    fn scaling(&self) -> PopulationScaling {
        self.0.scaling()
    }
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        self.0.pixel_population(pixel)
    }
    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.0.zone(pixel)
    }
}

fzc_plugin_api::export_demand_estimator!(BuiltinDemand);
