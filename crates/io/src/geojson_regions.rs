//! Region polygons from GeoJSON: one FeatureCollection, or a folder of one-region files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fzc_core::{LonLat, PolygonRings, RegionId, RegionShape};
use serde_json::Value;

use crate::{IoError, Location};

/// Reads region polygons from GeoJSON (RFC 7946, WGS84 lon/lat degrees).
///
/// `path` is either
/// - a file holding a `FeatureCollection` (or a single `Feature`) of `Polygon` /
///   `MultiPolygon` features, with the region id in the property `id_field`; or
/// - a folder of such files (`*.geojson`, `*.json`, read in name order). Without `id_field`,
///   each file is one region named by its file stem, and all features of the file are its
///   parts (this is the layout of the BTH boundaries folder).
///
/// A lone file of several features read without `id_field` takes its ids from the property
/// `id`, or else `name` (`DEFAULT_ID_PROPERTIES`), when every feature has it, and is refused
/// (listing the properties) otherwise; a lone file of one feature is one region named by its
/// file stem. Numeric ids are
/// written as their JSON text. Regions are returned sorted by id; ring orientation is left as
/// read (the CSSF layer orients rings before measuring).
///
/// # Errors
/// [`IoError`] naming the file and the feature index (0-based) when: the file is not
/// GeoJSON, a feature has no geometry or a geometry other than (Multi)Polygon, a coordinate
/// is not a number pair, the id property is missing or not a valid id, or an id appears twice.
pub fn read_geojson_regions(
    path: &Path,
    id_field: Option<&str>,
) -> Result<Vec<(RegionId, RegionShape)>, IoError> {
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| IoError::os(path, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("geojson" | "json")
                    )
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(IoError::structure(
                Location::file(path),
                "the folder holds no .geojson or .json file",
            ));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    // id -> (file, feature index, shape)
    let mut regions: BTreeMap<RegionId, (PathBuf, usize, RegionShape)> = BTreeMap::new();
    for file in &files {
        for (id, index, shape) in read_file(file, id_field, files.len() == 1 && !path.is_dir())? {
            if let Some((first_file, first_index, existing)) = regions.get_mut(&id) {
                if id_field.is_none() && path.is_dir() && first_file == file {
                    existing.parts.extend(shape.parts);
                    continue;
                }
                return Err(IoError::structure(
                    Location::file(file),
                    format!(
                        "feature {index}: region id `{id}` appears twice (first in {}, feature {first_index}); ids must be unique",
                        first_file.display()
                    ),
                ));
            }
            regions.insert(id, (file.clone(), index, shape));
        }
    }
    Ok(regions
        .into_iter()
        .map(|(id, (_, _, shape))| (id, shape))
        .collect())
}

/// The id properties tried, in order, for a FeatureCollection file of several features read
/// without an id field.
pub const DEFAULT_ID_PROPERTIES: [&str; 2] = ["id", "name"];

/// The id property of a lone file of several features read without `--id-field`: the first of
/// [`DEFAULT_ID_PROPERTIES`] every feature has; otherwise an error listing the candidates.
/// Merging the features into one region named after the file would silently lose regions.
fn default_id_field(file: &Path, features: &[&Value]) -> Result<&'static str, IoError> {
    let props = |f: &Value| f.get("properties").and_then(Value::as_object).cloned();
    if let Some(field) = DEFAULT_ID_PROPERTIES.into_iter().find(|field| {
        features
            .iter()
            .all(|f| props(f).is_some_and(|p| p.contains_key(*field)))
    }) {
        return Ok(field);
    }
    let mut candidates: Vec<String> = features
        .iter()
        .filter_map(|f| props(f))
        .flat_map(|p| p.keys().cloned().collect::<Vec<_>>())
        .collect();
    candidates.sort();
    candidates.dedup();
    Err(IoError::structure(
        Location::file(file),
        format!(
            "{} features and no id field: expected every feature to have an `id` or `name` \
             property, or --id-field (scenario: id_field) naming one of: {}",
            features.len(),
            if candidates.is_empty() {
                "(the features have no properties)".to_owned()
            } else {
                candidates.join(", ")
            }
        ),
    ))
}

fn read_file(
    file: &Path,
    id_field: Option<&str>,
    lone_file: bool,
) -> Result<Vec<(RegionId, usize, RegionShape)>, IoError> {
    let text = std::fs::read_to_string(file).map_err(|e| IoError::os(file, e))?;
    let at = || Location::file(file);
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| IoError::structure(at(), format!("not valid JSON: {e}")))?;
    let features: Vec<&Value> = match json.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => json
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                IoError::structure(at(), "a FeatureCollection without a `features` array")
            })?
            .iter()
            .collect(),
        Some("Feature") => vec![&json],
        other => {
            return Err(IoError::structure(
                at(),
                format!(
                    "GeoJSON type {other:?}, expected \"FeatureCollection\" or \"Feature\" of (Multi)Polygons"
                ),
            ));
        }
    };
    let stem = || {
        file.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned()
    };
    let id_field = match id_field {
        None if lone_file && features.len() > 1 => Some(default_id_field(file, &features)?),
        other => other,
    };
    let mut out = Vec::with_capacity(features.len());
    for (index, feature) in features.into_iter().enumerate() {
        let feature_error =
            |message: String| IoError::structure(at(), format!("feature {index}: {message}"));
        let id_text = match id_field {
            None => stem(),
            Some(field) => {
                let properties = feature.get("properties").and_then(Value::as_object);
                match properties.and_then(|p| p.get(field)) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(other) => {
                        return Err(feature_error(format!(
                            "id property `{field}` is {other}, expected a string or a number"
                        )));
                    }
                    None => {
                        let known: Vec<&str> = properties
                            .map(|p| p.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        return Err(feature_error(format!(
                            "no id property `{field}`; the feature has: {}",
                            if known.is_empty() {
                                "no properties".to_owned()
                            } else {
                                known.join(", ")
                            }
                        )));
                    }
                }
            }
        };
        let id = RegionId::new(id_text).map_err(|e| feature_error(e.to_string()))?;
        let geometry = feature
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| feature_error(format!("region `{id}` has no geometry")))?;
        let shape =
            shape_of(geometry).map_err(|why| feature_error(format!("region `{id}`: {why}")))?;
        out.push((id, index, shape));
    }
    Ok(out)
}

