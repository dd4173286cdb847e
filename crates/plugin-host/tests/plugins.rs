//! Loads the example, built-in and fault plugins built from this workspace and holds them to
//! the method: equivalence with the built-ins, the conformance suite, and every fault.
//!
//! The plugins are built by a nested `cargo build` into a separate target directory, once
//! per test binary, so a plain `cargo test --workspace` on a fresh clone runs this file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use fzc_core::{
    DemandEstimator, DemandPixel, FlowModel, FlowRegion, Layer, LonLat, PolygonRings, PricingFlow,
    PricingInput, PricingScheme, RegionId, RegionShape, TonnesCo2, Yuan, YuanPerTonne,
};
use fzc_cssf_flow::{BreakpointModel, Mass};
use fzc_plugin_host::conformance::{self, Outcome, invariant};
use fzc_plugin_host::{LoadedPlugin, PluginError, PluginKind, load};
use fzc_pricing::{BilateralNet, BuiltinScheme, Ledger, Standards, cssf_flows, ect_flows};
use fzc_zoning::{CssTransfer, Zoning};
use proptest::prelude::*;

const PLUGINS: [&str; 9] = [
    "pricing-gdp-cap",
    "flow-gravity",
    "demand-nightlight",
    "builtin-demand",
    "builtin-pricing",
    "builtin-breakpoint",
    "fault-pricing",
    "fault-abi-version",
    "fault-no-entry",
];

/// Builds every plugin once (nested cargo, own target dir) and returns the directory of the
/// libraries.
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => workspace.join(dir),
            None => workspace.join("target"),
        }
        .join("plugin-tests");
        let cargo = std::env::var_os("CARGO")
            .or_else(|| option_env!("CARGO").map(Into::into))
            .unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(&workspace)
            .args(["build", "--quiet", "--target-dir"])
            .arg(&target);
        for plugin in PLUGINS {
            command.args(["-p", &format!("fzc-plugin-{plugin}")]);
        }
        let status = command.status().expect("cargo runs");
        assert!(status.success(), "building the plugins failed: {status}");
        target.join("debug")
    })
}

