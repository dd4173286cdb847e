//! Compiles against the fzc library crates through their re-exports alone, and checks that
//! the types they hand out fit together (MRIO → ECT in tonnes → zoning → ledger, and a
//! polygon from `fzc_cssf_flow::geo` into the flow model's shape).

use fzc_cssf_flow::geo::{Area, LineString, MultiPolygon, Polygon};
use fzc_cssf_flow::shape::{from_multipolygon, to_multipolygon};
use fzc_ect_mrio::faer::Mat;
use fzc_ect_mrio::{EctOptions, MassUnit, MrioTable, RegionId, Satellite, SectorId, compute_ect};
use fzc_pricing::{
    CssTransfer, Ledger, Standards, TonnesCo2, YuanPerTonne, Zoning, cssf_flows, ect_flows,
    scheme_by_name,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let regions = RegionId::list(["a", "b"])?;
    let table = MrioTable {
        regions: regions.clone(),
        sectors: SectorId::list(["s"])?,
        z: Mat::from_fn(2, 2, |i, j| [[1.0, 2.0], [3.0, 1.0]][i][j]),
        y: Mat::from_fn(2, 2, |i, s| [[6.0, 1.0], [2.0, 9.0]][i][s]),
        x: None,
        monetary_unit: "M.CNY".into(),
    };
    let co2 = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Megatonne,
        by_sector: vec![1.0, 4.0],
        final_users: vec![0.0, 0.0],
    };
    let accounts = compute_ect(table, &co2, &EctOptions::default())?;
    // ECT's tonnes go straight into the pricing crate's types (same fzc-core underneath).
    let nf: Vec<(fzc_pricing::RegionId, TonnesCo2)> = accounts.net_tonnes();
    let transfers = [CssTransfer {
        output: regions[0].clone(),
        input: regions[1].clone(),
        tonnes: TonnesCo2(1e5),
    }];
    let zoning = Zoning::from_layers(&nf, &transfers)?;
    let given: Vec<_> = regions
        .iter()
        .map(|r| (r.clone(), YuanPerTonne(50.0)))
        .collect();
    let standards = Standards::given(YuanPerTonne(50.0), &given)?;
    let mut flows = ect_flows(&accounts.bilateral_nets())?;
    flows.extend(cssf_flows(&transfers)?);
    let ledger = Ledger::build(
        scheme_by_name("uniform")?.as_ref(),
        &zoning,
        &standards,
        &flows,
    )?;
    let net: f64 = ledger.accounts().iter().map(|a| a.net.0).sum();
    assert!(net.abs() < 1e-3, "money is conserved, got {net}");
    assert_eq!(ledger.accounts().len(), 2);

    // geo from fzc-cssf-flow's re-export, converted to the flow model's shape and back.
    let square = LineString::from(vec![
        (116.0, 39.0),
        (117.0, 39.0),
        (117.0, 40.0),
        (116.0, 40.0),
    ]);
    let polygons = MultiPolygon::new(vec![Polygon::new(square, vec![])]);
    let shape: fzc_cssf_flow::RegionShape = from_multipolygon(&polygons);
    assert_eq!(to_multipolygon(&shape).unsigned_area(), 1.0);
    println!("downstream check: 1 passed, 0 failed");
    Ok(())
}
