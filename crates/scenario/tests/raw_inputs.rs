//! Scenarios whose layers start from raw inputs: the ECT layer from an MRIO table, the CSSF
//! layer from region polygons and a supply/demand balance table.
//!
//! The expected values come from the layer crates called directly (never from this crate's
//! own output), plus snapshots of the whole runs, and bad inputs with their messages.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_core::{FlowRegion, Layer, MassUnit, TonnesCo2};
use fzc_cssf_flow::{BreakpointModel, Mass};
use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_scenario::{
    Outcome, Provenance, Scenario, ScenarioError, ScenarioSource, ledger_csv, load, run,
    summary_json, zoning_csv,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

fn load_and_run(path: &Path) -> (Scenario, Outcome) {
    let scenario = load(&ScenarioSource::File(path.to_owned())).unwrap();
    let outcome = run(&scenario).unwrap();
    (scenario, outcome)
}

/// Every layer of a ledger pays out exactly what it takes in, and the region accounts net to
/// zero.
fn assert_ledger_balances(outcome: &Outcome) {
    for layer in [Layer::Ect, Layer::Cssf] {
        let totals = outcome.ledger.layer_totals(layer);
        let paid: f64 = totals.iter().map(|t| t.paid.0).sum();
        let received: f64 = totals.iter().map(|t| t.received.0).sum();
        assert!(
            (paid - received).abs() <= 1e-9 * paid.max(1.0),
            "{layer:?}: paid {paid} ≠ received {received}"
        );
    }
    let accounts = outcome.ledger.accounts();
    let net: f64 = accounts.iter().map(|a| a.net.0).sum();
    let scale: f64 = accounts.iter().map(|a| a.paid.0 + a.received.0).sum();
    assert!(net.abs() <= 1e-9 * scale.max(1.0), "accounts net to {net}");
}

#[test]
fn mrio_small_nf_and_bilateral_nets_are_the_ect_librarys() {
    let (scenario, outcome) = load_and_run(&data("mrio-small/scenario.toml"));

    // What `fzc ect --mrio examples/mrio-small --stressor CO2` computes, from the libraries.
    let source = workspace().join("examples/mrio-small");
    let mrio = fzc_io::read_mrio(&source, None, &fzc_io::SideFiles::default()).unwrap();
    let satellite = mrio.satellite(None, "CO2").unwrap();
    assert_eq!(satellite.unit, MassUnit::Tonne);
    let accounts = compute_ect(mrio.table, &satellite, &EctOptions::default()).unwrap();
    let net = accounts.net();
    let nt = accounts.net_bilateral();

    let matrix = outcome.ect_matrix.as_ref().unwrap();
    for (a, region) in accounts.regions.iter().enumerate() {
        let i = scenario.region_index(region.as_str()).unwrap();
        let account = outcome.ledger.account(region).unwrap();
        assert!(
            (account.nf.0 - net[a]).abs() <= 1e-9 * net[a].abs().max(1.0),
            "{region}: zoning NF {} ≠ fzc ect's net {}",
            account.nf.0,
            net[a]
        );
        for (b, other) in accounts.regions.iter().enumerate() {
            let j = scenario.region_index(other.as_str()).unwrap();
            let expected = nt.get(a, b);
            assert!(
                (matrix.get(i, j).0 - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "NT[{region}, {other}]"
            );
        }
    }
    // The same through the files: zoning.csv's nf column against the net column of the
    // ect-regions.csv that `fzc ect` writes (fzc-io's writer), region by region.
    let dir = tempfile::tempdir().unwrap();
    let ect_regions = dir.path().join("ect-regions.csv");
    fzc_io::write_ect_regions(&ect_regions, &accounts).unwrap();
    let column = |text: &str, name: &str| -> Vec<(String, f64)> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == name).unwrap();
        let mut rows: Vec<(String, f64)> = lines
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                (cells[0].to_owned(), cells[at].parse().unwrap())
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    let from_ect = column(&std::fs::read_to_string(&ect_regions).unwrap(), "net");
    let from_zoning = column(&zoning_csv(&outcome), "nf");
    assert_eq!(from_ect.len(), 4);
    for ((r1, net), (r2, nf)) in from_ect.iter().zip(&from_zoning) {
        assert_eq!(r1, r2);
        assert!(
            (net - nf).abs() <= 0.0005,
            "{r1}: fzc ect net {net}, zoning nf {nf}"
        );
    }

    let ect = scenario.ect.as_ref().unwrap();
    assert!(
        ect.net_provenance
            .iter()
            .all(|p| *p == Provenance::Computed)
    );
    assert!(scenario.cssf.is_none());
    assert_ledger_balances(&outcome);

    insta::assert_snapshot!("mrio_small_zoning_csv", zoning_csv(&outcome));
    insta::assert_snapshot!("mrio_small_ledger_csv", ledger_csv(&outcome));
    insta::assert_snapshot!("mrio_small_summary_json", summary_json(&scenario, &outcome));
}

#[test]
fn bth_polygons_and_balance_run_end_to_end() {
    let (scenario, outcome) = load_and_run(&data("bth-raw/scenario.toml"));

    // The breakpoint model called directly on the same inputs.
    let shapes =
        fzc_io::read_geojson_regions(&workspace().join("examples/bth-2020/boundaries"), None)
            .unwrap();
    let balance = fzc_io::read_region_balance(&data("bth-raw/balance.csv")).unwrap();
    let regions: Vec<FlowRegion> = shapes
        .into_iter()
        .zip(balance)
        .map(|((id, shape), row)| {
            assert_eq!(id, row.id);
            FlowRegion {
                id,
                supply: TonnesCo2(row.supply * 1e6),
                demand: TonnesCo2(row.demand * 1e6),
                given_core: None,
                shape,
            }
        })
        .collect();
    let direct = BreakpointModel {
        mass: Mass::Supply,
        ..BreakpointModel::default()
    }
    .run(&regions)
    .unwrap();
    let mut expected: Vec<(String, String, f64)> = direct
        .flows
        .iter()
        .filter(|f| f.transfer.0 > 0.0)
        .map(|f| {
            (
                regions[f.from].id.to_string(),
                regions[f.to].id.to_string(),
                f.transfer.0,
            )
        })
        .collect();
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut got: Vec<(String, String, f64)> = scenario
        .cssf
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t.provenance, Provenance::Computed);
            (
                scenario.regions[t.output].to_string(),
                scenario.regions[t.input].to_string(),
                t.tonnes.0,
            )
        })
        .collect();
    got.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert!(!expected.is_empty(), "the test needs some flows to check");
    assert_eq!(got, expected);

    // Every region keeps the core the model used, also a region in no positive transfer.
    let cores = scenario.cssf_cores();
    assert_eq!(cores.len(), scenario.regions.len());
    let in_no_transfer = scenario
        .regions
        .iter()
        .filter(|r| {
            !expected
                .iter()
                .any(|(a, b, _)| a == r.as_str() || b == r.as_str())
        })
        .count();
    assert!(
        in_no_transfer > 0,
        "the test needs a region outside the flows"
    );
    for r in &direct.regions {
        let i = scenario.region_index(r.id.as_str()).unwrap();
        assert_eq!(cores[i], Some(r.core), "{}", r.id);
    }

    // Every transfer reaches the zoning: V_net is what each region receives minus provides.
    for account in outcome.ledger.accounts() {
        let id = account.region.as_str();
        let v_net: f64 = expected
            .iter()
            .map(|(from, to, t)| {
                if to == id {
                    *t
                } else if from == id {
                    -*t
                } else {
                    0.0
                }
            })
            .sum();
        assert!((account.v_net.0 - v_net).abs() <= 1e-6, "{id}: V_net");
    }
    assert_ledger_balances(&outcome);

    insta::assert_snapshot!("bth_raw_zoning_csv", zoning_csv(&outcome));
    insta::assert_snapshot!("bth_raw_ledger_csv", ledger_csv(&outcome));
    insta::assert_snapshot!("bth_raw_summary_json", summary_json(&scenario, &outcome));
}

