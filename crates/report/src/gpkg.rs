//! A minimal GeoPackage 1.3 writer for vector layers (no extensions, no spatial index).
//!
//! It writes what GDAL needs to open a vector GeoPackage: the `application_id` `GPKG` and
//! `user_version` 10300, `gpkg_spatial_ref_sys` (with EPSG:4326), `gpkg_contents`,
//! `gpkg_geometry_columns`, and one feature table per layer whose geometry blobs are the
//! GeoPackage binary header (magic `GP`, version 0, little-endian, srs id, xy envelope for
//! everything but points) followed by ISO WKB.
//!
//! Determinism: the page size is fixed (4096), every statement runs in one transaction in a
//! fixed order, and `gpkg_contents.last_change` is a fixed timestamp
//! ([`FIXED_LAST_CHANGE`]) rather than the time of writing. With the same bundled SQLite the
//! file is byte-identical from run to run; a different SQLite version may store the same
//! content in different bytes (its version number sits in the file header).

use std::path::Path;

use geo::{BoundingRect, Coord, Geometry, LineString, Polygon, Rect};
use rusqlite::{Connection, params_from_iter, types::Value};

use crate::ReportError;

/// The `last_change` written for every layer: fixed so that the file is reproducible.
pub const FIXED_LAST_CHANGE: &str = "2000-01-01T00:00:00.000Z";

/// WGS84 geographic 2D, as OGC WKT 1 (what GDAL writes for EPSG:4326).
const WKT_4326: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

/// The type of an attribute column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// UTF-8 text.
    Text,
    /// 64-bit float.
    Real,
    /// 64-bit integer.
    Integer,
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A float (non-finite values are written as NULL).
    Real(f64),
    /// An integer.
    Integer(i64),
    /// Missing.
    Null,
}

/// The geometry type of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Points.
    Point,
    /// Line strings.
    LineString,
    /// Multi-polygons.
    MultiPolygon,
}

impl GeometryKind {
    fn sql_name(self) -> &'static str {
        match self {
            GeometryKind::Point => "POINT",
            GeometryKind::LineString => "LINESTRING",
            GeometryKind::MultiPolygon => "MULTIPOLYGON",
        }
    }
}

/// One feature: a geometry (lon/lat, EPSG:4326) and one value per field.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The geometry; its type must match the layer's [`GeometryKind`].
    pub geometry: Geometry<f64>,
    /// One value per field of the layer, in field order.
    pub values: Vec<FieldValue>,
}

/// A vector layer: the same model feeds the GeoPackage and the GeoJSON writers.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Table name (`[a-z_]+`).
    pub name: String,
    /// Geometry type.
    pub kind: GeometryKind,
    /// Attribute columns, in order.
    pub fields: Vec<(String, FieldType)>,
    /// Features, in output order.
    pub features: Vec<Feature>,
}

impl Layer {
    /// The layer's lon/lat extent, if it has any coordinates.
    pub fn extent(&self) -> Option<Rect<f64>> {
        let mut it = self
            .features
            .iter()
            .filter_map(|f| f.geometry.bounding_rect());
        let first = it.next()?;
        Some(it.fold(first, |a, b| {
            Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        }))
    }
}