fn path_of(plugin: &str) -> PathBuf {
    let stem = format!("fzc_plugin_{}", plugin.replace('-', "_"));
    plugin_dir().join(format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}

fn plugin(name: &str) -> LoadedPlugin {
    load(&path_of(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn ids(n: usize) -> Vec<RegionId> {
    (0..n)
        .map(|i| RegionId::new(format!("r{i}")).expect("a valid region id"))
        .collect()
}

#[test]
fn info_shows_name_kind_abi_version_and_parameters() {
    let gdp = plugin("pricing-gdp-cap");
    let info = gdp.info();
    assert_eq!(info.name, "gdp-cap");
    assert_eq!(info.kind, PluginKind::PricingScheme);
    assert_eq!(info.abi_version, fzc_plugin_api::FZC_PLUGIN_ABI_VERSION);
    assert_eq!(info.parameters.len(), 1);
    assert_eq!(info.parameters[0].name, "share");
    assert_eq!(info.parameters[0].default, None);

    let gravity = plugin("flow-gravity");
    let info = gravity.info();
    assert_eq!(
        (info.name.as_str(), info.kind),
        ("gravity", PluginKind::FlowModel)
    );
    let defaults: Vec<_> = info
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.default.as_deref()))
        .collect();
    assert_eq!(
        defaults,
        [("k", None), ("alpha", Some("1")), ("beta", Some("2"))]
    );

    // Loading the same file again reuses the library (it is never unloaded).
    let again = plugin("flow-gravity");
    assert_eq!(again.info(), gravity.info());
}

/// Per region (standard, benchmark, GDP), and flows (payer, payee offset, is ECT, tonnes).
type PricingCaseValues = (Vec<(f64, f64, f64)>, Vec<(usize, usize, bool, f64)>);

/// A random pricing case: `n` regions, flows between distinct regions.
fn pricing_case() -> impl Strategy<Value = PricingCaseValues> {
    (2usize..7).prop_flat_map(|n| {
        (
            prop::collection::vec((0.0f64..150.0, -1e8f64..1e8, 1e9f64..1e12), n),
            prop::collection::vec((0..n, 1..n, any::<bool>(), 0.0f64..5e7), 0..12),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The built-in schemes loaded through the ABI give bit-identical outputs (Debug text of
    /// every f64, so even -0.0 against 0.0 would show) to the same schemes in process, both
    /// alone and through the whole ledger (zoning, ECT and CSSF flows, netting).
    #[test]
    fn loaded_builtin_pricing_is_bit_identical((regions, flows) in pricing_case()) {
        let n = regions.len();
        let names = ids(n);
        let standards: Vec<YuanPerTonne> = regions.iter().map(|r| YuanPerTonne(r.0)).collect();
        let benchmarks: Vec<TonnesCo2> = regions.iter().map(|r| TonnesCo2(r.1)).collect();
        let gdp: Vec<Yuan> = regions.iter().map(|r| Yuan(r.2)).collect();
        // One flow per unordered pair, so that the pipeline below accepts every case.
        let mut seen = std::collections::BTreeSet::new();
        let flows: Vec<PricingFlow> = flows
            .iter()
            .map(|&(a, d, ect, t)| PricingFlow {
                payer: a,
                payee: (a + d) % n,
                layer: if ect { Layer::Ect } else { Layer::Cssf },
                tonnes: TonnesCo2(t),
            })
            .filter(|f| seen.insert((f.payer.min(f.payee), f.payer.max(f.payee))))
            .collect();
        let input = PricingInput {
            price: YuanPerTonne(46.66),
            regions: &names,
            standards: &standards,
            benchmarks: &benchmarks,
            population_persons: None,
            gdp: Some(&gdp),
            flows: &flows,
        };
        let loaded = plugin("builtin-pricing");
        for builtin in BuiltinScheme::ALL {
            let scheme = loaded.pricing_scheme(&params(&[("scheme", builtin.as_str())])).unwrap();
            let ours = scheme.price(&input).unwrap();
            let theirs = builtin.price(&input).unwrap();
            prop_assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));

            // The whole pipeline: zoning from NF and CSS transfers, flows, ledger.
            let nf: Vec<(RegionId, TonnesCo2)> = names.iter().cloned().zip(benchmarks.iter().copied()).collect();
            let transfers: Vec<CssTransfer> = flows
                .iter()
                .filter(|f| f.layer == Layer::Cssf)
                .map(|f| CssTransfer { output: names[f.payee].clone(), input: names[f.payer].clone(), tonnes: f.tonnes })
                .collect();
            let nets: Vec<BilateralNet> = flows
                .iter()
                .filter(|f| f.layer == Layer::Ect)
                .map(|f| BilateralNet { region: names[f.payer].clone(), counterpart: names[f.payee].clone(), nt: f.tonnes })
                .collect();
            let zoning = Zoning::from_layers(&nf, &transfers).unwrap();
            let ect = ect_flows(&nets).unwrap();
            let given: Vec<(RegionId, YuanPerTonne)> = names.iter().cloned().zip(standards.iter().copied()).collect();
            let standards_table = Standards::given(YuanPerTonne(46.66), &given).unwrap();
            let mut all = ect;
            all.extend(cssf_flows(&transfers).unwrap());
            let a = Ledger::build(scheme.as_ref(), &zoning, &standards_table, &all).unwrap();
            let b = Ledger::build(&builtin, &zoning, &standards_table, &all).unwrap();
            prop_assert_eq!(format!("{:?}", a.entries()), format!("{:?}", b.entries()));
            prop_assert_eq!(format!("{:?}", a.accounts()), format!("{:?}", b.accounts()));
        }
    }
}

fn square(id: &RegionId, lon: f64, lat: f64, half: f64, supply: f64, demand: f64) -> FlowRegion {
    let ring = vec![
        LonLat::new(lon - half, lat - half),
        LonLat::new(lon + half, lat - half),
        LonLat::new(lon + half, lat + half),
        LonLat::new(lon - half, lat + half),
        LonLat::new(lon - half, lat - half),
    ];
    FlowRegion {
        id: id.clone(),
        supply: TonnesCo2(supply),
        demand: TonnesCo2(demand),
        given_core: None,
        shape: RegionShape {
            parts: vec![PolygonRings {
                exterior: ring,
                holes: Vec::new(),
            }],
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The breakpoint model loaded through the ABI gives bit-identical flows to the
    /// in-process model, with default options and with `mass = balance`.
    #[test]
    fn loaded_builtin_breakpoint_is_bit_identical(
        cells in prop::collection::vec((0.1f64..0.6, 1e5f64..1e8, 1e5f64..1e8), 2..6),
        balance in any::<bool>(),
    ) {
        let names = ids(cells.len());
        let regions: Vec<FlowRegion> = cells
            .iter()
            .enumerate()
            .map(|(i, &(half, s, d))| square(&names[i], 114.0 + 1.3 * (i % 3) as f64, 37.0 + 1.3 * (i / 3) as f64, half, s, d))
            .collect();
        let (builtin, p) = if balance {
            (BreakpointModel { mass: Mass::Balance, ..BreakpointModel::default() }, params(&[("mass", "balance")]))
        } else {
            (BreakpointModel::default(), params(&[]))
        };
        let model = plugin("builtin-breakpoint").flow_model(&p).unwrap();
        let ours = model.flows(&regions).unwrap();
        let theirs = builtin.flows(&regions).unwrap();
        prop_assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
    }
}

#[test]
fn every_plugin_and_builtin_runs_the_same_conformance_suite() {
    let mut reports = Vec::new();
    for scheme in BuiltinScheme::ALL {
        reports.push(conformance::check_pricing_scheme(&scheme));
        let loaded = plugin("builtin-pricing")
            .pricing_scheme(&params(&[("scheme", scheme.as_str())]))
            .unwrap();
        reports.push(conformance::check_pricing_scheme(loaded.as_ref()));
    }
    let gdp = plugin("pricing-gdp-cap")
        .pricing_scheme(&params(&[("share", "0.001")]))
        .unwrap();
    reports.push(conformance::check_pricing_scheme(gdp.as_ref()));
    reports.push(conformance::check_flow_model(&BreakpointModel::default()));
    let breakpoint = plugin("builtin-breakpoint")
        .flow_model(&params(&[]))
        .unwrap();
    reports.push(conformance::check_flow_model(breakpoint.as_ref()));
    let gravity = plugin("flow-gravity")
        .flow_model(&params(&[("k", "1e-4")]))
        .unwrap();
    reports.push(conformance::check_flow_model(gravity.as_ref()));
    for report in &reports {
        assert!(report.passed(), "{report}");
        assert_eq!(
            report.outcome(invariant::RUNS),
            Some(&Outcome::Pass),
            "{report}"
        );
    }
    // The far-away case gives the breakpoint model a pair with zero flow area.
    let far = conformance::flow_cases().pop().unwrap();
    let out = breakpoint.flows(&far).unwrap();
    assert!(
        out.flows
            .iter()
            .any(|f| f.area_km2 == 0.0 && f.transfer.0 == 0.0)
    );

    // A plugin that breaks an invariant is reported as such.
    let negative = plugin("fault-pricing")
        .pricing_scheme_unchecked(&params(&[("mode", "negative")]))
        .unwrap();
    let report = conformance::check_pricing_scheme(negative.as_ref());
    assert!(!report.passed());
    assert!(
        matches!(report.outcome(invariant::AMOUNTS_NON_NEGATIVE), Some(Outcome::Fail(why)) if why.contains("yuan")),
        "{report}"
    );

    // At run time the same rule refuses the output, naming the plugin and the rule.
    let checked = plugin("fault-pricing")
        .pricing_scheme(&params(&[("mode", "negative")]))
        .unwrap();
    let case = [PricingFlow {
        payer: 0,
        payee: 1,
        layer: Layer::Cssf,
        tonnes: TonnesCo2(10.0),
    }];
    let names = ids(2);
    let standards = [YuanPerTonne(30.0), YuanPerTonne(20.0)];
    let benchmarks = [TonnesCo2(10.0), TonnesCo2(-10.0)];
    let input = PricingInput {
        price: YuanPerTonne(46.0),
        regions: &names,
        standards: &standards,
        benchmarks: &benchmarks,
        population_persons: None,
        gdp: None,
        flows: &case,
    };
    let message = checked.price(&input).unwrap_err().to_string();
    assert!(
        message.contains(invariant::AMOUNTS_NON_NEGATIVE)
            && message.contains("fault")
            && message.contains("fzc plugins check"),
        "{message}"
    );
    // An honest plugin passes the same rules.
    let ok = plugin("fault-pricing")
        .pricing_scheme(&params(&[("mode", "ok")]))
        .unwrap();
    assert!(ok.price(&input).is_ok());
}

/// Every fault is a clear error, and the host carries on: after each, a good call succeeds.
#[test]
fn faults_are_clear_errors_and_the_host_survives() {
    let names = ids(3);
    let flows = [PricingFlow {
        payer: 0,
        payee: 1,
        layer: Layer::Cssf,
        tonnes: TonnesCo2(1000.0),
    }];
    let input = PricingInput {
        price: YuanPerTonne(46.66),
        regions: &names,
        standards: &[YuanPerTonne(10.0), YuanPerTonne(20.0), YuanPerTonne(30.0)],
        benchmarks: &[TonnesCo2(1.0), TonnesCo2(-1.0), TonnesCo2(0.0)],
        population_persons: None,
        gdp: None,
        flows: &flows,
    };
    let fault = plugin("fault-pricing");
    let still_alive = || {
        let ok = fault.pricing_scheme(&params(&[])).unwrap();
        assert_eq!(ok.price(&input).unwrap().region_amounts[0], Yuan(10_000.0));
    };

    // Wrong ABI version: refused before the entry is looked at (its entry would panic).
    let err = load(&path_of("fault-abi-version")).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::AbiVersion {
                found: 999,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("fault_abi_version"), "{err}");
    still_alive();

    // Missing symbol.
    let err = load(&path_of("fault-no-entry")).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::MissingSymbol {
                symbol: "fzc_plugin_entry",
                ..
            }
        ),
        "{err}"
    );
    still_alive();

    // A file that is not a library, and one that does not exist.
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("not-a-plugin.so");
    std::fs::write(&text, "this is text, not ELF").unwrap();
    let err = load(&text).unwrap_err();
    assert!(matches!(err, PluginError::NotALibrary { .. }), "{err}");
    assert!(err.to_string().contains("not-a-plugin.so"), "{err}");
    assert!(matches!(
        load(&dir.path().join("missing.so")),
        Err(PluginError::NotALibrary { .. })
    ));
    still_alive();

    // A panic inside the plugin, in the constructor and in a method.
    let err = fault
        .pricing_scheme(&params(&[("mode", "panic-create")]))
        .err()
        .unwrap();
    assert!(
        matches!(&err, PluginError::Panicked { function: "create", message, .. } if message.contains("constructor")),
        "{err}"
    );
    still_alive();
    let panicky = fault.pricing_scheme(&params(&[("mode", "panic")])).unwrap();
    let err = panicky.price(&input).unwrap_err().to_string();
    assert!(
        err.contains("panicked") && err.contains("panic in price") && err.contains("fault"),
        "{err}"
    );
    still_alive();

    // The plugin's own error passes through with its message.
    let failing = fault.pricing_scheme(&params(&[("mode", "error")])).unwrap();
    let err = failing.price(&input).unwrap_err().to_string();
    assert!(err.contains("an error, as asked"), "{err}");

    // An output of the wrong length.
    let short = fault.pricing_scheme(&params(&[("mode", "short")])).unwrap();
    let err = short.price(&input).unwrap_err().to_string();
    assert!(
        err.contains("region_amounts") && err.contains("2 entries") && err.contains("expected 3"),
        "{err}"
    );
    still_alive();

    // NaN in the output, named by output and region.
    let nan = fault.pricing_scheme(&params(&[("mode", "nan")])).unwrap();
    let err = nan.price(&input).unwrap_err().to_string();
    assert!(
        err.contains("NaN") && err.contains("region_amounts") && err.contains("`r0`"),
        "{err}"
    );
    still_alive();

    // A parameter the scenario does not supply, and one the plugin does not know.
    let gdp = plugin("pricing-gdp-cap");
    let err = gdp.pricing_scheme(&params(&[])).err().unwrap();
    assert!(
        matches!(&err, PluginError::MissingParameter { parameter, .. } if parameter == "share"),
        "{err}"
    );
    assert!(err.to_string().contains("`share`"), "{err}");
    let err = gdp
        .pricing_scheme(&params(&[("share", "0.1"), ("shares", "1")]))
        .err()
        .unwrap();
    assert!(
        matches!(&err, PluginError::UnknownParameter { parameter, .. } if parameter == "shares"),
        "{err}"
    );
    // A value the plugin's constructor refuses.
    let err = gdp
        .pricing_scheme(&params(&[("share", "lots")]))
        .err()
        .unwrap();
    assert!(
        matches!(&err, PluginError::Failed { function: "create", message, .. } if message.contains("\"lots\"")),
        "{err}"
    );
    // The wrong kind.
    let err = gdp.flow_model(&params(&[("share", "0.1")])).err().unwrap();
    assert!(matches!(err, PluginError::WrongKind { .. }), "{err}");
    still_alive();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The population-raster estimator loaded through the ABI gives bit-identical pixel
    /// populations and the same zones as in process, per pixel and in one batch.
    #[test]
    fn loaded_builtin_demand_is_bit_identical(
        pixels in prop::collection::vec(
            (prop::option::of(0.0f64..1e4), prop::sample::select(vec![10.0, 12.0, 13.0, f64::NAN]),
             prop::option::of(0.0f64..1.0), 0.1f64..2.0),
            1..40),
        density in any::<bool>(),
    ) {
        let pixels: Vec<DemandPixel> = pixels
            .iter()
            .map(|&(p, c, u, a)| DemandPixel {
                population: p.unwrap_or(f64::NAN),
                land_class: c,
                urban: u.unwrap_or(f64::NAN),
                area_km2: a,
            })
            .collect();
        let zones = fzc_cssf_flow::ZoneRule {
            agricultural_classes: [12].into(),
            urban_classes: [13].into(),
        };
        let builtin = fzc_cssf_flow::PopulationRaster {
            kind: if density {
                fzc_cssf_flow::PopulationKind::DensityPerKm2
            } else {
                fzc_cssf_flow::PopulationKind::Count
            },
            zones,
        };
        let kind = if density { "density" } else { "count" };
        let loaded = plugin("builtin-demand")
            .demand_estimator(&params(&[("kind", kind), ("agricultural_classes", "12"), ("urban_classes", "13")]))
            .unwrap();
        prop_assert_eq!(loaded.scaling(), builtin.scaling());
        let batch = loaded.demand_pixels(&pixels).unwrap();
        for (pixel, got) in pixels.iter().zip(&batch) {
            let want = (builtin.pixel_population(pixel), builtin.zone(pixel));
            prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
            let one = (loaded.pixel_population(pixel), loaded.zone(pixel));
            prop_assert_eq!(format!("{one:?}"), format!("{want:?}"));
        }
    }
}

#[test]
fn demand_plugins_conform_and_sum_to_the_calibrated_emissions() {
    let nightlight = plugin("demand-nightlight");
    assert_eq!(nightlight.info().kind, PluginKind::DemandEstimator);
    let estimator = nightlight.demand_estimator(&params(&[])).unwrap();
    let report = conformance::check_demand_estimator(&estimator);
    assert!(report.passed(), "{report}");
    assert_eq!(
        report.outcome(invariant::DEMAND_SUMS),
        Some(&Outcome::Pass),
        "{report}"
    );
    let boxed = estimator.into_boxed();
    assert_eq!(boxed.name(), "nightlight");
    let builtin = plugin("builtin-demand")
        .demand_estimator(&params(&[]))
        .unwrap();
    let report = conformance::check_demand_estimator(&builtin);
    assert!(report.passed(), "{report}");
    // A missing parameter of a demand plugin is named as for the other kinds.
    let err = nightlight
        .demand_estimator(&params(&[("exponent", "-2")]))
        .err()
        .unwrap();
    assert!(err.to_string().contains("`exponent`"), "{err}");
}
