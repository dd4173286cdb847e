//! MATLAB v7.3 MAT-files (HDF5 with a 512-byte MATLAB user block), read through the
//! pure-Rust `hdf5-pure` crate: the top-level structs and their 2-D numeric fields, as
//! [`MatVariable`]s like the v5 reader returns, so the CEADs reader takes either.
//!
//! MATLAB writes an m × n array as an HDF5 dataset of shape `[n, m]` in row-major order,
//! which is the array's column-major order: the data need no reordering.

use std::path::Path;

use crate::mat_v5::{MatValue, MatVariable};
use crate::{IoError, Location, MAX_COMPRESSION_RATIO, check_budget};

/// Whether the file is a v7.3 MAT-file: HDF5 after the user block, or MATLAB's header text
/// says so.
pub(crate) fn is_v73(path: &Path) -> bool {
    let mut head = [0u8; 520];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = &head[..read];
    head.get(512..516) == Some(b"\x89HDF".as_slice())
        || head.starts_with(b"\x89HDF")
        || String::from_utf8_lossy(&head[..read.min(116)]).contains("MATLAB 7.3")
}

fn hdf5_error(path: &Path, what: &str, e: impl std::fmt::Display) -> IoError {
    IoError::structure(
        Location::file(path),
        format!("MATLAB v7.3 (HDF5): {what}: {e}"),
    )
}

/// Reads the top-level groups of a v7.3 file as structs whose fields are the 2-D numeric
/// datasets they hold (other members are listed as unsupported), and top-level 2-D
/// datasets as numeric variables.
///
/// The whole file is buffered (checked against the memory budget first), and each
/// dataset's declared size against the budget and the file size before it is read.
///
/// # Errors
/// [`IoError`] naming the file for an unreadable HDF5 structure, or a dataset over the
/// memory budget or larger than the file could hold.
pub(crate) fn read_v73(path: &Path) -> Result<Vec<MatVariable>, IoError> {
    // A fault inside the third-party HDF5 parser is contained: the file is reported as one
    // it cannot read, and the run goes on to its error path instead of aborting.
    match std::panic::catch_unwind(|| read_v73_unguarded(path)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(hdf5_error(
                path,
                "the HDF5 reader (hdf5-pure) failed on this file",
                format!("{message}; the file is damaged or uses an HDF5 feature it does not read"),
            ))
        }
    }
}

