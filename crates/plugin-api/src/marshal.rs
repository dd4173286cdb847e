//! Conversions between `fzc-core`'s plain data and the ABI structs, used by both sides: the
//! host turns a `PricingInput` or a `&[FlowRegion]` into ABI structs that borrow its buffers;
//! the plugin turns the ABI structs back into owned `fzc-core` values and checks every
//! pointer, length and index on the way.

use fzc_core::{
    FlowRegion, Layer, LonLat, PolygonRings, PricingFlow, PricingInput, RegionId, RegionShape,
    TonnesCo2, Yuan, YuanPerTonne,
};

use crate::abi::{
    FzcFlowInput, FzcFlowRegion, FzcLonLat, FzcPart, FzcPricingFlow, FzcPricingInput, FzcRing,
    FzcStr, LAYER_COMBINED, LAYER_CSSF, LAYER_ECT,
};

/// The ABI code of a layer.
pub fn layer_code(layer: Layer) -> u32 {
    match layer {
        Layer::Ect => LAYER_ECT,
        Layer::Cssf => LAYER_CSSF,
        Layer::Combined => LAYER_COMBINED,
    }
}

/// The layer of an ABI code.
///
/// # Errors
/// A message naming the code when it is not one of the `LAYER_*` constants.
pub fn layer_from_code(code: u32) -> Result<Layer, String> {
    match code {
        LAYER_ECT => Ok(Layer::Ect),
        LAYER_CSSF => Ok(Layer::Cssf),
        LAYER_COMBINED => Ok(Layer::Combined),
        other => Err(format!("unknown layer code {other} (expected 0, 1 or 2)")),
    }
}

/// Borrows `len` items at `ptr`, or an error naming `what` when `ptr` is null.
///
/// # Safety
/// A non-null `ptr` must point to `len` initialised `T` alive for `'a`.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T], String> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(format!("`{what}` is null but should hold {len} entries"));
    }
    // SAFETY: the caller guarantees `len` items at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Host side: a `PricingInput` laid out for the ABI. Keep it alive while the
/// [`FzcPricingInput`] from [`PricingInputBuffers::abi`] is in use.
#[derive(Debug)]
pub struct PricingInputBuffers<'a> {
    input: PricingInput<'a>,
    ids: Vec<FzcStr>,
    standards: Vec<f64>,
    benchmarks: Vec<f64>,
    gdp: Option<Vec<f64>>,
    flows: Vec<FzcPricingFlow>,
}

impl<'a> PricingInputBuffers<'a> {
    /// Copies `input`'s unit-carrying slices into plain `f64` buffers.
    pub fn new(input: &PricingInput<'a>) -> Self {
        Self {
            input: *input,
            ids: input
                .regions
                .iter()
                .map(|r| FzcStr::new(r.as_str()))
                .collect(),
            standards: input.standards.iter().map(|s| s.0).collect(),
            benchmarks: input.benchmarks.iter().map(|b| b.0).collect(),
            gdp: input.gdp.map(|g| g.iter().map(|y| y.0).collect()),
            flows: input
                .flows
                .iter()
                .map(|f| FzcPricingFlow {
                    payer: f.payer,
                    payee: f.payee,
                    layer: layer_code(f.layer),
                    tonnes_t: f.tonnes.0,
                })
                .collect(),
        }
    }

    /// The ABI view; it borrows `self`.
    pub fn abi(&self) -> FzcPricingInput {
        FzcPricingInput {
            struct_size: std::mem::size_of::<FzcPricingInput>(),
            price_yuan_per_t: self.input.price.0,
            n_regions: self.ids.len(),
            region_ids: self.ids.as_ptr(),
            standards_yuan_per_t: self.standards.as_ptr(),
            benchmarks_t: self.benchmarks.as_ptr(),
            population_persons: self
                .input
                .population_persons
                .map_or(std::ptr::null(), <[f64]>::as_ptr),
            gdp_yuan: self.gdp.as_ref().map_or(std::ptr::null(), |g| g.as_ptr()),
            flows: self.flows.as_ptr(),
            n_flows: self.flows.len(),
        }
    }
}

