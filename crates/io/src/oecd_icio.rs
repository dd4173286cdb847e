//! Reader of the OECD Inter-Country Input-Output tables (ICIO) as published: one CSV per
//! year (or a zip holding it), 2021 and 2023 editions. See `docs/formats/oecd-icio.md`.
//!
//! The labels follow what `pymrio.parse_oecd` reads: intermediate rows and columns
//! `<COUNTRY>_<INDUSTRY>`; final-demand columns recognised by their category
//! (`HFCE`, `NPISH`, `NPS`, `GGFC`, `GFCF`, `INVNT`, `INV`, `DIRP`, `DPABR`, `FD`, `P33`,
//! `DISC`); value-added and tax rows (`TLS`, `VA`, or containing `VALU` or `TAX`) and the
//! total row and column (`OUT`, `OUTPUT`, `TOTAL`) left out; China's and Mexico's split
//! rows and columns (`CN1`, `CN2`, `MX1`, `MX2`, …) summed into `CHN` and `MEX`. ICIO has no
//! emissions: they come from a CSV (`--emissions`).

use std::io::Read;
use std::path::{Path, PathBuf};

use faer::Mat;
use fzc_core::{NoProgress, Progress, RegionId};
use fzc_ect_mrio::MrioTable;

use crate::mrio_csv::{labels_of, read_emissions_csv};
use crate::number::{classify, classify_signed};
use crate::region_major::region_major;
use crate::{IoError, Location, MrioData, check_budget};

/// The final-demand categories, found anywhere in a column label (as pymrio matches them).
const FINAL_DEMAND: [&str; 12] = [
    "HFCE", "NPISH", "NPS", "GGFC", "GFCF", "INVNT", "INV", "DIRP", "DPABR", "FD", "P33", "DISC",
];

/// The published file's name: `ICIO2021_2018.csv`, `ICIO2023_2019.zip`, ….
pub(crate) fn is_icio_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.starts_with("icio") && (name.ends_with(".csv") || name.ends_with(".zip"))
}

/// The CSV text: the file itself, or the single `.csv` member of a zip.
fn csv_text(path: &Path) -> Result<(PathBuf, String), IoError> {
    if !crate::pymrio_source::is_zip(path) {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
        return Ok((path.to_path_buf(), text));
    }
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let zip_err = |e: zip::result::ZipError| {
        IoError::structure(
            Location::file(path),
            format!("not a readable zip archive: {e}"),
        )
    };
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
    let mut csvs = Vec::new();
    for name in archive.file_names() {
        let name = name.map_err(zip_err)?;
        if name.to_ascii_lowercase().ends_with(".csv") {
            csvs.push(name.into_owned());
        }
    }
    let [name] = csvs.as_slice() else {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "{} CSV files in the archive ({}); expected one ICIO table: unpack it and give \
                 the year's CSV",
                csvs.len(),
                csvs.join(", ")
            ),
        ));
    };
    let shown = path.join(name);
    let mut member = archive.by_name(name).map_err(zip_err)?;
    let declared = member.size();
    let capacity = crate::pymrio_source::checked_member_size(
        &shown,
        declared,
        member.compressed_size(),
        true,
    )?;
    let mut bytes = Vec::with_capacity(capacity);
    (&mut member)
        .take(declared.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| IoError::os(&shown, e))?;
    if bytes.len() as u64 != declared {
        return Err(IoError::structure(
            Location::file(&shown),
            format!(
                "the archive declares {declared} bytes for this member but it inflates to {}; \
                 the archive is damaged",
                bytes.len()
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        IoError::structure(
            Location::file(&shown),
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok((shown, text))
}

/// What a column (or row) of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Intermediate, with the index of its (aggregated) (region, sector) label.
    Inter(usize),
    /// Final demand of the region with this index.
    Final(usize),
    /// Left out: totals, value added, taxes.
    Other,
}

/// `CN1`, `CN2`, … belong to `CHN`; `MX1`, … to `MEX` (when the table has those).
fn aggregate_country<'a>(country: &'a str, countries: &[&str]) -> &'a str {
    let split = |prefix: &str, target: &'static str| {
        country.len() > 2
            && country.starts_with(prefix)
            && country[2..].bytes().all(|b| b.is_ascii_digit())
            && countries.contains(&target)
    };
    if split("CN", "CHN") {
        "CHN"
    } else if split("MX", "MEX") {
        "MEX"
    } else {
        country
    }
}

fn is_total(label: &str) -> bool {
    matches!(label, "OUT" | "OUTPUT" | "TOTAL")
}

fn is_factor_row(label: &str) -> bool {
    matches!(label, "TLS" | "VA") || label.contains("VALU") || label.contains("TAX")
}

/// Reads an OECD ICIO table (CSV or a zip holding one CSV) with emissions from a CSV.
///
/// # Errors
/// [`IoError`] naming file, line and column for a bad cell (`Z` must be ≥ 0, final demand
/// finite, empty cells are zero), an intermediate label without `_`, rows and columns whose
/// (country, industry) sets differ, a final-demand column of no country of the table, and
/// the errors of the emissions CSV.
pub fn read_oecd_icio(path: &Path, emissions: &Path) -> Result<MrioData, IoError> {
    read_oecd_icio_with_progress(path, emissions, &NoProgress)
}

