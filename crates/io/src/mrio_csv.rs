//! Reader of fzc's long-format CSV set for an MRIO table.
//!
//! A folder with `Z.csv`, `Y.csv`, `emissions.csv` and optionally `x.csv` and
//! `emissions_final_users.csv`; one value per line, labels by name, missing entries are zero.
//! See `docs/formats/mrio-csv.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use faer::Mat;
use fzc_core::{NoProgress, Progress, RegionId, SectorId};
use fzc_ect_mrio::MrioTable;

use crate::number::{classify, parse_cell};
use crate::region_major::{region_id, sector_id};
use crate::{IoError, Location, MrioData, StressorRow};

/// An open CSV file with its header.
struct CsvFile {
    path: PathBuf,
    headers: Vec<String>,
    reader: csv::Reader<crate::UnixLines<std::fs::File>>,
    lines: crate::LineNumbers,
}

/// A data row: its 1-based line and its cells.
struct Row {
    line: usize,
    cells: csv::StringRecord,
}

impl CsvFile {
    fn open(path: &Path) -> Result<Self, IoError> {
        let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
        // Line breaks as `\n`, and lines counted past blank lines (line_breaks.rs).
        let source = crate::UnixLines::new(file);
        let lines = source.line_numbers();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(source);
        let headers = reader
            .headers()
            .map_err(|e| lines.error(path, e))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            headers,
            reader,
            lines,
        })
    }

    /// The index of the column named `name`.
    fn column(&self, name: &str) -> Result<usize, IoError> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            IoError::structure(
                Location::line(&self.path, 1),
                format!(
                    "no column {name:?} in the header ({})",
                    self.headers.join(",")
                ),
            )
        })
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The value column, `value` or `value[UNIT]`, and the unit in brackets if any.
    fn value_column(&self) -> Result<(usize, Option<String>), IoError> {
        for (k, h) in self.headers.iter().enumerate() {
            if h == "value" {
                return Ok((k, None));
            }
            if let Some(unit) = h.strip_prefix("value[").and_then(|u| u.strip_suffix(']')) {
                return Ok((k, Some(unit.trim().to_owned())));
            }
        }
        Err(IoError::structure(
            Location::line(&self.path, 1),
            format!(
                "no column \"value\" or \"value[UNIT]\" in the header ({})",
                self.headers.join(",")
            ),
        ))
    }

    fn rows(&mut self) -> Result<Vec<Row>, IoError> {
        self.rows_with_progress(&NoProgress)
    }

    /// All data rows, reported to `progress` as one task of unknown length
    /// (`reading <file name>`). The text is parsed on every core: it is cut at line breaks
    /// into pieces parsed in parallel and joined in order, so rows, line numbers and the
    /// first error are those of a sequential read. A file with a quote character is parsed
    /// in one piece (a quoted field may hold a line break).
    fn rows_with_progress(&mut self, progress: &dyn Progress) -> Result<Vec<Row>, IoError> {
        let name = self
            .path
            .file_name()
            .unwrap_or(self.path.as_os_str())
            .to_string_lossy()
            .into_owned();
        progress.begin(&format!("reading {name}"), 0);
        let result = self.parse_rows(progress);
        progress.finish();
        result
    }

    fn parse_rows(&mut self, progress: &dyn Progress) -> Result<Vec<Row>, IoError> {
        use rayon::prelude::*;
        // The reader stands at the first record, past the header.
        let position = self.reader.position().clone();
        let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
        let first_line = usize::try_from(position.line()).unwrap_or(usize::MAX);
        let size = std::fs::metadata(&self.path)
            .map_err(|e| IoError::os(&self.path, e))?
            .len();
        if size < MIN_PIECE as u64 || rayon::current_num_threads() < 2 {
            return self.sequential_rows(progress);
        }
        crate::check_budget(&self.path, "the text of this table", u128::from(size))?;
        let parsed = {
            let mut bytes = std::fs::read(&self.path).map_err(|e| IoError::os(&self.path, e))?;
            // The reader's offsets are those of the text with `\n` line breaks.
            crate::line_breaks::unix_lines(&mut bytes);
            let body = bytes.get(start..).unwrap_or_default();
            let pieces = pieces_at_line_breaks(body, rayon::current_num_threads() * 4, MIN_PIECE);
            if pieces.len() < 2 {
                None
            } else {
                // The line each piece starts on.
                let mut starts = Vec::with_capacity(pieces.len());
                let mut line = first_line;
                for piece in &pieces {
                    starts.push(line);
                    line += piece.iter().filter(|&&b| b == b'\n').count();
                }
                let width = self.headers.len();
                let path = &self.path;
                let parsed: Vec<Result<Vec<Row>, IoError>> = pieces
                    .par_iter()
                    .zip(starts.par_iter())
                    .map(|(piece, &first)| {
                        let rows = parse_piece(path, piece, first, width)?;
                        progress.advance(rows.len() as u64);
                        Ok(rows)
                    })
                    .collect();
                Some(parsed)
            }
        };
        let Some(parsed) = parsed.filter(|p| p.iter().all(Result::is_ok)) else {
            // One piece (a quote in the text), or a bad piece: the sequential reader (still
            // at the first record) reads it, and names the first bad row as it always has.
            return self.sequential_rows(progress);
        };
        let mut out =
            Vec::with_capacity(parsed.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum());
        for piece in parsed {
            out.extend(piece?);
        }
        Ok(out)
    }

    /// The rows read one after the other by the header's reader (which checks that every
    /// record has the header's width).
    fn sequential_rows(&mut self, progress: &dyn Progress) -> Result<Vec<Row>, IoError> {
        let mut out = Vec::new();
        for record in self.reader.records() {
            let record = record.map_err(|e| self.lines.error(&self.path, e))?;
            let line = self.lines.line_of(record.position());
            out.push(Row {
                line,
                cells: record,
            });
        }
        progress.advance(out.len() as u64);
        Ok(out)
    }

    fn cell<'r>(&self, row: &'r Row, col: usize) -> &'r str {
        row.cells.get(col).unwrap_or_default().trim()
    }

    /// A label cell as written: labels are text, so white space around one is an error
    /// (docs/formats/mrio-csv.md), not trimmed away.
    fn label<'r>(&self, row: &'r Row, col: usize) -> Result<&'r str, IoError> {
        let text = row.cells.get(col).unwrap_or_default();
        if text.trim() != text {
            return Err(IoError::value(
                self.at(row, col),
                text,
                "a label without surrounding white space",
            ));
        }
        Ok(text)
    }

    fn at(&self, row: &Row, col: usize) -> Location {
        Location::cell(&self.path, row.line, self.headers[col].clone())
    }

    fn number(&self, row: &Row, col: usize) -> Result<f64, IoError> {
        parse_cell(self.cell(row, col), || self.at(row, col))
    }
}

