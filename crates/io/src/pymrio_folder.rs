//! Reader of pymrio's `save_all` folder in txt layout.
//!
//! The folder holds `file_parameters.json` (which names each file and gives its number of
//! header rows and index columns), `Z.txt`, `Y.txt`, optionally `x.txt` and `unit.txt`, and one
//! subfolder per extension with its own `file_parameters.json`, `F.txt`, optionally `F_Y.txt`,
//! and `unit.txt`. See `docs/formats/pymrio-folder.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faer::Mat;
use fzc_core::{NoProgress, Progress, RegionId};
use fzc_ect_mrio::MrioTable;

use crate::pymrio_txt::{Cells, TxtTable, read_txt};
use crate::region_major::region_major;
use crate::{IoError, Location, MrioData, StressorRow};

/// One entry of `file_parameters.json`.
#[derive(Debug, Clone)]
struct FileParams {
    path: PathBuf,
    nr_header: usize,
    nr_index_col: usize,
}

/// The `files` section of a `file_parameters.json`, and its `systemtype`.
fn read_parameters(dir: &Path) -> Result<(String, BTreeMap<String, FileParams>), IoError> {
    let path = dir.join("file_parameters.json");
    let text = std::fs::read_to_string(&path).map_err(|e| IoError::os(&path, e))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        IoError::structure(
            Location::line(&path, e.line()),
            format!("not valid JSON: {e}"),
        )
    })?;
    let systemtype = json
        .get("systemtype")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let Some(files) = json.get("files").and_then(|f| f.as_object()) else {
        return Err(IoError::structure(
            Location::file(&path),
            "no \"files\" object; expected pymrio's file_parameters.json",
        ));
    };
    let mut out = BTreeMap::new();
    for (key, entry) in files {
        let field = |name: &str| -> Result<usize, IoError> {
            let value = entry.get(name);
            let parsed = match value {
                Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
                Some(serde_json::Value::Number(n)) => {
                    n.as_u64().and_then(|v| usize::try_from(v).ok())
                }
                _ => None,
            };
            parsed.ok_or_else(|| {
                IoError::value(
                    Location::file(&path),
                    &value.map(|v| v.to_string()).unwrap_or_default(),
                    format!("files.{key}.{name}: a whole number"),
                )
            })
        };
        let Some(name) = entry.get("name").and_then(|v| v.as_str()) else {
            return Err(IoError::structure(
                Location::file(&path),
                format!("files.{key} has no \"name\""),
            ));
        };
        out.insert(
            key.clone(),
            FileParams {
                path: dir.join(name),
                nr_header: field("nr_header")?,
                nr_index_col: field("nr_index_col")?,
            },
        );
    }
    Ok((systemtype, out))
}

fn require<'a>(
    files: &'a BTreeMap<String, FileParams>,
    key: &str,
    dir: &Path,
) -> Result<&'a FileParams, IoError> {
    files.get(key).ok_or_else(|| {
        IoError::structure(
            Location::file(&dir.join("file_parameters.json")),
            format!("no entry for {key:?}; pymrio's save_all always writes one"),
        )
    })
}

