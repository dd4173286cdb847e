//! Reader of pymrio's `save_all` layout (txt), from a folder or a zip archive, and of
//! EXIOBASE 3 as published (the same layout).
//!
//! The system holds `file_parameters.json` (which names each file and gives its number of
//! header rows and index columns), `Z.txt` (or `A.txt` with `x.txt`), `Y.txt`, optionally
//! `x.txt` and `unit.txt`, and one subfolder per extension with its own
//! `file_parameters.json`, `F.txt`, optionally `F_Y.txt` (`F_hh.txt` in older EXIOBASE
//! releases) and `unit.txt`. See `docs/formats/pymrio-folder.md` and
//! `docs/formats/exiobase3.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faer::Mat;
use fzc_core::{NoProgress, Progress, RegionId};
use fzc_ect_mrio::MrioTable;

use crate::pymrio_source::{PARAMETERS, Source};
use crate::pymrio_txt::{Cells, Collect, SquareMat, TxtTable, read_txt_from};
use crate::region_major::region_major;
use crate::{IoError, Location, MrioData, StressorRow};

/// One entry of `file_parameters.json`.
#[derive(Debug, Clone)]
struct FileParams {
    /// The file, relative to the system's root.
    rel: String,
    /// The file as errors show it.
    path: PathBuf,
    nr_header: usize,
    nr_index_col: usize,
}

/// The `files` section of the `file_parameters.json` in `folder` (`""` for the root, else
/// ending in `/`), and its `systemtype`.
fn read_parameters(
    source: &Source,
    folder: &str,
) -> Result<(String, BTreeMap<String, FileParams>), IoError> {
    let rel = format!("{folder}{PARAMETERS}");
    let path = source.display(&rel);
    let text = source.read_string(&rel)?;
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
        if name.is_empty()
            || name.starts_with('/')
            || name.contains('\\')
            || name.split('/').any(|part| part == ".." || part == ".")
        {
            return Err(IoError::value(
                Location::file(&path),
                name,
                format!("files.{key}.name: a file name inside the folder"),
            ));
        }
        let file = format!("{folder}{name}");
        out.insert(
            key.clone(),
            FileParams {
                path: source.display(&file),
                rel: file,
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
    source: &Source,
    folder: &str,
) -> Result<&'a FileParams, IoError> {
    files.get(key).ok_or_else(|| {
        IoError::structure(
            Location::file(&source.display(&format!("{folder}{PARAMETERS}"))),
            format!("no entry for {key:?}; pymrio's save_all always writes one"),
        )
    })
}

/// The entry for `key` when its file exists.
fn optional<'a>(
    files: &'a BTreeMap<String, FileParams>,
    key: &str,
    source: &Source,
) -> Option<&'a FileParams> {
    files.get(key).filter(|p| source.is_file(&p.rel))
}

fn read_with(
    source: &Source,
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
    source.with_reader(&params.rel, |reader, _| {
        let mut store = Collect::default();
        let table = read_txt_from(
            &params.path,
            reader,
            params.nr_header,
            params.nr_index_col,
            cells,
            progress,
            &mut store,
        )?;
        Ok(TxtTable {
            values: store.values,
            ..table
        })
    })
}

