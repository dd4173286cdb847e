//! Atomic file output: bytes go to a temporary file in the target's folder, which is synced
//! and renamed over the target. Same contract as `fzc_io::write_atomically`; kept local so
//! that the report crate does not pull in the MRIO and raster stack that `fzc-io` carries.

use std::io::Write;
use std::path::Path;

use crate::ReportError;

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// [`ReportError::Os`] naming `path` when the temporary file cannot be created, written,
/// synced or renamed.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let os = |source: std::io::Error| ReportError::Os {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".fzc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode, as for any newly created file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(os)?;
    tmp.write_all(bytes).map_err(os)?;
    tmp.as_file().sync_all().map_err(os)?;
    tmp.persist(path).map_err(|e| os(e.error))?;
    Ok(())
}
