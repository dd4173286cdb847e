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
    /// The CSSDR grid (Eq 13 per pixel), when the scenario has rasters; gives the CSSDR map.
    pub cssdr: Option<LonLatRaster>,
    /// A Monte Carlo summary (`fzc mc --report`): the probability-of-paying map and the
    /// interval chart.
    pub uncertainty: Option<Uncertainty>,
    /// Sensitivity indices (`fzc sensitivity --report`): the tornado chart.
    pub sensitivity: Option<Sensitivity>,
    /// A year series (`[ect] years`): each region's amount per year, the `amount-series`
    /// chart.
    pub series: Option<YearSeries>,
}

/// Each region's combined net amount per year of a year series (`zoning-series.csv`'s
/// `ledger_net`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearSeries {
    /// The years, increasing.
    pub years: Vec<i32>,
    /// One row per region.
    pub rows: Vec<SeriesRow>,
}

/// One region's combined net amount (`paid − received`, yuan, > 0 pays) per year, in the
/// order of [`YearSeries::years`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// Region id.
    pub region: String,
    /// Net amount per year, yuan.
    pub net_yuan: Vec<f64>,
}

/// What `fzc mc` found per region (its `summary.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncertainty {
    /// Draws behind the statistics.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// One row per region.
    pub rows: Vec<UncertaintyRow>,
}

/// One region's Monte Carlo statistics of its combined ledger net (yuan, > 0 pays).
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyRow {
    /// Region id.
    pub region: String,
    /// Share of draws in which the region pays.
    pub p_payer: f64,
    /// 5th percentile of the net, yuan.
    pub p05: f64,
    /// Median, yuan.
    pub p50: f64,
    /// 95th percentile, yuan.
    pub p95: f64,
}

/// Sensitivity indices per output (`sobol.csv` or `morris.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sensitivity {
    /// `sobol` or `morris`.
    pub method: String,
    /// What the bars show: `total index ST` or `mu*, yuan`.
    pub measure: String,
    /// Per output (`ledger_net.<region>`, `total_paid`): its bars, in the table's order.
    pub outputs: Vec<(String, Vec<SensitivityBar>)>,
}

/// One input's bar in a tornado panel: `(input, value, confidence half-width)`.
pub type SensitivityBar = (String, f64, f64);

/// A grid on WGS84 lon/lat, one value per cell, row-major from the north-west corner: cell
/// `(row, col)` covers lon `west + col·(east − west)/width` to the next column's, and lat
/// `north − row·(north − south)/height` down to the next row's. `NaN` is no data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LonLatRaster {
    /// West edge, degrees of longitude.
    pub west: f64,
    /// South edge, degrees of latitude.
    pub south: f64,
    /// East edge, degrees of longitude.
    pub east: f64,
    /// North edge, degrees of latitude.
    pub north: f64,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width · height` values, row-major from the north-west corner; `NaN` = no data.
    /// For the CSSDR map the values are dimensionless, in [−1, 1].
    pub values: Vec<f32>,
}

impl LonLatRaster {
    /// The value of cell `(row, col)`, `None` outside the grid.
    pub fn get(&self, row: usize, col: usize) -> Option<f32> {
        if row < self.height && col < self.width {
            self.values.get(row * self.width + col).copied()
        } else {
            None
        }
    }

    /// Longitude of the west edge of column `col` (`col = width`: the east edge).
    ///
    /// # Units
    /// Degrees.
    pub fn col_lon(&self, col: usize) -> f64 {
        self.west + (self.east - self.west) * col as f64 / self.width.max(1) as f64
    }

    /// Latitude of the north edge of row `row` (`row = height`: the south edge).
    ///
    /// # Units
    /// Degrees.
    pub fn row_lat(&self, row: usize) -> f64 {
        self.north - (self.north - self.south) * row as f64 / self.height.max(1) as f64
    }
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
    /// `true` when `range_km` is the paper's printed Table 3 range (a `cssf_range` row of
    /// `published.csv`), `false` when the flow model computed it (or it is unknown: 0).
    pub range_from_paper: bool,
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
