//! Bad MRIO inputs: each one a clear error naming where and what, asserted on message content.
//!
//! Every case copies the pymrio fixture to a temporary folder, breaks one thing, runs the
//! reader and the engine as `fzc ect` does, and checks the message.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::Path;

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::read_pymrio_folder;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Rewrites one file of the folder through `f`.
fn edit(dir: &Path, file: &str, f: impl FnOnce(&str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, f(&text)).unwrap();
}

/// Applies `f` to the cells of line `line` (1-based) of `file`.
fn edit_line(dir: &Path, file: &str, line: usize, f: impl FnOnce(&mut Vec<String>)) {
    edit(dir, file, |text| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut cells: Vec<String> = lines[line - 1].split('\t').map(str::to_owned).collect();
        f(&mut cells);
        lines[line - 1] = cells.join("\t");
        lines.join("\n") + "\n"
    });
}

/// Reads the broken folder and computes CO2 (or `stressor`) as `fzc ect` does; the error text.
fn run(dir: &Path, stressor: &str) -> Result<Vec<String>, String> {
    let data = read_pymrio_folder(dir).map_err(|e| e.to_string())?;
    let sat = data.satellite(None, stressor).map_err(|e| e.to_string())?;
    let accounts =
        compute_ect(data.table, &sat, &EctOptions::default()).map_err(|e| e.to_string())?;
    Ok(accounts.warnings)
}

/// One case: break the fixture with `mutate`, expect an error containing every `needle`.
fn case(name: &str, stressor: &str, mutate: impl FnOnce(&Path), needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("broken");
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        &dir,
    );
    assert!(
        run(&dir, stressor).is_ok(),
        "{name}: the unbroken fixture must pass"
    );
    mutate(&dir);
    let err = match run(&dir, stressor) {
        Err(err) => err,
        Ok(warnings) => panic!("{name}: accepted (warnings {warnings:?})"),
    };
    for needle in needles {
        assert!(
            err.contains(needle),
            "{name}: {err:?} does not mention {needle:?}"
        );
    }
}

#[test]
fn non_square_z() {
    case(
        "non-square Z",
        "CO2",
        |d| {
            edit(d, "Z.txt", |t| {
                t.lines()
                    .map(|l| l.rsplit_once('\t').map_or(l, |(a, _)| a).to_owned() + "\n")
                    .collect()
            })
        },
        &["Z.txt", "more than 11 data rows", "11 columns", "square"],
    );
}

#[test]
fn row_labels_of_y_differ_from_z() {
    case(
        "Y labels",
        "CO2",
        |d| edit_line(d, "Y.txt", 5, |c| c[1] = "farming".into()),
        &[
            "Y.txt, line 5",
            "farming",
            "expected (Beijing, industry)",
            "label sets differ",
        ],
    );
}

#[test]
fn column_labels_of_f_differ_from_z() {
    case(
        "F labels",
        "CO2",
        |d| edit_line(d, "emissions/F.txt", 2, |c| c[3] = "farming".into()),
        &["F.txt", "column 2", "farming", "label sets differ"],
    );
}

#[test]
fn final_demand_of_an_unknown_region() {
    case(
        "F_Y region",
        "CO2",
        |d| edit_line(d, "emissions/F_Y.txt", 1, |c| c[9] = "Shanxi".into()),
        &[
            "F_Y.txt",
            "\"Shanxi\"",
            "not a region of Z.txt",
            "label sets differ",
        ],
    );
}

#[test]
fn negative_flow() {
    case(
        "negative Z",
        "CO2",
        |d| edit_line(d, "Z.txt", 4, |c| c[2] = "-40".into()),
        &[
            "Z.txt, line 4, column 3 (Beijing/agriculture)",
            "\"-40\"",
            "negative",
        ],
    );
}

#[test]
fn nan_final_demand_is_not_a_number() {
    case(
        "NaN Y",
        "CO2",
        |d| edit_line(d, "Y.txt", 6, |c| c[4] = "nan".into()),
        &[
            "Y.txt, line 6, column 5 (Tianjin/households)",
            "\"nan\"",
            "finite number",
        ],
    );
}

#[test]
fn empty_emission_cell_only_matters_for_the_selected_stressor() {
    let broken = |d: &Path| edit_line(d, "emissions/F.txt", 4, |c| c[3] = String::new());
    case(
        "empty F",
        "CO2",
        broken,
        &["F.txt, line 4, column 4", "stressor emissions/CO2 (air)"],
    );
    // The same break leaves CH4 usable.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        tmp.path(),
    );
    broken(tmp.path());
    assert!(run(tmp.path(), "CH4").is_ok());
}

#[test]
fn unknown_unit() {
    case(
        "unit",
        "CO2",
        |d| edit_line(d, "emissions/unit.txt", 2, |c| c[2] = "lb".into()),
        &[
            "unit.txt, line 2, column unit",
            "\"lb\"",
            "expected a known mass unit",
            "Mt",
        ],
    );
}

