//! `fzc ect` end to end: the README command on `examples/mrio-small` (insta snapshots of both
//! output files and the summary), the long-CSV and CEADs readers through the CLI, sector
//! aggregation, and errors.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `fzc` in the workspace root; (success, stdout, stderr).
fn fzc(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fzc"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn readme_command_on_the_example() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mrio-small");
    let out_str = out.to_str().unwrap();
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--out",
        out_str,
    ]);
    assert!(ok, "{stderr}");
    let regions = read(&out, "ect-regions.csv");
    let bilateral = read(&out, "ect-bilateral.csv");
    assert!(regions.starts_with("region,production,consumption,inflow,outflow,net\n"));
    assert!(bilateral.starts_with("from,to,total,intermediate,final\n"));
    assert_eq!(
        bilateral.lines().count(),
        1 + 16,
        "one row per ordered pair incl. r = s"
    );
    insta::assert_snapshot!("mrio_small_ect_regions", regions);
    insta::assert_snapshot!("mrio_small_ect_bilateral", bilateral);
    insta::assert_snapshot!("mrio_small_stdout", stdout.replace(out_str, "OUT"));

    // Deterministic: a second run writes the same bytes.
    let (ok, _, _) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--out",
        out_str,
    ]);
    assert!(ok);
    assert_eq!(read(&out, "ect-regions.csv"), regions);
    assert_eq!(read(&out, "ect-bilateral.csv"), bilateral);
}

#[test]
fn eebt_method_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--method",
        "eebt",
        "--out",
        out,
    ]);
    assert!(ok, "{stderr}");
    insta::assert_snapshot!(
        "mrio_small_eebt_bilateral",
        read(tmp.path(), "ect-bilateral.csv")
    );
}

/// Writes the example as fzc's long CSV set, from the labelled pymrio text files.
fn write_long_csv(dir: &Path) {
    let example = root().join("examples/mrio-small");
    let table = |name: &str| -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let text = std::fs::read_to_string(example.join(name)).unwrap();
        let lines: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect();
        let header = lines[..2].iter().map(|l| l[2..].to_vec()).collect();
        (header, lines[3..].to_vec())
    };
    std::fs::create_dir_all(dir).unwrap();
    let (zh, zr) = table("Z.txt");
    let mut z = String::from("to_sector,from_region,from_sector,to_region,value[M.CNY]\n");
    for row in &zr {
        for (k, v) in row[2..].iter().enumerate() {
            z.push_str(&format!(
                "{},{},{},{},{v}\n",
                zh[1][k], row[0], row[1], zh[0][k]
            ));
        }
    }
    std::fs::write(dir.join("Z.csv"), z).unwrap();
    let (yh, yr) = table("Y.txt");
    let mut y = String::from("region,sector,demand_region,category,value\n");
    for row in &yr {
        for (k, v) in row[2..].iter().enumerate() {
            y.push_str(&format!(
                "{},{},{},{},{v}\n",
                row[0], row[1], yh[0][k], yh[1][k]
            ));
        }
    }
    std::fs::write(dir.join("Y.csv"), y).unwrap();
    let (fh, fr) = table("emissions/F.txt");
    let mut e = String::from("stressor,region,sector,value,unit\n");
    for row in &fr {
        for (k, v) in row[2..].iter().enumerate() {
            e.push_str(&format!("{},{},{},{v},t\n", row[0], fh[0][k], fh[1][k]));
        }
    }
    std::fs::write(dir.join("emissions.csv"), e).unwrap();
    let (gh, gr) = table("emissions/F_Y.txt");
    let mut g = String::from("stressor,region,value[t]\n");
    for row in &gr {
        for (k, v) in row[2..].iter().enumerate() {
            g.push_str(&format!("{},{},{v}\n", row[0], gh[0][k]));
        }
    }
    std::fs::write(dir.join("emissions_final_users.csv"), g).unwrap();
}

