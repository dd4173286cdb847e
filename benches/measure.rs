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
