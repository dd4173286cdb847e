//! The Eora26 reader against pymrio's `parse_eora26` + `calc_all` on the synthetic archive
//! of `tests/fixtures/eora26/make_eora26.py` (pymrio 0.7.0), and malformed variants. The
//! archive is an input; the accounts are the check.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/eora26")
}

fn archive() -> PathBuf {
    fixtures().join("Eora26_2015_bp.zip")
}

#[test]
fn mass_stressors_agree_with_pymrio_to_1e_9() {
    assert_eq!(MrioFormat::detect(&archive()).unwrap(), MrioFormat::Eora26);
    let data = read_mrio(&archive(), None, &SideFiles::default()).unwrap();
    let names: Vec<&str> = data.table.regions.iter().map(|r| r.as_str()).collect();
    assert_eq!(names, ["AFG", "BRA", "CHN", "DEU"], "ROW dropped");
    assert_eq!(data.table.sectors.len(), 26);
    let mut reader = csv::Reader::from_path(fixtures().join("reference.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut compared = 0;
    for wanted in [
        "I-GHG-CO2 emissions (Total)",
        "I-GHG-CO2 emissions (Energy)",
        "CH4 emissions from EDGAR",
    ] {
        let sat = data.satellite(Some("Q"), wanted).unwrap();
        assert_eq!(sat.unit, fzc_core::MassUnit::Kilotonne, "Gg");
        let acc = compute_ect(data.table.clone(), &sat, &EctOptions::default()).unwrap();
        let (production, consumption) = (acc.production(), acc.consumption());
        let (inflow, outflow) = (acc.inflow(), acc.outflow());
        for row in rows
            .iter()
            .filter(|r| wanted == format!("{} ({})", &r[0], &r[1]) || wanted == &r[0])
        {
            let r = acc
                .regions
                .iter()
                .position(|id| id.as_str() == &row[2])
                .unwrap();
            let num = |k: usize| row[k].parse::<f64>().unwrap();
            let at = format!("{wanted} {}", &row[2]);
            let f_y = acc.final_users[r];
            fzc_tests::assert_close("pymrio", "F_Y", &at, f_y, num(7));
            fzc_tests::assert_close(
                "pymrio",
                "consumption + F_Y vs D_cba_reg",
                &at,
                consumption[r] + f_y,
                num(3),
            );
            fzc_tests::assert_close(
                "pymrio",
                "production + F_Y vs D_pba_reg",
                &at,
                production[r] + f_y,
                num(4),
            );
            fzc_tests::assert_close("pymrio", "inflow vs D_exp_reg", &at, inflow[r], num(5));
            fzc_tests::assert_close("pymrio", "outflow vs D_imp_reg", &at, outflow[r], num(6));
            compared += 1;
        }
    }
    assert_eq!(compared, 12);
    // Two compartments of one name: the bare name is ambiguous and lists both.
    let err = data
        .satellite(Some("Q"), "I-GHG-CO2 emissions")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ambiguous") && err.contains("(Energy)"),
        "{err}"
    );
    // The land-use row has negative cells: selecting it names one.
    let err = data
        .satellite(Some("Q"), "Land use CO2")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Eora26_2015_bp_Q.txt") && err.contains("-"),
        "{err}"
    );
    // Energy is not a mass.
    let err = data
        .satellite(Some("Q"), "Energy Usage")
        .unwrap_err()
        .to_string();
    assert!(err.contains("labels_Q.txt") && err.contains("TJ"), "{err}");
}

/// Rebuilds the archive with `edit` applied to each member's text.
fn rebuilt(dir: &Path, name: &str, edit: impl Fn(&str, String) -> Option<String>) -> PathBuf {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(archive()).unwrap()).unwrap();
    let path = dir.join(name);
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let member_name = member.name().unwrap().into_owned();
        let mut text = String::new();
        member.read_to_string(&mut text).unwrap();
        if let Some(text) = edit(&member_name, text) {
            out.start_file(member_name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
    }
    out.finish().unwrap();
    path
}

fn err(path: &Path) -> String {
    read_mrio(path, None, &SideFiles::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_archives_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A negative intermediate flow, named by line and column label.
    let path = rebuilt(dir.path(), "Eora26_2015_bp.zip", |n, t| {
        Some(if n == "Eora26_2015_bp_T.txt" {
            let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
            let mut cells: Vec<String> = lines[2].split('\t').map(str::to_owned).collect();
            cells[1] = "-3".to_owned();
            lines[2] = cells.join("\t");
            lines.join("\n") + "\n"
        } else {
            t
        })
    });
    let e = err(&path);
    assert!(
        e.contains("Eora26_2015_bp_T.txt, line 3") && e.contains("AFG/Fishing"),
        "{e}"
    );
    // A table row missing.
    let path = rebuilt(dir.path(), "Eora26_2015_bp.zip", |n, t| {
        Some(if n == "Eora26_2015_bp_FD.txt" {
            t.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n"
        } else {
            t
        })
    });
    let e = err(&path);
    assert!(
        e.contains("_FD.txt") && e.contains("rows, but the label file has"),
        "{e}"
    );
    // No labels, and no indices.zip beside the archive.
    let path = rebuilt(dir.path(), "Eora26_2015_bp.zip", |n, t| {
        (!n.starts_with("labels_")).then_some(t)
    });
    let e = err(&path);
    assert!(
        e.contains("indices.zip") && e.contains("labels_T.txt"),
        "{e}"
    );
    // ... and with indices.zip beside it, the labels come from there.
    let labels = dir.path().join("indices.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&labels).unwrap());
    let mut source = zip::ZipArchive::new(std::fs::File::open(archive()).unwrap()).unwrap();
    for name in [
        "labels_T.txt",
        "labels_FD.txt",
        "labels_Q.txt",
        "labels_VA.txt",
    ] {
        let mut text = String::new();
        source
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap();
    let data = read_mrio(&path, None, &SideFiles::default()).unwrap();
    assert_eq!(data.table.regions.len(), 4);
}

/// Fuzzing found an archive whose member declares 2.9 GB over a few kilobytes: the size is
/// checked against what the compressed bytes can hold before anything is reserved.
#[test]
fn a_member_declaring_more_than_its_compressed_bytes_can_hold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Eora26_2015_bp.zip");
    std::fs::copy(
        fzc_tests::workspace_root()
            .join("fuzz/regressions/eora26/oom-f80e022ceade7d56d7c5df3f8230b8ea2648eaca"),
        &path,
    )
    .unwrap();
    let e = err(&path);
    assert!(
        e.contains("Eora26_2015_bp.zip/") && e.contains("compressed bytes can hold"),
        "{e}"
    );
}