/// Writes a scenario TOML into a fresh temporary folder and loads it.
fn load_text(toml: &str) -> (tempfile::TempDir, Result<Scenario, ScenarioError>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    let result = load(&ScenarioSource::File(path));
    (dir, result)
}

fn mrio_scenario(regions: &str, ect_extra: &str) -> String {
    let standards = data("mrio-small/standards.csv");
    format!(
        "name = \"t\"\nregions = [{regions}]\n[pricing]\nprice_yuan_per_tonne = 46.66\n\
         standards = '{}'\n[ect]\nmrio = '{}'\n{ect_extra}\n",
        standards.display(),
        workspace().join("examples/mrio-small").display()
    )
}

#[test]
fn mrio_regions_must_be_the_scenarios() {
    let toml = mrio_scenario(
        r#""Beijing", "Tianjin", "Hebei", "Shanxi""#,
        "stressor = \"CO2\"",
    );
    // The standards table names Henan, which this scenario lacks: give it its own.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("standards.csv"),
        "region,yuan_per_tonne,provenance\nBeijing,1,given\nTianjin,1,given\nHebei,1,given\n\
         Shanxi,1,given\n",
    )
    .unwrap();
    let toml = toml.replace(
        &format!("'{}'", data("mrio-small/standards.csv").display()),
        "'standards.csv'",
    );
    std::fs::write(dir.path().join("scenario.toml"), toml).unwrap();
    let err = load(&ScenarioSource::File(dir.path().join("scenario.toml"))).unwrap_err();
    match &err {
        ScenarioError::RegionsDiffer {
            only_in_input,
            only_in_scenario,
            ..
        } => {
            assert_eq!(only_in_input, &["Henan"]);
            assert_eq!(only_in_scenario, &["Shanxi"]);
        }
        other => panic!("expected RegionsDiffer, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("mrio-small"), "{message}");
    assert!(message.contains("only in the MRIO: [Henan]"), "{message}");
    assert!(
        message.contains("only in the scenario: [Shanxi]"),
        "{message}"
    );
}

#[test]
fn an_unknown_stressor_lists_the_candidates() {
    let (_dir, result) = load_text(&mrio_scenario(
        r#""Beijing", "Tianjin", "Hebei", "Henan""#,
        "stressor = \"N2O\"",
    ));
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("N2O") && message.contains("not found"),
        "{message}"
    );
    assert!(
        message.contains("CO2") && message.contains("CH4"),
        "{message}"
    );
}

