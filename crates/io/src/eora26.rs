//! Reader of Eora26 as distributed: `Eora26_<year>_<bp|pp>.zip` (or its unpacked folder)
//! with headerless tab-separated tables `…_T.txt`, `…_FD.txt`, `…_Q.txt`, `…_QY.txt` and the
//! label files `labels_T.txt`, `labels_FD.txt`, `labels_Q.txt` (in the archive, or in
//! `indices.zip` beside it). See `docs/formats/eora26.md`.
//!
//! As `pymrio.parse_eora26` does: regions are the country codes (second label column),
//! sectors the sector names (fourth); the rest of the world (`ROW`, one sector `TOTAL`) is
//! dropped from every table; a satellite row's unit is the text in parentheses at the end of
//! its name, which loses it (`I-GHG-CO2 emissions (Gg)` → `I-GHG-CO2 emissions`, `Gg`), and its
//! second label column is its compartment. The satellite is the extension `Q`.

use std::path::Path;

use faer::Mat;
use fzc_core::{NoProgress, Progress};
use fzc_ect_mrio::MrioTable;

use crate::headerless::{Rule, read_grid};
use crate::pymrio_source::Source;
use crate::region_major::region_major;
use crate::{IoError, Location, MrioData, StressorRow, check_budget};

/// The rest of the world's code, dropped as pymrio drops it.
const ROW: &str = "ROW";

/// Whether `path` looks like an Eora26 archive or folder.
pub(crate) fn is_eora26(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_file() {
        return name.starts_with("Eora26_") && name.to_ascii_lowercase().ends_with(".zip");
    }
    path.is_dir()
        && std::fs::read_dir(path).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with("Eora26_") && n.ends_with("_T.txt")
            })
        })
}

/// One label file: per line, its tab-separated cells, with the 1-based line number.
fn read_labels(
    src: &Source,
    name: &str,
    min_cells: usize,
) -> Result<Vec<(usize, Vec<String>)>, IoError> {
    let shown = src.display(name);
    let text = src.read_string(name)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<String> = line.split('\t').map(|c| c.trim().to_owned()).collect();
        if cells.len() < min_cells || cells[..min_cells].iter().any(String::is_empty) {
            return Err(IoError::structure(
                Location::line(&shown, i + 1),
                format!(
                    "{} cells, expected at least {min_cells} non-empty label cells",
                    cells.len()
                ),
            ));
        }
        out.push((i + 1, cells));
    }
    Ok(out)
}

/// Reads an Eora26 archive or folder.
///
/// # Errors
/// [`IoError`] naming file, line and column: no `Eora26_*_T.txt` (or several), missing label
/// files, a grid whose size differs from its labels, a negative or non-finite `T` cell, a
/// non-finite `FD` cell, countries with different sectors.
pub fn read_eora26(path: &Path) -> Result<MrioData, IoError> {
    read_eora26_with_progress(path, &NoProgress)
}

