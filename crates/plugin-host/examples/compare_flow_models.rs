//! Compares a flow-model plugin with the paper's breakpoint model on one set of regions.
//!
//! ```sh
//! cargo build -p fzc-plugin-flow-gravity
//! cargo run -p fzc-plugin-host --example compare_flow_models -- \
//!     examples/bth-2020/boundaries crates/scenario/tests/data/bth-raw/balance.csv \
//!     target/debug/libfzc_plugin_flow_gravity.so alpha=1 beta=2 paper.mass=balance
//! ```
//!
//! The balance table is in Mt. The plugin's `k` is calibrated so that it moves the same total
//! as the breakpoint model (run once with `k = 1`, then scaled), so the comparison is about
//! where the service flows, not how much. Prints one row per (output, input) pair with a
//! positive transfer in either model, in Mt, then each region's net CSS position `V_net`.

use std::collections::BTreeMap;
use std::path::Path;

use fzc_core::{FlowModel, FlowOutput, FlowRegion, RegionId, TonnesCo2};
use fzc_cssf_flow::{BreakpointModel, Mass};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [regions, balance, plugin, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: compare_flow_models REGIONS BALANCE.csv PLUGIN [NAME=VALUE ...]".into(),
        );
    };
    let shapes = fzc_io::read_geojson_regions(Path::new(regions), None)?;
    let rows: BTreeMap<RegionId, (f64, f64)> = fzc_io::read_region_balance(Path::new(balance))?
        .into_iter()
        .map(|r| (r.id, (r.supply * 1e6, r.demand * 1e6)))
        .collect();
    let input: Vec<FlowRegion> = shapes
        .into_iter()
        .map(|(id, shape)| {
            let (supply, demand) = rows
                .get(&id)
                .copied()
                .ok_or(format!("no balance row for `{id}`"))?;
            Ok(FlowRegion {
                id,
                supply: TonnesCo2(supply),
                demand: TonnesCo2(demand),
                given_core: None,
                shape,
            })
        })
        .collect::<Result<_, String>>()?;

    let mut params: BTreeMap<String, String> = rest
        .iter()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    // `paper.mass=balance|supply|demand` sets Eq 14's masses of the breakpoint model.
    let mass = match params.remove("paper.mass").as_deref() {
        None | Some("demand") => Mass::Demand,
        Some("supply") => Mass::Supply,
        Some("balance") => Mass::Balance,
        Some(other) => {
            return Err(format!("paper.mass={other}: expected demand, supply or balance").into());
        }
    };
    let paper = BreakpointModel {
        mass,
        ..BreakpointModel::default()
    }
    .flows(&input)?;
    let loaded = fzc_plugin_host::load(Path::new(plugin))?;
    params.insert("k".into(), "1".into());
    let unit = loaded.flow_model(&params)?.flows(&input)?;
    let total = |o: &FlowOutput| o.flows.iter().map(|f| f.transfer.0).sum::<f64>();
    let k = total(&paper) / total(&unit);
    params.insert("k".into(), format!("{k:e}"));
    let model = loaded.flow_model(&params)?;
    let other = model.flows(&input)?;
    println!(
        "paper breakpoint model (mass = {mass:?}) vs plugin `{}` ({}), k calibrated to {k:.6e} so both move {:.3} Mt",
        model.name(),
        params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        total(&paper) / 1e6
    );
    let by_pair = |o: &FlowOutput| -> BTreeMap<(usize, usize), f64> {
        o.flows
            .iter()
            .map(|f| ((f.from, f.to), f.transfer.0 / 1e6))
            .collect()
    };
    let (a, b) = (by_pair(&paper), by_pair(&other));
    println!(
        "{:<14}{:<14}{:>12}{:>12}",
        "output", "input", "paper Mt", "plugin Mt"
    );
    let pairs: std::collections::BTreeSet<_> = a.keys().chain(b.keys()).copied().collect();
    for (s, r) in pairs {
        let (x, y) = (
            a.get(&(s, r)).copied().unwrap_or(0.0),
            b.get(&(s, r)).copied().unwrap_or(0.0),
        );
        if x > 0.0 || y > 0.0 {
            println!(
                "{:<14}{:<14}{x:>12.3}{y:>12.3}",
                input[s].id.as_str(),
                input[r].id.as_str()
            );
        }
    }
    println!(
        "\n{:<14}{:>14}{:>14}",
        "region", "paper V_net", "plugin V_net"
    );
    for (i, region) in input.iter().enumerate() {
        let net = |m: &BTreeMap<(usize, usize), f64>| -> f64 {
            m.iter()
                .map(|(&(s, r), v)| {
                    if r == i {
                        *v
                    } else if s == i {
                        -*v
                    } else {
                        0.0
                    }
                })
                .sum()
        };
        println!(
            "{:<14}{:>14.3}{:>14.3}",
            region.id.as_str(),
            net(&a),
            net(&b)
        );
    }
    Ok(())
}