/// One parsed cell of Z: row index, column index, value.
type ZCell = (usize, usize, f64);

/// The smallest piece of a CSV body parsed on its own (smaller files are read sequentially).
const MIN_PIECE: usize = 1 << 20;

/// `body` cut into about `count` pieces of whole lines, each at least `min_piece` bytes
/// (one piece when it holds a quote character, or is under `min_piece`).
fn pieces_at_line_breaks(body: &[u8], count: usize, min_piece: usize) -> Vec<&[u8]> {
    if body.len() < min_piece || count <= 1 || body.contains(&b'"') {
        return vec![body];
    }
    let target = (body.len() / count).max(min_piece).max(1);
    let mut pieces = Vec::with_capacity(count + 1);
    let mut from = 0;
    while from < body.len() {
        let cut = (from + target).min(body.len());
        let end = match body[cut..].iter().position(|&b| b == b'\n') {
            Some(k) => cut + k + 1,
            None => body.len(),
        };
        pieces.push(&body[from..end]);
        from = end;
    }
    pieces
}

/// The records of one piece of a CSV body (no header), each checked to have `width`
/// fields; `first` is the file's line number of the piece's first line. An error here only
/// says that the piece is bad: the caller reads the file again sequentially for the message.
fn parse_piece(path: &Path, piece: &[u8], first: usize, width: usize) -> Result<Vec<Row>, IoError> {
    let source = crate::UnixLines::new(piece);
    let lines = source.line_numbers();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    let line_of = |p: Option<&csv::Position>| first + lines.line_of(p).max(1) - 1;
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            IoError::structure(Location::line(path, line_of(e.position())), "not valid CSV")
        })?;
        let line = line_of(record.position());
        if record.len() != width {
            return Err(IoError::structure(
                Location::line(path, line),
                "a record of another width than the header",
            ));
        }
        out.push(Row {
            line,
            cells: record,
        });
    }
    Ok(out)
}

/// Regions and sectors with their index, in order of first appearance.
#[derive(Default)]
pub(crate) struct Labels {
    regions: Vec<RegionId>,
    sectors: Vec<SectorId>,
    region_index: BTreeMap<String, usize>,
    sector_index: BTreeMap<String, usize>,
}

impl Labels {
    fn add_region(&mut self, text: &str, at: impl FnOnce() -> Location) -> Result<(), IoError> {
        if !self.region_index.contains_key(text) {
            self.region_index
                .insert(text.to_owned(), self.regions.len());
            self.regions.push(region_id(text, at)?);
        }
        Ok(())
    }

    fn add_sector(&mut self, text: &str, at: impl FnOnce() -> Location) -> Result<(), IoError> {
        if !self.sector_index.contains_key(text) {
            self.sector_index
                .insert(text.to_owned(), self.sectors.len());
            self.sectors.push(sector_id(text, at)?);
        }
        Ok(())
    }

    fn region(&self, file: &CsvFile, row: &Row, col: usize) -> Result<usize, IoError> {
        let text = file.label(row, col)?;
        self.region_index.get(text).copied().ok_or_else(|| {
            IoError::value(
                file.at(row, col),
                text,
                format!(
                    "a region of Z.csv ({}): the label sets differ",
                    list(self.regions.iter().map(RegionId::as_str))
                ),
            )
        })
    }

