//! `FactoredEct::perturbed` against an independent path: `compute_ect` on the table the
//! perturbation describes (`Z' = A·diag(x')`, `Y'`, `F'`, `x'`), factored afresh.

#![allow(clippy::unwrap_used, clippy::needless_range_loop)] // tests unwrap; index loops mirror the formulas

use faer::Mat;
use faer::prelude::Solve;
use fzc_core::{MassUnit, RegionId, SectorId};
use fzc_ect_mrio::{
    EctAccounts, EctMethod, EctOptions, FactoredEct, MrioError, MrioTable, Satellite, compute_ect,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    table: MrioTable,
    sat: Satellite,
    g: Vec<f64>,
    h: Vec<f64>,
}

/// A random table balanced by construction (so `I − A` is productive), its satellite, and
/// factors for `Y` and `F`.
fn case() -> impl Strategy<Value = Case> {
    (1usize..=4, 1usize..=4).prop_flat_map(|(m, ns)| {
        let n = m * ns;
        (
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n * n),
            prop::collection::vec(0.01..10.0f64, n * m),
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..100.0f64], n),
            prop::collection::vec(0.5..1.5f64, n * m),
            prop::collection::vec(0.5..1.5f64, n),
        )
            .prop_map(move |(z, y, e, g, h)| {
                let regions = (0..m)
                    .map(|r| RegionId::new(format!("r{r}")).unwrap())
                    .collect();
                let sectors = (0..ns)
                    .map(|i| SectorId::new(format!("s{i}")).unwrap())
                    .collect();
                Case {
                    table: MrioTable {
                        regions,
                        sectors,
                        z: Mat::from_fn(n, n, |i, j| z[i * n + j]),
                        y: Mat::from_fn(n, m, |i, s| y[i * m + s]),
                        x: None,
                        monetary_unit: "M.EUR".into(),
                    },
                    sat: Satellite {
                        name: "CO2".into(),
                        unit: MassUnit::Tonne,
                        by_sector: e,
                        final_users: vec![1.0; m],
                    },
                    g,
                    h,
                }
            })
    })
}

fn opts() -> EctOptions {
    EctOptions {
        parallelism: 1,
        ..EctOptions::default()
    }
}

/// The table and satellite `perturbed(g, h)` stands for, built by hand from `A`, `x`, `Y`.
fn perturbed_table(c: &Case) -> (MrioTable, Satellite) {
    let t = &c.table;
    let (n, m) = (t.size(), t.region_count());
    let x: Vec<f64> = (0..n)
        .map(|i| {
            (0..n).map(|j| t.z[(i, j)]).sum::<f64>() + (0..m).map(|s| t.y[(i, s)]).sum::<f64>()
        })
        .collect();
    let a = Mat::from_fn(
        n,
        n,
        |i, j| if x[j] > 0.0 { t.z[(i, j)] / x[j] } else { 0.0 },
    );
    let y = Mat::from_fn(n, m, |i, s| t.y[(i, s)] * c.g[s * n + i]);
    // x' = (I − A)⁻¹·Y'·1, by a dense solve independent of fzc's LU code.
    let i_minus_a = Mat::from_fn(n, n, |i, j| f64::from(u8::from(i == j)) - a[(i, j)]);
    let rhs = Mat::from_fn(n, 1, |i, _| (0..m).map(|s| y[(i, s)]).sum::<f64>());
    let solved = i_minus_a.partial_piv_lu().solve(&rhs);
    let x2: Vec<f64> = (0..n).map(|i| solved[(i, 0)]).collect();
    let z = Mat::from_fn(n, n, |i, j| a[(i, j)] * x2[j]);
    let table = MrioTable {
        z,
        y,
        x: Some(x2),
        ..t.clone()
    };
    let sat = Satellite {
        by_sector: c
            .sat
            .by_sector
            .iter()
            .zip(&c.h)
            .map(|(f, h)| f * h)
            .collect(),
        ..c.sat.clone()
    };
    (table, sat)
}