fn shape_of(geometry: &Value) -> Result<RegionShape, String> {
    let kind = geometry.get("type").and_then(Value::as_str);
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| format!("geometry {kind:?} has no coordinates"))?;
    let parts = match kind {
        Some("Polygon") => vec![polygon(coordinates)?],
        Some("MultiPolygon") => coordinates
            .as_array()
            .ok_or("MultiPolygon coordinates are not an array")?
            .iter()
            .map(polygon)
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "geometry type {other:?}, expected \"Polygon\" or \"MultiPolygon\""
            ));
        }
    };
    Ok(RegionShape { parts })
}

fn polygon(rings: &Value) -> Result<PolygonRings, String> {
    let rings = rings.as_array().ok_or("polygon rings are not an array")?;
    let mut rings = rings.iter().map(ring);
    let exterior = rings.next().ok_or("a polygon without rings")??;
    let holes = rings.collect::<Result<_, _>>()?;
    Ok(PolygonRings { exterior, holes })
}

fn ring(points: &Value) -> Result<Vec<LonLat>, String> {
    points
        .as_array()
        .ok_or("a ring is not an array of positions")?
        .iter()
        .map(|p| {
            let pair = p.as_array().filter(|a| a.len() >= 2);
            match pair.map(|a| (a[0].as_f64(), a[1].as_f64())) {
                Some((Some(lon), Some(lat))) => Ok(LonLat::new(lon, lat)),
                _ => Err(format!("position {p} is not [lon, lat] in numbers")),
            }
        })
        .collect()
}

/// Region polygons from either format fzc reads: a Shapefile when `path` ends in `.shp`
/// ([`crate::read_shapefile_regions`]), else GeoJSON ([`read_geojson_regions`]).
///
/// # Errors
/// As the reader of the format.
pub fn read_regions(
    path: &Path,
    id_field: Option<&str>,
) -> Result<Vec<(RegionId, RegionShape)>, IoError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
    {
        crate::read_shapefile_regions(path, id_field)
    } else {
        read_geojson_regions(path, id_field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const SQUARE: &str = "[[[116,39],[117,39],[117,40],[116,40],[116,39]]]";

    #[test]
    fn a_collection_with_an_id_field_is_read_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"code":"b"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}},
            {{"type":"Feature","properties":{{"code":7}},"geometry":{{"type":"MultiPolygon","coordinates":[{SQUARE},{SQUARE}]}}}}]}}"#
        );
        let path = write(dir.path(), "r.geojson", &text);
        let regions = read_geojson_regions(&path, Some("code")).unwrap();
        let ids: Vec<&str> = regions.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["7", "b"]);
        assert_eq!(regions[0].1.parts.len(), 2);
        assert_eq!(regions[1].1.parts[0].exterior.len(), 5);
    }

    #[test]
    fn a_folder_names_regions_by_file_stem() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["tianjin", "beijing"] {
            write(
                dir.path(),
                &format!("{name}.geojson"),
                &format!(
                    r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
                ),
            );
        }
        write(dir.path(), "notes.txt", "ignored");
        let regions = read_geojson_regions(dir.path(), None).unwrap();
        let ids: Vec<&str> = regions.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["beijing", "tianjin"]);
    }

    #[test]
    fn bad_features_are_named_by_file_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let feature = |code: &str, geometry: &str| {
            format!(
                r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{geometry}}}"#
            )
        };
        let poly = format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#);
        let cases = [
            (
                vec![feature("a", &poly), feature("a", &poly)],
                "feature 1: region id `a` appears twice",
            ),
            (
                vec![feature("a", r#"{"type":"Point","coordinates":[1,2]}"#)],
                "feature 0: region `a`: geometry type Some(\"Point\")",
            ),
            (
                vec![feature("a", "null")],
                "feature 0: region `a` has no geometry",
            ),
        ];
        for (features, expected) in cases {
            let path = write(
                dir.path(),
                "bad.geojson",
                &format!(
                    r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                    features.join(",")
                ),
            );
            let err = read_geojson_regions(&path, Some("code"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("bad.geojson") && err.contains(expected),
                "{err}"
            );
        }
        let path = write(
            dir.path(),
            "bad.geojson",
            &format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                feature("a", &poly)
            ),
        );
        let err = read_geojson_regions(&path, Some("name"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("feature 0: no id property `name`; the feature has: code"),
            "{err}"
        );
    }
}
