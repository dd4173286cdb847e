//! `cssf.k`: a drawn impact factor rescales the CSSF transfers of a layer the breakpoint
//! model computed. The reference is the model itself, run again by the scenario loader with
//! the other `k` (Eq 16 is linear in `k`, so the two must agree to rounding).

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_scenario::{Scenario, ScenarioSource, embedded, load, run};
use fzc_uncertainty::{Plan, UncertaintySpec, uniforms};

fn bth_raw_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenario/tests/data/bth-raw")
}

/// The bth-raw scenario (CSSF from the city polygons and a balance table, `k = 0.6`) with
/// `k` replaced, written with absolute paths into `dir`.
fn bth_raw_with_k(dir: &Path, k: f64) -> Scenario {
    let base = bth_raw_dir().canonicalize().unwrap();
    let text = std::fs::read_to_string(base.join("scenario.toml")).unwrap();
    assert!(text.contains("k = 0.6 "), "bth-raw changed");
    let text = text
        .replace("k = 0.6 ", &format!("k = {k} "))
        .replace(
            "\"../../../../../",
            &format!("\"{}/../../../../../", base.display()),
        )
        .replace(
            "\"balance.csv\"",
            &format!("\"{}/balance.csv\"", base.display()),
        );
    let path = dir.join(format!("k-{k}.toml"));
    std::fs::write(&path, text).unwrap();
    load(&ScenarioSource::File(path)).unwrap()
}

fn spec(text: &str) -> UncertaintySpec {
    UncertaintySpec::from_toml_str(text, "test.toml").unwrap()
}

#[test]
fn a_drawn_k_equals_the_model_run_with_that_k() {
    let dir = tempfile::tempdir().unwrap();
    let base = bth_raw_with_k(dir.path(), 0.6);
    assert_eq!(base.cssf_k, Some(0.6));
    for k in [0.25, 0.9] {
        let reference = bth_raw_with_k(dir.path(), k);
        let plan = Plan::new(
            &base,
            &spec(&format!(
                "[[uncertainty]]\nparam = \"cssf.k\"\ndist = \"uniform\"\nlow = {k}\nhigh = {k}\n"
            )),
        )
        .unwrap();
        let values = plan.values(0, &uniforms(1, 0, plan.slots())).unwrap();
        assert_eq!(values, [k]);
        let drawn = plan.apply(&base, &values).unwrap();
        let (got, want) = (drawn.cssf.unwrap(), reference.cssf.clone().unwrap());
        assert_eq!(got.len(), want.len());
        assert!(!got.is_empty());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.output, g.input), (w.output, w.input));
            let scale = w.tonnes.0.abs().max(1.0);
            assert!(
                (g.tonnes.0 - w.tonnes.0).abs() <= 1e-12 * scale,
                "k = {k}: {} vs {}",
                g.tonnes.0,
                w.tonnes.0
            );
        }
        // The transfers really moved with k: the base differs from the reference.
        let moved = base.cssf.as_ref().unwrap()[0].tonnes.0 - want[0].tonnes.0;
        assert!(moved.abs() > 1e-6 * want[0].tonnes.0.abs());
        // And the runs on top agree: each region's ledger net.
        let (a, b) = (
            run(&plan.apply(&base, &values).unwrap()).unwrap(),
            run(&reference).unwrap(),
        );
        for (x, y) in a.ledger.accounts().iter().zip(b.ledger.accounts()) {
            assert_eq!(x.region, y.region);
            assert!((x.net.0 - y.net.0).abs() <= 1e-9 * y.net.0.abs().max(1.0));
        }
    }
}

#[test]
fn cssf_k_is_refused_where_it_has_no_effect_and_checked_against_its_range() {
    // The embedded BTH-2020 case gives its CSSF layer as a transfers table.
    let bth = load(&embedded::bth_2020()).unwrap();
    assert_eq!(bth.cssf_k, None);
    let message = Plan::new(
        &bth,
        &spec("[[uncertainty]]\nparam = \"cssf.k\"\ndist = \"uniform\"\nlow = 0.5\nhigh = 0.7\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("not computed by the built-in breakpoint model")
            && message.contains("cssf.transfer.*"),
        "{message}"
    );
    assert!(
        !message.contains("cssf.k,"),
        "cssf.k listed as valid: {message}"
    );

    let dir = tempfile::tempdir().unwrap();
    let base = bth_raw_with_k(dir.path(), 0.6);
    let plan = Plan::new(
        &base,
        &spec("[[uncertainty]]\nparam = \"cssf.k\"\ndist = \"uniform\"\nlow = 1.2\nhigh = 1.2\n"),
    )
    .unwrap();
    let message = plan
        .values(3, &uniforms(1, 3, plan.slots()))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("cssf.k") && message.contains("above 1"),
        "{message}"
    );
}
