//! The [`PricingScheme`] trait: how tonnes owed become money owed.
//!
//! A pricing scheme receives plain data (region ids, per-region standards and benchmarks,
//! and the pairwise flows of tonnes) and returns plain data (one price per flow, or none, and
//! one signed amount per region). Nothing in it borrows a type a plugin could not build from
//! `f64` slices and region labels, so a later C ABI can wrap it.
//!
//! Sign convention, everywhere: a region amount `> 0` means the region pays (net payer),
//! `< 0` means it receives (net recipient). This matches the sign of the tonne benchmark
//! `L = NF + V_net` of the zoning layer.

use std::fmt;
use std::str::FromStr;

use crate::{RegionId, TonnesCo2, Yuan, YuanPerTonne};

/// The account a flow of tonnes belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Embodied carbon transfer: `r` pays `s` for `NT[r,s] > 0`.
    Ect,
    /// Carbon sequestration service flow: the input region pays the output region.
    Cssf,
    /// The ECT and CSSF accounts added and netted per unordered pair.
    Combined,
}

impl Layer {
    /// Every layer, in output order.
    pub const ALL: [Layer; 3] = [Layer::Ect, Layer::Cssf, Layer::Combined];

    /// The stable name written to files: `ect`, `cssf`, `combined`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Ect => "ect",
            Layer::Cssf => "cssf",
            Layer::Combined => "combined",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Layer {
    type Err = PricingSchemeError;

    fn from_str(text: &str) -> Result<Self, PricingSchemeError> {
        Layer::ALL
            .into_iter()
            .find(|layer| layer.as_str() == text)
            .ok_or_else(|| PricingSchemeError::UnknownLayer {
                text: text.to_owned(),
            })
    }
}

/// One flow of tonnes owed by one region to another, by index into
/// [`PricingInput::regions`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PricingFlow {
    /// Index of the paying region.
    pub payer: usize,
    /// Index of the region paid.
    pub payee: usize,
    /// The account the flow belongs to.
    pub layer: Layer,
    /// Tonnes owed, `≥ 0`.
    pub tonnes: TonnesCo2,
}

/// Everything a pricing scheme may use. All per-region slices have the length of `regions`
/// and are in its order.
#[derive(Debug, Clone, Copy)]
pub struct PricingInput<'a> {
    /// The carbon price `P`.
    pub price: YuanPerTonne,
    /// The regions, in the order every per-region slice follows.
    pub regions: &'a [RegionId],
    /// Each region's compensation standard `P · γ_i`.
    pub standards: &'a [YuanPerTonne],
    /// Each region's tonne benchmark `L_i = NF_i + V_net_i` (`> 0`: payer).
    pub benchmarks: &'a [TonnesCo2],
    /// Resident population per region (persons), if known.
    pub population_persons: Option<&'a [f64]>,
    /// GDP per region, if known.
    pub gdp: Option<&'a [Yuan]>,
    /// The flows to price (`Layer::Ect` and `Layer::Cssf`).
    pub flows: &'a [PricingFlow],
}

