//! Reader of GLORIA as distributed (`docs/formats/gloria.md`): one folder holding a year's
//! three downloads, `GLORIA_MRIOs_<v>_<year>.zip` (or its folder), `GLORIA_SatelliteAccounts_0<v>_<year>.zip`
//! (or its folder) and `GLORIA_ReadMe_0<v>.xlsx`. The tables are headerless comma-separated
//! grids; their labels are the ReadMe's sheets.
//!
//! As `pymrio.parse_gloria` does (basic prices, `construct="B"`):
//! - the transaction matrix `T` has rows and columns `(region, Industry|Product, sector)`,
//!   region-major; its Industry × Product blocks are the supply table `V`, its Product ×
//!   Industry blocks the use table `U`; the other blocks are not used;
//! - regions whose rows and columns of `T` are all zero (DYE in the 2022 release) are dropped
//!   from every table;
//! - the product-by-product table follows the industry-technology assumption: with
//!   `g = V·1`, `q = U·1 + Y·1`, `A = U·diag(g)⁻¹·V·diag(q)⁻¹`, and the satellites
//!   `F = Q·diag(g)⁻¹·V`. GLORIA's `V` is diagonal (each industry makes its own product), so
//!   these are column scalings; a `V` with an entry off its diagonal is refused. fzc keeps
//!   `Z = A·diag(q)` and `x = q`;
//! - final demand is `Y`'s Product rows summed over each region's categories; the stressors
//!   are the ReadMe's `Sat_indicator`, with `Sat_head_indicator` as compartment and
//!   `Sat_unit` as unit, in the extension `Q`.

use std::path::{Path, PathBuf};

use faer::Mat;
use fzc_core::{NoProgress, Progress, RegionId, SectorId};
use fzc_ect_mrio::MrioTable;

use crate::headerless::{Rule, read_grid};
use crate::pymrio_source::Source;
use crate::xlsx::{Sheet, Workbook, text};
use crate::{IoError, Location, MrioData, StressorRow, check_budget};

/// The largest ReadMe workbook read (the real one is well under 1 MB).
const README_MAX_BYTES: u64 = 64 << 20;

/// The release's files, found from the path given.
struct Release {
    mrios: PathBuf,
    satellites: PathBuf,
    readme: PathBuf,
    /// The table members' common ending: `_<year>_0<v>_Markup001(full).csv`.
    suffix: String,
}

/// `GLORIA_MRIOs_<v>_<year>` (with or without `.zip`) → `(v, year)`.
fn mrios_name(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix(".zip").unwrap_or(name);
    let (version, year) = stem.strip_prefix("GLORIA_MRIOs_")?.split_once('_')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    (digits(version) && year.len() == 4 && digits(year))
        .then(|| (version.to_owned(), year.to_owned()))
}

fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        })
        .unwrap_or_default()
}

/// Whether `path` looks like a GLORIA release: a folder with a `GLORIA_MRIOs_<v>_<year>`
/// entry and a `GLORIA_ReadMe_*.xlsx`, or such an entry itself.
pub(crate) fn is_gloria(path: &Path) -> bool {
    let readme_in = |dir: &Path| {
        names_in(dir)
            .iter()
            .any(|n| n.starts_with("GLORIA_ReadMe_") && n.ends_with(".xlsx"))
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if mrios_name(&name).is_some() {
        return path.parent().is_some_and(readme_in);
    }
    path.is_dir() && readme_in(path) && names_in(path).iter().any(|n| mrios_name(n).is_some())
}

fn locate(path: &Path) -> Result<Release, IoError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (dir, mrios, version, year) = match mrios_name(&name) {
        Some((v, y)) => (
            path.parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            path.to_path_buf(),
            v,
            y,
        ),
        None => {
            let found: Vec<(String, String, String)> = names_in(path)
                .into_iter()
                .filter_map(|n| mrios_name(&n).map(|(v, y)| (n, v, y)))
                .collect();
            match found.as_slice() {
                [(n, v, y)] => (path.to_path_buf(), path.join(n), v.clone(), y.clone()),
                [] => {
                    return Err(IoError::structure(
                        Location::file(path),
                        "no GLORIA_MRIOs_<version>_<year>.zip (or folder) in it; expected a \
                         GLORIA release folder",
                    ));
                }
                several => {
                    let list: Vec<&str> = several.iter().map(|(n, _, _)| n.as_str()).collect();
                    return Err(IoError::structure(
                        Location::file(path),
                        format!(
                            "{} GLORIA tables in one folder ({}); give the one to read, e.g. \
                             {}/{}",
                            several.len(),
                            list.join(", "),
                            path.display(),
                            list[0]
                        ),
                    ));
                }
            }
        }
    };
    let names = names_in(&dir);
    let find = |what: &str, wanted: &[String]| -> Result<PathBuf, IoError> {
        names
            .iter()
            .find(|n| wanted.iter().any(|w| *n == w))
            .map(|n| dir.join(n))
            .ok_or_else(|| {
                IoError::structure(
                    Location::file(&dir),
                    format!(
                        "no {what} beside {}; expected {}",
                        mrios.display(),
                        wanted.join(" or ")
                    ),
                )
            })
    };
    let sat = format!("GLORIA_SatelliteAccounts_0{version}_{year}");
    let satellites = find("satellite accounts", &[format!("{sat}.zip"), sat.clone()])?;
    let readme = find(
        "ReadMe workbook (the labels)",
        &[
            format!("GLORIA_ReadMe_0{version}.xlsx"),
            format!("GLORIA_ReadMe_0{version}a.xlsx"),
        ],
    )?;
    Ok(Release {
        mrios,
        satellites,
        readme,
        suffix: format!("_{year}_0{version}_Markup001(full).csv"),
    })
}

