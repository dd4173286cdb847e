//! The pairwise ledger: flows priced by a scheme, netted per pair, totalled per region.

use std::collections::BTreeMap;

use fzc_core::{
    Layer, PricingFlow, PricingInput, PricingScheme, RegionId, TonnesCo2, Yuan, YuanPerTonne,
};
use fzc_zoning::{Zone, ZoneClass, Zoning};

use crate::{Flow, PricingError, Standards, check_price};

/// City-level compensation of Eq 17: `TC_i = L_i · P · γ_i = L_i · standard_i`.
///
/// # Units
/// t CO2 × yuan/t = yuan. Positive: the region pays.
pub fn tc_eq17(benchmark: TonnesCo2, standard: YuanPerTonne) -> Yuan {
    benchmark * standard
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LedgerEntry {
    /// The region that pays.
    pub payer: RegionId,
    /// The region paid.
    pub payee: RegionId,
    /// `ect`, `cssf`, or `combined` (both netted per pair).
    pub layer: Layer,
    /// Tonnes owed. For `combined`: tonnes payer → payee minus tonnes payee → payer over both
    /// layers (may be negative when pricing reverses the direction of the tonnes).
    pub tonnes: TonnesCo2,
    /// The standard applied; `None` for `combined` (a mix of standards).
    pub standard: Option<YuanPerTonne>,
    /// The amount paid, `> 0` (for `combined`, the pair's net).
    pub amount: Yuan,
}

/// One region's totals in one layer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerTotal {
    /// The region.
    pub region: RegionId,
    /// Σ amounts it pays in the layer.
    pub paid: Yuan,
    /// Σ amounts it receives in the layer.
    pub received: Yuan,
}

/// One region's compensation account: its zoning by tonnes and its ledger by money.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionAccount {
    /// The region.
    pub region: RegionId,
    /// Its zoning class.
    pub class: ZoneClass,
    /// `NF` (t CO2).
    pub nf: TonnesCo2,
    /// `V_net` (t).
    pub v_net: TonnesCo2,
    /// The tonne benchmark `L = NF + V_net`.
    pub benchmark: TonnesCo2,
    /// The zone by tonnes (sign of `L`).
    pub zone: Zone,
    /// The region's standard `P · γ_i`.
    pub standard: YuanPerTonne,
    /// Eq 17, `L · P · γ_i` (whatever the scheme).
    pub tc_eq17: Yuan,
    /// What it pays over the combined (netted) ledger; for a region-only scheme (Eq 17),
    /// its amount if positive.
    pub paid: Yuan,
    /// What it receives over the combined ledger (or minus its amount if negative).
    pub received: Yuan,
    /// `paid − received`: `> 0` net payer, `< 0` net recipient (same sign convention as `L`).
    pub net: Yuan,
    /// The zone by money: the sign of `net` (zero within 1e-9 × (paid + received)).
    pub ledger_zone: Zone,
    /// `true` when `ledger_zone ≠ zone` (Langfang in the paper).
    pub flag: bool,
}

/// The result of pricing: ledger lines and region accounts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    scheme: String,
    parameters: Vec<(String, String)>,
    price: YuanPerTonne,
    entries: Vec<LedgerEntry>,
    accounts: Vec<RegionAccount>,
    layer_totals: Vec<(Layer, Vec<LayerTotal>)>,
}