impl PricingInput<'_> {
    /// Checks that every per-region slice has the length of `regions`, that every flow
    /// refers to a region by a valid index, and that prices, standards and tonnes are finite
    /// and non-negative.
    ///
    /// # Errors
    /// [`PricingSchemeError::LengthMismatch`], [`PricingSchemeError::FlowOutOfRange`] or
    /// [`PricingSchemeError::InvalidValue`], naming the slice, flow or region.
    pub fn validate(&self) -> Result<(), PricingSchemeError> {
        let n = self.regions.len();
        let check_len = |what: &'static str, len: usize| {
            if len == n {
                Ok(())
            } else {
                Err(PricingSchemeError::LengthMismatch {
                    what,
                    expected: n,
                    found: len,
                })
            }
        };
        check_len("standards", self.standards.len())?;
        check_len("benchmarks", self.benchmarks.len())?;
        if let Some(population) = self.population_persons {
            check_len("population_persons", population.len())?;
        }
        if let Some(gdp) = self.gdp {
            check_len("gdp", gdp.len())?;
        }
        if !(self.price.0.is_finite() && self.price.0 >= 0.0) {
            return Err(PricingSchemeError::InvalidValue {
                what: "price".to_owned(),
                value: self.price.0,
                expected: "a finite number ≥ 0 (yuan/t)",
            });
        }
        for (region, standard) in self.regions.iter().zip(self.standards) {
            if !(standard.0.is_finite() && standard.0 >= 0.0) {
                return Err(PricingSchemeError::InvalidValue {
                    what: format!("standard of region {region}"),
                    value: standard.0,
                    expected: "a finite number ≥ 0 (yuan/t)",
                });
            }
        }
        for (region, benchmark) in self.regions.iter().zip(self.benchmarks) {
            if !benchmark.0.is_finite() {
                return Err(PricingSchemeError::InvalidValue {
                    what: format!("benchmark of region {region}"),
                    value: benchmark.0,
                    expected: "a finite number (t CO2)",
                });
            }
        }
        for (index, flow) in self.flows.iter().enumerate() {
            if flow.payer >= n || flow.payee >= n {
                return Err(PricingSchemeError::FlowOutOfRange {
                    index,
                    payer: flow.payer,
                    payee: flow.payee,
                    regions: n,
                });
            }
            if !(flow.tonnes.0.is_finite() && flow.tonnes.0 >= 0.0) {
                return Err(PricingSchemeError::InvalidValue {
                    what: format!(
                        "tonnes of {} flow {} → {}",
                        flow.layer, self.regions[flow.payer], self.regions[flow.payee]
                    ),
                    value: flow.tonnes.0,
                    expected: "a finite number ≥ 0 (t CO2)",
                });
            }
        }
        Ok(())
    }
}

/// The price a scheme put on one flow.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FlowPrice {
    /// The standard applied to the flow's tonnes.
    pub standard: YuanPerTonne,
    /// The amount the payer owes the payee, `tonnes · standard`.
    pub amount: Yuan,
}

/// What a pricing scheme returns.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PricingOutput {
    /// One price per input flow, in the input's order; `None` when the scheme prices
    /// regions only (Eq 17).
    pub flow_prices: Option<Vec<FlowPrice>>,
    /// One signed amount per region, in the input's order: `> 0` pays, `< 0` receives.
    /// For a scheme that prices flows this must equal, per region, what it pays minus what
    /// it receives over all flows.
    pub region_amounts: Vec<Yuan>,
}

/// A rule that turns flows of tonnes into amounts of money.
///
/// Implementations must be deterministic and must not reorder anything: outputs follow the
/// input's region and flow order. The built-ins (`payer`/`paper`, `payee`, `uniform`, `eq17`)
/// live in `fzc-pricing`, which also nets, totals and flags the result.
///
/// ```
/// use fzc_core::{
///     FlowPrice, Layer, PricingFlow, PricingInput, PricingOutput, PricingScheme,
///     PricingSchemeError, RegionId, TonnesCo2, Yuan, YuanPerTonne,
/// };
///
/// /// Every flow at the mean of the two regions' standards.
/// struct MeanStandard;
///
/// impl PricingScheme for MeanStandard {
///     fn name(&self) -> &str {
///         "mean"
///     }
///     fn parameters(&self) -> Vec<(String, String)> {
///         vec![("rule".into(), "(payer + payee) / 2".into())]
///     }
///     fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
///         input.validate()?;
///         let mut region_amounts = vec![Yuan(0.0); input.regions.len()];
///         let mut prices = Vec::new();
///         for flow in input.flows {
///             let s = (input.standards[flow.payer].0 + input.standards[flow.payee].0) / 2.0;
///             let amount = flow.tonnes * YuanPerTonne(s);
///             region_amounts[flow.payer] = region_amounts[flow.payer] + amount;
///             region_amounts[flow.payee] = region_amounts[flow.payee] - amount;
///             prices.push(FlowPrice { standard: YuanPerTonne(s), amount });
///         }
///         Ok(PricingOutput { flow_prices: Some(prices), region_amounts })
///     }
/// }
///
/// let regions: Vec<RegionId> = vec!["a".parse()?, "b".parse()?];
/// let flows = [PricingFlow { payer: 0, payee: 1, layer: Layer::Cssf, tonnes: TonnesCo2(2.0) }];
/// let out = MeanStandard.price(&PricingInput {
///     price: YuanPerTonne(46.66),
///     regions: &regions,
///     standards: &[YuanPerTonne(10.0), YuanPerTonne(30.0)],
///     benchmarks: &[TonnesCo2(2.0), TonnesCo2(-2.0)],
///     population_persons: None,
///     gdp: None,
///     flows: &flows,
/// })?;
/// assert_eq!(out.region_amounts, [Yuan(40.0), Yuan(-40.0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait PricingScheme: Send + Sync {
    /// A short stable name (`payer`, `payee`, `uniform`, `eq17`, or a plugin's own).
    fn name(&self) -> &str;

    /// The scheme's parameters as `(name, value)` text pairs, for reports.
    fn parameters(&self) -> Vec<(String, String)>;

    /// Prices the flows (or the regions) of `input`.
    ///
    /// # Errors
    /// [`PricingSchemeError`] when the input is inconsistent or the scheme cannot price it.
    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError>;
}

