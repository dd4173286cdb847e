//! Template plugin: a gravity model of carbon sequestration service flows.
//!
//! Copy this crate to start a flow model of your own: rename the package, change
//! [`Gravity`], keep the last line (`export_flow_model!`). Build it with
//! `cargo build --release -p fzc-plugin-flow-gravity` and load
//! `target/release/libfzc_plugin_flow_gravity.so`.
//!
//! For every ordered pair of an output region `s` (supply > demand) and an input region `r`
//! (supply < demand), in index order:
//!
//! ```text
//! V_sr = k · surplus_s · deficit_r^α / d_sr^β
//! ```
//!
//! with `surplus_s = S_s − D_s` (t), `deficit_r = D_r − S_r` (t), `d_sr` the great-circle
//! distance between the cores in km (sphere of radius 6371.0088 km), and `k, α, β` the
//! parameters (`k` in t^(−α)·km^β, so that `V` is in t). The core is the area-weighted
//! centroid of the region's polygon parts on lon/lat coordinates. A gravity model has no
//! breakpoint buffer: the reported `range_km` is the distance, the flow area is the input
//! region's whole area (a local equirectangular approximation, good to well under 1 % for
//! city-sized regions), and a region without area receives nothing.
//!
//! Nothing here conserves mass: the outflows of a region may exceed its surplus. A real model
//! would add a constraint (e.g. a doubly-constrained gravity model); that is the point of
//! making it a plugin.

use fzc_core::{FlowModel, FlowModelError, FlowOutput, FlowRegion, LonLat, RegionFlow, TonnesCo2};
use fzc_plugin_api::{ParamSpec, Params, Plugin};

/// Mean Earth radius, km (IUGG R1).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The gravity model `V = k · surplus_s · deficit_r^α / d^β`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gravity {
    /// Scale `k`, t^(−α)·km^β.
    pub k: f64,
    /// Exponent `α` of the input region's deficit.
    pub alpha: f64,
    /// Distance-decay exponent `β`.
    pub beta: f64,
}

impl Plugin for Gravity {
    const NAME: &'static str = "gravity";
    const DESCRIPTION: &'static str = "Gravity CSSF model: V = k · surplus_s · deficit_r^alpha / d^beta between every surplus region s and deficit region r; d = great-circle core distance in km.";
    const PARAMETERS: &'static [ParamSpec] = &[
        ParamSpec {
            name: "k",
            default: None,
            description: "scale k, t^-alpha km^beta (≥ 0)",
        },
        ParamSpec {
            name: "alpha",
            default: Some("1"),
            description: "exponent of the input region's deficit, dimensionless",
        },
        ParamSpec {
            name: "beta",
            default: Some("2"),
            description: "distance-decay exponent, dimensionless",
        },
    ];

    fn from_params(params: &Params) -> Result<Self, String> {
        let k = params.f64("k")?;
        if k < 0.0 {
            return Err(format!("parameter `k` is {k}, expected a number ≥ 0"));
        }
        Ok(Gravity {
            k,
            alpha: params.f64("alpha")?,
            beta: params.f64("beta")?,
        })
    }
}

/// The great-circle distance between two positions, km (haversine).
///
/// # Units
/// Degrees in, km out.
pub fn distance_km(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat_deg.to_radians(), b.lat_deg.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon_deg - a.lon_deg).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Signed planar area (deg²) and centroid-moment sums of a ring, shoelace formula.
fn ring_moments(ring: &[LonLat]) -> (f64, f64, f64) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (i, p) in ring.iter().enumerate() {
        let q = ring[(i + 1) % ring.len()];
        let cross = p.lon_deg * q.lat_deg - q.lon_deg * p.lat_deg;
        a += cross;
        cx += (p.lon_deg + q.lon_deg) * cross;
        cy += (p.lat_deg + q.lat_deg) * cross;
    }
    (a / 2.0, cx / 6.0, cy / 6.0)
}

/// Area of a ring in km², local equirectangular projection around its mean latitude.
fn ring_area_km2(ring: &[LonLat]) -> f64 {
    if ring.len() < 3 {
        return 0.0;
    }
    let lat0 = ring.iter().map(|p| p.lat_deg).sum::<f64>() / ring.len() as f64;
    let k = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
    ring_moments(ring).0.abs() * k * k * lat0.to_radians().cos()
}

/// The input region's area in km² (exteriors minus holes) and its area-weighted centroid.
fn area_and_core(region: &FlowRegion) -> Result<(f64, LonLat), FlowModelError> {
    let (mut area, mut a, mut cx, mut cy, mut n, mut sx, mut sy) =
        (0.0, 0.0, 0.0, 0.0, 0usize, 0.0, 0.0);
    for part in &region.shape.parts {
        area += ring_area_km2(&part.exterior);
        let (pa, px, py) = ring_moments(&part.exterior);
        let sign = pa.signum();
        a += pa * sign;
        cx += px * sign;
        cy += py * sign;
        for hole in &part.holes {
            area -= ring_area_km2(hole);
            let (ha, hx, hy) = ring_moments(hole);
            let hs = -ha.signum();
            a += ha * hs;
            cx += hx * hs;
            cy += hy * hs;
        }
        for p in &part.exterior {
            n += 1;
            sx += p.lon_deg;
            sy += p.lat_deg;
        }
    }
    if n == 0 {
        return Err(FlowModelError {
            region: Some(region.id.clone()),
            message: "the shape has no points, so it has no core".into(),
        });
    }
    let core = match region.given_core {
        Some(core) => core,
        None if a > 0.0 => LonLat::new(cx / a, cy / a),
        None => LonLat::new(sx / n as f64, sy / n as f64),
    };
    Ok((area.max(0.0), core))
}

