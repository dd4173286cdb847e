//! `fzc mc` and `fzc mc merge` as a user runs them (issue 12): the Slurm recipe of
//! docs/SCALING.md with local processes, the open raster example and an MRIO scenario, and
//! bad stanzas and flags.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fzc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fzc"));
    command
        .current_dir(root())
        .env_remove("FZC_LOG")
        .arg("--quiet");
    command
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "fzc failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn failure(output: &Output) -> String {
    assert!(!output.status.success(), "fzc succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

/// docs/SCALING.md's job array, with K processes started at once on this machine.
#[test]
fn shard_processes_merged_equal_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let base = |out: &Path| {
        let mut c = fzc();
        c.args([
            "mc",
            "--uncertainty",
            "examples/bth-2020/uncertainty.toml",
            "--draws",
            "300",
            "--seed",
            "20261203",
            "--out",
        ])
        .arg(out);
        c
    };
    let single = dir.path().join("single");
    ok(&base(&single).output().unwrap());
    let k = 4;
    let children: Vec<_> = (0..k)
        .map(|i| {
            base(&dir.path().join(format!("shards/{i}")))
                .args(["--shard", &format!("{i}/{k}")])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let shards: Vec<PathBuf> = (0..k)
        .rev()
        .map(|i| dir.path().join(format!("shards/{i}")))
        .collect();
    let merged = dir.path().join("merged");
    let output = fzc()
        .args(["mc", "merge"])
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    ok(&output);
    for file in [
        "draws.csv",
        "draws.parquet",
        "params.csv",
        "params.parquet",
        "summary.csv",
        "mc.json",
    ] {
        assert!(
            read(&single, file) == read(&merged, file),
            "{file}: merged shards differ from the single run"
        );
    }
    // The printed summary names every region with its probability of paying.
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.contains("langfang"), "{printed}");

    // A missing shard is named.
    let message = failure(
        &fzc()
            .args(["mc", "merge"])
            .args(&shards[1..])
            .arg("--out")
            .arg(dir.path().join("partial"))
            .output()
            .unwrap(),
    );
    assert!(message.contains("in no shard given"), "{message}");
}

#[test]
fn the_open_raster_example_and_an_mrio_scenario_run_under_uncertainty() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = dir.path().join("u.toml");
    std::fs::write(
        &stanzas,
        "[[uncertainty]]\nparam = \"cssf.transfer.*\"\ndist = \"lognormal\"\nmu = 0\nsigma = 0.3\nscale = \"relative\"\n\
         [[uncertainty]]\nparam = \"ect.nf.beijing\"\ndist = \"normal\"\nmean = 51.1e6\nsd = 5e6\n",
    )
    .unwrap();
    let out = dir.path().join("open");
    ok(&fzc()
        .args([
            "mc",
            "examples/bth-2020-open/scenario.toml",
            "--uncertainty",
        ])
        .arg(&stanzas)
        .args(["--draws", "20", "--seed", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap());
    let draws = String::from_utf8(read(&out, "draws.csv")).unwrap();
    assert_eq!(draws.lines().count(), 1 + 20 * 13);

    // fzc sensitivity on the open example, over two carbon densities (each run recomputes
    // supply and the flows).
    let densities = dir.path().join("densities.toml");
    std::fs::write(
        &densities,
        "[[uncertainty]]\nparam = \"pools.2.c_soil\"\ndist = \"uniform\"\nlow = 100\nhigh = 200\n\
         [[uncertainty]]\nparam = \"pools.1.c_soil\"\ndist = \"uniform\"\nlow = 80\nhigh = 140\n",
    )
    .unwrap();
    let out = dir.path().join("open-sobol");
    ok(&fzc()
        .args([
            "sensitivity",
            "examples/bth-2020-open/scenario.toml",
            "--uncertainty",
        ])
        .arg(&densities)
        .args([
            "--method",
            "sobol",
            "--samples",
            "16",
            "--seed",
            "4",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap());
    let sobol = String::from_utf8(read(&out, "sobol.csv")).unwrap();
    assert!(sobol.contains("total_paid,pools.2.c_soil,"), "{sobol}");

    let mrio = dir.path().join("mrio.toml");
    std::fs::write(
        &mrio,
        "[[uncertainty]]\nparam = \"standard.Hebei\"\ndist = \"uniform\"\nlow = 10\nhigh = 30\n\
         [[uncertainty]]\nparam = \"ect.mrio.y\"\ndist = \"lognormal\"\nmean = 1\ncv = 0.2\nscale = \"relative\"\n",
    )
    .unwrap();
    let out = dir.path().join("mrio");
    ok(&fzc()
        .args([
            "mc",
            "crates/scenario/tests/data/mrio-small/scenario.toml",
            "--uncertainty",
        ])
        .arg(&mrio)
        .args(["--draws", "50", "--seed", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap());
    let params = String::from_utf8(read(&out, "params.csv")).unwrap();
    // Per draw: the standard, then the mean factor of the noise on Y.
    assert_eq!(params.lines().count(), 1 + 2 * 50);
    for line in params.lines().skip(1) {
        let value: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        if line.contains(",standard.Hebei,") {
            assert!((10.0..=30.0).contains(&value), "{line}");
        } else {
            assert!(
                line.contains(",ect.mrio.y,") && (0.5..2.0).contains(&value),
                "{line}"
            );
        }
    }
    // The noise moves the ECT amounts from draw to draw.
    let draws = String::from_utf8(read(&out, "draws.csv")).unwrap();
    let ect: std::collections::BTreeSet<&str> = draws
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some("Beijing"))
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    assert!(
        ect.len() > 40,
        "{} distinct ect_net values of Beijing",
        ect.len()
    );

    // fzc sensitivity on the MRIO scenario (per-cell noise is not a sensitivity input, so
    // two standards are).
    let inputs = dir.path().join("mrio-sobol.toml");
    std::fs::write(
        &inputs,
        "[[uncertainty]]\nparam = \"standard.Hebei\"\ndist = \"uniform\"\nlow = 10\nhigh = 30\n\
         [[uncertainty]]\nparam = \"standard.Beijing\"\ndist = \"uniform\"\nlow = 40\nhigh = 90\n",
    )
    .unwrap();
    let out = dir.path().join("mrio-sobol");
    ok(&fzc()
        .args([
            "sensitivity",
            "crates/scenario/tests/data/mrio-small/scenario.toml",
            "--uncertainty",
        ])
        .arg(&inputs)
        .args([
            "--method",
            "sobol",
            "--samples",
            "32",
            "--seed",
            "3",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap());
    let sobol = String::from_utf8(read(&out, "sobol.csv")).unwrap();
    assert!(
        sobol.contains("ledger_net.Hebei,standard.Hebei,"),
        "{sobol}"
    );
}

#[test]
fn bad_stanzas_and_flags_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = dir.path().join("u.toml");
    std::fs::write(
        &stanzas,
        "[[uncertainty]]\nparam = \"standard.atlantis\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        fzc()
            .args(["mc", "--uncertainty"])
            .arg(&stanzas)
            .args(extra)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let message = failure(&run(&["--draws", "10", "--seed", "1"]));
    assert!(
        message
            .contains("u.toml: [[uncertainty]] stanza 1: unknown parameter \"standard.atlantis\""),
        "{message}"
    );
    assert!(message.contains("Valid names: price"), "{message}");
    let message = failure(&run(&["--draws", "10", "--seed", "1", "--shard", "4/4"]));
    assert!(
        message.contains("expected I/K with 0 <= I < K"),
        "{message}"
    );
    let message = failure(&run(&["--draws", "0", "--seed", "1"]));
    assert!(message.contains("--draws"), "{message}");
    // The embedded case has no stanzas of its own.
    let message = failure(
        &fzc()
            .args(["mc", "--draws", "10", "--seed", "1", "--out"])
            .arg(&out)
            .output()
            .unwrap(),
    );
    assert!(message.contains("no [[uncertainty]] stanzas"), "{message}");
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}

#[test]
fn sensitivity_names_the_input_that_decides_each_amount() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = dir.path().join("u.toml");
    // Langfang's amount depends on its own standard and on nothing else varied here but
    // the Chengde -> Tangshan transfer, which it is not part of.
    std::fs::write(
        &stanzas,
        "[[uncertainty]]\nparam = \"standard.langfang\"\ndist = \"uniform\"\nlow = 20\nhigh = 40\n\
         [[uncertainty]]\nparam = \"cssf.transfer.chengde.tangshan\"\ndist = \"uniform\"\nlow = 0.5\nhigh = 1.5\nscale = \"relative\"\n",
    )
    .unwrap();
    let out = dir.path().join("sens");
    let output = fzc()
        .args(["sensitivity", "--uncertainty"])
        .arg(&stanzas)
        .args(["--samples", "64", "--seed", "5", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    ok(&output);
    let text = String::from_utf8(read(&out, "sobol.csv")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("output,param,s1,s1_conf,st,st_conf")
    );
    assert_eq!(text.lines().count(), 1 + 14 * 2);
    let st = |output: &str, param: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{output},{param},")))
            .unwrap();
        line.split(',').nth(4).unwrap().parse().unwrap()
    };
    assert!(st("ledger_net.langfang", "standard.langfang") > 0.99);
    assert_eq!(
        st("ledger_net.langfang", "cssf.transfer.chengde.tangshan"),
        0.0
    );
    assert!(st("ledger_net.chengde", "cssf.transfer.chengde.tangshan") > 0.99);
    let message = failure(
        &fzc()
            .args(["sensitivity", "--method", "fast", "--uncertainty"])
            .arg(&stanzas)
            .args(["--samples", "64", "--seed", "5", "--out"])
            .arg(dir.path().join("bad"))
            .output()
            .unwrap(),
    );
    assert!(message.contains("sobol"), "{message}");
}

#[test]
fn morris_shard_processes_merged_equal_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = dir.path().join("u.toml");
    std::fs::write(
        &stanzas,
        "[[uncertainty]]\nparam = \"standard.langfang\"\ndist = \"uniform\"\nlow = 20\nhigh = 40\n\
         [[uncertainty]]\nparam = \"cssf.transfer.chengde.tangshan\"\ndist = \"normal\"\nmean = 1\nsd = 0.2\nscale = \"relative\"\n",
    )
    .unwrap();
    let run = |extra: &[&str], out: &std::path::Path| {
        let output = fzc()
            .args(["sensitivity", "--method", "morris", "--uncertainty"])
            .arg(&stanzas)
            .args(["--samples", "10", "--seed", "3"])
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        ok(&output);
    };
    let whole = dir.path().join("whole");
    run(&[], &whole);
    let text = String::from_utf8(read(&whole, "morris.csv")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("output,param,mu_star,mu_star_conf,sigma")
    );
    // A normal distribution on the grid's level centres stays finite.
    assert_eq!(text.lines().count(), 1 + 14 * 2);
    let mut shards = Vec::new();
    for i in 0..3 {
        let shard = dir.path().join(format!("s{i}"));
        run(&["--shard", &format!("{i}/3")], &shard);
        shards.push(shard);
    }
    let merged = dir.path().join("merged");
    let output = fzc()
        .args(["sensitivity", "merge"])
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    ok(&output);
    for file in ["morris.csv", "runs.csv", "sensitivity.json"] {
        assert_eq!(read(&merged, file), read(&whole, file), "{file}");
    }
    let message = failure(
        &fzc()
            .args([
                "sensitivity",
                "--method",
                "morris",
                "--levels",
                "3",
                "--uncertainty",
            ])
            .arg(&stanzas)
            .args(["--samples", "10", "--seed", "3", "--out"])
            .arg(dir.path().join("bad"))
            .output()
            .unwrap(),
    );
    assert!(
        message.contains("--levels 3") && message.contains("even"),
        "{message}"
    );
}

#[test]
fn mc_and_sensitivity_reports_add_their_figures_and_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let stanzas = root().join("examples/bth-2020/uncertainty.toml");
    let mc = |out: &std::path::Path, extra: &[&str]| {
        fzc()
            .args(["mc", "--uncertainty"])
            .arg(&stanzas)
            .args(["--draws", "200", "--seed", "7", "--report"])
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    ok(&mc(&a, &[]));
    ok(&mc(&b, &[]));
    for f in [
        "figures/p-payer-map.svg",
        "figures/p-payer-map.png",
        "figures/amount-intervals.svg",
        "figures/zoning-map.svg",
        "report.html",
        "summary.csv",
        "draws.csv",
    ] {
        assert_eq!(read(&a, f), read(&b, f), "{f} differs between two runs");
    }
    let html = String::from_utf8(read(&a, "report.html")).unwrap();
    assert!(html.contains("fig-p-payer-map") && html.contains("fig-amount-intervals"));
    // The map's label for Langfang is its p_payer from summary.csv.
    let summary = String::from_utf8(read(&a, "summary.csv")).unwrap();
    let p: f64 = summary
        .lines()
        .find(|l| l.starts_with("langfang,"))
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let map = String::from_utf8(read(&a, "figures/p-payer-map.svg")).unwrap();
    assert!(map.contains(&format!("{:.0} %", 100.0 * p)), "Langfang {p}");
    let message = failure(&mc(&dir.path().join("c"), &["--shard", "1/2"]));
    assert!(message.contains("--report with --shard 1/2"), "{message}");

    let sens = dir.path().join("s");
    ok(&fzc()
        .args(["sensitivity", "--method", "morris", "--uncertainty"])
        .arg(&stanzas)
        .args(["--samples", "8", "--seed", "1", "--report", "--out"])
        .arg(&sens)
        .output()
        .unwrap());
    let svg = String::from_utf8(read(&sens, "figures/sensitivity-tornado.svg")).unwrap();
    assert!(svg.contains("Langfang (ledger_net)") && svg.contains("total_paid"));
    assert!(
        String::from_utf8(read(&sens, "report.html"))
            .unwrap()
            .contains("fig-sensitivity-tornado")
    );
}