/// What can go wrong inside a pricing scheme.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PricingSchemeError {
    /// A per-region slice does not have one entry per region.
    #[error("pricing input `{what}` has {found} entries, expected {expected} (one per region)")]
    LengthMismatch {
        /// Which slice.
        what: &'static str,
        /// The number of regions.
        expected: usize,
        /// The slice's length.
        found: usize,
    },
    /// A flow refers to a region index outside `regions`.
    #[error(
        "flow {index} refers to region index {payer} → {payee}, but there are only {regions} regions"
    )]
    FlowOutOfRange {
        /// Index of the flow.
        index: usize,
        /// Its payer index.
        payer: usize,
        /// Its payee index.
        payee: usize,
        /// The number of regions.
        regions: usize,
    },
    /// A value is NaN, infinite or negative where it must not be.
    #[error("{what} is {value}, expected {expected}")]
    InvalidValue {
        /// What the value is (names the region or flow).
        what: String,
        /// The value as given.
        value: f64,
        /// What would be right.
        expected: &'static str,
    },
    /// A layer name that is not `ect`, `cssf` or `combined`.
    #[error("unknown layer {text:?}: expected one of ect, cssf, combined")]
    UnknownLayer {
        /// The name as read.
        text: String,
    },
    /// A scheme-specific failure (plugins report through this).
    #[error("pricing scheme `{scheme}` failed: {message}")]
    Scheme {
        /// The scheme's name.
        scheme: String,
        /// What went wrong.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<RegionId> {
        names.iter().map(|n| RegionId::new(*n).unwrap()).collect()
    }

    #[test]
    fn layer_names_round_trip_and_unknown_is_an_error() {
        for layer in Layer::ALL {
            assert_eq!(layer.as_str().parse::<Layer>().unwrap(), layer);
        }
        let err = "both".parse::<Layer>().unwrap_err().to_string();
        assert!(err.contains("\"both\"") && err.contains("cssf"), "{err}");
    }

    #[test]
    fn validate_names_the_bad_part() {
        let regions = ids(&["a", "b"]);
        let standards = [YuanPerTonne(1.0), YuanPerTonne(2.0)];
        let benchmarks = [TonnesCo2(1.0), TonnesCo2(-1.0)];
        let flows = [PricingFlow {
            payer: 0,
            payee: 1,
            layer: Layer::Ect,
            tonnes: TonnesCo2(1.0),
        }];
        let good = PricingInput {
            price: YuanPerTonne(46.66),
            regions: &regions,
            standards: &standards,
            benchmarks: &benchmarks,
            population_persons: None,
            gdp: None,
            flows: &flows,
        };
        good.validate().unwrap();

        let short = PricingInput {
            standards: &standards[..1],
            ..good
        };
        let err = short.validate().unwrap_err().to_string();
        assert!(
            err.contains("standards") && err.contains("expected 2"),
            "{err}"
        );

        let bad_flow = [PricingFlow {
            payee: 7,
            ..flows[0]
        }];
        let err = PricingInput {
            flows: &bad_flow,
            ..good
        }
        .validate()
        .unwrap_err();
        assert!(matches!(
            err,
            PricingSchemeError::FlowOutOfRange { index: 0, .. }
        ));

        let negative = [PricingFlow {
            tonnes: TonnesCo2(-1.0),
            ..flows[0]
        }];
        let err = PricingInput {
            flows: &negative,
            ..good
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(err.contains("ect flow a → b"), "{err}");

        let err = PricingInput {
            price: YuanPerTonne(f64::NAN),
            ..good
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(err.contains("price"), "{err}");
    }
}
