//! All-or-nothing output sets: a run writes every output into a staging folder beside the
//! output folder, and the files are moved into place only when everything succeeded.
//!
//! The protocol ([`StagedDir`]):
//! 1. `new(out)` creates `.<name>.fzc-staging-<pid>-<n>` in `out`'s parent (same
//!    filesystem, so every move is a rename);
//! 2. the run writes its whole output set under [`StagedDir::path`];
//! 3. `commit()` moves it in: when `out` does not exist yet, the staging folder is renamed to
//!    `out` in one step; otherwise each staged file is renamed over its counterpart in `out`
//!    (sub-folders created as needed), in sorted order, then the staging folder is removed;
//! 4. dropping a `StagedDir` that was not committed removes the staging folder.
//!
//! A run that fails before `commit` (disk full, a report error, a bad raster) therefore leaves
//! `out` byte-identical and leaves nothing new. The one non-atomic window is inside step 3
//! for an existing `out`: each rename is atomic, but a crash between two renames leaves a mix
//! of old and new files (never a partial file). Files in `out` that the run does not write are
//! left alone.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::IoError;

/// A staging folder for one output set (module doc).
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl StagedDir {
    /// Creates the staging folder for the output folder `target` (which need not exist).
    ///
    /// # Errors
    /// [`IoError::Os`] when `target` exists and is not a folder, or a folder cannot be made.
    pub fn new(target: &Path) -> Result<StagedDir, IoError> {
        if target.exists() && !target.is_dir() {
            return Err(IoError::os(
                target,
                std::io::Error::other("the output path exists and is not a folder"),
            ));
        }
        let name = target
            .file_name()
            .map_or_else(|| "out".to_owned(), |n| n.to_string_lossy().into_owned());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| IoError::os(&parent, e))?;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let staging = parent.join(format!(".{name}.fzc-staging-{}-{n}", std::process::id()));
        if staging.exists() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        std::fs::create_dir(&staging).map_err(|e| IoError::os(&staging, e))?;
        Ok(StagedDir {
            target: target.to_owned(),
            staging,
            committed: false,
        })
    }

    /// The folder to write the output set into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The output folder the set will be moved into.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where a staged path will be after [`StagedDir::commit`] (paths outside the staging
    /// folder are returned unchanged).
    pub fn final_path(&self, staged: &Path) -> PathBuf {
        staged
            .strip_prefix(&self.staging)
            .map_or_else(|_| staged.to_owned(), |rel| self.target.join(rel))
    }

    /// Moves the staged output set into the output folder (module doc) and returns the
    /// final paths of the files moved, sorted.
    ///
    /// # Errors
    /// [`IoError::Os`] naming the file when a rename or a folder creation fails.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, IoError> {
        let mut files = Vec::new();
        collect_files(&self.staging, &mut files)?;
        files.sort();
        let finals: Vec<PathBuf> = files.iter().map(|f| self.final_path(f)).collect();
        if !self.target.exists() {
            std::fs::rename(&self.staging, &self.target)
                .map_err(|e| IoError::os(&self.target, e))?;
            self.committed = true;
            return Ok(finals);
        }
        for (from, to) in files.iter().zip(&finals) {
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(|e| IoError::os(dir, e))?;
            }
            std::fs::rename(from, to).map_err(|e| IoError::os(to, e))?;
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.staging);
        Ok(finals)
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IoError> {
    for entry in std::fs::read_dir(dir).map_err(|e| IoError::os(dir, e))? {
        let entry = entry.map_err(|e| IoError::os(dir, e))?;
        let path = entry.path();
        if entry
            .file_type()
            .map_err(|e| IoError::os(&path, e))?
            .is_dir()
        {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|e| {
                e.map(|e| e.file_name().to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_uncommitted_set_changes_nothing() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join("zoning.csv"), "old").unwrap_or_else(|e| panic!("{e}"));
        {
            let staged = StagedDir::new(&out).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(staged.path().join("zoning.csv"), "new")
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(staged.path().join("ledger.csv"), "new")
                .unwrap_or_else(|e| panic!("{e}"));
            // dropped: a failure before commit
        }
        assert_eq!(names(root.path()), ["out"]);
        assert_eq!(names(&out), ["zoning.csv"]);
        assert_eq!(
            std::fs::read_to_string(out.join("zoning.csv")).unwrap_or_default(),
            "old"
        );
    }

    #[test]
    fn a_commit_moves_every_file_in_and_leaves_others_alone() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join("zoning.csv"), "old").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join("mine.txt"), "user").unwrap_or_else(|e| panic!("{e}"));
        let staged = StagedDir::new(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(staged.path().join("figures")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(staged.path().join("figures/map.svg"), "svg")
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(staged.path().join("zoning.csv"), "new").unwrap_or_else(|e| panic!("{e}"));
        let files = staged.commit().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files, [out.join("figures/map.svg"), out.join("zoning.csv")]);
        assert_eq!(names(root.path()), ["out"]);
        assert_eq!(names(&out), ["figures", "mine.txt", "zoning.csv"]);
        assert_eq!(
            std::fs::read_to_string(out.join("zoning.csv")).unwrap_or_default(),
            "new"
        );

        // A new folder arrives in one rename.
        let fresh = root.path().join("fresh");
        let staged = StagedDir::new(&fresh).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(staged.path().join("a.csv"), "a").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            staged.commit().unwrap_or_else(|e| panic!("{e}")),
            [fresh.join("a.csv")]
        );
        assert_eq!(names(root.path()), ["fresh", "out"]);
    }
}
