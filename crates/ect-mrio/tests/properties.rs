//! Invariants of METHOD section 1 as properties, and one test per kind of bad input.

#![allow(clippy::unwrap_used, clippy::needless_range_loop)] // tests unwrap; index loops mirror the formulas

use faer::{Mat, Par};
use fzc_core::{MassUnit, RegionId, SectorId};
use fzc_ect_mrio::{
    CO2_PER_C, CarbonCoefficients, Concordance, EctAccounts, EctMethod, EctOptions, EnergyUse,
    LeontiefModel, MrioError, MrioTable, RasOptions, RegionMap, Satellite, aggregate_regions,
    aggregate_sectors, compute_ect, compute_ect_many, ras_balance, total_output,
    update_constant_coefficients,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- generators and helpers

fn labels(m: usize, n: usize) -> (Vec<RegionId>, Vec<SectorId>) {
    (
        (0..m)
            .map(|r| RegionId::new(format!("r{r}")).unwrap())
            .collect(),
        (0..n)
            .map(|i| SectorId::new(format!("s{i}")).unwrap())
            .collect(),
    )
}

/// A random balanced-by-construction MRIO (x absent) and its CO2 satellite.
#[derive(Debug, Clone)]
struct Case {
    table: MrioTable,
    sat: Satellite,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=4, 1usize..=4).prop_flat_map(|(m, ns)| {
        let n = m * ns;
        (
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n * n),
            prop::collection::vec(0.01..10.0f64, n * m),
            prop::collection::vec(0.0..100.0f64, n),
            prop::collection::vec(0.0..5.0f64, m),
        )
            .prop_map(move |(z, y, e, fy)| {
                let (regions, sectors) = labels(m, ns);
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
                        final_users: fy,
                    },
                }
            })
    })
}

fn opts(method: EctMethod) -> EctOptions {
    EctOptions {
        method,
        parallelism: 1,
        ..EctOptions::default()
    }
}

fn ect(c: &Case, method: EctMethod) -> EctAccounts {
    compute_ect(c.table.clone(), &c.sat, &opts(method)).unwrap()
}

/// Tolerance scaled by problem size and magnitude.
fn tol(n: usize, scale: f64) -> f64 {
    1e-12 * (n as f64 + 1.0) * scale.abs().max(1.0) * 10.0
}

fn production_by_region(c: &Case) -> Vec<f64> {
    let ns = c.table.sector_count();
    c.sat
        .by_sector
        .chunks(ns)
        .map(|ch| ch.iter().sum())
        .collect()
}

