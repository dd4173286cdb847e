//! The MRIO input formats, their detection from a path, and one entry point over all readers.

use std::path::{Path, PathBuf};

use fzc_core::{NoProgress, Progress};

use crate::mrio_csv::read_mrio_csv_with_progress;
use crate::pymrio_folder::read_pymrio_folder_with_progress;
use crate::pymrio_source::{PARAMETERS, is_zip};
use crate::{IoError, Location, MrioData, read_ceads_mat, read_exiobase3};

/// An MRIO input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MrioFormat {
    /// pymrio's `save_all` layout (txt), as a folder or a zip archive
    /// (`docs/formats/pymrio-folder.md`).
    Pymrio,
    /// EXIOBASE 3 as published: the zip as downloaded or its folder
    /// (`docs/formats/exiobase3.md`).
    Exiobase3,
    /// fzc's long-format CSV set (`docs/formats/mrio-csv.md`).
    Csv,
    /// Eora26 as distributed: `Eora26_<year>_<bp|pp>.zip` or its folder
    /// (`docs/formats/eora26.md`).
    Eora26,
    /// The OECD ICIO table as published (CSV, or a zip of it), with emissions from a CSV
    /// (`docs/formats/oecd-icio.md`).
    OecdIcio,
    /// The CEADs city MRIO MATLAB file, with emissions from a CSV
    /// (`docs/formats/ceads-mat.md`).
    CeadsMat,
    /// GLORIA as distributed: a folder with `GLORIA_MRIOs_<v>_<year>.zip`, the satellite
    /// accounts and the ReadMe workbook (`docs/formats/gloria.md`).
    Gloria,
    /// A CEADs China provincial MRIO workbook (xlsx), with its CO2 row and optionally
    /// emissions from a CSV (`docs/formats/ceads-xlsx.md`).
    CeadsXlsx,
}

impl MrioFormat {
    /// Guesses the format:
    /// - a folder with `file_parameters.json`, or a zip archive (by content, not name), is
    ///   EXIOBASE 3 when its name is EXIOBASE's (`IOT_<year>_pxp`, `IOT_<year>_ixi`) or its
    ///   parameters name EXIOBASE, and pymrio otherwise;
    /// - an `Eora26_<year>_<price>.zip`, or a folder with `Eora26_…_T.txt`, is Eora26;
    /// - a file named like the OECD's (`ICIO2023_2019.csv`, `ICIO2021_2018.zip`) is ICIO;
    /// - a folder with `Z.csv` is the CSV set;
    /// - a file ending in `.mat` is CEADs;
    /// - a folder with `GLORIA_MRIOs_<v>_<year>` and a `GLORIA_ReadMe_*.xlsx`, or that
    ///   `GLORIA_MRIOs_…` entry itself, is GLORIA;
    /// - an `.xlsx` workbook with a `Table_<year>_English Version` sheet is a CEADs
    ///   provincial table.
    ///
    /// # Errors
    /// [`IoError::Structure`] saying what was looked for when nothing matches.
    pub fn detect(path: &Path) -> Result<Self, IoError> {
        if path.is_file() && crate::oecd_icio::is_icio_name(path) {
            return Ok(MrioFormat::OecdIcio);
        }
        if crate::eora26::is_eora26(path) {
            return Ok(MrioFormat::Eora26);
        }
        if crate::gloria::is_gloria(path) {
            return Ok(MrioFormat::Gloria);
        }
        if crate::ceads_xlsx::is_ceads_xlsx(path) {
            return Ok(MrioFormat::CeadsXlsx);
        }
        if path.is_dir() {
            if path.join(PARAMETERS).is_file() {
                return Ok(pymrio_or_exiobase(path));
            }
            if path.join("Z.csv").is_file() {
                return Ok(MrioFormat::Csv);
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mat"))
        {
            return Ok(MrioFormat::CeadsMat);
        } else if is_zip(path) {
            return Ok(pymrio_or_exiobase(path));
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
             file_parameters.json), a zip archive of one (EXIOBASE 3 as downloaded), an \
             Eora26 or OECD ICIO file, a GLORIA release folder, a CEADs provincial .xlsx, a \
             folder with Z.csv, or a .mat file; or name it with --format",
        ))
    }
}

/// EXIOBASE's archive and folder names: `IOT_2022_pxp`, `IOT_1995_ixi` (with or without
/// `.zip`); or a folder whose `file_parameters.json` names EXIOBASE.
fn pymrio_or_exiobase(path: &Path) -> MrioFormat {
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".zip").unwrap_or(&stem);
    let named = stem
        .strip_prefix("IOT_")
        .and_then(|rest| rest.split_once('_'))
        .is_some_and(|(year, kind)| {
            year.len() == 4
                && year.bytes().all(|b| b.is_ascii_digit())
                && matches!(kind, "pxp" | "ixi")
        });
    let declared = path.is_dir()
        && std::fs::read_to_string(path.join(PARAMETERS))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v.get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_lowercase)
            })
            .is_some_and(|n| n.contains("exiobase"));
    if named || declared {
        MrioFormat::Exiobase3
    } else {
        MrioFormat::Pymrio
    }
}

impl std::str::FromStr for MrioFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pymrio" => Ok(MrioFormat::Pymrio),
            "exiobase3" => Ok(MrioFormat::Exiobase3),
            "csv" => Ok(MrioFormat::Csv),
            "oecd-icio" => Ok(MrioFormat::OecdIcio),
            "eora26" => Ok(MrioFormat::Eora26),
            "ceads-mat" => Ok(MrioFormat::CeadsMat),
            "gloria" => Ok(MrioFormat::Gloria),
            "ceads-xlsx" => Ok(MrioFormat::CeadsXlsx),
            other => Err(format!(
                "unknown MRIO format {other:?}: expected pymrio, exiobase3, eora26, gloria, oecd-icio, csv, ceads-mat or ceads-xlsx"
            )),
        }
    }
}

/// The files that go with a source that does not hold everything itself (CEADs `.mat`).
#[derive(Debug, Clone, Default)]
pub struct SideFiles {
    /// Emissions per region and sector (required for CEADs `.mat` and OECD ICIO; extra
    /// stressors for a CEADs provincial workbook).
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
        MrioFormat::Exiobase3 => read_exiobase3(path, progress),
        MrioFormat::Csv => read_mrio_csv_with_progress(path, progress),
        MrioFormat::Eora26 => crate::read_eora26_with_progress(path, progress),
        MrioFormat::Gloria => crate::read_gloria_with_progress(path, progress),
        MrioFormat::CeadsXlsx => crate::read_ceads_xlsx(path, side.emissions.as_deref()),
        MrioFormat::OecdIcio => match &side.emissions {
            Some(e) => crate::read_oecd_icio_with_progress(path, e, progress),
            None => Err(IoError::structure(
                Location::file(path),
                "an OECD ICIO table holds no emissions: give them as a CSV (--emissions, \
                 stressor,region,sector,value[UNIT] with the table's country and industry codes)",
            )),
        },
        MrioFormat::CeadsMat => match &side.emissions {
            Some(e) => read_ceads_mat(path, e, side.city_names.as_deref()),
            None => Err(IoError::structure(
                Location::file(path),
                "a CEADs .mat file holds no emissions: give them as a CSV (--emissions)",
            )),
        },
    }
}