    fn sector(&self, file: &CsvFile, row: &Row, col: usize) -> Result<usize, IoError> {
        let text = file.label(row, col)?;
        self.sector_index.get(text).copied().ok_or_else(|| {
            IoError::value(
                file.at(row, col),
                text,
                format!(
                    "a sector of Z.csv ({}): the label sets differ",
                    list(self.sectors.iter().map(SectorId::as_str))
                ),
            )
        })
    }

    /// Region-major index of (region, sector) read from two columns of `row`.
    fn index(&self, file: &CsvFile, row: &Row, rc: usize, sc: usize) -> Result<usize, IoError> {
        Ok(self.region(file, row, rc)? * self.sectors.len() + self.sector(file, row, sc)?)
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.len() > 12 {
        format!("{}, … {} in all", items[..12].join(", "), items.len())
    } else {
        items.join(", ")
    }
}

/// Sets `target[index]`, refusing a second entry for the same index.
fn set_once(seen: &mut [bool], index: usize, at: Location, what: &str) -> Result<(), IoError> {
    if std::mem::replace(&mut seen[index], true) {
        return Err(IoError::structure(
            at,
            format!("a second entry for the same {what}; each may appear once"),
        ));
    }
    Ok(())
}

/// Reads the long-format CSV set in folder `dir`.
///
/// # Errors
/// [`IoError`] naming file, line and column for a missing file or column, a label not in
/// `Z.csv`, a duplicate entry, a cell that is not a finite number ≥ 0, a missing or
/// inconsistent emission unit.
pub fn read_mrio_csv(dir: &Path) -> Result<MrioData, IoError> {
    read_mrio_csv_with_progress(dir, &NoProgress)
}

/// [`read_mrio_csv`], reporting the rows read from `Z.csv`, `Y.csv` and `x.csv` (the long
/// ones: up to n² and n·m rows) to `progress`, one task per file.
///
/// # Errors
/// As [`read_mrio_csv`].
pub fn read_mrio_csv_with_progress(
    dir: &Path,
    progress: &dyn Progress,
) -> Result<MrioData, IoError> {
    // Z.csv fixes the labels.
    let mut zf = CsvFile::open(&dir.join("Z.csv"))?;
    let cols = [
        zf.column("from_region")?,
        zf.column("from_sector")?,
        zf.column("to_region")?,
        zf.column("to_sector")?,
    ];
    let (zv, z_unit) = zf.value_column()?;
    let z_rows = zf.rows_with_progress(progress)?;
    let mut labels = Labels::default();
    for row in &z_rows {
        for (k, &c) in cols.iter().enumerate() {
            let text = zf.label(row, c)?;
            if k % 2 == 0 {
                labels.add_region(text, || zf.at(row, c))?;
            } else {
                labels.add_sector(text, || zf.at(row, c))?;
            }
        }
    }
    let m = labels.regions.len();
    let n = m * labels.sectors.len();
    if n == 0 {
        return Err(IoError::structure(
            Location::file(&zf.path),
            "no data rows; expected one row per non-zero flow",
        ));
    }
    // The labels come from the rows, but n = regions x sectors grows with their product: a
    // few thousand rows naming distinct regions and sectors would ask for a Z of n^2 cells far
    // beyond the rows given. Z (8 bytes a cell) and its seen-map (1) must fit the budget.
    let cells = (n as u128) * (n as u128);
    crate::check_budget(
        &zf.path,
        &format!("Z for {m} regions x {} sectors", labels.sectors.len()),
        cells * 9,
    )?;
    let mut z = Mat::<f64>::zeros(n, n);
    let mut seen = vec![false; n * n];
    // Labels looked up and values parsed on every core, a block of rows at a time; the
    // cells are then set in row order, so a repeated pair is found as in a sequential read.
    for block in z_rows.chunks(1 << 16) {
        use rayon::prelude::*;
        let parsed: Vec<Result<Vec<ZCell>, IoError>> = block
            .par_chunks(4096)
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        let i = labels.index(&zf, row, cols[0], cols[1])?;
                        let j = labels.index(&zf, row, cols[2], cols[3])?;
                        Ok((i, j, zf.number(row, zv)?))
                    })
                    .collect()
            })
            .collect();
        for (rows, cells) in block.chunks(4096).zip(parsed) {
            for (row, (i, j, value)) in rows.iter().zip(cells?) {
                set_once(
                    &mut seen,
                    i * n + j,
                    Location::line(&zf.path, row.line),
                    "(from, to) pair",
                )?;
                z[(i, j)] = value;
            }
        }
    }
    drop(seen);

    let mut yf = CsvFile::open(&dir.join("Y.csv"))?;
    let (yr, ys, yd) = (
        yf.column("region")?,
        yf.column("sector")?,
        yf.column("demand_region")?,
    );
    let ycat = yf.optional_column("category");
    let (yv, _) = yf.value_column()?;
    let mut y = Mat::<f64>::zeros(n, m);
    let mut seen = BTreeMap::new();
    for row in yf.rows_with_progress(progress)? {
        let i = labels.index(&yf, &row, yr, ys)?;
        let d = labels.region(&yf, &row, yd)?;
        let cat = match ycat {
            Some(c) => yf.label(&row, c)?.to_owned(),
            None => String::new(),
        };
        if let Some(first) = seen.insert((i, d, cat), row.line) {
            return Err(IoError::structure(
                Location::line(&yf.path, row.line),
                format!(
                    "the same (region, sector, demand_region, category) as line {first}; each may appear once"
                ),
            ));
        }
        y[(i, d)] += yf.number(&row, yv)?;
    }

    let x_path = dir.join("x.csv");
    let x = if x_path.exists() {
        let mut xf = CsvFile::open(&x_path)?;
        let (xr, xs) = (xf.column("region")?, xf.column("sector")?);
        let (xv, _) = xf.value_column()?;
        let mut x = vec![0.0; n];
        let mut seen = vec![false; n];
        for row in xf.rows_with_progress(progress)? {
            let i = labels.index(&xf, &row, xr, xs)?;
            set_once(
                &mut seen,
                i,
                Location::line(&xf.path, row.line),
                "(region, sector)",
            )?;
            x[i] = xf.number(&row, xv)?;
        }
        Some(x)
    } else {
        None
    };

    let table = MrioTable {
        regions: labels.regions.clone(),
        sectors: labels.sectors.clone(),
        z,
        y,
        x,
        monetary_unit: z_unit.unwrap_or_default(),
    };
    table.validate().map_err(|error| IoError::Mrio {
        path: dir.to_path_buf(),
        error: Box::new(error),
    })?;
    let stressors = read_emissions_csv(&dir.join("emissions.csv"), &labels_of(&table))?;
    let mut data = MrioData {
        source: dir.to_path_buf(),
        table,
        stressors,
    };
    let fu_path = dir.join("emissions_final_users.csv");
    if fu_path.exists() {
        read_final_users_csv(&fu_path, &mut data.stressors, &labels)?;
    }
    Ok(data)
}

