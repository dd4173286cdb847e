//! GeoJSON (RFC 7946) output of a [`Layer`]: one FeatureCollection per layer.
//!
//! Coordinates are WGS84 lon/lat (RFC 7946 has no `crs` member). Properties carry the same
//! fields as the GeoPackage layer; non-finite reals and missing values are `null`. Numbers are
//! written by serde_json (shortest round-trip form), so the bytes are deterministic.

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::{Map, Value, json};

use crate::gpkg::{FieldValue, Layer};

fn c(c: &Coord<f64>) -> Value {
    json!([c.x, c.y])
}

fn line(ls: &LineString<f64>) -> Value {
    Value::Array(ls.coords().map(c).collect())
}

fn poly(p: &Polygon<f64>) -> Value {
    let mut rings = vec![line(p.exterior())];
    rings.extend(p.interiors().iter().map(line));
    Value::Array(rings)
}

fn geometry(g: &Geometry<f64>) -> Value {
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": c(&p.0)}),
        Geometry::LineString(ls) => json!({"type": "LineString", "coordinates": line(ls)}),
        Geometry::Polygon(p) => json!({"type": "MultiPolygon", "coordinates": [poly(p)]}),
        Geometry::MultiPolygon(mp) => json!({
            "type": "MultiPolygon",
            "coordinates": Value::Array(mp.iter().map(poly).collect()),
        }),
        _ => Value::Null,
    }
}

/// The layer as a GeoJSON FeatureCollection (pretty-printed, trailing newline).
pub fn layer_geojson(layer: &Layer) -> String {
    let features: Vec<Value> = layer
        .features
        .iter()
        .map(|f| {
            let mut props = Map::new();
            for ((name, _), v) in layer.fields.iter().zip(&f.values) {
                let v = match v {
                    FieldValue::Text(s) => Value::String(s.clone()),
                    FieldValue::Real(x) => serde_json::Number::from_f64(*x)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                    FieldValue::Integer(n) => json!(n),
                    FieldValue::Null => Value::Null,
                };
                props.insert(name.clone(), v);
            }
            json!({"type": "Feature", "properties": props, "geometry": geometry(&f.geometry)})
        })
        .collect();
    let fc = json!({"type": "FeatureCollection", "name": layer.name, "features": features});
    let mut s = serde_json::to_string_pretty(&fc).unwrap_or_default();
    s.push('\n');
    s
}
