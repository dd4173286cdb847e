//! The plain input model: what a scenario run hands to the report.
//!
//! Nothing here knows about the runner's own types; the runner (or a test) fills these structs.
//! Amounts are in yuan, masses in t CO2, distances in km, coordinates in WGS84 lon/lat degrees.

use fzc_zoning::{Zone, ZoneClass};
use geo::{MultiPolygon, Point};

/// Everything the figures, `report.html`, the GeoPackage and the GeoJSON files are drawn from.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The scenario's name (used as the report title).
    pub scenario_name: String,
    /// Provenance notes, one line each (where the inputs came from, which were estimated).
    pub provenance: Vec<String>,
    /// Errata and disagreement flags, one line each, shown verbatim in the report.
    pub errata: Vec<String>,
    /// One entry per region, in any order (outputs sort by id).
    pub regions: Vec<RegionResult>,
    /// ECT bilateral net flows (one per ordered pair with a positive net).
    pub ect_flows: Vec<EctFlow>,
    /// CSSF transfers (Table 3 rows).
    pub cssf_flows: Vec<CssfFlow>,
    /// The pairwise compensation ledger.
    pub ledger: Vec<LedgerPair>,
    /// An optional scheme comparison (`fzc compare`).
    pub comparison: Option<Comparison>,
}

/// One region's polygons and its zoning and compensation results.
#[derive(Debug, Clone)]
pub struct RegionResult {
    /// Stable region id (e.g. `beijing`).
    pub id: String,
    /// Name shown on maps and in tables (e.g. `Beijing`).
    pub display_name: String,
    /// Boundary, WGS84 lon/lat degrees.
    pub geometry: MultiPolygon<f64>,
    /// The region's core (CSSF flow origin), lon/lat. `None`: the report uses the centroid
    /// of the largest polygon if it lies inside it, otherwise an interior point of it.
    pub core: Option<Point<f64>>,
    /// Zoning class from the signs of `NF` and `V_net`.
    pub class: ZoneClass,
    /// The zone shown on the maps (the runner decides: benchmark zone or ledger sign).
    pub zone: Zone,
    /// Net embodied carbon transfer `NF`, t CO2.
    pub nf_t: f64,
    /// Net CSS position `V_net`, t CO2.
    pub v_net_t: f64,
    /// Benchmark `L = NF + V_net`, t CO2.
    pub benchmark_t: f64,
    /// Compensation standard `P·γ`, yuan/t, if known.
    pub standard_yuan_per_t: Option<f64>,
    /// City-level amount (Eq 17), yuan.
    pub tc_eq17_yuan: Option<f64>,
    /// What the region pays in the combined ledger, yuan (≥ 0).
    pub paid_yuan: f64,
    /// What the region receives in the combined ledger, yuan (≥ 0).
    pub received_yuan: f64,
    /// `paid − received`, yuan (`> 0`: net payer).
    pub net_yuan: f64,
    /// The ledger's sign disagrees with the benchmark's sign.
    pub flag: bool,
}

/// One ECT bilateral net flow: `from` pays `to` (the net embodied carbon goes from `to`'s
/// production to `from`'s consumption, METHOD 4).
#[derive(Debug, Clone, PartialEq)]
pub struct EctFlow {
    /// Paying region id (`NT[from,to] > 0`).
    pub from: String,
    /// Receiving region id.
    pub to: String,
    /// Bilateral net transfer, t CO2 (> 0).
    pub tonnes: f64,
}

/// One CSSF transfer from an output region to an input region (a Table 3 row).
#[derive(Debug, Clone, PartialEq)]
pub struct CssfFlow {
    /// Output (supplying) region id.
    pub output: String,
    /// Input (consuming) region id.
    pub input: String,
    /// Transfer `V_sr`, t CO2.
    pub transfer_t: f64,
    /// Flow range `R_sr`, km.
    pub range_km: f64,
    /// Flow intensity `I_sr`, t/km², if known.
    pub intensity_t_per_km2: Option<f64>,
}

/// The ledger layer a pair belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LedgerLayer {
    /// Embodied carbon transfer.
    Ect,
    /// Carbon sequestration service flow.
    Cssf,
    /// The two netted per pair.
    Combined,
}

impl LedgerLayer {
    /// The stable name used in files: `ect`, `cssf`, `combined`.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerLayer::Ect => "ect",
            LedgerLayer::Cssf => "cssf",
            LedgerLayer::Combined => "combined",
        }
    }
}

/// One ledger entry: `payer` pays `payee`.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPair {
    /// Paying region id.
    pub payer: String,
    /// Receiving region id.
    pub payee: String,
    /// Layer.
    pub layer: LedgerLayer,
    /// Tonnes priced, t CO2.
    pub tonnes: f64,
    /// Standard applied, yuan/t.
    pub standard_yuan_per_t: f64,
    /// Amount, yuan.
    pub amount_yuan: f64,
}

/// Net city amounts under several pricing schemes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    /// Scheme names, in column order (e.g. `paper`, `payee`, `uniform`, `eq17`).
    pub schemes: Vec<String>,
    /// One row per region.
    pub rows: Vec<ComparisonRow>,
}

/// One region's net amounts, one per scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Region id.
    pub region: String,
    /// Net amount (`paid − received`) under each scheme, yuan, in the order of
    /// [`Comparison::schemes`].
    pub net_yuan: Vec<f64>,
}

impl ReportInput {
    /// The regions sorted by id (the order of every table and layer).
    pub fn sorted_regions(&self) -> Vec<&RegionResult> {
        let mut regions: Vec<&RegionResult> = self.regions.iter().collect();
        regions.sort_by(|a, b| a.id.cmp(&b.id));
        regions
    }

    /// A region by id.
    pub fn region(&self, id: &str) -> Option<&RegionResult> {
        self.regions.iter().find(|r| r.id == id)
    }
}