#[test]
fn long_csv_set_gives_the_same_bytes_as_the_pymrio_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    write_long_csv(&csv_dir);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        csv_dir.to_str().unwrap(),
        "--stressor",
        "CO2",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("final users' direct emissions 332 t"),
        "{stdout}"
    );
    for name in ["ect-regions.csv", "ect-bilateral.csv"] {
        assert_eq!(read(&a, name), read(&b, name), "{name}");
    }
}

fn column(csv: &str, col: usize) -> Vec<f64> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn aggregation_keeps_production_per_region() {
    let tmp = tempfile::tempdir().unwrap();
    let conc = tmp.path().join("concordance.csv");
    std::fs::write(
        &conc,
        "from_sector,to_sector\nagriculture,primary\nindustry,secondary\nservices,secondary\n",
    )
    .unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let base = [
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "CO2",
        "--out",
    ];
    let (ok, _, stderr) = fzc(&[&base[..], &[a.to_str().unwrap()]].concat());
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = fzc(&[
        &base[..],
        &[b.to_str().unwrap(), "--aggregate", conc.to_str().unwrap()],
    ]
    .concat());
    assert!(ok, "{stderr}");
    assert!(stdout.contains("4 regions × 2 sectors"), "{stdout}");
    let (pa, pb) = (
        column(&read(&a, "ect-regions.csv"), 1),
        column(&read(&b, "ect-regions.csv"), 1),
    );
    for (x, y) in pa.iter().zip(&pb) {
        assert!(
            (x - y).abs() <= 1e-9 * x,
            "production {x} vs aggregated {y}"
        );
    }
    // Aggregation changes the attribution (the point of doing it), so consumption differs.
    assert_ne!(read(&a, "ect-regions.csv"), read(&b, "ect-regions.csv"));
}

#[test]
fn ceads_mat_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let mat = "tests/fixtures/mrio/small-ceads.mat";
    let (ok, _, stderr) = fzc(&["ect", "--mrio", mat, "--stressor", "CO2", "--out", out]);
    assert!(!ok);
    assert!(stderr.contains("--emissions"), "{stderr}");
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        mat,
        "--emissions",
        "tests/fixtures/mrio/small-ceads-emissions.csv",
        "--stressor",
        "CO2",
        "--out",
        out,
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("CO2 (kt) for 2 regions × 42 sectors"),
        "{stdout}"
    );
    let regions = read(tmp.path(), "ect-regions.csv");
    assert!(
        regions.contains("\ncity001,") && regions.contains("\ncity002,"),
        "{regions}"
    );

    // With city names, the emissions CSV must use them: the generated labels are unknown.
    let names = tmp.path().join("cities.csv");
    std::fs::write(&names, "region\nnan\nTangshan\n").unwrap();
    let named = tmp.path().join("named");
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        mat,
        "--emissions",
        "tests/fixtures/mrio/small-ceads-emissions.csv",
        "--city-names",
        names.to_str().unwrap(),
        "--stressor",
        "CO2",
        "--out",
        named.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("small-ceads-emissions.csv, line 2, column region")
            && stderr.contains("\"city001\"")
            && stderr.contains("nan, Tangshan"),
        "{stderr}"
    );
    let renamed = tmp.path().join("renamed.csv");
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/mrio/small-ceads-emissions.csv"))
            .unwrap()
            .replace(",city001,", ",nan,")
            .replace(",city002,", ",Tangshan,");
    std::fs::write(&renamed, text).unwrap();
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        mat,
        "--emissions",
        renamed.to_str().unwrap(),
        "--city-names",
        names.to_str().unwrap(),
        "--stressor",
        "CO2",
        "--out",
        named.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let named_regions = read(&named, "ect-regions.csv");
    assert_eq!(
        named_regions
            .replace("\nnan,", "\ncity001,")
            .replace("\nTangshan,", "\ncity002,"),
        regions,
        "names change labels only"
    );
}

