//! The EXIOBASE 3 and pymrio-archive readers against pymrio, on the synthetic archives of
//! `tests/fixtures/exiobase3/make_exiobase3.py` (pymrio 0.7.0 `parse_exiobase3`,
//! `load_all`, `calc_all`), and their malformed variants.
//!
//! The archives are inputs; every account compared is computed independently by pymrio
//! (`D_cba_reg`, `D_pba_reg`, `D_exp_reg`, `D_imp_reg`) and by fzc's engine, with the
//! semantics of `docs/formats/ect-regions.md`.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{MrioFormat, SideFiles, read_mrio};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/exiobase3")
}

struct Row {
    case: String,
    extension: String,
    stressor: String,
    region: String,
    d_cba: f64,
    d_pba: f64,
    d_exp: f64,
    d_imp: f64,
    f_y: f64,
}

fn reference() -> Vec<Row> {
    let mut reader = csv::Reader::from_path(fixtures().join("reference.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "case",
            "extension",
            "stressor",
            "unit",
            "region",
            "D_cba_reg",
            "D_pba_reg",
            "D_exp_reg",
            "D_imp_reg",
            "F_Y"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let num = |k: usize| r[k].parse::<f64>().unwrap();
            Row {
                case: r[0].to_owned(),
                extension: r[1].to_owned(),
                stressor: r[2].to_owned(),
                region: r[4].to_owned(),
                d_cba: num(5),
                d_pba: num(6),
                d_exp: num(7),
                d_imp: num(8),
                f_y: num(9),
            }
        })
        .collect()
}

fn assert_close(what: &str, at: &str, ours: f64, theirs: f64) {
    let scale = ours.abs().max(theirs.abs());
    let diff = (ours - theirs).abs();
    assert!(
        diff <= 1e-9 * scale || diff <= 1e-9,
        "{what} of {at}: fzc {ours}, pymrio {theirs}, difference {diff:e}"
    );
}

#[test]
fn formats_are_detected_from_the_path() {
    for (case, want) in [
        ("IOT_2022_pxp.zip", MrioFormat::Exiobase3),
        ("IOT_2011_ixi", MrioFormat::Exiobase3),
        ("small-pymrio.zip", MrioFormat::Pymrio),
        ("coefficients-only", MrioFormat::Pymrio),
    ] {
        assert_eq!(
            MrioFormat::detect(&fixtures().join(case)).unwrap(),
            want,
            "{case}"
        );
    }
}

#[test]
fn every_mass_stressor_of_every_archive_agrees_with_pymrio_to_1e_9() {
    let reference = reference();
    let mut cases: Vec<&str> = reference.iter().map(|r| r.case.as_str()).collect();
    cases.dedup();
    assert_eq!(
        cases,
        [
            "IOT_2022_pxp.zip",
            "IOT_2011_ixi",
            "small-pymrio.zip",
            "coefficients-only"
        ]
    );
    let mut compared = 0;
    for case in cases {
        let data = read_mrio(&fixtures().join(case), None, &SideFiles::default()).unwrap();
        let rows: Vec<&Row> = reference.iter().filter(|r| r.case == case).collect();
        let mut stressors: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.extension.as_str(), r.stressor.as_str()))
            .collect();
        stressors.dedup();
        for (extension, stressor) in stressors {
            let satellite = data.satellite(Some(extension), stressor).unwrap();
            let accounts =
                compute_ect(data.table.clone(), &satellite, &EctOptions::default()).unwrap();
            let (production, consumption) = (accounts.production(), accounts.consumption());
            let (inflow, outflow) = (accounts.inflow(), accounts.outflow());
            let want: Vec<&&Row> = rows
                .iter()
                .filter(|r| r.extension == extension && r.stressor == stressor)
                .collect();
            assert_eq!(want.len(), accounts.regions.len(), "{case} {stressor}");
            for (r, want) in want.iter().enumerate() {
                let region = accounts.regions[r].as_str();
                assert_eq!(region, want.region, "{case}: region order and names");
                let at = format!("{case} {extension}/{stressor} {region}");
                let f_y = accounts.final_users[r];
                assert_close("F_Y", &at, f_y, want.f_y);
                assert_close(
                    "consumption + F_Y vs D_cba_reg",
                    &at,
                    consumption[r] + f_y,
                    want.d_cba,
                );
                assert_close(
                    "production + F_Y vs D_pba_reg",
                    &at,
                    production[r] + f_y,
                    want.d_pba,
                );
                assert_close("inflow vs D_exp_reg", &at, inflow[r], want.d_exp);
                assert_close("outflow vs D_imp_reg", &at, outflow[r], want.d_imp);
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 66, "rows of reference.csv compared");
}

