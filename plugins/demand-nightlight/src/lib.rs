//! Template plugin: a demand estimator that allocates people (and so emissions) by a
//! night-light-like weight raster.
//!
//! Copy this crate to start a demand estimator of your own: rename the package, change
//! [`NightLight`], keep the last line (`export_demand_estimator!`). Build it with
//! `cargo build --release -p fzc-plugin-demand-nightlight`.
//!
//! The CSSF layer gives each pixel its population value, land-use class, urban-mask value and
//! area. Here the urban-mask layer is read as night-time light radiance `L` (e.g. a VIIRS DNB
//! composite, as in the paper's urban lighting zones). Each pixel gets the weight
//! `max(L, 0)^exponent · area_km2`; the weights are rescaled per region to its census
//! population ([`PopulationScaling::ToRegionTotal`]), so the layer's calibration of θ still
//! makes each region's demand sum to its emissions. Zones: agricultural where the land-use
//! class is `agricultural_class`, urban where `L ≥ urban_threshold`, rural elsewhere. A
//! pixel without a light value is no data.

use fzc_core::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// People in proportion to night-time light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NightLight {
    /// Exponent on the radiance (1 = proportional), dimensionless, `≥ 0`.
    pub exponent: f64,
    /// Radiance from which a pixel is urban, in the raster's unit.
    pub urban_threshold: f64,
    /// The land-use class code of agricultural land.
    pub agricultural_class: f64,
}

impl Plugin for NightLight {
    const NAME: &'static str = "nightlight";
    const DESCRIPTION: &'static str = "Demand by night-time light: pixel weight = max(light, 0)^exponent · area, rescaled to each region's census population; urban where light ≥ urban_threshold, agricultural on agricultural_class.";
    const PARAMETERS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "exponent",
            default: Some("1"),
            description: "exponent on the light value, dimensionless (≥ 0)",
        },
        ParamSpec {
            name: "urban_threshold",
            default: Some("20"),
            description: "light value from which a pixel is urban (raster units)",
        },
        ParamSpec {
            name: "agricultural_class",
            default: Some("12"),
            description: "land-use code of agricultural land (12 = MODIS IGBP croplands)",
        },
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let exponent = params.f64("exponent")?;
        if exponent < 0.0 {
            return Err(format!("parameter `exponent` is {exponent}, expected ≥ 0"));
        }
        Ok(NightLight {
            exponent,
            urban_threshold: params.f64("urban_threshold")?,
            agricultural_class: params.f64("agricultural_class")?,
        })
    }
}

impl DemandEstimator for NightLight {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn scaling(&self) -> PopulationScaling {
        PopulationScaling::ToRegionTotal
    }

    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        if pixel.urban.is_nan() || !(pixel.area_km2.is_finite() && pixel.area_km2 >= 0.0) {
            return None;
        }
        Some(pixel.urban.max(0.0).powf(self.exponent) * pixel.area_km2)
    }

    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        if pixel.land_class == self.agricultural_class {
            DemandZone::Agricultural
        } else if pixel.urban >= self.urban_threshold {
            DemandZone::Urban
        } else {
            DemandZone::Rural
        }
    }
}

fzc_plugin_api::export_demand_estimator!(NightLight);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pixel(light: f64, class: f64, area: f64) -> DemandPixel {
        DemandPixel {
            population: f64::NAN,
            land_class: class,
            urban: light,
            area_km2: area,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Weights are never negative, proportional to area, and grow with light.
        #[test]
        fn weight_is_monotone_in_light_and_linear_in_area(
            exponent in 0.0f64..3.0, light in -5.0f64..100.0, extra in 0.0f64..50.0, area in 0.0f64..4.0,
        ) {
            let n = NightLight { exponent, urban_threshold: 20.0, agricultural_class: 12.0 };
            let w = n.pixel_population(&pixel(light, 10.0, area)).unwrap();
            prop_assert!(w >= 0.0);
            prop_assert!(n.pixel_population(&pixel(light + extra, 10.0, area)).unwrap() >= w);
            let w2 = n.pixel_population(&pixel(light, 10.0, 2.0 * area)).unwrap();
            prop_assert!((w2 - 2.0 * w).abs() <= 1e-12 * w2.max(1.0));
        }
    }

    #[test]
    fn zones_and_no_data() {
        let n = NightLight::from_params(&Params::new([
            ("exponent", "1"),
            ("urban_threshold", "20"),
            ("agricultural_class", "12"),
        ]))
        .unwrap();
        assert_eq!(n.zone(&pixel(50.0, 12.0, 1.0)), DemandZone::Agricultural);
        assert_eq!(n.zone(&pixel(50.0, 13.0, 1.0)), DemandZone::Urban);
        assert_eq!(n.zone(&pixel(5.0, 13.0, 1.0)), DemandZone::Rural);
        assert_eq!(n.pixel_population(&pixel(f64::NAN, 13.0, 1.0)), None);
        assert!(NightLight::from_params(&Params::new([("exponent", "-1")])).is_err());
    }
}
