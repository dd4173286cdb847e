//! `--help` of every command states its output files, columns and units, and flags a command
//! would ignore, or values outside a flag's domain, are refused at parse time (exit code 2).

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::process::{Command, Output};

fn fzc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fzc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn help(command: &[&str]) -> String {
    let mut args = command.to_vec();
    args.push("--help");
    let out = fzc(&args);
    assert!(out.status.success(), "{command:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn assert_mentions(command: &[&str], wanted: &[&str]) {
    let text = help(command);
    for w in wanted {
        assert!(
            text.contains(w),
            "`fzc {} --help` does not mention {w:?}:\n{text}",
            command.join(" ")
        );
    }
}

const MASS_UNITS: &str = "kg, t, 10^4 t, kt (= Gg), Mt (= Tg), Gt";
const PIXEL_AREA: [&str; 2] = ["ellipsoidal (WGS84, exact) for lon/lat", "planar |dx * dy|"];

#[test]
fn run_and_compare_help_name_their_files_columns_units_and_signs() {
    assert_mentions(
        &["run"],
        &[
            fzc_scenario::ZONING_HEADER,
            fzc_scenario::LEDGER_HEADER,
            "summary.json",
            "t CO2",
            "yuan",
            "ledger_net > 0: the region pays, < 0: it receives",
            "zone: the final zone, the sign of ledger_net",
            "benchmark_zone: the sign of L",
            "nodata -9999",
            MASS_UNITS,
            PIXEL_AREA[0],
            PIXEL_AREA[1],
        ],
    );
    assert_mentions(
        &["compare"],
        &[
            "compare.csv",
            "<name>_amount",
            "<name>_zone",
            "<name>_diff",
            "> 0 pays, < 0 receives",
            MASS_UNITS,
        ],
    );
}

#[test]
fn mc_help_names_its_files_and_units() {
    assert_mentions(
        &["mc"],
        &[
            "draw,region,zone,ledger_net,ect_net,cssf_net,standard",
            "draw,param,value",
            "region,p_payer,mean,sd,p05,p50,p95",
            "mc.json",
            "> 0 pays, < 0 receives",
            "yuan/t",
        ],
    );
}

#[test]
fn ect_help_names_both_tables_and_their_direction() {
    assert_mentions(
        &["ect"],
        &[
            fzc_io::ECT_REGIONS_HEADER,
            fzc_io::ECT_BILATERAL_HEADER,
            "released in `from` caused by `to`'s final demand",
            "NF = OF -",
            "> 0 a net beneficiary (payer), < 0 a net bearer (recipient)",
            "stressor's unit",
            MASS_UNITS,
        ],
    );
}

#[test]
fn cssf_help_names_rasters_units_nodata_and_the_area_rule() {
    let supply = [
        "supply-regions.csv  region,supply",
        "supply.tif",
        "t C",
        "t CO2 with --supply-unit co2",
        "nodata -9999",
    ];
    let demand = ["demand.tif", "demand-regions.csv  region,demand", "t CO2"];
    let flows = [
        "region,supply,demand,cssdr,role,core_lon,core_lat",
        "from,to,distance_km,range_km,area_km2,intensity,transfer",
        "`from` provides the service, `to` receives it",
        "cssf-flows.geojson",
        "t/km2",
    ];
    let mut wanted: Vec<&str> = supply.to_vec();
    wanted.extend(PIXEL_AREA);
    assert_mentions(&["cssf", "supply"], &wanted);
    let mut wanted: Vec<&str> = demand.to_vec();
    wanted.extend(PIXEL_AREA);
    wanted.push(MASS_UNITS);
    assert_mentions(&["cssf", "demand"], &wanted);
    let mut wanted: Vec<&str> = flows.to_vec();
    wanted.push(MASS_UNITS);
    assert_mentions(&["cssf", "flows"], &wanted);
    let mut wanted: Vec<&str> = [supply.as_slice(), &demand, &flows].concat();
    wanted.extend(["cssdr.tif", MASS_UNITS, PIXEL_AREA[0], PIXEL_AREA[1]]);
    assert_mentions(&["cssf", "run"], &wanted);
    for sub in ["list", "info", "check"] {
        assert_mentions(&["plugins", sub], &["Writes no files", "--json is refused"]);
    }
}

/// A usage error: exit code 2 and the offending flag named on stderr.
fn assert_refused(args: &[&str], named: &[&str]) {
    let out = fzc(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} was not refused: {stderr}"
    );
    for n in named {
        assert!(
            stderr.contains(n),
            "{args:?}: stderr does not name {n:?}: {stderr}"
        );
    }
}