/// The label index of a validated table.
pub(crate) fn labels_of(table: &MrioTable) -> Labels {
    let mut labels = Labels::default();
    for (k, r) in table.regions.iter().enumerate() {
        labels.region_index.insert(r.as_str().to_owned(), k);
    }
    for (k, s) in table.sectors.iter().enumerate() {
        labels.sector_index.insert(s.as_str().to_owned(), k);
    }
    labels.regions = table.regions.clone();
    labels.sectors = table.sectors.clone();
    labels
}

/// The unit of a row: from the `value[UNIT]` header or the `unit` column.
fn unit_of(
    file: &CsvFile,
    row: &Row,
    header_unit: &Option<String>,
    unit_col: Option<usize>,
) -> Result<(String, Location), IoError> {
    match (header_unit, unit_col) {
        (Some(unit), _) => Ok((unit.clone(), Location::cell(&file.path, 1, "value"))),
        (None, Some(c)) => Ok((file.cell(row, c).to_owned(), file.at(row, c))),
        (None, None) => Err(IoError::structure(
            Location::line(&file.path, 1),
            "no unit: give it in the header as value[UNIT] (e.g. value[t CO2]) or in a column \"unit\"",
        )),
    }
}

/// Reads `emissions.csv` (`stressor,region,sector,value[UNIT]` or with a `unit` column) into
/// one [`StressorRow`] per stressor, in order of first appearance.
///
/// Used for the long CSV set and, with the generated city labels, for CEADs tables.
///
/// # Errors
/// As for [`read_mrio_csv`].
pub(crate) fn read_emissions_csv(
    path: &Path,
    labels: &Labels,
) -> Result<Vec<StressorRow>, IoError> {
    let n = labels.regions.len() * labels.sectors.len();
    let mut ef = CsvFile::open(path)?;
    let (er, es) = (ef.column("region")?, ef.column("sector")?);
    let est = ef.optional_column("stressor");
    let (ev, header_unit) = ef.value_column()?;
    let unit_col = ef.optional_column("unit");
    let mut out: Vec<StressorRow> = Vec::new();
    let mut seen: Vec<Vec<bool>> = Vec::new();
    for row in ef.rows()? {
        let name = match est {
            Some(c) => ef.label(&row, c)?.to_owned(),
            None => "CO2".to_owned(),
        };
        if name.is_empty() {
            return Err(IoError::value(
                ef.at(&row, est.unwrap_or(0)),
                "",
                "a stressor name",
            ));
        }
        let (unit, unit_at) = unit_of(&ef, &row, &header_unit, unit_col)?;
        let k = match out.iter().position(|s| s.name == name) {
            Some(k) => k,
            None => {
                out.push(StressorRow {
                    extension: String::new(),
                    name: name.clone(),
                    compartment: None,
                    unit: unit.clone(),
                    unit_at: unit_at.clone(),
                    by_sector: vec![0.0; n],
                    final_users: vec![0.0; labels.regions.len()],
                    first_invalid: None,
                });
                seen.push(vec![false; n]);
                out.len() - 1
            }
        };
        if out[k].unit != unit {
            return Err(IoError::value(
                unit_at,
                &unit,
                format!(
                    "{:?} as on the first line of stressor {name} ({})",
                    out[k].unit, out[k].unit_at
                ),
            ));
        }
        let i = labels.index(&ef, &row, er, es)?;
        set_once(
            &mut seen[k],
            i,
            Location::line(&ef.path, row.line),
            "(stressor, region, sector)",
        )?;
        let text = ef.cell(&row, ev);
        match classify(text) {
            Ok(v) => out[k].by_sector[i] = v,
            Err(_) => {
                if out[k].first_invalid.is_none() {
                    out[k].first_invalid = Some((ef.at(&row, ev), text.to_owned()));
                }
                out[k].by_sector[i] = f64::NAN;
            }
        }
    }
    Ok(out)
}

