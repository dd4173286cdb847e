//! Supply (Eq 11): carbon storage per pixel from InVEST carbon pools.
//!
//! `S(p) = a(p) · (C_above + C_below + C_soil + C_dead)[u(p)]` with `a(p)` in ha and the pool
//! densities in t C/ha, exactly InVEST's carbon-model arithmetic. An optional class mapping
//! (e.g. MODIS IGBP → the paper's six classes) is applied first. Nodata pixels and classes
//! missing from the table contribute nothing and are counted ([`SupplyStats`]).

use std::collections::BTreeMap;

use fzc_core::{PixelSupply, SupplyEstimator, SupplyPixel};

use crate::CssfError;

/// Carbon densities of one land-use class (InVEST biophysical table columns).
///
/// # Units
/// t C/ha.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CarbonPools {
    /// Aboveground biomass.
    pub c_above: f64,
    /// Belowground biomass.
    pub c_below: f64,
    /// Soil organic carbon.
    pub c_soil: f64,
    /// Dead organic matter.
    pub c_dead: f64,
}

impl CarbonPools {
    /// Σ of the four pools.
    ///
    /// # Units
    /// t C/ha.
    pub fn total_t_c_per_ha(&self) -> f64 {
        self.c_above + self.c_below + self.c_soil + self.c_dead
    }
}

/// The unit of supply (METHOD.md 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupplyUnit {
    /// t C, compared with demand in t CO2 as the paper does (no conversion).
    #[default]
    AsPaper,
    /// t CO2: the stock multiplied by 44/12.
    Co2,
}

impl SupplyUnit {
    /// The factor applied to t C.
    pub fn factor(self) -> f64 {
        match self {
            SupplyUnit::AsPaper => 1.0,
            SupplyUnit::Co2 => 44.0 / 12.0,
        }
    }
}

/// What to do with land-use classes that have no pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnmappedClasses {
    /// Fail, listing the classes (default).
    #[default]
    Error,
    /// Count them as contributing nothing, and report them.
    Skip,
}

/// The built-in supply estimator: InVEST carbon pools per class, with an optional class map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvestSupply {
    /// Pools by class code (after mapping).
    pub pools: BTreeMap<i64, CarbonPools>,
    /// `from_class → to_class`, applied before the pools lookup (classes not in the map are
    /// unmapped).
    pub class_map: Option<BTreeMap<i64, i64>>,
    /// Unit of the result.
    pub unit: SupplyUnit,
}

impl SupplyEstimator for InvestSupply {
    fn name(&self) -> &str {
        "invest-carbon-pools"
    }

    fn pixel_supply(&self, pixel: &SupplyPixel) -> PixelSupply {
        if pixel.land_class.is_nan() {
            return PixelSupply::NoData;
        }
        let class = pixel.land_class as i64;
        let class = match &self.class_map {
            Some(map) => match map.get(&class) {
                Some(&c) => c,
                None => return PixelSupply::UnknownClass(class),
            },
            None => class,
        };
        match self.pools.get(&class) {
            Some(p) => {
                PixelSupply::Value(pixel.area_ha * p.total_t_c_per_ha() * self.unit.factor())
            }
            None => PixelSupply::UnknownClass(pixel.land_class as i64),
        }
    }
}

/// Counts of pixels that contributed nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SupplyStats {
    /// Pixels with a value.
    pub valid_pixels: u64,
    /// Nodata pixels.
    pub nodata_pixels: u64,
    /// Pixels per class (as in the raster) without pools.
    pub unmapped: BTreeMap<i64, u64>,
}

impl SupplyStats {
    /// Adds another block's counts.
    pub fn merge(&mut self, other: &SupplyStats) {
        self.valid_pixels += other.valid_pixels;
        self.nodata_pixels += other.nodata_pixels;
        for (k, v) in &other.unmapped {
            *self.unmapped.entry(*k).or_insert(0) += v;
        }
    }

    /// Applies the unmapped-class policy.
    ///
    /// # Errors
    /// [`CssfError::UnmappedClasses`] when classes were unmapped and `policy` is `Error`.
    pub fn check(&self, policy: UnmappedClasses) -> Result<(), CssfError> {
        if policy == UnmappedClasses::Error && !self.unmapped.is_empty() {
            return Err(CssfError::UnmappedClasses {
                classes: self.unmapped.iter().map(|(k, v)| (*k, *v)).collect(),
            });
        }
        Ok(())
    }
}

