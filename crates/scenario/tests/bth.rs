//! The embedded BTH-2020 case end to end: snapshots of the whole run and of the comparison,
//! bad scenarios, and `docs/REPRODUCTION.md`, regenerated and compared with the committed file.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use fzc_core::Layer;
use fzc_scenario::{
    Outcome, ScenarioError, ScenarioSource, compare, embedded, fixed, ledger_csv, load,
    parse_schemes, run, summary_json, zoning_csv,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bth() -> (fzc_scenario::Scenario, Outcome) {
    let scenario = load(&embedded::bth_2020()).unwrap();
    let outcome = run(&scenario).unwrap();
    (scenario, outcome)
}

#[test]
fn the_embedded_case_is_the_example_on_disk() {
    let from_disk = load(&ScenarioSource::File(
        workspace().join("examples/bth-2020/scenario.toml"),
    ))
    .unwrap();
    let embedded = load(&embedded::bth_2020()).unwrap();
    assert_eq!(from_disk, embedded);
}

#[test]
fn bth_2020_run_snapshots() {
    let (scenario, outcome) = bth();
    insta::assert_snapshot!("bth_zoning_csv", zoning_csv(&outcome));
    insta::assert_snapshot!("bth_ledger_csv", ledger_csv(&outcome));
    insta::assert_snapshot!("bth_summary_json", summary_json(&scenario, &outcome));
}

#[test]
fn the_readme_shows_the_printed_table() {
    let (scenario, outcome) = bth();
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let shown = readme
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_default();
    assert_eq!(
        shown,
        fzc_scenario::terminal_table(&scenario, &outcome),
        "README.md's output block differs from what `cargo run --release` prints"
    );
}

#[test]
fn bth_2020_comparison_snapshot() {
    let (scenario, _) = bth();
    let schemes = parse_schemes("paper,payee,uniform,eq17").unwrap();
    let comparison = compare(&scenario, &schemes).unwrap();
    insta::assert_snapshot!("bth_compare_csv", comparison.csv());
}

#[test]
fn the_ledger_balances_and_the_ect_rows_match_the_nets() {
    let (scenario, outcome) = bth();
    for layer in Layer::ALL {
        let totals = outcome.ledger.layer_totals(layer);
        let paid: f64 = totals.iter().map(|t| t.paid.0).sum();
        let received: f64 = totals.iter().map(|t| t.received.0).sum();
        assert!(
            (paid - received).abs() < 1e-3,
            "{layer}: {paid} vs {received}"
        );
    }
    let matrix = outcome.ect_matrix.as_ref().unwrap();
    let ect = scenario.ect.as_ref().unwrap();
    for (r, nf) in ect.net.iter().enumerate() {
        assert!(
            (matrix.row_sum(r).0 - nf.0).abs() < 1.0,
            "{}",
            scenario.regions[r]
        );
    }
    for given in &ect.given {
        assert_eq!(matrix.get(given.from, given.to), given.tonnes);
    }
}

// ------------------------------------------------------------------ bad scenarios

/// Copies the example into a temporary directory, applies `edit` to one file, loads it.
fn load_edited(
    file: &str,
    edit: impl Fn(&str) -> String,
) -> Result<fzc_scenario::Scenario, ScenarioError> {
    let dir = tempfile::tempdir().unwrap();
    let example = workspace().join("examples/bth-2020");
    for name in [
        "scenario.toml",
        "standards.csv",
        "economy.csv",
        "ect-net.csv",
        "ect-bilateral.csv",
        "cssf-transfers.csv",
    ] {
        let text = std::fs::read_to_string(example.join(name)).unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let result = load(&ScenarioSource::File(dir.path().join("scenario.toml")));
    drop(dir);
    result
}

fn error_text(file: &str, edit: impl Fn(&str) -> String) -> String {
    load_edited(file, edit).unwrap_err().to_string()
}

#[test]
fn the_unedited_copy_loads() {
    load_edited("scenario.toml", str::to_owned).unwrap();
}

#[test]
fn a_name_that_is_not_a_plain_path_component_is_refused() {
    for bad in ["", ".", "..", "a/b", "a\\\\b", "a\\u0000b"] {
        let text = error_text("scenario.toml", |t| {
            t.replace("name = \"bth-2020\"", &format!("name = \"{bad}\""))
        });
        assert!(
            text.contains("name") && text.contains("output directory"),
            "{bad:?}: {text}"
        );
    }
}

#[test]
fn an_unknown_key_is_named() {
    let text = error_text("scenario.toml", |t| t.replace("a = 1.0", "alpha = 1.0"));
    assert!(
        text.contains("alpha") && text.contains("scenario.toml"),
        "{text}"
    );
}

#[test]
fn an_unknown_scheme_is_named_with_the_alternatives() {
    let text = error_text("scenario.toml", |t| {
        t.replace("scheme = \"paper\"", "scheme = \"cheapest\"")
    });
    assert!(
        text.contains("cheapest") && text.contains("uniform"),
        "{text}"
    );
}

#[test]
fn an_unknown_bilateral_rule_is_named() {
    let text = error_text("scenario.toml", |t| {
        t.replace("\"proportional\"", "\"gravity\"")
    });
    assert!(
        text.contains("gravity") && text.contains("proportional"),
        "{text}"
    );
}

#[test]
fn an_unknown_provenance_class_is_named_with_file_and_line() {
    let text = error_text("standards.csv", |t| t.replacen("published", "rumoured", 1));
    assert!(
        text.contains("rumoured") && text.contains("standards.csv") && text.contains("line 2"),
        "{text}"
    );
}

#[test]
fn a_negative_price_is_refused() {
    let text = error_text("scenario.toml", |t| t.replace("= 46.66", "= -46.66"));
    assert!(text.contains("price") && text.contains("-46.66"), "{text}");
}

#[test]
fn a_duplicate_region_in_the_list_is_refused() {
    let text = error_text("scenario.toml", |t| {
        t.replace("\"hengshui\",\n]", "\"hengshui\", \"beijing\",\n]")
    });
    assert!(
        text.contains("duplicate") && text.contains("beijing"),
        "{text}"
    );
}

#[test]
fn a_duplicate_row_is_refused_with_its_line() {
    let text = error_text("ect-net.csv", |t| {
        format!("{t}beijing,1.0,Mt CO2,published,again\n")
    });
    assert!(
        text.contains("duplicate") && text.contains("beijing") && text.contains("line 15"),
        "{text}"
    );
}

#[test]
fn a_region_missing_from_a_layer_table_is_named() {
    let text = error_text("ect-net.csv", |t| {
        t.lines()
            .filter(|l| !l.starts_with("hengshui"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert!(
        text.contains("hengshui") && text.contains("ect-net.csv"),
        "{text}"
    );
}

#[test]
fn a_region_unknown_to_the_scenario_is_named() {
    let text = error_text("cssf-transfers.csv", |t| t.replacen("beijing", "peking", 1));
    assert!(
        text.contains("peking") && text.contains("cssf-transfers.csv") && text.contains("line 2"),
        "{text}"
    );
}

#[test]
fn a_missing_standard_without_eq18_data_is_named() {
    let text = error_text("standards.csv", |t| {
        t.lines()
            .filter(|l| !l.starts_with("xingtai"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert!(text.contains("xingtai") && text.contains("Eq 18"), "{text}");
}

#[test]
fn an_unbalanced_ect_table_is_refused() {
    let text = error_text("ect-net.csv", |t| t.replace("51.104500", "61.104500"));
    assert!(
        text.contains("sum to") && text.contains("ect-net.csv"),
        "{text}"
    );
}

#[test]
fn an_unknown_unit_is_named() {
    let text = error_text("cssf-transfers.csv", |t| t.replacen(",Mt,", ",Mlb,", 1));
    assert!(text.contains("Mlb") && text.contains("line 2"), "{text}");
}

#[test]
fn an_unknown_column_is_named() {
    let text = error_text("economy.csv", |t| t.replacen("engel", "engle", 1));
    assert!(
        text.contains("engle") && text.contains("economy.csv"),
        "{text}"
    );
}

#[test]
fn an_unknown_scheme_in_a_comparison_is_named() {
    let text = parse_schemes("paper,fair").unwrap_err().to_string();
    assert!(text.contains("fair") && text.contains("payee"), "{text}");
}

// ------------------------------------------------------------------ REPRODUCTION.md

struct Published {
    quantity: String,
    region: String,
    counterpart: String,
    value: String,
    unit: String,
    source: String,
    /// `published` (the paper prints it) or `derived` (published.csv computed it).
    kind: String,
}

fn published() -> Vec<Published> {
    let mut reader =
        csv::Reader::from_path(workspace().join("examples/bth-2020/published.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Published {
                quantity: r[0].to_owned(),
                region: r[1].to_owned(),
                counterpart: r[2].to_owned(),
                value: r[3].to_owned(),
                unit: r[4].to_owned(),
                source: r[5].to_owned(),
                kind: r[6].to_owned(),
            }
        })
        .collect()
}

/// How a published row relates to the example's inputs.
#[derive(Clone, Copy, PartialEq)]
enum Basis {
    /// The row is an input of the example, copied unchanged.
    Input,
    /// An input was derived from this row, or the row is a sum or copy of rows inputs came
    /// from: agreement is by construction.
    ByConstruction,
    /// Nothing in the example was derived from this row.
    Independent,
}

impl Basis {
    fn as_str(self) -> &'static str {
        match self {
            Basis::Input => "input",
            Basis::ByConstruction => "by construction",
            Basis::Independent => "independent",
        }
    }
}

/// Every published row's basis (indexed by row id − 1), from the closure `build.py` records
/// in `examples/bth-2020/derivations.csv`: a row a `copy` rule copied into an input file is
/// `input`; a row any other input was derived from, or a `published.csv` row recorded as a
/// sum or copy of such rows, is `by construction`; every other row is `independent`.
fn bases(rows: usize) -> Vec<Basis> {
    let path = workspace().join("examples/bth-2020/derivations.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["input", "key", "published_rows", "rule"]
    );
    let mut basis = vec![Basis::Independent; rows];
    // An input stays an input; otherwise the row is by construction.
    let mark = |basis: &mut Vec<Basis>, id: usize, b: Basis| {
        assert!(
            (1..=rows).contains(&id),
            "{}: no published row {id}",
            path.display()
        );
        if basis[id - 1] != Basis::Input {
            basis[id - 1] = b;
        }
    };
    for record in reader.records() {
        let record = record.unwrap();
        let ids: Vec<usize> = record[2]
            .split(';')
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect();
        if &record[0] == "published.csv" {
            mark(
                &mut basis,
                record[1].parse().unwrap(),
                Basis::ByConstruction,
            );
        } else if &record[3] == "copy" {
            assert_eq!(ids.len(), 1, "{record:?}: a copy comes from one row");
            mark(&mut basis, ids[0], Basis::Input);
        } else {
            for id in ids {
                mark(&mut basis, id, Basis::ByConstruction);
            }
        }
    }
    basis
}

/// Our value of a published row, in the row's unit, if the run determines it.
fn ours(p: &Published, scenario: &fzc_scenario::Scenario, outcome: &Outcome) -> Option<f64> {
    let ledger = &outcome.ledger;
    let id = |s: &str| s.parse::<fzc_core::RegionId>().ok();
    let account = |r: &str| id(r).and_then(|r| ledger.account(&r).cloned());
    let total = |layer: Layer, r: &str, paid: bool| {
        ledger
            .layer_totals(layer)
            .iter()
            .find(|t| t.region.as_str() == r)
            .map(|t| if paid { t.paid.0 } else { t.received.0 } / 1e9)
    };
    let pair = |layer: Layer, a: &str, b: &str| {
        ledger
            .layer(layer)
            .find(|e| e.payer.as_str() == a && e.payee.as_str() == b)
            .map_or(Some(0.0), |e| Some(e.amount.0 / 1e9))
    };
    let (r, c) = (p.region.as_str(), p.counterpart.as_str());
    match p.quantity.as_str() {
        "net_ect" => account(r).map(|a| a.nf.0 / 1e6),
        "net_ect_sign" => account(r).map(|a| a.nf.0.signum()),
        "cssf_transfer" => scenario.cssf.as_ref().and_then(|t| {
            t.iter()
                .find(|t| {
                    scenario.regions[t.output].as_str() == r
                        && scenario.regions[t.input].as_str() == c
                })
                .map(|t| t.tonnes.0 / 1e6)
        }),
        "cssf_received_total" => account(r).map(|a| a.v_net.0 / 1e6),
        "carbon_price" => Some(scenario.price.0),
        "standard" => id(r).and_then(|r| outcome.standards.get(&r).map(|s| s.standard.0)),
        "standard_tier" => id(r).and_then(|r| outcome.standards.get(&r).map(|s| s.standard.0)),
        "ect_paid" => total(Layer::Ect, r, true),
        "ect_received" => total(Layer::Ect, r, false),
        "cssf_paid" => total(Layer::Cssf, r, true),
        "cssf_received" => total(Layer::Cssf, r, false),
        "ect_pair" => pair(Layer::Ect, r, c),
        "cssf_pair" => pair(Layer::Cssf, r, c),
        "combined_pair" => pair(Layer::Combined, r, c),
        "combined_paid" => account(r).map(|a| a.net.0 / 1e9),
        "combined_received" => account(r).map(|a| -a.net.0 / 1e9),
        "combined_payers_count" => Some(
            ledger
                .accounts()
                .iter()
                .filter(|a| a.ledger_zone.as_str() == "payer")
                .count() as f64,
        ),
        _ => None,
    }
}

/// Why the run does not determine a row (for rows `ours` cannot compute).
fn undetermined_reason(p: &Published) -> &'static str {
    match p.quantity.as_str() {
        "direct_emissions" | "emission_intensity" => {
            "needs the city energy data and MRIO table, which are not published; the ECT layer starts from published net transfers"
        }
        "gross_ect" => {
            "one direction of the bilateral transfer T only; needs the MRIO table (the scenario uses net transfers)"
        }
        "css_supply_total" | "css_supply" | "css_demand_total" | "css_demand" | "cssdr_overall"
        | "cssdr" | "css_deficit" | "css_surplus" => {
            "needs the land-use and population rasters (fzc-cssf-flow); the CSSF layer starts from Table 3"
        }
        "cssf_range" | "cssf_intensity" | "impact_factor_k" => {
            "an intermediate of Eq 14-16; the CSSF layer starts from Table 3's transfers"
        }
        "logistic_a" | "logistic_b" => {
            "Eq 18 is not evaluated: no Engel coefficients are published, so every standard is given"
        }
        _ => "not computed by the run",
    }
}

/// Rows where the paper's own numbers disagree (METHOD section 5 and below).
fn contradiction(p: &Published) -> Option<&'static str> {
    match (
        p.quantity.as_str(),
        p.region.as_str(),
        p.counterpart.as_str(),
    ) {
        ("ect_paid", "beijing", _) => Some(
            "contradicted by standard beijing 102.65 yuan/t: 1.585 billion / 51.1045 Mt = 31.0 yuan/t (METHOD section 5)",
        ),
        ("ect_pair", "beijing", "tianjin") => Some(
            "contradicted by ect_received tianjin 0.106: the pair alone exceeds Tianjin's whole ECT receipt",
        ),
        ("combined_paid", "shijiazhuang", _) => Some(
            "contradicted by ect_paid shijiazhuang 2.864: Shijiazhuang has no CSSF (CSS-neutral), so its combined amount is its ECT amount",
        ),
        ("gross_ect", "shijiazhuang", "tangshan") => Some(
            "contradicted by ect_pair shijiazhuang-tangshan 1.988 billion: at Shijiazhuang's standard (29.21) that is a net 68.07 Mt, more than this gross flow, and a net cannot exceed its gross",
        ),
        ("net_ect_sign", "tianjin", _) => None,
        _ => None,
    }
}

/// Why an independent row that the run computes differs (bilateral ECT not published).
fn not_determined_note(p: &Published) -> &'static str {
    match p.quantity.as_str() {
        "ect_received" | "combined_received" | "combined_pair" => {
            "depends on bilateral ECT nets the paper does not publish; ours come from the proportional rule (the CSSF part is reproduced)"
        }
        _ => "depends on values the paper does not publish",
    }
}

fn decimals(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, d)| d.len())
}

fn reproduction_markdown() -> String {
    let (scenario, outcome) = bth();
    let rows = published();
    let basis_of = bases(rows.len());
    let mut table = String::new();
    // counts[basis][state]: reproduced, not determined, contradicted.
    let mut counts = [[0usize; 3]; 3];
    let mut worst_independent = 0.0f64;
    for (n, p) in rows.iter().enumerate() {
        let ours_value = ours(p, &scenario, &outcome);
        let basis = basis_of[n];
        let (state, ours_text, diff_text, note): (&str, String, String, String) = if let Some(
            text,
        ) =
            contradiction(p)
        {
            let ours_text =
                ours_value.map_or(String::new(), |v| fixed(v, decimals(&p.value).max(3)));
            ("contradicted", ours_text, String::new(), text.to_owned())
        } else if p.quantity == "standard_tier" {
            let ours_value = ours_value.unwrap_or(f64::NAN);
            let (lo, hi) = p
                .value
                .split_once('-')
                .map(|(a, b)| (a.parse::<f64>().unwrap(), b.parse::<f64>().unwrap()))
                .unwrap();
            let inside = ours_value >= lo && ours_value <= hi + 0.005;
            if inside {
                (
                    "reproduced",
                    fixed(ours_value, 2),
                    "in tier".to_owned(),
                    "our standard lies in the published tier".to_owned(),
                )
            } else {
                (
                        "contradicted",
                        fixed(ours_value, 2),
                        "outside tier".to_owned(),
                        "the standard derived from this city's published amounts lies outside its published tier".to_owned(),
                    )
            }
        } else {
            match ours_value {
                None => (
                    "not determined",
                    String::new(),
                    String::new(),
                    undetermined_reason(p).to_owned(),
                ),
                Some(v) => {
                    let paper: f64 = p.value.parse().unwrap();
                    let d = decimals(&p.value);
                    let unit = 10f64.powi(-(d as i32));
                    // Counts and signs are exact; a rounded number may be off by one unit
                    // of its last printed digit.
                    let exact = p.unit == "count" || p.unit == "sign";
                    let tolerance = if exact {
                        0.0
                    } else {
                        unit + 1e-9 * paper.abs()
                    };
                    let diff = v - paper;
                    let shown = d.max(3);
                    if diff.abs() <= tolerance {
                        if basis == Basis::Independent {
                            worst_independent = worst_independent.max(diff.abs() / unit);
                        }
                        let note = match basis {
                            Basis::Input => "input of the example",
                            Basis::ByConstruction => {
                                "an input was derived from this number, or it is a sum or copy of such numbers: agreement by construction"
                            }
                            Basis::Independent => {
                                "independent: nothing was derived from this number"
                            }
                        };
                        (
                            "reproduced",
                            fixed(v, shown),
                            fixed(diff, shown + 1),
                            note.to_owned(),
                        )
                    } else {
                        (
                            "not determined",
                            fixed(v, shown),
                            fixed(diff, shown),
                            not_determined_note(p).to_owned(),
                        )
                    }
                }
            }
        };
        counts[basis as usize][match state {
            "reproduced" => 0,
            "not determined" => 1,
            _ => 2,
        }] += 1;
        let basis_text = basis.as_str();
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            n + 1,
            p.quantity,
            p.region,
            p.counterpart,
            p.value,
            p.unit,
            p.source,
            ours_text,
            diff_text,
            state,
            basis_text,
            note
        ));
    }
    let mut out = String::new();
    out.push_str("# Reproducing the paper's BTH-2020 numbers\n\n");
    out.push_str(
        "Generated by `cargo test -p fzc-scenario --test bth` from `examples/bth-2020/published.csv` \
         and the run of the embedded default case (`cargo run --release`). Do not edit by hand: \
         the test fails when this file differs from what the run gives; regenerate with \
         `FZC_BLESS=1 cargo test -p fzc-scenario --test bth reproduction`.\n\n",
    );
    let derived = rows.iter().filter(|p| p.kind == "derived").count();
    let total = |b: usize| counts[b].iter().sum::<usize>();
    out.push_str(&format!(
        "`published.csv` holds {} rows: {} numbers the paper prints and {} that `published.csv` \
         derived from them (kind `derived`; the paper never prints them). By basis: **{} \
         input**, **{} by construction**, **{} independent**. Only the independent rows test \
         the method: **{} of them reproduced**, {} not determined by published inputs, {} \
         contradicted by the paper itself.\n\n",
        rows.len(),
        rows.len() - derived,
        derived,
        total(Basis::Input as usize),
        total(Basis::ByConstruction as usize),
        total(Basis::Independent as usize),
        counts[Basis::Independent as usize][0],
        counts[Basis::Independent as usize][1],
        counts[Basis::Independent as usize][2],
    ));
    out.push_str("| basis | reproduced | not determined | contradicted |\n|---|---|---|---|\n");
    for b in [Basis::Input, Basis::ByConstruction, Basis::Independent] {
        let c = counts[b as usize];
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            b.as_str(),
            c[0],
            c[1],
            c[2]
        ));
    }
    out.push('\n');
    out.push_str(
        "- *reproduced*: our value equals the paper's within one unit of its last printed digit \
         (the paper's sums of rounded numbers are off by that much, e.g. Table 3's total for \
         Tangshan); counts and signs must match exactly. The **basis** column says whether that \
         is a test. It is computed from `examples/bth-2020/derivations.csv`, which `build.py` \
         writes while it builds the inputs: `input` rows are copied into an input file, `by \
         construction` rows are numbers an input was derived from, or sums or copies of such \
         numbers, `independent` rows are genuine checks.\n",
    );
    out.push_str(&format!(
        "- The largest difference over the independent reproduced rows is {:.2} units of the \
         paper's last printed digit.\n",
        worst_independent
    ));
    out.push_str(
        "- *not determined*: the published inputs do not fix the number. Where the run still \
         computes a value (ECT receipts, combined amounts) it is shown with its difference; it \
         depends on bilateral ECT nets the paper does not publish, filled in by the scenario's \
         `proportional` rule.\n\
         - *contradicted*: the paper prints another number that rules this one out (named in the \
         note).\n\n",
    );
    out.push_str("| # | quantity | region | counterpart | paper | unit | section | ours | ours − paper | state | basis | note |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    out.push_str(&table);
    out
}

