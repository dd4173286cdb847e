//! The CEADs provincial workbook reader against MARIO's `parse_ceads` on the synthetic
//! workbook of `tests/fixtures/ceads-provincial/make_ceads_provincial.py` (mariopy 1.3.2):
//! the regional accounts of the CO2 row from MARIO's Leontief inverse and coefficients, and
//! malformed variants. The workbook is an input; the accounts are the check.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/ceads-provincial")
}

fn workbook() -> PathBuf {
    fixtures().join("CEADs China provincial MRIO 2018.xlsx")
}

#[test]
fn the_co2_accounts_agree_with_mario_to_1e_9() {
    assert_eq!(
        MrioFormat::detect(&workbook()).unwrap(),
        MrioFormat::CeadsXlsx
    );
    let data = read_mrio(&workbook(), None, &SideFiles::default()).unwrap();
    let names: Vec<&str> = data.table.regions.iter().map(|r| r.as_str()).collect();
    assert_eq!(names, ["Beijing", "Tianjin", "Hebei", "Inner Mongolia"]);
    assert_eq!(
        data.table.sectors[0].as_str(),
        "Farming, Forestry, Animal Husbandry and Fishery"
    );
    let sat = data.satellite(None, "CO2").unwrap();
    assert_eq!(sat.unit, fzc_core::MassUnit::Megatonne);
    let acc = compute_ect(data.table.clone(), &sat, &EctOptions::default()).unwrap();
    let (production, consumption) = (acc.production(), acc.consumption());
    let (inflow, outflow) = (acc.inflow(), acc.outflow());
    let mut reader = csv::Reader::from_path(fixtures().join("reference.csv")).unwrap();
    let mut compared = 0;
    for row in reader.records().map(Result::unwrap) {
        let r = acc
            .regions
            .iter()
            .position(|id| id.as_str() == &row[1])
            .unwrap();
        let num = |k: usize| row[k].parse::<f64>().unwrap();
        fzc_tests::assert_close(
            "MARIO",
            "consumption vs D_cba",
            &row[1],
            consumption[r],
            num(2),
        );
        fzc_tests::assert_close(
            "MARIO",
            "production vs D_pba",
            &row[1],
            production[r],
            num(3),
        );
        fzc_tests::assert_close("MARIO", "inflow vs D_exp", &row[1], inflow[r], num(4));
        fzc_tests::assert_close("MARIO", "outflow vs D_imp", &row[1], outflow[r], num(5));
        compared += 1;
    }
    assert_eq!(compared, 4);
}

#[test]
fn extra_stressors_from_a_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("ch4.csv");
    let mut text = String::from("stressor,region,sector,value[t]\n");
    for p in ["Beijing", "Tianjin", "Hebei", "Inner Mongolia"] {
        text.push_str(&format!("CH4,{p},Construction,5\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let side = SideFiles {
        emissions: Some(csv),
        ..SideFiles::default()
    };
    let data = read_mrio(&workbook(), None, &side).unwrap();
    assert!(data.satellite(None, "CO2").is_ok());
    let ch4 = data.satellite(None, "CH4").unwrap();
    assert_eq!(ch4.by_sector.iter().sum::<f64>(), 20.0);
}

/// A copy of the workbook with one cell changed, through a re-zipped sheet XML.
fn edited(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    use std::io::{Read, Write};
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join("CEADs China provincial MRIO 2018.xlsx");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(workbook()).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    out
}

#[test]
fn malformed_workbooks_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = |path: &Path| {
        read_mrio(path, Some(MrioFormat::CeadsXlsx), &SideFiles::default())
            .unwrap_err()
            .to_string()
    };
    // E6 is the flow from Beijing's farming to Beijing's coal mining (200; row 6 in
    // Excel's numbering): made negative.
    let path = edited(&dir.path().join("a"), |xml| {
        let at = xml.find("<c r=\"E6\"").unwrap();
        let v = at + xml[at..].find("<v>").unwrap() + 3;
        format!("{}-{}", &xml[..v], &xml[v..])
    });
    let e = err(&path);
    assert!(
        e.contains("Table_2018_English Version")
            && e.contains("line 6")
            && e.contains("E (")
            && e.contains("-200")
            && e.contains(">= 0"),
        "{e}"
    );
    // The second row's sector name changed: the rows no longer follow the Sector sheet.
    let path = edited(&dir.path().join("b"), |xml| {
        xml.replacen("Coal Mining and Dressing", "Coal mining", 1)
    });
    let e = err(&path);
    assert!(
        e.contains("Coal mining") && e.contains("Coal Mining and Dressing"),
        "{e}"
    );
    // No export column.
    let path = edited(&dir.path().join("c"), |xml| xml.replace(">EX<", ">XX<"));
    let e = err(&path);
    assert!(e.contains("no export column (code EX)"), "{e}");
    // Not a workbook.
    let bad = dir.path().join("broken.xlsx");
    std::fs::write(&bad, "not a workbook").unwrap();
    let e = err(&bad);
    assert!(e.contains("not a readable xlsx workbook"), "{e}");
}
