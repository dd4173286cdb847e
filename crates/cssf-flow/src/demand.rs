//! Demand (Eq 12): population × a differentiated per-capita emission coefficient θ,
//! calibrated so that each region's demand sums to its emissions.
//!
//! Zones (paper 3.3.2.2): pixels of agricultural land classes get
//! `θ_agri = E_agri / P_agri`, where `P_agri` is the region's population on agricultural land
//! (the paper divides by the rural population; using the population the coefficient is applied
//! to is what makes the calibration exact). The other emissions `E − E_agri` are split between
//! the urban and the rural zone — by a given urban share, or by default in proportion to
//! population (then `θ_urban = θ_rural`) — and divided by each zone's population. Urban means:
//! the urban mask is non-zero, or, without a mask, the land-use class is an urban class
//! (artificial surfaces). A zone without population passes its emissions on (agricultural →
//! the other zones, urban ↔ rural), so nothing is lost; a region without population is an
//! error.
//!
//! Two estimators are built in: [`PopulationRaster`] (a count or a density raster) and
//! [`Dasymetric`] (census totals spread over land-use class weights).

use std::collections::{BTreeMap, BTreeSet};

use fzc_core::{DemandEstimator, DemandPixel, DemandZone, PopulationScaling, RegionId};

use crate::CssfError;

/// How the zone of a pixel is decided from land use and the urban mask.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ZoneRule {
    /// Land-use classes that are agricultural land (the paper's cropland).
    pub agricultural_classes: BTreeSet<i64>,
    /// Land-use classes that are urban when there is no urban mask (artificial surfaces).
    pub urban_classes: BTreeSet<i64>,
}

impl ZoneRule {
    /// The zone of a pixel: agricultural land first, then the urban mask, then the urban
    /// classes.
    pub fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        let class = (!pixel.land_class.is_nan()).then_some(pixel.land_class as i64);
        if class.is_some_and(|c| self.agricultural_classes.contains(&c)) {
            DemandZone::Agricultural
        } else if !pixel.urban.is_nan() {
            if pixel.urban != 0.0 {
                DemandZone::Urban
            } else {
                DemandZone::Rural
            }
        } else if class.is_some_and(|c| self.urban_classes.contains(&c)) {
            DemandZone::Urban
        } else {
            DemandZone::Rural
        }
    }
}

/// What a population raster holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PopulationKind {
    /// Persons per pixel.
    #[default]
    Count,
    /// Persons per km² (multiplied by the pixel area).
    DensityPerKm2,
}

/// The default estimator: a population raster (count or density).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PopulationRaster {
    /// Count or density.
    pub kind: PopulationKind,
    /// Zone rule.
    pub zones: ZoneRule,
}

impl DemandEstimator for PopulationRaster {
    fn name(&self) -> &str {
        "population-raster"
    }
    fn scaling(&self) -> PopulationScaling {
        PopulationScaling::AsIs
    }
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        if pixel.population.is_nan() {
            return None;
        }
        Some(match self.kind {
            PopulationKind::Count => pixel.population,
            PopulationKind::DensityPerKm2 => pixel.population * pixel.area_km2,
        })
    }
    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.zones.zone(pixel)
    }
}

/// Dasymetric estimator: a region's census population spread over its pixels in proportion
/// to `weight[class] × area`. Classes without a weight get 0 (nobody lives there).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dasymetric {
    /// Relative population density per land-use class (e.g. persons/km² guesses; only ratios
    /// matter).
    pub class_weights: BTreeMap<i64, f64>,
    /// Zone rule.
    pub zones: ZoneRule,
}

impl DemandEstimator for Dasymetric {
    fn name(&self) -> &str {
        "dasymetric-census"
    }
    fn scaling(&self) -> PopulationScaling {
        PopulationScaling::ToRegionTotal
    }
    fn pixel_population(&self, pixel: &DemandPixel) -> Option<f64> {
        if pixel.land_class.is_nan() {
            return None;
        }
        let w = self
            .class_weights
            .get(&(pixel.land_class as i64))
            .copied()
            .unwrap_or(0.0);
        Some(w * pixel.area_km2)
    }
    fn zone(&self, pixel: &DemandPixel) -> DemandZone {
        self.zones.zone(pixel)
    }
}