#[test]
fn reproduction_table_is_current() {
    let path = workspace().join("docs/REPRODUCTION.md");
    let text = reproduction_markdown();
    if std::env::var_os("FZC_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/REPRODUCTION.md is out of date; regenerate with \
         FZC_BLESS=1 cargo test -p fzc-scenario --test bth reproduction"
    );
}

#[test]
fn a_region_without_a_given_standard_gets_eq18_from_the_economy_table() {
    // Drop Xingtai's given standard and give every city an Engel coefficient of 0.3.
    let dir = tempfile::tempdir().unwrap();
    let example = workspace().join("examples/bth-2020");
    for name in [
        "scenario.toml",
        "standards.csv",
        "economy.csv",
        "ect-net.csv",
        "ect-bilateral.csv",
        "cssf-transfers.csv",
    ] {
        let mut text = std::fs::read_to_string(example.join(name)).unwrap();
        if name == "standards.csv" {
            text = text
                .lines()
                .filter(|l| !l.starts_with("xingtai"))
                .map(|l| format!("{l}\n"))
                .collect();
        }
        if name == "economy.csv" {
            text = text.replace(",,published,", ",0.3,published,");
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let scenario = load(&ScenarioSource::File(dir.path().join("scenario.toml"))).unwrap();
    let outcome = run(&scenario).unwrap();
    // Eq 18 by hand: A = per-capita GDP over the population-weighted area mean.
    let economy = scenario.economy.as_ref().unwrap();
    let gdp: f64 = economy.iter().map(|e| e.gdp_yuan).sum();
    let pop: f64 = economy.iter().map(|e| e.population_persons).sum();
    let i = scenario.region_index("xingtai").unwrap();
    let a = (economy[i].gdp_yuan / economy[i].population_persons) / (gdp / pop);
    let expected = 46.66 * a / (1.0 + (-0.3f64).exp());
    let used = outcome
        .standards
        .get(&"xingtai".parse().unwrap())
        .unwrap()
        .standard
        .0;
    assert!(
        (used - expected).abs() < 1e-9 * expected,
        "{used} vs {expected}"
    );
    let summary = summary_json(&scenario, &outcome);
    assert!(summary.contains("\"source\": \"eq18\""), "{summary}");
}

// ------------------------------------------------------------------ plugin stanzas

/// A scheme from outside the built-in enum (as a plugin's would be): it delegates to
/// `inner` under its own name.
struct Renamed {
    inner: fzc_pricing::BuiltinScheme,
}

impl fzc_core::PricingScheme for Renamed {
    fn name(&self) -> &str {
        "renamed"
    }
    fn parameters(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn price(
        &self,
        input: &fzc_core::PricingInput<'_>,
    ) -> Result<fzc_core::PricingOutput, fzc_core::PricingSchemeError> {
        self.inner.price(input)
    }
}

#[test]
fn run_with_pricing_takes_any_scheme_and_equals_the_builtin_it_wraps() {
    let scenario = load(&embedded::bth_2020()).unwrap();
    for name in ["payer", "payee", "uniform"] {
        let builtin: fzc_pricing::BuiltinScheme = name.parse().unwrap();
        let direct = fzc_scenario::run_with_scheme(&scenario, builtin).unwrap();
        let wrapped =
            fzc_scenario::run_with_pricing(&scenario, &Renamed { inner: builtin }).unwrap();
        assert_eq!(wrapped.scheme, "renamed");
        assert_eq!(
            ledger_csv(&direct),
            ledger_csv(&wrapped).replace("renamed", name),
            "{name}"
        );
    }
}

#[test]
fn a_plugin_stanza_is_read_and_run_refuses_it_without_the_loaded_scheme() {
    let scenario = load_edited("scenario.toml", |t| {
        t.replace("scheme = \"paper\"", "scheme = \"plugin:capped\"")
            + "\n[[plugin]]\nname = \"capped\"\npath = \"lib/cap.so\"\n\
               params = { share = 0.001, mode = \"x\", on = true }\n"
    })
    .unwrap();
    assert_eq!(scenario.pricing_plugin.as_deref(), Some("capped"));
    let spec = &scenario.plugins[0];
    assert_eq!(spec.name, "capped");
    // Resolved against the scenario file's (absolute, temporary) directory.
    assert!(
        spec.path.ends_with("lib/cap.so") && spec.path.is_absolute(),
        "{spec:?}"
    );
    let params: Vec<(&str, &str)> = spec
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(params, [("mode", "x"), ("on", "true"), ("share", "0.001")]);
    let err = run(&scenario).unwrap_err().to_string();
    assert!(err.contains("plugin:capped"), "{err}");
}

#[test]
fn an_undeclared_or_duplicate_plugin_is_named() {
    let text = error_text("scenario.toml", |t| {
        t.replace("scheme = \"paper\"", "scheme = \"plugin:nope\"")
            + "\n[[plugin]]\nname = \"capped\"\npath = \"cap.so\"\n"
    });
    assert!(
        text.contains("nope") && text.contains("capped") && text.contains("scenario.toml"),
        "{text}"
    );
    let text = error_text("scenario.toml", |t| {
        t.to_owned()
            + "\n[[plugin]]\nname = \"a\"\npath = \"a.so\"\n[[plugin]]\nname = \"a\"\npath = \"b.so\"\n"
    });
    assert!(
        text.contains("plugin[1]") && text.contains("\"a\""),
        "{text}"
    );
}
