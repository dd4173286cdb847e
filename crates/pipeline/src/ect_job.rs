//! `fzc ect` as a library call: read one MRIO table (or one per year), choose stressors,
//! aggregate sectors, compute every stressor's accounts from one factorisation per table,
//! sum regions, and write the output set. The CLI (and, later, the Python module) only
//! parse their arguments into an [`EctJob`] and print what [`run_ect`] returns.

use std::path::{Path, PathBuf};

use anyhow::Context;
use fzc_core::Progress;
use fzc_ect_mrio::{
    EctAccounts, EctMethod, EctOptions, aggregate_regions, aggregate_sectors,
    compute_ect_many_with_progress,
};
use fzc_io::{
    LabelledAccounts, MrioData, MrioFormat, SideFiles, read_concordance, read_mrio_with_progress,
    read_region_map, write_ect_bilateral, write_ect_bilateral_long, write_ect_bilateral_parquet,
    write_ect_regions, write_ect_regions_long, write_ect_regions_parquet,
};

/// The placeholder a year series puts in the table's path.
pub const YEAR_PLACEHOLDER: &str = "{year}";

/// What to compute.
#[derive(Debug, Clone)]
pub struct EctJob {
    /// The table, or with [`EctJob::years`] a path containing `{year}`.
    pub mrio: PathBuf,
    /// A year series: `{year}` in [`EctJob::mrio`] is replaced by each.
    pub years: Option<Vec<i32>>,
    /// The format, detected per table when `None`.
    pub format: Option<MrioFormat>,
    /// CEADs side files.
    pub side: SideFiles,
    /// Restrict the stressor search to one extension.
    pub extension: Option<String>,
    /// Stressor names, or `["all"]`.
    pub stressors: Vec<String>,
    /// Attribution method.
    pub method: EctMethod,
    /// Sector concordance applied to the table first.
    pub aggregate: Option<PathBuf>,
    /// Region map applied to the accounts after.
    pub region_map: Option<PathBuf>,
    /// Energy use by region, sector and carrier: Eq 1 turns it into the stressor `eq1/CO2`.
    pub energy: Option<PathBuf>,
    /// Carbon coefficients replacing the shipped IPCC 2006 table of Eq 1.
    pub coefficients: Option<PathBuf>,
}

/// One stressor's accounts for one table.
#[derive(Debug, Clone)]
pub struct EctResult {
    /// The year, for a series.
    pub year: Option<i32>,
    /// The extension the stressor came from.
    pub extension: String,
    /// The stressor's name with its compartment, as the long-form tables label it.
    pub label: String,
    /// The stressor's name as asked for.
    pub name: String,
    /// The table it was computed from.
    pub source: PathBuf,
    /// Sectors per region of the table (after aggregation).
    pub sectors: usize,
    /// The accounts.
    pub accounts: EctAccounts,
}

/// What [`run_ect`] computed.
#[derive(Debug, Clone)]
pub struct EctRun {
    /// Every (year, stressor), years in order, stressors in the order asked for.
    pub results: Vec<EctResult>,
    /// Mass stressors `all` left out, with why (per year for a series).
    pub skipped: Vec<String>,
    /// Whether the tables are in long form: several stressors, `all`, or a year series.
    pub long_form: bool,
}

impl EctRun {
    /// Every distinct warning of the accounts, in first-seen order, prefixed by the year
    /// for a series.
    pub fn warnings(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for result in &self.results {
            for warning in &result.accounts.warnings {
                let text = match result.year {
                    Some(year) => format!("{year}: {warning}"),
                    None => warning.clone(),
                };
                if seen.insert(text.clone()) {
                    out.push(text);
                }
            }
        }
        out
    }
}

pub use fzc_scenario::parse_years;

/// The table path of each year: `{year}` in `template` replaced.
///
/// # Errors
/// A template without `{year}` for a series, or with `{year}` and no series; every year
/// whose table does not exist, all named at once before anything is read.
pub fn series_paths(
    template: &Path,
    years: Option<&[i32]>,
) -> anyhow::Result<Vec<(Option<i32>, PathBuf)>> {
    let text = template.to_string_lossy();
    let has = text.contains(YEAR_PLACEHOLDER);
    let Some(years) = years else {
        if has {
            anyhow::bail!(
                "{}: the path holds {YEAR_PLACEHOLDER} but no years were given (--years 2015..2022)",
                template.display()
            );
        }
        return Ok(vec![(None, template.to_path_buf())]);
    };
    if !has {
        anyhow::bail!(
            "{}: a year series needs {YEAR_PLACEHOLDER} in the path, e.g. IOT_{YEAR_PLACEHOLDER}_pxp.zip",
            template.display()
        );
    }
    let paths: Vec<(Option<i32>, PathBuf)> = years
        .iter()
        .map(|&y| {
            (
                Some(y),
                PathBuf::from(text.replace(YEAR_PLACEHOLDER, &y.to_string())),
            )
        })
        .collect();
    let missing: Vec<String> = paths
        .iter()
        .filter(|(_, p)| !p.exists())
        .map(|(y, p)| format!("{} ({})", y.unwrap_or_default(), p.display()))
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "{} of {} years have no table: {}",
            missing.len(),
            paths.len(),
            missing.join(", ")
        );
    }
    Ok(paths)
}

