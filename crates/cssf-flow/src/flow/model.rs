//! The built-in "breakpoint" flow model: Eq 13–16 over every (output, input) pair.

use fzc_core::{
    FlowModel, FlowModelError, FlowOutput, FlowRegion, LonLat, NoProgress, Progress, RegionFlow,
    RegionId, TonnesCo2,
};
use geo::{BoundingRect, Centroid, InteriorPoint, Rect};
use rayon::prelude::*;

use super::{
    Core, ImpactFactor, Intensity, Mass, breakpoint_range_km, flow_intensity_t_per_km2, transfer_t,
};
use crate::geodesic::{
    DEFAULT_CIRCLE_VERTICES, RegionPolygon, circle_intersection_area_km2, geodesic_circle,
    geodesic_distance_km, intersection_area_km2,
};
use crate::{CssfError, Role, cssdr};

/// The breakpoint and field-strength model of the paper (Eq 14–16), with its options.
///
/// For every ordered pair of an output region `s` (CSSDR > 0) and an input region `r`
/// (CSSDR < 0): the geodesic distance `D_rs` between their cores, the range
/// `R = D_rs / (1 + sqrt(N_r / N_s))`, the flow area `S_rs` = ellipsoidal area of (geodesic
/// circle of radius `R` around `s`'s core) ∩ (`r`'s polygon), the intensity `I`, and the
/// transfer `V = k · S_rs · I`. Pairs run in parallel (rayon); the output order does not
/// depend on the thread count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakpointModel {
    /// Impact factor `k` (Eq 16), default 0.6.
    pub k: ImpactFactor,
    /// Form of the intensity (Eq 15), default surplus over range².
    pub intensity: Intensity,
    /// Masses compared by the breakpoint formula (Eq 14), default demand.
    pub mass: Mass,
    /// Choice of region cores, default centroid.
    pub core: Core,
    /// Vertex count of each flow circle, default [`DEFAULT_CIRCLE_VERTICES`].
    pub circle_vertices: usize,
}

impl Default for BreakpointModel {
    fn default() -> Self {
        Self {
            k: ImpactFactor::PAPER,
            intensity: Intensity::default(),
            mass: Mass::default(),
            core: Core::default(),
            circle_vertices: DEFAULT_CIRCLE_VERTICES,
        }
    }
}

/// The per-region results of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct CssfRegion {
    /// The region's id.
    pub id: RegionId,
    /// Supply, t.
    pub supply: TonnesCo2,
    /// Demand, t CO2.
    pub demand: TonnesCo2,
    /// Eq 13; `None` where supply + demand = 0.
    pub cssdr: Option<f64>,
    /// Output, input or balanced.
    pub role: Role,
    /// The core used (degrees).
    pub core: LonLat,
    /// The ellipsoidal area of the (repaired) polygon, km².
    pub area_km2: f64,
}

/// The result of [`BreakpointModel::run`]: regions in input order and flows between them.
#[derive(Debug, Clone, PartialEq)]
pub struct CssfRun {
    /// Per-region results, in the order of the input.
    pub regions: Vec<CssfRegion>,
    /// Every (output, input) pair, sorted by (`from`, `to`) index; zero transfers included.
    pub flows: Vec<RegionFlow>,
}

impl CssfRun {
    /// Total transfer received by region `index` (as input region), t.
    pub fn received(&self, index: usize) -> TonnesCo2 {
        self.flows
            .iter()
            .filter(|f| f.to == index)
            .map(|f| f.transfer)
            .sum()
    }

    /// Total transfer provided by region `index` (as output region), t.
    pub fn provided(&self, index: usize) -> TonnesCo2 {
        self.flows
            .iter()
            .filter(|f| f.from == index)
            .map(|f| f.transfer)
            .sum()
    }

    /// The flow graph: one node per region (node index = region index), one edge per pair
    /// with a positive transfer. See [`crate::flow_graph`].
    pub fn graph(&self) -> crate::FlowGraph {
        crate::flow_graph(self)
    }
}

impl BreakpointModel {
    /// The task name under which [`BreakpointModel::run_with_progress`] reports.
    pub const PAIRS_TASK: &'static str = "flow pairs";

