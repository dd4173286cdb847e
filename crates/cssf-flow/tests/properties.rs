//! Property tests of the CSSF formulas (issue 3, item 7): each states an invariant of
//! METHOD.md section 2 that must hold for any input.

#![allow(clippy::unwrap_used)] // tests unwrap their own fixtures

use fzc_core::{FlowRegion, LonLat, PolygonRings, RegionId, RegionShape, TonnesCo2};
use fzc_cssf_flow::geodesic::{ellipsoidal_area_km2, geodesic_distance_km};
use fzc_cssf_flow::{
    BreakpointModel, ImpactFactor, Intensity, Mass, Role, breakpoint_range_km, cssdr,
};
use proptest::prelude::*;

fn rect(lon0: f64, lat0: f64, width: f64, height: f64) -> Vec<LonLat> {
    vec![
        LonLat::new(lon0, lat0),
        LonLat::new(lon0 + width, lat0),
        LonLat::new(lon0 + width, lat0 + height),
        LonLat::new(lon0, lat0 + height),
    ]
}

fn region(id: usize, ring: Vec<LonLat>, supply: f64, demand: f64) -> FlowRegion {
    FlowRegion {
        id: RegionId::new(format!("r{id:02}")).unwrap(),
        supply: TonnesCo2(supply),
        demand: TonnesCo2(demand),
        given_core: None,
        shape: RegionShape {
            parts: vec![PolygonRings {
                exterior: ring,
                holes: vec![],
            }],
        },
    }
}

/// Up to five non-overlapping 0.5°–1.5° squares on a 2° grid around BTH, with masses.
fn regions() -> impl Strategy<Value = Vec<FlowRegion>> {
    prop::collection::btree_set((0usize..5, 0usize..4), 2..6).prop_flat_map(|cells| {
        let cells: Vec<(usize, usize)> = cells.into_iter().collect();
        let n = cells.len();
        (
            Just(cells),
            prop::collection::vec((0.5f64..1.5, 1e5f64..1e9, 1e5f64..1e9), n),
        )
            .prop_map(|(cells, params)| {
                cells
                    .iter()
                    .zip(params)
                    .enumerate()
                    .map(|(i, (&(cx, cy), (size, s, d)))| {
                        let ring =
                            rect(112.0 + 2.0 * cx as f64, 36.0 + 2.0 * cy as f64, size, size);
                        region(i, ring, s, d)
                    })
                    .collect()
            })
    })
}

fn model(mass: Mass, intensity: Intensity, k: f64) -> BreakpointModel {
    BreakpointModel {
        k: ImpactFactor::new(k).unwrap(),
        intensity,
        mass,
        ..BreakpointModel::default()
    }
}

fn mass() -> impl Strategy<Value = Mass> {
    prop_oneof![Just(Mass::Demand), Just(Mass::Supply), Just(Mass::Balance)]
}

fn intensity() -> impl Strategy<Value = Intensity> {
    prop_oneof![
        Just(Intensity::SurplusOverRange),
        Just(Intensity::AsPrinted)
    ]
}

/// Area of the lon/lat rectangle on the WGS84 ellipsoid, from the authalic-latitude formula.
fn analytic_rectangle_km2(lon0: f64, lat0: f64, width: f64, height: f64) -> f64 {
    let a: f64 = 6_378_137.0;
    let f: f64 = 1.0 / 298.257_223_563;
    let e2 = f * (2.0 - f);
    let e = e2.sqrt();
    let b2 = a * a * (1.0 - e2);
    // Area of the zone from the equator to latitude phi over one radian of longitude.
    let zone = |phi: f64| {
        let s = phi.to_radians().sin();
        b2 / 2.0 * (s / (1.0 - e2 * s * s) + ((1.0 + e * s) / (1.0 - e * s)).ln() / (2.0 * e))
    };
    let _ = lon0;
    width.to_radians() * (zone(lat0 + height) - zone(lat0)) / 1e6
}