#[test]
fn errors_go_to_stderr_with_candidates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never");
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--stressor",
        "N2O",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok && stdout.is_empty());
    assert!(
        stderr.contains("stressor \"N2O\" not found")
            && stderr.contains("emissions/CO2 (air), emissions/CH4 (air)"),
        "{stderr}"
    );
    assert!(!out.exists(), "no output on error");
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        "no/such/folder",
        "--stressor",
        "CO2",
        "--out",
        "x",
    ]);
    assert!(!ok);
    assert_eq!(
        stderr.matches("no such file").count(),
        1,
        "said once: {stderr}"
    );
}

/// EXIOBASE 3 as downloaded (the synthetic pxp zip), every mass stressor in one run: the
/// long-form files hold, block by block, exactly what a run per stressor writes.
#[test]
fn every_stressor_of_an_exiobase_zip_in_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = "tests/fixtures/exiobase3/IOT_2022_pxp.zip";
    let all = tmp.path().join("all");
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        zip,
        "--stressor",
        "all",
        "--out",
        all.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("5 stressors from one factorisation"),
        "{stdout}"
    );
    let regions = read(&all, "ect-regions.csv");
    let bilateral = read(&all, "ect-bilateral.csv");
    assert!(
        regions.starts_with(
            "extension,stressor,unit,region,production,consumption,inflow,outflow,net\n"
        )
    );
    assert!(bilateral.starts_with("extension,stressor,unit,from,to,total,intermediate,final\n"));
    insta::assert_snapshot!("exiobase_pxp_all_regions", regions);
    // The CO2-equivalent impact is in kg, the stressors are in file order.
    let stressors: Vec<String> = regions
        .lines()
        .skip(1)
        .step_by(5)
        .map(|l| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes());
            let record = reader.records().next().unwrap().unwrap();
            format!("{}/{} [{}]", &record[0], &record[1], &record[2])
        })
        .collect();
    assert_eq!(
        stressors,
        [
            "impacts/GHG emissions (GWP100) | Problem oriented approach: baseline (CML, 2001) | GWP100 (IPCC, 2007) [kg]",
            "impacts/Carbon dioxide (CO2) IPCC categories 1 to 4 and 6 to 7 (excl land use, land use change and forestry) [kg]",
            "satellite/CO2 - combustion - air [kg]",
            "satellite/CH4 - combustion - air [kg]",
            "satellite/N2O - combustion - air [kg]",
        ]
    );
    // Each block is the single-stressor run, row for row.
    for (k, (extension, name)) in [("satellite", "CH4 - combustion - air"), ("impacts", "Carbon dioxide (CO2) IPCC categories 1 to 4 and 6 to 7 (excl land use, land use change and forestry)")]
        .into_iter()
        .enumerate()
    {
        let one = tmp.path().join(format!("one{k}"));
        let (ok, _, stderr) = fzc(&[
            "ect",
            "--mrio",
            zip,
            "--extension",
            extension,
            "--stressor",
            name,
            "--out",
            one.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        for (file, long) in [("ect-regions.csv", &regions), ("ect-bilateral.csv", &bilateral)] {
            let single: Vec<String> = read(&one, file).lines().skip(1).map(str::to_owned).collect();
            let block: Vec<String> = long
                .lines()
                .filter(|l| l.starts_with(&format!("{extension},")) && l.contains(name))
                .map(|l| {
                    // Drop extension, the (possibly quoted) stressor and unit.
                    let after_unit = l.rsplit(",kg,").next().unwrap();
                    after_unit.to_owned()
                })
                .collect();
            assert_eq!(block, single, "{file} block of {name}");
        }
    }
    // Names and `all` do not mix; a name given twice is refused.
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        zip,
        "--stressor",
        "all",
        "--stressor",
        "CO2 - combustion - air",
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("mixes `all` with names"), "{stderr}");
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        zip,
        "--stressor",
        "CO2 - combustion - air",
        "--stressor",
        "CO2 - combustion - air",
        "--out",
        tmp.path().join("y").to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("is given twice"), "{stderr}");
}

