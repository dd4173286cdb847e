//! fzc's ECT accounts against pymrio's, on the fixture written by
//! `tests/fixtures/mrio/make_reference.py` (pymrio 0.7.0), and the CEADs `.mat` reader against
//! the same numbers saved as CSV by that script.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::PathBuf;

use fzc_ect_mrio::{EctOptions, compute_ect};
use fzc_io::{read_ceads_mat, read_pymrio_folder};

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/mrio")
}

/// pymrio's regional accounts of CO2, by region.
struct Reference {
    region: String,
    d_cba: f64,
    d_pba: f64,
    d_exp: f64,
    d_imp: f64,
    f_y: f64,
}

fn reference() -> Vec<Reference> {
    let mut reader = csv::Reader::from_path(fixtures().join("reference-co2.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
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
            Reference {
                region: r[0].to_owned(),
                d_cba: num(1),
                d_pba: num(2),
                d_exp: num(3),
                d_imp: num(4),
                f_y: num(5),
            }
        })
        .collect()
}

fn assert_close(what: &str, region: &str, ours: f64, theirs: f64) {
    let rel = (ours - theirs).abs() / theirs.abs().max(1e-300);
    assert!(
        rel <= 1e-9,
        "{what} of {region}: fzc {ours}, pymrio {theirs}, relative difference {rel:e}"
    );
}

#[test]
fn regional_accounts_agree_with_pymrio_to_1e_9() {
    let data = read_pymrio_folder(&fixtures().join("small-pymrio")).unwrap();
    let co2 = data.satellite(None, "CO2").unwrap();
    let accounts = compute_ect(data.table, &co2, &EctOptions::default()).unwrap();
    let reference = reference();
    assert_eq!(reference.len(), accounts.regions.len());
    let (production, consumption) = (accounts.production(), accounts.consumption());
    let (inflow, outflow) = (accounts.inflow(), accounts.outflow());
    for (r, want) in reference.iter().enumerate() {
        let region = accounts.regions[r].as_str();
        assert_eq!(region, want.region, "region order");
        let f_y = accounts.final_users[r];
        assert_close("F_Y", region, f_y, want.f_y);
        assert_close(
            "consumption + F_Y vs D_cba_reg",
            region,
            consumption[r] + f_y,
            want.d_cba,
        );
        assert_close(
            "production + F_Y vs D_pba_reg",
            region,
            production[r] + f_y,
            want.d_pba,
        );
        assert_close("inflow vs D_exp_reg", region, inflow[r], want.d_exp);
        assert_close("outflow vs D_imp_reg", region, outflow[r], want.d_imp);
    }
}

#[test]
fn the_example_is_the_fixture() {
    // examples/mrio-small is documented as a copy of the fixture pymrio computed on.
    let root = fzc_tests::workspace_root();
    for file in [
        "Z.txt",
        "Y.txt",
        "emissions/F.txt",
        "emissions/F_Y.txt",
        "emissions/unit.txt",
    ] {
        let example = std::fs::read(root.join("examples/mrio-small").join(file)).unwrap();
        let fixture = std::fs::read(fixtures().join("small-pymrio").join(file)).unwrap();
        assert!(
            example == fixture,
            "{file} differs between the example and the fixture"
        );
    }
}

fn read_dense_csv(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(fixtures().join(name))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn ceads_mat_reader_reads_what_scipy_wrote() {
    let data = read_ceads_mat(
        &fixtures().join("small-ceads.mat"),
        &fixtures().join("small-ceads-emissions.csv"),
        None,
    )
    .unwrap();
    let table = &data.table;
    assert_eq!(table.regions.len(), 2, "city count from the size of Z");
    assert_eq!(table.sectors.len(), 42);
    assert_eq!(table.regions[1].as_str(), "city002");
    assert_eq!(table.sectors[41].as_str(), "s42");
    let z = read_dense_csv("small-ceads-Z.csv");
    let f = read_dense_csv("small-ceads-F.csv");
    let n = 84;
    for i in 0..n {
        for (j, &want) in z[i].iter().enumerate() {
            assert_eq!(table.z[(i, j)], want, "Z[{i}, {j}]");
        }
        for city in 0..2 {
            let want: f64 = f[i][city * 5..(city + 1) * 5].iter().sum();
            assert_eq!(
                table.y[(i, city)],
                want,
                "Y[{i}, {city}] = sum of 5 categories"
            );
        }
    }
    let co2 = data.satellite(None, "CO2").unwrap();
    assert_eq!(co2.unit, fzc_core::MassUnit::Kilotonne);
    // city001/s02 is 6 kt in the CSV; city001/s01 is not listed, so zero.
    assert_eq!(co2.by_sector[1], 6.0);
    assert_eq!(co2.by_sector[0], 0.0);
    let accounts = compute_ect(data.table, &co2, &EctOptions::default()).unwrap();
    let total: f64 = co2.by_sector.iter().sum();
    let attributed: f64 = accounts.production().iter().sum();
    assert!((total - attributed).abs() <= 1e-9 * total);
}

/// The same CEADs table as a MATLAB v7.3 (HDF5) file, written by hdf5storage and checked
/// with mat73 in `tests/fixtures/mrio/make_mat73.py`: fzc reads the same table as from the
/// v5 file scipy wrote, cell for cell, and the same accounts.
#[test]
fn ceads_mat_v73_reads_what_hdf5storage_wrote() {
    let emissions = fixtures().join("small-ceads-emissions.csv");
    let v5 = read_ceads_mat(&fixtures().join("small-ceads.mat"), &emissions, None).unwrap();
    let v73 = read_ceads_mat(&fixtures().join("small-ceads-v73.mat"), &emissions, None).unwrap();
    assert_eq!(v73.table.regions, v5.table.regions);
    assert!(v73.table.z == v5.table.z, "Z cell for cell");
    assert!(
        v73.table.y == v5.table.y,
        "F summed per city, cell for cell"
    );
    let z = read_dense_csv("small-ceads-Z.csv");
    assert_eq!(v73.table.z[(5, 70)], z[5][70]);
    let co2 = v73.satellite(None, "CO2").unwrap();
    let a = compute_ect(v73.table, &co2, &EctOptions::default()).unwrap();
    let b = compute_ect(v5.table, &co2, &EctOptions::default()).unwrap();
    assert_eq!(a.total, b.total);
    // A v7.3 file without the struct names what it holds.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.mat");
    let mut bytes = std::fs::read(fixtures().join("small-ceads-v73.mat")).unwrap();
    bytes.truncate(700);
    std::fs::write(&path, bytes).unwrap();
    let err = read_ceads_mat(&path, &emissions, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty.mat") && err.contains("v7.3"), "{err}");
}
