//! CSSF transfers and the net CSS position `V_net` they give each region.

use std::collections::BTreeMap;

use fzc_core::{RegionId, TonnesCo2};

use crate::ZoningError;

/// One carbon sequestration service transfer (a row of the paper's Table 3): the output
/// (surplus) region `output` provides `tonnes` of sequestration to the input (deficit) region
/// `input`. In the compensation layer the input region pays the output region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CssTransfer {
    /// The output region `s` (provides the service).
    pub output: RegionId,
    /// The input region `r` (receives the service).
    pub input: RegionId,
    /// The transfer `V_sr`, `≥ 0`.
    pub tonnes: TonnesCo2,
}

impl CssTransfer {
    /// Checks that the transfer is finite, non-negative and between two different regions.
    ///
    /// # Errors
    /// [`ZoningError::SelfTransfer`] or [`ZoningError::InvalidValue`] naming both regions.
    pub fn validate(&self) -> Result<(), ZoningError> {
        if self.output == self.input {
            return Err(ZoningError::SelfTransfer {
                region: self.output.clone(),
            });
        }
        if !(self.tonnes.0.is_finite() && self.tonnes.0 >= 0.0) {
            return Err(ZoningError::InvalidValue {
                region: self.output.clone(),
                what: format!("CSSF transfer to {}", self.input),
                value: self.tonnes.0,
                expected: "a finite number ≥ 0 (t)",
            });
        }
        Ok(())
    }
}

/// Each region's net CSS position `V_net = Σ received − Σ provided` over `transfers`
/// (`> 0`: net CSS input, a consumer of others' sequestration; `< 0`: net CSS output).
/// Regions named by no transfer are absent from the map (their `V_net` is 0).
///
/// # Units
/// t (as the transfers), per region.
///
/// # Errors
/// The first invalid transfer, see [`CssTransfer::validate`].
pub fn v_net(transfers: &[CssTransfer]) -> Result<BTreeMap<RegionId, TonnesCo2>, ZoningError> {
    let mut net: BTreeMap<RegionId, TonnesCo2> = BTreeMap::new();
    for transfer in transfers {
        transfer.validate()?;
        let received = net.entry(transfer.input.clone()).or_default();
        *received += transfer.tonnes;
        let provided = net.entry(transfer.output.clone()).or_default();
        *provided -= transfer.tonnes;
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(output: &str, input: &str, tonnes: f64) -> CssTransfer {
        CssTransfer {
            output: output.parse().unwrap(),
            input: input.parse().unwrap(),
            tonnes: TonnesCo2(tonnes),
        }
    }

    #[test]
    fn input_receives_and_output_provides() {
        let net = v_net(&[t("chengde", "tianjin", 2.0), t("chengde", "tangshan", 3.0)]).unwrap();
        assert_eq!(net[&"tianjin".parse::<RegionId>().unwrap()], TonnesCo2(2.0));
        assert_eq!(
            net[&"chengde".parse::<RegionId>().unwrap()],
            TonnesCo2(-5.0)
        );
    }

    #[test]
    fn bad_transfers_name_their_regions() {
        let err = v_net(&[t("a", "a", 1.0)]).unwrap_err().to_string();
        assert!(err.contains("region a to itself"), "{err}");
        let err = v_net(&[t("a", "b", -1.0)]).unwrap_err().to_string();
        assert!(
            err.contains("region a") && err.contains("to b") && err.contains("-1"),
            "{err}"
        );
        let err = v_net(&[t("a", "b", f64::NAN)]).unwrap_err().to_string();
        assert!(err.contains("NaN"), "{err}");
    }
}