/// `--region-map` sums table regions into study regions: EU27's net is AT's plus DE's.
#[test]
fn a_region_map_sums_table_regions() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = "tests/fixtures/exiobase3/IOT_2022_pxp.zip";
    let map = tmp.path().join("map.csv");
    std::fs::write(
        &map,
        "from_region,to_region\nAT,EU27\nDE,EU27\nCN,China\nUS,US\nWA,Rest of world\n",
    )
    .unwrap();
    let net_of = |dir: &Path| -> Vec<(String, f64)> {
        read(dir, "ect-regions.csv")
            .lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (cells[0].to_owned(), cells[5].parse().unwrap())
            })
            .collect()
    };
    let (plain, grouped) = (tmp.path().join("plain"), tmp.path().join("grouped"));
    for (out, extra) in [(&plain, None), (&grouped, Some(&map))] {
        let mut args = vec![
            "ect",
            "--mrio",
            zip,
            "--stressor",
            "CO2 - combustion - air",
            "--out",
            out.to_str().unwrap(),
        ];
        if let Some(map) = extra {
            args.extend(["--region-map", map.to_str().unwrap()]);
        }
        let (ok, _, stderr) = fzc(&args);
        assert!(ok, "{stderr}");
    }
    let plain = net_of(&plain);
    let grouped = net_of(&grouped);
    let names: Vec<&str> = grouped.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(names, ["EU27", "China", "US", "Rest of world"]);
    let sum = plain[0].1 + plain[2].1;
    assert!(
        (grouped[0].1 - sum).abs() <= 1e-9 * sum.abs(),
        "{grouped:?} vs {plain:?}"
    );
    assert_eq!(
        grouped[1].1, plain[1].1,
        "a region mapped alone keeps its net"
    );

    std::fs::write(&map, "from_region,to_region\nAT,EU27\n").unwrap();
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        zip,
        "--stressor",
        "CO2 - combustion - air",
        "--region-map",
        map.to_str().unwrap(),
        "--out",
        tmp.path().join("bad").to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("missing from the region map") && stderr.contains("CN"),
        "{stderr}"
    );
}

/// The EXIOBASE example scenario: country-level compensation from the synthetic zip, with
/// the region map; snapshots of its zoning and ledger, and its real twin differs only in the
/// archive's path and the name.
#[test]
fn the_exiobase_example_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (ok, _, stderr) = fzc(&[
        "run",
        "examples/exiobase-synthetic/scenario.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let zoning = read(&out, "zoning.csv");
    insta::assert_snapshot!("exiobase_example_zoning", zoning);
    insta::assert_snapshot!("exiobase_example_ledger", read(&out, "ledger.csv"));
    let zone = |region: &str| {
        zoning
            .lines()
            .find(|l| l.starts_with(&format!("{region},")))
            .and_then(|l| l.split(',').nth(10))
            .unwrap()
            .to_owned()
    };
    assert_eq!(zone("US"), "payer");
    assert_eq!(zone("China"), "recipient");

    let dir = root().join("examples/exiobase-synthetic");
    let synthetic = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let real = std::fs::read_to_string(dir.join("scenario-real.toml")).unwrap();
    let body = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                !l.starts_with('#')
                    && !l.starts_with("mrio")
                    && !l.starts_with("name")
                    && !l.starts_with("description")
            })
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(body(&synthetic), body(&real));
    // Without the download, the error names the missing archive.
    let (ok, _, stderr) = fzc(&[
        "run",
        "examples/exiobase-synthetic/scenario-real.toml",
        "--out",
        tmp.path().join("real").to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("download/IOT_2022_pxp.zip"),
        "{stderr}"
    );
}