#[test]
fn an_mrio_layer_needs_a_stressor_and_excludes_the_tables() {
    let regions = r#""Beijing", "Tianjin", "Hebei", "Henan""#;
    let (_dir, result) = load_text(&mrio_scenario(regions, ""));
    let message = result.unwrap_err().to_string();
    assert!(message.contains("needs `stressor`"), "{message}");

    let (_dir, result) = load_text(&mrio_scenario(
        regions,
        "stressor = \"CO2\"\nnet = \"ect-net.csv\"",
    ));
    let message = result.unwrap_err().to_string();
    assert!(message.contains("cannot be combined with net"), "{message}");

    let (_dir, result) = load_text(&mrio_scenario(
        regions,
        "stressor = \"CO2\"\nmethod = \"leontief\"",
    ));
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("leontief") && message.contains("final-demand"),
        "{message}"
    );
}

fn bth_cssf_scenario(polygons: &Path, cssf_extra: &str) -> String {
    let example = workspace().join("examples/bth-2020");
    format!(
        "name = \"t\"\nregions = [\"beijing\", \"tianjin\", \"shijiazhuang\", \"tangshan\", \
         \"qinhuangdao\", \"handan\", \"xingtai\", \"baoding\", \"zhangjiakou\", \"chengde\", \
         \"cangzhou\", \"langfang\", \"hengshui\"]\n[pricing]\nprice_yuan_per_tonne = 46.66\n\
         standards = '{}'\neconomy = '{}'\n[cssf]\nregions = '{}'\nbalance = '{}'\n\
         unit = \"Mt\"\n{cssf_extra}\n",
        example.join("standards.csv").display(),
        example.join("economy.csv").display(),
        polygons.display(),
        data("bth-raw/balance.csv").display(),
    )
}

