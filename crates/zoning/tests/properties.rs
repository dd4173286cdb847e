//! Properties of the zoning rule (METHOD section 3).

// Tests may unwrap (common rules); helpers outside #[test] functions included.
#![allow(clippy::unwrap_used)]

use fzc_core::{RegionId, TonnesCo2};
use fzc_zoning::{CssTransfer, RegionPosition, Sign, Zone, ZoneClass, Zoning};
use proptest::prelude::*;

/// A position that is exactly zero a third of the time.
fn position() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), -1e9..-1e-3f64, 1e-3..1e9f64]
}

/// Table 2 read row by row, independently of `ZoneClass::from_signs`.
fn table_2(nf: f64, v: f64) -> (ZoneClass, Option<Zone>) {
    let rows = [
        // (nf > 0, nf < 0, v > 0, v < 0) → class, zone fixed by the class (None: sign of L)
        (
            (true, false, true, false),
            ZoneClass::DoubleHigh,
            Some(Zone::Payer),
        ),
        (
            (false, true, false, true),
            ZoneClass::DoubleLow,
            Some(Zone::Recipient),
        ),
        (
            (true, false, false, true),
            ZoneClass::SourceDeficitSinkSurplus,
            None,
        ),
        (
            (false, true, true, false),
            ZoneClass::SourceSurplusSinkDeficit,
            None,
        ),
        (
            (true, false, false, false),
            ZoneClass::EctOnly,
            Some(Zone::Payer),
        ),
        (
            (false, true, false, false),
            ZoneClass::EctOnly,
            Some(Zone::Recipient),
        ),
        (
            (false, false, true, false),
            ZoneClass::CssOnly,
            Some(Zone::Payer),
        ),
        (
            (false, false, false, true),
            ZoneClass::CssOnly,
            Some(Zone::Recipient),
        ),
        (
            (false, false, false, false),
            ZoneClass::Neutral,
            Some(Zone::None),
        ),
    ];
    let key = (nf > 0.0, nf < 0.0, v > 0.0, v < 0.0);
    let (_, class, zone) = rows.into_iter().find(|(k, _, _)| *k == key).unwrap();
    (class, zone)
}

fn id(i: usize) -> RegionId {
    RegionId::new(format!("r{i}")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn class_table_for_arbitrary_signs(nf in position(), v in position()) {
        let zoned = RegionPosition { region: id(0), nf: TonnesCo2(nf), v_net: TonnesCo2(v) }
            .zone()
            .unwrap();
        let (class, zone) = table_2(nf, v);
        prop_assert_eq!(zoned.class, class);
        if let Some(zone) = zone {
            prop_assert_eq!(zoned.zone, zone);
        }
        // The zone is always the sign of L = NF + V_net.
        prop_assert_eq!(zoned.benchmark, TonnesCo2(nf + v));
        let expected = if nf + v > 0.0 { Zone::Payer } else if nf + v < 0.0 { Zone::Recipient } else { Zone::None };
        prop_assert_eq!(zoned.zone, expected);
        // Table 2's magnitude form of the class equals the signed rule exactly.
        let magnitude = class.table2_benchmark(
            TonnesCo2(nf.abs()), TonnesCo2(v.abs()), Sign::of(nf), Sign::of(v));
        prop_assert_eq!(magnitude, zoned.benchmark);
        // Names round-trip.
        prop_assert_eq!(zoned.class.as_str().parse::<ZoneClass>().unwrap(), zoned.class);
    }

    #[test]
    fn benchmark_is_nf_plus_v_net_from_transfers(
        nf in prop::collection::vec(position(), 2..7),
        raw in prop::collection::vec((0usize..7, 0usize..7, 0.0..1e8f64), 0..12),
    ) {
        let n = nf.len();
        let mut seen = std::collections::BTreeSet::new();
        let transfers: Vec<CssTransfer> = raw
            .into_iter()
            .map(|(s, r, v)| (s % n, r % n, v))
            .filter(|(s, r, _)| s != r && seen.insert((*s, *r)))
            .map(|(s, r, v)| CssTransfer { output: id(s), input: id(r), tonnes: TonnesCo2(v) })
            .collect();
        let layers: Vec<(RegionId, TonnesCo2)> =
            nf.iter().enumerate().map(|(i, v)| (id(i), TonnesCo2(*v))).collect();
        let zoning = Zoning::from_layers(&layers, &transfers).unwrap();
        prop_assert_eq!(zoning.regions().len(), n);
        let mut total_v = 0.0;
        for (i, nf_i) in nf.iter().enumerate() {
            let received: f64 = transfers.iter().filter(|t| t.input == id(i)).map(|t| t.tonnes.0).sum();
            let provided: f64 = transfers.iter().filter(|t| t.output == id(i)).map(|t| t.tonnes.0).sum();
            let z = zoning.get(&id(i)).unwrap();
            let scale = received + provided + 1.0;
            prop_assert!((z.v_net.0 - (received - provided)).abs() <= 1e-9 * scale);
            prop_assert_eq!(z.benchmark, TonnesCo2(nf_i + z.v_net.0));
            total_v += z.v_net.0;
        }
        // What one region receives another provides.
        let gross: f64 = transfers.iter().map(|t| t.tonnes.0).sum();
        prop_assert!(total_v.abs() <= 1e-9 * (gross + 1.0));
    }
}
