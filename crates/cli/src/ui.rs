//! What the user asked to see: progress and notes (`--quiet`), a table or JSON (`--json`).

use indicatif::{ProgressBar, ProgressStyle};

/// The global output flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ui {
    /// `--quiet`: no progress bars, no notes.
    pub quiet: bool,
    /// `--json`: the summary as JSON on stdout instead of the table.
    pub json: bool,
}

impl Ui {
    /// Prints a one-line note on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// A progress bar of `len` steps on stderr; hidden with `--quiet` (indicatif also hides it
    /// when stderr is not a terminal).
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        bar
    }
}