/// Reads `emissions_final_users.csv` (`stressor,region,value[UNIT]`) into the final-user
/// emissions of the stressors of `emissions.csv`.
fn read_final_users_csv(
    path: &Path,
    stressors: &mut [StressorRow],
    labels: &Labels,
) -> Result<(), IoError> {
    let mut ff = CsvFile::open(path)?;
    let fr = ff.column("region")?;
    let fst = ff.optional_column("stressor");
    let (fv, header_unit) = ff.value_column()?;
    let unit_col = ff.optional_column("unit");
    for row in ff.rows()? {
        let name = match fst {
            Some(c) => ff.label(&row, c)?,
            None => "CO2",
        };
        let Some(s) = stressors.iter_mut().find(|s| s.name == name) else {
            return Err(IoError::value(
                ff.at(&row, fst.unwrap_or(0)),
                name,
                "a stressor of emissions.csv: the label sets differ",
            ));
        };
        let (unit, unit_at) = unit_of(&ff, &row, &header_unit, unit_col)?;
        if unit != s.unit {
            return Err(IoError::value(
                unit_at,
                &unit,
                format!("{:?}, the unit of stressor {name} in emissions.csv", s.unit),
            ));
        }
        let r = labels.region(&ff, &row, fr)?;
        s.final_users[r] += ff.number(&row, fv)?;
    }
    Ok(())
}

/// Reads an energy-use table (`region,sector,carrier,value[tce]`, or a `unit` column; units
/// `tce` or `10^4 tce`) and, with Eq 1 (`E = Σ_k C_k · K_k · 44/12`, METHOD 1.1) and the
/// coefficients given (IPCC 2006 by default), turns it into a CO2 stressor of `table`'s
/// sectors: the row `eq1/CO2` in t, `F_Y` zero. See `docs/formats/energy.md`.
///
/// # Errors
/// [`IoError`] naming file, line and column: an unknown region, sector or carrier (listing
/// the known carriers), a value that is not a finite number ≥ 0, a unit other than tce,
/// a (region, sector, carrier) given twice.
pub fn read_energy_satellite(
    path: &Path,
    table: &fzc_ect_mrio::MrioTable,
    coefficients: &fzc_ect_mrio::CarbonCoefficients,
) -> Result<StressorRow, IoError> {
    let labels = labels_of(table);
    let n = labels.regions.len() * labels.sectors.len();
    let mut ef = CsvFile::open(path)?;
    let (er, es, ec) = (
        ef.column("region")?,
        ef.column("sector")?,
        ef.column("carrier")?,
    );
    let (ev, header_unit) = ef.value_column()?;
    let unit_col = ef.optional_column("unit");
    let mut co2 = vec![0.0; n];
    let mut seen = std::collections::BTreeMap::new();
    for row in ef.rows()? {
        let (unit, unit_at) = unit_of(&ef, &row, &header_unit, unit_col)?;
        let factor = match unit.trim() {
            "tce" => 1.0,
            "10^4 tce" | "10^4tce" => 1e4,
            _ => {
                return Err(IoError::value(
                    unit_at,
                    &unit,
                    "tce or 10^4 tce (tonnes of standard coal equivalent)",
                ));
            }
        };
        let i = labels.index(&ef, &row, er, es)?;
        let carrier = ef.label(&row, ec)?.to_owned();
        let k = coefficients.coefficient(&carrier).map_err(|e| {
            IoError::value(
                ef.at(&row, ec),
                &carrier,
                format!("a carrier of the coefficient table ({e})"),
            )
        })?;
        if let Some(first) = seen.insert((i, carrier.clone()), row.line) {
            return Err(IoError::value(
                Location::line(&ef.path, row.line),
                &carrier,
                format!("each (region, sector, carrier) once; it is also on line {first}"),
            ));
        }
        let tce = ef.number(&row, ev)? * factor;
        co2[i] += tce * k * fzc_ect_mrio::CO2_PER_C;
    }
    if let Some(i) = co2.iter().position(|v| !v.is_finite()) {
        return Err(IoError::structure(
            Location::file(&ef.path),
            format!(
                "Eq 1 overflows for {}/{}",
                labels.regions[i / labels.sectors.len()],
                labels.sectors[i % labels.sectors.len()]
            ),
        ));
    }
    Ok(StressorRow {
        extension: "eq1".to_owned(),
        name: "CO2".to_owned(),
        compartment: None,
        unit: "t".to_owned(),
        unit_at: Location::file(&ef.path),
        by_sector: co2,
        final_users: vec![0.0; labels.regions.len()],
        first_invalid: None,
    })
}

