//! The MRIO input formats, their detection from a path, and one entry point over all readers.

use std::path::{Path, PathBuf};

use fzc_core::{NoProgress, Progress};

use crate::mrio_csv::read_mrio_csv_with_progress;
use crate::pymrio_folder::read_pymrio_folder_with_progress;
use crate::{IoError, Location, MrioData, read_ceads_mat};

/// An MRIO input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MrioFormat {
    /// pymrio's `save_all` folder, txt layout (`docs/formats/pymrio-folder.md`).
    Pymrio,
    /// fzc's long-format CSV set (`docs/formats/mrio-csv.md`).
    Csv,
    /// The CEADs city MRIO MATLAB file, with emissions from a CSV
    /// (`docs/formats/ceads-mat.md`).
    CeadsMat,
}

impl MrioFormat {
    /// Guesses the format: a folder with `file_parameters.json` is pymrio, a folder with
    /// `Z.csv` the CSV set, a file ending in `.mat` CEADs.
    ///
    /// # Errors
    /// [`IoError::Structure`] saying what was looked for when nothing matches.
    pub fn detect(path: &Path) -> Result<Self, IoError> {
        if path.is_dir() {
            if path.join("file_parameters.json").is_file() {
                return Ok(MrioFormat::Pymrio);
            }
            if path.join("Z.csv").is_file() {
                return Ok(MrioFormat::Csv);
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mat"))
        {
            return Ok(MrioFormat::CeadsMat);
        }
        if !path.exists() {
            return Err(IoError::os(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
        Err(IoError::structure(
            Location::file(path),
            "cannot tell the MRIO format: expected a pymrio save_all folder (with \
             file_parameters.json), a folder with Z.csv, or a .mat file; or name it with --format",
        ))
    }
}

impl std::str::FromStr for MrioFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pymrio" => Ok(MrioFormat::Pymrio),
            "csv" => Ok(MrioFormat::Csv),
            "ceads-mat" => Ok(MrioFormat::CeadsMat),
            other => Err(format!(
                "unknown MRIO format {other:?}: expected pymrio, csv or ceads-mat"
            )),
        }
    }
}

/// The files that go with a source that does not hold everything itself (CEADs `.mat`).
#[derive(Debug, Clone, Default)]
pub struct SideFiles {
    /// Emissions per city and sector (required for CEADs).
    pub emissions: Option<PathBuf>,
    /// City names in table order (optional for CEADs; default `city001`, …).
    pub city_names: Option<PathBuf>,
}

/// Reads an MRIO source in `format` (detected when `None`). The side files are used by the
/// CEADs reader and ignored otherwise.
///
/// # Errors
/// The reader's [`IoError`]; a CEADs file without an emissions file is an error saying so.
pub fn read_mrio(
    path: &Path,
    format: Option<MrioFormat>,
    side: &SideFiles,
) -> Result<MrioData, IoError> {
    read_mrio_with_progress(path, format, side, &NoProgress)
}

/// [`read_mrio`], reporting the rows read to `progress` (pymrio and CSV sources: one task
/// per table file; a CEADs `.mat` file is read in one piece and reports nothing).
///
/// # Errors
/// As [`read_mrio`].
pub fn read_mrio_with_progress(
    path: &Path,
    format: Option<MrioFormat>,
    side: &SideFiles,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let format = match format {
        Some(f) => f,
        None => MrioFormat::detect(path)?,
    };
    match format {
        MrioFormat::Pymrio => read_pymrio_folder_with_progress(path, progress),
        MrioFormat::Csv => read_mrio_csv_with_progress(path, progress),
        MrioFormat::CeadsMat => match &side.emissions {
            Some(e) => read_ceads_mat(path, e, side.city_names.as_deref()),
            None => Err(IoError::structure(
                Location::file(path),
                "a CEADs .mat file holds no emissions: give them as a CSV (--emissions)",
            )),
        },
    }
}
