//! Progress of long work, reported by the library crates and drawn by whoever calls them.
//!
//! A library never draws a bar itself: it takes a `&dyn Progress` and reports steps of a
//! task (LU columns, raster rows, region pairs). The `fzc` CLI implements it with indicatif
//! on stderr; [`NoProgress`] ignores everything and is what the plain entry points use.
//!
//! The trait is `Sync` so that work split over threads (rayon) can report from any of them.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use fzc_core::{NoProgress, Progress};
//!
//! /// Counts steps, as a test would.
//! #[derive(Default)]
//! struct Count(AtomicU64);
//! impl Progress for Count {
//!     fn begin(&self, _task: &str, _total: u64) {}
//!     fn advance(&self, steps: u64) {
//!         self.0.fetch_add(steps, Ordering::Relaxed);
//!     }
//!     fn finish(&self) {}
//! }
//!
//! fn work(progress: &dyn Progress) {
//!     progress.begin("rows", 3);
//!     for _ in 0..3 {
//!         progress.advance(1);
//!     }
//!     progress.finish();
//! }
//! let count = Count::default();
//! work(&count);
//! work(&NoProgress);
//! assert_eq!(count.0.load(Ordering::Relaxed), 3);
//! ```

/// A sink for the progress of one task at a time.
///
/// Calls come in the order `begin`, any number of `advance`, `finish`; a caller may run
/// several tasks one after the other on the same sink. `advance` may be called from several
/// threads at once.
pub trait Progress: Sync {
    /// A task starts: `task` says what (e.g. "LU factorisation of I - A"), `total` how many
    /// steps it has (0 when unknown).
    fn begin(&self, task: &str, total: u64);
    /// `steps` more steps of the current task are done.
    fn advance(&self, steps: u64);
    /// The current task is done (also called when it stopped on an error).
    fn finish(&self);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _task: &str, _total: u64) {}
    fn advance(&self, _steps: u64) {}
    fn finish(&self) {}
}
