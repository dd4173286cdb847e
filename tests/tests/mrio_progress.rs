//! The pymrio reader reports every data row of each table to the caller's `Progress`, one
//! finished task per file, in the order the files are read.

#![allow(clippy::unwrap_used)] // tests unwrap on fixture data

use std::path::PathBuf;
use std::sync::Mutex;

use fzc_core::Progress;
use fzc_io::{MrioFormat, SideFiles, read_mrio_with_progress, read_pymrio_folder_with_progress};

/// Records each task: name, steps reported, finished.
#[derive(Default)]
struct Recorder(Mutex<Vec<(String, u64, bool)>>);

impl Progress for Recorder {
    fn begin(&self, task: &str, _total: u64) {
        self.0.lock().unwrap().push((task.to_owned(), 0, false));
    }
    fn advance(&self, steps: u64) {
        self.0.lock().unwrap().last_mut().unwrap().1 += steps;
    }
    fn finish(&self) {
        self.0.lock().unwrap().last_mut().unwrap().2 = true;
    }
}

fn small_pymrio() -> PathBuf {
    // The shared fixture of the workspace (tests/fixtures/mrio), so this test lives here and
    // not in fzc-io, whose package carries only its own files.
    fzc_tests::workspace_root().join("tests/fixtures/mrio/small-pymrio")
}

#[test]
fn pymrio_rows_are_reported_per_file() {
    let recorder = Recorder::default();
    let data = read_pymrio_folder_with_progress(&small_pymrio(), &recorder).unwrap();
    let n = data.table.z.nrows() as u64;
    let k = data.stressors.len() as u64;
    assert!(n > 0 && k > 0);
    let tasks = recorder.0.into_inner().unwrap();
    let want: Vec<(String, u64, bool)> = [("Z.txt", n), ("Y.txt", n), ("F.txt", k), ("F_Y.txt", k)]
        .iter()
        .map(|(f, rows)| (format!("reading {f}"), *rows, true))
        .collect();
    assert_eq!(tasks, want);
}

#[test]
fn read_mrio_passes_progress_to_the_detected_reader() {
    let recorder = Recorder::default();
    let side = SideFiles::default();
    let data = read_mrio_with_progress(&small_pymrio(), None, &side, &recorder).unwrap();
    let plain = fzc_io::read_mrio(&small_pymrio(), Some(MrioFormat::Pymrio), &side).unwrap();
    assert_eq!(data.table.z, plain.table.z);
    let tasks = recorder.0.into_inner().unwrap();
    assert_eq!(tasks.first().map(|t| t.0.as_str()), Some("reading Z.txt"));
    assert!(tasks.iter().all(|t| t.2));
}