    /// Runs the model on regions with shapes given as plain rings.
    ///
    /// # Errors
    /// [`CssfError`] naming the region: duplicate id, negative or non-finite mass, invalid
    /// polygon, missing given core; or naming both regions of a pair whose geometry failed.
    pub fn run(&self, regions: &[FlowRegion]) -> Result<CssfRun, CssfError> {
        self.run_with_progress(regions, &NoProgress)
    }

    /// [`BreakpointModel::run`], reporting the (output, input) pairs to `progress` as the
    /// task [`BreakpointModel::PAIRS_TASK`], one step per pair. The task begins once the
    /// regions are checked and finishes on success and on error; the run does not depend on
    /// `progress`.
    ///
    /// # Errors
    /// As [`BreakpointModel::run`].
    pub fn run_with_progress(
        &self,
        regions: &[FlowRegion],
        progress: &dyn Progress,
    ) -> Result<CssfRun, CssfError> {
        check_regions(regions)?;
        let polygons: Vec<RegionPolygon> = regions
            .par_iter()
            .map(|r| RegionPolygon::new(r.id.clone(), &r.shape))
            .collect::<Result<_, _>>()?;
        self.run_prepared_with_progress(regions, &polygons, progress)
    }

    /// Runs the model on regions whose polygons are already prepared (`polygons[i]` belongs
    /// to `regions[i]`), e.g. to reuse them across option variants.
    ///
    /// # Errors
    /// As [`BreakpointModel::run`].
    ///
    /// # Panics
    /// If the two slices differ in length.
    pub fn run_prepared(
        &self,
        regions: &[FlowRegion],
        polygons: &[RegionPolygon],
    ) -> Result<CssfRun, CssfError> {
        self.run_prepared_with_progress(regions, polygons, &NoProgress)
    }