/// Independent reference: dense Gauss–Jordan inverse of I − A, then T = diag(c)·L·Y
/// summed by region blocks.
fn reference_total(c: &Case) -> Vec<Vec<f64>> {
    let t = &c.table;
    let (n, m, ns) = (t.size(), t.region_count(), t.sector_count());
    let x: Vec<f64> = (0..n)
        .map(|i| {
            (0..n).map(|j| t.z[(i, j)]).sum::<f64>() + (0..m).map(|s| t.y[(i, s)]).sum::<f64>()
        })
        .collect();
    // Augmented [I − A | I].
    let mut a = vec![vec![0.0; 2 * n]; n];
    for i in 0..n {
        for j in 0..n {
            a[i][j] = f64::from(u8::from(i == j)) - t.z[(i, j)] / x[j];
        }
        a[i][n + i] = 1.0;
    }
    for k in 0..n {
        let p = (k..n)
            .max_by(|&u, &v| a[u][k].abs().total_cmp(&a[v][k].abs()))
            .unwrap();
        a.swap(k, p);
        let piv = a[k][k];
        for v in a[k].iter_mut() {
            *v /= piv;
        }
        for i in 0..n {
            if i != k {
                let f = a[i][k];
                if f != 0.0 {
                    for j in 0..2 * n {
                        a[i][j] -= f * a[k][j];
                    }
                }
            }
        }
    }
    let cvec: Vec<f64> = (0..n).map(|i| c.sat.by_sector[i] / x[i]).collect();
    let mut out = vec![vec![0.0; m]; m];
    for s in 0..m {
        for i in 0..n {
            let li_ys: f64 = (0..n).map(|j| a[i][n + j] * t.y[(j, s)]).sum();
            out[i / ns][s] += cvec[i] * li_ys;
        }
    }
    out
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The balance: solving (I − A)·x' = Y·1 returns x = Z·1 + Y·1, i.e. x = A·x + y.
    #[test]
    fn balance_holds_after_the_solve(c in case()) {
        let out = total_output(&c.table, 1e-6).unwrap();
        let n = c.table.size();
        let y1 = Mat::from_fn(n, 1, |i, _| c.table.y.row(i).iter().sum::<f64>());
        let model = LeontiefModel::factor(
            c.table.z.clone(), &out.x, &c.table.regions, &c.table.sectors, Par::Seq,
        ).unwrap();
        let solved = model.solve_checked(&y1).unwrap();
        let scale = out.x.iter().fold(0.0f64, |a, v| a.max(*v));
        for i in 0..n {
            prop_assert!((solved[(i, 0)] - out.x[i]).abs() <= 1e-9 * scale.max(1.0),
                "sector {i}: {} vs {}", solved[(i, 0)], out.x[i]);
        }
    }

    /// Final-demand attribution: T ≥ 0, rows sum to production emissions, parts add up,
    /// Σ NF = 0, NF[r] = Σ_s NT[r,s], and T agrees with an independent dense inverse.
    #[test]
    fn final_demand_accounts_are_consistent(c in case()) {
        let acc = ect(&c, EctMethod::FinalDemand);
        let m = c.table.region_count();
        let total_e: f64 = c.sat.by_sector.iter().sum();
        let t = tol(c.table.size(), total_e);
        let reference = reference_total(&c);
        for r in 0..m {
            for s in 0..m {
                let v = acc.total.get(r, s);
                prop_assert!(v >= -t, "T[{r},{s}] = {v}");
                prop_assert!(acc.intermediate.get(r, s) >= -t);
                prop_assert!(acc.final_part.get(r, s) >= -t);
                let parts = acc.intermediate.get(r, s) + acc.final_part.get(r, s);
                prop_assert!((parts - v).abs() <= t, "parts {parts} vs total {v}");
                prop_assert!((v - reference[r][s]).abs() <= 1e-8 * total_e.max(1.0),
                    "T[{r},{s}] = {v}, reference {}", reference[r][s]);
            }
        }
        for (p, e) in acc.production().iter().zip(production_by_region(&c)) {
            prop_assert!((p - e).abs() <= t * 10.0, "production {p} vs emissions {e}");
        }
        let net = acc.net();
        prop_assert!(net.iter().sum::<f64>().abs() <= t);
        let nt = acc.net_bilateral();
        for (r, nf) in net.iter().enumerate() {
            let sum: f64 = (0..m).map(|s| nt.get(r, s)).sum();
            prop_assert!((sum - nf).abs() <= t);
        }
        let (inflow, outflow) = (acc.inflow(), acc.outflow());
        for r in 0..m {
            prop_assert!((acc.production()[r] - acc.total.get(r, r) - inflow[r]).abs() <= t);
            prop_assert!((acc.consumption()[r] - acc.total.get(r, r) - outflow[r]).abs() <= t);
        }
    }

    /// EEBT: T ≥ 0, rows still sum to production emissions (m_r·(x_r − Z_rr·1) = c_r·x_r),
    /// no domestic intermediate part, Σ NF = 0.
    #[test]
    fn eebt_accounts_are_consistent(c in case()) {
        let acc = ect(&c, EctMethod::Eebt);
        let m = c.table.region_count();
        let total_e: f64 = c.sat.by_sector.iter().sum();
        let t = tol(c.table.size(), total_e);
        for r in 0..m {
            prop_assert_eq!(acc.intermediate.get(r, r), 0.0);
            for s in 0..m {
                prop_assert!(acc.total.get(r, s) >= -t);
                let parts = acc.intermediate.get(r, s) + acc.final_part.get(r, s);
                prop_assert!((parts - acc.total.get(r, s)).abs() <= t);
            }
        }
        for (p, e) in acc.production().iter().zip(production_by_region(&c)) {
            prop_assert!((p - e).abs() <= 1e-9 * total_e.max(1.0), "production {p} vs {e}");
        }
        prop_assert!(acc.net().iter().sum::<f64>().abs() <= t);
    }

    /// With one region EEBT and final-demand attribution coincide (no trade).
    #[test]
    fn one_region_methods_agree(c in case().prop_filter("one region", |c| c.table.region_count() == 1)) {
        let fd = ect(&c, EctMethod::FinalDemand);
        let eebt = ect(&c, EctMethod::Eebt);
        let total_e: f64 = c.sat.by_sector.iter().sum();
        prop_assert!((fd.total.get(0, 0) - eebt.total.get(0, 0)).abs() <= 1e-9 * total_e.max(1.0));
    }

    /// Aggregation preserves total output, total final demand and total emissions, per
    /// region, and the aggregated table still balances.
    #[test]
    fn aggregation_preserves_totals(c in case(), fold in 1usize..=3) {
        let ns = c.table.sector_count();
        let pairs = c.table.sectors.iter().enumerate()
            .map(|(i, s)| (s.clone(), SectorId::new(format!("agg{}", i % fold)).unwrap()))
            .collect();
        let conc = Concordance::new(pairs).unwrap();
        let (agg, sats) = aggregate_sectors(&c.table, std::slice::from_ref(&c.sat), &conc).unwrap();
        prop_assert_eq!(agg.sector_count(), fold.min(ns));
        let x0 = total_output(&c.table, 1e-6).unwrap().x;
        let x1 = total_output(&agg, 1e-6).unwrap().x;
        let (k, m) = (agg.sector_count(), agg.region_count());
        for r in 0..m {
            let a: f64 = x0[r * ns..(r + 1) * ns].iter().sum();
            let b: f64 = x1[r * k..(r + 1) * k].iter().sum();
            prop_assert!((a - b).abs() <= tol(ns, a));
            let ea: f64 = c.sat.by_sector[r * ns..(r + 1) * ns].iter().sum();
            let eb: f64 = sats[0].by_sector[r * k..(r + 1) * k].iter().sum();
            prop_assert!((ea - eb).abs() <= tol(ns, ea));
        }
        for s in 0..m {
            let a: f64 = c.table.y.col(s).iter().sum();
            let b: f64 = agg.y.col(s).iter().sum();
            prop_assert!((a - b).abs() <= tol(ns, a));
        }
        // Production emissions per region are unchanged by aggregation.
        let acc = compute_ect(agg, &sats[0], &opts(EctMethod::FinalDemand)).unwrap();
        for (p, e) in acc.production().iter().zip(production_by_region(&c)) {
            prop_assert!((p - e).abs() <= 1e-9 * e.max(1.0));
        }
    }

    /// RAS hits its row and column targets, and keeps zeros of the prior.
    #[test]
    fn ras_hits_its_targets(
        (nr, nc, prior, truth) in (1usize..=5, 1usize..=5).prop_flat_map(|(nr, nc)| (
            Just(nr), Just(nc),
            prop::collection::vec(0.1..10.0f64, nr * nc),
            prop::collection::vec(0.1..10.0f64, nr * nc),
        ))
    ) {
        let p = Mat::from_fn(nr, nc, |i, j| prior[i * nc + j]);
        let t = Mat::from_fn(nr, nc, |i, j| truth[i * nc + j]);
        let rows: Vec<f64> = (0..nr).map(|i| t.row(i).iter().sum()).collect();
        let cols: Vec<f64> = (0..nc).map(|j| t.col(j).iter().sum()).collect();
        let out = ras_balance(p.as_ref(), &rows, &cols, &RasOptions::default()).unwrap();
        for (i, target) in rows.iter().enumerate() {
            let s: f64 = out.matrix.row(i).iter().sum();
            prop_assert!((s - target).abs() <= 1e-9 * target);
        }
        for (j, target) in cols.iter().enumerate() {
            let s: f64 = out.matrix.col(j).iter().sum();
            prop_assert!((s - target).abs() <= 1e-9 * target);
        }
    }

    /// Eq 1: E = Σ C·K·44/12 — the CO2/C factor is exactly 44/12 and E is additive.
    #[test]
    fn eq1_is_carbon_times_44_over_12(coal in 0.0..1e6f64, gas in 0.0..1e6f64) {
        let k = CarbonCoefficients::ipcc_2006();
        let uses = [
            EnergyUse { carrier: "raw_coal".into(), tce: coal },
            EnergyUse { carrier: "natural_gas".into(), tce: gas },
        ];
        let e = k.direct_emissions(&uses).unwrap().0;
        let carbon = coal * k.coefficient("raw_coal").unwrap() + gas * k.coefficient("natural_gas").unwrap();
        prop_assert!((e - carbon * 44.0 / 12.0).abs() <= 1e-12 * e.max(1.0));
        prop_assert_eq!(CO2_PER_C, 44.0 / 12.0);
        let e1 = k.direct_emissions(&uses[..1]).unwrap().0;
        let e2 = k.direct_emissions(&uses[1..]).unwrap().0;
        prop_assert!((e - e1 - e2).abs() <= 1e-9 * e.max(1.0));
    }

    /// Constant-coefficient update: uniform growth g scales x, Z and Y by g and keeps A.
    #[test]
    fn uniform_growth_scales_the_table(c in case(), g in 0.5..3.0f64) {
        let m = c.table.region_count();
        let up = update_constant_coefficients(&c.table, &vec![g; m], 1e-6, Par::Seq).unwrap();
        let x0 = total_output(&c.table, 1e-6).unwrap().x;
        let x1 = up.x.clone().unwrap();
        for (a, b) in x0.iter().zip(&x1) {
            prop_assert!((a * g - b).abs() <= 1e-9 * b.max(1.0), "{a}·{g} vs {b}");
        }
        // The updated table balances with its own x.
        prop_assert!(total_output(&up, 1e-8).is_ok());
    }

    /// Per-region growth keeps A (z'_ij / x'_j = z_ij / x_j), scales each Y column by its
    /// factor, and the new table balances: x' = Z'·1 + Y'·1.
    #[test]
    fn per_region_growth_keeps_coefficients(
        c in case(),
        g in prop::collection::vec(0.5..3.0f64, 4),
    ) {
        let m = c.table.region_count();
        let n = c.table.size();
        let up = update_constant_coefficients(&c.table, &g[..m], 1e-6, Par::Seq).unwrap();
        let x0 = total_output(&c.table, 1e-6).unwrap().x;
        let x1 = up.x.clone().unwrap();
        for j in 0..n {
            for i in 0..n {
                let a0 = c.table.z[(i, j)] / x0[j];
                let a1 = up.z[(i, j)] / x1[j];
                prop_assert!((a0 - a1).abs() <= 1e-12 * a0.max(1.0), "A[{i},{j}] {a0} vs {a1}");
            }
            for s in 0..m {
                prop_assert!((up.y[(j, s)] - c.table.y[(j, s)] * g[s]).abs() <= 1e-12 * up.y[(j, s)].max(1.0));
            }
        }
        let balance = total_output(&MrioTable { x: None, ..up.clone() }, 1e-6).unwrap().x;
        for (a, b) in balance.iter().zip(&x1) {
            prop_assert!((a - b).abs() <= 1e-9 * b.max(1.0), "Z'·1 + Y'·1 = {a} vs x' = {b}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Many stressors from one factorisation: each result is what `compute_ect` gives for
    /// that stressor alone, bit for bit, under both methods.
    #[test]
    fn many_stressors_are_each_the_single_computation(
        c in case(),
        scale in 0.0..3.0f64,
        method in prop_oneof![Just(EctMethod::FinalDemand), Just(EctMethod::Eebt)],
    ) {
        let second = Satellite {
            name: "CH4".into(),
            unit: MassUnit::Kilogram,
            by_sector: c.sat.by_sector.iter().rev().map(|v| v * scale).collect(),
            final_users: c.sat.final_users.iter().map(|v| v * scale).collect(),
        };
        let sats = [c.sat.clone(), second];
        let many = compute_ect_many(c.table.clone(), &sats, &opts(method)).unwrap();
        prop_assert_eq!(many.len(), 2);
        for (got, sat) in many.iter().zip(&sats) {
            let one = compute_ect(c.table.clone(), sat, &opts(method)).unwrap();
            prop_assert_eq!(got.unit, sat.unit);
            prop_assert_eq!(&got.total, &one.total);
            prop_assert_eq!(&got.intermediate, &one.intermediate);
            prop_assert_eq!(&got.final_part, &one.final_part);
            prop_assert_eq!(&got.final_users, &one.final_users);
            prop_assert_eq!(&got.warnings, &one.warnings);
        }
    }

    /// The accounts are linear in the stressor: T(a·f + b·g) = a·T(f) + b·T(g).
    #[test]
    fn accounts_are_linear_in_the_stressor(c in case(), a in 0.0..5.0f64, b in 0.0..5.0f64) {
        let g: Vec<f64> = c.sat.by_sector.iter().enumerate().map(|(i, v)| (i % 3) as f64 + v / 2.0).collect();
        let mix = Satellite {
            by_sector: c.sat.by_sector.iter().zip(&g).map(|(f, g)| a * f + b * g).collect(),
            ..c.sat.clone()
        };
        let other = Satellite { by_sector: g, ..c.sat.clone() };
        let all = compute_ect_many(
            c.table.clone(), &[c.sat.clone(), other, mix], &opts(EctMethod::FinalDemand),
        ).unwrap();
        let m = c.table.region_count();
        let scale = all[2].total.as_slice().iter().fold(0.0f64, |s, v| s.max(v.abs()));
        for r in 0..m {
            for s in 0..m {
                let want = a * all[0].total.get(r, s) + b * all[1].total.get(r, s);
                prop_assert!((all[2].total.get(r, s) - want).abs() <= tol(c.table.size(), scale),
                    "T[{r},{s}] = {} vs {want}", all[2].total.get(r, s));
            }
        }
    }
}

// ---------------------------------------------------------------- one test per bad input

fn small() -> Case {
    let (regions, sectors) = labels(2, 2);
    Case {
        table: MrioTable {
            regions,
            sectors,
            z: Mat::from_fn(4, 4, |i, j| (1 + i + 2 * j) as f64),
            y: Mat::from_fn(4, 2, |i, s| (5 + i + s) as f64),
            x: None,
            monetary_unit: "M.EUR".into(),
        },
        sat: Satellite {
            name: "CO2".into(),
            unit: MassUnit::Kilotonne,
            by_sector: vec![1.0, 2.0, 3.0, 4.0],
            final_users: vec![0.5, 0.5],
        },
    }
}

fn err_of(c: Case, options: &EctOptions) -> MrioError {
    compute_ect(c.table, &c.sat, options).unwrap_err()
}

#[test]
fn non_square_z_is_a_shape_error() {
    let mut c = small();
    c.table.z = Mat::zeros(4, 3);
    let err = err_of(c, &EctOptions::default());
    assert!(matches!(err, MrioError::Shape { what: "Z", .. }), "{err}");
    assert!(err.to_string().contains("4 × 3"), "{err}");
}

#[test]
fn nan_and_negative_entries_name_region_and_sector() {
    let mut c = small();
    c.table.z[(3, 1)] = f64::NAN;
    let msg = err_of(c, &EctOptions::default()).to_string();
    assert!(
        msg.contains("Z[3, 1]") && msg.contains("r1/s1") && msg.contains("NaN"),
        "{msg}"
    );
    let mut c = small();
    c.table.z[(2, 0)] = -1.0;
    let msg = err_of(c, &EctOptions::default()).to_string();
    assert!(
        msg.contains("Z[2, 0]") && msg.contains("r1/s0") && msg.contains("≥ 0"),
        "{msg}"
    );
    let mut c = small();
    c.table.y[(2, 0)] = f64::INFINITY;
    let msg = err_of(c, &EctOptions::default()).to_string();
    assert!(msg.contains("Y[2, 0]") && msg.contains("r1/s0"), "{msg}");
    let mut c = small();
    c.sat.by_sector[1] = -3.0;
    let msg = err_of(c, &EctOptions::default()).to_string();
    assert!(msg.contains("r0/s1") && msg.contains("CO2"), "{msg}");
}

/// Negative final demand (changes in inventories) is accepted and noted; the accounts stay
/// consistent (rows of T sum to production emissions), and a sector whose negative final
/// demand exceeds its sales is refused by name.
#[test]
fn negative_final_demand_is_noted_and_output_must_stay_non_negative() {
    let mut c = small();
    c.table.y[(2, 0)] = -1.0;
    let acc = compute_ect(c.table.clone(), &c.sat, &EctOptions::default()).unwrap();
    assert!(
        acc.warnings.iter().any(|w| w.contains("1 negative entries")
            && w.contains("r1/s0")
            && w.contains("by r0")),
        "{:?}",
        acc.warnings
    );
    let production: f64 = acc.production().iter().sum();
    assert!(
        (production - 10.0).abs() < 1e-9,
        "all of F attributed: {production}"
    );
    assert!(acc.net().iter().sum::<f64>().abs() < 1e-9);
    // The same table with the negative entry large enough to make x < 0.
    c.table.y[(2, 0)] = -1e6;
    let msg = err_of(c, &EctOptions::default()).to_string();
    assert!(
        msg.contains("x = Z·1 + Y·1") && msg.contains("r1/s0") && msg.contains("inventories"),
        "{msg}"
    );
}

/// With negative final demand, productivity is judged on (I − A)⁻¹·1 > 0, not on the sign
/// of X: a productive economy whose inventory drawdown makes a column of X negative is
/// accepted, and a non-productive one (a column of A summing to 50) is refused even when X
/// comes out non-negative.
#[test]
fn productivity_with_negative_final_demand_does_not_depend_on_the_sign_of_x() {
    let (regions, sectors) = labels(2, 1);
    let productive = MrioTable {
        regions,
        sectors,
        z: Mat::from_fn(2, 2, |i, j| if i == j { 1.0 } else { 0.5 }),
        y: Mat::from_fn(2, 2, |i, s| match (i, s) {
            (0, 0) => 20.0,
            (0, 1) => -3.0,
            (1, 0) => 1.0,
            _ => 10.0,
        }),
        x: None,
        monetary_unit: String::new(),
    };
    let sat = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Tonne,
        by_sector: vec![2.0, 1.0],
        final_users: vec![0.0, 0.0],
    };
    let acc = compute_ect(productive, &sat, &EctOptions::default()).unwrap();
    assert!(
        acc.total.get(0, 1) < 0.0,
        "T[r0, r1] is negative: r1 draws down r0's goods"
    );
    assert!((acc.production().iter().sum::<f64>() - 3.0).abs() < 1e-12);
    let (regions, sectors) = labels(1, 2);
    let not_productive = MrioTable {
        regions,
        sectors,
        z: Mat::from_fn(2, 2, |i, j| {
            if (i, j) == (0, 0) {
                5.0
            } else if (i, j) == (1, 1) {
                1.0
            } else {
                0.0
            }
        }),
        y: Mat::from_fn(2, 1, |i, _| if i == 0 { -4.9 } else { 1.0 }),
        x: None,
        monetary_unit: String::new(),
    };
    let sat = Satellite {
        final_users: vec![0.0],
        ..sat
    };
    let err = compute_ect(not_productive, &sat, &EctOptions::default()).unwrap_err();
    assert!(matches!(err, MrioError::NonProductive { .. }), "{err}");
    assert!(err.to_string().contains("r0/s0"), "{err}");
}

#[test]
fn satellite_of_wrong_length_is_a_shape_error() {
    let mut c = small();
    c.sat.by_sector.pop();
    assert!(matches!(
        err_of(c, &EctOptions::default()),
        MrioError::Shape { what: "F", .. }
    ));
}

#[test]
fn imbalance_beyond_tolerance_names_the_sector() {
    let c = small();
    let mut x = total_output(&c.table, 1e-6).unwrap().x;
    x[2] *= 1.01;
    let mut c2 = small();
    c2.table.x = Some(x.clone());
    let err = err_of(c2, &EctOptions::default());
    let msg = err.to_string();
    assert!(matches!(err, MrioError::Imbalance { .. }), "{msg}");
    assert!(
        msg.contains("r1/s0") && msg.contains(&format!("{}", x[2])),
        "{msg}"
    );
    // Within a looser tolerance it is accepted.
    let mut c3 = small();
    c3.table.x = Some(x);
    let loose = EctOptions {
        balance_tolerance: 0.02,
        ..EctOptions::default()
    };
    assert!(compute_ect(c3.table, &c3.sat, &loose).is_ok());
}

#[test]
fn singular_i_minus_a_names_the_sector() {
    // r0/s1 sells only to itself and to no final user: its column of A sums to 1.
    let mut c = small();
    for j in 0..4 {
        c.table.z[(1, j)] = 0.0;
        c.table.z[(j, 1)] = 0.0;
    }
    c.table.z[(1, 1)] = 7.0;
    c.table.y[(1, 0)] = 0.0;
    c.table.y[(1, 1)] = 0.0;
    let err = err_of(c, &EctOptions::default());
    let msg = err.to_string();
    assert!(matches!(err, MrioError::Singular { .. }), "{msg}");
    assert!(msg.contains("r0/s1"), "{msg}");
}

#[test]
fn non_productive_economy_names_the_sectors() {
    // A = [[0, 2], [0.6, 0]]: det(I − A) < 0, so (I − A)⁻¹·y < 0 for y > 0. Reachable only
    // through a given x accepted by a very loose balance tolerance.
    let (regions, sectors) = labels(1, 2);
    let table = MrioTable {
        regions,
        sectors,
        z: Mat::from_fn(2, 2, |i, j| [[0.0, 2.0], [0.6, 0.0]][i][j]),
        y: Mat::from_fn(2, 1, |i, _| [0.1, 0.1][i]),
        x: Some(vec![1.0, 1.0]),
        monetary_unit: "M.EUR".into(),
    };
    let sat = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Tonne,
        by_sector: vec![1.0, 1.0],
        final_users: vec![0.0],
    };
    let loose = EctOptions {
        balance_tolerance: 1.0,
        ..EctOptions::default()
    };
    let err = compute_ect(table, &sat, &loose).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, MrioError::NonProductive { .. }), "{msg}");
    assert!(msg.contains("r0/s0") && msg.contains("r0/s1"), "{msg}");
}

