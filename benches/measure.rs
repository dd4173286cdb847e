//! What every benchmark measures about its own process and the machine.

/// The error type of the benchmark binaries.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The 1-minute load average, to judge how much other work shared the cores.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// This process's peak resident memory (`VmHWM`), KiB.
///
/// # Errors
/// When `/proc/self/status` cannot be read or has no well-formed `VmHWM` line.
pub fn vm_hwm_kib() -> BenchResult<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("malformed VmHWM")?
        .parse()?)
}

/// The `RESULT key=value ...` line a measured child process prints on stdout.
#[derive(Debug)]
pub struct ResultLine {
    line: String,
}

impl ResultLine {
    /// The raw value of `key`, if the line has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.line
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
    }

    /// The value of `key`, parsed.
    ///
    /// # Errors
    /// When the line has no `key`, or its value does not parse.
    pub fn parse<T>(&self, key: &str) -> BenchResult<T>
    where
        T: std::str::FromStr,
        T::Err: std::error::Error + 'static,
    {
        let value = self
            .get(key)
            .ok_or_else(|| format!("no {key} in `{}`", self.line))?;
        Ok(value.parse()?)
    }
}

/// What a measured child process printed.
#[derive(Debug)]
pub struct ChildRun {
    /// Its whole stdout.
    pub stdout: String,
    status: std::process::ExitStatus,
    stderr: String,
}

impl ChildRun {
    /// The child's `RESULT` line.
    ///
    /// # Errors
    /// When it printed none (the message carries its exit status and stderr).
    pub fn result(&self) -> BenchResult<ResultLine> {
        match self.stdout.lines().find(|l| l.starts_with("RESULT ")) {
            Some(line) => Ok(ResultLine {
                line: line.to_owned(),
            }),
            None => Err(format!("child failed ({}): {}", self.status, self.stderr).into()),
        }
    }
}

/// Runs a measured child to completion.
///
/// # Errors
/// When the child cannot be started.
pub fn run_child(cmd: &mut std::process::Command) -> BenchResult<ChildRun> {
    let out = cmd.output()?;
    Ok(ChildRun {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        status: out.status,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}