    /// [`BreakpointModel::run_prepared`], reporting the pairs to `progress` as
    /// [`BreakpointModel::run_with_progress`] does.
    ///
    /// # Errors
    /// As [`BreakpointModel::run`].
    ///
    /// # Panics
    /// If the two slices differ in length.
    pub fn run_prepared_with_progress(
        &self,
        regions: &[FlowRegion],
        polygons: &[RegionPolygon],
        progress: &dyn Progress,
    ) -> Result<CssfRun, CssfError> {
        assert_eq!(regions.len(), polygons.len(), "one polygon per region");
        check_regions(regions)?;
        let mut out = Vec::with_capacity(regions.len());
        for (region, polygon) in regions.iter().zip(polygons) {
            let core = self.core_of(region, polygon)?;
            let ratio = cssdr(region.supply.0, region.demand.0);
            out.push(CssfRegion {
                id: region.id.clone(),
                supply: region.supply,
                demand: region.demand,
                cssdr: ratio,
                role: Role::from_cssdr(ratio),
                core,
                area_km2: polygon.area_km2,
            });
        }
        let outputs: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].role == Role::Output)
            .collect();
        let inputs: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].role == Role::Input)
            .collect();
        let pairs: Vec<(usize, usize)> = outputs
            .iter()
            .flat_map(|&s| inputs.iter().map(move |&r| (s, r)))
            .collect();
        // How far each input region reaches from its own core: lets a pair whose flow circle
        // cannot meet the input polygon skip the circle and the overlay (issue 3, item 8).
        let mut reach = vec![f64::INFINITY; out.len()];
        // A window strictly around each input polygon: only the part of the circle facing it
        // is built and overlaid (`circle_intersection_area_km2`).
        let mut window = vec![None; out.len()];
        for &r in &inputs {
            reach[r] = reach_km(out[r].core, &polygons[r]);
            window[r] = clip_window(&polygons[r]);
        }
        progress.begin(Self::PAIRS_TASK, pairs.len() as u64);
        let flows = pairs
            .par_iter()
            .map(|&(s, r)| {
                let flow = self.pair(&out, polygons, s, r, reach[r], window[r]);
                progress.advance(1);
                flow
            })
            .collect::<Result<Vec<_>, _>>();
        progress.finish();
        let flows = flows?;
        Ok(CssfRun {
            regions: out,
            flows,
        })
    }

    fn core_of(&self, region: &FlowRegion, polygon: &RegionPolygon) -> Result<LonLat, CssfError> {
        let point = match self.core {
            Core::Centroid => polygon.shape.centroid(),
            Core::InteriorPoint => polygon.shape.interior_point(),
            Core::Given => {
                let given = region.given_core.ok_or_else(|| CssfError::MissingCore {
                    region: region.id.clone(),
                })?;
                if !(given.lon_deg.is_finite()
                    && given.lat_deg.is_finite()
                    && given.lon_deg.abs() <= 180.0
                    && given.lat_deg.abs() <= 90.0)
                {
                    return Err(CssfError::InvalidCore {
                        region: region.id.clone(),
                        lon: given.lon_deg,
                        lat: given.lat_deg,
                    });
                }
                return Ok(given);
            }
        };
        let point = point.ok_or_else(|| CssfError::InvalidPolygon {
            region: region.id.clone(),
            why: "no core point can be computed for an empty shape".into(),
        })?;
        Ok(LonLat::new(point.x(), point.y()))
    }

    fn pair(
        &self,
        regions: &[CssfRegion],
        polygons: &[RegionPolygon],
        s: usize,
        r: usize,
        input_reach_km: f64,
        input_window: Option<Rect<f64>>,
    ) -> Result<RegionFlow, CssfError> {
        let (out, inp) = (&regions[s], &regions[r]);
        let distance_km = geodesic_distance_km(out.core, inp.core);
        let (n_input, n_output) = self
            .mass
            .masses((inp.supply.0, inp.demand.0), (out.supply.0, out.demand.0));
        let range_km = breakpoint_range_km(distance_km, n_input, n_output);
        let area_km2 = if range_km > 0.0 && !cannot_reach(distance_km, range_km, input_reach_km) {
            let vertices = self.circle_vertices.max(3);
            let shape = &polygons[r].shape;
            match input_window {
                // Only the circle's vertices facing the input polygon are solved.
                Some(w) => circle_intersection_area_km2(out.core, range_km, vertices, shape, w),
                None => intersection_area_km2(
                    &geo::MultiPolygon::new(vec![geodesic_circle(out.core, range_km, vertices)]),
                    shape,
                ),
            }
            .map_err(|why| CssfError::Geometry {
                from: out.id.clone(),
                to: inp.id.clone(),
                why,
            })?
        } else {
            0.0
        };
        let surplus = out.supply.0 - out.demand.0;
        let intensity =
            flow_intensity_t_per_km2(self.intensity, surplus, n_input, distance_km, range_km);
        let transfer = transfer_t(self.k, area_km2, intensity);
        Ok(RegionFlow {
            from: s,
            to: r,
            distance_km,
            range_km,
            area_km2,
            intensity_t_per_km2: intensity,
            transfer: TonnesCo2(transfer),
        })
    }
}

/// The largest geodesic distance from `core` to a vertex of `polygon` (exterior rings; holes
/// lie inside them), km.
fn reach_km(core: LonLat, polygon: &RegionPolygon) -> f64 {
    polygon
        .shape
        .0
        .iter()
        .flat_map(|part| part.exterior().0.iter())
        .map(|c| geodesic_distance_km(core, LonLat::new(c.x, c.y)))
        .fold(0.0, f64::max)
}

/// The polygon's bounding box grown by 1 % of its larger side (at least 1e-6°) on every
/// side, so that the window's edges stay clear of the polygon; `None` for an empty shape.
fn clip_window(polygon: &RegionPolygon) -> Option<Rect<f64>> {
    let b = polygon.shape.bounding_rect()?;
    let m = (0.01 * b.width().max(b.height())).max(1e-6);
    Some(Rect::new(
        geo::coord! { x: b.min().x - m, y: b.min().y - m },
        geo::coord! { x: b.max().x + m, y: b.max().y + m },
    ))
}