/// Writes `layers` as a new GeoPackage at `path`, atomically: the database is built in a
/// temporary file in the same folder and renamed over `path` when complete.
///
/// # Errors
/// [`ReportError::Sqlite`] when SQLite refuses a statement, [`ReportError::Input`] when a
/// feature's geometry does not match its layer or its value count differs from the fields,
/// [`ReportError::Os`] when the file cannot be created or renamed.
pub fn write_geopackage(path: &Path, layers: &[Layer]) -> Result<(), ReportError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let os = |source| ReportError::Os {
        path: path.to_path_buf(),
        source,
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".results-").suffix(".gpkg.tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode, as for any newly created file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(os)?;
    {
        let sql = |layer: &str| {
            let layer = layer.to_string();
            move |source: rusqlite::Error| ReportError::Sqlite {
                path: path.to_path_buf(),
                layer: layer.clone(),
                source,
            }
        };
        let mut conn = Connection::open(tmp.path()).map_err(sql("schema"))?;
        conn.execute_batch(
            "PRAGMA page_size = 4096;
             PRAGMA application_id = 1196444487;
             PRAGMA user_version = 10300;",
        )
        .map_err(sql("schema"))?;
        let tx = conn.transaction().map_err(sql("schema"))?;
        tx.execute_batch(SCHEMA).map_err(sql("schema"))?;
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, \
             'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
            [WKT_4326],
        )
        .map_err(sql("schema"))?;
        for layer in layers {
            write_layer(&tx, layer).map_err(|e| match e {
                LayerError::Sql(source) => ReportError::Sqlite {
                    path: path.to_path_buf(),
                    layer: layer.name.clone(),
                    source,
                },
                LayerError::Input(what) => ReportError::Input {
                    what: format!("GeoPackage layer `{}`: {what}", layer.name),
                },
            })?;
        }
        tx.commit().map_err(sql("commit"))?;
        conn.close().map_err(|(_, e)| e).map_err(sql("close"))?;
    }
    tmp.persist(path).map_err(|e| os(e.error))?;
    Ok(())
}

const SCHEMA: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
";

enum LayerError {
    Sql(rusqlite::Error),
    Input(String),
}

impl From<rusqlite::Error> for LayerError {
    fn from(e: rusqlite::Error) -> Self {
        LayerError::Sql(e)
    }
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn write_layer(tx: &rusqlite::Transaction<'_>, layer: &Layer) -> Result<(), LayerError> {
    let mut cols = vec![
        "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_string(),
        format!("geom {}", layer.kind.sql_name()),
    ];
    for (name, ty) in &layer.fields {
        let t = match ty {
            FieldType::Text => "TEXT",
            FieldType::Real => "REAL",
            FieldType::Integer => "INTEGER",
        };
        cols.push(format!("{} {t}", quote(name)));
    }
    tx.execute_batch(&format!(
        "CREATE TABLE {} ({});",
        quote(&layer.name),
        cols.join(", ")
    ))?;
    let ext = layer.extent();
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, \
         min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, 4326)",
        rusqlite::params![
            layer.name,
            FIXED_LAST_CHANGE,
            ext.map(|r| r.min().x),
            ext.map(|r| r.min().y),
            ext.map(|r| r.max().x),
            ext.map(|r| r.max().y),
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        rusqlite::params![layer.name, layer.kind.sql_name()],
    )?;
    let mut names = vec!["geom".to_string()];
    names.extend(layer.fields.iter().map(|(n, _)| quote(n)));
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut stmt = tx.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(&layer.name),
        names.join(", "),
        placeholders.join(", ")
    ))?;
    for (i, f) in layer.features.iter().enumerate() {
        if f.values.len() != layer.fields.len() {
            return Err(LayerError::Input(format!(
                "feature {} has {} values, expected {} (one per field)",
                i + 1,
                f.values.len(),
                layer.fields.len()
            )));
        }
        let blob = gpkg_blob(&f.geometry, layer.kind).ok_or_else(|| {
            LayerError::Input(format!(
                "feature {} geometry is not a {}",
                i + 1,
                layer.kind.sql_name()
            ))
        })?;
        let mut row: Vec<Value> = vec![Value::Blob(blob)];
        row.extend(f.values.iter().map(|v| match v {
            FieldValue::Text(s) => Value::Text(s.clone()),
            FieldValue::Real(x) if x.is_finite() => Value::Real(*x),
            FieldValue::Real(_) | FieldValue::Null => Value::Null,
            FieldValue::Integer(n) => Value::Integer(*n),
        }));
        stmt.execute(params_from_iter(row))?;
    }
    Ok(())
}