/// A side file the table's format does not use is refused, not ignored.
fn refuse_ignored_side_files(job: &EctJob, format: MrioFormat, path: &Path) -> anyhow::Result<()> {
    let takes_emissions = matches!(
        format,
        MrioFormat::CeadsMat | MrioFormat::OecdIcio | MrioFormat::CeadsXlsx
    );
    if job.side.emissions.is_some() && !takes_emissions {
        anyhow::bail!(
            "{}: --emissions is for a CEADs .mat or provincial .xlsx, or an OECD ICIO table; \
             this table is {format:?} and carries its own stressors (choose one with \
             --stressor)",
            path.display()
        );
    }
    if job.side.city_names.is_some() && format != MrioFormat::CeadsMat {
        anyhow::bail!(
            "{}: --city-names is for a CEADs .mat table; this table is {format:?} and names \
             its regions itself",
            path.display()
        );
    }
    Ok(())
}

/// Runs the job: per table, read, select, aggregate sectors, one factorisation for all
/// stressors, sum regions.
///
/// # Errors
/// The readers' and the engine's errors, with the table (and year) as context.
pub fn run_ect(job: &EctJob, progress: &dyn Progress) -> anyhow::Result<EctRun> {
    let tables = series_paths(&job.mrio, job.years.as_deref())?;
    let shared = Shared::of(job)?;
    let mut run = EctRun::empty(job);
    for (year, path) in tables {
        let format = match job.format {
            Some(f) => f,
            None => MrioFormat::detect(&path)?,
        };
        refuse_ignored_side_files(job, format, &path)?;
        let data = read_mrio_with_progress(&path, Some(format), &job.side, progress)?;
        add_table(&mut run, data, (year, &path), job, &shared, progress)?;
    }
    Ok(run)
}

/// [`run_ect`] on a table already in memory (`fzc.ect_tables` on a pymrio system or numpy
/// arrays): the same selection, aggregation, factorisation and region map, `job.mrio` naming
/// the table in messages. `job.years`, `job.format` and the side files do not apply.
///
/// # Errors
/// A year series; as [`run_ect`].
pub fn run_ect_data(
    data: MrioData,
    job: &EctJob,
    progress: &dyn Progress,
) -> anyhow::Result<EctRun> {
    if job.years.is_some() {
        anyhow::bail!("a year series needs a table per year on disk (`{{year}}` in its path)");
    }
    let shared = Shared::of(job)?;
    let mut run = EctRun::empty(job);
    add_table(&mut run, data, (None, &job.mrio), job, &shared, progress)?;
    Ok(run)
}

/// What every table of a job shares: Eq 1's coefficients, the concordance, the region map.
struct Shared {
    coefficients: fzc_ect_mrio::CarbonCoefficients,
    concordance: Option<fzc_ect_mrio::Concordance>,
    region_map: Option<fzc_ect_mrio::RegionMap>,
    options: EctOptions,
}

impl Shared {
    fn of(job: &EctJob) -> anyhow::Result<Self> {
        if job.coefficients.is_some() && job.energy.is_none() {
            anyhow::bail!(
                "carbon coefficients are for Eq 1: give the energy-use table too (--energy)"
            );
        }
        Ok(Self {
            coefficients: match &job.coefficients {
                Some(path) => fzc_io::read_carbon_coefficients(path)?,
                None => fzc_ect_mrio::CarbonCoefficients::ipcc_2006(),
            },
            concordance: job.aggregate.as_deref().map(read_concordance).transpose()?,
            region_map: job.region_map.as_deref().map(read_region_map).transpose()?,
            options: EctOptions {
                method: job.method,
                ..EctOptions::default()
            },
        })
    }
}

impl EctRun {
    fn empty(job: &EctJob) -> Self {
        EctRun {
            results: Vec::new(),
            skipped: Vec::new(),
            long_form: job.years.is_some()
                || job.stressors.len() > 1
                || job.stressors.iter().any(|s| s == "all"),
        }
    }
}