/// A region's emissions to calibrate to.
///
/// # Units
/// t CO2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionEmissions {
    /// All emissions of the region.
    pub total_t: f64,
    /// Agriculture, forestry, animal husbandry and fishery emissions (part of the total).
    pub agricultural_t: f64,
    /// Share of the non-agricultural emissions attributed to the urban zone, in [0, 1];
    /// `None`: in proportion to population.
    pub urban_share: Option<f64>,
}

/// Population of a region by zone.
///
/// # Units
/// persons (or weights before rescaling).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ZonePopulation {
    /// On agricultural land.
    pub agricultural: f64,
    /// Urban zone.
    pub urban: f64,
    /// Rural zone.
    pub rural: f64,
}

impl ZonePopulation {
    /// Total.
    pub fn total(&self) -> f64 {
        self.agricultural + self.urban + self.rural
    }

    /// Adds persons to a zone.
    pub fn add(&mut self, zone: DemandZone, persons: f64) {
        match zone {
            DemandZone::Agricultural => self.agricultural += persons,
            DemandZone::Urban => self.urban += persons,
            DemandZone::Rural => self.rural += persons,
        }
    }

    /// All zones multiplied by `k`.
    pub fn scaled(&self, k: f64) -> Self {
        Self {
            agricultural: self.agricultural * k,
            urban: self.urban * k,
            rural: self.rural * k,
        }
    }
}

/// Per-capita emission coefficients of a region.
///
/// # Units
/// t CO2 per person.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Theta {
    /// On agricultural land.
    pub agricultural: f64,
    /// Urban zone.
    pub urban: f64,
    /// Rural zone.
    pub rural: f64,
}

impl Theta {
    /// θ of a zone.
    pub fn of(&self, zone: DemandZone) -> f64 {
        match zone {
            DemandZone::Agricultural => self.agricultural,
            DemandZone::Urban => self.urban,
            DemandZone::Rural => self.rural,
        }
    }

    /// The demand this θ gives a population: Σ θ_zone · P_zone.
    ///
    /// # Units
    /// t CO2.
    pub fn demand_t(&self, pop: &ZonePopulation) -> f64 {
        self.agricultural * pop.agricultural + self.urban * pop.urban + self.rural * pop.rural
    }
}

