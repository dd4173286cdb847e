//! Replays every committed fuzz input through the fuzz harnesses (no fuzzing in CI).
//!
//! `fuzz/corpus/<target>/` holds the seeds and `fuzz/regressions/<target>/` the minimised
//! crashers of the cargo-fuzz targets (`docs/RELIABILITY.md`). Each file goes through the same
//! `fzc_tests::harness` function as the fuzz target, so an input that once panicked, aborted
//! or ran out of memory fails this test if the bug comes back.

use std::path::Path;

use fzc_tests::harness::{TARGETS, unpack};
use fzc_tests::workspace_root;

/// The files of `dir` (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_and_regression_file_replays_without_a_panic() {
    let fuzz = workspace_root().join("fuzz");
    let mut replayed = 0;
    for (target, harness) in TARGETS {
        let seeds = files(&fuzz.join("corpus").join(target));
        assert!(!seeds.is_empty(), "fuzz/corpus/{target}/ has no seed");
        for path in seeds
            .iter()
            .chain(files(&fuzz.join("regressions").join(target)).iter())
        {
            let data = std::fs::read(path).unwrap();
            eprintln!("replaying {}", path.display());
            harness(&data);
            replayed += 1;
        }
    }
    // Every target directory exists in the harness and on disk, and nothing else is there.
    for entry in std::fs::read_dir(fuzz.join("corpus")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/corpus/{name}/ is not a target of fzc_tests::harness::TARGETS"
        );
    }
    assert!(replayed >= TARGETS.len());
}

/// The valid seeds reach the end of their reader: the archive format and the file names the
/// harness writes are the ones the readers look for (else the fuzzer would only ever see
/// "file not found").
#[test]
fn the_valid_archive_seeds_read_successfully() {
    let corpus = workspace_root().join("fuzz/corpus");
    let seed = |t: &str, f: &str| unpack(&std::fs::read(corpus.join(t).join(f)).unwrap());

    for f in ["mrio-small", "small-pymrio"] {
        let dir = seed("pymrio_folder", f);
        fzc_io::read_pymrio_folder(dir.path()).unwrap();
    }
    for f in ["doc-example", "two-regions"] {
        let dir = seed("mrio_csv", f);
        fzc_io::read_mrio_csv(dir.path()).unwrap();
    }
    // The CRLF seed, with blank lines, holds the same Z and Y as its LF twin.
    let lf = fzc_io::read_mrio_csv(seed("mrio_csv", "two-regions").path()).unwrap();
    let crlf = fzc_io::read_mrio_csv(seed("mrio_csv", "two-regions-crlf").path()).unwrap();
    assert!(crlf.table.z == lf.table.z && crlf.table.y == lf.table.y);
    let dir = seed("ceads_mat", "small-ceads");
    let d = dir.path();
    fzc_io::read_ceads_mat(&d.join("mrio.mat"), &d.join("emissions.csv"), None).unwrap();
    // (`cgcs2000-gk` is a near-valid seed: its projected CRS needs the `proj` feature.)
    let dir = seed("shapefile_regions", "gbk-cities");
    let shp = dir.path().join("regions.shp");
    assert!(
        !fzc_io::read_shapefile_regions(&shp, Some("name"))
            .unwrap()
            .is_empty()
    );
    for f in ["bth-2020", "minimal"] {
        let dir = seed("scenario_toml", f);
        let source = fzc_scenario::ScenarioSource::File(dir.path().join("scenario.toml"));
        if let Err(e) = fzc_scenario::load(&source) {
            panic!("scenario seed {f}: {e}");
        }
    }
}