#[test]
fn zero_output_sector_is_reported_and_one_with_inputs_rejected() {
    let mut c = small();
    for j in 0..4 {
        c.table.z[(3, j)] = 0.0;
        c.table.z[(j, 3)] = 0.0;
    }
    c.table.y[(3, 0)] = 0.0;
    c.table.y[(3, 1)] = 0.0;
    let acc = compute_ect(c.table.clone(), &c.sat, &EctOptions::default()).unwrap();
    assert!(
        acc.warnings
            .iter()
            .any(|w| w.contains("r1/s1") && w.contains("zero total output")),
        "{:?}",
        acc.warnings
    );
    assert!(
        acc.warnings
            .iter()
            .any(|w| w.contains("r1/s1") && w.contains("attributed to no")),
        "{:?}",
        acc.warnings
    );
    // Inputs bought by a sector with no output are inconsistent.
    c.table.z[(0, 3)] = 2.5;
    let err = compute_ect(c.table, &c.sat, &EctOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, MrioError::ZeroOutputWithInputs { .. }),
        "{msg}"
    );
    assert!(
        msg.contains("s1") && msg.contains("r1") && msg.contains("2.5"),
        "{msg}"
    );
}

#[test]
fn ras_rejects_inconsistent_targets_and_impossible_zeros() {
    let p = Mat::from_fn(2, 2, |i, j| if i == 1 { 0.0 } else { (j + 1) as f64 });
    let err =
        ras_balance(p.as_ref(), &[1.0, 1.0], &[1.0, 2.0], &RasOptions::default()).unwrap_err();
    assert!(err.to_string().contains("must be equal"), "{err}");
    let err =
        ras_balance(p.as_ref(), &[1.0, 1.0], &[1.0, 1.0], &RasOptions::default()).unwrap_err();
    assert!(err.to_string().contains("row 1"), "{err}");
    // A feasible-looking but structurally impossible pattern never converges.
    let q = Mat::from_fn(2, 2, |i, j| if i == 0 && j == 1 { 0.0 } else { 1.0 });
    let few = RasOptions {
        tolerance: 1e-12,
        max_iterations: 50,
    };
    let err = ras_balance(q.as_ref(), &[2.0, 1.0], &[0.5, 2.5], &few).unwrap_err();
    assert!(
        matches!(err, MrioError::RasNotConverged { iterations: 50, .. }),
        "{err}"
    );
}

