//! The signed rule `L = NF + V_net`, applied to every region.

use std::collections::{BTreeMap, BTreeSet};

use fzc_core::{RegionId, TonnesCo2};

use crate::{CssTransfer, Sign, Zone, ZoneClass, ZoningError, v_net};

/// The compensation benchmark `L = NF + V_net` (METHOD section 3). This is the only place the
/// rule is written; every class of Table 2 is its magnitude form.
///
/// # Units
/// t CO2 in, t CO2 out.
pub fn benchmark(nf: TonnesCo2, v_net: TonnesCo2) -> TonnesCo2 {
    nf + v_net
}

/// A region's two layer positions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionPosition {
    /// The region.
    pub region: RegionId,
    /// Net embodied carbon transfer `NF = OF − IF` (`> 0`: net ECT beneficiary).
    pub nf: TonnesCo2,
    /// Net CSS position `V_net = Σ received − Σ provided` (`> 0`: net CSS input).
    pub v_net: TonnesCo2,
}

/// A zoned region: its positions, class, benchmark and zone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionZoning {
    /// The region.
    pub region: RegionId,
    /// Net embodied carbon transfer `NF`.
    pub nf: TonnesCo2,
    /// Net CSS position `V_net`.
    pub v_net: TonnesCo2,
    /// The class, from the signs of `nf` and `v_net`.
    pub class: ZoneClass,
    /// The benchmark `L = NF + V_net`.
    pub benchmark: TonnesCo2,
    /// The zone, from the sign of `benchmark`.
    pub zone: Zone,
}

impl RegionPosition {
    /// Classifies one region.
    ///
    /// # Errors
    /// [`ZoningError::InvalidValue`] when `nf` or `v_net` is NaN or infinite.
    pub fn zone(&self) -> Result<RegionZoning, ZoningError> {
        for (what, value) in [("nf", self.nf.0), ("v_net", self.v_net.0)] {
            if !value.is_finite() {
                return Err(ZoningError::InvalidValue {
                    region: self.region.clone(),
                    what: what.to_owned(),
                    value,
                    expected: "a finite number (t CO2)",
                });
            }
        }
        let benchmark = benchmark(self.nf, self.v_net);
        Ok(RegionZoning {
            region: self.region.clone(),
            nf: self.nf,
            v_net: self.v_net,
            class: ZoneClass::from_signs(Sign::of(self.nf.0), Sign::of(self.v_net.0)),
            benchmark,
            zone: Zone::of_benchmark(benchmark),
        })
    }
}

/// The zoning of a set of regions, sorted by region id.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Zoning {
    regions: Vec<RegionZoning>,
}

impl Zoning {
    /// Zones the given positions.
    ///
    /// # Errors
    /// [`ZoningError::DuplicateRegion`] when a region appears twice;
    /// [`ZoningError::InvalidValue`] when a position is not finite.
    pub fn new(positions: &[RegionPosition]) -> Result<Zoning, ZoningError> {
        let mut seen = BTreeSet::new();
        let mut regions = Vec::with_capacity(positions.len());
        for position in positions {
            if !seen.insert(&position.region) {
                return Err(ZoningError::DuplicateRegion {
                    region: position.region.clone(),
                    what: "the region positions",
                });
            }
            regions.push(position.zone()?);
        }
        regions.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(Zoning { regions })
    }

    /// Zones regions from the two layers' results: each region's net ECT `nf`, and the CSSF
    /// transfers (from which `V_net` is computed). The region set is the set of `nf`; a
    /// region with no transfer has `V_net = 0`.
    ///
    /// # Errors
    /// [`ZoningError::DuplicateRegion`] for a repeated region in `nf`;
    /// [`ZoningError::MissingRegions`] when transfers name regions absent from `nf`;
    /// invalid transfers or values as in [`crate::v_net`] and [`Zoning::new`].
    pub fn from_layers(
        nf: &[(RegionId, TonnesCo2)],
        transfers: &[CssTransfer],
    ) -> Result<Zoning, ZoningError> {
        let mut nf_by_region = BTreeMap::new();
        for (region, value) in nf {
            if nf_by_region.insert(region, *value).is_some() {
                return Err(ZoningError::DuplicateRegion {
                    region: region.clone(),
                    what: "net ECT (NF)",
                });
            }
        }
        let v = v_net(transfers)?;
        let missing: Vec<RegionId> = v
            .keys()
            .filter(|region| !nf_by_region.contains_key(region))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(ZoningError::MissingRegions {
                regions: missing,
                present_in: "the CSSF transfers",
                missing_from: "net ECT (NF)",
            });
        }
        let positions: Vec<RegionPosition> = nf_by_region
            .into_iter()
            .map(|(region, nf)| RegionPosition {
                region: region.clone(),
                nf,
                v_net: v.get(region).copied().unwrap_or_default(),
            })
            .collect();
        Zoning::new(&positions)
    }

    /// The zoned regions, sorted by region id.
    pub fn regions(&self) -> &[RegionZoning] {
        &self.regions
    }

    /// The zoning of one region, if present.
    pub fn get(&self, region: &RegionId) -> Option<&RegionZoning> {
        self.regions
            .binary_search_by(|r| r.region.cmp(region))
            .ok()
            .map(|i| &self.regions[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> RegionId {
        name.parse().unwrap()
    }

    #[test]
    fn duplicate_regions_are_named() {
        let p = RegionPosition {
            region: id("beijing"),
            nf: TonnesCo2(1.0),
            v_net: TonnesCo2(0.0),
        };
        let err = Zoning::new(&[p.clone(), p]).unwrap_err().to_string();
        assert!(
            err.contains("beijing") && err.contains("more than once"),
            "{err}"
        );
        let err = Zoning::from_layers(&[(id("a"), TonnesCo2(1.0)), (id("a"), TonnesCo2(2.0))], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("region a") && err.contains("NF"), "{err}");
    }

    #[test]
    fn regions_missing_between_layers_are_listed() {
        let err = Zoning::from_layers(
            &[(id("tianjin"), TonnesCo2(-1.0))],
            &[CssTransfer {
                output: id("chengde"),
                input: id("tianjin"),
                tonnes: TonnesCo2(1.0),
            }],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("chengde") && err.contains("missing between layers"),
            "{err}"
        );
    }

    #[test]
    fn non_finite_positions_are_rejected() {
        let err = RegionPosition {
            region: id("x"),
            nf: TonnesCo2(f64::INFINITY),
            v_net: TonnesCo2(0.0),
        }
        .zone()
        .unwrap_err()
        .to_string();
        assert!(err.contains("nf of region x"), "{err}");
    }

    #[test]
    fn output_is_sorted_and_looked_up() {
        let zoning = Zoning::from_layers(
            &[(id("b"), TonnesCo2(-2.0)), (id("a"), TonnesCo2(2.0))],
            &[CssTransfer {
                output: id("b"),
                input: id("a"),
                tonnes: TonnesCo2(0.5),
            }],
        )
        .unwrap();
        let names: Vec<&str> = zoning.regions().iter().map(|r| r.region.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let a = zoning.get(&id("a")).unwrap();
        assert_eq!(
            (a.class, a.zone, a.benchmark),
            (ZoneClass::DoubleHigh, Zone::Payer, TonnesCo2(2.5))
        );
        let b = zoning.get(&id("b")).unwrap();
        assert_eq!(
            (b.class, b.zone, b.benchmark),
            (ZoneClass::DoubleLow, Zone::Recipient, TonnesCo2(-2.5))
        );
        assert!(zoning.get(&id("c")).is_none());
    }
}