#[test]
fn polygons_missing_a_region_are_named() {
    let boundaries = workspace().join("examples/bth-2020/boundaries");
    let partial = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&boundaries).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".geojson") && name != "xingtai.geojson" {
            std::fs::copy(&path, partial.path().join(name)).unwrap();
        }
    }
    let (_dir, result) = load_text(&bth_cssf_scenario(partial.path(), ""));
    let err = result.unwrap_err();
    match &err {
        ScenarioError::RegionsDiffer {
            what,
            only_in_input,
            only_in_scenario,
            ..
        } => {
            assert_eq!(*what, "region polygons");
            assert!(only_in_input.is_empty());
            assert_eq!(only_in_scenario, &["xingtai"]);
        }
        other => panic!("expected RegionsDiffer, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("only in the scenario: [xingtai]"),
        "{message}"
    );
}

#[test]
fn cssf_options_are_checked() {
    let boundaries = workspace().join("examples/bth-2020/boundaries");
    let (_dir, result) = load_text(&bth_cssf_scenario(&boundaries, "k = 1.5"));
    let message = result.unwrap_err().to_string();
    assert!(message.contains("1.5"), "{message}");

    let (_dir, result) = load_text(&bth_cssf_scenario(&boundaries, "mass = \"weight\""));
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("weight") && message.contains("supply"),
        "{message}"
    );

    let (_dir, result) = load_text(&bth_cssf_scenario(&boundaries, "transfers = \"t.csv\""));
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("cannot be combined with regions"),
        "{message}"
    );

    // `rasters` is a table ([cssf.rasters]) now, not a path.
    let (_dir, result) = load_text(&bth_cssf_scenario(&boundaries, "rasters = \"lc.tif\""));
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains("rasters") && message.contains("[cssf.rasters] table"),
        "{message}"
    );
}

