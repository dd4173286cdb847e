//! The pairwise ledger: flows priced by a scheme, netted per pair, totalled per region.

use std::collections::BTreeMap;

use fzc_core::{
    Layer, PricingFlow, PricingInput, PricingScheme, RegionId, TonnesCo2, Yuan, YuanPerTonne,
};
use fzc_zoning::{Zone, ZoneClass, Zoning};

use crate::{Flow, PricingError, RegionEconomy, Standards, check_price};

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
        Ledger::build_with_economy(scheme, zoning, standards, flows, &[])
    }

    /// As [`Ledger::build`], and passes the regions' population and GDP to the scheme
    /// ([`PricingInput::population_persons`], [`PricingInput::gdp`]) when `economy` has a row
    /// for every zoned region (otherwise the scheme sees `None`). The built-in schemes do not
    /// use them; plugins may.
    ///
    /// # Errors
    /// As [`Ledger::build`]; [`PricingError::UnknownRegion`] for an economy row of a region
    /// that is not zoned; [`PricingError::Duplicate`] for a region with two rows.
    pub fn build_with_economy(
        scheme: &dyn PricingScheme,
        zoning: &Zoning,
        standards: &Standards,
        flows: &[Flow],
        economy: &[RegionEconomy],
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
        let mut economy_rows: Vec<Option<&RegionEconomy>> = vec![None; regions.len()];
        for row in economy {
            let i = *index
                .get(&row.region)
                .ok_or_else(|| PricingError::UnknownRegion {
                    region: row.region.clone(),
                    what: "the economy table",
                })?;
            if economy_rows[i].replace(row).is_some() {
                return Err(PricingError::Duplicate {
                    region: row.region.to_string(),
                    what: "the economy table",
                });
            }
        }
        let complete: Option<Vec<&RegionEconomy>> = economy_rows.into_iter().collect();
        let population: Option<Vec<f64>> = complete
            .as_ref()
            .map(|rows| rows.iter().map(|r| r.population_persons).collect());
        let gdp: Option<Vec<Yuan>> = complete
            .as_ref()
            .map(|rows| rows.iter().map(|r| r.gdp).collect());
        let input = PricingInput {
            price,
            regions: &regions,
            standards: &region_standards,
            benchmarks: &benchmarks,
            population_persons: population.as_deref(),
            gdp: gdp.as_deref(),
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
                        paid[flow.payer] += price.amount;
                        received[flow.payee] += price.amount;
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
                    paid[payer] += Yuan(amount);
                    received[payee] += Yuan(amount);
                }
                totals.push((Layer::Combined, layer_totals(&regions, &paid, &received)));
                for (i, region) in regions.iter().enumerate() {
                    let net = paid[i].0 - received[i].0;
                    let claimed = output.region_amounts[i].0;
                    let scale = paid[i].0 + received[i].0;
                    let agrees = (net - claimed).abs() <= 1e-9 * scale + 1e-6;
                    if !agrees {
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

#[cfg(test)]
mod tests {
    use fzc_core::{FlowPrice, PricingOutput, PricingSchemeError};
    use fzc_zoning::CssTransfer;

    use super::*;
    use crate::{BuiltinScheme, cssf_flows};

    const MT: f64 = 1e6;
    const BILLION: f64 = 1e9;

    fn id(name: &str) -> RegionId {
        name.parse().unwrap()
    }

    /// Table 3 of the paper: (output, input, transfer in Mt).
    const TABLE_3_MT: [(&str, &str, f64); 12] = [
        ("beijing", "tianjin", 19.4626),
        ("qinhuangdao", "tianjin", 0.0749),
        ("zhangjiakou", "tianjin", 1.5292),
        ("chengde", "tianjin", 17.5773),
        ("cangzhou", "tianjin", 9.5795),
        ("langfang", "tianjin", 15.7430),
        ("beijing", "tangshan", 7.6028),
        ("qinhuangdao", "tangshan", 11.9647),
        ("zhangjiakou", "tangshan", 3.3255),
        ("chengde", "tangshan", 36.6978),
        ("baoding", "handan", 1.6807),
        ("chengde", "handan", 0.1030),
    ];

    fn table_3() -> Vec<CssTransfer> {
        TABLE_3_MT
            .iter()
            .map(|(s, r, v)| CssTransfer {
                output: id(s),
                input: id(r),
                tonnes: TonnesCo2(v * MT),
            })
            .collect()
    }

    /// The CSSF layer alone (NF = 0 everywhere), priced at the payers' standards implied by
    /// section 4.3.2 (Tianjin 44.34, Tangshan 45.73, Handan 12.9 yuan/t). The payees'
    /// standards must not matter under the paper's scheme: they are set to `payee_standard`.
    fn cssf_ledger(payee_standard: f64) -> Ledger {
        let transfers = table_3();
        let mut regions: Vec<RegionId> = transfers
            .iter()
            .flat_map(|t| [t.output.clone(), t.input.clone()])
            .collect();
        regions.sort();
        regions.dedup();
        let nf: Vec<(RegionId, TonnesCo2)> = regions
            .iter()
            .map(|r| (r.clone(), TonnesCo2(0.0)))
            .collect();
        let zoning = Zoning::from_layers(&nf, &transfers).unwrap();
        let given: Vec<(RegionId, YuanPerTonne)> = regions
            .iter()
            .map(|r| {
                let s = match r.as_str() {
                    "tianjin" => 44.34,
                    "tangshan" => 45.73,
                    "handan" => 12.9,
                    _ => payee_standard,
                };
                (r.clone(), YuanPerTonne(s))
            })
            .collect();
        let standards = Standards::given(YuanPerTonne(46.66), &given).unwrap();
        let flows = cssf_flows(&transfers).unwrap();
        Ledger::build(&BuiltinScheme::PayerStandard, &zoning, &standards, &flows).unwrap()
    }

    /// Section 4.3.2 prints amounts in billions of yuan to 3 decimals, and the standards are
    /// themselves derived from such amounts, so both roundings (half a unit of 0.001 billion
    /// each) add up: tolerance 1e6 yuan. Measured: the largest difference is Chengde's,
    /// 0.897e6 yuan (2.458897 vs 2.458); all others are ≤ 0.36e6.
    const TOLERANCE_YUAN: f64 = 1.0e6;

    fn assert_published(what: &str, ours: Yuan, published_billion: f64) {
        let diff = (ours.0 - published_billion * BILLION).abs();
        assert!(
            diff <= TOLERANCE_YUAN,
            "{what}: ours {} billion, paper {published_billion} billion, |diff| = {diff} yuan",
            ours.0 / BILLION
        );
    }

    #[test]
    fn reproduces_the_cssf_amounts_of_section_4_3_2() {
        for payee_standard in [12.6, 102.65] {
            let ledger = cssf_ledger(payee_standard);
            let totals = ledger.layer_totals(Layer::Cssf);
            let total = |r: &str| totals.iter().find(|t| t.region.as_str() == r).unwrap();
            for (region, paid) in [("tianjin", 2.836), ("tangshan", 2.725), ("handan", 0.023)] {
                assert_published(&format!("{region} pays"), total(region).paid, paid);
                assert_eq!(total(region).received, Yuan(0.0));
            }
            for (region, received) in [
                ("chengde", 2.458),
                ("beijing", 1.211),
                ("langfang", 0.698),
                ("baoding", 0.022),
            ] {
                assert_published(
                    &format!("{region} receives"),
                    total(region).received,
                    received,
                );
                assert_eq!(total(region).paid, Yuan(0.0));
            }
            for (payer, payee, amount) in [
                ("tangshan", "chengde", 1.678),
                ("tianjin", "beijing", 0.863),
                ("handan", "chengde", 0.001),
                ("tianjin", "qinhuangdao", 0.003),
            ] {
                let entry = ledger
                    .layer(Layer::Cssf)
                    .find(|e| e.payer.as_str() == payer && e.payee.as_str() == payee)
                    .unwrap();
                assert_published(&format!("{payer} → {payee}"), entry.amount, amount);
            }
            // With one layer, the combined ledger is the CSSF ledger.
            let combined: Vec<_> = ledger.layer(Layer::Combined).map(|e| e.amount).collect();
            let cssf: Vec<_> = ledger.layer(Layer::Cssf).map(|e| e.amount).collect();
            assert_eq!(combined, cssf);
        }
    }

    #[test]
    fn the_text_swaps_tianjin_and_tangshan_as_chengde_payers() {
        // METHOD section 5: section 4.3.3 says Chengde receives "from Tianjin (1.697 billion)
        // and Tangshan (797 million)". The CSSF ledger gives Tangshan → Chengde 1.678 and
        // Tianjin → Chengde 0.779 (the combined 0.797 adds a small ECT part): names swapped.
        let ledger = cssf_ledger(15.0);
        let pair = |payer: &str| {
            ledger
                .layer(Layer::Cssf)
                .find(|e| e.payer.as_str() == payer && e.payee.as_str() == "chengde")
                .unwrap()
                .amount
                .0
                / BILLION
        };
        assert!((pair("tangshan") - 1.678).abs() < 0.001);
        assert!((pair("tianjin") - 0.779).abs() < 0.001);
        assert!((pair("tangshan") - 1.697).abs() < 0.02 && (pair("tianjin") - 0.797).abs() < 0.02);
        assert!((pair("tianjin") - 1.697).abs() > 0.9);
    }

    #[test]
    fn langfang_is_a_tonne_payer_but_a_money_recipient() {
        // Section 4.3.3: Langfang pays 0.651 billion under ECT (22.2755 Mt at its standard,
        // 29.22 yuan/t) and receives 0.698 billion under CSSF from Tianjin; net it receives
        // 0.047 billion, while its tonne benchmark is +6.53 Mt.
        let zoning = Zoning::from_layers(
            &[
                (id("langfang"), TonnesCo2(22.2755 * MT)),
                (id("tangshan"), TonnesCo2(-22.2755 * MT)),
                (id("tianjin"), TonnesCo2(0.0)),
            ],
            &[CssTransfer {
                output: id("langfang"),
                input: id("tianjin"),
                tonnes: TonnesCo2(15.7430 * MT),
            }],
        )
        .unwrap();
        let standards = Standards::given(
            YuanPerTonne(46.66),
            &[
                (id("langfang"), YuanPerTonne(29.22)),
                (id("tangshan"), YuanPerTonne(45.73)),
                (id("tianjin"), YuanPerTonne(44.34)),
            ],
        )
        .unwrap();
        let mut flows = cssf_flows(&[CssTransfer {
            output: id("langfang"),
            input: id("tianjin"),
            tonnes: TonnesCo2(15.7430 * MT),
        }])
        .unwrap();
        flows.push(Flow {
            payer: id("langfang"),
            payee: id("tangshan"),
            layer: Layer::Ect,
            tonnes: TonnesCo2(22.2755 * MT),
        });
        let ledger =
            Ledger::build(&BuiltinScheme::PayerStandard, &zoning, &standards, &flows).unwrap();
        let langfang = ledger.account(&id("langfang")).unwrap();
        assert_eq!(langfang.zone, Zone::Payer);
        assert_eq!(langfang.ledger_zone, Zone::Recipient);
        assert!(langfang.flag);
        assert_published(
            "langfang ECT paid",
            ledger.layer_totals(Layer::Ect)[0].paid,
            0.651,
        );
        assert_published("langfang net received", -langfang.net, 0.047);
        assert!(!ledger.account(&id("tianjin")).unwrap().flag);
    }

    fn small_case() -> (Zoning, Standards) {
        let zoning = Zoning::from_layers(
            &[(id("a"), TonnesCo2(2.0)), (id("b"), TonnesCo2(-2.0))],
            &[],
        )
        .unwrap();
        let standards = Standards::given(
            YuanPerTonne(10.0),
            &[(id("a"), YuanPerTonne(5.0)), (id("b"), YuanPerTonne(20.0))],
        )
        .unwrap();
        (zoning, standards)
    }

    fn flow(payer: &str, payee: &str, layer: Layer, tonnes: f64) -> Flow {
        Flow {
            payer: id(payer),
            payee: id(payee),
            layer,
            tonnes: TonnesCo2(tonnes),
        }
    }

    #[test]
    fn combined_layer_nets_each_pair() {
        let (zoning, standards) = small_case();
        let flows = [
            flow("a", "b", Layer::Ect, 2.0),
            flow("b", "a", Layer::Cssf, 0.4),
        ];
        let ledger =
            Ledger::build(&BuiltinScheme::PayerStandard, &zoning, &standards, &flows).unwrap();
        // a pays 2 t × 5 = 10; b pays 0.4 t × 20 = 8; net a → b 2 yuan, net tonnes 1.6.
        let combined: Vec<_> = ledger.layer(Layer::Combined).collect();
        assert_eq!(combined.len(), 1);
        assert_eq!(
            (combined[0].payer.as_str(), combined[0].amount),
            ("a", Yuan(2.0))
        );
        assert!((combined[0].tonnes.0 - 1.6).abs() < 1e-12);
        assert_eq!(combined[0].standard, None);
        let a = ledger.account(&id("a")).unwrap();
        assert_eq!(
            (a.paid, a.received, a.net),
            (Yuan(2.0), Yuan(0.0), Yuan(2.0))
        );
        assert_eq!(a.tc_eq17, Yuan(10.0));
        assert!(!a.flag);
        // Under the payee's standard the direction reverses: a owes 2 × 20 = 40, b 0.4 × 5 = 2.
        let ledger =
            Ledger::build(&BuiltinScheme::PayeeStandard, &zoning, &standards, &flows).unwrap();
        assert_eq!(ledger.account(&id("a")).unwrap().net, Yuan(38.0));
        // Entries are sorted by layer, then payer, then payee.
        let layers: Vec<Layer> = ledger.entries().iter().map(|e| e.layer).collect();
        assert_eq!(layers, [Layer::Ect, Layer::Cssf, Layer::Combined]);
    }

    #[test]
    fn eq17_scheme_has_no_entries_and_uses_the_benchmark() {
        let (zoning, standards) = small_case();
        let flows = [flow("a", "b", Layer::Ect, 2.0)];
        let ledger = Ledger::build(&BuiltinScheme::Eq17, &zoning, &standards, &flows).unwrap();
        assert!(ledger.entries().is_empty());
        assert!(ledger.layer_totals(Layer::Ect).is_empty());
        let b = ledger.account(&id("b")).unwrap();
        assert_eq!(
            (b.paid, b.received, b.net),
            (Yuan(0.0), Yuan(40.0), Yuan(-40.0))
        );
        assert_eq!(ledger.scheme(), "eq17");
    }

    #[test]
    fn ledger_input_errors() {
        let (zoning, standards) = small_case();
        let err = Ledger::build(
            &BuiltinScheme::PayerStandard,
            &zoning,
            &standards,
            &[flow("a", "zz", Layer::Ect, 1.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("region zz") && err.contains("not among"),
            "{err}"
        );
        let err = Ledger::build(
            &BuiltinScheme::PayerStandard,
            &zoning,
            &standards,
            &[flow("a", "b", Layer::Combined, 1.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("combined is computed"), "{err}");
        let partial =
            Standards::given(YuanPerTonne(10.0), &[(id("a"), YuanPerTonne(5.0))]).unwrap();
        let err = Ledger::build(&BuiltinScheme::PayerStandard, &zoning, &partial, &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region b") && err.contains("standard"),
            "{err}"
        );
        let err = Ledger::build(
            &BuiltinScheme::PayerStandard,
            &zoning,
            &standards,
            &[flow("a", "b", Layer::Ect, -1.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ect flow a → b"), "{err}");
    }

    /// A scheme that records whether it saw population and GDP.
    struct Peek;

    impl PricingScheme for Peek {
        fn name(&self) -> &str {
            "peek"
        }
        fn parameters(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
            let seen = match (input.population_persons, input.gdp) {
                (Some(p), Some(g)) => p.iter().zip(g).map(|(p, g)| g.0 / p).collect(),
                _ => vec![-1.0; input.regions.len()],
            };
            Ok(PricingOutput {
                flow_prices: None,
                region_amounts: seen.into_iter().map(Yuan).collect(),
            })
        }
    }

    #[test]
    fn economy_reaches_the_scheme_only_when_complete() {
        let (zoning, standards) = small_case();
        let row = |name: &str, gdp: f64| RegionEconomy {
            region: id(name),
            population_persons: 2.0,
            gdp: Yuan(gdp),
            engel: None,
        };
        let full = [row("b", 8.0), row("a", 4.0)];
        let ledger = Ledger::build_with_economy(&Peek, &zoning, &standards, &[], &full).unwrap();
        let nets: Vec<f64> = ledger.accounts().iter().map(|a| a.net.0).collect();
        assert_eq!(nets, [2.0, 4.0]);
        let ledger =
            Ledger::build_with_economy(&Peek, &zoning, &standards, &[], &full[..1]).unwrap();
        assert_eq!(ledger.account(&id("a")).unwrap().net, Yuan(-1.0));
        let err = Ledger::build_with_economy(&Peek, &zoning, &standards, &[], &[row("q", 1.0)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("region q") && err.contains("economy"), "{err}");
        let err = Ledger::build_with_economy(
            &Peek,
            &zoning,
            &standards,
            &[],
            &[row("a", 1.0), row("a", 2.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("more than once"), "{err}");
    }

    /// A scheme that claims region amounts its flows do not support.
    struct Liar;

    impl PricingScheme for Liar {
        fn name(&self) -> &str {
            "liar"
        }
        fn parameters(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
            Ok(PricingOutput {
                flow_prices: Some(
                    input
                        .flows
                        .iter()
                        .map(|f| FlowPrice {
                            standard: YuanPerTonne(1.0),
                            amount: f.tonnes * YuanPerTonne(1.0),
                        })
                        .collect(),
                ),
                region_amounts: vec![Yuan(0.0); input.regions.len()],
            })
        }
    }

    #[test]
    fn inconsistent_scheme_output_is_caught() {
        let (zoning, standards) = small_case();
        let err = Ledger::build(
            &Liar,
            &zoning,
            &standards,
            &[flow("a", "b", Layer::Ect, 1.0)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`liar`") && err.contains("region a"), "{err}");
    }

    mod python_reference {
        //! Cross-check against an independent plain-Python implementation
        //! (`crates/pricing/tests/fixtures/reference/make_reference.py`; inputs and outputs committed there).

        use std::collections::BTreeMap;

        use super::*;
        use crate::{
            AreaMean, BilateralNet, Eq18Params, RegionEconomy, StandardsInput, cssf_flows,
            ect_flows,
        };

        const ECONOMY: &str = include_str!("../tests/fixtures/reference/economy.csv");
        const FLOWS: &str = include_str!("../tests/fixtures/reference/flows.csv");
        const STANDARDS: &str = include_str!("../tests/fixtures/reference/reference-standards.csv");
        const LEDGER: &str = include_str!("../tests/fixtures/reference/reference-ledger.csv");
        const ACCOUNTS: &str = include_str!("../tests/fixtures/reference/reference-accounts.csv");

        fn rows(text: &str) -> Vec<Vec<&str>> {
            text.lines()
                .skip(1)
                .map(|l| l.split(',').collect())
                .collect()
        }

        fn num(text: &str) -> f64 {
            text.parse().unwrap()
        }

        /// Both sides compute in f64 with sums in different orders: 1e-12 relative.
        fn assert_close(what: &str, ours: f64, reference: f64) {
            let scale = ours.abs().max(reference.abs()).max(1.0);
            assert!(
                (ours - reference).abs() <= 1e-12 * scale,
                "{what}: ours {ours}, python {reference}"
            );
        }

        fn economy() -> Vec<RegionEconomy> {
            rows(ECONOMY)
                .into_iter()
                .map(|r| RegionEconomy {
                    region: id(r[0]),
                    population_persons: num(r[1]),
                    gdp: Yuan(num(r[2])),
                    engel: Some(num(r[3])),
                })
                .collect()
        }

        fn standards(mean: AreaMean) -> Standards {
            let economy = economy();
            let regions: Vec<RegionId> = economy.iter().map(|r| r.region.clone()).collect();
            Standards::compute(&StandardsInput {
                price: YuanPerTonne(46.66),
                regions: &regions,
                economy: &economy,
                given: &[],
                params: Eq18Params {
                    mean,
                    ..Eq18Params::default()
                },
            })
            .unwrap()
        }

        #[test]
        fn standards_match() {
            let reference = rows(STANDARDS);
            assert_eq!(reference.len(), 26);
            for row in reference {
                let mean: AreaMean = row[0].parse().unwrap();
                let s = standards(mean);
                let ours = s.get(&id(row[1])).unwrap();
                assert_close(
                    &format!("gamma {} {}", row[0], row[1]),
                    ours.gamma,
                    num(row[2]),
                );
                assert_close(
                    &format!("standard {}", row[1]),
                    ours.standard.0,
                    num(row[3]),
                );
            }
        }

        #[test]
        fn ledgers_and_accounts_match() {
            let mut nets = Vec::new();
            let mut transfers = Vec::new();
            let mut nf: BTreeMap<RegionId, f64> =
                economy().into_iter().map(|r| (r.region, 0.0)).collect();
            for row in rows(FLOWS) {
                let (payer, payee, tonnes) = (id(row[1]), id(row[2]), num(row[3]));
                if row[0] == "ect" {
                    *nf.get_mut(&payer).unwrap() += tonnes;
                    *nf.get_mut(&payee).unwrap() -= tonnes;
                    nets.push(BilateralNet {
                        region: payer,
                        counterpart: payee,
                        nt: TonnesCo2(tonnes),
                    });
                } else {
                    transfers.push(CssTransfer {
                        output: payee,
                        input: payer,
                        tonnes: TonnesCo2(tonnes),
                    });
                }
            }
            let nf: Vec<(RegionId, TonnesCo2)> =
                nf.into_iter().map(|(r, v)| (r, TonnesCo2(v))).collect();
            let zoning = Zoning::from_layers(&nf, &transfers).unwrap();
            let mut flows = ect_flows(&nets).unwrap();
            flows.extend(cssf_flows(&transfers).unwrap());
            let standards = standards(AreaMean::PopulationWeighted);

            let reference_ledger = rows(LEDGER);
            let reference_accounts = rows(ACCOUNTS);
            for scheme in BuiltinScheme::ALL {
                let ledger = Ledger::build(&scheme, &zoning, &standards, &flows).unwrap();
                let expected: Vec<_> = reference_ledger
                    .iter()
                    .filter(|r| r[0] == scheme.as_str())
                    .collect();
                assert_eq!(ledger.entries().len(), expected.len(), "{scheme}");
                for row in expected {
                    let entry = ledger
                        .entries()
                        .iter()
                        .find(|e| {
                            e.layer.as_str() == row[1]
                                && e.payer.as_str() == row[2]
                                && e.payee.as_str() == row[3]
                        })
                        .unwrap_or_else(|| panic!("{scheme}: no entry for {row:?}"));
                    let what = format!("{scheme} {row:?}");
                    assert_close(&what, entry.tonnes.0, num(row[4]));
                    match entry.standard {
                        Some(s) => assert_close(&what, s.0, num(row[5])),
                        None => assert_eq!(row[5], "", "{what}"),
                    }
                    assert_close(&what, entry.amount.0, num(row[6]));
                }
                let expected: Vec<_> = reference_accounts
                    .iter()
                    .filter(|r| r[0] == scheme.as_str())
                    .collect();
                assert_eq!(ledger.accounts().len(), expected.len());
                for (account, row) in ledger.accounts().iter().zip(expected) {
                    let what = format!("{scheme} {}", row[1]);
                    assert_eq!(account.region.as_str(), row[1]);
                    assert_eq!(account.class.as_str(), row[2], "{what}");
                    assert_close(&what, account.nf.0, num(row[3]));
                    assert_close(&what, account.v_net.0, num(row[4]));
                    assert_close(&what, account.benchmark.0, num(row[5]));
                    assert_eq!(account.zone.as_str(), row[6], "{what}");
                    assert_close(&what, account.tc_eq17.0, num(row[7]));
                    assert_close(&what, account.paid.0, num(row[8]));
                    assert_close(&what, account.received.0, num(row[9]));
                    assert_close(&what, account.net.0, num(row[10]));
                    assert_eq!(account.flag.to_string(), row[11], "{what}");
                }
            }
        }
    }
}
