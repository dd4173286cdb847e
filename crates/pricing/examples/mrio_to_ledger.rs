//! From an MRIO table to a priced ledger with the library crates alone: no files, no
//! `fzc-scenario`. Run with `cargo run -p fzc-pricing --example mrio_to_ledger`.
//!
//! Two regions with two sectors each; Tangshan's heavy industry emits for Beijing's final
//! demand (ECT layer), and Chengde's forests provide carbon sequestration to Tangshan (CSSF
//! layer). Each layer's tonnes are priced at the paying region's standard (`paper` scheme).

use fzc_ect_mrio::faer::Mat;
use fzc_ect_mrio::{EctOptions, MrioTable, Satellite, compute_ect};
use fzc_pricing::{
    CssTransfer, Ledger, MassUnit, RegionId, Standards, TonnesCo2, YuanPerTonne, Zone, Zoning,
    cssf_flows, ect_flows, scheme_by_name,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let [beijing, tangshan, chengde] = ["beijing", "tangshan", "chengde"].map(RegionId::new);
    let (beijing, tangshan, chengde) = (beijing?, tangshan?, chengde?);
    // ECT layer: Z (4 × 4, region-major), Y (4 × 2), emissions in kt CO2.
    let z = [
        [5.0, 2.0, 1.0, 0.5],
        [1.0, 8.0, 0.5, 1.0],
        [6.0, 1.0, 10.0, 2.0],
        [0.5, 0.5, 1.0, 4.0],
    ];
    let y = [[10.0, 1.0], [30.0, 2.0], [8.0, 12.0], [1.0, 15.0]];
    let table = MrioTable {
        regions: vec![beijing.clone(), tangshan.clone()],
        sectors: fzc_ect_mrio::SectorId::list(["energy", "services"])?,
        z: Mat::from_fn(4, 4, |i, j| z[i][j]),
        y: Mat::from_fn(4, 2, |i, s| y[i][s]),
        x: None,
        monetary_unit: "M.CNY".into(),
    };
    let co2 = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Kilotonne,
        by_sector: vec![20.0, 5.0, 90.0, 10.0],
        final_users: vec![3.0, 2.0],
    };
    let accounts = compute_ect(table, &co2, &EctOptions::default())?;
    let mut nf = accounts.net_tonnes(); // t CO2, converted from kt
    nf.push((chengde.clone(), TonnesCo2(0.0))); // no MRIO row: ECT-neutral
    // CSSF layer: Chengde provides 40 kt of sequestration to Tangshan.
    let transfers = [CssTransfer {
        output: chengde.clone(),
        input: tangshan.clone(),
        tonnes: TonnesCo2(40e3),
    }];
    let zoning = Zoning::from_layers(&nf, &transfers)?;
    let given = [
        (beijing.clone(), YuanPerTonne(60.0)),
        (tangshan.clone(), YuanPerTonne(45.0)),
        (chengde.clone(), YuanPerTonne(15.0)),
    ];
    let standards = Standards::given(YuanPerTonne(46.66), &given)?;
    let mut flows = ect_flows(&accounts.bilateral_nets())?;
    flows.extend(cssf_flows(&transfers)?);
    let ledger = Ledger::build(
        scheme_by_name("paper")?.as_ref(),
        &zoning,
        &standards,
        &flows,
    )?;

    // The checks a reader does by hand.
    let nets = accounts.bilateral_nets();
    assert_eq!(
        (nets.len(), &nets[0].region, &nets[0].counterpart),
        (1, &beijing, &tangshan)
    );
    let owed = nets[0].nt; // Beijing owes Tangshan this many tonnes of embodied CO2
    assert!((owed.0 - accounts.net()[0] * 1e3).abs() < 1e-6, "kt → t");
    let account = |id: &RegionId| ledger.account(id).ok_or(format!("{id} has no account"));
    let (bj, ts, cd) = (account(&beijing)?, account(&tangshan)?, account(&chengde)?);
    assert!(
        (bj.paid.0 - owed.0 * 60.0).abs() < 1e-3,
        "Beijing pays NT at its own standard"
    );
    assert!(
        (cd.received.0 - 40e3 * 45.0).abs() < 1e-3,
        "Chengde is paid at Tangshan's standard"
    );
    assert!((ts.net.0 - (40e3 * 45.0 - owed.0 * 60.0)).abs() < 1e-3);
    let total_net: f64 = ledger.accounts().iter().map(|a| a.net.0).sum();
    assert!(total_net.abs() < 1e-6, "money is conserved: {total_net}");
    assert_eq!(zoning.get(&chengde).map(|r| r.zone), Some(Zone::Recipient));
    for a in ledger.accounts() {
        println!(
            "{:>9}: paid {:.0}, received {:.0}, net {:.0}",
            a.region, a.paid, a.received, a.net
        );
    }
    Ok(())
}
