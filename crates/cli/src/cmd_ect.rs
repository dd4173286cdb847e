//! `fzc ect`: embodied carbon transfer from an MRIO table (METHOD section 1).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use fzc_ect_mrio::{
    EctAccounts, EctMethod, EctOptions, aggregate_regions, aggregate_sectors,
    compute_ect_many_with_progress,
};
use fzc_io::{
    LabelledAccounts, MrioFormat, SideFiles, read_concordance, read_mrio_with_progress,
    read_region_map, write_ect_bilateral, write_ect_bilateral_long, write_ect_bilateral_parquet,
    write_ect_regions, write_ect_regions_long, write_ect_regions_parquet,
};

use crate::ui::{self, Ui};

/// Arguments of `fzc ect`.
#[derive(Debug, Args)]
pub struct EctArgs {
    /// The MRIO table: a pymrio `save_all` folder or zip, EXIOBASE 3 as downloaded
    /// (`IOT_2022_pxp.zip`, or its folder), a folder of long CSVs, or a CEADs `.mat`.
    #[arg(long, value_name = "PATH")]
    mrio: PathBuf,
    /// Its format; detected from the path when omitted.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// The pymrio extension (subfolder) holding the stressor, if more than one has it.
    #[arg(long, value_name = "NAME")]
    extension: Option<String>,
    /// The stressor: the first level of the extension's row index (e.g. CO2). Repeat it for
    /// several, or give `all` for every stressor with a mass unit; the outputs are then in
    /// long form (see below).
    #[arg(long, value_name = "NAME", required = true)]
    stressor: Vec<String>,
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
    /// Aggregate the table's regions into study regions after the accounts
    /// (`from_region,to_region`; e.g. EU members to EU27): T is summed, not recomputed.
    #[arg(long, value_name = "REGIONS.csv")]
    region_map: Option<PathBuf>,
    /// `parquet` also writes ect-regions.parquet and ect-bilateral.parquet (long form, one
    /// row group per stressor), for tables where CSV is slow.
    #[arg(long, value_enum, default_value = "csv")]
    format_out: FormatOutArg,
    /// Output folder for ect-regions.csv and ect-bilateral.csv (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Pymrio,
    Exiobase3,
    Csv,
    CeadsMat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatOutArg {
    Csv,
    Parquet,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MethodArg {
    FinalDemand,
    Eebt,
}

/// Runs `fzc ect`.
pub fn run(args: &EctArgs, ui: Ui) -> anyhow::Result<()> {
    let format = args.format.map(|f| match f {
        FormatArg::Pymrio => MrioFormat::Pymrio,
        FormatArg::Exiobase3 => MrioFormat::Exiobase3,
        FormatArg::Csv => MrioFormat::Csv,
        FormatArg::CeadsMat => MrioFormat::CeadsMat,
    });
    let side = SideFiles {
        emissions: args.emissions.clone(),
        city_names: args.city_names.clone(),
    };
    let progress = ui.progress_sink();
    let data = read_mrio_with_progress(&args.mrio, format, &side, &progress)?;
    let selection = data.select_stressors(args.extension.as_deref(), &args.stressor)?;
    for skipped in &selection.skipped {
        ui::warn(&format!("left out of `all`: {skipped}"));
    }
    let long_form = args.stressor.len() > 1 || args.stressor.iter().any(|s| s == "all");
    let (labels, mut satellites): (Vec<(String, String)>, Vec<_>) = selection
        .stressors
        .into_iter()
        .map(|s| ((s.extension, s.label), s.satellite))
        .unzip();
    let mut table = data.table;
    if let Some(path) = &args.aggregate {
        let concordance = read_concordance(path)?;
        let (t, sats) = aggregate_sectors(&table, &satellites, &concordance)
            .with_context(|| format!("aggregating sectors with {}", path.display()))?;
        table = t;
        satellites = sats;
    }
    let n_sec = table.sector_count();
    let options = EctOptions {
        method: match args.method {
            MethodArg::FinalDemand => EctMethod::FinalDemand,
            MethodArg::Eebt => EctMethod::Eebt,
        },
        ..EctOptions::default()
    };
    let all = compute_ect_many_with_progress(table, &satellites, &options, &progress)
        .with_context(|| format!("computing ECT from {}", args.mrio.display()))?;
    let all = match &args.region_map {
        Some(path) => {
            let map = read_region_map(path)?;
            all.iter()
                .map(|a| aggregate_regions(a, &map))
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("aggregating regions with {}", path.display()))?
        }
        None => all,
    };
    // Warnings about the table (zero-output sectors) are the same for every stressor.
    let mut seen = std::collections::BTreeSet::new();
    for accounts in &all {
        for warning in &accounts.warnings {
            if seen.insert(warning.clone()) {
                ui::warn(warning);
            }
        }
    }
    let staged = fzc_io::StagedDir::new(&args.out)?;
    let regions_staged = staged.path().join("ect-regions.csv");
    let bilateral_staged = staged.path().join("ect-bilateral.csv");
    let items: Vec<LabelledAccounts<'_>> = labels
        .iter()
        .zip(&all)
        .map(|((extension, stressor), accounts)| LabelledAccounts {
            extension,
            stressor,
            accounts,
        })
        .collect();
    if long_form {
        write_ect_regions_long(&regions_staged, &items)?;
        write_ect_bilateral_long(&bilateral_staged, &items)?;
    } else if let Some(accounts) = all.first() {
        write_ect_regions(&regions_staged, accounts)?;
        write_ect_bilateral(&bilateral_staged, accounts)?;
    }
    let mut names = vec!["ect-regions.csv", "ect-bilateral.csv"];
    if args.format_out == FormatOutArg::Parquet {
        write_ect_regions_parquet(&staged.path().join("ect-regions.parquet"), &items)?;
        write_ect_bilateral_parquet(&staged.path().join("ect-bilateral.parquet"), &items)?;
        names.extend(["ect-regions.parquet", "ect-bilateral.parquet"]);
    }
    staged.commit()?;
    let files: Vec<String> = names.iter().map(|n| display(&args.out.join(n))).collect();
    let summaries: Vec<Summary<'_>> = labels
        .iter()
        .zip(&satellites)
        .zip(&all)
        .map(|(((_, label), satellite), accounts)| Summary {
            // One stressor keeps the name it was asked by; several are told apart by label.
            stressor: if long_form { label } else { &satellite.name },
            sectors: n_sec,
            accounts,
            files: files.clone(),
        })
        .collect();
    match (long_form, summaries.first()) {
        (false, Some(one)) if ui.json => ui::print(&format!("{}\n", one.json())),
        (false, Some(one)) => ui::print(&one.text()),
        _ if ui.json => {
            let value = serde_json::json!({
                "stressors": summaries.iter().map(Summary::value).collect::<Vec<_>>(),
                "files": files,
            });
            ui::print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            ))
        }
        _ => {
            let mut text = String::new();
            for summary in &summaries {
                text.push_str(&summary.text_without_files());
            }
            text.push_str(&format!(
                "  {} stressors from one factorisation of I - A\n",
                summaries.len()
            ));
            for file in &files {
                text.push_str(&format!("  wrote {file}\n"));
            }
            ui::print(&text)
        }
    }
}

