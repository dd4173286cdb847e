//! Scenarios whose CSSF layer starts from rasters (`[cssf.rasters]`): the open BTH example,
//! the files `write_outputs` adds, the CSSDR preview, plugins and progress, and bad inputs.
//!
//! Expected values come from the inputs (the emissions table demand is calibrated to, Eq 13
//! on the written supply and demand rasters), never from this crate's own output.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fzc_core::{DemandEstimator, Progress};
use fzc_cssf_flow::{Dasymetric, ZoneRule};
use fzc_io::GeoTiffReader;
use fzc_scenario::{
    LoadOptions, PluginSpec, Scenario, ScenarioError, ScenarioSource, load, load_with_options, run,
    write_outputs,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    workspace().join("examples/bth-2020-open/scenario.toml")
}

fn load_example() -> Scenario {
    load(&ScenarioSource::File(example())).unwrap()
}

/// The example's scenario with absolute paths, `cssf` extra lines in `[cssf]` and `rasters`
/// extra lines in `[cssf.rasters]`, written into a temporary folder.
fn scenario_text(cssf: &str, rasters: &str) -> String {
    let w = workspace();
    let p = |rel: &str| w.join(rel).display().to_string();
    format!(
        r#"name = "open-test"
regions = ["beijing", "tianjin", "shijiazhuang", "tangshan", "qinhuangdao", "handan",
    "xingtai", "baoding", "zhangjiakou", "chengde", "cangzhou", "langfang", "hengshui"]
[pricing]
price_yuan_per_tonne = 46.66
standards = "{standards}"
[cssf]
regions = "{boundaries}"
mass = "balance"
{cssf}
[cssf.rasters]
lulc = "{lulc}"
crs = "EPSG:4326"
lulc_map = "{map}"
pools = "{pools}"
emissions = "{emissions}"
emissions_unit = "Mt"
census = "{census}"
{rasters}
"#,
        standards = p("examples/bth-2020/standards.csv"),
        boundaries = p("examples/bth-2020/boundaries"),
        lulc = p("examples/bth-2020-open/landcover-bth.tif"),
        map = p("crates/cssf-flow/data/igbp-to-paper-classes.csv"),
        pools = p("crates/cssf-flow/data/paper-pools.csv"),
        emissions = p("examples/bth-2020-open/emissions.csv"),
        census = p("examples/bth-2020-open/census.csv"),
    )
}

fn weights() -> String {
    format!(
        "class_weights = \"{}\"",
        workspace()
            .join("crates/cssf-flow/data/dasymetric-weights.csv")
            .display()
    )
}

fn load_text(text: &str, options: &LoadOptions<'_>) -> Result<Scenario, ScenarioError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    load_with_options(&ScenarioSource::File(path), options)
}