/// Plugin side: an owned copy of a pricing input read from the ABI.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedPricingInput {
    /// `P`.
    pub price: YuanPerTonne,
    /// Region ids.
    pub regions: Vec<RegionId>,
    /// Standards.
    pub standards: Vec<YuanPerTonne>,
    /// Benchmarks.
    pub benchmarks: Vec<TonnesCo2>,
    /// Population, persons.
    pub population_persons: Option<Vec<f64>>,
    /// GDP.
    pub gdp: Option<Vec<Yuan>>,
    /// Flows.
    pub flows: Vec<PricingFlow>,
}

impl OwnedPricingInput {
    /// Reads and checks an ABI pricing input.
    ///
    /// # Errors
    /// A message naming the field: a null array, an id that is not UTF-8 or not a valid
    /// region id, an unknown layer code.
    ///
    /// # Safety
    /// Every non-null pointer in `input` must point to as many entries as its length field
    /// says, alive for the call.
    pub unsafe fn from_abi(input: &FzcPricingInput) -> Result<Self, String> {
        let n = input.n_regions;
        // SAFETY (all four): forwarded from the caller.
        let ids = unsafe { slice(input.region_ids, n, "region_ids") }?;
        let standards = unsafe { slice(input.standards_yuan_per_t, n, "standards") }?;
        let benchmarks = unsafe { slice(input.benchmarks_t, n, "benchmarks") }?;
        let flows = unsafe { slice(input.flows, input.n_flows, "flows") }?;
        let regions = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                // SAFETY: forwarded from the caller.
                let text = unsafe { id.to_str() }.map_err(|e| format!("region id {i}: {e}"))?;
                RegionId::new(text).map_err(|e| format!("region id {i}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let optional = |ptr: *const f64, what: &str| -> Result<Option<Vec<f64>>, String> {
            if ptr.is_null() {
                Ok(None)
            } else {
                // SAFETY: forwarded from the caller.
                Ok(Some(unsafe { slice(ptr, n, what) }?.to_vec()))
            }
        };
        Ok(Self {
            price: YuanPerTonne(input.price_yuan_per_t),
            regions,
            standards: standards.iter().map(|&s| YuanPerTonne(s)).collect(),
            benchmarks: benchmarks.iter().map(|&b| TonnesCo2(b)).collect(),
            population_persons: optional(input.population_persons, "population_persons")?,
            gdp: optional(input.gdp_yuan, "gdp")?.map(|g| g.into_iter().map(Yuan).collect()),
            flows: flows
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    Ok(PricingFlow {
                        payer: f.payer,
                        payee: f.payee,
                        layer: layer_from_code(f.layer).map_err(|e| format!("flow {i}: {e}"))?,
                        tonnes: TonnesCo2(f.tonnes_t),
                    })
                })
                .collect::<Result<_, String>>()?,
        })
    }

    /// The borrowed `fzc-core` view.
    pub fn as_input(&self) -> PricingInput<'_> {
        PricingInput {
            price: self.price,
            regions: &self.regions,
            standards: &self.standards,
            benchmarks: &self.benchmarks,
            population_persons: self.population_persons.as_deref(),
            gdp: self.gdp.as_deref(),
            flows: &self.flows,
        }
    }
}

/// Host side: flow-model regions laid out for the ABI (shapes flattened into part, ring and
/// point arrays). Keep it alive while the [`FzcFlowInput`] is in use.
#[derive(Debug)]
pub struct FlowInputBuffers {
    regions: Vec<FzcFlowRegion>,
    parts: Vec<FzcPart>,
    rings: Vec<FzcRing>,
    points: Vec<FzcLonLat>,
}

impl FlowInputBuffers {
    /// Flattens `regions`; the ids are borrowed from `regions`, which must outlive the ABI
    /// view.
    pub fn new(regions: &[FlowRegion]) -> Self {
        let mut out = Self {
            regions: Vec::with_capacity(regions.len()),
            parts: Vec::new(),
            rings: Vec::new(),
            points: Vec::new(),
        };
        for region in regions {
            let parts_start = out.parts.len();
            for part in &region.shape.parts {
                let rings_start = out.rings.len();
                for ring in std::iter::once(&part.exterior).chain(&part.holes) {
                    out.rings.push(FzcRing {
                        points_start: out.points.len(),
                        points_len: ring.len(),
                    });
                    out.points.extend(ring.iter().map(|p| FzcLonLat {
                        lon_deg: p.lon_deg,
                        lat_deg: p.lat_deg,
                    }));
                }
                out.parts.push(FzcPart {
                    rings_start,
                    rings_len: out.rings.len() - rings_start,
                });
            }
            let core = region.given_core.unwrap_or_default();
            out.regions.push(FzcFlowRegion {
                id: FzcStr::new(region.id.as_str()),
                supply_t: region.supply.0,
                demand_t: region.demand.0,
                has_given_core: u8::from(region.given_core.is_some()),
                given_core: FzcLonLat {
                    lon_deg: core.lon_deg,
                    lat_deg: core.lat_deg,
                },
                parts_start,
                parts_len: region.shape.parts.len(),
            });
        }
        out
    }