/// A year series: `{year}` in --mrio, --years 2021..2022; each year's rows equal a run on
/// that year's table alone, under a leading `year` column; a missing year is named first.
#[test]
fn a_year_series_runs_every_year() {
    let tmp = tempfile::tempdir().unwrap();
    let series = tmp.path().join("series");
    std::fs::create_dir_all(&series).unwrap();
    // Two years: the pxp archive, and the example's (the same table, emissions × 1e8).
    std::fs::copy(
        root().join("tests/fixtures/exiobase3/IOT_2022_pxp.zip"),
        series.join("IOT_2021_pxp.zip"),
    )
    .unwrap();
    std::fs::copy(
        root().join("examples/exiobase-synthetic/IOT_2022_pxp.zip"),
        series.join("IOT_2022_pxp.zip"),
    )
    .unwrap();
    let template = series.join("IOT_{year}_pxp.zip");
    let out = tmp.path().join("out");
    let (ok, stdout, stderr) = fzc(&[
        "ect",
        "--mrio",
        template.to_str().unwrap(),
        "--years",
        "2021..2022",
        "--stressor",
        "CO2 - combustion - air",
        "--format-out",
        "parquet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("2022: ECT of CO2") && stdout.contains("2 tables"),
        "{stdout}"
    );
    let regions = read(&out, "ect-regions.csv");
    assert!(regions.starts_with(
        "year,extension,stressor,unit,region,production,consumption,inflow,outflow,net\n"
    ));
    assert_eq!(regions.lines().count(), 1 + 2 * 5);
    for (year, file) in [("2021", "IOT_2021_pxp.zip"), ("2022", "IOT_2022_pxp.zip")] {
        let one = tmp.path().join(format!("one{year}"));
        let (ok, _, stderr) = fzc(&[
            "ect",
            "--mrio",
            series.join(file).to_str().unwrap(),
            "--stressor",
            "CO2 - combustion - air",
            "--out",
            one.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        let single: Vec<String> = read(&one, "ect-regions.csv")
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect();
        let block: Vec<String> = regions
            .lines()
            .filter(|l| l.starts_with(&format!("{year},")))
            .map(|l| l.splitn(5, ',').nth(4).unwrap().to_owned())
            .collect();
        assert_eq!(block, single, "year {year}");
    }
    assert!(out.join("ect-bilateral.parquet").is_file());
    // 2023 has no table: named before anything is read; the earlier outputs stay.
    let before = read(&out, "ect-regions.csv");
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        template.to_str().unwrap(),
        "--years",
        "2021..2023",
        "--stressor",
        "CO2 - combustion - air",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("1 of 3 years") && stderr.contains("IOT_2023_pxp.zip"),
        "{stderr}"
    );
    assert_eq!(read(&out, "ect-regions.csv"), before);
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        template.to_str().unwrap(),
        "--years",
        "2022..2021",
        "--stressor",
        "CO2 - combustion - air",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("--years") && stderr.contains("ends before it starts"),
        "{stderr}"
    );
}

/// Eq 1 through `fzc ect`: energy use in tce (and 10^4 tce) with the shipped IPCC 2006
/// coefficients, or a user table, becomes the stressor `eq1/CO2`; every region's production
/// is its hand-computed Σ tce · K · 44/12.
#[test]
fn eq1_turns_energy_use_into_the_co2_stressor() {
    let tmp = tempfile::tempdir().unwrap();
    let energy = tmp.path().join("energy.csv");
    std::fs::write(
        &energy,
        "region,sector,carrier,value[tce]\nBeijing,agriculture,raw_coal,100\n\
         Beijing,industry,natural_gas,50\nBeijing,industry,raw_coal,10\nTianjin,services,diesel,20\n",
    )
    .unwrap();
    let production = |extra: &[&str]| -> Vec<(String, f64)> {
        let out = tmp.path().join("out");
        let mut args = vec![
            "ect",
            "--mrio",
            "examples/mrio-small",
            "--energy",
            energy.to_str().unwrap(),
            "--extension",
            "eq1",
            "--stressor",
            "CO2",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (ok, stdout, stderr) = fzc(&args);
        assert!(ok, "{stderr}");
        assert!(stdout.contains("ECT of CO2 (t)"), "{stdout}");
        read(&out, "ect-regions.csv")
            .lines()
            .skip(1)
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c[0].to_owned(), c[1].parse().unwrap())
            })
            .collect()
    };
    // IPCC 2006 Vol. 2 Table 1.3 carbon contents (kg C/GJ), 1 tce = 29.3076 GJ.
    let k = |kg_c_per_gj: f64| kg_c_per_gj * 29.3076 / 1000.0;
    let (coal, gas, diesel) = (k(25.8), k(15.3), k(20.2));
    let want = [
        ("Beijing", (110.0 * coal + 50.0 * gas) * 44.0 / 12.0),
        ("Tianjin", 20.0 * diesel * 44.0 / 12.0),
        ("Hebei", 0.0),
        ("Henan", 0.0),
    ];
    let got = production(&[]);
    for (region, e) in want {
        let (_, p) = got.iter().find(|(r, _)| r == region).unwrap();
        assert!((p - e).abs() <= 1e-9 * e.max(1.0), "{region}: {p} vs {e}");
    }
    // A user coefficient table replaces the default.
    let coefficients = tmp.path().join("k.csv");
    std::fs::write(
        &coefficients,
        "carrier,t_c_per_tce\nraw_coal,1\nnatural_gas,0.5\ndiesel,0.25\n",
    )
    .unwrap();
    let got = production(&["--coefficients", coefficients.to_str().unwrap()]);
    let beijing = got.iter().find(|(r, _)| r == "Beijing").unwrap().1;
    assert!(
        (beijing - (110.0 + 25.0) * 44.0 / 12.0).abs() < 1e-9,
        "{beijing}"
    );
    // 10^4 tce is read as 10,000 tce.
    std::fs::write(
        &energy,
        "region,sector,carrier,value[10^4 tce]\nTianjin,services,diesel,0.002\n",
    )
    .unwrap();
    let got = production(&[]);
    let tianjin = got.iter().find(|(r, _)| r == "Tianjin").unwrap().1;
    assert!(
        (tianjin - 20.0 * diesel * 44.0 / 12.0).abs() < 1e-9,
        "{tianjin}"
    );
    // An unknown carrier is named with its line and the known ones.
    std::fs::write(
        &energy,
        "region,sector,carrier,value[tce]\nBeijing,industry,electricity,5\n",
    )
    .unwrap();
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        "examples/mrio-small",
        "--energy",
        energy.to_str().unwrap(),
        "--extension",
        "eq1",
        "--stressor",
        "CO2",
        "--out",
        tmp.path().join("bad").to_str().unwrap(),
    ]);
    assert!(
        !ok && stderr.contains("line 2")
            && stderr.contains("electricity")
            && stderr.contains("raw_coal"),
        "{stderr}"
    );
}