/// [`read_oecd_icio`], reporting the rows read to `progress` as one task.
///
/// # Errors
/// As [`read_oecd_icio`].
pub fn read_oecd_icio_with_progress(
    path: &Path,
    emissions: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let (shown, text) = csv_text(path)?;
    let source = crate::UnixLines::new(text.as_bytes());
    let lines = source.line_numbers();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    let mut records = reader.records();
    let csv_err = |e: csv::Error| lines.error(&shown, e);
    let header = match records.next() {
        Some(r) => r.map_err(csv_err)?,
        None => return Err(IoError::structure(Location::file(&shown), "empty file")),
    };
    let col_labels: Vec<String> = header.iter().skip(1).map(|c| c.trim().to_owned()).collect();
    let split = |label: &str, at: Location| -> Result<(String, String), IoError> {
        match label.split_once('_') {
            Some((c, s)) if !c.is_empty() && !s.is_empty() => Ok((c.to_owned(), s.to_owned())),
            _ => Err(IoError::value(
                at,
                label,
                "an intermediate label <COUNTRY>_<INDUSTRY>, a final-demand label \
                 <COUNTRY>_<CATEGORY>, or a total, value-added or tax label",
            )),
        }
    };
    // Countries of the intermediate columns (before aggregation), to know CHN/MEX exist.
    let mut raw_inter: Vec<(usize, String, String)> = Vec::new();
    let mut final_cols: Vec<(usize, String)> = Vec::new();
    for (k, label) in col_labels.iter().enumerate() {
        if is_total(label) {
            continue;
        }
        if FINAL_DEMAND.iter().any(|cat| label.contains(cat)) {
            final_cols.push((k, label.clone()));
            continue;
        }
        let (c, s) = split(label, Location::cell(&shown, 1, label.clone()))?;
        raw_inter.push((k, c, s));
    }
    let countries: Vec<&str> = raw_inter.iter().map(|(_, c, _)| c.as_str()).collect();
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut kinds = vec![Kind::Other; col_labels.len()];
    for (k, c, s) in &raw_inter {
        let pair = (aggregate_country(c, &countries).to_owned(), s.clone());
        let index = match labels.iter().position(|l| *l == pair) {
            Some(i) => i,
            None => {
                labels.push(pair);
                labels.len() - 1
            }
        };
        kinds[*k] = Kind::Inter(index);
    }
    let (regions, sectors) = region_major(&labels, |_| Location::line(&shown, 1))?;
    let n = labels.len();
    let m = regions.len();
    let region_index = |name: &str| regions.iter().position(|r| r.as_str() == name);
    for (k, label) in &final_cols {
        let parts: Vec<&str> = label.split('_').collect();
        let region = match parts.as_slice() {
            [c, _, ..] if region_index(c).is_some() => region_index(c),
            [_, c, ..] if region_index(c).is_some() => region_index(c),
            _ => None,
        };
        let Some(r) = region else {
            return Err(IoError::value(
                Location::cell(&shown, 1, label.clone()),
                label,
                format!(
                    "a final-demand column of a country of the table ({})",
                    regions
                        .iter()
                        .map(RegionId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        kinds[*k] = Kind::Final(r);
    }
    check_budget(&shown, "Z", (n as u128) * (n as u128) * 8)?;
    let mut z = Mat::<f64>::zeros(n, n);
    let mut y = Mat::<f64>::zeros(n, m);
    let mut row_seen = vec![false; n];
    progress.begin(
        &format!(
            "reading {}",
            shown.file_name().unwrap_or_default().to_string_lossy()
        ),
        0,
    );
    let mut line_no = 1usize;
    let result = (|| {
        for record in records {
            let record = record.map_err(csv_err)?;
            line_no = record.position().map_or(line_no + 1, |p| {
                usize::try_from(lines.line(p)).unwrap_or(usize::MAX)
            });
            let Some(label) = record.get(0).map(str::trim) else {
                continue;
            };
            if label.is_empty() && record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if is_total(label) || is_factor_row(label) {
                continue;
            }
            let (c, s) = split(label, Location::cell(&shown, line_no, "row label"))?;
            let pair = (aggregate_country(&c, &countries).to_owned(), s);
            let Some(i) = labels.iter().position(|l| *l == pair) else {
                return Err(IoError::structure(
                    Location::line(&shown, line_no),
                    format!(
                        "row {label} is not a column of the table: the row and column \
                         (country, industry) sets differ"
                    ),
                ));
            };
            row_seen[i] = true;
            if record.len() != col_labels.len() + 1 {
                return Err(IoError::structure(
                    Location::line(&shown, line_no),
                    format!(
                        "{} cells, expected {} (the row label and one per header column)",
                        record.len(),
                        col_labels.len() + 1
                    ),
                ));
            }
            for (k, cell) in record.iter().skip(1).enumerate() {
                let kind = kinds[k];
                if kind == Kind::Other {
                    continue;
                }
                let cell = cell.trim();
                if cell.is_empty() {
                    continue;
                }
                let parsed = match kind {
                    Kind::Final(_) => classify_signed(cell),
                    _ => classify(cell),
                };
                let v = parsed.map_err(|expected| {
                    IoError::value(
                        Location::cell(&shown, line_no, col_labels[k].clone()),
                        cell,
                        expected,
                    )
                })?;
                match kind {
                    Kind::Inter(j) => z[(i, j)] += v,
                    Kind::Final(r) => y[(i, r)] += v,
                    Kind::Other => {}
                }
            }
            progress.advance(1);
        }
        Ok(())
    })();
    progress.finish();
    result?;
    if let Some(i) = row_seen.iter().position(|s| !s) {
        return Err(IoError::structure(
            Location::file(&shown),
            format!(
                "no row for {}_{}, which is a column: the row and column (country, industry) \
                 sets differ",
                labels[i].0, labels[i].1
            ),
        ));
    }
    let table = MrioTable {
        regions,
        sectors,
        z,
        y,
        x: None,
        monetary_unit: "Million USD".to_owned(),
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: shown.clone(),
        error: Box::new(error),
    })?;
    let stressors = read_emissions_csv(emissions, &labels_of(&table))?;
    Ok(MrioData {
        source: path.to_path_buf(),
        table,
        stressors,
    })
}
