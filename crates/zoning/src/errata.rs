//! The paper's Table 4 as printed, and where it contradicts Table 2 and the paper's own
//! results (METHOD section 3, *Errata*).
//!
//! Table 4 of Chen et al. (2025) lists the bidirectional zoning of the 13 BTH cities. Read
//! against Table 2 (the rule), section 4.3.3 (the text) and Figure 12 (the amounts), it has
//! these errors, each pinned by a test at the bottom of this file:
//!
//! 1. [`DOUBLE_LOW_LABELLED_PAYERS`]: the double-low row (Qinhuangdao, Zhangjiakou, Chengde) is
//!    labelled "Payment areas". Table 2 makes double-low a recipient zone, and Chengde is the
//!    largest recipient in section 4.3.3.
//! 2. [`SOURCE_DEFICIT_ROWS_SWAPPED`]: in the source-deficit/sink-surplus rows the
//!    `L > 0` row (Beijing, Baoding, Cangzhou) is labelled "Compensation receiving area" and the
//!    `L < 0` row "Payment areas"; Table 2 and the text say the opposite.
//! 3. [`LANGFANG_BENCHMARK_SIGN`]: Langfang is put in the `L < 0` row, but its published
//!    numbers give `L = 22.2755 − 15.7430 = +6.53` Mt > 0. It is a net recipient only in the
//!    money ledger (its CSS is priced at Tianjin's higher standard); fzc zones it payer by
//!    tonnes and the compensation layer flags the disagreement.
//! 4. [`SOURCE_SURPLUS_LABELLED_DOUBLE_HIGH`]: the rows holding Tianjin, Tangshan and Handan
//!    (net ECT output, net CSS input) are typed "Double-high"; by Table 2 they are
//!    source-surplus/sink-deficit. No BTH city is double-high.
//! 5. [`TIANJIN_LABELLED_RECIPIENT`]: Tianjin's row (`L > 0`) is labelled "Compensation
//!    receiving area"; by Table 2 `L > 0` pays, and the text calls Tianjin a payment area
//!    (it pays 2.730 billion yuan in section 4.3.3).

use crate::{Zone, ZoneClass};

/// One row of Table 4 as printed, with the class and zone fzc derives for its cities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table4Row {
    /// The "Type" cell as printed (continuation rows repeat the type above them).
    pub printed_type: &'static str,
    /// The "Compensation benchmark" cell as printed.
    pub printed_benchmark: &'static str,
    /// The "Compensation zoning" cell as printed, as a zone.
    pub printed_zone: Zone,
    /// The cities of the row (fzc region ids).
    pub cities: &'static [&'static str],
    /// The class Table 2's rule gives these cities with the published `NF` and `V_net`.
    pub class: ZoneClass,
    /// The zone by the tonne benchmark `L = NF + V_net`.
    pub zone: Zone,
    /// The erratum (a constant of this module) the row is subject to, if any.
    pub erratum: Option<&'static str>,
}

/// Erratum 1: double-low cities printed as payers.
pub const DOUBLE_LOW_LABELLED_PAYERS: &str = "double_low_labelled_payers";
/// Erratum 2: the zone labels of the `L > 0` / `L < 0` source-deficit rows are swapped.
pub const SOURCE_DEFICIT_ROWS_SWAPPED: &str = "source_deficit_rows_swapped";
/// Erratum 3: Langfang is listed with `L < 0` but its published numbers give `L > 0`.
pub const LANGFANG_BENCHMARK_SIGN: &str = "langfang_benchmark_sign";
/// Erratum 4: source-surplus/sink-deficit cities typed "Double-high".
pub const SOURCE_SURPLUS_LABELLED_DOUBLE_HIGH: &str = "source_surplus_labelled_double_high";
/// Erratum 5: Tianjin (`L > 0`) printed as a recipient.
pub const TIANJIN_LABELLED_RECIPIENT: &str = "tianjin_labelled_recipient";