#[test]
fn a_zip_of_a_folder_reads_as_the_folder() {
    let root = fzc_tests::workspace_root();
    let folder = read_mrio(
        &root.join("tests/fixtures/mrio/small-pymrio"),
        None,
        &SideFiles::default(),
    )
    .unwrap();
    let zipped = read_mrio(
        &fixtures().join("small-pymrio.zip"),
        None,
        &SideFiles::default(),
    )
    .unwrap();
    assert_eq!(folder.table.regions, zipped.table.regions);
    assert_eq!(folder.table.sectors, zipped.table.sectors);
    assert!(folder.table.z == zipped.table.z && folder.table.y == zipped.table.y);
    assert_eq!(folder.stressors.len(), zipped.stressors.len());
    for (a, b) in folder.stressors.iter().zip(&zipped.stressors) {
        assert_eq!(a.describe(), b.describe());
        assert_eq!(a.by_sector, b.by_sector);
        assert_eq!(a.final_users, b.final_users);
    }
}

#[test]
fn exiobase_units_names_and_old_layouts_are_read_as_pymrio_does() {
    let pxp = read_mrio(
        &fixtures().join("IOT_2022_pxp.zip"),
        None,
        &SideFiles::default(),
    )
    .unwrap();
    assert_eq!(pxp.table.sectors[1].as_str(), "Sugar cane, sugar beet");
    let ghg = pxp
        .satellite(
            Some("impacts"),
            "GHG emissions (GWP100) | Problem oriented approach: baseline (CML, 2001) | GWP100 (IPCC, 2007)",
        )
        .unwrap();
    assert_eq!(
        ghg.unit,
        fzc_core::MassUnit::Kilogram,
        "kg CO2 eq. is a mass"
    );
    // A non-mass stressor is refused where its unit was read, inside the archive.
    let err = pxp
        .satellite(Some("satellite"), "Energy Carrier Net Total")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("IOT_2022_pxp.zip/IOT_2022_pxp/satellite/unit.txt") && err.contains("\"TJ\""),
        "{err}"
    );
    // The monetary row with a negative cell does not stop the archive from being read;
    // selecting it names the cell.
    let err = pxp
        .satellite(
            Some("satellite"),
            "Taxes less subsidies on products purchased: Total",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("M.EUR"), "{err}");
    let ixi = read_mrio(
        &fixtures().join("IOT_2011_ixi"),
        None,
        &SideFiles::default(),
    )
    .unwrap();
    let names: Vec<&str> = ixi.table.regions.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        ["AT", "CN", "DE", "US", "WA"],
        "3.4 ixi codes renamed"
    );
    let co2 = ixi
        .satellite(Some("satellite"), "CO2 - combustion - air")
        .unwrap();
    assert!(
        co2.final_users.iter().sum::<f64>() > 0.0,
        "F_hh read as F_Y"
    );
    // As a plain pymrio folder the codes are kept.
    let plain = read_mrio(
        &fixtures().join("IOT_2011_ixi"),
        Some(MrioFormat::Pymrio),
        &SideFiles::default(),
    )
    .unwrap();
    assert_eq!(plain.table.regions[0].as_str(), "AUT");
}

