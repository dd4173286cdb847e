//! The four result layers (`regions`, `ect_flows`, `cssf_flows`, `cores`) built from a
//! [`ReportInput`], shared by the GeoPackage and the GeoJSON outputs.
//!
//! Flow lines run straight (in lon/lat) from the first region's core to the second's. A core
//! is the given one, or else a point inside the region's largest polygon (its centroid if
//! inside, else an interior point); the `cores` layer says which (`core_source`).

use geo::{Geometry, LineString, Point};

use crate::figures::core_and_source;
use crate::gpkg::{Feature, FieldType, FieldValue, GeometryKind, Layer};
use crate::model::{LedgerLayer, ReportInput};

fn real(x: f64) -> FieldValue {
    FieldValue::Real(x)
}

fn opt(x: Option<f64>) -> FieldValue {
    x.map_or(FieldValue::Null, FieldValue::Real)
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.to_string())
}

/// Builds the four layers, features sorted by id (regions, cores) or by pair (flows).
pub fn result_layers(input: &ReportInput) -> Vec<Layer> {
    let regions = input.sorted_regions();
    let f = |n: &str, t: FieldType| (n.to_string(), t);
    use FieldType::{Integer, Real, Text};

    let region_layer = Layer {
        name: "regions".to_string(),
        kind: GeometryKind::MultiPolygon,
        fields: vec![
            f("region", Text),
            f("name", Text),
            f("class", Text),
            f("zone", Text),
            f("nf_t", Real),
            f("v_net_t", Real),
            f("benchmark_t", Real),
            f("standard_yuan_per_t", Real),
            f("tc_eq17_yuan", Real),
            f("paid_yuan", Real),
            f("received_yuan", Real),
            f("net_yuan", Real),
            f("flag", Integer),
        ],
        features: regions
            .iter()
            .map(|r| Feature {
                geometry: Geometry::MultiPolygon(r.geometry.clone()),
                values: vec![
                    text(&r.id),
                    text(&r.display_name),
                    text(r.class.as_str()),
                    text(r.zone.as_str()),
                    real(r.nf_t),
                    real(r.v_net_t),
                    real(r.benchmark_t),
                    opt(r.standard_yuan_per_t),
                    opt(r.tc_eq17_yuan),
                    real(r.paid_yuan),
                    real(r.received_yuan),
                    real(r.net_yuan),
                    FieldValue::Integer(i64::from(r.flag)),
                ],
            })
            .collect(),
    };

    let core_of = |id: &str| input.region(id).map(|r| core_and_source(r).0);
    let line = |a: &str, b: &str| -> Option<Geometry<f64>> {
        Some(Geometry::LineString(LineString::from(vec![
            core_of(a)?,
            core_of(b)?,
        ])))
    };
    let amount = |payer: &str, payee: &str, layer: LedgerLayer| -> FieldValue {
        input
            .ledger
            .iter()
            .find(|p| p.layer == layer && p.payer == payer && p.payee == payee)
            .map_or(FieldValue::Null, |p| FieldValue::Real(p.amount_yuan))
    };

    let mut ect: Vec<_> = input.ect_flows.iter().collect();
    ect.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    let ect_layer = Layer {
        name: "ect_flows".to_string(),
        kind: GeometryKind::LineString,
        fields: vec![
            f("from_region", Text),
            f("to_region", Text),
            f("tonnes", Real),
            f("amount_yuan", Real),
        ],
        features: ect
            .iter()
            .filter_map(|e| {
                Some(Feature {
                    geometry: line(&e.from, &e.to)?,
                    values: vec![
                        text(&e.from),
                        text(&e.to),
                        real(e.tonnes),
                        amount(&e.from, &e.to, LedgerLayer::Ect),
                    ],
                })
            })
            .collect(),
    };

    let mut cssf: Vec<_> = input.cssf_flows.iter().collect();
    cssf.sort_by(|a, b| (&a.output, &a.input).cmp(&(&b.output, &b.input)));
    let cssf_layer = Layer {
        name: "cssf_flows".to_string(),
        kind: GeometryKind::LineString,
        fields: vec![
            f("output_region", Text),
            f("input_region", Text),
            f("transfer_t", Real),
            f("range_km", Real),
            f("intensity_t_per_km2", Real),
            f("amount_yuan", Real),
        ],
        features: cssf
            .iter()
            .filter_map(|c| {
                Some(Feature {
                    geometry: line(&c.output, &c.input)?,
                    values: vec![
                        text(&c.output),
                        text(&c.input),
                        real(c.transfer_t),
                        real(c.range_km),
                        opt(c.intensity_t_per_km2),
                        // The input region pays the output region (METHOD 4).
                        amount(&c.input, &c.output, LedgerLayer::Cssf),
                    ],
                })
            })
            .collect(),
    };

    let cores_layer = Layer {
        name: "cores".to_string(),
        kind: GeometryKind::Point,
        fields: vec![f("region", Text), f("name", Text), f("core_source", Text)],
        features: regions
            .iter()
            .map(|r| {
                let (c, source) = core_and_source(r);
                Feature {
                    geometry: Geometry::Point(Point(c)),
                    values: vec![text(&r.id), text(&r.display_name), text(source)],
                }
            })
            .collect(),
    };
    vec![region_layer, ect_layer, cssf_layer, cores_layer]
}
