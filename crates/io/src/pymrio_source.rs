//! Where a pymrio-layout system is read from: a folder, or a zip archive as pymrio's
//! `archive()` writes it and as EXIOBASE 3 is published (one top folder holding
//! `file_parameters.json`, extensions in its subfolders).
//!
//! Files are named by their path relative to the system's root, with `/` separators. Errors
//! name a file inside an archive as `archive.zip/inner/path`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zip::ZipArchive;

use crate::{IoError, Location, check_budget};

/// The parameter file pymrio writes in every system and extension folder.
pub(crate) const PARAMETERS: &str = "file_parameters.json";

/// A folder or a zip archive holding a pymrio-layout system.
pub(crate) enum Source {
    Dir(PathBuf),
    Zip {
        /// The archive on disk.
        path: PathBuf,
        /// The folder inside the archive that holds the system's `file_parameters.json`:
        /// empty, or ending in `/`.
        root: String,
        /// Every file name in the archive.
        names: Vec<String>,
        archive: Mutex<ZipArchive<BufReader<File>>>,
    },
}

/// Checks an archive member's declared (inflated) size against what its compressed bytes
/// can hold (at most [`crate::MAX_COMPRESSION_RATIO`]:1) and against the memory budget, and
/// returns the capacity to reserve before inflating: never more than the compressed bytes
/// justify, so a header declaring gigabytes over a few kilobytes reserves nothing large.
pub(crate) fn checked_member_size(
    shown: &Path,
    declared: u64,
    compressed: u64,
    held_whole: bool,
) -> Result<usize, IoError> {
    let most = u128::from(compressed.max(1)) * u128::from(crate::MAX_COMPRESSION_RATIO);
    if u128::from(declared) > most {
        return Err(IoError::structure(
            Location::file(shown),
            format!(
                "the archive declares {declared} bytes for this member, more than its \
                 {compressed} compressed bytes can hold (at most {}:1); the archive is damaged",
                crate::MAX_COMPRESSION_RATIO
            ),
        ));
    }
    // A member read whole is held in memory; a streamed one is not.
    if held_whole {
        check_budget(shown, "the inflated archive member", u128::from(declared))?;
    }
    // Reserve at most 64 MiB up front; the rest grows as bytes actually arrive.
    Ok(usize::try_from(declared.min(64 << 20)).unwrap_or(0))
}

/// Whether `path` is a zip archive (by its first four bytes, not its name).
pub(crate) fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    path.is_file()
        && File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok()
        && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

fn zip_error(path: &Path, e: zip::result::ZipError) -> IoError {
    match e {
        zip::result::ZipError::Io(io) => IoError::os(path, io),
        other => IoError::structure(
            Location::file(path),
            format!("not a readable zip archive: {other}"),
        ),
    }
}