#[test]
fn growth_factors_are_checked() {
    let c = small();
    assert!(matches!(
        update_constant_coefficients(&c.table, &[1.0], 1e-6, Par::Seq),
        Err(MrioError::Shape { .. })
    ));
    let err = update_constant_coefficients(&c.table, &[1.0, f64::NAN], 1e-6, Par::Seq).unwrap_err();
    assert!(err.to_string().contains("r1"), "{err}");
}

#[test]
fn aggregation_names_unmapped_sectors() {
    let c = small();
    let conc = Concordance::new(vec![(
        SectorId::new("s0").unwrap(),
        SectorId::new("all").unwrap(),
    )])
    .unwrap();
    let err = aggregate_sectors(&c.table, std::slice::from_ref(&c.sat), &conc).unwrap_err();
    assert_eq!(err.to_string(), "sectors missing from the concordance: s1");
}

#[test]
fn parallel_and_sequential_agree() {
    let c = small();
    let seq = ect(&c, EctMethod::FinalDemand);
    let par = compute_ect(
        c.table,
        &c.sat,
        &EctOptions {
            parallelism: 2,
            ..EctOptions::default()
        },
    )
    .unwrap();
    for (a, b) in seq.total.as_slice().iter().zip(par.total.as_slice()) {
        assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0));
    }
}