/// Parsed (exit code 1: the missing input file), not refused as usage.
fn assert_parsed(args: &[&str]) {
    let out = fzc(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
}

const SUPPLY: [&str; 10] = [
    "cssf",
    "supply",
    "--lulc",
    "no.tif",
    "--pools",
    "no.csv",
    "--regions",
    "no.geojson",
    "--out",
    "no-out",
];

#[test]
fn json_is_refused_where_no_summary_is_printed() {
    let mut args = vec!["--json"];
    args.extend(SUPPLY);
    assert_refused(&args, &["--json", "fzc cssf supply"]);
    assert_refused(&["--json", "plugins", "list"], &["--json", "fzc plugins"]);
    assert_refused(
        &[
            "--json",
            "cssf",
            "demand",
            "--regions",
            "r",
            "--emissions",
            "e",
            "--out",
            "o",
        ],
        &["fzc cssf demand"],
    );
    // Without --json the same command parses and fails on the missing file.
    assert_parsed(&SUPPLY);
}

#[test]
fn flags_out_of_their_domain_or_ignored_are_refused_at_parse_time() {
    let flows = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut a = vec![
            "cssf",
            "flows",
            "--regions",
            "no.geojson",
            "--balance",
            "no.csv",
            "--out",
            "no-out",
        ];
        a.extend(extra);
        a
    };
    assert_refused(&flows(&["--k", "1.5"]), &["--k", "outside [0, 1]"]);
    assert_refused(&flows(&["--k=-0.1"]), &["--k"]);
    assert_refused(&flows(&["--k", "NaN"]), &["--k"]);
    assert_refused(&flows(&["--unit", "tons"]), &["--unit", "10^4 t"]);
    assert_parsed(&flows(&["--k", "1", "--unit", "Mt CO2"]));

    let demand = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut a = vec![
            "cssf",
            "demand",
            "--regions",
            "r.geojson",
            "--emissions",
            "e.csv",
            "--out",
            "o",
        ];
        a.extend(extra);
        a
    };
    assert_refused(
        &demand(&["--emissions-unit", "lb", "--population", "p.tif"]),
        &["--emissions-unit"],
    );
    // --population-kind only describes a --population raster.
    assert_refused(
        &demand(&[
            "--population-kind",
            "density-per-km2",
            "--census",
            "c.csv",
            "--lulc",
            "l.tif",
        ]),
        &["--population"],
    );
    // --class-weights is the dasymetric estimator's; with --population it would be ignored.
    assert_refused(
        &demand(&["--population", "p.tif", "--class-weights", "w.csv"]),
        &["--class-weights"],
    );
    // --urban-classes is used only without an urban mask.
    assert_refused(
        &demand(&[
            "--population",
            "p.tif",
            "--urban-mask",
            "m.tif",
            "--urban-classes",
            "5",
        ]),
        &["--urban-classes"],
    );
    // The defaults of those flags do not trip the checks.
    assert_parsed(&demand(&["--population", "p.tif", "--urban-mask", "m.tif"]));
    assert_parsed(&demand(&[
        "--census",
        "c.csv",
        "--lulc",
        "l.tif",
        "--class-weights",
        "w.csv",
    ]));
}
