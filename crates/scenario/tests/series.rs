//! Year series (`[ect] years` with `{year}` in `[ect] mrio`): each year of a series is the
//! scenario run on that year's table alone, and a series that cannot be read says which year.
//!
//! The expected values are single-year runs of the same loader and runner, so this checks the
//! series machinery (year substitution, ordering, the per-year run with the rest of the
//! scenario unchanged, `zoning-series.csv`), not the ECT numbers (those are checked against
//! pymrio in `tests/tests/mrio_reference.rs`).

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_scenario::{
    Outcome, ScenarioSource, ledger_csv, load, run, write_outputs, zoning_csv, zoning_series_csv,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A folder with `mrio-2019` (examples/mrio-small as it is), `mrio-2020` (the same table with
/// Henan's CO2 intensities raised from 100, 685, 137 t to 2,000 t per sector, so that the
/// embodied flows and the zones change) and the standards of the mrio-small scenario.
fn series_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = workspace().join("examples/mrio-small");
    for year in [2019, 2020] {
        let target = dir.path().join(format!("mrio-{year}"));
        std::fs::create_dir_all(target.join("emissions")).unwrap();
        for file in [
            "Y.txt",
            "Z.txt",
            "file_parameters.json",
            "metadata.json",
            "unit.txt",
            "emissions/F.txt",
            "emissions/F_Y.txt",
            "emissions/file_parameters.json",
            "emissions/unit.txt",
        ] {
            let mut text = std::fs::read_to_string(source.join(file)).unwrap();
            if year == 2020 && file == "emissions/F.txt" {
                let co2 = "CO2\tair\t100\t685\t137\t322\t574\t359\t211\t796\t248\t100\t685\t137";
                assert!(text.contains(co2), "examples/mrio-small changed: {text}");
                text = text.replace(
                    co2,
                    "CO2\tair\t100\t685\t137\t322\t574\t359\t211\t796\t248\t2000\t2000\t2000",
                );
            }
            std::fs::write(target.join(file), text).unwrap();
        }
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mrio-small/standards.csv"),
        dir.path().join("standards.csv"),
    )
    .unwrap();
    dir
}

fn scenario_toml(mrio: &str, years: Option<&str>) -> String {
    format!(
        "name = \"series\"\nregions = [\"Beijing\", \"Tianjin\", \"Hebei\", \"Henan\"]\n\
         [pricing]\nprice_yuan_per_tonne = 46.66\nstandards = \"standards.csv\"\n\
         [ect]\nmrio = \"{mrio}\"\nstressor = \"CO2\"\n{}",
        years.map_or_else(String::new, |y| format!("years = {y}\n"))
    )
}

fn load_and_run(dir: &Path, toml: &str) -> Result<Outcome, String> {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).unwrap();
    let scenario = load(&ScenarioSource::File(path)).map_err(|e| e.to_string())?;
    run(&scenario).map_err(|e| e.to_string())
}

#[test]
fn each_year_of_a_series_is_that_years_table_run_alone() {
    let dir = series_folder();
    let series = load_and_run(
        dir.path(),
        &scenario_toml("mrio-{year}", Some("\"2019..2020\"")),
    )
    .unwrap();
    assert_eq!(
        series.series.iter().map(|(y, _)| *y).collect::<Vec<_>>(),
        [2019, 2020]
    );
    let mut expected = String::from("year,");
    expected.push_str(fzc_scenario::ZONING_HEADER);
    expected.push('\n');
    let mut zonings = Vec::new();
    for (year, one) in &series.series {
        let alone =
            load_and_run(dir.path(), &scenario_toml(&format!("mrio-{year}"), None)).unwrap();
        assert!(alone.series.is_empty());
        assert_eq!(zoning_csv(one), zoning_csv(&alone), "{year}");
        assert_eq!(ledger_csv(one), ledger_csv(&alone), "{year}");
        for line in zoning_csv(&alone).lines().skip(1) {
            expected.push_str(&format!("{year},{line}\n"));
        }
        zonings.push(zoning_csv(&alone));
    }
    assert_eq!(zoning_series_csv(&series).unwrap(), expected);
    // The outcome itself is the last year's.
    assert_eq!(zoning_csv(&series), zonings[1]);
    // The two tables differ, so the comparison above could fail.
    assert_ne!(zonings[0], zonings[1]);
}

#[test]
fn years_may_be_an_array_and_the_outputs_gain_zoning_series_csv() {
    let dir = series_folder();
    let toml = scenario_toml("mrio-{year}", Some("[2019, 2020]"));
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, &toml).unwrap();
    let scenario = load(&ScenarioSource::File(path)).unwrap();
    assert_eq!(scenario.ect_series.len(), 2);
    let outcome = run(&scenario).unwrap();
    let out = dir.path().join("out");
    write_outputs(&out, &scenario, &outcome).unwrap();
    let written = std::fs::read_to_string(out.join("zoning-series.csv")).unwrap();
    assert_eq!(written, zoning_series_csv(&outcome).unwrap());
    assert_eq!(written.lines().count(), 1 + 2 * 4);

    // A scenario without years writes no zoning-series.csv.
    let single = load_and_run(dir.path(), &scenario_toml("mrio-2019", None)).unwrap();
    assert!(zoning_series_csv(&single).is_none());
}

#[test]
fn a_series_that_cannot_be_read_names_the_year_or_the_missing_key() {
    let dir = series_folder();
    let cases: [(String, &[&str]); 5] = [
        (
            scenario_toml("mrio-{year}", Some("\"2018..2021\"")),
            &[
                "2 of 4 years have no table",
                "2018 (",
                "mrio-2018",
                "2021 (",
            ],
        ),
        (
            scenario_toml("mrio-{year}", None),
            &["holds {year}", "no `years`", "years = \"2015..2022\""],
        ),
        (
            scenario_toml("mrio-2019", Some("\"2019..2020\"")),
            &[
                "[ect] years needs `mrio` with {year}",
                "mrio = \"mrio-2019\"",
            ],
        ),
        (
            scenario_toml("mrio-{year}", Some("\"2020,2019\"")),
            &["2019 follows 2020", "increasing"],
        ),
        (
            scenario_toml("mrio-{year}", Some("\"20x9\"")),
            &["[ect] years", "\"20x9\"", "four-digit year"],
        ),
    ];
    for (toml, needles) in cases {
        let message = load_and_run(dir.path(), &toml).unwrap_err();
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
        }
    }

    // A year whose table is there but broken: the error names the year.
    std::fs::write(dir.path().join("mrio-2020/Z.txt"), "not a table\n").unwrap();
    let message = load_and_run(
        dir.path(),
        &scenario_toml("mrio-{year}", Some("\"2019..2020\"")),
    )
    .unwrap_err();
    assert!(message.starts_with("year 2020: "), "{message}");
    assert!(message.contains("Z.txt"), "{message}");
}