/// Above faer's blocking (64) and parallel (128²) thresholds the packed in-place LU must
/// still solve (I − A)·X = Y: residual check, parallel, against the original Z.
#[test]
fn blocked_parallel_solve_has_small_residual() {
    use rand::{RngExt, SeedableRng};
    let (m, ns) = (6, 50);
    let n = m * ns;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let z = Mat::from_fn(n, n, |_, _| rng.random::<f64>());
    let y = Mat::from_fn(n, m, |_, _| 100.0 * rng.random::<f64>());
    let (regions, sectors) = labels(m, ns);
    let table = MrioTable {
        regions,
        sectors,
        z: z.clone(),
        y: y.clone(),
        x: None,
        monetary_unit: "u".into(),
    };
    let x = total_output(&table, 1e-6).unwrap().x;
    let model = LeontiefModel::factor(z.clone(), &x, &table.regions, &table.sectors, Par::rayon(2))
        .unwrap();
    let solved = model.solve_checked(&y).unwrap();
    // (I − A)·X = X − Z·diag(1/x)·X
    let scaled = Mat::from_fn(n, m, |i, s| solved[(i, s)] / x[i]);
    let residual = &solved - &z * &scaled - &y;
    let scale = solved.norm_max();
    assert!(
        residual.norm_max() <= 1e-12 * n as f64 * scale,
        "residual {}",
        residual.norm_max()
    );
    // And the transpose solve: (I − A)ᵀ·v = c.
    let c = Mat::from_fn(n, 1, |i, _| (i % 7) as f64 + 0.5);
    let mut v = c.clone();
    model.solve_transpose_in_place(v.as_mut());
    let av = Mat::from_fn(n, 1, |j, _| {
        (0..n).map(|i| z[(i, j)] / x[j] * v[(i, 0)]).sum::<f64>()
    });
    let rt = &v - &av - &c;
    assert!(
        rt.norm_max() <= 1e-12 * n as f64 * v.norm_max(),
        "transpose residual {}",
        rt.norm_max()
    );
}

