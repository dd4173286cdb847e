//! The OECD ICIO reader against pymrio's `parse_oecd` + `calc_all`, on the synthetic 2021
//! and 2023 editions of `tests/fixtures/oecd-icio/make_oecd_icio.py` (pymrio 0.7.0), and its
//! malformed variants. The tables and the emissions are inputs; the accounts are the check.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/oecd-icio")
}

fn side(edition: &str) -> SideFiles {
    SideFiles {
        emissions: Some(fixtures().join(format!("emissions-{edition}.csv"))),
        city_names: None,
    }
}

#[test]
fn both_editions_and_the_zip_agree_with_pymrio_to_1e_9() {
    let mut reader = csv::Reader::from_path(fixtures().join("reference.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut compared = 0;
    for (case, edition) in [
        ("ICIO2021_2018.csv", "ICIO2021"),
        ("ICIO2023_2019.csv", "ICIO2023"),
        ("ICIO2023_2019.zip", "ICIO2023"),
    ] {
        let path = fixtures().join(case);
        assert_eq!(
            MrioFormat::detect(&path).unwrap(),
            MrioFormat::OecdIcio,
            "{case}"
        );
        let data = read_mrio(&path, None, &side(edition)).unwrap();
        let names: Vec<&str> = data.table.regions.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            ["AUS", "CHN", "DEU", "MEX", "ROW"],
            "CN1/CN2, MX1/MX2 summed"
        );
        assert_eq!(data.table.sectors.len(), 5);
        let co2 = data.satellite(None, "CO2").unwrap();
        let acc = compute_ect(data.table, &co2, &EctOptions::default()).unwrap();
        let (production, consumption) = (acc.production(), acc.consumption());
        let (inflow, outflow) = (acc.inflow(), acc.outflow());
        for row in rows.iter().filter(|r| &r[0] == case) {
            let r = acc
                .regions
                .iter()
                .position(|id| id.as_str() == &row[1])
                .unwrap();
            let num = |k: usize| row[k].parse::<f64>().unwrap();
            let at = format!("{case} {}", &row[1]);
            fzc_tests::assert_close(
                "pymrio",
                "consumption vs D_cba_reg",
                &at,
                consumption[r],
                num(2),
            );
            fzc_tests::assert_close(
                "pymrio",
                "production vs D_pba_reg",
                &at,
                production[r],
                num(3),
            );
            fzc_tests::assert_close("pymrio", "inflow vs D_exp_reg", &at, inflow[r], num(4));
            fzc_tests::assert_close("pymrio", "outflow vs D_imp_reg", &at, outflow[r], num(5));
            compared += 1;
        }
    }
    assert_eq!(compared, 15);
}

fn broken(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join("ICIO2023_2019.csv")).unwrap();
    let path = dir.join("ICIO2023_2019.csv");
    std::fs::write(&path, edit(&text)).unwrap();
    path
}

fn err(path: &Path) -> String {
    read_mrio(path, None, &side("ICIO2023"))
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_tables_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // No emissions file.
    let e = read_mrio(
        &fixtures().join("ICIO2023_2019.csv"),
        None,
        &SideFiles::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--emissions"), "{e}");
    // A text cell in Z, named by line and column.
    let path = broken(dir.path(), |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let mut cells: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
        cells[3] = "n/a".to_owned();
        lines[2] = cells.join(",");
        lines.join("\n")
    });
    let e = err(&path);
    assert!(
        e.contains("ICIO2023_2019.csv, line 3") && e.contains("AUS_C19") && e.contains("n/a"),
        "{e}"
    );
    // A negative intermediate flow.
    let path = broken(dir.path(), |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
        cells[2] = "-4".to_owned();
        lines[1] = cells.join(",");
        lines.join("\n")
    });
    let e = err(&path);
    assert!(e.contains("line 2") && e.contains("negative"), "{e}");
    // Final demand may be negative (inventories): read, then refused by the engine only
    // where it makes total output negative, naming the sector.
    let path = broken(dir.path(), |t| {
        let header: Vec<&str> = t.lines().next().unwrap().split(',').collect();
        let k = header.iter().position(|h| *h == "AUS_INVNT").unwrap();
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
        cells[k] = "-1e6".to_owned();
        lines[1] = cells.join(",");
        lines.join("\n")
    });
    let data = read_mrio(&path, None, &side("ICIO2023")).unwrap();
    let co2 = data.satellite(None, "CO2").unwrap();
    let e = compute_ect(data.table, &co2, &EctOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("AUS/A01_02") && e.contains("inventories"), "{e}");
    // A row without its column.
    let path = broken(dir.path(), |t| t.replacen("\nDEU_G,", "\nDEU_X,", 1));
    let e = err(&path);
    assert!(e.contains("DEU_X") && e.contains("sets differ"), "{e}");
    // A final-demand column of no country.
    let path = broken(dir.path(), |t| t.replacen("ROW_HFCE", "XYZ_HFCE", 1));
    let e = err(&path);
    assert!(e.contains("XYZ_HFCE") && e.contains("AUS, CHN"), "{e}");
    // A short row.
    let path = broken(dir.path(), |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        lines[4] = lines[4].rsplit_once(',').unwrap().0.to_owned();
        lines.join("\n")
    });
    let e = err(&path);
    assert!(e.contains("line 5") && e.contains("cells, expected"), "{e}");
}