/// One table of a job: select the stressors, aggregate sectors, one factorisation for all,
/// sum regions; the results appended to `run`.
fn add_table(
    run: &mut EctRun,
    mut data: MrioData,
    (year, path): (Option<i32>, &Path),
    job: &EctJob,
    shared: &Shared,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let at = |what: &str| match year {
        Some(y) => format!("{what} {} (year {y})", path.display()),
        None => format!("{what} {}", path.display()),
    };
    if let Some(energy) = &job.energy {
        let row = fzc_io::read_energy_satellite(energy, &data.table, &shared.coefficients)?;
        data.stressors.push(row);
    }
    let selection = data.select_stressors(job.extension.as_deref(), &job.stressors)?;
    run.skipped
        .extend(selection.skipped.iter().map(|s| match year {
            Some(y) => format!("{y}: {s}"),
            None => s.clone(),
        }));
    let (labels, mut satellites): (Vec<(String, String)>, Vec<_>) = selection
        .stressors
        .into_iter()
        .map(|s| ((s.extension, s.label), s.satellite))
        .unzip();
    let mut table = data.table;
    if let (Some(concordance), Some(file)) = (&shared.concordance, &job.aggregate) {
        let (t, sats) = aggregate_sectors(&table, &satellites, concordance)
            .with_context(|| format!("aggregating sectors with {}", file.display()))?;
        table = t;
        satellites = sats;
    }
    let sectors = table.sector_count();
    let all = compute_ect_many_with_progress(table, &satellites, &shared.options, progress)
        .with_context(|| at("computing ECT from"))?;
    for (((extension, label), satellite), accounts) in labels.into_iter().zip(&satellites).zip(all)
    {
        let accounts = match (&shared.region_map, &job.region_map) {
            (Some(map), Some(file)) => aggregate_regions(&accounts, map)
                .with_context(|| format!("aggregating regions with {}", file.display()))?,
            _ => accounts,
        };
        run.results.push(EctResult {
            year,
            extension,
            label,
            name: satellite.name.clone(),
            source: path.to_path_buf(),
            sectors,
            accounts,
        });
    }
    Ok(())
}

/// Each result of `run` with the labels its rows carry in the tables, in table order.
pub fn labelled(run: &EctRun) -> Vec<LabelledAccounts<'_>> {
    run.results
        .iter()
        .map(|r| LabelledAccounts {
            year: r.year,
            extension: &r.extension,
            stressor: &r.label,
            accounts: &r.accounts,
        })
        .collect()
}

/// Writes `ect-regions.csv` and `ect-bilateral.csv` (short form for one stressor of one
/// table, long form otherwise) and with `parquet` their `.parquet` twins, all or nothing
/// into `out`. Returns the files written, in `out`.
///
/// # Errors
/// Writing or moving the files; nothing in `out` changes then.
pub fn write_ect(run: &EctRun, out: &Path, parquet: bool) -> anyhow::Result<Vec<PathBuf>> {
    let staged = fzc_io::StagedDir::new(out)?;
    let items = labelled(run);
    let regions = staged.path().join("ect-regions.csv");
    let bilateral = staged.path().join("ect-bilateral.csv");
    match (run.long_form, run.results.first()) {
        (false, Some(one)) => {
            write_ect_regions(&regions, &one.accounts)?;
            write_ect_bilateral(&bilateral, &one.accounts)?;
        }
        _ => {
            write_ect_regions_long(&regions, &items)?;
            write_ect_bilateral_long(&bilateral, &items)?;
        }
    }
    let mut names = vec!["ect-regions.csv", "ect-bilateral.csv"];
    if parquet {
        write_ect_regions_parquet(&staged.path().join("ect-regions.parquet"), &items)?;
        write_ect_bilateral_parquet(&staged.path().join("ect-bilateral.parquet"), &items)?;
        names.extend(["ect-regions.parquet", "ect-bilateral.parquet"]);
    }
    staged.commit()?;
    Ok(names.into_iter().map(|n| out.join(n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_parse_as_ranges_and_lists() {
        assert_eq!(
            parse_years("2015..2018").unwrap(),
            vec![2015, 2016, 2017, 2018]
        );
        assert_eq!(
            parse_years("1995..1996, 2005").unwrap(),
            vec![1995, 1996, 2005]
        );
        assert_eq!(parse_years("2020").unwrap(), vec![2020]);
        for bad in [
            "",
            "2015..",
            "20",
            "2018..2015",
            "2016,2015",
            "2015,2015",
            "abc",
        ] {
            assert!(parse_years(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn series_paths_need_the_placeholder_and_every_table() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for y in [2015, 2016] {
            std::fs::write(dir.path().join(format!("t{y}.zip")), "")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let template = dir.path().join("t{year}.zip");
        let paths = series_paths(&template, Some(&[2015, 2016])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths[1], (Some(2016), dir.path().join("t2016.zip")));
        let err = series_paths(&template, Some(&[2015, 2016, 2017, 2018]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2 of 4 years") && err.contains("t2017.zip") && err.contains("t2018.zip"),
            "{err}"
        );
        let err = series_paths(&dir.path().join("t2015.zip"), Some(&[2015]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("{year}"), "{err}");
        let err = series_paths(&template, None).unwrap_err().to_string();
        assert!(err.contains("--years"), "{err}");
    }
}
