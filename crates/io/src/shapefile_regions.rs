//! Region polygons from an ESRI Shapefile (`.shp` + `.shx` + `.dbf`, with `.prj` and `.cpg`).

use std::path::Path;

use fzc_core::{LonLat, PolygonRings, RegionId, RegionShape};
use geo::{Contains, Coord, LineString, Polygon};
use shapefile::dbase::FieldValue;
use shapefile::{PolygonRing, Shape};

use crate::{IoError, Location, ReprojectionEngine, Reprojector, WGS84_LONLAT};

/// Reads region polygons from a Shapefile of `Polygon` (or `PolygonZ`/`PolygonM`) records.
///
/// - The region id is the attribute `id_field` (text or number). Without `id_field`, a file
///   of one record is named by the file stem, and a file of several takes its ids from the
///   attribute `id`, then `name`, or is refused listing the attributes it has.
/// - Attribute text is decoded with the code page named in the `.cpg` file (via
///   `encoding_rs`), UTF-8 if there is none.
/// - A `.prj` describing a geographic (lon/lat) CRS on WGS84 or an equivalent datum
///   (WGS 84, CGCS2000) is read as is. Any other CRS (a projected one such as CGCS2000
///   Gauss–Krüger or UTM) is reprojected to WGS84 lon/lat by PROJ from the `.prj` WKT when
///   this crate is built with the `proj` cargo feature, and rejected otherwise (reproject to
///   EPSG:4326 first, e.g. `ogr2ogr -t_srs EPSG:4326`). Without a `.prj`, coordinates are
///   taken as WGS84 lon/lat if they are in range, with a warning.
/// - Shapefile exteriors are clockwise and holes counter-clockwise; rings are returned as
///   read and each hole is assigned to the exterior that contains it. The CSSF layer
///   orients rings before measuring.
///
/// Regions are returned sorted by id.
///
/// # Errors
/// [`IoError`] naming the file and the record index (0-based) when: a file cannot be read,
/// the CRS is not geographic WGS84-like, a record is not a polygon, the id attribute is
/// missing or empty, an id appears twice, or a coordinate is not a lon/lat in degrees.
pub fn read_shapefile_regions(
    path: &Path,
    id_field: Option<&str>,
) -> Result<Vec<(RegionId, RegionShape)>, IoError> {
    let at = || Location::file(path);
    let reprojector = check_prj(path)?;
    let encoding = check_cpg(path)?;
    check_record_sizes(path)?;
    let dbf = path.with_extension("dbf");
    let shapefile_error = |e: shapefile::Error, doing: &str| match e {
        shapefile::Error::DbaseError(d) => IoError::structure(
            Location::file(&dbf),
            format!("the attribute table cannot be read ({d}); is the .dbf truncated or damaged?"),
        ),
        shapefile::Error::MissingDbf => IoError::structure(
            Location::file(&dbf),
            "no attribute table: a Shapefile needs its .dbf beside the .shp",
        ),
        shapefile::Error::MissingIndexFile => IoError::structure(
            Location::file(&path.with_extension("shx")),
            "no index: a Shapefile needs its .shx beside the .shp",
        ),
        shapefile::Error::IoError(io) => IoError::os(path, io),
        other => IoError::structure(at(), format!("{doing}: {other}")),
    };
    let mut reader = shapefile::Reader::from_path(path)
        .map_err(|e| shapefile_error(e, "not a readable Shapefile"))?;
    let records = reader
        .read()
        .map_err(|e| shapefile_error(e, "reading records"))?;
    // Without an id field, several records take their ids from `id`, then `name` (as the
    // GeoJSON reader does); never one region named after the file for many records.
    let default_field;
    let id_field = match id_field {
        Some(field) => Some(field),
        None if records.len() == 1 => None,
        None => {
            let fields: Vec<String> = records
                .first()
                .map(|(_, r)| r.clone().into_iter().map(|(name, _)| name).collect())
                .unwrap_or_default();
            default_field = ["id", "name"]
                .into_iter()
                .find(|d| fields.iter().any(|f| f == d));
            match default_field {
                Some(field) => Some(field),
                None => {
                    return Err(IoError::structure(
                        Location::file(&dbf),
                        format!(
                            "{} records but no id field, and no attribute `id` or `name` to take \
                             it from; give the attribute that names the regions (--id-field); \
                             the table has: {}",
                            records.len(),
                            fields.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let mut out: Vec<(RegionId, usize, RegionShape)> = Vec::with_capacity(records.len());
    for (index, (shape, record)) in records.into_iter().enumerate() {
        let record_error =
            |message: String| IoError::structure(at(), format!("record {index}: {message}"));
        let id_text = match id_field {
            None => path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned(),
            Some(field) => match record.get(field) {
                Some(FieldValue::Character(Some(s))) | Some(FieldValue::Memo(s)) => {
                    s.trim().to_owned()
                }
                Some(FieldValue::Numeric(Some(v))) | Some(FieldValue::Double(v)) => number_text(*v),
                Some(FieldValue::Float(Some(v))) => number_text(f64::from(*v)),
                Some(FieldValue::Integer(v)) => v.to_string(),
                Some(other) => {
                    return Err(record_error(format!(
                        "id attribute `{field}` is {other:?}, expected text or a number"
                    )));
                }
                None => {
                    let known: Vec<String> =
                        record.clone().into_iter().map(|(name, _)| name).collect();
                    return Err(record_error(format!(
                        "no id attribute `{field}`; the table has: {}",
                        known.join(", ")
                    )));
                }
            },
        };
        if id_text.contains('\u{FFFD}') {
            return Err(IoError::structure(
                Location::file(&dbf),
                format!(
                    "record {index}: the id attribute does not decode as {encoding} ({}); \
                     give the code page the text was written in (e.g. GBK, 936) in the .cpg",
                    match encoding {
                        "UTF-8" if !path.with_extension("cpg").exists() => {
                            "the default, there is no .cpg"
                        }
                        _ => "declared in the .cpg",
                    }
                ),
            ));
        }
        let id = RegionId::new(id_text).map_err(|e| record_error(e.to_string()))?;
        let mut rings: Vec<Vec<(f64, f64, bool)>> = match shape {
            Shape::Polygon(p) => rings_of(p.rings(), |pt| (pt.x, pt.y)),
            Shape::PolygonM(p) => rings_of(p.rings(), |pt| (pt.x, pt.y)),
            Shape::PolygonZ(p) => rings_of(p.rings(), |pt| (pt.x, pt.y)),
            other => {
                return Err(record_error(format!(
                    "region `{id}` is a {} shape, expected a polygon",
                    other.shapetype()
                )));
            }
        };
        if let Some(reprojector) = &reprojector {
            for (x, y, _) in rings.iter_mut().flatten() {
                (*x, *y) = reprojector.convert(*x, *y).map_err(|why| {
                    record_error(format!(
                        "region `{id}`: vertex ({x}, {y}) cannot be reprojected to WGS84 \
                         lon/lat with PROJ: {why}"
                    ))
                })?;
            }
        }
        let shape = assemble(rings).map_err(|why| record_error(format!("region `{id}`: {why}")))?;
        if let Some((_, first, _)) = out.iter().find(|(other, _, _)| *other == id) {
            return Err(record_error(format!(
                "region id `{id}` appears twice (first in record {first}); ids must be unique"
            )));
        }
        out.push((id, index, shape));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(id, _, shape)| (id, shape)).collect())
}

/// The code page of the `.cpg` (or `UTF-8` without one); an unknown one is an error naming
/// the file and its text, where the `shapefile` crate would silently decode as something else.
fn check_cpg(path: &Path) -> Result<&'static str, IoError> {
    let cpg = path.with_extension("cpg");
    if !cpg.exists() {
        return Ok("UTF-8");
    }
    let bytes = std::fs::read(&cpg).map_err(|e| IoError::os(&cpg, e))?;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).into_owned();
    let name = text.trim().trim_start_matches('\u{feff}');
    match shapefile::dbase::encoding::DynEncoding::from_name(name) {
        Some(_) => Ok(encoding_label(name)),
        None => Err(IoError::value(
            Location::file(&cpg),
            name,
            "a code page fzc knows: UTF-8 (65001), GBK (936, CP936), Big5, Shift_JIS (932), \
             EUC-KR (949), windows-1250 to 1256 (or their numbers), latin1, or another \
             WHATWG encoding label",
        )),
    }
}

/// A short name of a known `.cpg` label, for messages.
fn encoding_label(name: &str) -> &'static str {
    match name.to_ascii_uppercase().as_str() {
        "UTF-8" | "UTF8" | "65001" => "UTF-8",
        "936" | "CP936" | "GBK" | "GB2312" | "GB18030" => "GBK",
        "932" | "CP932" | "SHIFT_JIS" | "SJIS" => "Shift_JIS",
        "949" | "CP949" | "EUC-KR" => "EUC-KR",
        "BIG5" | "950" => "Big5",
        _ => "the .cpg's code page",
    }
}

/// Checks every record of the `.shp` before the `shapefile` crate reads it: that crate
/// reserves memory for a record's parts and points from the counts in the record, so a
/// corrupt count (found by fuzzing: 2 GB for a 1 KB file) must be refused first. Each
/// record's header must fit the file, and a polygon's or polyline's part and point counts
/// must fit its stated content length.
fn check_record_sizes(path: &Path) -> Result<(), IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    let at = || Location::file(path);
    let i32_le = |o: usize| -> Option<i32> {
        Some(i32::from_le_bytes(bytes.get(o..o + 4)?.try_into().ok()?))
    };
    let i32_be = |o: usize| -> Option<i32> {
        Some(i32::from_be_bytes(bytes.get(o..o + 4)?.try_into().ok()?))
    };
    let mut offset = 100;
    let mut index = 0usize;
    // (offset, content length in bytes) of every record checked, for the `.shx` below.
    let mut checked: Vec<(usize, usize)> = Vec::new();
    while offset + 8 <= bytes.len() {
        let words = i32_be(offset + 4).unwrap_or(-1);
        let Ok(words) = usize::try_from(words) else {
            return Err(IoError::structure(
                at(),
                format!("record {index} at byte {offset}: negative content length {words}"),
            ));
        };
        let content = offset + 8;
        let length = words * 2;
        if content + length > bytes.len() {
            return Err(IoError::structure(
                at(),
                format!(
                    "record {index} at byte {offset}: content of {length} bytes runs past the \
                     end of the file ({} bytes); the file is truncated or corrupt",
                    bytes.len()
                ),
            ));
        }
        // Polylines and polygons (3, 5, 13, 15, 23, 25, 31): type, box, part count, point
        // count, parts, points. Multipoints (8, 18, 28): type, box, point count, points.
        let shape_type = i32_le(content).unwrap_or(0);
        let counts = match shape_type {
            3 | 5 | 13 | 15 | 23 | 25 | 31 => Some((
                i64::from(i32_le(content + 36).unwrap_or(-1)),
                i64::from(i32_le(content + 40).unwrap_or(-1)),
                44,
            )),
            8 | 18 | 28 => Some((0, i64::from(i32_le(content + 36).unwrap_or(-1)), 40)),
            _ => None,
        };
        if let Some((parts, points, fixed)) = counts {
            // A count that lies outside the record reads as -1: refused below.
            let (parts, points) = if length < fixed {
                (-1, -1)
            } else {
                (parts, points)
            };
            let needed = i64::try_from(fixed).unwrap_or(i64::MAX) + 4 * parts + 16 * points;
            if parts < 0 || points < 0 || needed > i64::try_from(length).unwrap_or(i64::MAX) {
                return Err(IoError::structure(
                    at(),
                    format!(
                        "record {index} at byte {offset}: {parts} parts and {points} points do \
                         not fit its {length} bytes of content; the file is corrupt"
                    ),
                ));
            }
            // Each part's start index must lie in 0..points, the first at 0, in order: the
            // crate sizes a part's points as the next start (or the point count) minus this
            // one, so a negative start (found by fuzzing: 0xB5000000) reserves 20 GB.
            let mut previous = 0i64;
            for k in 0..usize::try_from(parts).unwrap_or(0) {
                let start = i64::from(i32_le(content + fixed + 4 * k).unwrap_or(-1));
                let first_ok = k > 0 || start == 0;
                if !first_ok || start < previous || start >= points.max(1) {
                    return Err(IoError::structure(
                        at(),
                        format!(
                            "record {index} at byte {offset}: part {k} starts at point {start}; \
                             expected the first part at 0 and each start in order below the \
                             record's {points} points; the file is corrupt"
                        ),
                    ));
                }
                previous = start;
            }
        }
        checked.push((offset, length));
        offset = content + length;
        index += 1;
    }
    // The reader seeks to the records through the `.shx` index when there is one, so every
    // index entry must point at a record checked above (a corrupt offset could point into
    // the middle of a record, at bytes that read as huge counts).
    let shx = path.with_extension("shx");
    if let Ok(index_bytes) = std::fs::read(&shx) {
        let be = |o: usize| -> Option<i64> {
            Some(i64::from(i32::from_be_bytes(
                index_bytes.get(o..o + 4)?.try_into().ok()?,
            )))
        };
        let mut o = 100;
        let mut k = 0usize;
        while o + 8 <= index_bytes.len() {
            let (at_words, len_words) = (be(o).unwrap_or(-1), be(o + 4).unwrap_or(-1));
            let known = checked.iter().any(|&(off, len)| {
                i64::try_from(off).is_ok_and(|off| off == 2 * at_words)
                    && i64::try_from(len).is_ok_and(|len| len == 2 * len_words)
            });
            if !known {
                return Err(IoError::structure(
                    Location::file(&shx),
                    format!(
                        "index entry {k} points to byte {} ({} bytes), which is not a record \
                         of {}; the index is corrupt",
                        2 * at_words,
                        2 * len_words,
                        path.display()
                    ),
                ));
            }
            o += 8;
            k += 1;
        }
    }
    Ok(())
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn rings_of<P>(
    rings: &[PolygonRing<P>],
    xy: impl Fn(&P) -> (f64, f64),
) -> Vec<Vec<(f64, f64, bool)>> {
    rings
        .iter()
        .map(|ring| {
            let outer = matches!(ring, PolygonRing::Outer(_));
            ring.points()
                .iter()
                .map(|p| {
                    let (x, y) = xy(p);
                    (x, y, outer)
                })
                .collect()
        })
        .collect()
}

/// Groups rings into polygons: each hole goes to the first exterior containing its first
/// vertex (to the last exterior read if none does).
fn assemble(rings: Vec<Vec<(f64, f64, bool)>>) -> Result<RegionShape, String> {
    let mut parts: Vec<PolygonRings> = Vec::new();
    let mut outlines: Vec<Polygon<f64>> = Vec::new();
    let mut holes: Vec<Vec<LonLat>> = Vec::new();
    for ring in rings {
        let Some(&(_, _, outer)) = ring.first() else {
            continue;
        };
        let points: Vec<LonLat> = ring.iter().map(|&(x, y, _)| LonLat::new(x, y)).collect();
        if let Some(p) = points
            .iter()
            .find(|p| !(p.lon_deg.abs() <= 180.0 && p.lat_deg.abs() <= 90.0))
        {
            return Err(format!(
                "vertex ({}, {}) is not a lon/lat position in degrees (is the layer projected?)",
                p.lon_deg, p.lat_deg
            ));
        }
        if outer {
            outlines.push(Polygon::new(
                LineString::from(
                    points
                        .iter()
                        .map(|p| (p.lon_deg, p.lat_deg))
                        .collect::<Vec<_>>(),
                ),
                vec![],
            ));
            parts.push(PolygonRings {
                exterior: points,
                holes: vec![],
            });
        } else {
            holes.push(points);
        }
    }
    if parts.is_empty() {
        return Err("the polygon has no exterior ring".into());
    }
    for hole in holes {
        let probe = Coord {
            x: hole[0].lon_deg,
            y: hole[0].lat_deg,
        };
        let owner = outlines
            .iter()
            .position(|o| o.contains(&probe))
            .unwrap_or(parts.len() - 1);
        parts[owner].holes.push(hole);
    }
    Ok(RegionShape { parts })
}

/// Accepts a geographic WGS84-like `.prj` (`None`: no reprojection) or, with the `proj`
/// feature, any CRS PROJ reads (a reprojector to WGS84 lon/lat); warns if there is none.
fn check_prj(path: &Path) -> Result<Option<Reprojector>, IoError> {
    let prj = path.with_extension("prj");
    let text = match std::fs::read(&prj) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            IoError::value(
                Location::file(&prj),
                &format!(
                    "bytes that are not text (invalid UTF-8 at byte {})",
                    e.utf8_error().valid_up_to()
                ),
                "a WKT text describing the layer's CRS, e.g. GEOGCS[\"GCS_WGS_1984\", ...]",
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(
                "{}: no .prj file; coordinates are taken as WGS84 longitude/latitude",
                path.display()
            );
            return Ok(None);
        }
        Err(e) => return Err(IoError::os(&prj, e)),
    };
    let wkt = text.trim();
    let upper = wkt.to_ascii_uppercase();
    let geographic = upper.starts_with("GEOGCS[") || upper.starts_with("GEOGCRS[");
    let wgs84_like = [
        "WGS_1984",
        "WGS 84",
        "WGS84",
        "CGCS2000",
        "CGCS_2000",
        "WGS_84",
    ]
    .iter()
    .any(|name| upper.contains(name));
    if geographic && wgs84_like {
        return Ok(None);
    }
    if ReprojectionEngine::Proj.is_available() {
        return Reprojector::new(wkt, WGS84_LONLAT, ReprojectionEngine::Proj)
            .map(Some)
            .map_err(|e| {
                IoError::structure(
                    Location::file(&prj),
                    format!("PROJ cannot reproject this CRS to WGS84 lon/lat: {e}"),
                )
            });
    }
    let mut shown: String = wkt.chars().take(60).collect();
    if wkt.chars().count() > 60 {
        shown.push_str("...");
    }
    Err(IoError::value(
        Location::file(&prj),
        &shown,
        "a geographic CRS on WGS 84 (or CGCS2000), i.e. GEOGCS[\"GCS_WGS_1984\", ...]; \
         reproject the layer to EPSG:4326 first (e.g. ogr2ogr -t_srs EPSG:4326), or build fzc \
         with the `proj` cargo feature, whose PROJ engine reprojects it",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shapefile::dbase::{FieldName, Record, TableWriterBuilder};
    use shapefile::{Point, Polygon as ShpPolygon};

    fn write(dir: &Path, prj: Option<&str>) -> std::path::PathBuf {
        write_with_field(dir, prj, "name")
    }

    fn write_with_field(dir: &Path, prj: Option<&str>, field: &str) -> std::path::PathBuf {
        let path = dir.join("cities.shp");
        let table =
            TableWriterBuilder::new().add_character_field(FieldName::try_from(field).unwrap(), 20);
        let mut writer = shapefile::Writer::from_path(&path, table).unwrap();
        // Clockwise exterior with a counter-clockwise hole, as shapefiles store them.
        let outer = vec![
            Point::new(116.0, 39.0),
            Point::new(116.0, 40.0),
            Point::new(117.0, 40.0),
            Point::new(117.0, 39.0),
            Point::new(116.0, 39.0),
        ];
        let hole = vec![
            Point::new(116.4, 39.4),
            Point::new(116.6, 39.4),
            Point::new(116.6, 39.6),
            Point::new(116.4, 39.6),
            Point::new(116.4, 39.4),
        ];
        for (name, dx) in [("唐山", 0.0), ("beijing", 2.0)] {
            let shift = |pts: &Vec<Point>| {
                pts.iter()
                    .map(|p| Point::new(p.x + dx, p.y))
                    .collect::<Vec<_>>()
            };
            let polygon = ShpPolygon::with_rings(vec![
                PolygonRing::Outer(shift(&outer)),
                PolygonRing::Inner(shift(&hole)),
            ]);
            let mut record = Record::default();
            record.insert(
                field.to_owned(),
                FieldValue::Character(Some(name.to_owned())),
            );
            writer.write_shape_and_record(&polygon, &record).unwrap();
        }
        drop(writer);
        std::fs::write(dir.join("cities.cpg"), "UTF-8").unwrap();
        if let Some(prj) = prj {
            std::fs::write(dir.join("cities.prj"), prj).unwrap();
        }
        path
    }

    const WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

    /// Issue 10, found by fuzzing: a record whose part count does not fit its content made
    /// the `shapefile` crate reserve gigabytes; it is refused before that crate reads it.
    #[test]
    fn a_part_count_beyond_the_record_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), None);
        assert!(read_shapefile_regions(&path, Some("name")).is_ok());
        let mut bytes = std::fs::read(&path).unwrap();
        // First record: 8-byte header at 100, then type (4), box (32), parts at +36.
        bytes[100 + 8 + 36..100 + 8 + 40].copy_from_slice(&500_000_000i32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let message = read_shapefile_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("cities.shp") && message.contains("500000000 parts"),
            "{message}"
        );
        // A content length past the end of the file.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[100 + 8 + 36..100 + 8 + 40].copy_from_slice(&2i32.to_le_bytes());
        bytes[104..108].copy_from_slice(&1_000_000i32.to_be_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let message = read_shapefile_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("runs past the end"), "{message}");
    }

    /// Issue 10, found by fuzzing (`oom-5754…`): counts that fit the record but a negative
    /// part start made the crate size the last part as 5 − (−1.26·10⁹) points (20 GB).
    #[test]
    fn a_part_start_outside_the_points_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), None);
        let good = std::fs::read(&path).unwrap();
        // First record: 8-byte header at 100, then type (4), box (32), counts (8), parts at +44.
        let part0 = 100 + 8 + 44;
        for (start, shown) in [(-1_258_291_200i32, "-1258291200"), (1, "starts at point 1")] {
            let mut bytes = good.clone();
            bytes[part0..part0 + 4].copy_from_slice(&start.to_le_bytes());
            std::fs::write(&path, &bytes).unwrap();
            let message = read_shapefile_regions(&path, Some("name"))
                .unwrap_err()
                .to_string();
            assert!(
                message.contains("cities.shp")
                    && message.contains("part 0")
                    && message.contains(shown),
                "{message}"
            );
        }
    }

    #[test]
    fn a_prj_that_is_not_text_is_an_error_not_a_missing_prj() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), None);
        std::fs::write(dir.path().join("cities.prj"), b"PROJCS[\"x\"],\x00\xba\x00").unwrap();
        let message = read_shapefile_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("cities.prj") && message.contains("not text"),
            "{message}"
        );
    }

    #[test]
    fn polygons_ids_and_holes_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), Some(WGS84));
        let regions = read_shapefile_regions(&path, Some("name")).unwrap();
        let ids: Vec<&str> = regions.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["beijing", "唐山"]);
        let shape = &regions[1].1;
        assert_eq!(shape.parts.len(), 1);
        assert_eq!(shape.parts[0].holes.len(), 1);
        assert_eq!(shape.parts[0].exterior[1], LonLat::new(116.0, 40.0));
        let err = read_shapefile_regions(&path, Some("code"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cities.shp") && err.contains("record 0: no id attribute `code`"),
            "{err}"
        );
        // Without --id-field, the `name` attribute names the regions (never one region).
        let by_default = read_shapefile_regions(&path, None).unwrap();
        assert_eq!(by_default.len(), 2);
        assert_eq!(by_default[1].0.as_str(), "唐山");
    }

    #[test]
    fn several_records_without_id_or_name_are_refused_listing_the_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_with_field(dir.path(), Some(WGS84), "code");
        let err = read_shapefile_regions(&path, None).unwrap_err().to_string();
        assert!(
            err.contains("cities.dbf")
                && err.contains("2 records but no id field")
                && err.contains("the table has: code"),
            "{err}"
        );
        assert_eq!(
            read_shapefile_regions(&path, Some("code")).unwrap().len(),
            2
        );
    }

    #[cfg(not(feature = "proj"))]
    #[test]
    fn a_projected_crs_is_rejected_with_the_remedy() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            Some(r#"PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984"]]"#),
        );
        let err = read_shapefile_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cities.prj")
                && err.contains("EPSG:4326")
                && err.contains("`proj` cargo feature"),
            "{err}"
        );
    }

    #[cfg(feature = "proj")]
    #[test]
    fn a_prj_that_proj_cannot_read_is_rejected_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), Some(r#"PROJCS["broken",GEOGCS["nothing"]]"#));
        let err = read_shapefile_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cities.prj") && err.contains("PROJ cannot reproject"),
            "{err}"
        );
    }
}
