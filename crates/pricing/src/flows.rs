//! The pairwise flows of tonnes owed, built from the two layers' results.

use std::collections::BTreeMap;

use fzc_core::{BilateralNet, Layer, RegionId, TonnesCo2};
use fzc_zoning::CssTransfer;

use crate::PricingError;

/// Tonnes owed by one region to another in one layer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    /// The region that pays.
    pub payer: RegionId,
    /// The region paid.
    pub payee: RegionId,
    /// [`Layer::Ect`] or [`Layer::Cssf`].
    pub layer: Layer,
    /// Tonnes owed (`≥ 0`).
    pub tonnes: TonnesCo2,
}

/// ECT flows from the bilateral net matrix: for each pair with `NT[r,s] > 0`, `r` pays `s`
/// `NT[r,s]` tonnes. Entries may list a pair once (either orientation; a negative entry
/// means the counterpart pays) or both ways, in which case the two must be opposite
/// (relative tolerance 1e-9). Zero entries give no flow. Output sorted by (payer, payee).
///
/// # Units
/// t CO2.
///
/// # Errors
/// [`PricingError::InvalidValue`] for NaN or infinite entries; [`PricingError::SelfFlow`];
/// [`PricingError::Duplicate`] for an ordered pair listed twice;
/// [`PricingError::NotAntisymmetric`].
pub fn ect_flows(nets: &[BilateralNet]) -> Result<Vec<Flow>, PricingError> {
    // Key: ordered pair as given. Value: NT.
    let mut given: BTreeMap<(&RegionId, &RegionId), f64> = BTreeMap::new();
    for entry in nets {
        if !entry.nt.0.is_finite() {
            return Err(PricingError::InvalidValue {
                region: entry.region.clone(),
                what: format!("bilateral net ECT towards {}", entry.counterpart),
                value: entry.nt.0,
                expected: "a finite number (t CO2)",
            });
        }
        if entry.region == entry.counterpart {
            return Err(PricingError::SelfFlow {
                region: entry.region.clone(),
                what: "bilateral net ECT",
            });
        }
        if given
            .insert((&entry.region, &entry.counterpart), entry.nt.0)
            .is_some()
        {
            return Err(PricingError::Duplicate {
                region: format!("{} → {}", entry.region, entry.counterpart),
                what: "the bilateral net ECT",
            });
        }
    }
    let mut flows = BTreeMap::new();
    for (&(r, s), &nt) in &given {
        if let Some(&reverse) = given.get(&(s, r)) {
            let scale = nt.abs().max(reverse.abs());
            if (nt + reverse).abs() > 1e-9 * scale {
                return Err(PricingError::NotAntisymmetric {
                    region: r.clone(),
                    counterpart: s.clone(),
                    nt,
                    reverse,
                    minus_nt: -nt,
                });
            }
        }
        let (payer, payee, tonnes) = if nt > 0.0 {
            (r, s, nt)
        } else if nt < 0.0 {
            (s, r, -nt)
        } else {
            continue;
        };
        // A pair given both ways yields the same flow twice; keep one.
        flows.insert(
            (payer.clone(), payee.clone()),
            Flow {
                payer: payer.clone(),
                payee: payee.clone(),
                layer: Layer::Ect,
                tonnes: TonnesCo2(tonnes),
            },
        );
    }
    Ok(flows.into_values().collect())
}