// ---------------------------------------------------------------- progress

/// A [`Progress`] that records every task: its name, declared total, the steps advanced and
/// whether it finished; and notices a task that begins while another is open.
#[derive(Default)]
struct Recorder {
    tasks: std::sync::Mutex<Vec<(String, u64, u64, bool)>>,
}

impl fzc_core::Progress for Recorder {
    fn begin(&self, task: &str, total: u64) {
        let mut tasks = self.tasks.lock().unwrap();
        assert!(
            tasks.last().is_none_or(|t| t.3),
            "{task} begins before {:?} finished",
            tasks.last()
        );
        tasks.push((task.to_owned(), total, 0, false));
    }
    fn advance(&self, steps: u64) {
        let mut tasks = self.tasks.lock().unwrap();
        let last = tasks.last_mut().expect("advance after begin");
        assert!(!last.3, "advance after finish of {}", last.0);
        last.2 += steps;
    }
    fn finish(&self) {
        let mut tasks = self.tasks.lock().unwrap();
        let last = tasks.last_mut().expect("finish after begin");
        assert!(!last.3, "{} finished twice", last.0);
        last.3 = true;
    }
}

impl Recorder {
    fn tasks(&self) -> Vec<(String, u64, u64, bool)> {
        self.tasks.lock().unwrap().clone()
    }
}

