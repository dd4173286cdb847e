//! `pools.<lucode>.<pool>` on the open raster example (`examples/bth-2020-open`): a drawn
//! density gives the transfers the whole pipeline gives when the scenario is loaded with a
//! pools table holding that density (the raster read, supply, demand and the breakpoint
//! model all run again); a zero-width density reproduces the run; names and combinations
//! that cannot work are refused.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_scenario::{CssfTransfer, Scenario, ScenarioSource, embedded, load, run};
use fzc_uncertainty::{Plan, UncertaintySpec};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn open_example() -> Scenario {
    load(&ScenarioSource::File(
        root().join("examples/bth-2020-open/scenario.toml"),
    ))
    .unwrap()
}

fn plan(s: &Scenario, text: &str) -> Result<Plan, String> {
    let spec = UncertaintySpec::from_toml_str(text, "t.toml").map_err(|e| e.to_string())?;
    Plan::new(s, &spec).map_err(|e| e.to_string())
}

/// The open example loaded with its pools table edited by `edit` (a copy of the scenario
/// next to the original, so that its relative paths still hold).
fn loaded_with_pools(edit: impl Fn(&str) -> String, tag: &str) -> Scenario {
    let pools =
        std::fs::read_to_string(root().join("crates/cssf-flow/data/paper-pools.csv")).unwrap();
    let dir = root().join("examples/bth-2020-open");
    let pools_path = dir.join(format!(".test-pools-{tag}-{}.csv", std::process::id()));
    let toml_path = dir.join(format!(".test-scenario-{tag}-{}.toml", std::process::id()));
    std::fs::write(&pools_path, edit(&pools)).unwrap();
    let toml = std::fs::read_to_string(dir.join("scenario.toml"))
        .unwrap()
        .replace(
            "pools = \"../../crates/cssf-flow/data/paper-pools.csv\"",
            &format!(
                "pools = \"{}\"",
                pools_path.file_name().unwrap().to_str().unwrap()
            ),
        );
    std::fs::write(&toml_path, toml).unwrap();
    let loaded = load(&ScenarioSource::File(toml_path.clone()));
    let _ = std::fs::remove_file(&pools_path);
    let _ = std::fs::remove_file(&toml_path);
    loaded.unwrap()
}

fn assert_same_transfers(a: &[CssfTransfer], b: &[CssfTransfer]) {
    assert_eq!(a.len(), b.len(), "transfer count");
    for (x, y) in a.iter().zip(b) {
        assert_eq!((x.output, x.input), (y.output, y.input));
        assert!(
            (x.tonnes.0 - y.tonnes.0).abs() <= 1e-9 * y.tonnes.0.abs().max(1.0),
            "{} -> {}: {} vs {}",
            x.output,
            x.input,
            x.tonnes.0,
            y.tonnes.0
        );
    }
}

#[test]
fn a_drawn_density_equals_loading_the_scenario_with_it() {
    let s = open_example();
    // Forest soil carbon 151.4 → 95.0 t C/ha, and grassland's below-ground 55.2 → 80.0.
    let p = plan(
        &s,
        "[[uncertainty]]\nparam = \"pools.2.c_soil\"\ndist = \"uniform\"\nlow = 95.0\nhigh = 95.0\n\
         [[uncertainty]]\nparam = \"pools.3.c_below\"\ndist = \"uniform\"\nlow = 80.0\nhigh = 80.0\n",
    )
    .unwrap();
    let values = p.values(0, &[0.5, 0.5]).unwrap();
    assert_eq!(values, vec![95.0, 80.0]);
    let drawn = p.apply(&s, &values).unwrap();
    let reference = loaded_with_pools(
        |t| {
            t.replace(
                "2,forest,69.60,21.00,151.4,3.85",
                "2,forest,69.60,21.00,95.0,3.85",
            )
            .replace(
                "3,grassland,10.60,55.20,97.30,1.24",
                "3,grassland,10.60,80.0,97.30,1.24",
            )
        },
        "a",
    );
    let (got, want) = (drawn.cssf.unwrap(), reference.cssf.unwrap());
    assert_same_transfers(&got, &want);
    // The densities moved the transfers: this is not the base layer.
    let base = s.cssf.as_ref().unwrap();
    assert!(
        got.len() != base.len()
            || got
                .iter()
                .zip(base)
                .any(|(a, b)| (a.tonnes.0 - b.tonnes.0).abs() > 1e-6 * b.tonnes.0),
        "the densities changed nothing"
    );
}

#[test]
fn a_wildcard_scales_every_class_like_a_scaled_table() {
    let s = open_example();
    // Every soil pool × 1.3, grouped into one draw.
    let p = plan(
        &s,
        "[[uncertainty]]\nparam = \"pools.*.c_soil\"\ndist = \"uniform\"\nlow = 1.3\nhigh = 1.3\n\
         scale = \"relative\"\ngroup = \"soil\"\n",
    )
    .unwrap();
    assert_eq!(p.parameters().len(), 6);
    let values = p.values(0, &[0.5]).unwrap();
    let drawn = p.apply(&s, &values).unwrap();
    let reference = loaded_with_pools(
        |t| {
            t.lines()
                .enumerate()
                .map(|(i, line)| {
                    if i == 0 {
                        return line.to_owned();
                    }
                    let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
                    let soil: f64 = cells[4].parse().unwrap();
                    cells[4] = format!("{}", soil * 1.3);
                    cells.join(",")
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        "b",
    );
    assert_same_transfers(&drawn.cssf.unwrap(), &reference.cssf.unwrap());
}

#[test]
fn zero_width_densities_reproduce_the_run() {
    let s = open_example();
    let p = plan(
        &s,
        "[[uncertainty]]\nparam = \"pools.1.*\"\ndist = \"uniform\"\nlow = 1.0\nhigh = 1.0\nscale = \"relative\"\n",
    )
    .unwrap();
    let values = p.values(0, &[0.5, 0.5, 0.5, 0.5]).unwrap();
    let drawn = p.apply(&s, &values).unwrap();
    assert_eq!(drawn.cssf, s.cssf);
    assert_eq!(run(&drawn).unwrap().zoning, run(&s).unwrap().zoning);
}

#[test]
fn pools_names_that_cannot_work_are_refused() {
    let s = open_example();
    let bad = |text: &str, expected: &str| {
        let e = plan(&s, text).unwrap_err();
        assert!(e.contains(expected), "{text}: {e}");
    };
    let stanza = |param: &str| {
        format!("[[uncertainty]]\nparam = \"{param}\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n")
    };
    bad(
        &stanza("pools.9.c_soil"),
        "not in the pools table (classes: 1, 2, 3, 4, 5, 6)",
    );
    bad(&stanza("pools.x.c_soil"), "not a land-use code");
    bad(
        &stanza("pools.1.c_wood"),
        "c_above, c_below, c_soil, c_dead",
    );
    bad(
        &format!(
            "{}{}",
            stanza("pools.1.c_soil"),
            stanza("cssf.transfer.zhangjiakou.tianjin")
        ),
        "cannot be varied as well",
    );
    // The valid names of a raster scenario list the pools.
    bad(
        &stanza("pool.1.c_soil"),
        "pools.<lucode>.<pool> for lucode 1|2|3|4|5|6",
    );
    // A scenario whose CSSF layer is a table has no densities.
    let bth = load(&embedded::bth_2020()).unwrap();
    let e = plan(&bth, &stanza("pools.1.c_soil")).unwrap_err();
    assert!(e.contains("[cssf.rasters]"), "{e}");
}