/// CSSF flows from transfers: a transfer from output `s` to input `r` means `r` pays `s`
/// `V_sr` tonnes. Zero transfers give no flow. Output sorted by (payer, payee).
///
/// # Units
/// t (as the transfers).
///
/// # Errors
/// Invalid transfers ([`PricingError::InvalidValue`], [`PricingError::SelfFlow`]) and
/// [`PricingError::Duplicate`] for a pair listed twice.
pub fn cssf_flows(transfers: &[CssTransfer]) -> Result<Vec<Flow>, PricingError> {
    let mut flows = BTreeMap::new();
    for transfer in transfers {
        if transfer.output == transfer.input {
            return Err(PricingError::SelfFlow {
                region: transfer.output.clone(),
                what: "CSSF transfer",
            });
        }
        if !(transfer.tonnes.0.is_finite() && transfer.tonnes.0 >= 0.0) {
            return Err(PricingError::InvalidValue {
                region: transfer.output.clone(),
                what: format!("CSSF transfer to {}", transfer.input),
                value: transfer.tonnes.0,
                expected: "a finite number ≥ 0 (t)",
            });
        }
        let key = (transfer.input.clone(), transfer.output.clone());
        let flow = Flow {
            payer: transfer.input.clone(),
            payee: transfer.output.clone(),
            layer: Layer::Cssf,
            tonnes: transfer.tonnes,
        };
        if flows.insert(key, flow).is_some() {
            return Err(PricingError::Duplicate {
                region: format!("{} → {}", transfer.output, transfer.input),
                what: "the CSSF transfers",
            });
        }
    }
    Ok(flows
        .into_values()
        .filter(|flow| flow.tonnes.0 > 0.0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> RegionId {
        name.parse().unwrap()
    }

    fn nt(r: &str, s: &str, v: f64) -> BilateralNet {
        BilateralNet {
            region: id(r),
            counterpart: id(s),
            nt: TonnesCo2(v),
        }
    }

    #[test]
    fn positive_nt_means_region_pays_counterpart() {
        let flows = ect_flows(&[
            nt("beijing", "tangshan", 5.0),
            nt("tianjin", "beijing", -2.0),
        ])
        .unwrap();
        assert_eq!(flows.len(), 2);
        assert_eq!(
            (flows[0].payer.as_str(), flows[0].payee.as_str()),
            ("beijing", "tangshan")
        );
        assert_eq!(
            (flows[1].payer.as_str(), flows[1].payee.as_str()),
            ("beijing", "tianjin")
        );
        assert_eq!(flows[1].tonnes, TonnesCo2(2.0));
    }

    #[test]
    fn full_antisymmetric_matrix_gives_one_flow_per_pair() {
        let flows = ect_flows(&[nt("a", "b", 3.0), nt("b", "a", -3.0), nt("a", "c", 0.0)]).unwrap();
        assert_eq!(flows.len(), 1);
        let err = ect_flows(&[nt("a", "b", 3.0), nt("b", "a", -2.0)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("NT[a,b] = 3") && err.contains("antisymmetric"),
            "{err}"
        );
    }

    #[test]
    fn bad_bilateral_entries() {
        let err = ect_flows(&[nt("a", "a", 1.0)]).unwrap_err().to_string();
        assert!(err.contains("region a to itself"), "{err}");
        let err = ect_flows(&[nt("a", "b", 1.0), nt("a", "b", 1.0)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("a → b more than once"), "{err}");
        let err = ect_flows(&[nt("a", "b", f64::NAN)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("towards b"), "{err}");
    }

    #[test]
    fn input_region_pays_output_region() {
        let t = CssTransfer {
            output: id("chengde"),
            input: id("tangshan"),
            tonnes: TonnesCo2(36.6978e6),
        };
        let flows = cssf_flows(std::slice::from_ref(&t)).unwrap();
        assert_eq!(flows[0].payer, id("tangshan"));
        assert_eq!(flows[0].payee, id("chengde"));
        assert_eq!(flows[0].layer, Layer::Cssf);
        let err = cssf_flows(&[t.clone(), t]).unwrap_err().to_string();
        assert!(err.contains("chengde → tangshan more than once"), "{err}");
        let bad = CssTransfer {
            output: id("x"),
            input: id("y"),
            tonnes: TonnesCo2(-1.0),
        };
        assert!(
            cssf_flows(&[bad])
                .unwrap_err()
                .to_string()
                .contains("transfer to y")
        );
    }
}