/// Table 4 of the paper, row by row, as printed.
pub const TABLE_4: [Table4Row; 7] = [
    Table4Row {
        printed_type: "Double-low",
        printed_benchmark: "L_i = NF^r + V_rs",
        printed_zone: Zone::Payer,
        cities: &["qinhuangdao", "zhangjiakou", "chengde"],
        class: ZoneClass::DoubleLow,
        zone: Zone::Recipient,
        erratum: Some(DOUBLE_LOW_LABELLED_PAYERS),
    },
    Table4Row {
        printed_type: "Source deficit - Sink surplus",
        printed_benchmark: "L_i = NF^r - V_rs > 0",
        printed_zone: Zone::Recipient,
        cities: &["beijing", "baoding", "cangzhou"],
        class: ZoneClass::SourceDeficitSinkSurplus,
        zone: Zone::Payer,
        erratum: Some(SOURCE_DEFICIT_ROWS_SWAPPED),
    },
    Table4Row {
        printed_type: "Source deficit - Sink surplus",
        printed_benchmark: "L_i = NF^r - V_rs < 0",
        printed_zone: Zone::Payer,
        cities: &["langfang"],
        class: ZoneClass::SourceDeficitSinkSurplus,
        zone: Zone::Payer,
        erratum: Some(LANGFANG_BENCHMARK_SIGN),
    },
    Table4Row {
        printed_type: "Double-high",
        printed_benchmark: "L_i = V_rs - NF^r > 0",
        printed_zone: Zone::Recipient,
        cities: &["tianjin"],
        class: ZoneClass::SourceSurplusSinkDeficit,
        zone: Zone::Payer,
        erratum: Some(TIANJIN_LABELLED_RECIPIENT),
    },
    Table4Row {
        printed_type: "Double-high",
        printed_benchmark: "L_i = V_rs - NF^r < 0",
        printed_zone: Zone::Recipient,
        cities: &["tangshan", "handan"],
        class: ZoneClass::SourceSurplusSinkDeficit,
        zone: Zone::Recipient,
        erratum: Some(SOURCE_SURPLUS_LABELLED_DOUBLE_HIGH),
    },
    Table4Row {
        printed_type: "Single-output",
        printed_benchmark: "NF^r > 0",
        printed_zone: Zone::Payer,
        cities: &["shijiazhuang", "hengshui"],
        class: ZoneClass::EctOnly,
        zone: Zone::Payer,
        erratum: None,
    },
    Table4Row {
        printed_type: "Single-input",
        printed_benchmark: "NF^r < 0",
        printed_zone: Zone::Recipient,
        cities: &["xingtai"],
        class: ZoneClass::EctOnly,
        zone: Zone::Recipient,
        erratum: None,
    },
];

#[cfg(test)]
mod tests {
    //! These tests zone the 13 BTH cities from the paper's *published* inputs (net ECT,
    //! section 4.1.2; Table 3 transfers) — not from the table above — and compare.
    //! Four cities' net ECT magnitudes are unpublished (only signs, section 4.3.1): every
    //! test is run over a sweep of admissible magnitudes, so no assumption decides it.

    use fzc_core::{RegionId, TonnesCo2};

    use super::*;
    use crate::{CssTransfer, Zoning};

    const MT: f64 = 1e6;

    /// Net ECT (Mt), section 4.1.2; `None` = only the sign is published (4.3.1).
    const NF_MT: [(&str, f64); 9] = [
        ("shijiazhuang", 98.0608),
        ("beijing", 51.1045),
        ("baoding", 50.4899),
        ("cangzhou", 42.0635),
        ("langfang", 22.2755),
        ("tangshan", -141.70),
        ("zhangjiakou", -35.66),
        ("handan", -34.06),
        ("qinhuangdao", -24.41),
    ];

    /// Table 3: (output, input, transfer in Mt).
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

    fn id(name: &str) -> RegionId {
        name.parse().unwrap()
    }

    /// Zones BTH with the unpublished magnitudes set to `unpublished` (Mt, ≥ 0) — with the
    /// published signs: Hengshui +, Tianjin −, Xingtai −, Chengde −.
    fn bth(unpublished: [f64; 4]) -> Zoning {
        let mut nf: Vec<(RegionId, TonnesCo2)> = NF_MT
            .iter()
            .map(|(r, v)| (id(r), TonnesCo2(v * MT)))
            .collect();
        for ((region, sign), magnitude) in [
            ("hengshui", 1.0),
            ("tianjin", -1.0),
            ("xingtai", -1.0),
            ("chengde", -1.0),
        ]
        .into_iter()
        .zip(unpublished)
        {
            nf.push((id(region), TonnesCo2(sign * magnitude * MT)));
        }
        let transfers: Vec<CssTransfer> = TABLE_3_MT
            .iter()
            .map(|(s, r, v)| CssTransfer {
                output: id(s),
                input: id(r),
                tonnes: TonnesCo2(v * MT),
            })
            .collect();
        Zoning::from_layers(&nf, &transfers).unwrap()
    }

    /// Admissible magnitudes of the unpublished NF: Tianjin receives 0.106 billion yuan
    /// under ECT (4.3.1) at payers' standards ≥ 12.60 yuan/t, so |NF| ≤ 8.41 Mt; for the
    /// others any positive magnitude is admissible.
    fn sweeps() -> Vec<[f64; 4]> {
        let mut out = Vec::new();
        for hengshui in [0.01, 2.4, 50.0] {
            for tianjin in [0.01, 2.4, 8.41] {
                for other in [0.01, 5.0, 200.0] {
                    out.push([hengshui, tianjin, other, other]);
                }
            }
        }
        out
    }