/// The labels of the ReadMe workbook.
struct Labels {
    regions: Vec<String>,
    sectors: Vec<String>,
    final_demand: Vec<String>,
    /// `(Sat_indicator, Sat_head_indicator, Sat_unit)` per satellite row, with its sheet row.
    satellites: Vec<(String, String, String, usize)>,
}

fn read_readme(path: &Path) -> Result<Labels, IoError> {
    let mut book = Workbook::open(path, README_MAX_BYTES)?;
    let mut sheet = |name: &str| -> Result<Sheet, IoError> {
        if !book.sheet_names().iter().any(|s| s == name) {
            return Err(IoError::structure(
                Location::file(path),
                format!(
                    "no sheet {name:?} (a GLORIA ReadMe has the sheets Regions, Sectors, \
                     \"Value added and final demand\" and Satellites)"
                ),
            ));
        }
        book.sheet(name)
    };
    let regions_sheet = sheet("Regions")?;
    let sectors_sheet = sheet("Sectors")?;
    let fd_sheet = sheet("Value added and final demand")?;
    let sat_sheet = sheet("Satellites")?;
    let cells = |s: &Sheet, header: &str| -> Result<Vec<(String, usize)>, IoError> {
        Ok(s.column(header)?
            .into_iter()
            .map(|(d, row)| (text(Some(&d)), row))
            .collect())
    };
    let plain = |v: Vec<(String, usize)>| v.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
    let regions = plain(cells(&regions_sheet, "Region_acronyms")?);
    let sectors = plain(cells(&sectors_sheet, "Sector_names")?);
    let final_demand = plain(cells(&fd_sheet, "Final_demand_names")?);
    let indicators = cells(&sat_sheet, "Sat_indicator")?;
    let heads = cells(&sat_sheet, "Sat_head_indicator")?;
    let units = cells(&sat_sheet, "Sat_unit")?;
    if indicators.len() != heads.len() || indicators.len() != units.len() {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "sheet Satellites: {} indicators, {} head indicators and {} units; expected one \
                 of each per satellite row",
                indicators.len(),
                heads.len(),
                units.len()
            ),
        ));
    }
    for (what, list) in [
        ("regions", &regions),
        ("sectors", &sectors),
        ("final demand categories", &final_demand),
    ] {
        if list.is_empty() {
            return Err(IoError::structure(
                Location::file(path),
                format!("no {what} in the ReadMe"),
            ));
        }
    }
    let satellites = indicators
        .into_iter()
        .zip(heads)
        .zip(units)
        .map(|(((name, row), (head, _)), (unit, _))| (name, head, unit, row))
        .collect();
    Ok(Labels {
        regions,
        sectors,
        final_demand,
        satellites,
    })
}

