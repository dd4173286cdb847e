//! What every MRIO reader returns: the table plus every stressor the source holds, and the
//! choice of one stressor by name.

use std::path::PathBuf;

use fzc_core::MassUnit;
use fzc_ect_mrio::{MrioTable, Satellite};

use crate::{IoError, Location};

/// An MRIO table as read from a file or folder, with all its stressors.
#[derive(Debug, Clone)]
pub struct MrioData {
    /// The file or folder it was read from.
    pub source: PathBuf,
    /// The table (`Z`, `Y` summed per region, optional `x`).
    pub table: MrioTable,
    /// Every stressor row of every extension, in file order.
    pub stressors: Vec<StressorRow>,
}

/// One stressor row as read, before its unit is checked.
///
/// The unit is kept as text and bad values are remembered rather than reported, so that a
/// source may carry stressors fzc cannot use (energy in TJ, negative land-use fluxes) as long
/// as the one selected is valid.
#[derive(Debug, Clone)]
pub struct StressorRow {
    /// The extension (pymrio subfolder) it belongs to; empty for sources without extensions.
    pub extension: String,
    /// The stressor name: the first level of the row index.
    pub name: String,
    /// The compartment (second level of pymrio's row index), if any.
    pub compartment: Option<String>,
    /// The unit as the source spells it.
    pub unit: String,
    /// Where the unit was read.
    pub unit_at: Location,
    /// Direct emissions per sector (n, region-major), in `unit`.
    pub by_sector: Vec<f64>,
    /// Direct emissions of final users per region (m), in `unit`.
    pub final_users: Vec<f64>,
    /// The first cell of this row that is not a finite number ≥ 0, with what it held.
    pub first_invalid: Option<(Location, String)>,
}

impl StressorRow {
    /// `extension/name (compartment)`, as listed in errors.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        if !self.extension.is_empty() {
            text.push_str(&self.extension);
            text.push('/');
        }
        text.push_str(&self.name);
        if let Some(compartment) = &self.compartment {
            text.push_str(&format!(" ({compartment})"));
        }
        text
    }

    /// Checks the unit and the values and returns the engine's [`Satellite`].
    ///
    /// # Errors
    /// [`IoError::Value`] for an unknown unit or for a NaN, infinite or negative value, with
    /// the location it was read from.
    pub fn to_satellite(&self) -> Result<Satellite, IoError> {
        let unit: MassUnit = self.unit.parse().map_err(|e: fzc_core::CoreError| {
            let expected = match &e {
                fzc_core::CoreError::UnknownUnit { expected, .. } => {
                    format!("a known mass unit ({expected})")
                }
                other => other.to_string(),
            };
            IoError::value(self.unit_at.clone(), &self.unit, expected)
        })?;
        if let Some((at, found)) = &self.first_invalid {
            return Err(IoError::value(
                at.clone(),
                found,
                format!("a finite number ≥ 0 for stressor {}", self.describe()),
            ));
        }
        Ok(Satellite {
            name: self.name.clone(),
            unit,
            by_sector: self.by_sector.clone(),
            final_users: self.final_users.clone(),
        })
    }
}

impl MrioData {
    /// The rows `wanted` names: those whose name (first index level) is `wanted`, else the
    /// one whose `name (compartment)` is (`I-GHG-CO2 emissions (Total)`, `CO2 (air)`),
    /// optionally only within `extension`.
    fn matching(&self, extension: Option<&str>, wanted: &str) -> Vec<&StressorRow> {
        let in_extension = |row: &&StressorRow| extension.is_none_or(|ext| row.extension == ext);
        let by_name: Vec<&StressorRow> = self
            .stressors
            .iter()
            .filter(in_extension)
            .filter(|row| row.name == wanted)
            .collect();
        if !by_name.is_empty() {
            return by_name;
        }
        self.stressors
            .iter()
            .filter(in_extension)
            .filter(|row| {
                row.compartment
                    .as_ref()
                    .is_some_and(|c| format!("{} ({c})", row.name) == wanted)
            })
            .collect()
    }