/// A random table large enough for the blocked LU (more than one 256-column panel) and more
/// than one 64-column solve batch.
fn large_case(m: usize, ns: usize) -> Case {
    use rand::{RngExt, SeedableRng};
    let n = m * ns;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (regions, sectors) = labels(m, ns);
    Case {
        table: MrioTable {
            regions,
            sectors,
            z: Mat::from_fn(n, n, |_, _| rng.random::<f64>()),
            y: Mat::from_fn(n, m, |_, _| 50.0 * rng.random::<f64>()),
            x: None,
            monetary_unit: "u".into(),
        },
        sat: Satellite {
            name: "CO2".into(),
            unit: MassUnit::Tonne,
            by_sector: (0..n).map(|i| (i % 13) as f64).collect(),
            final_users: vec![1.0; m],
        },
    }
}

#[test]
fn progress_reports_every_step_of_every_task_and_changes_nothing() {
    // n = 70 × 5 = 350: two LU panels (256 + 94), two solve batches (64 + 6).
    let c = large_case(70, 5);
    let n = c.table.size() as u64;
    let options = EctOptions {
        parallelism: 2,
        ..EctOptions::default()
    };
    let recorder = Recorder::default();
    let with =
        fzc_ect_mrio::compute_ect_with_progress(c.table.clone(), &c.sat, &options, &recorder)
            .unwrap();
    let without = compute_ect(c.table.clone(), &c.sat, &options).unwrap();
    assert_eq!(with, without);
    let names: Vec<String> = recorder.tasks().iter().map(|t| t.0.clone()).collect();
    assert_eq!(
        names,
        [
            LeontiefModel::FACTOR_TASK,
            LeontiefModel::SOLVE_TASK,
            fzc_ect_mrio::ASSEMBLY_TASK
        ]
    );
    let totals: Vec<u64> = recorder.tasks().iter().map(|t| t.1).collect();
    assert_eq!(totals, [n, 70, 70]);
    for (task, total, advanced, finished) in recorder.tasks() {
        assert_eq!(advanced, total, "{task}");
        assert!(finished, "{task}");
    }
    // EEBT: one task, one step per region.
    let eebt = EctOptions {
        method: EctMethod::Eebt,
        ..options
    };
    let recorder = Recorder::default();
    fzc_ect_mrio::compute_ect_with_progress(c.table, &c.sat, &eebt, &recorder).unwrap();
    assert_eq!(
        recorder.tasks(),
        [(fzc_ect_mrio::EEBT_TASK.to_owned(), 70, 70, true)]
    );
}

