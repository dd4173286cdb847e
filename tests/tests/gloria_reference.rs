//! The GLORIA reader against pymrio's `parse_gloria` + `calc_all` on the synthetic release of
//! `tests/fixtures/gloria/make_gloria.py` (pymrio 0.7.0, construct B), and malformed
//! variants. The release is an input; the accounts are the check.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/gloria")
}

fn release() -> PathBuf {
    fixtures().join("release")
}

const T_MEMBER: &str =
    "20240111_120secMother_AllCountries_002_T-Results_2022_059_Markup001(full).csv";

#[test]
fn mass_stressors_agree_with_pymrio_to_1e_9() {
    assert_eq!(MrioFormat::detect(&release()).unwrap(), MrioFormat::Gloria);
    let zip = release().join("GLORIA_MRIOs_59_2022.zip");
    assert_eq!(MrioFormat::detect(&zip).unwrap(), MrioFormat::Gloria);
    let data = read_mrio(&release(), None, &SideFiles::default()).unwrap();
    let names: Vec<&str> = data.table.regions.iter().map(|r| r.as_str()).collect();
    assert_eq!(names, ["AUS", "KOR", "DEU"], "the empty DYE is dropped");
    assert_eq!(data.table.sectors.len(), 5);
    assert_eq!(
        data.table.sectors[2].as_str(),
        "Electric power generation, transmission and distribution"
    );
    // The same table through the MRIOs zip's path.
    let via_zip = read_mrio(&zip, None, &SideFiles::default()).unwrap();
    assert_eq!(via_zip.table.z, data.table.z);
    let mut reader = csv::Reader::from_path(fixtures().join("reference.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut compared = 0;
    for wanted in [
        "'co2_excl_short_cycle_org_c_total_EDGAR_consistent'",
        "'ch4_total_EDGAR_consistent'",
        "CO2 emissions, fuel combustion (kt)",
    ] {
        let sat = data.satellite(Some("Q"), wanted).unwrap();
        assert_eq!(sat.unit, fzc_core::MassUnit::Kilotonne, "Gg and kt");
        let acc = compute_ect(data.table.clone(), &sat, &EctOptions::default()).unwrap();
        let (production, consumption) = (acc.production(), acc.consumption());
        let (inflow, outflow) = (acc.inflow(), acc.outflow());
        for row in rows.iter().filter(|r| &r[0] == wanted) {
            let r = acc
                .regions
                .iter()
                .position(|id| id.as_str() == &row[3])
                .unwrap();
            let num = |k: usize| row[k].parse::<f64>().unwrap();
            let at = format!("{wanted} {}", &row[3]);
            let f_y = acc.final_users[r];
            fzc_tests::assert_close("pymrio", "F_Y", &at, f_y, num(8));
            fzc_tests::assert_close(
                "pymrio",
                "consumption + F_Y vs D_cba_reg",
                &at,
                consumption[r] + f_y,
                num(4),
            );
            fzc_tests::assert_close(
                "pymrio",
                "production + F_Y vs D_pba_reg",
                &at,
                production[r] + f_y,
                num(5),
            );
            fzc_tests::assert_close("pymrio", "inflow vs D_exp_reg", &at, inflow[r], num(6));
            fzc_tests::assert_close("pymrio", "outflow vs D_imp_reg", &at, outflow[r], num(7));
            compared += 1;
        }
    }
    assert_eq!(compared, 9);
    // Energy is not a mass: refused, naming the ReadMe cell.
    let err = data
        .satellite(Some("Q"), "Energy use, total")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("GLORIA_ReadMe_059.xlsx") && err.contains("TJ"),
        "{err}"
    );
}

/// A copy of the release in `dir`, the T table edited by `edit`.
fn edited(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let out = dir.join("release");
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(release()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), out.join(entry.file_name())).unwrap();
    }
    let zip_path = out.join("GLORIA_MRIOs_59_2022.zip");
    let mut archive = zip::ZipArchive::new(
        std::fs::File::open(release().join("GLORIA_MRIOs_59_2022.zip")).unwrap(),
    )
    .unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().unwrap().into_owned();
        let mut text = String::new();
        member.read_to_string(&mut text).unwrap();
        if name == T_MEMBER {
            text = edit(text);
        }
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap();
    out
}

