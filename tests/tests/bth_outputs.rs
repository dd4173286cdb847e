//! The files `fzc run` writes for the embedded BTH-2020 case, read back as a user would:
//! exact headers, byte-identical on a second run, and internally consistent (every layer of
//! `ledger.csv` pays out what it takes in; `zoning.csv`'s `ledger_net` is the combined
//! ledger's net per region).

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;

use fzc_scenario::{embedded, load, run, write_outputs};

fn write(dir: &Path) {
    let scenario = load(&embedded::bth_2020()).unwrap();
    let outcome = run(&scenario).unwrap();
    write_outputs(dir, &scenario, &outcome).unwrap();
}

fn rows(path: &Path) -> (String, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    (header, reader.records().map(Result::unwrap).collect())
}

#[test]
fn bth_outputs_have_the_documented_headers_and_are_deterministic() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    write(first.path());
    write(second.path());
    for name in ["zoning.csv", "ledger.csv", "summary.json"] {
        let a = std::fs::read(first.path().join(name)).unwrap();
        let b = std::fs::read(second.path().join(name)).unwrap();
        assert_eq!(a, b, "{name} differs between two runs");
    }
    let (header, zoning) = rows(&first.path().join("zoning.csv"));
    assert_eq!(
        header,
        "region,class,nf,v_net,benchmark,benchmark_zone,tc_eq17,ledger_paid,ledger_received,ledger_net,zone,flag"
    );
    assert_eq!(zoning.len(), 13);
    let (header, _) = rows(&first.path().join("ledger.csv"));
    assert_eq!(header, "payer,payee,layer,tonnes,standard,amount");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenario"], "bth-2020");
}

#[test]
fn bth_ledger_file_balances_and_matches_the_zoning_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (_, ledger) = rows(&dir.path().join("ledger.csv"));
    let mut net: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut layers: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for row in &ledger {
        let (payer, payee, layer) = (&row[0], &row[1], &row[2]);
        let amount: f64 = row[5].parse().unwrap();
        assert!(amount > 0.0, "{row:?}");
        assert_ne!(payer, payee);
        let entry = layers.entry(layer.to_owned()).or_default();
        entry.0 += amount;
        entry.1 += 1;
        if layer == "combined" {
            *net.entry((payer.to_owned(), layer.to_owned())).or_default() += amount;
            *net.entry((payee.to_owned(), layer.to_owned())).or_default() -= amount;
        }
    }
    assert_eq!(
        layers.keys().cloned().collect::<Vec<_>>(),
        ["combined", "cssf", "ect"]
    );
    let (_, zoning) = rows(&dir.path().join("zoning.csv"));
    for row in &zoning {
        let region = row[0].to_owned();
        let ledger_net: f64 = row[9].parse().unwrap();
        let paid: f64 = row[7].parse().unwrap();
        let received: f64 = row[8].parse().unwrap();
        assert!((paid - received - ledger_net).abs() < 0.02, "{row:?}");
        let from_ledger = net
            .get(&(region, "combined".to_owned()))
            .copied()
            .unwrap_or(0.0);
        assert!(
            (from_ledger - ledger_net).abs() < 0.1,
            "{row:?}: the combined ledger nets {from_ledger}"
        );
    }
    // The combined ledger moves less money than the two layers together (netting).
    assert!(layers["combined"].0 <= layers["ect"].0 + layers["cssf"].0 + 1.0);
}

/// `zone` is the final zone, the sign of the combined ledger's net: the paper's final division
/// is 6 payers and 7 recipients, and Langfang (L = +6.53 Mt, net −0.047 bn yuan) receives.
/// `benchmark_zone` keeps the tonne benchmark's sign and `flag` marks where the two differ.
#[test]
fn bth_zoning_file_zone_is_the_ledger_sign_and_flags_the_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (_, zoning) = rows(&dir.path().join("zoning.csv"));
    let (mut payers, mut recipients) = (0, 0);
    for row in &zoning {
        let ledger_net: f64 = row[9].parse().unwrap();
        let sign = if ledger_net > 0.0 {
            "payer"
        } else if ledger_net < 0.0 {
            "recipient"
        } else {
            "none"
        };
        assert_eq!(&row[10], sign, "{row:?}: zone must be the ledger's sign");
        let benchmark: f64 = row[4].parse().unwrap();
        let by_tonnes = if benchmark > 0.0 {
            "payer"
        } else {
            "recipient"
        };
        assert_eq!(&row[5], by_tonnes, "{row:?}: benchmark_zone is L's sign");
        assert_eq!(&row[11] == "true", row[5] != row[10], "{row:?}: flag");
        payers += usize::from(&row[10] == "payer");
        recipients += usize::from(&row[10] == "recipient");
    }
    assert_eq!((payers, recipients), (6, 7));
    let langfang = zoning.iter().find(|r| &r[0] == "langfang").unwrap();
    assert_eq!(
        (&langfang[5], &langfang[10], &langfang[11]),
        ("payer", "recipient", "true")
    );
}