/// Reads a carbon coefficient table (`carrier,t_c_per_tce`) replacing the IPCC 2006
/// default of Eq 1.
///
/// # Errors
/// [`IoError`] naming file, line and column for a missing column, an empty carrier, a
/// carrier given twice, or a value that is not a finite number ≥ 0.
pub fn read_carbon_coefficients(path: &Path) -> Result<fzc_ect_mrio::CarbonCoefficients, IoError> {
    let mut f = CsvFile::open(path)?;
    let (c, v) = (f.column("carrier")?, f.column("t_c_per_tce")?);
    let mut pairs: Vec<(String, f64)> = Vec::new();
    for row in f.rows()? {
        let carrier = f.label(&row, c)?.to_owned();
        if pairs.iter().any(|(k, _)| *k == carrier) {
            return Err(IoError::value(f.at(&row, c), &carrier, "each carrier once"));
        }
        pairs.push((carrier, f.number(&row, v)?));
    }
    fzc_ect_mrio::CarbonCoefficients::new(pairs).map_err(|error| IoError::Mrio {
        path: path.to_path_buf(),
        error: Box::new(error),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A random table as (m, N, Z row-major, Y per (row, demand region, category), F).
    fn tables() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<f64>, Vec<f64>)> {
        (1usize..4, 1usize..4).prop_flat_map(|(m, n_sec)| {
            let n = m * n_sec;
            (
                Just(m),
                Just(n_sec),
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1e6], n * n),
                proptest::collection::vec(0.0f64..1e6, n * m * 2),
                proptest::collection::vec(0.0f64..1e3, n),
            )
        })
    }

    fn write_set(dir: &Path, m: usize, n_sec: usize, z: &[f64], y: &[f64], f: &[f64]) {
        let n = m * n_sec;
        // Region names that look like numbers or NaN must stay labels.
        let region = |k: usize| ["nan", "1e3", "Henan", "NA"][k];
        let sector = |k: usize| format!("s{k}");
        let label = |i: usize| format!("{},{}", region(i / n_sec), sector(i % n_sec));
        let mut text = String::from("from_region,from_sector,to_region,to_sector,value\n");
        // The diagonal first, every entry listed, so that labels appear in table order.
        for i in 0..n {
            text.push_str(&format!("{},{},{}\n", label(i), label(i), z[i * n + i]));
        }
        for i in 0..n {
            for j in 0..n {
                if z[i * n + j] != 0.0 && i != j {
                    text.push_str(&format!("{},{},{}\n", label(i), label(j), z[i * n + j]));
                }
            }
        }
        std::fs::write(dir.join("Z.csv"), text).unwrap();
        let mut text = String::from("region,sector,demand_region,category,value\n");
        for i in 0..n {
            for s in 0..m {
                for c in 0..2 {
                    let v = y[(i * m + s) * 2 + c];
                    text.push_str(&format!("{},{},c{c},{v}\n", label(i), region(s)));
                }
            }
        }
        std::fs::write(dir.join("Y.csv"), text).unwrap();
        let mut text = String::from("region,sector,value[kt CO2]\n");
        for (i, v) in f.iter().enumerate() {
            text.push_str(&format!("{},{v}\n", label(i)));
        }
        std::fs::write(dir.join("emissions.csv"), text).unwrap();
    }

    /// A [`Progress`] that records each task: its name, the steps reported, and whether it
    /// was finished.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<(String, u64, bool)>>);

    impl Progress for Recorder {
        fn begin(&self, task: &str, _total: u64) {
            self.0.lock().unwrap().push((task.to_owned(), 0, false));
        }
        fn advance(&self, steps: u64) {
            self.0.lock().unwrap().last_mut().unwrap().1 += steps;
        }
        fn finish(&self) {
            self.0.lock().unwrap().last_mut().unwrap().2 = true;
        }
    }

    /// Data lines of a CSV file: its lines less the header, counted from the text.
    fn data_lines(path: &Path) -> u64 {
        std::fs::read_to_string(path).unwrap().lines().count() as u64 - 1
    }

    /// Issue 10: 20,000 Z rows naming 40,000 distinct regions and sectors make n = 1.6·10⁹,
    /// so Z would ask for about 2·10¹⁹ bytes; it is refused against the budget first.
    #[test]
    fn labels_whose_product_outgrows_the_budget_are_refused_before_z_is_allocated() {
        let dir = tempfile::tempdir().unwrap();
        let rows: String =
            std::iter::once("from_region,from_sector,to_region,to_sector,value\n".to_owned())
                .chain((0..20_000).map(|k| format!("r{k},s{k},q{k},t{k},1\n")))
                .collect();
        std::fs::write(dir.path().join("Z.csv"), rows).unwrap();
        let message = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(
            message.contains("Z.csv")
                && message.contains("40000 regions x 40000 sectors")
                && message.contains("memory budget"),
            "{message}"
        );
    }

    #[test]
    fn progress_reports_every_row_of_z_y_and_x() {
        use crate::pymrio_txt::ROWS_PER_REPORT;
        // 4 regions × 7 sectors, every flow non-zero: 784 Z rows, 224 Y rows, so both whole
        // batches of ROWS_PER_REPORT and a remainder are reported.
        let (m, n_sec) = (4, 7);
        let n = m * n_sec;
        let z: Vec<f64> = (0..n * n).map(|k| 1.0 + k as f64).collect();
        let y: Vec<f64> = (0..n * m * 2).map(|k| 1e4 + k as f64).collect();
        let f: Vec<f64> = (0..n).map(|k| k as f64).collect();
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), m, n_sec, &z, &y, &f);
        let x: String = std::iter::once("region,sector,value\n".to_owned())
            .chain((0..n).map(|i| {
                let row: f64 = (0..n).map(|j| z[i * n + j]).sum();
                let fd: f64 = (0..m * 2).map(|c| y[i * m * 2 + c]).sum();
                format!(
                    "{},s{},{}\n",
                    ["nan", "1e3", "Henan", "NA"][i / n_sec],
                    i % n_sec,
                    row + fd
                )
            }))
            .collect();
        std::fs::write(dir.path().join("x.csv"), x).unwrap();
        let recorder = Recorder::default();
        let data = read_mrio_csv_with_progress(dir.path(), &recorder).unwrap();
        assert_eq!(data.table.regions.len(), m);
        let tasks = recorder.0.into_inner().unwrap();
        let want: Vec<(String, u64, bool)> = ["Z.csv", "Y.csv", "x.csv"]
            .iter()
            .map(|f| {
                (
                    format!("reading {f}"),
                    data_lines(&dir.path().join(f)),
                    true,
                )
            })
            .collect();
        assert_eq!(tasks, want);
        assert!(want[0].1 > ROWS_PER_REPORT && !want[0].1.is_multiple_of(ROWS_PER_REPORT));
    }

    /// A set whose Z.csv is over a few MiB, so that it is parsed in pieces on every core;
    /// Z's value at (i, j) is `i * n + j + 0.5`.
    fn big_set(dir: &Path) -> (usize, PathBuf) {
        let (m, n_sec) = (24, 10);
        let n = m * n_sec;
        let label = |i: usize| format!("region{:02},sector{}", i / n_sec, i % n_sec);
        let mut z = String::from("from_region,from_sector,to_region,to_sector,value[t]\n");
        for i in 0..n {
            for j in 0..n {
                z.push_str(&format!(
                    "{},{},{}\n",
                    label(i),
                    label(j),
                    (i * n + j) as f64 + 0.5
                ));
            }
        }
        std::fs::write(dir.join("Z.csv"), &z).unwrap();
        let mut y = String::from("region,sector,demand_region,value\n");
        for i in 0..n {
            y.push_str(&format!("{},region{:02},1000\n", label(i), i / n_sec));
        }
        std::fs::write(dir.join("Y.csv"), y).unwrap();
        let mut e = String::from("stressor,region,sector,value[t]\n");
        for i in 0..n {
            e.push_str(&format!("CO2,{},1\n", label(i)));
        }
        std::fs::write(dir.join("emissions.csv"), e).unwrap();
        assert!(z.len() > 2 * MIN_PIECE, "{} bytes", z.len());
        (n, dir.join("Z.csv"))
    }

    #[test]
    fn a_big_table_is_parsed_in_pieces_with_the_lines_of_a_sequential_read() {
        let dir = tempfile::tempdir().unwrap();
        let (n, z_path) = big_set(dir.path());
        let text = std::fs::read(&z_path).unwrap();
        assert!(
            pieces_at_line_breaks(&text, 8, MIN_PIECE).len() > 1,
            "the parallel path is taken"
        );
        let data = read_mrio_csv(dir.path()).unwrap();
        for (i, j) in [(0, 0), (7, 200), (n - 1, n - 1), (123, 45)] {
            assert_eq!(data.table.z[(i, j)], (i * n + j) as f64 + 0.5);
        }
        // A bad number deep in the file: the error names its line, counted across pieces.
        let bad_row = 50_000;
        let lines: Vec<&str> = std::str::from_utf8(&text).unwrap().lines().collect();
        let mut edited: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let cells: Vec<&str> = lines[bad_row].split(',').collect();
        edited[bad_row] = format!("{},{},{},{},x", cells[0], cells[1], cells[2], cells[3]);
        std::fs::write(&z_path, edited.join("\n") + "\n").unwrap();
        let e = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&format!("line {}", bad_row + 1)), "{e}");
        // A row of another width deep in the file: the sequential reader's message.
        edited[bad_row] = format!("{},{}", cells[0], cells[1]);
        std::fs::write(&z_path, edited.join("\n") + "\n").unwrap();
        let e = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&format!("line {}", bad_row + 1)), "{e}");
    }

    proptest! {
        /// Parsing a body in pieces cut at line breaks gives, whenever every piece parses,
        /// exactly the records and line numbers of the sequential read of the whole file
        /// (header included), whatever the line endings (`\n`, `\r\n`, `\r`), blank lines,
        /// spaces or widths. When a piece fails, the reader falls back to the sequential read,
        /// so nothing else is needed. This found that csv miscounts the lines of CRLF text
        /// (rust-csv #395), which every reader now avoids through `UnixLines`.
        #[test]
        fn pieces_parse_as_the_sequential_read(
            lines in proptest::collection::vec(
                (
                    prop_oneof![8 => Just(3usize), 1 => Just(2usize), 1 => Just(0usize)],
                    proptest::collection::vec("[a7. ]{0,3}", 3),
                    prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n")],
                ),
                0..40,
            ),
            count in 2usize..9,
            min_piece in 1usize..40,
        ) {
            let width = 3;
            // Lines of three cells, with some of two and some blank, and every line ending.
            let body: Vec<u8> = lines
                .iter()
                .flat_map(|(cells, texts, end)| {
                    format!("{}{end}", texts[..*cells].join(",")).into_bytes()
                })
                .collect();
            let mut text = b"region,sector,value\n".to_vec();
            text.extend_from_slice(&body);
            let source = crate::UnixLines::new(&text[..]);
            let numbers = source.line_numbers();
            let mut sequential = csv::ReaderBuilder::new().has_headers(true).from_reader(source);
            let want: Result<Vec<(usize, Vec<String>)>, _> = sequential
                .records()
                .map(|r| r.map(|r| {
                    let line = numbers.line_of(r.position());
                    (line, r.iter().map(str::to_owned).collect())
                }))
                .collect();
            let path = Path::new("Z.csv");
            // As the reader does: line breaks as `\n`, then cut.
            let mut body = body;
            crate::line_breaks::unix_lines(&mut body);
            let pieces = pieces_at_line_breaks(&body, count, min_piece);
            prop_assert_eq!(pieces.concat(), body.clone(), "pieces cover the body in order");
            let mut first = 2;
            let mut got = Vec::new();
            let mut all_ok = true;
            for piece in &pieces {
                match parse_piece(path, piece, first, width) {
                    Ok(rows) => got.extend(
                        rows.into_iter()
                            .map(|r| (r.line, r.cells.iter().map(str::to_owned).collect())),
                    ),
                    Err(_) => all_ok = false,
                }
                first += piece.iter().filter(|&&b| b == b'\n').count();
            }
            if all_ok {
                let want = want.expect("every piece parsed, so the whole file parses");
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn progress_task_is_finished_when_a_row_is_bad() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Z.csv"),
            "from_region,from_sector,to_region,to_sector,value\na,s,a,s,1\n\"b,s\n",
        )
        .unwrap();
        let recorder = Recorder::default();
        let err = read_mrio_csv_with_progress(dir.path(), &recorder).unwrap_err();
        assert!(err.to_string().contains("Z.csv"), "{err}");
        let tasks = recorder.0.into_inner().unwrap();
        assert_eq!(tasks.len(), 1);
        assert!(tasks[0].2, "the task was left open: {tasks:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Reading the long CSV set gives back every flow exactly, final demand summed over
        /// categories per demand region, and every emission, with labels kept as text.
        #[test]
        fn long_csv_round_trips((m, n_sec, z, y, f) in tables()) {
            let dir = tempfile::tempdir().unwrap();
            write_set(dir.path(), m, n_sec, &z, &y, &f);
            let data = read_mrio_csv(dir.path()).unwrap();
            let t = &data.table;
            let n = m * n_sec;
            prop_assert_eq!(t.regions.len(), m);
            prop_assert_eq!(t.regions[0].as_str(), "nan");
            prop_assert_eq!(t.sectors.len(), n_sec);
            for i in 0..n {
                for j in 0..n {
                    prop_assert_eq!(t.z[(i, j)], z[i * n + j]);
                }
                for s in 0..m {
                    let want = y[(i * m + s) * 2] + y[(i * m + s) * 2 + 1];
                    prop_assert_eq!(t.y[(i, s)], want);
                }
            }
            let co2 = data.satellite(None, "CO2").unwrap();
            prop_assert_eq!(co2.by_sector, f);
            prop_assert_eq!(co2.unit, fzc_core::MassUnit::Kilotonne);
        }
    }

    #[test]
    fn labels_with_surrounding_white_space_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), 1, 1, &[1.0], &[2.0, 3.0], &[4.0]);
        let z = std::fs::read_to_string(dir.path().join("Z.csv")).unwrap();
        let mut lines: Vec<String> = z.lines().map(str::to_owned).collect();
        // Second data line: its region cell gets a leading space.
        lines.push(lines[1].replacen("nan,", " Beijing,", 1));
        std::fs::write(dir.path().join("Z.csv"), lines.join("\n") + "\n").unwrap();
        let err = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(err.contains("Z.csv, line 3, column"), "{err}");
        assert!(err.contains("\" Beijing\""), "{err}");
        assert!(err.contains("white space"), "{err}");
    }

    #[test]
    fn unit_is_required_and_labels_must_be_known() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), 1, 1, &[1.0], &[2.0, 3.0], &[4.0]);
        std::fs::write(
            dir.path().join("emissions.csv"),
            "region,sector,value\nnan,s0,4\n",
        )
        .unwrap();
        let err = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("emissions.csv, line 1") && err.contains("no unit"),
            "{err}"
        );
        std::fs::write(
            dir.path().join("emissions.csv"),
            "region,sector,value[t]\nnan,s0,4\nHebei,s0,1\n",
        )
        .unwrap();
        let err = read_mrio_csv(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("line 3, column region") && err.contains("\"Hebei\""),
            "{err}"
        );
        assert!(err.contains("label sets differ"), "{err}");
    }
}