fn err(path: &Path) -> String {
    read_mrio(path, None, &SideFiles::default())
        .unwrap_err()
        .to_string()
}

/// Sets cell (row, col) of the comma-separated text.
fn set(text: String, row: usize, col: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
    cells[col] = value.to_owned();
    lines[row] = cells.join(",");
    lines.join("\n") + "\n"
}

#[test]
fn malformed_releases_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Row 6 is AUS/Product/Wheat, column 0 AUS/Industry/Wheat: a use-table cell.
    let path = edited(&dir.path().join("a"), |t| set(t, 5, 0, "-3"));
    let e = err(&path);
    assert!(
        e.contains(T_MEMBER)
            && e.contains("line 6")
            && e.contains("AUS/Industry/Wheat")
            && e.contains("-3"),
        "{e}"
    );
    // Industry AUS/Wheat (row 1) supplying product AUS/Rice (column 7): off V's diagonal.
    let path = edited(&dir.path().join("b"), |t| set(t, 0, 6, "2.5"));
    let e = err(&path);
    assert!(
        e.contains("off its diagonal") && e.contains("Rice (paddy)"),
        "{e}"
    );
    // A short line.
    let path = edited(&dir.path().join("c"), |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        lines[3] = lines[3].rsplit_once(',').unwrap().0.to_owned();
        lines.join("\n") + "\n"
    });
    let e = err(&path);
    assert!(
        e.contains("line 4") && e.contains("values, expected 40"),
        "{e}"
    );
    // No ReadMe beside the tables: not detected as GLORIA; named, still refused, with
    // --format gloria.
    let path = edited(&dir.path().join("d"), |t| t);
    std::fs::remove_file(path.join("GLORIA_ReadMe_059.xlsx")).unwrap();
    let e = read_mrio(&path, Some(MrioFormat::Gloria), &SideFiles::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ReadMe") && e.contains("GLORIA_ReadMe_059.xlsx"),
        "{e}"
    );
    // A ReadMe that is not a workbook.
    let path = edited(&dir.path().join("e"), |t| t);
    std::fs::write(path.join("GLORIA_ReadMe_059.xlsx"), "not a workbook").unwrap();
    let e = err(&path);
    assert!(e.contains("not a readable xlsx workbook"), "{e}");
    // Two years in one folder: ambiguous, and the message says how to pick one.
    let path = edited(&dir.path().join("f"), |t| t);
    std::fs::copy(
        path.join("GLORIA_MRIOs_59_2022.zip"),
        path.join("GLORIA_MRIOs_59_2021.zip"),
    )
    .unwrap();
    let e = err(&path);
    assert!(
        e.contains("2 GLORIA tables") && e.contains("GLORIA_MRIOs_59_2021.zip"),
        "{e}"
    );
    // Picking the 2021 one finds no 2021 satellite accounts.
    let e = err(&path.join("GLORIA_MRIOs_59_2021.zip"));
    assert!(e.contains("GLORIA_SatelliteAccounts_059_2021"), "{e}");
}

/// The fuzz seed (`fuzz/make_seeds.py`) unpacks into a release that reads: the fuzzer starts
/// from inputs that reach the whole reader, not from an early error.
#[test]
fn the_fuzz_seed_is_a_readable_release() {
    let seed =
        std::fs::read(fzc_tests::workspace_root().join("fuzz/corpus/gloria/gloria-059-2022"))
            .unwrap();
    let dir = fzc_tests::harness::unpack(&seed);
    let data = read_mrio(dir.path(), None, &SideFiles::default()).unwrap();
    assert_eq!(data.table.regions.len(), 3);
    let seed = std::fs::read(
        fzc_tests::workspace_root().join("fuzz/corpus/ceads_xlsx/ceads-provincial-2018"),
    )
    .unwrap();
    let path = dir.path().join("provinces.xlsx");
    std::fs::write(&path, seed).unwrap();
    assert_eq!(
        fzc_io::read_ceads_xlsx(&path, None)
            .unwrap()
            .table
            .regions
            .len(),
        4
    );
}
