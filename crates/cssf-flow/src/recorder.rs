//! A [`Progress`] for tests: records every task and checks the call order.

use std::sync::Mutex;

use fzc_core::Progress;

/// One recorded task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Task {
    pub name: String,
    pub total: u64,
    pub advanced: u64,
    pub finished: bool,
}

/// Records tasks; panics on a `begin` while a task is open, or on `advance`/`finish` outside
/// a task.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Vec<Task>>);

impl Recorder {
    pub(crate) fn tasks(&self) -> Vec<Task> {
        self.0.lock().unwrap().clone()
    }
}

impl Progress for Recorder {
    fn begin(&self, task: &str, total: u64) {
        let mut tasks = self.0.lock().unwrap();
        assert!(
            tasks.last().is_none_or(|t| t.finished),
            "{task} begins early"
        );
        tasks.push(Task {
            name: task.to_owned(),
            total,
            advanced: 0,
            finished: false,
        });
    }
    fn advance(&self, steps: u64) {
        let mut tasks = self.0.lock().unwrap();
        let last = tasks.last_mut().unwrap();
        assert!(!last.finished, "advance after finish");
        last.advanced += steps;
    }
    fn finish(&self) {
        let mut tasks = self.0.lock().unwrap();
        let last = tasks.last_mut().unwrap();
        assert!(!last.finished, "finished twice");
        last.finished = true;
    }
}