/// The MRIO's region order is not the scenario's: under every order of the scenario's regions
/// each region keeps its NF and its bilateral nets (the mapping is by id, not by position).
#[test]
fn every_scenario_region_order_maps_the_mrio_by_id() {
    let reference = load(&ScenarioSource::File(data("mrio-small/scenario.toml"))).unwrap();
    let reference_ect = reference.ect.as_ref().unwrap();
    let names = ["Beijing", "Tianjin", "Hebei", "Henan"];
    let mut orders = vec![vec![]];
    for _ in 0..names.len() {
        orders = orders
            .into_iter()
            .flat_map(|order: Vec<usize>| {
                (0..names.len())
                    .filter(|i| !order.contains(i))
                    .map(|i| {
                        let mut next = order.clone();
                        next.push(i);
                        next
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    assert_eq!(orders.len(), 24);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        data("mrio-small/standards.csv"),
        dir.path().join("standards.csv"),
    )
    .unwrap();
    for order in orders {
        let listed: Vec<String> = order.iter().map(|&i| format!("{:?}", names[i])).collect();
        let toml = format!(
            "name = \"t\"\nregions = [{}]\n[pricing]\nprice_yuan_per_tonne = 46.66\n\
             standards = \"standards.csv\"\n[ect]\nmrio = '{}'\nstressor = \"CO2\"\n",
            listed.join(", "),
            workspace().join("examples/mrio-small").display()
        );
        let path = dir.path().join("scenario.toml");
        std::fs::write(&path, toml).unwrap();
        let scenario = load(&ScenarioSource::File(path)).unwrap();
        let ect = scenario.ect.as_ref().unwrap();
        let index = |s: &Scenario, name: &str| s.region_index(name).unwrap();
        for name in names {
            assert_eq!(
                ect.net[index(&scenario, name)],
                reference_ect.net[index(&reference, name)],
                "{name} under order {order:?}"
            );
        }
        let pairs = |s: &Scenario, e: &fzc_scenario::EctResults| {
            let mut pairs: Vec<(String, String, f64)> = e
                .given
                .iter()
                .map(|g| {
                    (
                        s.regions[g.from].to_string(),
                        s.regions[g.to].to_string(),
                        g.tonnes.0,
                    )
                })
                .collect();
            pairs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            pairs
        };
        assert_eq!(pairs(&scenario, ect), pairs(&reference, reference_ect));
        assert_ledger_balances(&run(&scenario).unwrap());
    }
}

#[test]
fn overlapping_polygons_are_reported_as_warnings() {
    let boundaries = workspace().join("examples/bth-2020/boundaries");
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&boundaries).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".geojson") {
            // Langfang drawn with Tianjin's outline: the two overlap entirely.
            let from = if name == "langfang.geojson" {
                boundaries.join("tianjin.geojson")
            } else {
                path
            };
            std::fs::copy(&from, copy.path().join(name)).unwrap();
        }
    }
    let (_dir, result) = load_text(&bth_cssf_scenario(copy.path(), "mass = \"supply\""));
    let scenario = result.unwrap();
    let overlaps: Vec<&String> = scenario
        .warnings
        .iter()
        .filter(|w| w.contains("overlap"))
        .collect();
    assert_eq!(overlaps.len(), 1, "{:?}", scenario.warnings);
    assert!(
        overlaps[0].contains("\"langfang\"") && overlaps[0].contains("\"tianjin\""),
        "{}",
        overlaps[0]
    );

    // The unmodified boundaries do not overlap beyond the 1 % threshold.
    let (_dir, result) = load_text(&bth_cssf_scenario(&boundaries, "mass = \"supply\""));
    assert!(result.unwrap().warnings.is_empty());
}

#[test]
fn an_embedded_scenario_cannot_read_raw_inputs() {
    let source = ScenarioSource::Embedded {
        label: "examples/embedded",
        toml: "scenario.toml",
        files: &[
            (
                "scenario.toml",
                "name = \"e\"\nregions = [\"a\", \"b\"]\n[pricing]\nprice_yuan_per_tonne = 1\n\
                 standards = \"standards.csv\"\n[ect]\nmrio = \"mrio\"\nstressor = \"CO2\"\n",
            ),
            (
                "standards.csv",
                "region,yuan_per_tonne,provenance\na,1,given\nb,1,given\n",
            ),
        ],
    };
    let message = load(&source).unwrap_err().to_string();
    assert!(
        message.contains("ect.mrio") && message.contains("not supported yet"),
        "{message}"
    );
}

/// An MRIO whose satellite is in Mt: the scenario's NF is in t, a million times the accounts'.
#[test]
fn the_satellites_unit_is_converted_to_tonnes() {
    let dir = tempfile::tempdir().unwrap();
    let mrio = dir.path().join("mrio");
    std::fs::create_dir(&mrio).unwrap();
    std::fs::write(
        mrio.join("Z.csv"),
        "from_region,from_sector,to_region,to_sector,value\n\
         north,farming,north,farming,10\nnorth,farming,south,farming,30\n\
         south,farming,north,farming,5\nsouth,farming,south,farming,20\n",
    )
    .unwrap();
    std::fs::write(
        mrio.join("Y.csv"),
        "region,sector,demand_region,value\nnorth,farming,north,40\nnorth,farming,south,20\n\
         south,farming,north,10\nsouth,farming,south,65\n",
    )
    .unwrap();
    std::fs::write(
        mrio.join("emissions.csv"),
        "stressor,region,sector,value[Mt CO2]\nCO2,north,farming,7\nCO2,south,farming,2\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("standards.csv"),
        "region,yuan_per_tonne,provenance\nnorth,10,given\nsouth,20,given\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("scenario.toml"),
        "name = \"units\"\nregions = [\"south\", \"north\"]\n[pricing]\n\
         price_yuan_per_tonne = 1\nstandards = \"standards.csv\"\n[ect]\nmrio = \"mrio\"\n\
         format = \"csv\"\nstressor = \"CO2\"\n",
    )
    .unwrap();
    let scenario = load(&ScenarioSource::File(dir.path().join("scenario.toml"))).unwrap();

    let data = fzc_io::read_mrio(&mrio, None, &fzc_io::SideFiles::default()).unwrap();
    let satellite = data.satellite(None, "CO2").unwrap();
    assert_eq!(satellite.unit, MassUnit::Megatonne);
    let accounts = compute_ect(data.table, &satellite, &EctOptions::default()).unwrap();
    let net = accounts.net();
    assert!(net[0].abs() > 0.0, "the example must transfer something");
    let ect = scenario.ect.as_ref().unwrap();
    for (a, region) in accounts.regions.iter().enumerate() {
        let i = scenario.region_index(region.as_str()).unwrap();
        let expected = net[a] * 1e6;
        assert!(
            (ect.net[i].0 - expected).abs() <= 1e-9 * expected.abs(),
            "{region}: {} t, expected {expected} t",
            ect.net[i].0
        );
    }
    assert_ledger_balances(&run(&scenario).unwrap());
}

#[test]
fn cssf_polygons_may_come_from_a_shapefile() {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    use shapefile::{Point, Polygon, PolygonRing};

    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("regions.shp");
    let table =
        TableWriterBuilder::new().add_character_field(FieldName::try_from("id").unwrap(), 20);
    let mut writer = shapefile::Writer::from_path(&shp, table).unwrap();
    for (id, x0) in [("forest", 115.0), ("city", 116.0)] {
        // Clockwise exterior, as shapefiles store them.
        let ring = vec![
            Point::new(x0, 39.0),
            Point::new(x0, 40.0),
            Point::new(x0 + 1.0, 40.0),
            Point::new(x0 + 1.0, 39.0),
            Point::new(x0, 39.0),
        ];
        let mut record = Record::default();
        record.insert("id".to_owned(), FieldValue::Character(Some(id.to_owned())));
        writer
            .write_shape_and_record(
                &Polygon::with_rings(vec![PolygonRing::Outer(ring)]),
                &record,
            )
            .unwrap();
    }
    drop(writer);
    std::fs::write(
        dir.path().join("regions.prj"),
        r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("balance.csv"),
        "region,supply,demand\nforest,20,4\ncity,1,2\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("scenario.toml"),
        "name = \"shp\"\nregions = [\"forest\", \"city\"]\n[pricing]\n\
         price_yuan_per_tonne = 10\nstandards = \"standards.csv\"\n[cssf]\n\
         regions = \"regions.shp\"\nid_field = \"id\"\nbalance = \"balance.csv\"\nunit = \"Mt\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("standards.csv"),
        "region,yuan_per_tonne,provenance\nforest,10,given\ncity,30,given\n",
    )
    .unwrap();
    let (scenario, outcome) = load_and_run(&dir.path().join("scenario.toml"));

    let shapes = fzc_io::read_shapefile_regions(&shp, Some("id")).unwrap();
    let regions: Vec<FlowRegion> = shapes
        .into_iter()
        .map(|(id, shape)| {
            let (supply, demand) = if id.as_str() == "forest" {
                (20e6, 4e6)
            } else {
                (1e6, 2e6)
            };
            FlowRegion {
                id,
                supply: TonnesCo2(supply),
                demand: TonnesCo2(demand),
                given_core: None,
                shape,
            }
        })
        .collect();
    let direct = BreakpointModel::default().run(&regions).unwrap();
    let flow = direct.flows.iter().find(|f| f.transfer.0 > 0.0).unwrap();
    let transfers = scenario.cssf.as_ref().unwrap();
    assert_eq!(transfers.len(), 1);
    assert_eq!(scenario.regions[transfers[0].output].as_str(), "forest");
    assert_eq!(scenario.regions[transfers[0].input].as_str(), "city");
    assert_eq!(transfers[0].tonnes, flow.transfer);
    assert_ledger_balances(&outcome);
}

/// A flow model standing in for a plugin: one fixed transfer from the first region (by id)
/// to the second, or a negative one when `negative`.
struct FixedModel {
    negative: bool,
}

impl fzc_core::FlowModel for FixedModel {
    fn name(&self) -> &str {
        "fixed"
    }

    fn flows(
        &self,
        regions: &[FlowRegion],
    ) -> Result<fzc_core::FlowOutput, fzc_core::FlowModelError> {
        assert_eq!(regions.len(), 13);
        Ok(fzc_core::FlowOutput {
            cores: Vec::new(),
            flows: vec![fzc_core::RegionFlow {
                from: 0,
                to: 1,
                distance_km: 1.0,
                range_km: 1.0,
                area_km2: 1.0,
                intensity_t_per_km2: 1.0,
                transfer: TonnesCo2(if self.negative { -5.0 } else { 5.0 }),
            }],
        })
    }
}

/// bth-raw with absolute paths, `[cssf] model = "plugin:fixed"` and its stanza, in `dir`.
fn bth_raw_with_plugin_model(dir: &Path) -> PathBuf {
    let toml = std::fs::read_to_string(data("bth-raw/scenario.toml"))
        .unwrap()
        .replace(
            "../../../../../examples",
            workspace().join("examples").to_str().unwrap(),
        )
        .replace(
            "\"balance.csv\"",
            &format!("{:?}", data("bth-raw/balance.csv").to_str().unwrap()),
        )
        .replace(
            "core = \"centroid\"",
            "core = \"centroid\"\nmodel = \"plugin:fixed\"",
        )
        + "\n[[plugin]]\nname = \"fixed\"\npath = \"libfixed.so\"\n";
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

#[test]
fn a_cssf_plugin_model_comes_from_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let source = ScenarioSource::File(bth_raw_with_plugin_model(dir.path()));
    let scenario = fzc_scenario::load_with(&source, &|spec| {
        assert_eq!(spec.name, "fixed");
        Ok(Box::new(FixedModel { negative: false }))
    })
    .unwrap();
    let cssf = scenario.cssf.as_ref().unwrap();
    assert_eq!(cssf.len(), 1);
    // Flow regions are in id order: baoding → beijing.
    assert_eq!(scenario.regions[cssf[0].output].as_str(), "baoding");
    assert_eq!(scenario.regions[cssf[0].input].as_str(), "beijing");
    assert_eq!(cssf[0].tonnes, TonnesCo2(5.0));
    assert_ledger_balances(&run(&scenario).unwrap());

    // A negative transfer from a plugin is refused, naming the model.
    let err = fzc_scenario::load_with(&source, &|_| Ok(Box::new(FixedModel { negative: true })))
        .unwrap_err()
        .to_string();
    assert!(err.contains("fixed") && err.contains("-5"), "{err}");
    // The caller's refusal is reported with the stanza's path.
    let err = fzc_scenario::load_with(&source, &|_| Err("not a flow model".to_owned()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("libfixed.so") && err.contains("not a flow model"),
        "{err}"
    );
    // Plain `load` cannot load libraries and says so.
    let err = load(&source).unwrap_err().to_string();
    assert!(err.contains("load_with"), "{err}");
}

/// `[ect] region_map` aggregates the MRIO's regions into the scenario's after the accounts:
/// each study region's NF is the sum of its members' NF as `fzc ect` computes them.
#[test]
fn a_region_map_aggregates_the_mrio_into_the_scenarios_regions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("standards.csv"),
        "region,yuan_per_tonne,provenance\nJingjin,1,given\nHebei,1,given\nHenan,1,given\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("map.csv"),
        "from_region,to_region\nBeijing,Jingjin\nTianjin,Jingjin\nHebei,Hebei\nHenan,Henan\n",
    )
    .unwrap();
    let toml = mrio_scenario(
        r#""Jingjin", "Hebei", "Henan""#,
        "stressor = \"CO2\"\nregion_map = \"map.csv\"",
    )
    .replace(
        &format!("'{}'", data("mrio-small/standards.csv").display()),
        "'standards.csv'",
    );
    std::fs::write(dir.path().join("scenario.toml"), toml).unwrap();
    let (scenario, outcome) = load_and_run(&dir.path().join("scenario.toml"));

    let source = workspace().join("examples/mrio-small");
    let mrio = fzc_io::read_mrio(&source, None, &fzc_io::SideFiles::default()).unwrap();
    let satellite = mrio.satellite(None, "CO2").unwrap();
    let accounts = compute_ect(mrio.table, &satellite, &EctOptions::default()).unwrap();
    let net = accounts.net();
    let of = |name: &str| {
        net[accounts
            .regions
            .iter()
            .position(|r| r.as_str() == name)
            .unwrap()]
    };
    for (region, want) in [
        ("Jingjin", of("Beijing") + of("Tianjin")),
        ("Hebei", of("Hebei")),
        ("Henan", of("Henan")),
    ] {
        let id = fzc_core::RegionId::new(region).unwrap();
        let nf = outcome.ledger.account(&id).unwrap().nf.0;
        assert!(
            (nf - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{region}: NF {nf}, members' sum {want}"
        );
    }
    assert_eq!(scenario.regions.len(), 3);
    assert_ledger_balances(&outcome);

    // A table region the map leaves out is named.
    std::fs::write(
        dir.path().join("map.csv"),
        "from_region,to_region\nBeijing,Jingjin\nHebei,Hebei\nHenan,Henan\n",
    )
    .unwrap();
    let err = load(&ScenarioSource::File(dir.path().join("scenario.toml")))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing from the region map") && err.contains("Tianjin"),
        "{err}"
    );
}