/// The GeoPackage geometry blob of `g` (header + ISO WKB), or `None` if `g` is not of the
/// layer's kind.
pub fn gpkg_blob(g: &Geometry<f64>, kind: GeometryKind) -> Option<Vec<u8>> {
    let mut wkb = Vec::new();
    match (g, kind) {
        (Geometry::Point(p), GeometryKind::Point) => {
            wkb_header(&mut wkb, 1);
            coord(&mut wkb, p.0);
        }
        (Geometry::LineString(ls), GeometryKind::LineString) => {
            wkb_header(&mut wkb, 2);
            ring(&mut wkb, ls);
        }
        (Geometry::MultiPolygon(mp), GeometryKind::MultiPolygon) => {
            wkb_header(&mut wkb, 6);
            u32le(&mut wkb, mp.0.len());
            for p in mp.iter() {
                polygon(&mut wkb, p);
            }
        }
        (Geometry::Polygon(p), GeometryKind::MultiPolygon) => {
            wkb_header(&mut wkb, 6);
            u32le(&mut wkb, 1);
            polygon(&mut wkb, p);
        }
        _ => return None,
    }
    let mut out = Vec::with_capacity(wkb.len() + 40);
    out.extend_from_slice(b"GP");
    out.push(0); // version 1.0 of the binary format
    let envelope = kind != GeometryKind::Point;
    // bit 0: little-endian; bits 1-3: envelope 1 = [minx, maxx, miny, maxy].
    out.push(if envelope { 0b0000_0011 } else { 0b0000_0001 });
    out.extend_from_slice(&4326i32.to_le_bytes());
    if envelope {
        let r = g.bounding_rect()?;
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.extend_from_slice(&wkb);
    Some(out)
}

fn wkb_header(out: &mut Vec<u8>, ty: u32) {
    out.push(1);
    out.extend_from_slice(&ty.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn ring(out: &mut Vec<u8>, ls: &LineString<f64>) {
    u32le(out, ls.0.len());
    for c in &ls.0 {
        coord(out, *c);
    }
}

fn polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
    wkb_header(out, 3);
    u32le(out, 1 + p.interiors().len());
    ring(out, p.exterior());
    for h in p.interiors() {
        ring(out, h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Point};
    use proptest::prelude::*;

    /// Decodes the header and a WKB line string (test-side, independent of the writer).
    fn decode_line(blob: &[u8]) -> (i32, [f64; 4], Vec<(f64, f64)>) {
        assert_eq!(&blob[..2], b"GP");
        assert_eq!(blob[3], 0b11);
        let srs = i32::from_le_bytes(blob[4..8].try_into().unwrap());
        let f = |i: usize| f64::from_le_bytes(blob[i..i + 8].try_into().unwrap());
        let env = [f(8), f(16), f(24), f(32)];
        let w = &blob[40..];
        assert_eq!(w[0], 1);
        assert_eq!(u32::from_le_bytes(w[1..5].try_into().unwrap()), 2);
        let n = u32::from_le_bytes(w[5..9].try_into().unwrap()) as usize;
        let pts = (0..n)
            .map(|k| {
                let o = 9 + 16 * k;
                (
                    f64::from_le_bytes(w[o..o + 8].try_into().unwrap()),
                    f64::from_le_bytes(w[o + 8..o + 16].try_into().unwrap()),
                )
            })
            .collect();
        (srs, env, pts)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A line's blob round-trips its coordinates, and its envelope is their min/max.
        #[test]
        fn line_blob_round_trips(pts in prop::collection::vec((-180.0f64..180.0, -90.0f64..90.0), 2..20)) {
            let ls = LineString::from(pts.clone());
            let blob = gpkg_blob(&Geometry::LineString(ls), GeometryKind::LineString).unwrap();
            let (srs, env, back) = decode_line(&blob);
            prop_assert_eq!(srs, 4326);
            prop_assert_eq!(back, pts.clone());
            let minx = pts.iter().map(|p| p.0).fold(f64::MAX, f64::min);
            let maxy = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            prop_assert_eq!(env[0], minx);
            prop_assert_eq!(env[3], maxy);
        }
    }

    #[test]
    fn wrong_geometry_kind_is_refused() {
        let p = Geometry::Point(Point::new(1.0, 2.0));
        assert!(gpkg_blob(&p, GeometryKind::LineString).is_none());
        let blob = gpkg_blob(&p, GeometryKind::Point).unwrap();
        // Header without envelope (8 bytes) + 21 bytes of WKB point.
        assert_eq!(blob.len(), 8 + 21);
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use geo::{LineString, MultiPolygon, Point, polygon};

    fn layers() -> Vec<Layer> {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 0.0, y: 0.0)];
        vec![
            Layer {
                name: "regions".into(),
                kind: GeometryKind::MultiPolygon,
                fields: vec![
                    ("region".into(), FieldType::Text),
                    ("x".into(), FieldType::Real),
                ],
                features: vec![Feature {
                    geometry: Geometry::MultiPolygon(MultiPolygon(vec![square])),
                    values: vec![FieldValue::Text("a".into()), FieldValue::Real(f64::NAN)],
                }],
            },
            Layer {
                name: "lines".into(),
                kind: GeometryKind::LineString,
                fields: vec![("n".into(), FieldType::Integer)],
                features: vec![Feature {
                    geometry: Geometry::LineString(LineString::from(vec![(0.0, 0.0), (3.0, 4.0)])),
                    values: vec![FieldValue::Integer(7)],
                }],
            },
            Layer {
                name: "points".into(),
                kind: GeometryKind::Point,
                fields: vec![],
                features: vec![Feature {
                    geometry: Geometry::Point(Point::new(5.0, 6.0)),
                    values: vec![],
                }],
            },
        ]
    }

    /// The GeoPackage gets the mode a plain `File::create` gets under the same umask, like
    /// every other output (not a fixed 0644): checked in a child process under umask 027,
    /// where 0644 and the umask's 0640 differ.
    #[cfg(unix)]
    #[test]
    fn the_geopackage_gets_the_umask_mode() {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask 027 && exec '{}' --exact gpkg::file_tests::umask_child --include-ignored --nocapture",
                exe.display()
            ))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[cfg(unix)]
    #[test]
    #[ignore = "run by the_geopackage_gets_the_umask_mode under umask 027"]
    fn umask_child() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("results.gpkg");
        write_geopackage(&path, &layers()).unwrap_or_else(|e| panic!("{e}"));
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o640, "mode {mode:o}");
    }

    #[test]
    fn gpkg_has_the_required_tables_and_is_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.gpkg");
        let b = dir.path().join("b.gpkg");
        write_geopackage(&a, &layers()).unwrap();
        write_geopackage(&b, &layers()).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let conn = Connection::open(&a).unwrap();
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, 0x4750_4B47);
        let uv: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(uv, 10300);
        let contents: Vec<(String, f64, f64)> = conn
            .prepare("SELECT table_name, min_x, max_y FROM gpkg_contents ORDER BY table_name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            contents,
            vec![
                ("lines".to_string(), 0.0, 4.0),
                ("points".to_string(), 5.0, 6.0),
                ("regions".to_string(), 0.0, 1.0)
            ]
        );
        let geom_types: Vec<String> = conn
            .prepare("SELECT geometry_type_name FROM gpkg_geometry_columns ORDER BY table_name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(geom_types, ["LINESTRING", "POINT", "MULTIPOLYGON"]);
        // NaN became NULL; the integer survived.
        let x: Option<f64> = conn
            .query_row("SELECT x FROM regions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, None);
        let n: i64 = conn
            .query_row("SELECT n FROM lines", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 7);
    }

    #[test]
    fn a_feature_of_the_wrong_shape_names_its_layer() {
        let mut l = layers();
        l[1].features[0].values.clear();
        let dir = tempfile::tempdir().unwrap();
        let err = write_geopackage(&dir.path().join("x.gpkg"), &l)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`lines`") && err.contains("expected 1"),
            "{err}"
        );
    }
}