/// What `fzc ect` reports on stdout.
struct Summary<'a> {
    stressor: &'a str,
    sectors: usize,
    accounts: &'a EctAccounts,
    files: Vec<String>,
}

impl Summary<'_> {
    fn method(&self) -> (&'static str, &'static str) {
        match self.accounts.method {
            EctMethod::Eebt => ("eebt", "emissions embodied in bilateral trade"),
            _ => ("final-demand", "final-demand attribution"),
        }
    }

    /// The regions with the largest and the smallest net transfer `NF = OF − IF` (the first
    /// in table order on ties).
    fn extremes(&self) -> Option<(usize, usize)> {
        let net = self.accounts.net();
        let order = |better: fn(f64, f64) -> bool| {
            (0..net.len()).fold(None, |best: Option<usize>, r| match best {
                Some(b) if !better(net[r], net[b]) => Some(b),
                _ => Some(r),
            })
        };
        Some((order(|a, b| a > b)?, order(|a, b| a < b)?))
    }

    fn text(&self) -> String {
        let mut out = self.text_without_files();
        for file in &self.files {
            out.push_str(&format!("  wrote {file}\n"));
        }
        out
    }

    fn text_without_files(&self) -> String {
        let a = self.accounts;
        let u = a.unit;
        let production: f64 = a.production().iter().sum();
        let final_users: f64 = a.final_users.iter().sum();
        let mut out = format!(
            "ECT of {} ({u}) for {} regions × {} sectors, {}\n",
            self.stressor,
            a.regions.len(),
            self.sectors,
            self.method().1
        );
        out.push_str(&format!(
            "  production emissions {} {u}; final users' direct emissions {} {u} (not transferred)\n",
            fzc_io::format_number(production),
            fzc_io::format_number(final_users),
        ));
        if let Some((payer, bearer)) = self.extremes() {
            let net = a.net();
            out.push_str(&format!(
                "  largest net beneficiary {} (net {} {u}); largest net bearer {} (net {} {u})\n",
                a.regions[payer],
                fzc_io::format_number(net[payer]),
                a.regions[bearer],
                fzc_io::format_number(net[bearer]),
            ));
        }
        out
    }

    /// `--json`: the same facts, plus every region's row of `ect-regions.csv`.
    fn json(&self) -> String {
        serde_json::to_string_pretty(&self.value()).unwrap_or_default()
    }

    /// The facts of [`Summary::json`] as a JSON value.
    fn value(&self) -> serde_json::Value {
        let a = self.accounts;
        let (production, consumption) = (a.production(), a.consumption());
        let (inflow, outflow, net) = (a.inflow(), a.outflow(), a.net());
        let regions: Vec<serde_json::Value> = a
            .regions
            .iter()
            .enumerate()
            .map(|(r, id)| {
                serde_json::json!({
                    "region": id.as_str(),
                    "production": production[r],
                    "consumption": consumption[r],
                    "inflow": inflow[r],
                    "outflow": outflow[r],
                    "net": net[r],
                })
            })
            .collect();
        let region_net =
            |r: usize| serde_json::json!({ "region": a.regions[r].as_str(), "net": net[r] });
        let (beneficiary, bearer) = match self.extremes() {
            Some((p, b)) => (region_net(p), region_net(b)),
            None => (serde_json::Value::Null, serde_json::Value::Null),
        };
        let value = serde_json::json!({
            "stressor": self.stressor,
            "unit": a.unit.to_string(),
            "method": self.method().0,
            "region_count": a.regions.len(),
            "sector_count": self.sectors,
            "production": production.iter().sum::<f64>(),
            "final_users": a.final_users.iter().sum::<f64>(),
            "largest_net_beneficiary": beneficiary,
            "largest_net_bearer": bearer,
            "regions": regions,
            "warnings": a.warnings,
            "files": self.files,
        });
        value
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