/// The rectangle as a ring with its parallels densified (geodesic edges would bow poleward).
fn dense_rect(lon0: f64, lat0: f64, width: f64, height: f64, clockwise: bool) -> Vec<LonLat> {
    let steps = 400;
    let mut ring = Vec::new();
    for i in 0..=steps {
        ring.push(LonLat::new(lon0 + width * i as f64 / steps as f64, lat0));
    }
    for i in (0..=steps).rev() {
        ring.push(LonLat::new(
            lon0 + width * i as f64 / steps as f64,
            lat0 + height,
        ));
    }
    if clockwise {
        ring.reverse();
    }
    ring
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cssdr_lies_in_minus_one_to_one(s in 0.0f64..1e12, d in 0.0f64..1e12) {
        match cssdr(s, d) {
            Some(r) => prop_assert!((-1.0..=1.0).contains(&r)),
            None => prop_assert_eq!(s + d, 0.0),
        }
    }

    #[test]
    fn the_range_is_shorter_than_the_distance(
        distance in 1e-3f64..5_000.0, n_input in 1e-3f64..1e12, n_output in 1e-3f64..1e12,
    ) {
        let r = breakpoint_range_km(distance, n_input, n_output);
        prop_assert!(r > 0.0 && r < distance, "{} vs {}", r, distance);
    }

    #[test]
    fn a_larger_input_mass_pulls_the_breakpoint_towards_the_output_core(
        distance in 1.0f64..5_000.0, n_input in 1.0f64..1e12, factor in 1.001f64..100.0,
        n_output in 1.0f64..1e12,
    ) {
        let near = breakpoint_range_km(distance, n_input * factor, n_output);
        let far = breakpoint_range_km(distance, n_input, n_output);
        prop_assert!(near < far, "{} !< {}", near, far);
    }

    #[test]
    fn transfers_are_never_negative_and_ranges_stay_short(
        regions in regions(), mass in mass(), intensity in intensity(),
    ) {
        let run = model(mass, intensity, 0.6).run(&regions).unwrap();
        for f in &run.flows {
            prop_assert!(f.transfer.0 >= 0.0 && f.area_km2 >= 0.0 && f.intensity_t_per_km2 >= 0.0);
            prop_assert!(f.range_km <= f.distance_km);
            prop_assert_eq!(run.regions[f.from].role, Role::Output);
            prop_assert_eq!(run.regions[f.to].role, Role::Input);
            // The flow area cannot exceed the input region.
            prop_assert!(f.area_km2 <= run.regions[f.to].area_km2 * (1.0 + 1e-9));
            if f.area_km2 == 0.0 {
                prop_assert_eq!(f.transfer.0, 0.0);
            }
        }
    }

    #[test]
    fn transfers_are_linear_in_k(
        regions in regions(), mass in mass(), intensity in intensity(), k in 0.01f64..0.5,
    ) {
        let one = model(mass, intensity, k).run(&regions).unwrap();
        let two = model(mass, intensity, 2.0 * k).run(&regions).unwrap();
        prop_assert_eq!(one.flows.len(), two.flows.len());
        for (a, b) in one.flows.iter().zip(&two.flows) {
            prop_assert!((b.transfer.0 - 2.0 * a.transfer.0).abs() <= 1e-9 * b.transfer.0.abs());
        }
    }

    #[test]
    fn no_transfer_when_the_circle_misses_the_input_region(
        gap in 0.05f64..3.0, lon_offset in -1.0f64..1.0, surplus in 1e6f64..1e9,
        deficit in 1e6f64..1e9, mass in mass(), intensity in intensity(),
    ) {
        // The input region lies wholly north of the latitude `gap` degrees above the output
        // region's core; no point of it is closer than the meridian arc of `gap`.
        let output = region(0, rect(115.0, 38.0, 1.0, 1.0), 2.0 * surplus, surplus);
        let core_lat = 38.5; // centroid of the output square, to 1e-3°
        let input_lat = core_lat + 0.5 + gap;
        let input = region(1, rect(115.0 + lon_offset, input_lat, 1.0, 1.0), deficit, 2.0 * deficit);
        let run = model(mass, intensity, 0.6).run(&[output, input]).unwrap();
        let f = &run.flows[0];
        let clearance = geodesic_distance_km(
            LonLat::new(run.regions[0].core.lon_deg, run.regions[0].core.lat_deg),
            LonLat::new(run.regions[0].core.lon_deg, input_lat),
        );
        if f.range_km < clearance {
            prop_assert_eq!(f.area_km2, 0.0);
            prop_assert_eq!(f.transfer.0, 0.0);
        }
    }

    #[test]
    fn rectangle_area_matches_the_ellipsoidal_formula_whatever_the_winding(
        lon0 in -179.0f64..170.0, lat0 in -80.0f64..78.0, width in 0.1f64..2.0,
        height in 0.1f64..2.0, clockwise in any::<bool>(),
    ) {
        let ring = dense_rect(lon0, lat0, width, height, clockwise);
        let shape = geo::MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(ring.iter().map(|p| (p.lon_deg, p.lat_deg)).collect::<Vec<_>>()),
            vec![],
        )]);
        let got = ellipsoidal_area_km2(&shape);
        let expected = analytic_rectangle_km2(lon0, lat0, width, height);
        prop_assert!((got / expected - 1.0).abs() < 1e-6, "{} vs {}", got, expected);
    }
}
