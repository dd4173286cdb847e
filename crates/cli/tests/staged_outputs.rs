//! A failed run changes nothing under `--out` (issue 10, item 2): a report error midway, a
//! raster with no valid pixel, and a full disk each leave the earlier outputs byte-identical,
//! add no file and leave no staging folder behind.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fzc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fzc"));
    c.current_dir(root()).env_remove("FZC_LOG").arg("--quiet");
    c
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "the run succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The BTH case copied, with another price so that its tables differ from the first run's.
fn case_with_new_price(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    copy_dir(&root().join("examples/bth-2020"), &case);
    let toml = case.join("scenario.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("46.66"));
    std::fs::write(&toml, text.replacen("46.66", "50.00", 1)).unwrap();
    toml
}

#[test]
fn a_report_error_midway_leaves_the_earlier_outputs_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = fzc()
        .args(["run", "examples/bth-2020/scenario.toml", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(first.status.success());
    let before = snapshot(&out);
    assert!(before.contains_key(Path::new("zoning.csv")) && before.len() > 5);

    // The tables of the second run differ (another price), and its report fails: one city
    // polygon is broken, which only the report reads.
    let toml = case_with_new_price(dir.path());
    std::fs::write(
        toml.with_file_name("boundaries/beijing.geojson"),
        "{ broken",
    )
    .unwrap();
    let message = failed(
        &fzc()
            .arg("run")
            .arg(&toml)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap(),
    );
    assert!(message.contains("beijing.geojson"), "{message}");
    assert!(snapshot(&out) == before, "the failed run changed --out");
    assert_eq!(
        names(dir.path()),
        ["case", "out"],
        "a staging folder was left"
    );

    // The same run with the polygon repaired replaces the set.
    copy_dir(
        &root().join("examples/bth-2020/boundaries"),
        &toml.with_file_name("boundaries"),
    );
    let ok = fzc()
        .arg("run")
        .arg(&toml)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let after = snapshot(&out);
    assert_ne!(
        after[Path::new("summary.json")],
        before[Path::new("summary.json")]
    );
    assert_eq!(names(dir.path()), ["case", "out"]);
}

#[test]
fn a_raster_without_valid_pixels_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let f = root().join("tests/fixtures/raster/storage");
    let regions = dir.path().join("nodata.geojson");
    // A region inside the fixture's nodata corner (first 3 rows, 4 columns).
    std::fs::write(
        &regions,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"hole"},
        "geometry":{"type":"Polygon","coordinates":[[[116.298155,40.010874],[116.309872,40.010944],[116.309808,40.017251],[116.298091,40.017180],[116.298155,40.010874]]]}}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("supply-regions.csv"), "earlier").unwrap();
    let message = failed(
        &fzc()
            .args(["cssf", "supply", "--lulc"])
            .arg(f.join("lulc.tif"))
            .arg("--pools")
            .arg(f.join("pools.csv"))
            .arg("--regions")
            .arg(&regions)
            .args(["--id-field", "name", "--out"])
            .arg(&out)
            .output()
            .unwrap(),
    );
    assert!(message.contains("nodata"), "{message}");
    assert_eq!(
        names(&out),
        ["supply-regions.csv"],
        "supply.tif was left behind"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("supply-regions.csv")).unwrap(),
        "earlier"
    );
    assert_eq!(names(dir.path()), ["nodata.geojson", "out"]);
}

/// A full disk: a small tmpfs in a private mount namespace (`unshare -m`, as root), holding
/// the earlier outputs and too little room for a second set.
#[test]
fn a_full_disk_leaves_the_earlier_outputs_untouched() {
    let required = std::env::var_os("FZC_REQUIRE_EXTERNAL_TOOLS").is_some();
    let can = Command::new("unshare")
        .args(["-m", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !can {
        assert!(
            !required,
            "FZC_REQUIRE_EXTERNAL_TOOLS is set but `unshare -m` fails (needs root)"
        );
        eprintln!("skipped: `unshare -m` is not available (needs root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let earlier = dir.path().join("earlier");
    let first = fzc()
        .args(["run", "examples/bth-2020/scenario.toml", "--out"])
        .arg(&earlier)
        .output()
        .unwrap();
    assert!(first.status.success());
    let size: u64 = snapshot(&earlier).values().map(|b| b.len() as u64).sum();
    let toml = case_with_new_price(dir.path());
    let mount = dir.path().join("disk");
    std::fs::create_dir(&mount).unwrap();
    // Room for the earlier set plus a quarter of a second one.
    let script = format!(
        "set -e; mount -t tmpfs -o size={room} tmpfs {m}; cp -a {e} {m}/out; \
         status=0; {fzc} --quiet run {t} --out {m}/out 2> {d}/stderr || status=$?; \
         echo \"status $status\"; \
         if diff -r {e} {m}/out > /dev/null; then echo same; else echo changed; fi; \
         ls -A {m}",
        room = size + size / 4 + 64 * 1024,
        m = mount.display(),
        e = earlier.display(),
        fzc = env!("CARGO_BIN_EXE_fzc"),
        t = toml.display(),
        d = dir.path().display(),
    );
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .current_dir(root())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
    assert!(
        report.contains("status 1"),
        "the run did not fail: {report}\n{stderr}"
    );
    assert!(stderr.contains("No space left"), "{stderr}");
    assert!(
        report.contains("same"),
        "the earlier outputs changed: {report}"
    );
    let listed: Vec<&str> = report.lines().skip(2).collect();
    assert_eq!(listed, ["out"], "files left next to --out: {report}");
}

/// Issue 10: every value written is finite. A standard of 1e308 yuan/t overflows Beijing's
/// amounts; the run fails naming the region and column, and writes nothing.
#[test]
fn an_overflowing_amount_is_an_error_naming_the_region_not_inf_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    copy_dir(&root().join("examples/bth-2020"), &case);
    let standards = case.join("standards.csv");
    let text = std::fs::read_to_string(&standards).unwrap();
    let line = text.lines().find(|l| l.starts_with("beijing,")).unwrap();
    let value = line.split(',').nth(1).unwrap();
    std::fs::write(
        &standards,
        text.replacen(line, &line.replacen(value, "1e308", 1), 1),
    )
    .unwrap();
    let out = dir.path().join("out");
    let message = failed(
        &fzc()
            .arg("run")
            .arg(case.join("scenario.toml"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap(),
    );
    // The pricing layer catches it first (`check_finite` guards whatever gets past it).
    assert!(
        (message.contains("non-finite") || message.contains("not a finite number"))
            && message.contains("beijing"),
        "{message}"
    );
    assert!(!out.exists(), "a failed run wrote {}", out.display());
}