impl Source {
    /// Opens a folder, or a zip archive and finds the one system in it: the single
    /// `file_parameters.json` whose `systemtype` is `IOSystem`.
    pub(crate) fn open(path: &Path) -> Result<Self, IoError> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let file = File::open(path).map_err(|e| IoError::os(path, e))?;
        let archive = ZipArchive::new(BufReader::new(file)).map_err(|e| zip_error(path, e))?;
        let mut names = Vec::with_capacity(archive.len());
        for name in archive.file_names() {
            names.push(name.map_err(|e| zip_error(path, e))?.into_owned());
        }
        names.sort();
        let mut source = Source::Zip {
            path: path.to_path_buf(),
            root: String::new(),
            names,
            archive: Mutex::new(archive),
        };
        let candidates: Vec<String> = source
            .names()
            .iter()
            .filter(|n| n.rsplit('/').next() == Some(PARAMETERS))
            .cloned()
            .collect();
        let mut systems = Vec::new();
        for name in &candidates {
            let text = source.read_string(name)?;
            let is_system = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    v.get("systemtype")
                        .and_then(|t| t.as_str())
                        .map(str::to_owned)
                })
                .is_some_and(|t| t == "IOSystem");
            if is_system {
                systems.push(name.clone());
            }
        }
        let root = match systems.as_slice() {
            [one] => one[..one.len() - PARAMETERS.len()].to_owned(),
            [] => {
                return Err(IoError::structure(
                    Location::file(path),
                    format!(
                        "no {PARAMETERS} with \"systemtype\": \"IOSystem\" in the archive \
                         ({} files); expected a pymrio archive or an EXIOBASE 3 zip as \
                         downloaded",
                        source.names().len()
                    ),
                ));
            }
            many => {
                return Err(IoError::structure(
                    Location::file(path),
                    format!(
                        "{} systems in one archive ({}); expected one: unpack the archive and \
                         give the folder of the system to read",
                        many.len(),
                        many.join(", ")
                    ),
                ));
            }
        };
        if let Source::Zip { root: r, .. } = &mut source {
            *r = root;
        }
        Ok(source)
    }

    /// Opens a folder, or a zip archive read from its top: for publishers' archives that
    /// are not pymrio systems (Eora26).
    pub(crate) fn open_plain(path: &Path) -> Result<Self, IoError> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let file = File::open(path).map_err(|e| IoError::os(path, e))?;
        let archive = ZipArchive::new(BufReader::new(file)).map_err(|e| zip_error(path, e))?;
        let mut names = Vec::with_capacity(archive.len());
        for name in archive.file_names() {
            names.push(name.map_err(|e| zip_error(path, e))?.into_owned());
        }
        names.sort();
        Ok(Source::Zip {
            path: path.to_path_buf(),
            root: String::new(),
            names,
            archive: Mutex::new(archive),
        })
    }

    /// The files directly in the root, sorted.
    pub(crate) fn files(&self) -> Result<Vec<String>, IoError> {
        match self {
            Source::Dir(dir) => {
                let mut out = Vec::new();
                for entry in std::fs::read_dir(dir).map_err(|e| IoError::os(dir, e))? {
                    let entry = entry.map_err(|e| IoError::os(dir, e))?;
                    if entry.path().is_file() {
                        out.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                out.sort();
                Ok(out)
            }
            Source::Zip { root, names, .. } => Ok(names
                .iter()
                .filter_map(|n| n.strip_prefix(root.as_str()))
                .filter(|n| !n.is_empty() && !n.contains('/'))
                .map(str::to_owned)
                .collect()),
        }
    }

    fn names(&self) -> &[String] {
        match self {
            Source::Dir(_) => &[],
            Source::Zip { names, .. } => names,
        }
    }

    /// The archive or folder as given.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Source::Dir(dir) => dir,
            Source::Zip { path, .. } => path,
        }
    }

    /// The path shown in errors for `rel` (relative to the system's root).
    pub(crate) fn display(&self, rel: &str) -> PathBuf {
        match self {
            Source::Dir(dir) => dir.join(rel),
            Source::Zip { path, root, .. } => path.join(format!("{root}{rel}")),
        }
    }

    /// Whether the file `rel` exists.
    pub(crate) fn is_file(&self, rel: &str) -> bool {
        match self {
            Source::Dir(dir) => dir.join(rel).is_file(),
            Source::Zip { root, names, .. } => names
                .binary_search_by(|n| n.as_str().cmp(&format!("{root}{rel}")))
                .is_ok(),
        }
    }

    /// The immediate subfolders of the root that hold a `file_parameters.json`, sorted.
    pub(crate) fn subfolders(&self) -> Result<Vec<String>, IoError> {
        let mut out = Vec::new();
        match self {
            Source::Dir(dir) => {
                for entry in std::fs::read_dir(dir).map_err(|e| IoError::os(dir, e))? {
                    let entry = entry.map_err(|e| IoError::os(dir, e))?;
                    if entry.path().join(PARAMETERS).is_file() {
                        out.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Source::Zip { root, names, .. } => {
                for name in names {
                    let Some(rest) = name.strip_prefix(root.as_str()) else {
                        continue;
                    };
                    if let Some((folder, file)) = rest.split_once('/')
                        && file == PARAMETERS
                    {
                        out.push(folder.to_owned());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Runs `read` on a buffered reader of `rel` and its size in bytes: the file, or the
    /// archive member inflating as it is read (never held whole in memory). A member that
    /// inflates to more than it declares is cut at its declared size and reported.
    pub(crate) fn with_reader<T>(
        &self,
        rel: &str,
        read: impl FnOnce(&mut dyn BufRead, u64) -> Result<T, IoError>,
    ) -> Result<T, IoError> {
        let shown = self.display(rel);
        match self {
            Source::Dir(dir) => {
                let path = dir.join(rel);
                let file = File::open(&path).map_err(|e| IoError::os(&path, e))?;
                let size = file.metadata().map_err(|e| IoError::os(&path, e))?.len();
                read(&mut BufReader::with_capacity(1 << 20, file), size)
            }
            Source::Zip {
                path,
                root,
                archive,
                ..
            } => {
                let name = format!("{root}{rel}");
                let mut archive = archive.lock().map_err(|_| {
                    IoError::structure(Location::file(path), "archive lock poisoned")
                })?;
                let member = archive.by_name(&name).map_err(|e| match e {
                    zip::result::ZipError::FileNotFound => IoError::os(
                        &shown,
                        std::io::Error::new(std::io::ErrorKind::NotFound, "not in the archive"),
                    ),
                    other => zip_error(path, other),
                })?;
                let declared = member.size();
                checked_member_size(&shown, declared, member.compressed_size(), false)?;
                let mut reader = BufReader::with_capacity(1 << 20, member.take(declared));
                let value = read(&mut reader, declared)?;
                // What the caller left of the declared size is drained; anything past it
                // means the member lied about its size.
                let mut take = reader.into_inner();
                std::io::copy(&mut take, &mut std::io::sink())
                    .map_err(|e| IoError::os(&shown, e))?;
                let mut rest = take.into_inner();
                let mut probe = [0u8; 1];
                if rest.read(&mut probe).map_err(|e| IoError::os(&shown, e))? > 0 {
                    return Err(IoError::structure(
                        Location::file(&shown),
                        format!(
                            "the archive declares {declared} bytes for this member but it \
                             inflates to more; the archive is damaged"
                        ),
                    ));
                }
                Ok(value)
            }
        }
    }

    /// The size of `rel` in bytes: the file's, or the archive member's declared size.
    pub(crate) fn size(&self, rel: &str) -> Result<u64, IoError> {
        let shown = self.display(rel);
        match self {
            Source::Dir(dir) => {
                let path = dir.join(rel);
                Ok(std::fs::metadata(&path)
                    .map_err(|e| IoError::os(&path, e))?
                    .len())
            }
            Source::Zip {
                path,
                root,
                archive,
                ..
            } => {
                let mut archive = archive.lock().map_err(|_| {
                    IoError::structure(Location::file(path), "archive lock poisoned")
                })?;
                let member = archive
                    .by_name(&format!("{root}{rel}"))
                    .map_err(|e| match e {
                        zip::result::ZipError::FileNotFound => IoError::os(
                            &shown,
                            std::io::Error::new(std::io::ErrorKind::NotFound, "not in the archive"),
                        ),
                        other => zip_error(path, other),
                    })?;
                Ok(member.size())
            }
        }
    }

    /// The whole text of `rel`, which must be UTF-8.
    ///
    /// An archive member's declared size is checked against the memory budget before it is
    /// inflated, and inflating stops at that size: a member that inflates to more than it
    /// declares is an error, not an allocation.
    pub(crate) fn read_string(&self, rel: &str) -> Result<String, IoError> {
        let shown = self.display(rel);
        let bytes = match self {
            Source::Dir(dir) => {
                let path = dir.join(rel);
                std::fs::read(&path).map_err(|e| IoError::os(&path, e))?
            }
            Source::Zip {
                path,
                root,
                archive,
                ..
            } => {
                let name = format!("{root}{rel}");
                let mut archive = archive.lock().map_err(|_| {
                    IoError::structure(Location::file(path), "archive lock poisoned")
                })?;
                let mut member = archive.by_name(&name).map_err(|e| match e {
                    zip::result::ZipError::FileNotFound => IoError::os(
                        &shown,
                        std::io::Error::new(std::io::ErrorKind::NotFound, "not in the archive"),
                    ),
                    other => zip_error(path, other),
                })?;
                let declared = member.size();
                let capacity =
                    checked_member_size(&shown, declared, member.compressed_size(), true)?;
                let mut bytes = Vec::with_capacity(capacity);
                (&mut member)
                    .take(declared.saturating_add(1))
                    .read_to_end(&mut bytes)
                    .map_err(|e| IoError::os(&shown, e))?;
                let found = bytes.len() as u64;
                if found != declared {
                    let inflated = if found > declared {
                        format!("more than {declared}")
                    } else {
                        found.to_string()
                    };
                    return Err(IoError::structure(
                        Location::file(&shown),
                        format!(
                            "the archive declares {declared} bytes for this member but it \
                             inflates to {inflated}; the archive is damaged"
                        ),
                    ));
                }
                bytes
            }
        };
        String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            IoError::structure(
                Location::file(&shown),
                format!("not UTF-8 text (invalid byte at offset {offset})"),
            )
        })
    }
}
