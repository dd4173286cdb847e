//! What the user asked to see, and where it goes.
//!
//! - stdout carries the result only: the summary table, or JSON with `--json`. It is written
//!   through [`print`], which turns a closed pipe (`fzc … | head -1`) into [`StdoutClosed`];
//!   `main` ends such a run quietly with status 0.
//! - stderr carries everything else: progress bars ([`Ui::progress_sink`], the one kind of bar),
//!   notes ([`Ui::note`]), warnings ([`warn`]), logs (tracing) and the final error. Bars and
//!   notes are hidden by `--quiet`; bars also when stderr is not a terminal. ANSI colour is
//!   used only when stderr is a terminal and `NO_COLOR` is not set ([`colour_on_stderr`]).
//!   Writing to stderr never fails the run: when stderr is closed the text is dropped.

use std::io::{IsTerminal, Write};
use std::sync::RwLock;
use std::time::Duration;

use fzc_core::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The global output flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ui {
    /// `--quiet`: no progress bars, no notes.
    pub quiet: bool,
    /// `--json`: the summary as JSON on stdout instead of the table.
    pub json: bool,
}

/// Whether text on stderr may carry ANSI colour: stderr is a terminal and `NO_COLOR` (see
/// no-color.org) is unset or empty.
pub fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The bar template: task, bar, steps done of all, elapsed, estimated time left.
const BAR_TEMPLATE: &str = "{msg:>28} [{bar:30}] {human_pos}/{human_len} {elapsed} (eta {eta})";
/// The same in colour.
const BAR_TEMPLATE_COLOUR: &str =
    "{msg:>28.bold} [{bar:30.cyan/blue}] {human_pos}/{human_len} {elapsed} (eta {eta})";
/// A task of unknown length.
const SPINNER_TEMPLATE: &str = "{msg:>28} {spinner} {human_pos} {elapsed}";

/// A task that took less than this leaves no line behind when it finishes.
const KEEP_AFTER: Duration = Duration::from_secs(1);

impl Ui {
    /// Prints a one-line note on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }

    /// Whether progress bars are drawn at all: not with `--quiet`, and only on a terminal.
    fn bars(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// A [`Progress`] sink for the library crates: one bar per task on stderr, hidden with
    /// `--quiet` and when stderr is not a terminal. Pass it as `&ui.progress_sink()` to the
    /// `*_with_progress` entry points (`compute_ect_with_progress`,
    /// `BreakpointModel::run_prepared_with_progress`, `RegionMasks::pass`).
    pub fn progress_sink(&self) -> ProgressSink {
        ProgressSink {
            shown: self.bars(),
            bar: RwLock::new(None),
        }
    }
}

fn bar_style(len: u64) -> ProgressStyle {
    let template = match (len, colour_on_stderr()) {
        (0, _) => SPINNER_TEMPLATE,
        (_, true) => BAR_TEMPLATE_COLOUR,
        (_, false) => BAR_TEMPLATE,
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// The CLI's [`Progress`]: draws each task as an indicatif bar on stderr (see
/// [`Ui::progress_sink`]). Tasks shorter than a second are cleared when they finish; longer
/// ones leave their finished bar as a record of the run.
#[derive(Debug)]
pub struct ProgressSink {
    shown: bool,
    bar: RwLock<Option<ProgressBar>>,
}

impl Progress for ProgressSink {
    fn begin(&self, task: &str, total: u64) {
        if !self.shown {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(bar_style(total));
        bar.set_message(task.to_owned());
        if total == 0 {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        if let Ok(mut slot) = self.bar.write()
            && let Some(previous) = slot.replace(bar)
        {
            previous.finish_and_clear();
        }
    }

    fn advance(&self, steps: u64) {
        if let Ok(slot) = self.bar.read()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(steps);
        }
    }

    fn finish(&self) {
        let Ok(mut slot) = self.bar.write() else {
            return;
        };
        if let Some(bar) = slot.take() {
            if bar.elapsed() < KEEP_AFTER {
                bar.finish_and_clear();
            } else {
                bar.finish();
            }
        }
    }
}

/// Stdout was closed by the reader (a broken pipe, as in `fzc … | head -1`): not a failure
/// of the run, which `main` ends with status 0 and no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Writes `text` to stdout as it is (add the final newline yourself) and flushes.
///
/// # Errors
/// [`StdoutClosed`] when the reader has gone (broken pipe); any other write error as it is,
/// with context.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to stdout")),
    }
}

/// Whether `err` only says that stdout was closed (see [`StdoutClosed`]).
pub fn is_stdout_closed(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<StdoutClosed>())
}

/// Prints `warning: <text>` on stderr (also with `--quiet`), "warning" in yellow on a
/// colour terminal.
pub fn warn(text: &str) {
    let label = if colour_on_stderr() {
        "\x1b[1;33mwarning\x1b[0m"
    } else {
        "warning"
    };
    let _ = writeln!(std::io::stderr(), "{label}: {text}");
}

/// Prints `error: <text>` on stderr, "error" in red on a colour terminal.
pub fn error(text: &str) {
    let label = if colour_on_stderr() {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let _ = writeln!(std::io::stderr(), "{label}: {text}");
}