fn assert_close(a: &EctAccounts, b: &EctAccounts, what: &str) {
    let scale = b
        .total
        .as_slice()
        .iter()
        .fold(1.0f64, |s, v| s.max(v.abs()));
    for (name, x, y) in [
        ("total", &a.total, &b.total),
        ("intermediate", &a.intermediate, &b.intermediate),
        ("final", &a.final_part, &b.final_part),
    ] {
        for (k, (p, q)) in x.as_slice().iter().zip(y.as_slice()).enumerate() {
            assert!(
                (p - q).abs() <= 1e-9 * scale,
                "{what}: {name}[{k}] {p} vs {q}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The reuse path equals a fresh computation on the perturbed table.
    #[test]
    fn perturbed_equals_a_fresh_computation(c in case()) {
        let (factored, _) = FactoredEct::new(c.table.clone(), &c.sat, &opts()).unwrap();
        let reused = factored.perturbed(Some(&c.g), Some(&c.h)).unwrap();
        let (table, sat) = perturbed_table(&c);
        let fresh = compute_ect(table, &sat, &opts()).unwrap();
        assert_close(&reused, &fresh, "Y and F perturbed");
    }

    /// Whatever Y does, each region's production is its emission inventory Σ F'.
    #[test]
    fn production_is_the_perturbed_inventory(c in case()) {
        let (factored, _) = FactoredEct::new(c.table.clone(), &c.sat, &opts()).unwrap();
        let reused = factored.perturbed(Some(&c.g), Some(&c.h)).unwrap();
        let ns = c.table.sector_count();
        for (r, p) in reused.production().iter().enumerate() {
            let inventory: f64 = (r * ns..(r + 1) * ns).map(|i| c.sat.by_sector[i] * c.h[i]).sum();
            prop_assert!((p - inventory).abs() <= 1e-9 * inventory.max(1.0), "{p} vs {inventory}");
        }
    }

    /// Factors of 1 give the base accounts bit for bit, and so do no factors.
    #[test]
    fn unit_factors_are_the_base(c in case()) {
        let (n, m) = (c.table.size(), c.table.region_count());
        let (factored, base) = FactoredEct::new(c.table.clone(), &c.sat, &opts()).unwrap();
        let plain = compute_ect(c.table.clone(), &c.sat, &opts()).unwrap();
        prop_assert_eq!(&base, &plain);
        let none = factored.perturbed(None, None).unwrap();
        prop_assert_eq!(&none.total, &base.total);
        prop_assert_eq!(&none.final_part, &base.final_part);
        let ones = factored.perturbed(None, Some(&vec![1.0; n])).unwrap();
        prop_assert_eq!(&ones.total, &base.total);
        // A Y of unit factors is solved again: equal to rounding, not bit for bit.
        let solved = factored.perturbed(Some(&vec![1.0; n * m]), None).unwrap();
        assert_close(&solved, &base, "unit Y factors");
    }
}

fn small() -> Case {
    let (table, sat) = {
        let regions = vec![RegionId::new("a").unwrap(), RegionId::new("b").unwrap()];
        let sectors = vec![SectorId::new("s").unwrap()];
        (
            MrioTable {
                regions,
                sectors,
                z: Mat::from_fn(2, 2, |i, j| if i == j { 10.0 } else { 20.0 }),
                y: Mat::from_fn(2, 2, |i, j| if i == j { 50.0 } else { 20.0 }),
                x: None,
                monetary_unit: "M.EUR".into(),
            },
            Satellite {
                name: "CO2".into(),
                unit: MassUnit::Tonne,
                by_sector: vec![100.0, 40.0],
                final_users: vec![0.0, 0.0],
            },
        )
    };
    Case {
        table,
        sat,
        g: vec![1.0; 4],
        h: vec![1.0; 2],
    }
}

#[test]
fn bad_factors_and_eebt_are_refused() {
    let c = small();
    let (factored, _) = FactoredEct::new(c.table.clone(), &c.sat, &opts()).unwrap();
    let e = factored.perturbed(Some(&[1.0; 3]), None).unwrap_err();
    assert!(
        matches!(
            e,
            MrioError::Shape {
                what: "Y factors",
                ..
            }
        ),
        "{e}"
    );
    let e = factored
        .perturbed(None, Some(&[1.0, f64::NAN]))
        .unwrap_err();
    assert!(e.to_string().contains("b/s"), "{e}");
    // No final demand at all: no output, so the emitting sectors have no intensity.
    let e = factored.perturbed(Some(&[0.0; 4]), None).unwrap_err();
    assert!(matches!(e, MrioError::PerturbedOutput { .. }), "{e}");
    assert!(e.to_string().contains("a/s"), "{e}");
    let eebt = EctOptions {
        method: EctMethod::Eebt,
        ..opts()
    };
    let e = FactoredEct::new(c.table, &c.sat, &eebt).unwrap_err();
    assert!(e.to_string().contains("final-demand"), "{e}");
}