/// Whether a circle of radius `range_km` around the output core certainly misses the input
/// polygon: by the triangle inequality every point `p` of the polygon is at least
/// `distance_km − d(core_r, p)` from the output core, and `d(core_r, p)` is bounded by the
/// reach to the vertices. Polygon edges are straight in lon/lat, not geodesics, so a point on
/// an edge can lie slightly farther than either end: the bound keeps a 5 % + 1 km margin, far
/// beyond that bulge for city-sized edges. Skipped pairs get area 0, exactly what the overlay
/// of two disjoint shapes gives, so results do not change (tested below).
fn cannot_reach(distance_km: f64, range_km: f64, input_reach_km: f64) -> bool {
    range_km < distance_km - (1.05 * input_reach_km + 1.0)
}

fn check_regions(regions: &[FlowRegion]) -> Result<(), CssfError> {
    let mut seen = std::collections::BTreeSet::new();
    for r in regions {
        if !seen.insert(&r.id) {
            return Err(CssfError::DuplicateRegion {
                region: r.id.clone(),
            });
        }
        for (what, value) in [("supply", r.supply.0), ("demand", r.demand.0)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(CssfError::InvalidMass {
                    region: r.id.clone(),
                    what,
                    value,
                });
            }
        }
    }
    Ok(())
}

impl From<CssfError> for FlowModelError {
    fn from(err: CssfError) -> Self {
        let region = match &err {
            CssfError::InvalidMass { region, .. }
            | CssfError::InvalidPolygon { region, .. }
            | CssfError::MissingCore { region }
            | CssfError::InvalidCore { region, .. }
            | CssfError::DuplicateRegion { region } => Some(region.clone()),
            CssfError::Geometry { to, .. } => Some(to.clone()),
            _ => None,
        };
        FlowModelError {
            region,
            message: err.to_string(),
        }
    }
}

impl FlowModel for BreakpointModel {
    fn name(&self) -> &str {
        "breakpoint"
    }