fn read_v73_unguarded(path: &Path) -> Result<Vec<MatVariable>, IoError> {
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| IoError::os(path, e))?
        .len();
    check_budget(path, "the v7.3 MAT-file", u128::from(file_bytes))?;
    let file = hdf5_pure::File::open(path).map_err(|e| hdf5_error(path, "cannot open", e))?;
    let read_matrix = |name: &str| -> Result<MatValue, IoError> {
        let ds = file
            .dataset(name)
            .map_err(|e| hdf5_error(path, &format!("dataset {name}"), e))?;
        let shape = ds
            .shape()
            .map_err(|e| hdf5_error(path, &format!("shape of {name}"), e))?;
        let [cols, rows] = shape.as_slice() else {
            return Ok(MatValue::Unsupported(0));
        };
        let cells = u128::from(*cols) * u128::from(*rows);
        // The read holds the stored elements and the f64 copy: the element size is a
        // header field too, and a small dataset of huge elements is as large as a huge one
        // of small elements (fuzz finding 7: 40.5 GB asked by a 22 KB file).
        let element = ds
            .element_size()
            .map_err(|e| hdf5_error(path, &format!("datatype of {name}"), e))?;
        if !matches!(element, 1 | 2 | 4 | 8) {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "dataset {name} declares elements of {element} bytes; a numeric MATLAB \
                     array has elements of 1, 2, 4 or 8 bytes"
                ),
            ));
        }
        // Two 64-bit dimensions make up to 128 bits of cells: the byte count saturates
        // rather than wrap (fuzz finding 3).
        let stored = cells.saturating_mul(u128::from(element));
        let bytes = stored.saturating_add(cells.saturating_mul(8));
        // A compressed dataset may hold up to MAX_COMPRESSION_RATIO times its bytes.
        let can_hold = u128::from(file_bytes) * u128::from(MAX_COMPRESSION_RATIO);
        if stored > can_hold {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "dataset {name} declares {rows} × {cols} values, more than a file of \
                     {file_bytes} bytes can hold"
                ),
            ));
        }
        // Each chunk is inflated whole, so its declared extent is bounded the same way.
        let chunk = ds
            .chunk_shape()
            .map_err(|e| hdf5_error(path, &format!("chunk shape of {name}"), e))?;
        if let Some(chunk) = chunk {
            let chunk_bytes = chunk.iter().fold(u128::from(element), |acc, &d| {
                acc.saturating_mul(u128::from(d))
            });
            if chunk_bytes > can_hold {
                return Err(IoError::structure(
                    Location::file(path),
                    format!(
                        "dataset {name} declares chunks of {chunk:?} values, more than a file \
                         of {file_bytes} bytes can hold"
                    ),
                ));
            }
            check_budget(path, &format!("a chunk of dataset {name}"), chunk_bytes)?;
            // The chunk index's addresses and stored sizes are header fields as well: the
            // reader buffers the byte span they describe before it reads it (fuzz finding
            // 8: 2 GiB asked by a chunk record pointing past the end of the file).
            let chunks = ds
                .chunks()
                .map_err(|e| hdf5_error(path, &format!("chunk index of {name}"), e))?;
            if let Some(c) = chunks.iter().find(|c| {
                c.address
                    .checked_add(c.storage_size)
                    .is_none_or(|end| end > file_bytes)
            }) {
                return Err(IoError::structure(
                    Location::file(path),
                    format!(
                        "dataset {name}: a chunk at offset {:?} declares {} bytes at byte {}, \
                         beyond the end of the {file_bytes}-byte file",
                        c.offset, c.storage_size, c.address
                    ),
                ));
            }
        } else if stored > u128::from(file_bytes) {
            // Unchunked data are stored whole, uncompressed, inside the file.
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "dataset {name} declares {rows} × {cols} values of {element} bytes, more \
                     than the {file_bytes}-byte file holds uncompressed"
                ),
            ));
        }
        check_budget(path, &format!("dataset {name}"), bytes)?;
        let data = ds
            .read_f64()
            .map_err(|e| hdf5_error(path, &format!("reading {name}"), e))?;
        let (rows, cols) = (
            usize::try_from(*rows).unwrap_or(usize::MAX),
            usize::try_from(*cols).unwrap_or(usize::MAX),
        );
        if data.len() != rows.saturating_mul(cols) {
            return Err(hdf5_error(
                path,
                name,
                format!("{} values for {rows} × {cols}", data.len()),
            ));
        }
        Ok(MatValue::Numeric {
            dims: vec![rows, cols],
            data,
        })
    };
    let root = file.root();
    let mut out = Vec::new();
    let groups = root
        .groups()
        .map_err(|e| hdf5_error(path, "listing the variables", e))?;
    for group in groups {
        // MATLAB's own bookkeeping (#refs#, #subsystem#) is not a variable.
        if group.starts_with('#') {
            continue;
        }
        let g = file
            .group(&group)
            .map_err(|e| hdf5_error(path, &format!("group {group}"), e))?;
        let fields = g
            .datasets()
            .map_err(|e| hdf5_error(path, &format!("fields of {group}"), e))?;
        let mut values = Vec::with_capacity(fields.len());
        for field in &fields {
            values.push(read_matrix(&format!("{group}/{field}"))?);
        }
        out.push(MatVariable {
            name: group,
            value: MatValue::Struct {
                dims: vec![1, 1],
                fields,
                elements: vec![values],
            },
        });
    }
    let datasets = root
        .datasets()
        .map_err(|e| hdf5_error(path, "listing the variables", e))?;
    for name in datasets {
        let value = read_matrix(&name)?;
        out.push(MatVariable { name, value });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error [`read_v73_unguarded`] gives on a committed fuzz finding, copied to
    /// `table.mat`. The guard around it would turn a panic into an error too, so the
    /// unguarded reader is called: a finding must be refused without a panic.
    fn refusal(finding: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/regressions/mat_v73")
            .join(finding);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("table.mat");
        std::fs::copy(&path, &file).unwrap();
        let message = read_v73_unguarded(&file).unwrap_err().to_string();
        assert!(message.contains("table.mat"), "{message}");
        message
    }

    /// Fuzz finding 3 (`crash-262c…`): a dataset whose two 64-bit dimensions multiply past
    /// what `cells * 8` holds in 128 bits.
    #[test]
    fn dimensions_whose_byte_count_overflows_are_refused_without_a_panic() {
        refusal("crash-262cbd5c808eb752c2081894aa98adbf8e076285");
    }

    /// Fuzz finding 7 (`oom-9bec…`): a 22 KB file whose dataset declares a modest shape but
    /// elements of a huge size, so the HDF5 reader's buffer (shape × element size) asked for
    /// 40.5 GB. It must be refused before any read, naming the dataset and the size.
    #[test]
    fn a_huge_declared_element_size_is_refused_before_the_read() {
        let message = refusal("oom-9bec55d6e3845fb4422cd19ca5c01e9476be9ec3");
        assert!(
            message.contains("dataset MRIO/Z declares elements of 29440 bytes"),
            "{message}"
        );
    }

    /// Fuzz finding 8 (`oom-7501…`): a chunk record whose address and stored size point
    /// past the end of the file, so the HDF5 reader's span buffer asked for 2 GiB before
    /// reading. It must be refused first, naming the dataset, the chunk and the file size.
    #[test]
    fn a_chunk_beyond_the_end_of_the_file_is_refused_before_the_read() {
        let message = refusal("oom-75013b2bc73aaa6495f82c9e33ed8db8ecca87a0");
        assert!(
            message.contains("dataset MRIO/Z: a chunk at offset")
                && message.contains("beyond the end of the 19728-byte file"),
            "{message}"
        );
    }
}