impl Ledger {
    /// Prices `flows` (ECT and CSSF layers) with `scheme` and builds the ledger: one entry per
    /// flow in its layer, the combined layer (both layers added and netted per unordered pair;
    /// the net goes from the net payer to the net payee), and one account per zoned region.
    /// For a scheme that prices regions only (Eq 17), there are no entries and each
    /// account's amount is the scheme's region amount.
    ///
    /// # Units
    /// Tonnes in t CO2, standards in yuan/t, amounts in yuan.
    ///
    /// # Errors
    /// [`PricingError::InvalidPrice`]; [`PricingError::MissingStandard`] for a zoned region
    /// without a standard; [`PricingError::UnknownRegion`] for a flow naming a region that is
    /// not zoned; [`PricingError::InvalidValue`] for a flow of layer `combined`;
    /// [`PricingError::Scheme`] and [`PricingError::InconsistentScheme`] from the scheme.
    pub fn build(
        scheme: &dyn PricingScheme,
        zoning: &Zoning,
        standards: &Standards,
        flows: &[Flow],
    ) -> Result<Ledger, PricingError> {
        let price = standards.price();
        check_price(price)?;
        let zoned = zoning.regions();
        let regions: Vec<RegionId> = zoned.iter().map(|z| z.region.clone()).collect();
        let index: BTreeMap<&RegionId, usize> =
            regions.iter().enumerate().map(|(i, r)| (r, i)).collect();
        let mut region_standards = Vec::with_capacity(regions.len());
        for region in &regions {
            let standard = standards
                .get(region)
                .ok_or_else(|| PricingError::MissingStandard {
                    region: region.clone(),
                    missing: "the standards table has no row for it",
                })?;
            region_standards.push(standard.standard);
        }
        let benchmarks: Vec<TonnesCo2> = zoned.iter().map(|z| z.benchmark).collect();
        let mut indexed = Vec::with_capacity(flows.len());
        for flow in flows {
            let find = |region: &RegionId| {
                index
                    .get(region)
                    .copied()
                    .ok_or_else(|| PricingError::UnknownRegion {
                        region: region.clone(),
                        what: "a ledger flow",
                    })
            };
            if flow.layer == Layer::Combined {
                return Err(PricingError::InvalidValue {
                    region: flow.payer.clone(),
                    what: format!("layer of the flow to {}", flow.payee),
                    value: flow.tonnes.0,
                    expected: "an ect or cssf flow (combined is computed)",
                });
            }
            indexed.push(PricingFlow {
                payer: find(&flow.payer)?,
                payee: find(&flow.payee)?,
                layer: flow.layer,
                tonnes: flow.tonnes,
            });
        }
        let input = PricingInput {
            price,
            regions: &regions,
            standards: &region_standards,
            benchmarks: &benchmarks,
            population_persons: None,
            gdp: None,
            flows: &indexed,
        };
        let output = scheme.price(&input)?;
        let name = scheme.name().to_owned();
        let inconsistent = |why: String| PricingError::InconsistentScheme {
            scheme: name.clone(),
            why,
        };
        if output.region_amounts.len() != regions.len() {
            return Err(inconsistent(format!(
                "{} region amounts for {} regions",
                output.region_amounts.len(),
                regions.len()
            )));
        }

        let n = regions.len();
        let mut entries = Vec::new();
        let mut totals: Vec<(Layer, Vec<LayerTotal>)> = Vec::new();
        let (paid, received) = match &output.flow_prices {
            Some(prices) => {
                if prices.len() != indexed.len() {
                    return Err(inconsistent(format!(
                        "{} flow prices for {} flows",
                        prices.len(),
                        indexed.len()
                    )));
                }
                // Per-layer entries and totals.
                for layer in [Layer::Ect, Layer::Cssf] {
                    let mut paid = vec![Yuan(0.0); n];
                    let mut received = vec![Yuan(0.0); n];
                    for (flow, price) in
                        indexed.iter().zip(prices).filter(|(f, _)| f.layer == layer)
                    {
                        if !(price.amount.0.is_finite() && price.standard.0.is_finite()) {
                            return Err(inconsistent(format!(
                                "non-finite price for the flow {} → {}",
                                regions[flow.payer], regions[flow.payee]
                            )));
                        }
                        entries.push(LedgerEntry {
                            payer: regions[flow.payer].clone(),
                            payee: regions[flow.payee].clone(),
                            layer,
                            tonnes: flow.tonnes,
                            standard: Some(price.standard),
                            amount: price.amount,
                        });
                        paid[flow.payer] = paid[flow.payer] + price.amount;
                        received[flow.payee] = received[flow.payee] + price.amount;
                    }
                    totals.push((layer, layer_totals(&regions, &paid, &received)));
                }
                // Combined: net per unordered pair (i < j), signed from i's side.
                let mut pairs: BTreeMap<(usize, usize), (f64, f64)> = BTreeMap::new();
                for (flow, price) in indexed.iter().zip(prices) {
                    let (key, sign) = if flow.payer < flow.payee {
                        ((flow.payer, flow.payee), 1.0)
                    } else {
                        ((flow.payee, flow.payer), -1.0)
                    };
                    let pair = pairs.entry(key).or_insert((0.0, 0.0));
                    pair.0 += sign * price.amount.0;
                    pair.1 += sign * flow.tonnes.0;
                }
                let mut paid = vec![Yuan(0.0); n];
                let mut received = vec![Yuan(0.0); n];
                for ((i, j), (amount, tonnes)) in pairs {
                    let (payer, payee, amount, tonnes) = if amount > 0.0 {
                        (i, j, amount, tonnes)
                    } else if amount < 0.0 {
                        (j, i, -amount, -tonnes)
                    } else {
                        continue;
                    };
                    entries.push(LedgerEntry {
                        payer: regions[payer].clone(),
                        payee: regions[payee].clone(),
                        layer: Layer::Combined,
                        tonnes: TonnesCo2(tonnes),
                        standard: None,
                        amount: Yuan(amount),
                    });
                    paid[payer] = paid[payer] + Yuan(amount);
                    received[payee] = received[payee] + Yuan(amount);
                }
                totals.push((Layer::Combined, layer_totals(&regions, &paid, &received)));
                for (i, region) in regions.iter().enumerate() {
                    let net = paid[i].0 - received[i].0;
                    let claimed = output.region_amounts[i].0;
                    let scale = paid[i].0 + received[i].0;
                    if !((net - claimed).abs() <= 1e-9 * scale + 1e-6) {
                        return Err(inconsistent(format!(
                            "region {region}: amount {claimed} yuan, but its flows net to {net} yuan"
                        )));
                    }
                }
                (paid, received)
            }
            None => {
                let mut paid = vec![Yuan(0.0); n];
                let mut received = vec![Yuan(0.0); n];
                for (i, amount) in output.region_amounts.iter().enumerate() {
                    if !amount.0.is_finite() {
                        return Err(inconsistent(format!(
                            "non-finite amount for region {}",
                            regions[i]
                        )));
                    }
                    if amount.0 > 0.0 {
                        paid[i] = *amount;
                    } else {
                        received[i] = -*amount;
                    }
                }
                (paid, received)
            }
        };
        entries.sort_by(|a, b| (a.layer, &a.payer, &a.payee).cmp(&(b.layer, &b.payer, &b.payee)));

        let accounts = zoned
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let net = paid[i] - received[i];
                let tolerance = 1e-9 * (paid[i].0 + received[i].0);
                let ledger_zone = if net.0 > tolerance {
                    Zone::Payer
                } else if net.0 < -tolerance {
                    Zone::Recipient
                } else {
                    Zone::None
                };
                RegionAccount {
                    region: z.region.clone(),
                    class: z.class,
                    nf: z.nf,
                    v_net: z.v_net,
                    benchmark: z.benchmark,
                    zone: z.zone,
                    standard: region_standards[i],
                    tc_eq17: tc_eq17(z.benchmark, region_standards[i]),
                    paid: paid[i],
                    received: received[i],
                    net,
                    ledger_zone,
                    flag: ledger_zone != z.zone,
                }
            })
            .collect();
        Ok(Ledger {
            scheme: name,
            parameters: scheme.parameters(),
            price,
            entries,
            accounts,
            layer_totals: totals,
        })
    }

    /// The scheme's name.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The scheme's parameters.
    pub fn parameters(&self) -> &[(String, String)] {
        &self.parameters
    }

    /// The carbon price `P`.
    pub fn price(&self) -> YuanPerTonne {
        self.price
    }

    /// All entries, sorted by layer (`ect`, `cssf`, `combined`), payer, payee. Empty for a
    /// region-only scheme.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// The entries of one layer.
    pub fn layer(&self, layer: Layer) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter().filter(move |e| e.layer == layer)
    }

    /// Per-region paid/received in one layer, sorted by region (empty for a region-only
    /// scheme).
    pub fn layer_totals(&self, layer: Layer) -> &[LayerTotal] {
        self.layer_totals
            .iter()
            .find(|(l, _)| *l == layer)
            .map(|(_, t)| t.as_slice())
            .unwrap_or(&[])
    }

    /// The region accounts, sorted by region id.
    pub fn accounts(&self) -> &[RegionAccount] {
        &self.accounts
    }

    /// One region's account, if present.
    pub fn account(&self, region: &RegionId) -> Option<&RegionAccount> {
        self.accounts
            .binary_search_by(|a| a.region.cmp(region))
            .ok()
            .map(|i| &self.accounts[i])
    }
}

fn layer_totals(regions: &[RegionId], paid: &[Yuan], received: &[Yuan]) -> Vec<LayerTotal> {
    regions
        .iter()
        .zip(paid.iter().zip(received))
        .map(|(region, (paid, received))| LayerTotal {
            region: region.clone(),
            paid: *paid,
            received: *received,
        })
        .collect()
}
