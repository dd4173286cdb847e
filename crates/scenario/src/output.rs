//! The run's output files and the table printed to the terminal.
//!
//! Files are written atomically, rows sorted, numbers in fixed decimals: tonnes (t CO2) with
//! 3 decimals, yuan with 2, standards (yuan/t) with 4. The same inputs give byte-identical
//! files.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use fzc_core::Layer;
use fzc_pricing::RegionAccount;
use serde_json::{Value, json};

use crate::run::Outcome;
use crate::{Scenario, ScenarioError};

/// The header of `zoning.csv`.
pub const ZONING_HEADER: &str = "region,class,nf,v_net,benchmark,benchmark_zone,tc_eq17,ledger_paid,ledger_received,ledger_net,zone,flag";
/// The header of `ledger.csv`.
pub const LEDGER_HEADER: &str = "payer,payee,layer,tonnes,standard,amount";

/// Every number the run writes is finite, or the error names the region and column.
///
/// # Errors
/// [`ScenarioError::NotFinite`] for the first value (in `zoning.csv` order, then the ledger)
/// that is not.
pub fn check_finite(outcome: &Outcome) -> Result<(), ScenarioError> {
    let bad = |file, region: &dyn std::fmt::Display, what, value: f64| {
        (!value.is_finite()).then(|| ScenarioError::NotFinite {
            file,
            region: region.to_string(),
            what,
            value,
        })
    };
    for a in outcome.ledger.accounts() {
        for (what, value) in [
            ("nf", a.nf.0),
            ("v_net", a.v_net.0),
            ("benchmark", a.benchmark.0),
            ("tc_eq17", a.tc_eq17.0),
            ("ledger_paid", a.paid.0),
            ("ledger_received", a.received.0),
            ("ledger_net", a.net.0),
            ("standard", a.standard.0),
        ] {
            if let Some(e) = bad("zoning.csv", &a.region, what, value) {
                return Err(e);
            }
        }
    }
    for e in outcome.ledger.entries() {
        for (what, value) in [
            ("tonnes", e.tonnes.0),
            ("amount", e.amount.0),
            ("standard", e.standard.map_or(0.0, |s| s.0)),
        ] {
            if let Some(err) = bad("ledger.csv", &e.payer, what, value) {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Formats with `decimals` fixed decimals, never printing `-0`.
pub fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
}

/// `zoning.csv`: one row per region, sorted by region id.
///
/// # Units
/// `nf`, `v_net`, `benchmark` in t CO2; `tc_eq17` and `ledger_*` in yuan (`ledger_net > 0`:
/// pays).
///
/// # Zones
/// `zone` is the final zone, the sign of the combined ledger's net (`ledger_net`);
/// `benchmark_zone` is the sign of the tonne benchmark `L`; `flag` is `true` where they differ
/// (Langfang in the default case: `L` = +6.53 Mt but it receives 0.047 bn yuan net).
pub fn zoning_csv(outcome: &Outcome) -> String {
    let mut out = String::from(ZONING_HEADER);
    out.push('\n');
    for a in outcome.ledger.accounts() {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            a.region,
            a.class.as_str(),
            fixed(a.nf.0, 3),
            fixed(a.v_net.0, 3),
            fixed(a.benchmark.0, 3),
            a.zone.as_str(),
            fixed(a.tc_eq17.0, 2),
            fixed(a.paid.0, 2),
            fixed(a.received.0, 2),
            fixed(a.net.0, 2),
            a.ledger_zone.as_str(),
            a.flag
        );
    }
    out
}

/// `zoning-series.csv` of a year series (`[ect] years`): `year` and the columns of
/// `zoning.csv`, each year's rows in region order, years in order; `None` without a series.
pub fn zoning_series_csv(outcome: &Outcome) -> Option<String> {
    if outcome.series.is_empty() {
        return None;
    }
    let mut out = format!("year,{ZONING_HEADER}\n");
    for (year, one) in &outcome.series {
        for line in zoning_csv(one).lines().skip(1) {
            let _ = writeln!(out, "{year},{line}");
        }
    }
    Some(out)
}

/// `ledger.csv`: every priced flow, layers `ect`, `cssf`, then `combined`, each sorted by
/// payer and payee. `standard` is empty for `combined` (a mix of standards).
///
/// # Units
/// `tonnes` t CO2, `standard` yuan/t, `amount` yuan.
pub fn ledger_csv(outcome: &Outcome) -> String {
    let mut out = String::from(LEDGER_HEADER);
    out.push('\n');
    for layer in Layer::ALL {
        for e in outcome.ledger.layer(layer) {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                e.payer,
                e.payee,
                e.layer.as_str(),
                fixed(e.tonnes.0, 3),
                e.standard.map(|s| fixed(s.0, 4)).unwrap_or_default(),
                fixed(e.amount.0, 2)
            );
        }
    }
    out
}

fn round(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (value * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

/// `summary.json`: the scenario, its options, the standards used, the payers and recipients
/// and the totals of each layer.
pub fn summary_json(scenario: &Scenario, outcome: &Outcome) -> String {
    let standards: Vec<Value> = scenario
        .regions
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let used = outcome.standards.get(r)?;
            let given = scenario.standards[i].as_ref();
            Some(json!({
                "region": r.as_str(),
                "yuan_per_tonne": round(used.standard.0, 4),
                "gamma": round(used.gamma, 6),
                "source": match given {
                    Some(s) => s.provenance.as_str(),
                    None => "eq18",
                },
            }))
        })
        .collect();
    let accounts = outcome.ledger.accounts();
    let names = |f: &dyn Fn(&RegionAccount) -> bool| -> Vec<&str> {
        accounts
            .iter()
            .filter(|a| f(a))
            .map(|a| a.region.as_str())
            .collect()
    };
    let mut layers = serde_json::Map::new();
    for layer in Layer::ALL {
        let total: f64 = outcome.ledger.layer(layer).map(|e| e.amount.0).sum();
        let tonnes: f64 = outcome.ledger.layer(layer).map(|e| e.tonnes.0).sum();
        let pairs = outcome.ledger.layer(layer).count();
        layers.insert(
            layer.as_str().to_owned(),
            json!({
                "pairs": pairs,
                "amount_yuan": round(total, 2),
                "tonnes": round(tonnes, 3),
            }),
        );
    }
    let ect = scenario.ect.as_ref().map(|e| {
        json!({
            "bilateral_rule": e.rule.as_str(),
            "given_pairs": e.given.len(),
            "nonzero_pairs": outcome
                .ect_matrix
                .as_ref()
                .map_or(0, |m| m.positive_entries().len()),
        })
    });
    let value = json!({
        "scenario": scenario.name,
        "description": scenario.description,
        "units": {
            "tonnes": "t CO2",
            "amounts": "yuan",
            "standards": "yuan/t",
            "sign": "amount > 0: the region pays; < 0: it receives",
        },
        "pricing": {
            "scheme": outcome.ledger.scheme(),
            "price_yuan_per_tonne": scenario.price.0,
            "eq18": {
                "a": scenario.pricing.a,
                "b": scenario.pricing.b,
                "mean": scenario.pricing.mean.as_str(),
                "engel_unit": scenario.pricing.engel_unit.as_str(),
            },
        },
        "regions": scenario.regions.len(),
        "ect": ect,
        "cssf_transfers": scenario.cssf.as_ref().map_or(0, Vec::len),
        "standards": standards,
        "zones_by_tonnes": {
            "payer": names(&|a| a.zone.as_str() == "payer"),
            "recipient": names(&|a| a.zone.as_str() == "recipient"),
            "none": names(&|a| a.zone.as_str() == "none"),
        },
        "zones_by_ledger": {
            "payer": names(&|a| a.ledger_zone.as_str() == "payer"),
            "recipient": names(&|a| a.ledger_zone.as_str() == "recipient"),
            "none": names(&|a| a.ledger_zone.as_str() == "none"),
        },
        "flagged": names(&|a| a.flag),
        "layers": layers,
        "total_paid_yuan": round(accounts.iter().map(|a| a.paid.0).sum(), 2),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The table printed by `fzc run`: one line per region, payers first (largest net first).
/// Amounts in billion yuan for reading; the files keep yuan.
pub fn terminal_table(scenario: &Scenario, outcome: &Outcome) -> String {
    let mut accounts: Vec<&RegionAccount> = outcome.ledger.accounts().iter().collect();
    accounts.sort_by(|a, b| b.net.0.total_cmp(&a.net.0).then(a.region.cmp(&b.region)));
    let layer_net = |layer: Layer, region: &fzc_core::RegionId| -> f64 {
        outcome
            .ledger
            .layer_totals(layer)
            .iter()
            .find(|t| &t.region == region)
            .map_or(0.0, |t| t.paid.0 - t.received.0)
    };
    let mut out = String::new();
    let scheme = match outcome.ledger.scheme() {
        "payer" => "payer (the paper's: each flow at the paying region's standard)",
        other => other,
    };
    let _ = writeln!(
        out,
        "{}: {} regions, scheme {scheme}, P = {} yuan/t",
        scenario.name,
        scenario.regions.len(),
        scenario.price.0
    );
    let _ = writeln!(
        out,
        "amounts in billion yuan (> 0 pays, < 0 receives); tonnes in Mt CO2\n"
    );
    let _ = writeln!(
        out,
        "{:<14} {:<28} {:>9} {:>9} {:>9} {:<9} {:>8} {:>8} {:>8} {:>8} {:<9} flag",
        "region", "class", "NF", "V_net", "L", "L's sign", "std", "ECT", "CSSF", "net", "zone"
    );
    for a in &accounts {
        let line = format!(
            "{:<14} {:<28} {:>9} {:>9} {:>9} {:<9} {:>8} {:>8} {:>8} {:>8} {:<9} {}",
            a.region.as_str(),
            a.class.as_str(),
            fixed(a.nf.0 / 1e6, 2),
            fixed(a.v_net.0 / 1e6, 2),
            fixed(a.benchmark.0 / 1e6, 2),
            a.zone.as_str(),
            fixed(a.standard.0, 2),
            fixed(layer_net(Layer::Ect, &a.region) / 1e9, 3),
            fixed(layer_net(Layer::Cssf, &a.region) / 1e9, 3),
            fixed(a.net.0 / 1e9, 3),
            a.ledger_zone.as_str(),
            if a.flag { "*" } else { "" }
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let paid: f64 = accounts.iter().map(|a| a.paid.0).sum();
    let _ = writeln!(
        out,
        "\ntotal paid over the combined ledger: {} billion yuan",
        fixed(paid / 1e9, 3)
    );
    if accounts.iter().any(|a| a.flag) {
        let _ = writeln!(
            out,
            "* the zone (the combined ledger's sign) differs from the tonne benchmark L's (METHOD section 4)"
        );
    }
    out
}

/// Writes `zoning.csv`, `ledger.csv` and `summary.json` into `dir` (created if needed),
/// each atomically; for a year series also `zoning-series.csv`; for a scenario whose CSSF
/// layer came from rasters also
/// `supply-regions.csv`, `demand-regions.csv`, `supply.tif`, `demand.tif` and `cssdr.tif`.
///
/// # Errors
/// [`ScenarioError::Io`] naming the file; a raster that can no longer be read.
pub fn write_outputs(
    dir: &Path,
    scenario: &Scenario,
    outcome: &Outcome,
) -> Result<(), ScenarioError> {
    write_outputs_with_progress(dir, scenario, outcome, &fzc_core::NoProgress)
}

/// [`write_outputs`], reporting the raster rows it streams to `progress`.
///
/// # Errors
/// As [`write_outputs`].
pub fn write_outputs_with_progress(
    dir: &Path,
    scenario: &Scenario,
    outcome: &Outcome,
    progress: &dyn fzc_core::Progress,
) -> Result<(), ScenarioError> {
    check_finite(outcome)?;
    for (year, one) in &outcome.series {
        check_finite(one).map_err(|error| ScenarioError::Year {
            year: *year,
            error: Box::new(error),
        })?;
    }
    std::fs::create_dir_all(dir).map_err(|error| ScenarioError::Io {
        path: dir.to_owned(),
        error,
    })?;
    let mut files = vec![
        ("zoning.csv", zoning_csv(outcome)),
        ("ledger.csv", ledger_csv(outcome)),
        ("summary.json", summary_json(scenario, outcome)),
    ];
    if let Some(text) = zoning_series_csv(outcome) {
        files.push(("zoning-series.csv", text));
    }
    for (name, text) in files {
        let path = dir.join(name);
        fzc_io::write_atomically(&path, |w: &mut dyn Write| w.write_all(text.as_bytes()))
            .map_err(|error| ScenarioError::Io { path, error })?;
    }
    if let Some(layers) = &scenario.cssf_raster_layers {
        layers.write_all(dir, progress)?;
    }
    Ok(())
}