impl FlowModel for Gravity {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError> {
        let mut geometry = Vec::with_capacity(regions.len());
        for region in regions {
            for (what, value) in [("supply", region.supply.0), ("demand", region.demand.0)] {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(FlowModelError {
                        region: Some(region.id.clone()),
                        message: format!("{what} is {value}, expected a finite number ≥ 0 (t)"),
                    });
                }
            }
            geometry.push(area_and_core(region)?);
        }
        let mut flows = Vec::new();
        for (s, out) in regions.iter().enumerate() {
            let surplus = out.supply.0 - out.demand.0;
            if surplus <= 0.0 {
                continue;
            }
            for (r, inp) in regions.iter().enumerate() {
                let deficit = inp.demand.0 - inp.supply.0;
                if deficit <= 0.0 {
                    continue;
                }
                let d = distance_km(geometry[s].1, geometry[r].1);
                if d <= 0.0 {
                    return Err(FlowModelError {
                        region: Some(inp.id.clone()),
                        message: format!(
                            "its core coincides with that of `{}`; the gravity model needs a positive distance",
                            out.id
                        ),
                    });
                }
                let area_km2 = geometry[r].0;
                let transfer = if area_km2 > 0.0 {
                    self.k * surplus * deficit.powf(self.alpha) / d.powf(self.beta)
                } else {
                    0.0
                };
                flows.push(RegionFlow {
                    from: s,
                    to: r,
                    distance_km: d,
                    range_km: d,
                    area_km2,
                    intensity_t_per_km2: if area_km2 > 0.0 {
                        transfer / area_km2
                    } else {
                        0.0
                    },
                    transfer: TonnesCo2(transfer),
                });
            }
        }
        Ok(FlowOutput {
            cores: geometry.iter().map(|g| g.1).collect(),
            flows,
        })
    }
}

fzc_plugin_api::export_flow_model!(Gravity);

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::{PolygonRings, RegionId, RegionShape};
    use proptest::prelude::*;

    fn square(id: &str, lon: f64, lat: f64, half: f64, supply: f64, demand: f64) -> FlowRegion {
        let ring = vec![
            LonLat::new(lon - half, lat - half),
            LonLat::new(lon + half, lat - half),
            LonLat::new(lon + half, lat + half),
            LonLat::new(lon - half, lat + half),
        ];
        FlowRegion {
            id: RegionId::new(id).unwrap(),
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// V = k·surplus·deficit^α/d^β exactly, non-negative, and it decays with distance.
        #[test]
        fn transfer_is_the_gravity_formula_and_decays(
            k in 0.0f64..1e-3, alpha in 0.0f64..2.0, beta in 0.1f64..3.0,
            surplus in 1.0f64..1e8, deficit in 1.0f64..1e8, gap in 0.5f64..5.0,
        ) {
            let g = Gravity { k, alpha, beta };
            let near = [square("s", 115.0, 40.0, 0.2, surplus + 1.0, 1.0), square("r", 115.0 + gap, 40.0, 0.2, 1.0, deficit + 1.0)];
            let far = [near[0].clone(), square("r", 115.0 + 2.0 * gap, 40.0, 0.2, 1.0, deficit + 1.0)];
            let a = g.flows(&near).unwrap();
            let b = g.flows(&far).unwrap();
            prop_assert_eq!(a.flows.len(), 1);
            let f = a.flows[0];
            let expected = k * surplus * deficit.powf(alpha) / f.distance_km.powf(beta);
            prop_assert!((f.transfer.0 - expected).abs() <= 1e-12 * expected.max(1e-300));
            prop_assert!(f.transfer.0 >= 0.0);
            prop_assert!(b.flows[0].transfer.0 <= f.transfer.0);
        }
    }

    #[test]
    fn distance_and_area_match_known_values() {
        // One degree of latitude on the mean sphere: 111.195 km.
        let d = distance_km(LonLat::new(116.0, 39.0), LonLat::new(116.0, 40.0));
        assert!((d - 111.195).abs() < 1e-3, "{d}");
        // A 1° × 1° cell at the equator: 111.195² km².
        let cell = square("a", 0.0, 0.0, 0.5, 1.0, 1.0);
        let (area, core) = area_and_core(&cell).unwrap();
        assert!((area / (111.195f64 * 111.195) - 1.0).abs() < 1e-4, "{area}");
        assert!(core.lon_deg.abs() < 1e-12 && core.lat_deg.abs() < 1e-12);
        // A zero-area input region receives nothing.
        let flat = square("r", 2.0, 0.0, 0.0, 0.0, 5.0);
        let out = Gravity {
            k: 1.0,
            alpha: 1.0,
            beta: 2.0,
        }
        .flows(&[square("s", 0.0, 0.0, 0.5, 9.0, 1.0), flat])
        .unwrap();
        assert_eq!(out.flows[0].transfer.0, 0.0);
    }
}