/// Per-pixel supply of a window of land-use rows: `out[i]` gets the supply of pixel `i`
/// (NaN for nodata or unmapped classes). `area_ha(row)` gives the pixel area of a grid row.
///
/// # Units
/// `out` in the estimator's unit (t C or t CO2).
pub fn supply_pixels(
    estimator: &dyn SupplyEstimator,
    row0: usize,
    width: usize,
    land_class: &[f64],
    area_ha: impl Fn(usize) -> f64,
    out: &mut [f64],
    stats: &mut SupplyStats,
) {
    for (i, (&class, o)) in land_class.iter().zip(out.iter_mut()).enumerate() {
        let pixel = SupplyPixel {
            land_class: class,
            area_ha: area_ha(row0 + i / width.max(1)),
        };
        *o = match estimator.pixel_supply(&pixel) {
            PixelSupply::Value(v) => {
                stats.valid_pixels += 1;
                v
            }
            PixelSupply::NoData => {
                stats.nodata_pixels += 1;
                f64::NAN
            }
            PixelSupply::UnknownClass(c) => {
                *stats.unmapped.entry(c).or_insert(0) += 1;
                f64::NAN
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(scale: f64) -> InvestSupply {
        InvestSupply {
            pools: BTreeMap::from([
                (
                    1,
                    CarbonPools {
                        c_above: 6.6 * scale,
                        c_below: 0.91 * scale,
                        c_soil: 112.9 * scale,
                        c_dead: 0.45 * scale,
                    },
                ),
                (
                    2,
                    CarbonPools {
                        c_above: 69.6 * scale,
                        c_below: 21.0 * scale,
                        c_soil: 151.4 * scale,
                        c_dead: 3.85 * scale,
                    },
                ),
            ]),
            class_map: None,
            unit: SupplyUnit::AsPaper,
        }
    }

    #[test]
    fn nodata_and_unmapped_are_counted_not_summed() {
        let est = table(1.0);
        let mut out = [0.0; 4];
        let mut stats = SupplyStats::default();
        supply_pixels(
            &est,
            0,
            2,
            &[1.0, f64::NAN, 7.0, 2.0],
            |_| 2.0,
            &mut out,
            &mut stats,
        );
        assert!((out[0] - 2.0 * 120.86).abs() < 1e-9);
        assert!(out[1].is_nan() && out[2].is_nan());
        assert_eq!(stats.nodata_pixels, 1);
        assert_eq!(stats.unmapped, BTreeMap::from([(7, 1)]));
        let e = stats.check(UnmappedClasses::Error).unwrap_err().to_string();
        assert!(e.contains('7'), "{e}");
        stats.check(UnmappedClasses::Skip).unwrap();
    }

    #[test]
    fn the_class_map_applies_before_the_pools_and_co2_is_44_over_12() {
        let mut est = table(1.0);
        est.class_map = Some(BTreeMap::from([(12, 1), (14, 2)]));
        est.unit = SupplyUnit::Co2;
        let v = |c: f64| {
            est.pixel_supply(&SupplyPixel {
                land_class: c,
                area_ha: 1.0,
            })
        };
        assert_eq!(v(12.0), PixelSupply::Value(120.86 * 44.0 / 12.0));
        assert_eq!(v(1.0), PixelSupply::UnknownClass(1));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Supply is linear in the pool densities and in the pixel area.
        #[test]
        fn supply_is_linear_in_pools_and_area(k in 0.0..10.0f64, area in 0.0..1e4f64, class in 1..3i64) {
            let base = table(1.0).pixel_supply(&SupplyPixel { land_class: class as f64, area_ha: area });
            let scaled = table(k).pixel_supply(&SupplyPixel { land_class: class as f64, area_ha: area });
            let double = table(1.0).pixel_supply(&SupplyPixel { land_class: class as f64, area_ha: 2.0 * area });
            match (base, scaled, double) {
                (PixelSupply::Value(b), PixelSupply::Value(s), PixelSupply::Value(d)) => {
                    prop_assert!((s - k * b).abs() <= 1e-9 * (1.0 + s.abs()));
                    prop_assert!((d - 2.0 * b).abs() <= 1e-9 * (1.0 + d.abs()));
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
