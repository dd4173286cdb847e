//! The CSSF geometry against shapely + pyproj on the 13 BTH city polygons (issue 3, item 7).
//!
//! The reference values are computed by `tests/fixtures/geo/make_reference.py` (shapely 2.0.6,
//! pyproj 3.7.0 / PROJ 9.4.1) and committed; this test needs no Python.

#![allow(clippy::unwrap_used)] // tests unwrap their own fixtures

use std::collections::BTreeMap;
use std::path::PathBuf;

use fzc_core::LonLat;
use fzc_cssf_flow::geodesic::{
    DEFAULT_CIRCLE_VERTICES, RegionPolygon, circle_intersection_area_km2, geodesic_circle,
    geodesic_distance_km, intersection_area_km2,
};
use geo::BoundingRect;

fn fixtures() -> PathBuf {
    fzc_tests::workspace_root().join("tests/fixtures/geo")
}

fn rows(name: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(fixtures().join(name)).unwrap();
    reader.records().map(|r| r.unwrap()).collect()
}

fn num(record: &csv::StringRecord, i: usize) -> f64 {
    record[i].parse().unwrap()
}

fn polygons() -> BTreeMap<String, RegionPolygon> {
    let shapes = fzc_io::read_geojson_regions(&fixtures().join("bth-boundaries"), None).unwrap();
    assert_eq!(shapes.len(), 13);
    shapes
        .into_iter()
        .map(|(id, shape)| (id.to_string(), RegionPolygon::new(id, &shape).unwrap()))
        .collect()
}

fn cores() -> BTreeMap<String, LonLat> {
    rows("reference-cores.csv")
        .iter()
        .map(|r| (r[0].to_owned(), LonLat::new(num(r, 1), num(r, 2))))
        .collect()
}

#[test]
fn geodesic_distances_between_city_centroids_agree_to_1e9() {
    let cores = cores();
    let mut worst: f64 = 0.0;
    for r in rows("reference-distances.csv") {
        let got = geodesic_distance_km(cores[&r[0]], cores[&r[1]]);
        let rel = (got / num(&r, 2) - 1.0).abs();
        worst = worst.max(rel);
        assert!(rel < 1e-9, "{} – {}: {got} vs {}", &r[0], &r[1], &r[2]);
    }
    eprintln!("distances: max relative difference {worst:e}");
}

#[test]
fn polygon_areas_and_centroids_agree() {
    let polygons = polygons();
    let mut worst: f64 = 0.0;
    for r in rows("reference-areas.csv") {
        let got = polygons[&r[0]].area_km2;
        let rel = (got / num(&r, 1) - 1.0).abs();
        worst = worst.max(rel);
        assert!(rel < 1e-6, "{}: {got} vs {}", &r[0], &r[1]);
    }
    eprintln!("areas: max relative difference {worst:e}");
    // Baoding is invalid for GEOS (a ring touching itself at a vertex); the normalising
    // overlay splits it there without changing its area, so no region needs a real repair.
    let repaired: Vec<&str> = polygons
        .values()
        .filter(|p| !p.repairs.is_empty())
        .map(|p| p.id.as_str())
        .collect();
    assert!(repaired.is_empty(), "{repaired:?}");
    let cores = cores();
    for (id, p) in &polygons {
        use geo::Centroid;
        let c = p.shape.centroid().unwrap();
        let want = cores[id];
        assert!(
            (c.x() - want.lon_deg).abs() < 1e-7 && (c.y() - want.lat_deg).abs() < 1e-7,
            "{id}: {c:?} vs {want:?}"
        );
    }
}

#[test]
fn geodesic_circle_intersections_agree_to_1e4() {
    let polygons = polygons();
    let cores = cores();
    let mut expected: BTreeMap<(String, u64, String), f64> = BTreeMap::new();
    for r in rows("reference-intersections.csv") {
        expected.insert(
            (r[0].to_owned(), num(&r, 1).to_bits(), r[2].to_owned()),
            num(&r, 3),
        );
    }
    assert!(expected.len() > 200, "{}", expected.len());
    let mut worst: f64 = 0.0;
    // Worst relative difference of the whole-circle overlay and of the sector path.
    let mut worst_by_path = [0.0f64; 2];
    let mut compared = 0;
    for (center, core) in &cores {
        for radius in [30.0f64, 80.0, 150.0, 300.0] {
            let circle = geo::MultiPolygon::new(vec![geodesic_circle(
                *core,
                radius,
                DEFAULT_CIRCLE_VERTICES,
            )]);
            for (id, polygon) in polygons.iter().filter(|(id, _)| *id != center) {
                let plain = intersection_area_km2(&circle, &polygon.shape).unwrap();
                // The flow model's path: only the circle's vertices facing the polygon.
                let b = polygon.shape.bounding_rect().unwrap();
                let m = 0.01 * b.width().max(b.height());
                let window = geo::Rect::new(
                    geo::coord! { x: b.min().x - m, y: b.min().y - m },
                    geo::coord! { x: b.max().x + m, y: b.max().y + m },
                );
                let fast = circle_intersection_area_km2(
                    *core,
                    radius,
                    DEFAULT_CIRCLE_VERTICES,
                    &polygon.shape,
                    window,
                )
                .unwrap();
                for (path, got) in [plain, fast].into_iter().enumerate() {
                    match expected.get(&(center.clone(), radius.to_bits(), id.clone())) {
                        Some(&want) => {
                            compared += 1;
                            // Relative to the area, with an absolute floor of 1e-3 km² for
                            // slivers.
                            let diff = (got - want).abs();
                            worst = worst.max(diff / want.max(10.0));
                            if want > 10.0 {
                                worst_by_path[path] = worst_by_path[path].max(diff / want);
                            }
                            assert!(
                                diff <= 1e-4 * want.max(10.0),
                                "{center} r={radius} ∩ {id}: {got} vs {want}"
                            );
                        }
                        None => assert!(got < 1e-3, "{center} r={radius} ∩ {id}: {got} vs 0"),
                    }
                }
            }
        }
    }
    assert_eq!(compared, 2 * expected.len());
    eprintln!(
        "intersections: {compared} compared, max relative difference {worst:e}; \
         areas over 10 km²: whole circle {:e}, sector path {:e}",
        worst_by_path[0], worst_by_path[1]
    );
}
