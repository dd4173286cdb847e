//! The region flow graph.

use fzc_core::{RegionFlow, RegionId};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::CssfRun;

/// The directed graph of CSS flows: nodes are region ids, edges run from the output region to
/// the input region and carry the [`RegionFlow`] (distance, range, area, intensity, transfer).
pub type FlowGraph = DiGraph<RegionId, RegionFlow>;

/// Builds the flow graph of a run. Node `i` is `run.regions[i]` (so `NodeIndex::new(i)`
/// addresses region `i`); only pairs with a positive transfer become edges, in the run's
/// (from, to) order.
pub fn flow_graph(run: &CssfRun) -> FlowGraph {
    let mut graph = FlowGraph::with_capacity(run.regions.len(), run.flows.len());
    for region in &run.regions {
        graph.add_node(region.id.clone());
    }
    for flow in run.flows.iter().filter(|f| f.transfer.0 > 0.0) {
        graph.add_edge(NodeIndex::new(flow.from), NodeIndex::new(flow.to), *flow);
    }
    graph
}