/// The one member of `src` whose name ends with `ending`.
fn member(src: &Source, ending: &str) -> Result<String, IoError> {
    let files = src.files()?;
    let found: Vec<&String> = files.iter().filter(|f| f.ends_with(ending)).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(IoError::structure(
            Location::file(src.path()),
            format!("no table named …{ending} in it (GLORIA's tables at basic prices)"),
        )),
        several => Err(IoError::structure(
            Location::file(src.path()),
            format!(
                "{} tables named …{ending}: {}",
                several.len(),
                several
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Reads a GLORIA release (see the module documentation).
///
/// # Errors
/// [`IoError`] naming the file, sheet, line and column: a missing download or ReadMe sheet,
/// a table whose size differs from its labels, a negative or non-finite `T` cell, a
/// non-finite `Y` cell, a supply table with an entry off its diagonal.
pub fn read_gloria(path: &Path) -> Result<MrioData, IoError> {
    read_gloria_with_progress(path, &NoProgress)
}

/// [`read_gloria`], reporting the rows of each table to `progress`.
///
/// # Errors
/// As [`read_gloria`].
#[allow(clippy::too_many_lines)] // one pass per table, in the order pymrio reads them
pub fn read_gloria_with_progress(
    path: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let release = locate(path)?;
    let labels = read_readme(&release.readme)?;
    let (m_all, n_sec) = (labels.regions.len(), labels.sectors.len());
    let n_fd = labels.final_demand.len();
    let n_all = m_all * n_sec;
    let nt = 2 * n_all;
    let ny = m_all * n_fd;
    let mrios = Source::open_plain(&release.mrios)?;
    let satellites = Source::open_plain(&release.satellites)?;
    let t_name = member(&mrios, &format!("_T-Results{}", release.suffix))?;
    let y_name = member(&mrios, &format!("_Y-Results{}", release.suffix))?;
    let q_name = member(&satellites, &format!("_TQ-Results{}", release.suffix))?;
    let qy_name = member(&satellites, &format!("_YQ-Results{}", release.suffix))?;

    let t_bytes = mrios.size(&t_name)?;
    if (nt as u128) * (nt as u128) * 2 > u128::from(t_bytes) {
        return Err(IoError::structure(
            Location::file(&mrios.display(&t_name)),
            format!(
                "the ReadMe gives {m_all} regions × 2 × {n_sec} sectors, so {nt} × {nt} values, \
                 but the table has only {t_bytes} bytes"
            ),
        ));
    }
    check_budget(
        &mrios.display(&t_name),
        "the use table U",
        (n_all as u128) * (n_all as u128) * 8,
    )?;
    // Row or column k of T: (region, industry?, sector).
    let split = |k: usize| (k / (2 * n_sec), (k % (2 * n_sec)) < n_sec, k % n_sec);
    let t_col = |k: usize| {
        let (r, industry, s) = split(k);
        format!(
            "{} ({}/{}/{})",
            k + 1,
            labels.regions.get(r).map_or("?", String::as_str),
            if industry { "Industry" } else { "Product" },
            labels.sectors.get(s).map_or("?", String::as_str)
        )
    };
    let y_col = |c: usize| {
        format!(
            "{} ({}/{})",
            c + 1,
            labels.regions.get(c / n_fd).map_or("?", String::as_str),
            labels
                .final_demand
                .get(c % n_fd)
                .map_or("?", String::as_str)
        )
    };
    let mut u = Mat::<f64>::zeros(n_all, n_all);
    let mut v_diagonal = vec![0.0; n_all];
    let mut off_diagonal: Option<(usize, usize, f64)> = None;
    let mut row_sum = vec![0.0; m_all];
    let mut col_sum = vec![0.0; m_all];
    let keep_all = vec![true; nt];
    read_grid(
        &mrios,
        ',',
        &t_name,
        nt,
        nt,
        &keep_all,
        &t_col,
        Rule::NonNegative,
        progress,
        &mut |i, j, value| {
            let (ri, ind_i, si) = split(i);
            let (rj, ind_j, sj) = split(j);
            row_sum[ri] += value;
            col_sum[rj] += value;
            match (ind_i, ind_j) {
                (false, true) => u[(ri * n_sec + si, rj * n_sec + sj)] = value,
                (true, false) if ri == rj && si == sj => v_diagonal[ri * n_sec + si] = value,
                (true, false) if value != 0.0 && off_diagonal.is_none() => {
                    off_diagonal = Some((i, j, value));
                }
                _ => {}
            }
        },
    )?;
    if let Some((i, j, value)) = off_diagonal {
        return Err(IoError::structure(
            Location::cell(&mrios.display(&t_name), i + 1, t_col(j)),
            format!(
                "the supply table V has {value} off its diagonal (industry {} supplying product \
                 {}); fzc builds product-by-product tables from GLORIA's diagonal supply table \
                 only",
                t_col(i),
                t_col(j)
            ),
        ));
    }
    // Regions with no transaction at all are dropped, as pymrio drops them.
    let kept_regions: Vec<usize> = (0..m_all)
        .filter(|&r| row_sum[r] != 0.0 || col_sum[r] != 0.0)
        .collect();
    let m = kept_regions.len();
    let n = m * n_sec;
    let mut region_index = vec![None; m_all];
    for (k, &r) in kept_regions.iter().enumerate() {
        region_index[r] = Some(k);
    }
    let index = |all: usize| region_index[all / n_sec].map(|r| r * n_sec + all % n_sec);
    // Compact U onto the kept regions, in place (kept indices only move down).
    if m < m_all {
        let kept: Vec<usize> = (0..n_all).filter(|&a| index(a).is_some()).collect();
        for (jn, &ja) in kept.iter().enumerate() {
            for (i_new, &ia) in kept.iter().enumerate() {
                u[(i_new, jn)] = u[(ia, ja)];
            }
        }
        u.truncate(n, n);
    }
    let mut y = Mat::<f64>::zeros(n, m);
    let keep_y: Vec<bool> = (0..ny).map(|c| region_index[c / n_fd].is_some()).collect();
    read_grid(
        &mrios,
        ',',
        &y_name,
        nt,
        ny,
        &keep_y,
        &y_col,
        Rule::Signed,
        progress,
        &mut |i, c, value| {
            let (_, industry, _) = split(i);
            let a = (i / (2 * n_sec)) * n_sec + i % n_sec;
            if let (false, Some(row), Some(col)) = (industry, index(a), region_index[c / n_fd]) {
                y[(row, col)] += value;
            }
        },
    )?;
    let mut d = vec![0.0; n];
    for (a, &value) in v_diagonal.iter().enumerate() {
        if let Some(k) = index(a) {
            d[k] = value;
        }
    }
    // q = U·1 + Y·1; T_B = diag(g)⁻¹·V with g = V·1 (V diagonal: g = d), 0 where g = 0.
    let q: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| u[(i, j)]).sum::<f64>() + (0..m).map(|s| y[(i, s)]).sum::<f64>())
        .collect();
    let technology: Vec<f64> = d
        .iter()
        .map(|&g| if g == 0.0 { 0.0 } else { (1.0 / g) * g })
        .collect();
    // Z = A·diag(q) = U·T_B·diag(q)⁻¹·diag(q): U's columns scaled, zero where q = 0.
    for j in 0..n {
        let scale = if q[j] == 0.0 { 0.0 } else { technology[j] };
        for i in 0..n {
            u[(i, j)] *= scale;
        }
    }
    let ns = labels.satellites.len();
    let mut by_sector = vec![vec![0.0; n]; ns];
    let mut final_users = vec![vec![0.0; m]; ns];
    let keep_q: Vec<bool> = (0..nt)
        .map(|k| {
            let (r, industry, _) = split(k);
            industry && region_index[r].is_some()
        })
        .collect();
    let mut invalid = read_grid(
        &satellites,
        ',',
        &q_name,
        ns,
        nt,
        &keep_q,
        &t_col,
        Rule::Deferred,
        progress,
        &mut |s, j, value| {
            let a = (j / (2 * n_sec)) * n_sec + j % n_sec;
            if let Some(k) = index(a) {
                by_sector[s][k] = value * technology[k];
            }
        },
    )?;
    let invalid_y = read_grid(
        &satellites,
        ',',
        &qy_name,
        ns,
        ny,
        &keep_y,
        &y_col,
        Rule::Deferred,
        progress,
        &mut |s, c, value| {
            if let Some(r) = region_index[c / n_fd] {
                final_users[s][r] += value;
            }
        },
    )?;
    let readme = release.readme.clone();
    let mut stressors = Vec::with_capacity(ns);
    for (s, (name, head, unit, row)) in labels.satellites.iter().enumerate() {
        let first_negative = by_sector[s].iter().position(|v| *v < 0.0).map(|k| {
            (
                Location::cell(
                    &satellites.display(&q_name),
                    s + 1,
                    format!("sector {}", k + 1),
                ),
                by_sector[s][k].to_string(),
            )
        });
        stressors.push(StressorRow {
            extension: "Q".to_owned(),
            name: name.clone(),
            compartment: Some(head.clone()),
            unit: unit.clone(),
            unit_at: Location::cell(&readme, *row, "Sat_unit"),
            by_sector: std::mem::take(&mut by_sector[s]),
            final_users: std::mem::take(&mut final_users[s]),
            first_invalid: invalid[s]
                .take()
                .or_else(|| invalid_y[s].clone())
                .or(first_negative),
        });
    }
    let label_error = |what: &str, e: fzc_core::CoreError| {
        IoError::structure(Location::file(&readme), format!("{what}: {e}"))
    };
    let table = MrioTable {
        regions: kept_regions
            .iter()
            .map(|&r| {
                RegionId::new(labels.regions[r].clone()).map_err(|e| label_error("a region", e))
            })
            .collect::<Result<_, _>>()?,
        sectors: labels
            .sectors
            .iter()
            .map(|s| SectorId::new(s.clone()).map_err(|e| label_error("a sector", e)))
            .collect::<Result<_, _>>()?,
        z: u,
        y,
        x: Some(q),
        monetary_unit: "1000 USD".to_owned(),
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })?;
    Ok(MrioData {
        source: path.to_path_buf(),
        table,
        stressors,
    })
}