/// Reads the square core table (`Z` or `A`) straight into an n × n matrix.
fn read_square(
    source: &Source,
    params: &FileParams,
    progress: &dyn Progress,
) -> Result<(TxtTable, Mat<f64>), IoError> {
    if params.nr_index_col != 2 {
        return Err(IoError::structure(
            Location::file(&params.path),
            format!(
                "file_parameters.json gives {} index columns, expected 2",
                params.nr_index_col
            ),
        ));
    }
    source.with_reader(&params.rel, |reader, bytes| {
        let mut store = SquareMat {
            bytes: Some(bytes),
            mat: None,
        };
        let table = read_txt_from(
            &params.path,
            reader,
            params.nr_header,
            params.nr_index_col,
            Cells::Strict,
            progress,
            &mut store,
        )?;
        let mat = store.mat.unwrap_or_else(|| Mat::zeros(0, 0));
        Ok((table, mat))
    })
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
fn region_of_columns(
    t: &TxtTable,
    regions: &[RegionId],
    against: &str,
) -> Result<Vec<usize>, IoError> {
    let mut out = Vec::with_capacity(t.ncols());
    let mut covered = vec![false; regions.len()];
    for (k, levels) in t.col_labels.iter().enumerate() {
        let name = levels.first().map(String::as_str).unwrap_or_default();
        let Some(r) = regions.iter().position(|r| r.as_str() == name) else {
            return Err(IoError::structure(
                t.file_at(),
                format!(
                    "column {} belongs to region {name:?}, which is not a region of {against} ({}): the label sets differ",
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
                "no column for region {} of {against}: the label sets differ",
                regions[r]
            ),
        ));
    }
    Ok(out)
}

/// Reads a pymrio `save_all` system (txt layout) with all its extensions, from a folder or
/// from a zip archive of one (pymrio's `archive()`, or a zip of the folder).
///
/// # Errors
/// [`IoError`] naming file, line and column for unreadable files, a non-square or
/// non-region-major `Z` (or `A`), label sets that differ between `Z`, `Y`, `x`, `F` and `F_Y`,
/// and cells of `Z`, `A`, `Y` or `x` that are not finite numbers ≥ 0. Bad cells of extensions
/// are reported only when that stressor is selected.
pub fn read_pymrio_folder(dir: &Path) -> Result<MrioData, IoError> {
    read_pymrio_folder_with_progress(dir, &NoProgress)
}

/// [`read_pymrio_folder`], reporting the data rows of each table (`Z.txt` or `A.txt`,
/// `Y.txt`, `x.txt`, each extension's `F.txt` and `F_Y.txt`) to `progress`, one task per file.
///
/// # Errors
/// As [`read_pymrio_folder`].
pub fn read_pymrio_folder_with_progress(
    dir: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let source = Source::open(dir)?;
    read_system(&source, progress)
}

/// Reads EXIOBASE 3 as published: the zip archive as downloaded (`IOT_2022_pxp.zip`, …) or
/// its unpacked folder, pxp or ixi, with its `satellite` and `impacts` extensions.
///
/// This is the pymrio layout read by [`read_pymrio_folder`] (`A.txt` and `x.txt` where
/// releases since 3.8 ship no `Z.txt`; `F_hh.txt` as `F_Y` in older releases), plus what
/// `pymrio.parse_exiobase3` does on top: the three-letter region codes some 3.4 ixi tables
/// carry (`AUS`, `USA`, `WWA`, …) are renamed to the two-letter codes of every other
/// release (`AU`, `US`, `WA`, …). See `docs/formats/exiobase3.md`.
///
/// # Errors
/// As [`read_pymrio_folder`]; a renaming that would give two regions one code.
pub fn read_exiobase3(path: &Path, progress: &dyn Progress) -> Result<MrioData, IoError> {
    let source = Source::open(path)?;
    let mut data = read_system(&source, progress)?;
    rename_exiobase_regions(&source, &mut data)?;
    Ok(data)
}

/// The region codes of EXIOBASE 3.4's ixi tables that differ from every other release,
/// with the code used elsewhere (ISO 3166 alpha-2, and `W*` for the rest-of-world regions).
const EXIOBASE_3_4_CODES: [(&str, &str); 49] = [
    ("AUS", "AU"),
    ("AUT", "AT"),
    ("BEL", "BE"),
    ("BGR", "BG"),
    ("BRA", "BR"),
    ("CAN", "CA"),
    ("CHE", "CH"),
    ("CHN", "CN"),
    ("CYP", "CY"),
    ("CZE", "CZ"),
    ("DEU", "DE"),
    ("DNK", "DK"),
    ("ESP", "ES"),
    ("EST", "EE"),
    ("FIN", "FI"),
    ("FRA", "FR"),
    ("GBR", "GB"),
    ("GRC", "GR"),
    ("HRV", "HR"),
    ("HUN", "HU"),
    ("IDN", "ID"),
    ("IND", "IN"),
    ("IRL", "IE"),
    ("ITA", "IT"),
    ("JPN", "JP"),
    ("KOR", "KR"),
    ("LTU", "LT"),
    ("LUX", "LU"),
    ("LVA", "LV"),
    ("MEX", "MX"),
    ("MLT", "MT"),
    ("NLD", "NL"),
    ("NOR", "NO"),
    ("POL", "PL"),
    ("PRT", "PT"),
    ("ROM", "RO"),
    ("RUS", "RU"),
    ("SVK", "SK"),
    ("SVN", "SI"),
    ("SWE", "SE"),
    ("TUR", "TR"),
    ("TWN", "TW"),
    ("USA", "US"),
    ("ZAF", "ZA"),
    ("WWA", "WA"),
    ("WWE", "WE"),
    ("WWF", "WF"),
    ("WWL", "WL"),
    ("WWM", "WM"),
];

fn rename_exiobase_regions(source: &Source, data: &mut MrioData) -> Result<(), IoError> {
    let renamed: Vec<RegionId> = data
        .table
        .regions
        .iter()
        .map(|r| {
            EXIOBASE_3_4_CODES
                .iter()
                .find(|(old, _)| *old == r.as_str())
                .and_then(|(_, new)| RegionId::new(*new).ok())
                .unwrap_or_else(|| r.clone())
        })
        .collect();
    for (k, region) in renamed.iter().enumerate() {
        if let Some(first) = renamed[..k].iter().position(|r| r == region) {
            return Err(IoError::structure(
                Location::file(source.path()),
                format!(
                    "regions {} and {} both become {region} under EXIOBASE's renaming of \
                     3.4 ixi codes; expected each region once",
                    data.table.regions[first], data.table.regions[k]
                ),
            ));
        }
    }
    data.table.regions = renamed;
    Ok(())
}

fn read_system(source: &Source, progress: &dyn Progress) -> Result<MrioData, IoError> {
    let (_, files) = read_parameters(source, "")?;
    // Since EXIOBASE 3.8 the archives hold A and x but no Z: Z = A·diag(x).
    let (core_key, core_params) =
        match (optional(&files, "Z", source), optional(&files, "A", source)) {
            (Some(z), _) => ("Z", z),
            (None, Some(a)) => ("A", a),
            (None, None) => {
                return Err(IoError::structure(
                    Location::file(&source.display(PARAMETERS)),
                    format!(
                        "neither Z nor A is listed with an existing file (listed: {}); expected \
                     Z.txt, or A.txt (with x.txt) as EXIOBASE 3 ships it",
                        files.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        };
    let (core, mut core_mat) = read_square(source, core_params, progress)?;
    if core.nrows() != core.ncols() {
        return Err(IoError::structure(
            core.file_at(),
            format!(
                "{core_key} has {} rows and {} columns; it must be square (n × n, n = regions × sectors)",
                core.nrows(),
                core.ncols()
            ),
        ));
    }
    let core_name = format!("{core_key}.txt");
    let labels: Vec<(String, String)> = core.row_labels.iter().map(|l| pair(l)).collect();
    let (regions, sectors) = region_major(&labels, |k| core.line_at(k))?;
    check_sector_columns(&core, &labels, &format!("the rows of {core_name}"))?;
    let n = labels.len();
    let m = regions.len();

    // Final demand may be negative (changes in inventories and valuables).
    let y_txt = read_with(
        source,
        require(&files, "Y", source, "")?,
        Cells::Signed,
        &[2],
        progress,
    )?;
    check_sector_rows(&y_txt, &labels, &core_name)?;
    let y_region = region_of_columns(&y_txt, &regions, &core_name)?;
    let mut y = Mat::<f64>::zeros(n, m);
    for i in 0..n {
        for (value, &r) in y_txt.row(i).iter().zip(&y_region) {
            y[(i, r)] += value;
        }
    }

    let x = match optional(&files, "x", source) {
        Some(params) => {
            let t = read_with(source, params, Cells::Strict, &[2], progress)?;
            check_sector_rows(&t, &labels, &core_name)?;
            if t.ncols() != 1 {
                return Err(IoError::structure(
                    t.file_at(),
                    format!("{} value columns, expected 1 (total output)", t.ncols()),
                ));
            }
            Some(t.values)
        }
        None => None,
    };

    let monetary_unit = match optional(&files, "unit", source) {
        Some(params) => read_units(source, params)?
            .into_values()
            .map(|(unit, _)| unit)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", "),
        None => String::new(),
    };

    let x = if core_key == "Z" {
        x
    } else {
        let x = match x {
            Some(x) => x,
            None => output_from_coefficients(&core, &core_mat, &y, &regions, &sectors)?,
        };
        // Z = A·diag(x), in place.
        for (j, &xj) in x.iter().enumerate() {
            for i in 0..n {
                let a = core_mat[(i, j)];
                let z = a * xj;
                if !z.is_finite() {
                    return Err(IoError::structure(
                        core.line_at(i),
                        format!(
                            "Z = A·diag(x) overflows in column {} ({}, {}): A is {a} and x is {xj}",
                            j + 2 + 1,
                            labels[j].0,
                            labels[j].1,
                        ),
                    ));
                }
                core_mat[(i, j)] = z;
            }
        }
        Some(x)
    };
    let z_mat = core_mat;
    drop(core);
    let table = MrioTable {
        regions,
        sectors,
        z: z_mat,
        y,
        x,
        monetary_unit,
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: source.path().to_path_buf(),
        error: Box::new(error),
    })?;

    let mut stressors = Vec::new();
    for sub in source.subfolders()? {
        let folder = format!("{sub}/");
        let (systemtype, ext_files) = read_parameters(source, &folder)?;
        if systemtype != "Extension" {
            continue;
        }
        stressors.extend(read_extension(
            source,
            &folder,
            &sub,
            &ext_files,
            &labels,
            &table.regions,
            &core_name,
            progress,
        )?);
    }
    Ok(MrioData {
        source: source.path().to_path_buf(),
        table,
        stressors,
    })
}

/// Total output of a coefficient-only system (A and Y, no x, as pymrio's
/// `reset_to_coefficients` leaves it): `x = (I − A)⁻¹·Y·1`, by one LU of `I − A`.
fn output_from_coefficients(
    a: &TxtTable,
    a_mat: &Mat<f64>,
    y: &Mat<f64>,
    regions: &[RegionId],
    sectors: &[fzc_core::SectorId],
) -> Result<Vec<f64>, IoError> {
    use faer::linalg::solvers::Solve;
    let n = a.nrows();
    let i_minus_a = Mat::from_fn(n, n, |i, j| f64::from(u8::from(i == j)) - a_mat[(i, j)]);
    let demand = Mat::from_fn(n, 1, |i, _| (0..y.ncols()).map(|r| y[(i, r)]).sum::<f64>());
    let x = i_minus_a.partial_piv_lu().solve(&demand);
    let x: Vec<f64> = (0..n).map(|i| x[(i, 0)]).collect();
    let tolerance = 1e-9 * x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if let Some(i) = x.iter().position(|v| !v.is_finite() || *v < -tolerance) {
        let k = sectors.len();
        return Err(IoError::structure(
            a.file_at(),
            format!(
                "the system gives no x.txt and x = (I − A)⁻¹·Y·1 is {} for {}/{}: I − A is \
                 singular or A is not productive; expected x.txt, or A with column sums below 1",
                x[i],
                regions[i / k],
                sectors[i % k]
            ),
        ));
    }
    Ok(x.into_iter().map(|v| v.max(0.0)).collect())
}

/// `unit.txt`: row labels joined by `/` → (unit, where it was read).
fn read_units(
    source: &Source,
    params: &FileParams,
) -> Result<BTreeMap<String, (String, Location)>, IoError> {
    let path = &params.path;
    let text = source.read_string(&params.rel)?;
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

#[allow(clippy::too_many_arguments)]
fn read_extension(
    source: &Source,
    folder: &str,
    name: &str,
    files: &BTreeMap<String, FileParams>,
    labels: &[(String, String)],
    regions: &[RegionId],
    core_name: &str,
    progress: &dyn Progress,
) -> Result<Vec<StressorRow>, IoError> {
    let f = read_with(
        source,
        require(files, "F", source, folder)?,
        Cells::Deferred,
        &[1, 2],
        progress,
    )?;
    check_sector_columns(&f, labels, core_name)?;
    // Older EXIOBASE releases name the final users' emissions F_hh.
    let f_y_params = optional(files, "F_Y", source).or_else(|| optional(files, "F_hh", source));
    let f_y = match f_y_params {
        Some(params) => {
            let t = read_with(source, params, Cells::Deferred, &[1, 2], progress)?;
            let cols = region_of_columns(&t, regions, core_name)?;
            Some((t, cols))
        }
        None => None,
    };
    let unit_params = optional(files, "unit", source);
    let units = match unit_params {
        Some(params) => read_units(source, params)?,
        None => BTreeMap::new(),
    };
    let mut rows = Vec::with_capacity(f.nrows());
    for r in 0..f.nrows() {
        let key = f.row_labels[r].join("/");
        let (unit, unit_at) = units.get(&key).cloned().unwrap_or_else(|| {
            let unit_file = files.get("unit").map_or_else(
                || source.display(&format!("{folder}unit.txt")),
                |p| p.path.clone(),
            );
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