    /// The one stressor whose name (first index level) is `name`, or whose
    /// `name (compartment)` is, optionally only within `extension`, as a checked
    /// [`Satellite`].
    ///
    /// # Errors
    /// [`IoError::Stressor`] listing every candidate when no row or more than one row
    /// matches; the errors of [`StressorRow::to_satellite`].
    pub fn satellite(&self, extension: Option<&str>, name: &str) -> Result<Satellite, IoError> {
        let matches = self.matching(extension, name);
        let problem = match matches.as_slice() {
            [one] => return one.to_satellite(),
            [] => "not found",
            _ => "is ambiguous",
        };
        let wanted = match extension {
            Some(ext) => format!("{ext}/{name}"),
            None => name.to_owned(),
        };
        Err(IoError::Stressor {
            path: self.source.clone(),
            wanted,
            problem,
            candidates: self.stressors.iter().map(StressorRow::describe).collect(),
        })
    }
}

/// One stressor chosen by [`MrioData::select_stressors`], with its labels.
#[derive(Debug, Clone)]
pub struct SelectedStressor {
    /// The extension it came from (empty for sources without extensions).
    pub extension: String,
    /// Its name, with the compartment in parentheses when it has one.
    pub label: String,
    /// The checked satellite.
    pub satellite: Satellite,
}

/// What [`MrioData::select_stressors`] chose, and what `all` passed over.
#[derive(Debug, Clone, Default)]
pub struct StressorSelection {
    /// The stressors, in the order asked for (file order for `all`).
    pub stressors: Vec<SelectedStressor>,
    /// Mass stressors `all` left out because a value is not a finite number ≥ 0, each with
    /// where and what.
    pub skipped: Vec<String>,
}

impl MrioData {
    /// Chooses stressors by name, optionally within `extension`, as checked satellites.
    ///
    /// `names` is one or more stressor names (each as [`MrioData::satellite`] takes it), or
    /// the single word `all`: every stressor whose unit is a mass (see
    /// [`fzc_core::MassUnit`]), in file order. `all` leaves out, and lists in
    /// [`StressorSelection::skipped`], mass stressors with a negative or non-finite value
    /// (land-use fluxes, for instance); stressors of other units (TJ, M.EUR, persons) are not
    /// candidates.
    ///
    /// # Errors
    /// The errors of [`MrioData::satellite`] for a name; [`IoError::Stressor`] when `all` is
    /// combined with names, a name is given twice, or `all` finds no usable mass stressor.
    pub fn select_stressors(
        &self,
        extension: Option<&str>,
        names: &[String],
    ) -> Result<StressorSelection, IoError> {
        let refuse = |wanted: String, problem: &'static str| IoError::Stressor {
            path: self.source.clone(),
            wanted,
            problem,
            candidates: self.stressors.iter().map(StressorRow::describe).collect(),
        };
        let label = |row: &StressorRow| match &row.compartment {
            Some(c) => format!("{} ({c})", row.name),
            None => row.name.clone(),
        };
        let mut out = StressorSelection::default();
        if names.iter().any(|n| n == "all") {
            if names.len() > 1 {
                return Err(refuse(
                    names.join(", "),
                    "mixes `all` with names (give `all` alone)",
                ));
            }
            for row in self
                .stressors
                .iter()
                .filter(|row| extension.is_none_or(|ext| row.extension == ext))
                .filter(|row| row.unit.parse::<fzc_core::MassUnit>().is_ok())
            {
                match row.to_satellite() {
                    Ok(satellite) => out.stressors.push(SelectedStressor {
                        extension: row.extension.clone(),
                        label: label(row),
                        satellite,
                    }),
                    Err(e) => out.skipped.push(format!("{}: {e}", row.describe())),
                }
            }
            if out.stressors.is_empty() {
                let wanted = match extension {
                    Some(ext) => format!("{ext}/all"),
                    None => "all".to_owned(),
                };
                return Err(refuse(
                    wanted,
                    "found no stressor with a mass unit and valid values",
                ));
            }
            return Ok(out);
        }
        for (k, name) in names.iter().enumerate() {
            if names[..k].contains(name) {
                return Err(refuse(name.clone(), "is given twice"));
            }
            let satellite = self.satellite(extension, name)?;
            let row = self.matching(extension, name).into_iter().next();
            out.stressors.push(SelectedStressor {
                extension: row.map(|r| r.extension.clone()).unwrap_or_default(),
                label: row.map_or_else(|| name.clone(), label),
                satellite,
            });
        }
        Ok(out)
    }
}
