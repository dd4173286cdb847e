//! The default scenario, compiled into the binary so that `fzc run` works from any directory.

use crate::ScenarioSource;

/// The files of `examples/bth-2020/` that the scenario reads, as compiled in.
const BTH_2020_FILES: &[(&str, &str)] = &[
    (
        "scenario.toml",
        include_str!("../../../examples/bth-2020/scenario.toml"),
    ),
    (
        "standards.csv",
        include_str!("../../../examples/bth-2020/standards.csv"),
    ),
    (
        "economy.csv",
        include_str!("../../../examples/bth-2020/economy.csv"),
    ),
    (
        "ect-net.csv",
        include_str!("../../../examples/bth-2020/ect-net.csv"),
    ),
    (
        "ect-bilateral.csv",
        include_str!("../../../examples/bth-2020/ect-bilateral.csv"),
    ),
    (
        "cssf-transfers.csv",
        include_str!("../../../examples/bth-2020/cssf-transfers.csv"),
    ),
];

/// The embedded default case, Beijing–Tianjin–Hebei 2020 (`examples/bth-2020/`).
pub fn bth_2020() -> ScenarioSource {
    ScenarioSource::Embedded {
        label: "examples/bth-2020",
        toml: "scenario.toml",
        files: BTH_2020_FILES,
    }
}