#[test]
fn progress_finishes_its_task_when_the_factorisation_or_the_solve_fails() {
    // Singular I − A: the factorisation still reports all n columns and finishes.
    let mut c = small();
    for j in 0..4 {
        c.table.z[(1, j)] = 0.0;
        c.table.z[(j, 1)] = 0.0;
    }
    c.table.z[(1, 1)] = 7.0;
    c.table.y[(1, 0)] = 0.0;
    c.table.y[(1, 1)] = 0.0;
    let recorder = Recorder::default();
    let err = fzc_ect_mrio::compute_ect_with_progress(
        c.table,
        &c.sat,
        &opts(EctMethod::FinalDemand),
        &recorder,
    )
    .unwrap_err();
    assert!(matches!(err, MrioError::Singular { .. }), "{err}");
    assert_eq!(
        recorder.tasks(),
        [(LeontiefModel::FACTOR_TASK.to_owned(), 4, 4, true)]
    );
    // Non-productive: the solve fails its check after finishing its task.
    let (regions, sectors) = labels(1, 2);
    let table = MrioTable {
        regions,
        sectors,
        z: Mat::from_fn(2, 2, |i, j| [[0.0, 2.0], [0.6, 0.0]][i][j]),
        y: Mat::from_fn(2, 1, |i, _| [0.1, 0.1][i]),
        x: Some(vec![1.0, 1.0]),
        monetary_unit: "M.EUR".into(),
    };
    let sat = Satellite {
        name: "CO2".into(),
        unit: MassUnit::Tonne,
        by_sector: vec![1.0, 1.0],
        final_users: vec![0.0],
    };
    let loose = EctOptions {
        balance_tolerance: 1.0,
        ..EctOptions::default()
    };
    let recorder = Recorder::default();
    let err = fzc_ect_mrio::compute_ect_with_progress(table, &sat, &loose, &recorder).unwrap_err();
    assert!(matches!(err, MrioError::NonProductive { .. }), "{err}");
    let tasks = recorder.tasks();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.1 == t.2 && t.3), "{tasks:?}");
    // A validation error comes before any task.
    let mut c = small();
    c.sat.by_sector.pop();
    let recorder = Recorder::default();
    assert!(
        fzc_ect_mrio::compute_ect_with_progress(c.table, &c.sat, &EctOptions::default(), &recorder)
            .is_err()
    );
    assert!(recorder.tasks().is_empty());
}

#[test]
fn huge_z_under_eebt_is_an_overflow_not_a_singular_block() {
    // r0/s0 sells 1e308 to r0/s1, whose output is 0.2: A_rr = Z_rr·diag(x_r)⁻¹ overflows.
    let mut c = small();
    c.table.z = Mat::zeros(4, 4);
    c.table.z[(0, 1)] = 1e308;
    c.table.y = Mat::from_fn(4, 2, |_, _| 0.1);
    let err = err_of(c, &opts(EctMethod::Eebt));
    let msg = err.to_string();
    assert!(matches!(err, MrioError::Overflow { .. }), "{msg}");
    assert!(msg.contains("region r0"), "{msg}");
    assert!(msg.contains("row r0/s0, column r0/s1"), "{msg}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Region aggregation is exact: each group's production, consumption, net and F_Y are
    /// its members' sums, Σ T is unchanged, nets still sum to zero, and the identity map
    /// changes nothing.
    #[test]
    fn region_aggregation_sums_members(c in case(), groups in 1usize..=3, salt in 0usize..7) {
        let acc = ect(&c, EctMethod::FinalDemand);
        let m = acc.regions.len();
        let group_of = |r: usize| (r * 5 + salt) % groups;
        let pairs: Vec<(RegionId, RegionId)> = acc.regions.iter().enumerate()
            .map(|(r, id)| (id.clone(), RegionId::new(format!("G{}", group_of(r))).unwrap()))
            .collect();
        let map = RegionMap::new(pairs.clone()).unwrap();
        let agg = aggregate_regions(&acc, &map).unwrap();
        let scale = acc.total.as_slice().iter().fold(1.0f64, |s, v| s.max(v.abs()));
        let t = tol(c.table.size(), scale * m as f64);
        for (g, id) in agg.regions.iter().enumerate() {
            let members: Vec<usize> = (0..m).filter(|&r| pairs[r].1 == *id).collect();
            let sum = |v: &[f64]| members.iter().map(|&r| v[r]).sum::<f64>();
            prop_assert!((agg.production()[g] - sum(&acc.production())).abs() <= t);
            prop_assert!((agg.consumption()[g] - sum(&acc.consumption())).abs() <= t);
            prop_assert!((agg.net()[g] - sum(&acc.net())).abs() <= t);
            prop_assert!((agg.final_users[g] - sum(&acc.final_users)).abs() <= t);
        }
        let total = |a: &EctAccounts| a.total.as_slice().iter().sum::<f64>();
        prop_assert!((total(&agg) - total(&acc)).abs() <= t);
        prop_assert!(agg.net().iter().sum::<f64>().abs() <= t);
        let identity = RegionMap::new(acc.regions.iter().map(|r| (r.clone(), r.clone())).collect()).unwrap();
        prop_assert_eq!(aggregate_regions(&acc, &identity).unwrap(), acc);
    }
}

#[test]
fn region_map_names_unmapped_regions_and_double_targets() {
    let acc = ect(&small(), EctMethod::FinalDemand);
    let r = |s: &str| RegionId::new(s).unwrap();
    let partial = RegionMap::new(vec![(acc.regions[0].clone(), r("A"))]).unwrap();
    let err = aggregate_regions(&acc, &partial).unwrap_err().to_string();
    assert!(
        err.contains("missing from the region map") && err.contains(acc.regions[1].as_str()),
        "{err}"
    );
    let err = RegionMap::new(vec![(r("x"), r("A")), (r("x"), r("B"))])
        .unwrap_err()
        .to_string();
    assert!(err.contains("x is mapped to both A and B"), "{err}");
    assert!(RegionMap::new(vec![]).is_err());
}