/// [`read_eora26`], reporting the rows of each table to `progress`.
///
/// # Errors
/// As [`read_eora26`].
pub fn read_eora26_with_progress(
    path: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    let src = Source::open_plain(path)?;
    let files = src.files()?;
    let prefixes: Vec<&str> = files
        .iter()
        .filter_map(|f| f.strip_suffix("_T.txt"))
        .filter(|p| p.starts_with("Eora26_"))
        .collect();
    let [prefix] = prefixes.as_slice() else {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "{} tables named Eora26_<year>_<bp|pp>_T.txt ({}); expected one",
                prefixes.len(),
                prefixes.join(", ")
            ),
        ));
    };
    // Labels: in the archive, or in indices.zip beside it.
    let sibling;
    let labels_src = if src.is_file("labels_T.txt") {
        &src
    } else {
        let indices = path.with_file_name("indices.zip");
        if !indices.is_file() {
            return Err(IoError::structure(
                Location::file(path),
                "no labels_T.txt in it and no indices.zip beside it; expected Eora's label \
                 files (labels_T.txt, labels_FD.txt, labels_Q.txt)",
            ));
        }
        sibling = Source::open_plain(&indices)?;
        &sibling
    };
    let labels_t = read_labels(labels_src, "labels_T.txt", 4)?;
    let labels_fd = read_labels(labels_src, "labels_FD.txt", 4)?;
    let labels_q = read_labels(labels_src, "labels_Q.txt", 2)?;
    let keep_t: Vec<bool> = labels_t.iter().map(|(_, c)| c[1] != ROW).collect();
    let mut kept = vec![usize::MAX; labels_t.len()];
    let mut pairs = Vec::new();
    for (k, (_, cells)) in labels_t.iter().enumerate() {
        if keep_t[k] {
            kept[k] = pairs.len();
            pairs.push((cells[1].clone(), cells[3].clone()));
        }
    }
    let t_labels = src.display("labels_T.txt");
    let (regions, sectors) = region_major(&pairs, |k| {
        let line = labels_t
            .iter()
            .filter(|(_, c)| c[1] != ROW)
            .nth(k)
            .map_or(0, |l| l.0);
        Location::line(&t_labels, line)
    })?;
    let n = pairs.len();
    let m = regions.len();
    let region_of = |code: &str| regions.iter().position(|r| r.as_str() == code);
    let mut fd_region = Vec::with_capacity(labels_fd.len());
    for (line, cells) in &labels_fd {
        let code = cells[1].as_str();
        fd_region.push(match region_of(code) {
            Some(r) => Some(r),
            None if code == ROW => None,
            None => {
                return Err(IoError::value(
                    Location::cell(&labels_src.display("labels_FD.txt"), *line, "country code"),
                    code,
                    "a country of labels_T.txt (or ROW)",
                ));
            }
        });
    }
    let keep_fd: Vec<bool> = fd_region.iter().map(Option::is_some).collect();
    let t_name = format!("{prefix}_T.txt");
    let t_bytes = src.size(&t_name)?;
    let nt = labels_t.len();
    if (nt as u128) * (nt as u128) * 2 > u128::from(t_bytes) {
        return Err(IoError::structure(
            Location::file(&src.display(&t_name)),
            format!(
                "labels_T.txt has {nt} rows, so {nt} × {nt} values, but the table has only \
                 {t_bytes} bytes"
            ),
        ));
    }
    check_budget(&src.display(&t_name), "Z", (n as u128) * (n as u128) * 8)?;
    let t_col = |c: usize| {
        labels_t.get(c).map_or(String::new(), |(_, l)| {
            format!("{} ({}/{})", c + 1, l[1], l[3])
        })
    };
    let fd_col = |c: usize| {
        labels_fd.get(c).map_or(String::new(), |(_, l)| {
            format!("{} ({}/{})", c + 1, l[1], l[3])
        })
    };
    let mut z = Mat::<f64>::zeros(n, n);
    read_grid(
        &src,
        '\t',
        &t_name,
        nt,
        nt,
        &keep_t,
        &t_col,
        Rule::NonNegative,
        progress,
        &mut |i, j, v| {
            if keep_t[i] {
                z[(kept[i], kept[j])] = v;
            }
        },
    )?;
    let mut y = Mat::<f64>::zeros(n, m);
    read_grid(
        &src,
        '\t',
        &format!("{prefix}_FD.txt"),
        nt,
        labels_fd.len(),
        &keep_fd,
        &fd_col,
        Rule::Signed,
        progress,
        &mut |i, c, v| {
            if let (true, Some(r)) = (keep_t[i], fd_region[c]) {
                y[(kept[i], r)] += v;
            }
        },
    )?;
    let nq = labels_q.len();
    let mut by_sector = vec![vec![0.0; n]; nq];
    let mut final_users = vec![vec![0.0; m]; nq];
    let mut invalid = read_grid(
        &src,
        '\t',
        &format!("{prefix}_Q.txt"),
        nq,
        nt,
        &keep_t,
        &t_col,
        Rule::Deferred,
        progress,
        &mut |s, j, v| {
            by_sector[s][kept[j]] = v;
        },
    )?;
    let invalid_y = read_grid(
        &src,
        '\t',
        &format!("{prefix}_QY.txt"),
        nq,
        labels_fd.len(),
        &keep_fd,
        &fd_col,
        Rule::Deferred,
        progress,
        &mut |s, c, v| {
            if let Some(r) = fd_region[c] {
                final_users[s][r] += v;
            }
        },
    )?;
    let q_labels = labels_src.display("labels_Q.txt");
    let mut stressors = Vec::with_capacity(nq);
    for (s, (line, cells)) in labels_q.iter().enumerate() {
        let full = cells[0].as_str();
        let (name, unit) = match (full.rfind(" ("), full.ends_with(')')) {
            (Some(k), true) => (full[..k].to_owned(), full[k + 2..full.len() - 1].to_owned()),
            _ => (full.to_owned(), String::new()),
        };
        // A cell that is negative is invalid for fzc's satellites; NaN and text too.
        let first_negative = by_sector[s].iter().position(|v| *v < 0.0).map(|j| {
            let col = (0..nt).find(|&c| keep_t[c] && kept[c] == j).unwrap_or(0);
            (
                Location::cell(&src.display(&format!("{prefix}_Q.txt")), s + 1, t_col(col)),
                by_sector[s][j].to_string(),
            )
        });
        stressors.push(StressorRow {
            extension: "Q".to_owned(),
            name,
            compartment: Some(cells[1].clone()),
            unit,
            unit_at: Location::cell(&q_labels, *line, "stressor (unit)"),
            by_sector: std::mem::take(&mut by_sector[s]),
            final_users: std::mem::take(&mut final_users[s]),
            first_invalid: invalid[s]
                .take()
                .or_else(|| invalid_y[s].clone())
                .or(first_negative),
        });
    }
    let table = MrioTable {
        regions,
        sectors,
        z,
        y,
        x: None,
        monetary_unit: "000 USD".to_owned(),
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
