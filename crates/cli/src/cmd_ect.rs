//! `fzc ect`: embodied carbon transfer from an MRIO table (METHOD section 1).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use fzc_ect_mrio::{EctAccounts, EctMethod};
use fzc_io::{MrioFormat, SideFiles};
use fzc_pipeline::ect_job::{EctJob, run_ect, write_ect};

use crate::ui::{self, Ui};

/// Arguments of `fzc ect`.
#[derive(Debug, Args)]
pub struct EctArgs {
    /// The MRIO table: a pymrio `save_all` folder or zip, EXIOBASE 3 as downloaded
    /// (`IOT_2022_pxp.zip`, or its folder), Eora26 (`Eora26_2015_bp.zip`), an OECD ICIO CSV
    /// (`ICIO2023_2019.csv`, or its zip), a GLORIA release folder (or its
    /// `GLORIA_MRIOs_59_2022.zip`, the ReadMe and satellite accounts beside it), a folder of
    /// long CSVs, a CEADs city `.mat` (v5 to v7.3), or a CEADs provincial `.xlsx`.
    #[arg(long, value_name = "PATH")]
    mrio: PathBuf,
    /// Its format; detected from the path when omitted.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// The pymrio extension (subfolder) holding the stressor, if more than one has it.
    #[arg(long, value_name = "NAME")]
    extension: Option<String>,
    /// The stressor: the first level of the extension's row index (e.g. CO2), or
    /// `NAME (COMPARTMENT)` where a name has several compartments. Repeat it for
    /// several, or give `all` for every stressor with a mass unit; the outputs are then in
    /// long form (see below).
    #[arg(long, value_name = "NAME", required = true)]
    stressor: Vec<String>,
    /// Emissions per region and sector, for a CEADs `.mat` or an OECD ICIO table (which hold
    /// none), or stressors beyond a CEADs provincial workbook's CO2 row:
    /// stressor,region,sector,value[UNIT] with the table's labels.
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
    /// Energy use by region, sector and carrier (region,sector,carrier,value[tce]): Eq 1
    /// (E = sum of tce x K x 44/12) makes it the stressor `eq1/CO2` in t; select it with
    /// --extension eq1 --stressor CO2.
    #[arg(long, value_name = "CSV")]
    energy: Option<PathBuf>,
    /// Carbon coefficients for Eq 1 (carrier,t_c_per_tce), replacing the shipped IPCC 2006
    /// table (docs/formats/energy.md).
    #[arg(long, value_name = "CSV", requires = "energy")]
    coefficients: Option<PathBuf>,
    /// A year series: run every year, with `{year}` in --mrio replaced (e.g. --mrio
    /// 'IOT_{year}_pxp.zip' --years 2015..2022, or 2015,2017,2019); the outputs gain a
    /// `year` column (long form).
    #[arg(long, value_name = "YEARS")]
    years: Option<String>,
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
    OecdIcio,
    Eora26,
    Csv,
    CeadsMat,
    Gloria,
    CeadsXlsx,
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
        FormatArg::OecdIcio => MrioFormat::OecdIcio,
        FormatArg::Eora26 => MrioFormat::Eora26,
        FormatArg::Csv => MrioFormat::Csv,
        FormatArg::CeadsMat => MrioFormat::CeadsMat,
        FormatArg::Gloria => MrioFormat::Gloria,
        FormatArg::CeadsXlsx => MrioFormat::CeadsXlsx,
    });
    let years = args
        .years
        .as_deref()
        .map(fzc_pipeline::ect_job::parse_years)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--years {e}"))?;
    let job = EctJob {
        mrio: args.mrio.clone(),
        years,
        format,
        side: SideFiles {
            emissions: args.emissions.clone(),
            city_names: args.city_names.clone(),
        },
        extension: args.extension.clone(),
        stressors: args.stressor.clone(),
        method: match args.method {
            MethodArg::FinalDemand => EctMethod::FinalDemand,
            MethodArg::Eebt => EctMethod::Eebt,
        },
        aggregate: args.aggregate.clone(),
        region_map: args.region_map.clone(),
        energy: args.energy.clone(),
        coefficients: args.coefficients.clone(),
    };
    let progress = ui.progress_sink();
    let run = run_ect(&job, &progress)?;
    for skipped in &run.skipped {
        ui::warn(&format!("left out of `all`: {skipped}"));
    }
    for warning in run.warnings() {
        ui::warn(&warning);
    }
    let written = write_ect(&run, &args.out, args.format_out == FormatOutArg::Parquet)?;
    let files: Vec<String> = written.iter().map(|p| display(p)).collect();
    let long_form = run.long_form;
    let summaries: Vec<Summary<'_>> = run
        .results
        .iter()
        .map(|r| Summary {
            // One stressor keeps the name it was asked by; several are told apart by label.
            stressor: if long_form { &r.label } else { &r.name },
            year: r.year,
            sectors: r.sectors,
            accounts: &r.accounts,
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
            let tables = job.years.as_ref().map_or(1, Vec::len);
            let per_table = summaries.len() / tables.max(1);
            text.push_str(&format!(
                "  {per_table} stressor{} from one factorisation of I - A per table, {tables} table{}\n",
                if per_table == 1 { "" } else { "s" },
                if tables == 1 { "" } else { "s" },
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
    year: Option<i32>,
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
        let year = self.year.map(|y| format!("{y}: ")).unwrap_or_default();
        let mut out = format!(
            "{year}ECT of {} ({u}) for {} regions × {} sectors, {}\n",
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
            "year": self.year,
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