    /// The ABI view; it borrows `self` (and the ids of the regions given to `new`).
    pub fn abi(&self) -> FzcFlowInput {
        FzcFlowInput {
            struct_size: std::mem::size_of::<FzcFlowInput>(),
            regions: self.regions.as_ptr(),
            n_regions: self.regions.len(),
            parts: self.parts.as_ptr(),
            n_parts: self.parts.len(),
            rings: self.rings.as_ptr(),
            n_rings: self.rings.len(),
            points: self.points.as_ptr(),
            n_points: self.points.len(),
        }
    }
}

fn run<'a, T: Copy>(all: &'a [T], start: usize, len: usize, what: &str) -> Result<&'a [T], String> {
    start
        .checked_add(len)
        .and_then(|end| all.get(start..end))
        .ok_or_else(|| {
            format!(
                "{what} {start}..{start}+{len} is out of range (there are {})",
                all.len()
            )
        })
}

fn shape_from_abi(
    region: &FzcFlowRegion,
    parts: &[FzcPart],
    rings: &[FzcRing],
    points: &[FzcLonLat],
) -> Result<RegionShape, String> {
    let mut shape = RegionShape::default();
    for part in run(parts, region.parts_start, region.parts_len, "parts")? {
        let mut part_rings = run(rings, part.rings_start, part.rings_len, "rings")?
            .iter()
            .map(|ring| {
                Ok(run(points, ring.points_start, ring.points_len, "points")?
                    .iter()
                    .map(|p| LonLat::new(p.lon_deg, p.lat_deg))
                    .collect::<Vec<_>>())
            })
            .collect::<Result<Vec<_>, String>>()?;
        if part_rings.is_empty() {
            return Err("a part without an exterior ring".to_owned());
        }
        let exterior = part_rings.remove(0);
        shape.parts.push(PolygonRings {
            exterior,
            holes: part_rings,
        });
    }
    Ok(shape)
}