/// Writes a zip of `(name, bytes)` members, stored.
fn write_zip(path: &Path, members: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The members of the pxp archive, to rebuild it broken.
fn pxp_members() -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(fixtures().join("IOT_2022_pxp.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut member, &mut bytes).unwrap();
        out.push((member.name().unwrap().into_owned(), bytes));
    }
    out
}

fn read_err(path: &Path) -> String {
    read_mrio(path, None, &SideFiles::default())
        .unwrap_err()
        .to_string()
}

fn rebuilt(
    dir: &Path,
    name: &str,
    f: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>,
) -> PathBuf {
    let members: Vec<(String, Vec<u8>)> = pxp_members()
        .into_iter()
        .filter_map(|(n, b)| f(&n, b))
        .collect();
    let path = dir.join(name);
    let refs: Vec<(&str, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    write_zip(&path, &refs);
    path
}

#[test]
fn malformed_archives_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();

    // No system at all.
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |n, b| {
        (!n.ends_with("file_parameters.json") || n.contains("satellite")).then(|| (n.to_owned(), b))
    });
    let err = read_err(&path);
    assert!(
        err.contains("no file_parameters.json with \"systemtype\": \"IOSystem\""),
        "{err}"
    );

    // Two systems in one archive.
    let path = rebuilt(dir.path(), "two.zip", |n, b| {
        Some((n.replace("IOT_2022_pxp/", "x/"), b))
    });
    let mut members: Vec<(String, Vec<u8>)> = pxp_members();
    let copy = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    drop(copy);
    members.extend(
        pxp_members()
            .into_iter()
            .map(|(n, b)| (n.replace("IOT_2022_pxp/", "IOT_2023_pxp/"), b)),
    );
    let refs: Vec<(&str, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    write_zip(&path, &refs);
    let err = read_err(&path);
    assert!(
        err.contains("2 systems in one archive") && err.contains("IOT_2023_pxp/"),
        "{err}"
    );

    // Neither Z nor A.
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |n, b| {
        (!n.ends_with("/A.txt")).then(|| (n.to_owned(), b))
    });
    let err = read_err(&path);
    assert!(
        err.contains("neither Z nor A") && err.contains("file_parameters.json"),
        "{err}"
    );

    // A bad cell of A is named by archive member, line and column.
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |n, b| {
        let text = String::from_utf8(b).unwrap();
        let text = if n.ends_with("/A.txt") {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let mut cells: Vec<String> = lines[4].split('\t').map(str::to_owned).collect();
            cells[3] = "abc".to_owned();
            lines[4] = cells.join("\t");
            lines.join("\n") + "\n"
        } else {
            text
        };
        Some((n.to_owned(), text.into_bytes()))
    });
    let err = read_err(&path);
    assert!(
        err.contains("IOT_2022_pxp.zip/IOT_2022_pxp/A.txt")
            && err.contains("line 5")
            && err.contains("abc"),
        "{err}"
    );

    // A file name that leaves the folder.
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |n, b| {
        let b = if n == "IOT_2022_pxp/file_parameters.json" {
            String::from_utf8(b)
                .unwrap()
                .replace("\"Y.txt\"", "\"../Y.txt\"")
                .into_bytes()
        } else {
            b
        };
        Some((n.to_owned(), b))
    });
    let err = read_err(&path);
    assert!(
        err.contains("a file name inside the folder") && err.contains("../Y.txt"),
        "{err}"
    );

    // A truncated archive.
    let bytes = std::fs::read(fixtures().join("IOT_2022_pxp.zip")).unwrap();
    let path = dir.path().join("IOT_2022_pxp.zip");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_err(&path);
    assert!(
        err.contains("not a readable zip archive") && err.contains("IOT_2022_pxp.zip"),
        "{err}"
    );

    // A member over the memory budget is refused before it is inflated.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "budget_child",
            "--nocapture",
            "--include-ignored",
        ])
        .env("FZC_MEMORY_BUDGET", "1")
        .env("FZC_BUDGET_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}"
    );
}

/// Run by `malformed_archives_give_clear_errors` in a child process with a 1 MiB budget.
#[test]
#[ignore = "run as a child process with FZC_MEMORY_BUDGET=1"]
fn budget_child() {
    if std::env::var_os("FZC_BUDGET_CHILD").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A.txt whose header names 400 columns (400² doubles: 1.25 MiB, over the 1 MiB budget),
    // padded so that its size could hold 400² cells: refused before the matrix exists.
    let n = 400;
    let mut big = String::new();
    for level in ["region", "sector"] {
        big.push_str(level);
        big.push('\t');
        for j in 0..n {
            big.push_str(&format!("\tc{j}"));
        }
        big.push('\n');
    }
    big.push_str(&"\n".repeat(2 * n * n));
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |name, b| {
        Some((
            name.to_owned(),
            if name.ends_with("/A.txt") {
                big.clone().into_bytes()
            } else {
                b
            },
        ))
    });
    let err = read_err(&path);
    assert!(
        err.contains("IOT_2022_pxp.zip/IOT_2022_pxp/A.txt")
            && err.contains("FZC_MEMORY_BUDGET")
            && err.contains("square table"),
        "{err}"
    );
    // The same header over a small file is refused by its size.
    let small: String = big.lines().take(2).collect::<Vec<_>>().join("\n") + "\n";
    let path = rebuilt(dir.path(), "IOT_2022_pxp.zip", |name, b| {
        Some((
            name.to_owned(),
            if name.ends_with("/A.txt") {
                small.clone().into_bytes()
            } else {
                b
            },
        ))
    });
    let err = read_err(&path);
    assert!(
        err.contains("400 × 400 values") && err.contains("bytes"),
        "{err}"
    );
}

#[test]
fn a_coefficient_system_that_is_not_productive_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = fixtures().join("coefficients-only");
    let target = dir.path().join("coefficients-only");
    std::fs::create_dir_all(target.join("emissions")).unwrap();
    for entry in walk(&root) {
        let rel = entry.strip_prefix(&root).unwrap();
        std::fs::copy(&entry, target.join(rel)).unwrap();
    }
    // Every coefficient ×10: column sums far above 1.
    let a = std::fs::read_to_string(target.join("A.txt")).unwrap();
    let scaled: Vec<String> = a
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i < 3 {
                return line.to_owned();
            }
            let cells: Vec<String> = line
                .split('\t')
                .enumerate()
                .map(|(k, c)| {
                    if k < 2 {
                        c.to_owned()
                    } else {
                        (c.parse::<f64>().unwrap() * 10.0).to_string()
                    }
                })
                .collect();
            cells.join("\t")
        })
        .collect();
    std::fs::write(target.join("A.txt"), scaled.join("\n") + "\n").unwrap();
    let err = read_err(&target);
    assert!(
        err.contains("x = (I − A)⁻¹·Y·1") && err.contains("A.txt"),
        "{err}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