/// Calibrates θ so that `θ · population` sums to the region's emissions (see the module
/// docs for the rules). Returns θ and notes on emissions moved between zones.
///
/// # Errors
/// [`CssfError::Demand`] for negative or non-finite emissions, agricultural emissions above
/// the total, an urban share outside [0, 1], or a region without population.
pub fn calibrate_theta(
    region: &RegionId,
    emissions: &RegionEmissions,
    pop: &ZonePopulation,
) -> Result<(Theta, Vec<String>), CssfError> {
    let bad = |why: String| CssfError::Demand {
        region: region.clone(),
        why,
    };
    let (e, ea) = (emissions.total_t, emissions.agricultural_t);
    if !(e.is_finite() && e >= 0.0 && ea.is_finite() && ea >= 0.0 && ea <= e * (1.0 + 1e-12)) {
        return Err(bad(format!(
            "emissions {e} t with agricultural {ea} t: expected 0 ≤ agricultural ≤ total, finite"
        )));
    }
    if let Some(s) = emissions.urban_share
        && !(0.0..=1.0).contains(&s)
    {
        return Err(bad(format!("urban share {s} outside [0, 1]")));
    }
    if pop.total().is_nan() || pop.total() <= 0.0 {
        return Err(bad(format!(
            "no population inside the region (agricultural {}, urban {}, rural {}); \
             expected some to spread {e} t of emissions over",
            pop.agricultural, pop.urban, pop.rural
        )));
    }
    let mut notes = Vec::new();
    let mut theta = Theta::default();
    let mut e_other = e - ea;
    if pop.agricultural > 0.0 {
        theta.agricultural = ea / pop.agricultural;
    } else if ea > 0.0 {
        notes.push(format!(
            "region `{region}`: no population on agricultural land; its {ea} t of agricultural \
             emissions are spread over the other zones"
        ));
        e_other += ea;
    }
    let other_pop = pop.urban + pop.rural;
    if other_pop <= 0.0 {
        if e_other > 0.0 {
            notes.push(format!(
                "region `{region}`: nobody outside agricultural land; the other {e_other} t are \
                 spread over agricultural land"
            ));
            theta.agricultural = e / pop.agricultural;
        }
        return Ok((theta, notes));
    }
    let share = emissions.urban_share.unwrap_or(pop.urban / other_pop);
    let (mut e_u, mut e_r) = (share * e_other, (1.0 - share) * e_other);
    if pop.urban <= 0.0 && e_u > 0.0 {
        notes.push(format!(
            "region `{region}`: no urban population; urban emissions go to the rural zone"
        ));
        e_r += e_u;
        e_u = 0.0;
    }
    if pop.rural <= 0.0 && e_r > 0.0 {
        notes.push(format!(
            "region `{region}`: no rural population; rural emissions go to the urban zone"
        ));
        e_u += e_r;
        e_r = 0.0;
    }
    if pop.urban > 0.0 {
        theta.urban = e_u / pop.urban;
    }
    if pop.rural > 0.0 {
        theta.rural = e_r / pop.rural;
    }
    Ok((theta, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id() -> RegionId {
        RegionId::new("r").unwrap()
    }

    #[test]
    fn theta_is_differentiated_by_zone() {
        let pop = ZonePopulation {
            agricultural: 100.0,
            urban: 300.0,
            rural: 100.0,
        };
        let em = RegionEmissions {
            total_t: 1000.0,
            agricultural_t: 100.0,
            urban_share: Some(0.75),
        };
        let (t, notes) = calibrate_theta(&id(), &em, &pop).unwrap();
        assert!(notes.is_empty());
        assert_eq!(t.agricultural, 1.0);
        assert_eq!(t.urban, 675.0 / 300.0);
        assert_eq!(t.rural, 225.0 / 100.0);
    }

    #[test]
    fn zone_rule_puts_agriculture_first_then_mask_then_classes() {
        let rule = ZoneRule {
            agricultural_classes: BTreeSet::from([12]),
            urban_classes: BTreeSet::from([13]),
        };
        let px = |c: f64, u: f64| DemandPixel {
            population: 1.0,
            land_class: c,
            urban: u,
            area_km2: 1.0,
        };
        assert_eq!(rule.zone(&px(12.0, 1.0)), DemandZone::Agricultural);
        assert_eq!(rule.zone(&px(13.0, 0.0)), DemandZone::Rural);
        assert_eq!(rule.zone(&px(5.0, 1.0)), DemandZone::Urban);
        assert_eq!(rule.zone(&px(13.0, f64::NAN)), DemandZone::Urban);
        assert_eq!(rule.zone(&px(f64::NAN, f64::NAN)), DemandZone::Rural);
    }

    #[test]
    fn a_region_without_people_is_an_error_naming_it() {
        let e = calibrate_theta(
            &id(),
            &RegionEmissions {
                total_t: 5.0,
                agricultural_t: 0.0,
                urban_share: None,
            },
            &ZonePopulation::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`r`") && e.contains("no population"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Calibration: demand sums exactly (to rounding) to the emissions, θ ≥ 0, whatever
        /// zones are empty.
        #[test]
        fn demand_sums_to_emissions(
            e in 0.0..1e9f64, agri_share in 0.0..1.0f64,
            pa in prop_oneof![Just(0.0), 0.0..1e6f64],
            pu in prop_oneof![Just(0.0), 0.0..1e6f64],
            pr in prop_oneof![Just(0.0), 0.0..1e6f64],
            share in proptest::option::of(0.0..1.0f64),
        ) {
            let pop = ZonePopulation { agricultural: pa, urban: pu, rural: pr };
            prop_assume!(pop.total() > 0.0);
            let em = RegionEmissions { total_t: e, agricultural_t: e * agri_share, urban_share: share };
            let (t, _) = calibrate_theta(&id(), &em, &pop).unwrap();
            prop_assert!(t.agricultural >= 0.0 && t.urban >= 0.0 && t.rural >= 0.0);
            prop_assert!((t.demand_t(&pop) - e).abs() <= 1e-9 * e.max(1.0), "{} vs {e}", t.demand_t(&pop));
        }
    }
}