/// Side files a table's format does not read are refused, not ignored.
#[test]
fn side_files_the_format_ignores_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for (flag, says) in [
        ("--emissions", "--emissions is for a CEADs"),
        ("--city-names", "--city-names is for a CEADs"),
    ] {
        let (ok, _, stderr) = fzc(&[
            "ect",
            "--mrio",
            "examples/mrio-small",
            "--stressor",
            "CO2",
            flag,
            "tests/fixtures/mrio/small-ceads-emissions.csv",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            !ok && stderr.contains(says) && stderr.contains("Pymrio"),
            "{stderr}"
        );
    }
    assert!(!out.exists(), "nothing written");
}

/// A GLORIA release folder through `fzc ect` without --format: every mass stressor.
#[test]
fn a_gloria_release_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gloria");
    let (ok, _, stderr) = fzc(&[
        "ect",
        "--mrio",
        "tests/fixtures/gloria/release",
        "--stressor",
        "all",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let regions = read(&out, "ect-regions.csv");
    let header = regions.lines().next().unwrap();
    assert!(header.starts_with("extension,stressor,"), "{header}");
    // Three mass rows × three regions (DYE dropped).
    assert_eq!(regions.lines().count(), 1 + 3 * 3, "{regions}");
    assert!(
        regions.contains("'ch4_total_EDGAR_consistent'"),
        "{regions}"
    );
    assert!(!regions.contains("DYE"));
    // `all` takes the mass rows only: energy (TJ) and land (1000 ha) are not in it.
    assert!(!regions.contains("Energy use") && !regions.contains("Cropland"));
}