    fn flows(&self, regions: &[FlowRegion]) -> Result<FlowOutput, FlowModelError> {
        let run = self.run(regions)?;
        Ok(FlowOutput {
            cores: run.regions.iter().map(|r| r.core).collect(),
            flows: run.flows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fzc_core::{PolygonRings, RegionShape};

    fn region(id: &str, supply: f64, demand: f64, lon0: f64) -> FlowRegion {
        FlowRegion {
            id: RegionId::new(id).unwrap(),
            supply: TonnesCo2(supply),
            demand: TonnesCo2(demand),
            given_core: None,
            shape: RegionShape {
                parts: vec![PolygonRings {
                    exterior: vec![
                        LonLat::new(lon0, 39.0),
                        LonLat::new(lon0 + 1.0, 39.0),
                        LonLat::new(lon0 + 1.0, 40.0),
                        LonLat::new(lon0, 40.0),
                    ],
                    holes: vec![],
                }],
            },
        }
    }

    /// The reach prefilter only skips pairs whose overlay would have found nothing: every
    /// flow area equals the brute-force overlay of the circle with the input polygon, over
    /// configurations where some pairs are skipped and some overlap.
    #[test]
    fn skipping_unreachable_pairs_changes_no_area() {
        let mut regions = Vec::new();
        for i in 0..6 {
            let lon0 = 112.0 + 1.3 * f64::from(i);
            // Alternate outputs (supply > demand) and inputs, with varied sizes and masses.
            let (supply, demand) = if i % 2 == 0 {
                (40e6 + 5e6 * f64::from(i), 5e6)
            } else {
                (1e6, 3e6 + 4e6 * f64::from(i))
            };
            let mut r = region(&format!("r{i}"), supply, demand, lon0);
            let size = 0.4 + 0.15 * f64::from(i);
            r.shape.parts[0].exterior = vec![
                LonLat::new(lon0, 39.0),
                LonLat::new(lon0 + size, 39.0),
                LonLat::new(lon0 + size, 39.0 + size),
                LonLat::new(lon0 + size / 2.0, 39.0 + size / 3.0),
                LonLat::new(lon0, 39.0 + size),
            ];
            regions.push(r);
        }
        let (mut skipped, mut overlapping) = (0, 0);
        for mass in [Mass::Demand, Mass::Supply, Mass::Balance] {
            let model = BreakpointModel {
                mass,
                ..BreakpointModel::default()
            };
            let run = model.run(&regions).unwrap();
            let polygons: Vec<RegionPolygon> = regions
                .iter()
                .map(|r| RegionPolygon::new(r.id.clone(), &r.shape).unwrap())
                .collect();
            for flow in &run.flows {
                let core = run.regions[flow.from].core;
                // Brute force: one direct problem per vertex, the whole circle in the overlay.
                let circle = crate::geodesic::geodesic_circle_direct(
                    core,
                    flow.range_km,
                    model.circle_vertices,
                );
                let brute = intersection_area_km2(
                    &geo::MultiPolygon::new(vec![circle]),
                    &polygons[flow.to].shape,
                )
                .unwrap();
                // Equal up to the overlay's snapping grid, which spans the whole circle in
                // the brute force and only the clip window in the model (bounded in
                // `clipping_the_circle_changes_no_intersection_area`); zero stays zero.
                if brute == 0.0 {
                    assert_eq!(flow.area_km2, 0.0, "{flow:?}");
                } else {
                    let rel = (flow.area_km2 / brute - 1.0).abs();
                    assert!(rel < 1e-7, "{flow:?}: brute force {brute}, rel {rel:e}");
                }
                let reach = reach_km(run.regions[flow.to].core, &polygons[flow.to]);
                if cannot_reach(flow.distance_km, flow.range_km, reach) {
                    skipped += 1;
                } else if brute > 0.0 {
                    overlapping += 1;
                }
            }
        }
        assert!(
            skipped > 0 && overlapping > 0,
            "{skipped} skipped, {overlapping} overlapping"
        );
    }

    #[test]
    fn the_trait_gives_the_same_flows_and_names_the_region_on_error() {
        let model = BreakpointModel::default();
        let regions = [region("a", 20e6, 4e6, 115.0), region("b", 1e6, 2e6, 116.0)];
        let run = model.run(&regions).unwrap();
        let out = FlowModel::flows(&model, &regions).unwrap();
        assert_eq!(out.flows, run.flows);
        assert_eq!(out.cores.len(), 2);
        assert_eq!(model.name(), "breakpoint");
        let bad = [region("a", -1.0, 4e6, 115.0)];
        let err = FlowModel::flows(&model, &bad).unwrap_err();
        assert_eq!(err.region.as_ref().map(RegionId::as_str), Some("a"));
        assert!(err.to_string().contains("supply is -1"), "{err}");
        let given = BreakpointModel {
            core: Core::Given,
            ..model
        };
        let err = given.run(&regions).unwrap_err().to_string();
        assert!(err.contains("region `a`: no given core"), "{err}");
        let twice = [region("a", 1.0, 2.0, 115.0), region("a", 1.0, 2.0, 116.0)];
        assert!(matches!(
            model.run(&twice),
            Err(CssfError::DuplicateRegion { .. })
        ));
    }

    #[test]
    fn progress_counts_every_pair_and_changes_nothing() {
        use crate::recorder::{Recorder, Task};
        // Two outputs and three inputs: six pairs.
        let regions = [
            region("a", 20e6, 4e6, 115.0),
            region("b", 1e6, 2e6, 116.0),
            region("c", 30e6, 1e6, 117.0),
            region("d", 1e6, 9e6, 118.0),
            region("e", 2e6, 5e6, 119.0),
        ];
        let model = BreakpointModel::default();
        let recorder = Recorder::default();
        let with = model.run_with_progress(&regions, &recorder).unwrap();
        assert_eq!(with, model.run(&regions).unwrap());
        assert_eq!(with.flows.len(), 6);
        assert_eq!(
            recorder.tasks(),
            [Task {
                name: BreakpointModel::PAIRS_TASK.into(),
                total: 6,
                advanced: 6,
                finished: true
            }]
        );
        // An error before the pairs (a missing given core) begins no task.
        let given = BreakpointModel {
            core: Core::Given,
            ..model
        };
        let recorder = Recorder::default();
        assert!(given.run_with_progress(&regions, &recorder).is_err());
        assert!(recorder.tasks().is_empty());
    }
}
