//! `fzc ect`: embodied carbon transfer from an MRIO table (METHOD section 1).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use fzc_ect_mrio::{EctMethod, EctOptions, aggregate_sectors, compute_ect};
use fzc_io::{
    MrioFormat, SideFiles, read_concordance, read_mrio, write_ect_bilateral, write_ect_regions,
};

/// Arguments of `fzc ect`.
#[derive(Debug, Args)]
pub struct EctArgs {
    /// The MRIO table: a pymrio `save_all` folder, a folder of long CSVs, or a CEADs `.mat`.
    #[arg(long, value_name = "PATH")]
    mrio: PathBuf,
    /// Its format; detected from the path when omitted.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// The pymrio extension (subfolder) holding the stressor, if more than one has it.
    #[arg(long, value_name = "NAME")]
    extension: Option<String>,
    /// The stressor: the first level of the extension's row index (e.g. CO2).
    #[arg(long, value_name = "NAME")]
    stressor: String,
    /// Emissions per city and sector, for a CEADs `.mat` table (which holds none).
    #[arg(long, value_name = "CSV")]
    emissions: Option<PathBuf>,
    /// City names in table order (header `region`), for a CEADs `.mat` table; default
    /// `city001`, `city002`, ….
    #[arg(long, value_name = "CSV")]
    city_names: Option<PathBuf>,
    /// How emissions are attributed to pairs of regions.
    #[arg(long, value_enum, default_value = "final-demand")]
    method: MethodArg,
    /// Aggregate sectors first with this concordance (`from_sector,to_sector`).
    #[arg(long, value_name = "CONCORDANCE.csv")]
    aggregate: Option<PathBuf>,
    /// Output folder for ect-regions.csv and ect-bilateral.csv (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Pymrio,
    Csv,
    CeadsMat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MethodArg {
    FinalDemand,
    Eebt,
}

/// Runs `fzc ect`.
pub fn run(args: &EctArgs) -> anyhow::Result<()> {
    let format = args.format.map(|f| match f {
        FormatArg::Pymrio => MrioFormat::Pymrio,
        FormatArg::Csv => MrioFormat::Csv,
        FormatArg::CeadsMat => MrioFormat::CeadsMat,
    });
    let side = SideFiles {
        emissions: args.emissions.clone(),
        city_names: args.city_names.clone(),
    };
    let data = read_mrio(&args.mrio, format, &side)?;
    let satellite = data.satellite(args.extension.as_deref(), &args.stressor)?;
    let (mut table, mut satellite) = (data.table, satellite);
    if let Some(path) = &args.aggregate {
        let concordance = read_concordance(path)?;
        let (t, mut sats) = aggregate_sectors(&table, &[satellite], &concordance)
            .with_context(|| format!("aggregating sectors with {}", path.display()))?;
        table = t;
        satellite = sats.remove(0);
    }
    let (m, n_sec) = (table.region_count(), table.sector_count());
    let options = EctOptions {
        method: match args.method {
            MethodArg::FinalDemand => EctMethod::FinalDemand,
            MethodArg::Eebt => EctMethod::Eebt,
        },
        ..EctOptions::default()
    };
    let accounts = compute_ect(table, &satellite, &options)
        .with_context(|| format!("computing ECT from {}", args.mrio.display()))?;
    for warning in &accounts.warnings {
        eprintln!("warning: {warning}");
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let regions_csv = args.out.join("ect-regions.csv");
    let bilateral_csv = args.out.join("ect-bilateral.csv");
    write_ect_regions(&regions_csv, &accounts)?;
    write_ect_bilateral(&bilateral_csv, &accounts)?;

    let net = accounts.net();
    let production: f64 = accounts.production().iter().sum();
    let final_users: f64 = accounts.final_users.iter().sum();
    println!(
        "ECT of {} ({}) for {m} regions × {n_sec} sectors, {}",
        satellite.name,
        accounts.unit,
        match options.method {
            EctMethod::Eebt => "emissions embodied in bilateral trade",
            _ => "final-demand attribution",
        }
    );
    println!(
        "  production emissions {} {u}; final users' direct emissions {} {u} (not transferred)",
        fzc_io::format_number(production),
        fzc_io::format_number(final_users),
        u = accounts.unit
    );
    let order = |better: fn(f64, f64) -> bool| {
        (0..net.len()).fold(None, |best: Option<usize>, r| match best {
            Some(b) if !better(net[r], net[b]) => Some(b),
            _ => Some(r),
        })
    };
    if let (Some(payer), Some(bearer)) = (order(|a, b| a > b), order(|a, b| a < b)) {
        println!(
            "  largest net beneficiary {} (net {} {u}); largest net bearer {} (net {} {u})",
            accounts.regions[payer],
            fzc_io::format_number(net[payer]),
            accounts.regions[bearer],
            fzc_io::format_number(net[bearer]),
            u = accounts.unit
        );
    }
    println!("  wrote {}", display(&regions_csv));
    println!("  wrote {}", display(&bilateral_csv));
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
