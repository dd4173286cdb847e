//! `fzc plugins list [DIR...] | info PATH | check PATH [--param NAME=VALUE ...]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use fzc_plugin_host::{LoadedPlugin, PluginInfo, PluginKind, conformance, load};

use crate::ui::{self, Ui};

/// Arguments of `fzc plugins`.
#[derive(Debug, clap::Args)]
pub struct PluginsArgs {
    #[command(subcommand)]
    command: PluginsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PluginsCommand {
    /// List the plugins in each directory (default: the directories of $FZC_PLUGIN_PATH,
    /// else the current directory): name, kind, ABI version, parameters.
    #[command(after_long_help = crate::help::PLUGINS)]
    List {
        /// Directories to scan for shared libraries.
        dirs: Vec<PathBuf>,
    },
    /// Show one plugin: name, kind, ABI version, description and declared parameters.
    #[command(after_long_help = crate::help::PLUGINS)]
    Info {
        /// The plugin library (.so, .dylib or .dll).
        path: PathBuf,
    },
    /// Run the conformance suite (the method's invariants) on a plugin and report each
    /// invariant; fails if any is broken.
    #[command(after_long_help = crate::help::PLUGINS)]
    Check {
        /// The plugin library.
        path: PathBuf,
        /// A plugin parameter, repeatable (defaults fill in the rest).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
    },
}

/// Runs `fzc plugins`.
pub fn run(args: &PluginsArgs, ui: Ui) -> anyhow::Result<()> {
    match &args.command {
        PluginsCommand::List { dirs } => list(dirs, ui),
        PluginsCommand::Info { path } => {
            let plugin = load(path)?;
            ui::print(&describe(plugin.info()))
        }
        PluginsCommand::Check { path, params } => check(path, params),
    }
}

/// Parses `NAME=VALUE` pairs.
///
/// # Errors
/// When a pair has no `=` or names a parameter twice.
pub fn parse_params(pairs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--param {pair:?}: expected NAME=VALUE");
        };
        if out
            .insert(name.trim().to_owned(), value.trim().to_owned())
            .is_some()
        {
            bail!("--param: parameter `{}` given twice", name.trim());
        }
    }
    Ok(out)
}

fn parameters_line(info: &PluginInfo) -> String {
    info.parameters
        .iter()
        .map(|p| match &p.default {
            Some(d) => format!("{}={d}", p.name),
            None => format!("{} (required)", p.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(info: &PluginInfo) -> String {
    let mut out = String::new();
    out.push_str(&format!("name:        {}\n", info.name));
    out.push_str(&format!("kind:        {}\n", info.kind));
    out.push_str(&format!("abi version: {}\n", info.abi_version));
    out.push_str(&format!("version:     {}\n", info.version));
    out.push_str(&format!("path:        {}\n", info.path.display()));
    out.push_str(&format!("description: {}\n", info.description));
    if info.parameters.is_empty() {
        out.push_str("parameters:  none\n");
    } else {
        out.push_str("parameters:\n");
        for p in &info.parameters {
            let default = p
                .default
                .as_deref()
                .map_or_else(|| "required".to_owned(), |d| format!("default {d}"));
            out.push_str(&format!(
                "  {:<12} {default:<16} {}\n",
                p.name, p.description
            ));
        }
    }
    out
}

fn list(dirs: &[PathBuf], ui: Ui) -> anyhow::Result<()> {
    let dirs: Vec<PathBuf> = if !dirs.is_empty() {
        dirs.to_vec()
    } else if let Some(path) = std::env::var_os("FZC_PLUGIN_PATH") {
        std::env::split_paths(&path).collect()
    } else {
        vec![PathBuf::from(".")]
    };
    let mut files = Vec::new();
    for dir in &dirs {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot list {}", dir.display()))?
                .path();
            let is_library = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(std::env::consts::DLL_SUFFIX));
            if is_library {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut found = 0;
    for path in &files {
        match load(path) {
            Ok(plugin) => {
                found += 1;
                let info = plugin.info();
                ui::print(&format!(
                    "{}\t{}\tabi {}\t{}\t{}\n",
                    info.name,
                    info.kind,
                    info.abi_version,
                    path.display(),
                    parameters_line(info)
                ))?;
            }
            Err(err) => ui::warn(&format!("skipped: {err}")),
        }
    }
    if found == 0 {
        ui.note(&format!(
            "no fzc plugins found in {}",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

fn check(path: &Path, params: &[String]) -> anyhow::Result<()> {
    let plugin: LoadedPlugin = load(path)?;
    let params = parse_params(params)?;
    let report = match plugin.info().kind {
        PluginKind::PricingScheme => {
            conformance::check_pricing_scheme(plugin.pricing_scheme_unchecked(&params)?.as_ref())
        }
        PluginKind::FlowModel => {
            conformance::check_flow_model(plugin.flow_model(&params)?.as_ref())
        }
        PluginKind::DemandEstimator => {
            conformance::check_demand_estimator(&plugin.demand_estimator(&params)?)
        }
        other => bail!("no conformance suite for plugins of kind {other}"),
    };
    ui::print(&format!("{report}\n"))?;
    if report.passed() {
        Ok(())
    } else {
        bail!("{} breaks the method's invariants", path.display())
    }
}