    fn row(erratum: &str) -> &'static Table4Row {
        TABLE_4.iter().find(|r| r.erratum == Some(erratum)).unwrap()
    }

    fn assert_row_derived(row: &Table4Row) {
        for unpublished in sweeps() {
            let zoning = bth(unpublished);
            for city in row.cities {
                let z = zoning.get(&id(city)).unwrap();
                assert_eq!(z.class, row.class, "{city} with {unpublished:?}");
                assert_eq!(z.zone, row.zone, "{city} with {unpublished:?}");
            }
        }
    }

    #[test]
    fn every_city_is_in_exactly_one_row_and_matches_the_rule() {
        let mut cities: Vec<&str> = TABLE_4
            .iter()
            .flat_map(|r| r.cities.iter().copied())
            .collect();
        cities.sort_unstable();
        cities.dedup();
        assert_eq!(cities.len(), 13);
        assert_eq!(bth([1.0; 4]).regions().len(), 13);
        for row in &TABLE_4 {
            assert_row_derived(row);
        }
    }

    #[test]
    fn erratum_double_low_labelled_payers() {
        let row = row(DOUBLE_LOW_LABELLED_PAYERS);
        assert_row_derived(row);
        assert_eq!(row.printed_zone, Zone::Payer);
        assert_eq!(row.zone, Zone::Recipient);
        // Chengde is the largest recipient of section 4.3.3 (2.860 billion yuan): the text
        // agrees with the rule, not with the table.
        assert!(row.cities.contains(&"chengde"));
    }

    #[test]
    fn erratum_source_deficit_rows_swapped() {
        let row = row(SOURCE_DEFICIT_ROWS_SWAPPED);
        assert_row_derived(row);
        assert!(row.printed_benchmark.ends_with("> 0"));
        assert_eq!((row.printed_zone, row.zone), (Zone::Recipient, Zone::Payer));
        let zoning = bth([1.0; 4]);
        // Beijing: L = 51.1045 − (19.4626 + 7.6028) = 24.0391 Mt > 0.
        let beijing = zoning.get(&id("beijing")).unwrap();
        assert!((beijing.benchmark.0 / MT - 24.0391).abs() < 1e-9);
        // The other row of the pair is printed "Payment areas" under "L < 0".
        let other = row_printed("L_i = NF^r - V_rs < 0");
        assert_eq!(other.printed_zone, Zone::Payer);
    }

    fn row_printed(benchmark: &str) -> &'static Table4Row {
        TABLE_4
            .iter()
            .find(|r| r.printed_benchmark == benchmark)
            .unwrap()
    }

    #[test]
    fn erratum_langfang_benchmark_sign() {
        let row = row(LANGFANG_BENCHMARK_SIGN);
        assert_eq!(row.cities, ["langfang"]);
        assert!(row.printed_benchmark.ends_with("< 0"));
        assert_row_derived(row);
        let langfang = bth([1.0; 4]).get(&id("langfang")).unwrap().clone();
        // L = 22.2755 − 15.7430 = +6.5325 Mt: positive, whatever the table says.
        assert!((langfang.benchmark.0 / MT - 6.5325).abs() < 1e-9);
        assert_eq!(langfang.zone, Zone::Payer);
    }

    #[test]
    fn erratum_source_surplus_labelled_double_high() {
        let row = row(SOURCE_SURPLUS_LABELLED_DOUBLE_HIGH);
        assert_eq!(row.printed_type, "Double-high");
        assert_row_derived(row);
        assert_row_derived(row_printed("L_i = V_rs - NF^r > 0"));
        // No BTH city is double-high, whatever the unpublished magnitudes.
        for unpublished in sweeps() {
            assert!(
                bth(unpublished)
                    .regions()
                    .iter()
                    .all(|z| z.class != ZoneClass::DoubleHigh)
            );
        }
    }

    #[test]
    fn erratum_tianjin_labelled_recipient() {
        let row = row(TIANJIN_LABELLED_RECIPIENT);
        assert_eq!(row.cities, ["tianjin"]);
        assert_eq!((row.printed_zone, row.zone), (Zone::Recipient, Zone::Payer));
        assert_row_derived(row);
        // Tianjin is a payer for any |NF| below its CSS input of 63.9665 Mt.
        let tianjin = bth([1.0, 63.96, 1.0, 1.0])
            .get(&id("tianjin"))
            .unwrap()
            .clone();
        assert_eq!(tianjin.zone, Zone::Payer);
        assert!((tianjin.v_net.0 / MT - 63.9665).abs() < 1e-9);
    }

    #[test]
    fn single_layer_rows_agree_with_the_rule() {
        for row in TABLE_4.iter().filter(|r| r.erratum.is_none()) {
            assert_eq!(row.printed_zone, row.zone, "{row:?}");
            assert_row_derived(row);
        }
    }
}