#[test]
fn ambiguous_stressor_lists_candidates() {
    case(
        "ambiguous",
        "CO2",
        |d| {
            for file in ["emissions/F.txt", "emissions/F_Y.txt", "emissions/unit.txt"] {
                edit(d, file, |t| {
                    let co2 = t.lines().find(|l| l.starts_with("CO2\t")).unwrap();
                    format!("{t}{}\n", co2.replacen("\tair", "\twater", 1))
                });
            }
        },
        &[
            "\"CO2\" is ambiguous",
            "emissions/CO2 (air)",
            "emissions/CO2 (water)",
            "emissions/CH4 (air)",
        ],
    );
}

#[test]
fn missing_stressor_lists_candidates() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        tmp.path(),
    );
    let err = run(tmp.path(), "N2O").unwrap_err();
    assert!(err.contains("\"N2O\" not found"), "{err}");
    assert!(
        err.contains("candidates: emissions/CO2 (air), emissions/CH4 (air)"),
        "{err}"
    );
}

/// Writes `x.txt` (and registers it) with the balanced output, one entry scaled by `factor`.
fn write_x(d: &Path, factor: f64) {
    let data = read_pymrio_folder(d).unwrap();
    let t = &data.table;
    let n = t.size();
    let mut text = String::from("region\tsector\tindout\n");
    for i in 0..n {
        let x: f64 = (0..n).map(|j| t.z[(i, j)]).sum::<f64>()
            + (0..t.region_count()).map(|s| t.y[(i, s)]).sum::<f64>();
        let (r, s) = t.label_of(i);
        let x = if i == 4 { x * factor } else { x };
        text.push_str(&format!("{r}\t{s}\t{x}\n"));
    }
    std::fs::write(d.join("x.txt"), text).unwrap();
    edit(d, "file_parameters.json", |j| {
        j.replacen(
            "\"files\": {",
            "\"files\": {\n        \"x\": {\"name\": \"x.txt\", \"nr_index_col\": \"2\", \"nr_header\": \"1\"},",
            1,
        )
    });
}

#[test]
fn balanced_x_is_accepted_and_imbalance_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        tmp.path(),
    );
    write_x(tmp.path(), 1.0);
    assert!(read_pymrio_folder(tmp.path()).unwrap().table.x.is_some());
    assert!(run(tmp.path(), "CO2").is_ok());
    case(
        "imbalance",
        "CO2",
        |d| write_x(d, 1.01),
        &["Tianjin/industry", "relative imbalance", "tolerance"],
    );
}

/// Zeroes the row of sector `index` in Z and Y (its sales), keeping its column.
fn zero_sales(d: &Path, index: usize) {
    for file in ["Z.txt", "Y.txt"] {
        edit_line(d, file, 4 + index, |c| {
            for v in &mut c[2..] {
                *v = "0".into();
            }
        });
    }
}

#[test]
fn zero_output_sector_with_inputs() {
    case(
        "zero output",
        "CO2",
        |d| zero_sales(d, 11),
        &["Henan", "services", "output 0 but intermediate inputs"],
    );
}

#[test]
fn zero_output_sector_without_inputs_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        d,
    );
    zero_sales(d, 11);
    edit(d, "Z.txt", |t| {
        t.lines()
            .enumerate()
            .map(|(k, l)| {
                let mut c: Vec<&str> = l.split('\t').collect();
                if k >= 3 {
                    *c.last_mut().unwrap() = "0";
                }
                c.join("\t") + "\n"
            })
            .collect()
    });
    let warnings = run(d, "CO2").unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Henan/services") && w.contains("zero total output")),
        "{warnings:?}"
    );
}

#[test]
fn singular_leontief_system_names_the_sector() {
    // Hebei/industry (index 7) sells only to itself and to no final user: its row of I − A is zero.
    case(
        "singular",
        "CO2",
        |d| {
            zero_sales(d, 7);
            edit_line(d, "Z.txt", 4 + 7, |c| c[2 + 7] = "50".into());
        },
        &["singular", "Hebei/industry"],
    );
}

#[test]
fn extension_picks_the_subfolder() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(
        &fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio"),
        d,
    );
    copy_dir(&d.join("emissions"), &d.join("energy"));
    // The copy holds CO2 in kt, so a wrong pick would show in the unit.
    edit_line(d, "energy/unit.txt", 2, |c| c[2] = "kt".into());
    let data = read_pymrio_folder(d).unwrap();
    let err = data.satellite(None, "CO2").unwrap_err().to_string();
    assert!(
        err.contains("is ambiguous") && err.contains("energy/CO2 (air)"),
        "{err}"
    );
    let kt = data.satellite(Some("energy"), "CO2").unwrap();
    assert_eq!(kt.unit, fzc_core::MassUnit::Kilotonne);
    let t = data.satellite(Some("emissions"), "CO2").unwrap();
    assert_eq!(t.unit, fzc_core::MassUnit::Tonne);
    let err = data
        .satellite(Some("water"), "CO2")
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"water/CO2\" not found"), "{err}");
}
