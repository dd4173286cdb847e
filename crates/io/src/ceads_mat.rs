//! Reader of the CEADs Chinese city MRIO MATLAB file (`China city MRIO_2017.mat` and its
//! 2012/2015 siblings), with CO2 from a separate emissions CSV.
//!
//! The file holds a struct `MRIO` with (among others) the fields `Z` (n × n) and `F` (final
//! demand, n × (m·k), k categories per city, 5 in the published tables); n = m · 42. Other
//! fields (`VA`, which may hold NaN, `Export`/`EX`, `Import`/`IM`) are ignored. The file names
//! neither cities nor sectors: fzc labels them `city001`… in table order and `s01`…`s42`.
//! See `docs/formats/ceads-mat.md`.

use std::path::Path;

use faer::Mat;
use fzc_core::{RegionId, SectorId};
use fzc_ect_mrio::MrioTable;

use crate::mat_v5::{MatValue, read_mat_file};
use crate::mrio_csv::{labels_of, read_emissions_csv};
use crate::{IoError, Location, MrioData};

/// Sectors per city in the CEADs city MRIO.
pub const CEADS_SECTORS: usize = 42;

fn matrix<'a>(
    path: &Path,
    value: Option<&'a MatValue>,
    field: &str,
) -> Result<(usize, usize, &'a [f64]), IoError> {
    match value {
        Some(MatValue::Numeric { dims, data }) if dims.len() == 2 => Ok((dims[0], dims[1], data)),
        Some(other) => Err(IoError::structure(
            Location::file(path),
            format!(
                "MRIO.{field} is {}, expected a 2-D numeric matrix",
                other.describe()
            ),
        )),
        None => Err(IoError::structure(
            Location::file(path),
            format!("the struct MRIO has no field {field:?}; expected fields Z and F"),
        )),
    }
}

fn check_cell(path: &Path, field: &str, row: usize, col: usize, v: f64) -> Result<(), IoError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(IoError::value(
            Location {
                path: path.to_path_buf(),
                line: None,
                column: Some(format!("MRIO.{field}({}, {})", row + 1, col + 1)),
            },
            &v.to_string(),
            "a finite number ≥ 0",
        ))
    }
}

/// Reads a CEADs city MRIO `.mat` file and the emissions of its sectors.
///
/// `emissions` is a CSV in the layout of `emissions.csv` of the long CSV set (see
/// `docs/formats/mrio-csv.md`) whose sectors are `s01` … `s42` and whose regions are the
/// city labels: `city001`, `city002`, … in table order, or the names read from
/// `city_names`, a CSV with a header `region` and one row per city in table order.
///
/// # Errors
/// Both MAT-file families are read: v5/v6/v7 by fzc's own parser, v7.3 (HDF5) through the
/// pure-Rust `hdf5-pure` crate.
///
/// [`IoError`] for an unreadable file, a missing `MRIO` struct or field, a `Z` that is not
/// square or not a whole number of 42-sector cities, an `F` whose size does not fit, NaN or
/// negative entries (with their 1-based MATLAB subscripts), a city-name file with the wrong
/// number of rows or a bad label, and the errors of the emissions CSV.
pub fn read_ceads_mat(
    path: &Path,
    emissions: &Path,
    city_names: Option<&Path>,
) -> Result<MrioData, IoError> {
    let vars = if crate::mat_v73::is_v73(path) {
        crate::mat_v73::read_v73(path)?
    } else {
        read_mat_file(path)?
    };
    let names: Vec<String> = vars
        .iter()
        .map(|v| format!("{} ({})", v.name, v.value.describe()))
        .collect();
    let Some(mrio) = vars.iter().find(|v| v.name == "MRIO").or_else(|| {
        vars.iter()
            .find(|v| v.value.field("Z").is_some() && v.value.field("F").is_some())
    }) else {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "no struct MRIO with fields Z and F; variables: {}",
                names.join(", ")
            ),
        ));
    };
    let (zr, zc, z_data) = matrix(path, mrio.value.field("Z"), "Z")?;
    if zr != zc {
        return Err(IoError::structure(
            Location::file(path),
            format!("MRIO.Z is {zr} × {zc}; it must be square"),
        ));
    }
    if zr == 0 || zr % CEADS_SECTORS != 0 {
        return Err(IoError::structure(
            Location::file(path),
            format!("MRIO.Z is {zr} × {zr}, expected (cities × {CEADS_SECTORS}) square"),
        ));
    }
    let n = zr;
    let m = n / CEADS_SECTORS;
    let (fr, fc, f_data) = matrix(path, mrio.value.field("F"), "F")?;
    if fr != n || fc == 0 || fc % m != 0 {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "MRIO.F is {fr} × {fc}, expected {n} × ({m} cities × categories, 5 in CEADs tables)"
            ),
        ));
    }
    let per_city = fc / m;
    let regions = match city_names {
        Some(names) => read_city_names(names, m)?,
        None => {
            let width = m.to_string().len().max(3);
            (1..=m)
                .map(|k| RegionId::new(format!("city{k:0width$}")))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| IoError::structure(Location::file(path), e.to_string()))?
        }
    };
    let sectors = (1..=CEADS_SECTORS)
        .map(|k| SectorId::new(format!("s{k:02}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| IoError::structure(Location::file(path), e.to_string()))?;
    // MATLAB stores column-major.
    for (k, &v) in z_data.iter().enumerate() {
        check_cell(path, "Z", k % n, k / n, v)?;
    }
    for (k, &v) in f_data.iter().enumerate() {
        check_cell(path, "F", k % n, k / n, v)?;
    }
    let z = Mat::from_fn(n, n, |i, j| z_data[j * n + i]);
    let mut y = Mat::<f64>::zeros(n, m);
    for col in 0..fc {
        let city = col / per_city;
        for i in 0..n {
            y[(i, city)] += f_data[col * n + i];
        }
    }
    drop(vars);
    let table = MrioTable {
        regions,
        sectors,
        z,
        y,
        x: None,
        monetary_unit: "10^4 yuan".to_owned(),
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })?;
    let stressors = read_emissions_csv(emissions, &labels_of(&table))?;
    Ok(MrioData {
        source: path.to_path_buf(),
        table,
        stressors,
    })
}

/// A CSV with a header `region` and one city name per row, in table order.
fn read_city_names(path: &Path, m: usize) -> Result<Vec<RegionId>, IoError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim() == "region" => {}
        _ => {
            return Err(IoError::structure(
                Location::line(path, 1),
                "expected the header `region`, then one city name per row in table order",
            ));
        }
    }
    let mut names = Vec::with_capacity(m);
    let mut seen = std::collections::BTreeSet::new();
    for (i, line) in lines {
        let name = line.strip_suffix('\r').unwrap_or(line);
        let name = name
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .unwrap_or(name);
        let id = crate::region_major::region_id(name, || Location::cell(path, i + 1, "region"))?;
        if !seen.insert(id.clone()) {
            return Err(IoError::value(
                Location::cell(path, i + 1, "region"),
                name,
                "a city name not used on an earlier line",
            ));
        }
        names.push(id);
    }
    if names.len() != m {
        return Err(IoError::structure(
            Location::file(path),
            format!(
                "{} city names, but MRIO.Z has {m} cities of {CEADS_SECTORS} sectors",
                names.len()
            ),
        ));
    }
    Ok(names)
}