/// Plugin side: reads the regions of an ABI flow input, checking every index.
///
/// # Errors
/// A message naming the region or array when an id is invalid or a run is out of range.
///
/// # Safety
/// Every non-null pointer in `input` must point to as many entries as its length field says,
/// alive for the call.
pub unsafe fn flow_regions_from_abi(input: &FzcFlowInput) -> Result<Vec<FlowRegion>, String> {
    // SAFETY (all four): forwarded from the caller.
    let regions = unsafe { slice(input.regions, input.n_regions, "regions") }?;
    let parts = unsafe { slice(input.parts, input.n_parts, "parts") }?;
    let rings = unsafe { slice(input.rings, input.n_rings, "rings") }?;
    let points = unsafe { slice(input.points, input.n_points, "points") }?;
    regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // SAFETY: forwarded from the caller.
            let text = unsafe { r.id.to_str() }.map_err(|e| format!("region {i}: {e}"))?;
            let id = RegionId::new(text).map_err(|e| format!("region {i}: {e}"))?;
            let shape = shape_from_abi(r, parts, rings, points)
                .map_err(|e| format!("region `{id}`: {e}"))?;
            Ok(FlowRegion {
                id,
                supply: TonnesCo2(r.supply_t),
                demand: TonnesCo2(r.demand_t),
                given_core: (r.has_given_core != 0)
                    .then(|| LonLat::new(r.given_core.lon_deg, r.given_core.lat_deg)),
                shape,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(i: usize) -> RegionId {
        RegionId::new(format!("r{i}")).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Host buffers → ABI → plugin copy gives back exactly the pricing input.
        #[test]
        fn pricing_input_round_trips(
            values in prop::collection::vec((0.0f64..1e3, -1e6f64..1e6, 0.0f64..1e9), 1..6),
            flows in prop::collection::vec((0usize..6, 0usize..6, 0u32..3, 0.0f64..1e7), 0..8),
            with_gdp in any::<bool>(),
        ) {
            let n = values.len();
            let regions: Vec<RegionId> = (0..n).map(id).collect();
            let standards: Vec<YuanPerTonne> = values.iter().map(|v| YuanPerTonne(v.0)).collect();
            let benchmarks: Vec<TonnesCo2> = values.iter().map(|v| TonnesCo2(v.1)).collect();
            let gdp: Vec<Yuan> = values.iter().map(|v| Yuan(v.2)).collect();
            let flows: Vec<PricingFlow> = flows
                .iter()
                .map(|&(a, b, l, t)| PricingFlow {
                    payer: a % n,
                    payee: b % n,
                    layer: layer_from_code(l).unwrap(),
                    tonnes: TonnesCo2(t),
                })
                .collect();
            let input = PricingInput {
                price: YuanPerTonne(46.66),
                regions: &regions,
                standards: &standards,
                benchmarks: &benchmarks,
                population_persons: None,
                gdp: with_gdp.then_some(&gdp[..]),
                flows: &flows,
            };
            let buffers = PricingInputBuffers::new(&input);
            let abi = buffers.abi();
            let owned = unsafe { OwnedPricingInput::from_abi(&abi) }.unwrap();
            let back = owned.as_input();
            prop_assert_eq!(back.regions, input.regions);
            prop_assert_eq!(back.standards, input.standards);
            prop_assert_eq!(back.benchmarks, input.benchmarks);
            prop_assert_eq!(back.gdp, input.gdp);
            prop_assert_eq!(back.population_persons, None);
            prop_assert_eq!(back.flows, input.flows);
        }

        /// Flattening shapes into part/ring/point arrays and reading them back is lossless.
        #[test]
        fn flow_regions_round_trip(
            shapes in prop::collection::vec(
                prop::collection::vec(
                    prop::collection::vec(
                        prop::collection::vec((-180.0f64..180.0, -90.0f64..90.0), 0..5),
                        1..3),
                    0..3),
                1..5),
            core in prop::option::of((-180.0f64..180.0, -90.0f64..90.0)),
        ) {
            let regions: Vec<FlowRegion> = shapes
                .iter()
                .enumerate()
                .map(|(i, parts)| FlowRegion {
                    id: id(i),
                    supply: TonnesCo2(i as f64),
                    demand: TonnesCo2(2.0 * i as f64),
                    given_core: core.map(|(x, y)| LonLat::new(x, y)),
                    shape: RegionShape {
                        parts: parts
                            .iter()
                            .map(|rings| {
                                let mut rings: Vec<Vec<LonLat>> = rings
                                    .iter()
                                    .map(|r| r.iter().map(|&(x, y)| LonLat::new(x, y)).collect())
                                    .collect();
                                let exterior = rings.remove(0);
                                PolygonRings { exterior, holes: rings }
                            })
                            .collect(),
                    },
                })
                .collect();
            let buffers = FlowInputBuffers::new(&regions);
            let back = unsafe { flow_regions_from_abi(&buffers.abi()) }.unwrap();
            prop_assert_eq!(back, regions);
        }
    }

    #[test]
    fn out_of_range_runs_are_refused_with_the_region() {
        let regions = [FzcFlowRegion {
            id: FzcStr::new("beijing"),
            supply_t: 1.0,
            demand_t: 1.0,
            has_given_core: 0,
            given_core: FzcLonLat::default(),
            parts_start: 0,
            parts_len: 1,
        }];
        let parts = [FzcPart {
            rings_start: 0,
            rings_len: 2,
        }];
        let rings = [FzcRing {
            points_start: 0,
            points_len: 0,
        }];
        let input = FzcFlowInput {
            struct_size: std::mem::size_of::<FzcFlowInput>(),
            regions: regions.as_ptr(),
            n_regions: 1,
            parts: parts.as_ptr(),
            n_parts: 1,
            rings: rings.as_ptr(),
            n_rings: 1,
            points: std::ptr::null(),
            n_points: 0,
        };
        let err = unsafe { flow_regions_from_abi(&input) }.unwrap_err();
        assert!(err.contains("beijing") && err.contains("rings"), "{err}");
        assert!(layer_from_code(7).unwrap_err().contains('7'));
    }
}
