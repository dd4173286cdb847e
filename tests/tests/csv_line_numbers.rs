//! Errors in CSV inputs name the line a text editor shows, whatever the file's line breaks
//! (`\r\n` from Excel and Windows tools, `\n`, or `\r`) and blank lines.
//!
//! The `csv` crate alone reports one line too low after a `\r\n` (rust-csv #395) and after
//! blank lines; every reader now counts through `fzc_io::UnixLines` (line_breaks.rs). Each
//! case here puts a bad value on a known line of a CRLF file with blank lines before it, and
//! fails if a reader counts with `csv`'s own line numbers.
#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\r\n") + "\r\n").unwrap();
    path
}

fn assert_names(message: &str, expected: &str) {
    assert!(
        message.contains(expected),
        "expected {expected:?} in: {message}"
    );
}

#[test]
fn long_mrio_csv_errors_name_the_editor_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Z.csv",
        &[
            "from_region,from_sector,to_region,to_sector,value", // 1
            "",                                                  // 2
            "A,s1,A,s1,1",                                       // 3
            "A,s1,A,s2,2",                                       // 4
            "",                                                  // 5
            "",                                                  // 6
            "A,s2,A,s1,x",                                       // 7: not a number
            "A,s2,A,s2,3",                                       // 8
        ],
    );
    write(
        dir.path(),
        "Y.csv",
        &[
            "region,sector,demand_region,category,value",
            "A,s1,A,h,10",
            "A,s2,A,h,10",
        ],
    );
    write(
        dir.path(),
        "emissions.csv",
        &["region,sector,value[t CO2]", "A,s1,1", "A,s2,1"],
    );
    let message = fzc_io::read_mrio_csv(dir.path()).unwrap_err().to_string();
    assert_names(&message, "Z.csv");
    assert_names(&message, "line 7");

    // A record of another width: the csv crate's own error, at the editor's line.
    write(
        dir.path(),
        "Z.csv",
        &[
            "from_region,from_sector,to_region,to_sector,value", // 1
            "A,s1,A,s1,1",                                       // 2
            "",                                                  // 3
            "A,s1,A,s2",                                         // 4: four fields
        ],
    );
    let message = fzc_io::read_mrio_csv(dir.path()).unwrap_err().to_string();
    assert_names(&message, "Z.csv");
    assert_names(&message, "line 4");
    assert_names(&message, "not valid CSV");
}

#[test]
fn concordance_errors_name_both_editor_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "concordance.csv",
        &[
            "from_sector,to_sector", // 1
            "",                      // 2
            "coal,energy",           // 3
            "",                      // 4
            "oil,energy",            // 5
            "coal,mining",           // 6: coal mapped twice
        ],
    );
    let message = fzc_io::read_concordance(&path).unwrap_err().to_string();
    assert_names(&message, "line 6");
    assert_names(&message, "on line 3");
}

#[test]
fn region_balance_errors_name_the_editor_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "balance.csv",
        &[
            "region,supply,demand", // 1
            "a,1,2",                // 2
            "",                     // 3
            "b,1,-2",               // 4: negative demand
        ],
    );
    let message = fzc_io::read_region_balance(&path).unwrap_err().to_string();
    assert_names(&message, "line 4, column demand");
}

#[test]
fn carbon_pool_errors_name_the_editor_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "pools.csv",
        &[
            "lucode,c_above,c_below,c_soil,c_dead", // 1
            "1,1,2,3,4",                            // 2
            "",                                     // 3
            "",                                     // 4
            "2,1,-2,3,4",                           // 5: negative density
        ],
    );
    let message = fzc_io::read_carbon_pools(&path).unwrap_err().to_string();
    assert_names(&message, "line 5");
}