fn error(cssf: &str, rasters: &str) -> String {
    load_text(&scenario_text(cssf, rasters), &LoadOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn demand_sums_to_the_emissions_and_cssdr_is_eq_13_per_region() {
    let scenario = load_example();
    let rasters = scenario.cssf_rasters.as_ref().unwrap();
    assert_eq!(rasters.regions.len(), scenario.regions.len());
    let mut reader =
        csv::Reader::from_path(workspace().join("examples/bth-2020-open/emissions.csv")).unwrap();
    let mut checked = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let i = scenario.region_index(&record[0]).unwrap();
        let mt: f64 = record[1].parse().unwrap();
        let row = &rasters.regions[i];
        assert_eq!(row.region, i, "rows in the scenario's region order");
        assert!(
            (row.demand.0 - mt * 1e6).abs() <= 1e-9 * mt * 1e6,
            "{}: demand {} t, emissions {mt} Mt",
            &record[0],
            row.demand.0
        );
        let (s, d) = (row.supply.0, row.demand.0);
        assert!(s > 0.0);
        let cssdr = row.cssdr.unwrap();
        assert!((cssdr - (s - d) / (s + d)).abs() < 1e-12 && (-1.0..=1.0).contains(&cssdr));
        checked += 1;
    }
    assert_eq!(checked, 13);
    // The paper's three input (deficit) regions are the example's (README).
    let inputs: Vec<&str> = rasters
        .regions
        .iter()
        .filter(|r| r.cssdr.unwrap() < 0.0)
        .map(|r| scenario.regions[r.region].as_str())
        .collect();
    assert_eq!(inputs, ["tianjin", "tangshan", "handan"]);
    // With mass = "balance" the example has flows, from output to input regions only.
    let transfers = scenario.cssf.as_ref().unwrap();
    assert!(!transfers.is_empty());
    for t in transfers {
        assert!(rasters.regions[t.output].cssdr.unwrap() > 0.0);
        assert!(rasters.regions[t.input].cssdr.unwrap() < 0.0);
    }
}

fn read_tif(path: &Path) -> (GeoTiffReader, Vec<f64>) {
    let mut reader = GeoTiffReader::open(path).unwrap();
    let values = reader.read_all().unwrap();
    (reader, values)
}

#[test]
fn run_writes_the_raster_outputs_and_cssdr_tif_is_eq_13_per_pixel() {
    let scenario = load_example();
    let outcome = run(&scenario).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_outputs(dir.path(), &scenario, &outcome).unwrap();
    for name in [
        "zoning.csv",
        "ledger.csv",
        "summary.json",
        "supply-regions.csv",
        "demand-regions.csv",
        "supply.tif",
        "demand.tif",
        "cssdr.tif",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let (s_reader, supply) = read_tif(&dir.path().join("supply.tif"));
    let (_, demand) = read_tif(&dir.path().join("demand.tif"));
    let (c_reader, cssdr) = read_tif(&dir.path().join("cssdr.tif"));
    assert_eq!(s_reader.grid(), c_reader.grid());
    let nodata = c_reader.nodata();
    let is_nodata = |v: f64| v.is_nan() || Some(v) == nodata;
    let (mut defined, mut undefined) = (0, 0);
    for ((s, d), c) in supply.iter().zip(&demand).zip(&cssdr) {
        if is_nodata(*s) || is_nodata(*d) || s + d <= 0.0 {
            assert!(is_nodata(*c), "S {s} D {d}: CSSDR {c}, expected nodata");
            undefined += 1;
        } else {
            assert!(
                (c - (s - d) / (s + d)).abs() < 1e-12,
                "S {s} D {d}: CSSDR {c}"
            );
            defined += 1;
        }
    }
    assert!(defined > 5_000 && undefined > 0, "{defined} {undefined}");

    // The preview of a 0.05° lon/lat raster smaller than 600 cells is the raster itself.
    let preview = &scenario.cssf_rasters.as_ref().unwrap().preview;
    let grid = c_reader.grid();
    assert_eq!((preview.width, preview.height), (grid.width, grid.height));
    let t = grid.transform;
    assert!((preview.west - t.x0).abs() < 1e-9 && (preview.north - t.y0).abs() < 1e-9);
    assert!((preview.east - (t.x0 + grid.width as f64 * t.dx)).abs() < 1e-9);
    assert!((preview.south - (t.y0 + grid.height as f64 * t.dy)).abs() < 1e-9);
    for (p, c) in preview.values.iter().zip(&cssdr) {
        if is_nodata(*c) {
            assert!(p.is_nan());
        } else {
            assert_eq!(*p, *c as f32);
        }
    }

    // A second run writes the same bytes.
    let again = tempfile::tempdir().unwrap();
    write_outputs(again.path(), &scenario, &outcome).unwrap();
    for name in [
        "supply.tif",
        "demand.tif",
        "cssdr.tif",
        "demand-regions.csv",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            std::fs::read(again.path().join(name)).unwrap(),
            "{name}"
        );
    }
}

/// Records the tasks and steps it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, u64, u64)>>);

impl Progress for Recorder {
    fn begin(&self, task: &str, total: u64) {
        self.0.lock().unwrap().push((task.to_owned(), total, 0));
    }
    fn advance(&self, steps: u64) {
        if let Some(last) = self.0.lock().unwrap().last_mut() {
            last.2 += steps;
        }
    }
    fn finish(&self) {}
}

#[test]
fn a_demand_plugin_replaces_the_estimator_and_progress_sees_every_raster_row() {
    // A "plugin" that is the built-in dasymetric estimator: the demand must not change.
    let weights_path = workspace().join("crates/cssf-flow/data/dasymetric-weights.csv");
    let loaded = Mutex::new(Vec::new());
    let loader = |spec: &PluginSpec| -> Result<Box<dyn DemandEstimator>, String> {
        loaded.lock().unwrap().push(spec.name.clone());
        Ok(Box::new(Dasymetric {
            class_weights: fzc_io::read_class_weights(&weights_path).unwrap(),
            zones: ZoneRule {
                agricultural_classes: [1].into(),
                urban_classes: [5].into(),
            },
        }))
    };
    let recorder = Recorder::default();
    let text = format!(
        "{}\n[[plugin]]\nname = \"dasy\"\npath = \"libdasy.so\"\n",
        scenario_text("", "demand = \"plugin:dasy\"")
    );
    let with_plugin = load_text(
        &text,
        &LoadOptions {
            demand_estimator: &loader,
            progress: &recorder,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(*loaded.lock().unwrap(), ["dasy"]);
    let builtin = load_text(&scenario_text("", &weights()), &LoadOptions::default()).unwrap();
    assert_eq!(
        with_plugin.cssf_rasters.as_ref().unwrap().regions,
        builtin.cssf_rasters.as_ref().unwrap().regions
    );
    assert_eq!(with_plugin.cssf, builtin.cssf);

    let tasks = recorder.0.lock().unwrap();
    let height = with_plugin
        .cssf_raster_layers
        .as_ref()
        .unwrap()
        .window()
        .height as u64;
    let raster: Vec<_> = tasks
        .iter()
        .filter(|t| t.0.contains("raster rows"))
        .collect();
    assert!(raster.len() >= 3, "{tasks:?}");
    for (task, total, done) in raster {
        assert_eq!((*total, *done), (height, height), "{task}");
    }
    assert!(
        tasks.iter().any(|t| t.0.contains("flow") && t.2 > 0),
        "{tasks:?}"
    );
}

#[test]
fn bad_raster_scenarios_are_clear_errors() {
    let w = weights();
    // rasters + balance / transfers.
    let e = error("balance = \"b.csv\"", &w);
    assert!(
        e.contains("[cssf.rasters] cannot be combined with cssf.balance"),
        "{e}"
    );
    let e = error("transfers = \"t.csv\"", &w);
    assert!(e.contains("cssf.transfers"), "{e}");
    // An unknown key in [cssf.rasters].
    let e = error("", &format!("{w}\npopulaton = \"p.tif\""));
    assert!(
        e.contains("populaton") && e.contains("unknown field"),
        "{e}"
    );
    // A missing file names its key.
    let e = error(
        "",
        &w.replace("dasymetric-weights.csv", "no-such-weights.csv"),
    );
    assert!(
        e.contains("cssf.rasters.class_weights") && e.contains("no-such-weights.csv"),
        "{e}"
    );
    // core = "given": no table holds the cores.
    let e = error("core = \"given\"", &w);
    assert!(
        e.contains("core = \"given\"") && e.contains("centroid"),
        "{e}"
    );
    // An undeclared demand plugin.
    let e = error("", &format!("{w}\ndemand = \"plugin:nope\""));
    assert!(
        e.contains("cssf.rasters.demand") && e.contains("\"nope\" is not declared"),
        "{e}"
    );
    // census without class weights and without a plugin.
    let e = error("", "");
    assert!(e.contains("class_weights"), "{e}");
    // A missing required key.
    let text = scenario_text("", &w).replace("pools = ", "# pools = ");
    let e = load_text(&text, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("pools"), "{e}");
}
