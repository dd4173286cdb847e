//! Builds the report of a finished `fzc run` from its output tables, e.g. for the README
//! picture of the default case:
//!
//! ```sh
//! cargo run --release -- run --out out/bth-2020
//! cargo run -p fzc-report --example report_from_run -- out/bth-2020 examples/bth-2020 out/bth-2020
//! ```
//!
//! It reads `zoning.csv` and `ledger.csv` (issue 4 headers) from the run folder, and from the
//! example folder the polygons (`boundaries/<region>.geojson`), `standards.csv` and the
//! Table 3 flow ranges (`published.csv`, rows `cssf_range`). ECT flows are the `ect` ledger
//! rows (payer → payee) and CSSF flows the `cssf` rows (the payer is the input region). The
//! scenario runner is expected to call `fzc_report::write_outputs` itself; this example shows
//! the mapping from its public tables.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use fzc_report::{
    CssfFlow, EctFlow, LedgerLayer, LedgerPair, OutputFormats, RegionResult, ReportInput,
    write_outputs,
};
use fzc_zoning::{Zone, ZoneClass};
use geo::MultiPolygon;

type Rows = Vec<BTreeMap<String, String>>;

fn read_csv(path: &Path) -> Result<Rows, Box<dyn Error>> {
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = r.headers()?.clone();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        rows.push(
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn get<'a>(row: &'a BTreeMap<String, String>, key: &str) -> Result<&'a str, Box<dyn Error>> {
    row.get(key)
        .map(String::as_str)
        .ok_or_else(|| format!("column `{key}` missing").into())
}

fn num(row: &BTreeMap<String, String>, key: &str) -> Result<f64, Box<dyn Error>> {
    let v = get(row, key)?;
    v.parse()
        .map_err(|_| format!("column `{key}`: `{v}` is not a number").into())
}

fn boundary(dir: &Path, id: &str) -> Result<MultiPolygon<f64>, Box<dyn Error>> {
    let path = dir.join("boundaries").join(format!("{id}.geojson"));
    let gj: geojson::GeoJson = std::fs::read_to_string(&path)?.parse()?;
    let fc = geojson::FeatureCollection::try_from(gj)?;
    let mut polys = Vec::new();
    for f in fc.features {
        let Some(g) = f.geometry else { continue };
        match geo::Geometry::<f64>::try_from(g)? {
            geo::Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            geo::Geometry::Polygon(p) => polys.push(p),
            _ => return Err(format!("{}: not a polygon", path.display()).into()),
        }
    }
    Ok(MultiPolygon(polys))
}

fn title(id: &str) -> String {
    let mut c = id.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, run, example, dest] = args.as_slice() else {
        return Err("usage: report_from_run RUN_DIR EXAMPLE_DIR DEST_DIR".into());
    };
    let (run, example, dest) = (Path::new(run), Path::new(example), Path::new(dest));
    let standards: BTreeMap<String, f64> = read_csv(&example.join("standards.csv"))?
        .iter()
        .map(|r| Ok((get(r, "region")?.to_string(), num(r, "yuan_per_tonne")?)))
        .collect::<Result<_, Box<dyn Error>>>()?;
    let mut ranges = BTreeMap::new();
    for r in read_csv(&example.join("published.csv"))? {
        if get(&r, "quantity")? == "cssf_range" {
            ranges.insert(
                (
                    get(&r, "region")?.to_string(),
                    get(&r, "counterpart")?.to_string(),
                ),
                num(&r, "value")?,
            );
        }
    }
    let mut regions = Vec::new();
    for r in read_csv(&run.join("zoning.csv"))? {
        let id = get(&r, "region")?.to_string();
        let flag = get(&r, "flag")?;
        regions.push(RegionResult {
            display_name: title(&id),
            geometry: boundary(example, &id)?,
            core: None,
            class: get(&r, "class")?.parse::<ZoneClass>()?,
            zone: {
                let net = num(&r, "ledger_net")?;
                if net > 0.0 {
                    Zone::Payer
                } else if net < 0.0 {
                    Zone::Recipient
                } else {
                    Zone::None
                }
            },
            nf_t: num(&r, "nf")?,
            v_net_t: num(&r, "v_net")?,
            benchmark_t: num(&r, "benchmark")?,
            standard_yuan_per_t: standards.get(&id).copied(),
            tc_eq17_yuan: num(&r, "tc_eq17").ok(),
            paid_yuan: num(&r, "ledger_paid")?,
            received_yuan: num(&r, "ledger_received")?,
            net_yuan: num(&r, "ledger_net")?,
            flag: !(flag.is_empty() || flag == "false" || flag == "0"),
            id,
        });
    }
    let mut input = ReportInput {
        scenario_name: run
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        provenance: vec![format!(
            "Tables: {}; polygons, standards and Table 3 ranges: {}.",
            run.display(),
            example.display()
        )],
        regions,
        ..ReportInput::default()
    };
    for r in read_csv(&run.join("ledger.csv"))? {
        let layer = match get(&r, "layer")? {
            "ect" => LedgerLayer::Ect,
            "cssf" => LedgerLayer::Cssf,
            "combined" => LedgerLayer::Combined,
            other => return Err(format!("ledger.csv: unknown layer `{other}`").into()),
        };
        let pair = LedgerPair {
            payer: get(&r, "payer")?.to_string(),
            payee: get(&r, "payee")?.to_string(),
            layer,
            tonnes: num(&r, "tonnes")?,
            standard_yuan_per_t: num(&r, "standard").unwrap_or(f64::NAN),
            amount_yuan: num(&r, "amount")?,
        };
        match layer {
            LedgerLayer::Ect => input.ect_flows.push(EctFlow {
                from: pair.payer.clone(),
                to: pair.payee.clone(),
                tonnes: pair.tonnes,
            }),
            LedgerLayer::Cssf => input.cssf_flows.push(CssfFlow {
                output: pair.payee.clone(),
                input: pair.payer.clone(),
                transfer_t: pair.tonnes,
                range_km: ranges
                    .get(&(pair.payee.clone(), pair.payer.clone()))
                    .copied()
                    .unwrap_or(0.0),
                range_from_paper: ranges.contains_key(&(pair.payee.clone(), pair.payer.clone())),
                intensity_t_per_km2: None,
            }),
            LedgerLayer::Combined => {}
        }
        input.ledger.push(pair);
    }
    let written = write_outputs(&input, dest, OutputFormats::ALL)?;
    for f in written.files {
        println!("{}", f.display());
    }
    Ok(())
}