fn read_with(
    params: &FileParams,
    cells: Cells,
    index_cols: &[usize],
    progress: &dyn Progress,
) -> Result<TxtTable, IoError> {
    if !index_cols.contains(&params.nr_index_col) {
        return Err(IoError::structure(
            Location::file(&params.path),
            format!(
                "file_parameters.json gives {} index columns, expected {}",
                params.nr_index_col,
                index_cols
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ));
    }
    read_txt(
        &params.path,
        params.nr_header,
        params.nr_index_col,
        cells,
        progress,
    )
}

fn pair(labels: &[String]) -> (String, String) {
    (
        labels.first().cloned().unwrap_or_default(),
        labels.get(1).cloned().unwrap_or_default(),
    )
}

/// Checks that the column labels `(region, sector)` of `t` are exactly `expected`.
fn check_sector_columns(
    t: &TxtTable,
    expected: &[(String, String)],
    against: &str,
) -> Result<(), IoError> {
    if t.ncols() != expected.len() {
        return Err(IoError::structure(
            t.file_at(),
            format!(
                "{} columns, but {against} has {} (region, sector) rows",
                t.ncols(),
                expected.len()
            ),
        ));
    }
    for (k, (levels, want)) in t.col_labels.iter().zip(expected).enumerate() {
        if &pair(levels) != want {
            return Err(IoError::structure(
                t.file_at(),
                format!(
                    "column {} is labelled ({}), expected ({}, {}) as in {against}: the label sets differ",
                    k + 1,
                    levels.join(", "),
                    want.0,
                    want.1
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that the row labels `(region, sector)` of `t` are exactly `expected`.
fn check_sector_rows(
    t: &TxtTable,
    expected: &[(String, String)],
    against: &str,
) -> Result<(), IoError> {
    for (k, want) in expected.iter().enumerate() {
        let Some(labels) = t.row_labels.get(k) else {
            return Err(IoError::structure(
                t.file_at(),
                format!(
                    "{} data rows, but {against} has {}: row ({}, {}) is missing",
                    t.nrows(),
                    expected.len(),
                    want.0,
                    want.1
                ),
            ));
        };
        if &pair(labels) != want {
            return Err(IoError::structure(
                t.line_at(k),
                format!(
                    "row is labelled ({}), expected ({}, {}) as in {against}: the label sets differ",
                    labels.join(", "),
                    want.0,
                    want.1
                ),
            ));
        }
    }
    if t.nrows() > expected.len() {
        return Err(IoError::structure(
            t.line_at(expected.len()),
            format!(
                "extra row ({}) not in {against}",
                t.row_labels[expected.len()].join(", ")
            ),
        ));
    }
    Ok(())
}

/// For each column of a final-demand style table, the index of its region (first level).
fn region_of_columns(t: &TxtTable, regions: &[RegionId]) -> Result<Vec<usize>, IoError> {
    let mut out = Vec::with_capacity(t.ncols());
    let mut covered = vec![false; regions.len()];
    for (k, levels) in t.col_labels.iter().enumerate() {
        let name = levels.first().map(String::as_str).unwrap_or_default();
        let Some(r) = regions.iter().position(|r| r.as_str() == name) else {
            return Err(IoError::structure(
                t.file_at(),
                format!(
                    "column {} belongs to region {name:?}, which is not a region of Z.txt ({}): the label sets differ",
                    k + 1,
                    regions
                        .iter()
                        .map(RegionId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        covered[r] = true;
        out.push(r);
    }
    if let Some(r) = covered.iter().position(|c| !c) {
        return Err(IoError::structure(
            t.file_at(),
            format!(
                "no column for region {} of Z.txt: the label sets differ",
                regions[r]
            ),
        ));
    }
    Ok(out)
}

/// Reads a pymrio `save_all` folder (txt layout) with all its extensions.
///
/// # Errors
/// [`IoError`] naming file, line and column for unreadable files, a non-square or
/// non-region-major `Z`, label sets that differ between `Z`, `Y`, `x`, `F` and `F_Y`, and
/// cells of `Z`, `Y` or `x` that are not finite numbers ≥ 0. Bad cells of extensions are
/// reported only when that stressor is selected.
pub fn read_pymrio_folder(dir: &Path) -> Result<MrioData, IoError> {
    read_pymrio_folder_with_progress(dir, &NoProgress)
}

/// [`read_pymrio_folder`], reporting the data rows of each table (`Z.txt`, `Y.txt`, `x.txt`,
/// each extension's `F.txt` and `F_Y.txt`) to `progress`, one task per file.
///
/// # Errors
/// As [`read_pymrio_folder`].
pub fn read_pymrio_folder_with_progress(
    dir: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let (_, files) = read_parameters(dir)?;
    let z = read_with(require(&files, "Z", dir)?, Cells::Strict, &[2], progress)?;
    if z.nrows() != z.ncols() {
        return Err(IoError::structure(
            z.file_at(),
            format!(
                "Z has {} rows and {} columns; it must be square (n × n, n = regions × sectors)",
                z.nrows(),
                z.ncols()
            ),
        ));
    }
    let labels: Vec<(String, String)> = z.row_labels.iter().map(|l| pair(l)).collect();
    let (regions, sectors) = region_major(&labels, |k| z.line_at(k))?;
    check_sector_columns(&z, &labels, "the rows of Z.txt")?;
    let n = labels.len();
    let m = regions.len();

    let y_txt = read_with(require(&files, "Y", dir)?, Cells::Strict, &[2], progress)?;
    check_sector_rows(&y_txt, &labels, "Z.txt")?;
    let y_region = region_of_columns(&y_txt, &regions)?;
    let mut y = Mat::<f64>::zeros(n, m);
    for i in 0..n {
        for (value, &r) in y_txt.row(i).iter().zip(&y_region) {
            y[(i, r)] += value;
        }
    }

    let x = match files.get("x") {
        Some(params) if params.path.exists() => {
            let t = read_with(params, Cells::Strict, &[2], progress)?;
            check_sector_rows(&t, &labels, "Z.txt")?;
            if t.ncols() != 1 {
                return Err(IoError::structure(
                    t.file_at(),
                    format!("{} value columns, expected 1 (total output)", t.ncols()),
                ));
            }
            Some(t.values)
        }
        _ => None,
    };

    let monetary_unit = match files.get("unit") {
        Some(params) if params.path.exists() => read_units(params)?
            .into_values()
            .map(|(unit, _)| unit)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };

    let z_mat = Mat::from_fn(n, n, |i, j| z.values[i * n + j]);
    drop(z);
    let table = MrioTable {
        regions,
        sectors,
        z: z_mat,
        y,
        x,
        monetary_unit,
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: dir.to_path_buf(),
        error,
    })?;

    let mut stressors = Vec::new();
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| IoError::os(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("file_parameters.json").is_file())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let (systemtype, ext_files) = read_parameters(&sub)?;
        if systemtype != "Extension" {
            continue;
        }
        let name = sub
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        stressors.extend(read_extension(
            &sub,
            &name,
            &ext_files,
            &labels,
            &table.regions,
            progress,
        )?);
    }
    Ok(MrioData {
        source: dir.to_path_buf(),
        table,
        stressors,
    })
}

/// `unit.txt`: row labels joined by `/` → (unit, where it was read).
fn read_units(params: &FileParams) -> Result<BTreeMap<String, (String, Location)>, IoError> {
    let path = &params.path;
    let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(params.nr_header) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != params.nr_index_col + 1 {
            return Err(IoError::structure(
                Location::line(path, i + 1),
                format!(
                    "{} cells, expected {} index cells and the unit",
                    cells.len(),
                    params.nr_index_col
                ),
            ));
        }
        let key = cells[..params.nr_index_col].join("/");
        let at = Location::cell(path, i + 1, "unit");
        out.insert(key, (cells[params.nr_index_col].to_owned(), at));
    }
    Ok(out)
}

fn read_extension(
    dir: &Path,
    name: &str,
    files: &BTreeMap<String, FileParams>,
    labels: &[(String, String)],
    regions: &[RegionId],
    progress: &dyn Progress,
) -> Result<Vec<StressorRow>, IoError> {
    let f = read_with(
        require(files, "F", dir)?,
        Cells::Deferred,
        &[1, 2],
        progress,
    )?;
    check_sector_columns(&f, labels, "Z.txt")?;
    let f_y = match files.get("F_Y") {
        Some(params) if params.path.exists() => {
            let t = read_with(params, Cells::Deferred, &[1, 2], progress)?;
            let cols = region_of_columns(&t, regions)?;
            Some((t, cols))
        }
        _ => None,
    };
    let units = match files.get("unit") {
        Some(params) if params.path.exists() => read_units(params)?,
        _ => BTreeMap::new(),
    };
    let mut rows = Vec::with_capacity(f.nrows());
    for r in 0..f.nrows() {
        let key = f.row_labels[r].join("/");
        let (unit, unit_at) = units.get(&key).cloned().unwrap_or_else(|| {
            let unit_file = files
                .get("unit")
                .map_or_else(|| dir.join("unit.txt"), |p| p.path.clone());
            (String::new(), Location::file(&unit_file))
        });
        let mut first_invalid = f.invalid[r].clone();
        let mut final_users = vec![0.0; regions.len()];
        if let Some((t, cols)) = &f_y {
            let Some(k) = t.row_labels.iter().position(|l| l.join("/") == key) else {
                return Err(IoError::structure(
                    t.file_at(),
                    format!(
                        "no row for stressor ({}) of F.txt: the label sets differ",
                        f.row_labels[r].join(", ")
                    ),
                ));
            };
            for (value, &reg) in t.row(k).iter().zip(cols) {
                final_users[reg] += value;
            }
            if first_invalid.is_none() {
                first_invalid = t.invalid[k].clone();
            }
        }
        rows.push(StressorRow {
            extension: name.to_owned(),
            name: f.row_labels[r].first().cloned().unwrap_or_default(),
            compartment: f.row_labels[r].get(1).cloned(),
            unit,
            unit_at,
            by_sector: f.row(r).to_vec(),
            final_users,
            first_invalid,
        });
    }
    if let Some((t, _)) = &f_y {
        for (k, l) in t.row_labels.iter().enumerate() {
            if !f.row_labels.contains(l) {
                return Err(IoError::structure(
                    t.line_at(k),
                    format!(
                        "stressor ({}) is not in F.txt: the label sets differ",
                        l.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(rows)
}
