//! What one MRIO uncertainty draw costs next to a factorisation: issue 12 asks that a draw
//! varying only `Y` or `F` cost at most 5 % of one factorisation of `I − A` at n = 5,000.
//!
//! ```text
//! cargo bench -p fzc-benches --bench mrio_draw [-- --regions M --sectors N]
//! ```
//!
//! A synthetic table (default 50 regions × 100 sectors, n = 5,000, m = 50 final-demand
//! columns, about EXIOBASE's 49) is factored once, timed, on one thread. Then, on one thread
//! as `fzc mc` runs each draw (draws run in parallel, one per core):
//! - a draw of `Y` noise: n · m factors, `Y' = Y ∘ g`, the n × m solve with the kept LU,
//!   the new outputs and intensities, and the assembly of `T`;
//! - a draw of `F` noise: n factors and the assembly (no solve);
//! - drawing the n · m lognormal factors themselves (the quantile function per cell).
//!
//! Each draw is timed five times and the median reported, with its ratio to the
//! factorisation measured in the same run. Absolute times on this shared machine are noise;
//! the ratios are the result.

use std::time::Instant;

use fzc_benches::measure::{BenchResult, load_average};
use fzc_benches::synthetic_mrio::SyntheticMrio;
use fzc_ect_mrio::faer::Par;
use fzc_ect_mrio::{EctOptions, FactoredEct, LeontiefModel};
use fzc_uncertainty::{Distribution, uniforms};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|k| args.get(k + 1))
    };
    let m: usize = value("--regions").map_or(Ok(50), |v| v.parse())?;
    let n_sec: usize = value("--sectors").map_or(Ok(100), |v| v.parse())?;
    let recipe = SyntheticMrio { m, n_sec, seed: 5 };
    let n = recipe.size();
    println!(
        "mrio_draw: n = {n} ({m} regions x {n_sec} sectors), one thread; load average {}",
        load_average()
    );
    let (table, sat) = recipe.table();

    // One factorisation of I − A, alone.
    let x: Vec<f64> = (0..n)
        .map(|i| {
            (0..n).map(|j| table.z[(i, j)]).sum::<f64>()
                + (0..m).map(|s| table.y[(i, s)]).sum::<f64>()
        })
        .collect();
    let z = table.z.clone();
    let start = Instant::now();
    let model = LeontiefModel::factor(z, &x, &table.regions, &table.sectors, Par::Seq)?;
    let factor = start.elapsed().as_secs_f64();
    println!("  factorisation of I - A: {factor:.3} s");
    // The n × m solve alone: the floor of a Y draw.
    let mut solves = Vec::new();
    for _ in 0..5 {
        let mut rhs = table.y.clone();
        let start = Instant::now();
        model.solve_in_place_with(rhs.as_mut(), Par::Seq);
        solves.push(start.elapsed().as_secs_f64());
    }
    drop(model);
    let solve = median(solves);

    let options = EctOptions {
        parallelism: 1,
        ..EctOptions::default()
    };
    let (factored, base) = FactoredEct::new(table, &sat, &options)?;

    let noise = Distribution::LogNormal {
        mu: -0.5 * (1.01f64).ln(),
        sigma: (1.01f64).ln().sqrt(),
    };
    let mut draw_factors = Vec::new();
    let mut g = Vec::new();
    for draw in 0..5u64 {
        let start = Instant::now();
        g = uniforms(9, draw, n * m)
            .into_iter()
            .map(|u| noise.quantile(u))
            .collect();
        draw_factors.push(start.elapsed().as_secs_f64());
    }
    let h: Vec<f64> = g[..n].to_vec();

    let mut y_times = Vec::new();
    let mut f_times = Vec::new();
    let mut checksum = 0.0;
    for _ in 0..5 {
        let start = Instant::now();
        let a = factored.perturbed(Some(&g), None)?;
        y_times.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        let b = factored.perturbed(None, Some(&h))?;
        f_times.push(start.elapsed().as_secs_f64());
        checksum += a.total.get(0, 1) + b.total.get(0, 1);
    }
    let (y, f, d) = (median(y_times), median(f_times), median(draw_factors));
    println!(
        "  Y draw (solve + assembly): {y:.4} s = {:.2} % of the factorisation (target <= 5 %)",
        100.0 * y / factor
    );
    println!(
        "    of which the n x m solve: {solve:.4} s = {:.2} % (2n²m / (2n³/3) = {:.2} % in flops)",
        100.0 * solve / factor,
        300.0 * m as f64 / n as f64
    );
    println!(
        "  F draw (assembly): {f:.4} s = {:.3} % of the factorisation",
        100.0 * f / factor
    );
    println!(
        "  drawing the {} lognormal factors of Y: {d:.4} s = {:.2} % of the factorisation",
        n * m,
        100.0 * d / factor
    );
    println!(
        "  (checksum {:.6e}, base T[0,1] {:.6e})",
        checksum / 5.0,
        base.total.get(0, 1)
    );
    Ok(())
}
