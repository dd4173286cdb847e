//! From a scenario run to the report's plain input model ([`fzc_report::ReportInput`]).
//!
//! The scenario crate does not carry polygons, so they are found here, by convention:
//! - the embedded default case (`examples/bth-2020`) has its boundaries compiled in;
//! - a scenario file `DIR/scenario.toml` uses `DIR/boundaries/<region>.geojson`, one file per
//!   region (the layout of `examples/bth-2020/boundaries/`), when that folder exists;
//! - otherwise the polygons of its raw CSSF inputs (`[cssf] regions`, with `id_field`).
//!
//! CSSF flow ranges (`R_sr`, km) and region cores: when the CSSF layer was computed from
//! polygons (`[cssf] regions + balance`), the flow model's own `R_sr` and cores, kept on each
//! [`fzc_scenario::CssfTransfer`]. Otherwise ranges come from the `cssf_range` rows of
//! `DIR/published.csv` when present (compiled in for the embedded case; the paper's Table 3),
//! and cores from the report's default (a point inside the largest polygon); without either
//! the CSSF map draws no flow-range circle.
//!
//! The CSSDR map's grid is the scenario's `CssdrPreview` when its CSSF layer was computed from
//! rasters (`[cssf.rasters]`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use fzc_core::{Layer, Progress};
use fzc_report::{
    Comparison, ComparisonChart, ComparisonRow, CompensationChart, CssfFlow, EctFlow, Figure,
    HtmlFigure, LedgerLayer, LedgerPair, LonLatRaster, OutputFormats, RegionResult, ReportInput,
    SeriesRow, YearSeries, render_png, render_svg, report_html, write_outputs,
};
use fzc_scenario::{Outcome, Scenario};
use geo::MultiPolygon;

/// Where a scenario's region polygons and flow ranges are read from.
#[derive(Debug, Clone)]
pub enum Extras {
    /// The embedded default case: compiled-in boundaries and `published.csv`.
    Embedded,
    /// A scenario on disk: the folder holding its TOML, and the TOML.
    Dir(PathBuf, PathBuf),
}

macro_rules! boundary {
    ($id:literal) => {
        (
            $id,
            include_str!(concat!(
                "../../../examples/bth-2020/boundaries/",
                $id,
                ".geojson"
            )),
        )
    };
}

/// The embedded case's boundaries: `(region id, GeoJSON text)`.
const BTH_2020_BOUNDARIES: &[(&str, &str)] = &[
    boundary!("baoding"),
    boundary!("beijing"),
    boundary!("cangzhou"),
    boundary!("chengde"),
    boundary!("handan"),
    boundary!("hengshui"),
    boundary!("langfang"),
    boundary!("qinhuangdao"),
    boundary!("shijiazhuang"),
    boundary!("tangshan"),
    boundary!("tianjin"),
    boundary!("xingtai"),
    boundary!("zhangjiakou"),
];

const BTH_2020_PUBLISHED: &str = include_str!("../../../examples/bth-2020/published.csv");

impl Extras {
    /// The extras of the scenario named on the command line (`None`: the embedded case).
    pub fn for_scenario(path: Option<&Path>) -> Extras {
        match path {
            None => Extras::Embedded,
            Some(p) => Extras::Dir(
                p.parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or_else(|| Path::new("."))
                    .to_owned(),
                p.to_owned(),
            ),
        }
    }

    /// Every region's polygons, or `None` when the scenario ships none: neither a
    /// `boundaries/` folder nor `[cssf] regions` (the polygons of the raw CSSF inputs).
    ///
    /// # Errors
    /// When the folder exists but a region's file is missing or is not (Multi)Polygon GeoJSON;
    /// the message names the file.
    pub fn polygons(
        &self,
        scenario: &Scenario,
    ) -> anyhow::Result<Option<BTreeMap<String, MultiPolygon<f64>>>> {
        let mut out = BTreeMap::new();
        match self {
            Extras::Embedded => {
                for (id, text) in BTH_2020_BOUNDARIES {
                    let label = format!("examples/bth-2020/boundaries/{id}.geojson");
                    out.insert((*id).to_owned(), parse_polygons(text, &label)?);
                }
            }
            Extras::Dir(dir, toml) => {
                let folder = dir.join("boundaries");
                if !folder.is_dir() {
                    return polygons_from_cssf_inputs(dir, toml, scenario);
                }
                for region in &scenario.regions {
                    let path = folder.join(format!("{}.geojson", region.as_str()));
                    let text = std::fs::read_to_string(&path).with_context(|| {
                        format!(
                            "reading {} (expected the polygons of region `{}`, since {} exists)",
                            path.display(),
                            region.as_str(),
                            folder.display()
                        )
                    })?;
                    out.insert(
                        region.as_str().to_owned(),
                        parse_polygons(&text, &path.display().to_string())?,
                    );
                }
            }
        }
        for region in &scenario.regions {
            if !out.contains_key(region.as_str()) {
                bail!(
                    "no boundary for region `{}` among the scenario's polygons",
                    region.as_str()
                );
            }
        }
        Ok(Some(out))
    }

    /// Table 3 flow ranges `(output, input) → km`, from `published.csv` if any.
    ///
    /// # Errors
    /// When `published.csv` exists but cannot be read or a `cssf_range` value is not a number.
    pub fn ranges_km(&self) -> anyhow::Result<BTreeMap<(String, String), f64>> {
        let (text, label) = match self {
            Extras::Embedded => (
                BTH_2020_PUBLISHED.to_owned(),
                "examples/bth-2020/published.csv".to_owned(),
            ),
            Extras::Dir(dir, _) => {
                let path = dir.join("published.csv");
                if !path.is_file() {
                    return Ok(BTreeMap::new());
                }
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                (text, path.display().to_string())
            }
        };
        parse_ranges(&text, &label)
    }
}

/// The polygons a scenario's `[cssf] regions` names (GeoJSON file or folder, or a `.shp`),
/// with its `id_field`; `None` when the TOML has no such key.
fn polygons_from_cssf_inputs(
    dir: &Path,
    toml_path: &Path,
    scenario: &Scenario,
) -> anyhow::Result<Option<BTreeMap<String, MultiPolygon<f64>>>> {
    let text = std::fs::read_to_string(toml_path)
        .with_context(|| format!("reading {}", toml_path.display()))?;
    let value: toml::Table = text
        .parse()
        .with_context(|| format!("{}: not TOML", toml_path.display()))?;
    let cssf = value.get("cssf").and_then(toml::Value::as_table);
    let Some(rel) = cssf
        .and_then(|c| c.get("regions"))
        .and_then(toml::Value::as_str)
    else {
        return Ok(None);
    };
    let id_field = cssf
        .and_then(|c| c.get("id_field"))
        .and_then(toml::Value::as_str);
    let path = dir.join(rel);
    let shapes = fzc_io::read_regions(&path, id_field)?;
    let mut out = BTreeMap::new();
    for (id, shape) in shapes {
        if scenario.region_index(id.as_str()).is_none() {
            continue;
        }
        let ring = |r: &[fzc_core::LonLat]| {
            geo::LineString::from(
                r.iter()
                    .map(|p| (p.lon_deg, p.lat_deg))
                    .collect::<Vec<(f64, f64)>>(),
            )
        };
        let polys = shape
            .parts
            .iter()
            .map(|p| {
                geo::Polygon::new(ring(&p.exterior), p.holes.iter().map(|h| ring(h)).collect())
            })
            .collect();
        out.insert(id.as_str().to_owned(), MultiPolygon(polys));
    }
    for region in &scenario.regions {
        if !out.contains_key(region.as_str()) {
            bail!(
                "{}: no polygon for region `{}` (from [cssf] regions in {})",
                path.display(),
                region.as_str(),
                toml_path.display()
            );
        }
    }
    Ok(Some(out))
}

fn parse_polygons(text: &str, label: &str) -> anyhow::Result<MultiPolygon<f64>> {
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("{label}: not GeoJSON"))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::Geometry(g) => vec![g],
    };
    let mut polys = Vec::new();
    for (index, g) in geometries.into_iter().enumerate() {
        match geo::Geometry::<f64>::try_from(g)
            .with_context(|| format!("{label}: geometry {index} is not valid GeoJSON"))?
        {
            geo::Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            geo::Geometry::Polygon(p) => polys.push(p),
            _ => bail!("{label}: geometry {index} is not a Polygon or MultiPolygon"),
        }
    }
    if polys.is_empty() {
        bail!("{label}: no polygon, expected the region's boundary");
    }
    Ok(MultiPolygon(polys))
}

fn parse_ranges(text: &str, label: &str) -> anyhow::Result<BTreeMap<(String, String), f64>> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(q), Some(r), Some(c), Some(v)) = (
        col("quantity"),
        col("region"),
        col("counterpart"),
        col("value"),
    ) else {
        return Ok(out);
    };
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.get(q).map(|s| s.trim()) != Some("cssf_range") {
            continue;
        }
        let cell = |k: usize| cells.get(k).map_or("", |s| s.trim());
        let value: f64 = cell(v).parse().with_context(|| {
            format!(
                "{label}, line {}: cssf_range value `{}` is not a number of km",
                i + 2,
                cell(v)
            )
        })?;
        out.insert((cell(r).to_owned(), cell(c).to_owned()), value);
    }
    Ok(out)
}

/// A display name from a region id: `beijing` → `Beijing`.
fn title(id: &str) -> String {
    let mut c = id.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn ledger_layer(layer: Layer) -> LedgerLayer {
    match layer {
        Layer::Ect => LedgerLayer::Ect,
        Layer::Cssf => LedgerLayer::Cssf,
        Layer::Combined => LedgerLayer::Combined,
    }
}

/// Maps a run to the report model. `polygons`: every region's boundary (see
/// [`Extras::polygons`]); `ranges`: Table 3 flow ranges in km, used for the transfers that do
/// not carry the flow model's own range.
///
/// # Units
/// Tonnes in t CO2, amounts in yuan, standards in yuan/t, ranges in km, as in the report model.
pub fn report_input(
    scenario: &Scenario,
    outcome: &Outcome,
    polygons: &BTreeMap<String, MultiPolygon<f64>>,
    ranges: &BTreeMap<(String, String), f64>,
    source: &str,
) -> ReportInput {
    let cores = scenario.cssf_cores();
    let regions = outcome
        .ledger
        .accounts()
        .iter()
        .map(|a| RegionResult {
            id: a.region.as_str().to_owned(),
            display_name: title(a.region.as_str()),
            geometry: polygons
                .get(a.region.as_str())
                .cloned()
                .unwrap_or_else(|| MultiPolygon(Vec::new())),
            core: scenario
                .region_index(a.region.as_str())
                .and_then(|i| cores.get(i).copied().flatten())
                .map(|c| geo::Point::new(c.lon_deg, c.lat_deg)),
            class: a.class,
            zone: a.ledger_zone,
            nf_t: a.nf.0,
            v_net_t: a.v_net.0,
            benchmark_t: a.benchmark.0,
            standard_yuan_per_t: Some(a.standard.0),
            tc_eq17_yuan: Some(a.tc_eq17.0),
            paid_yuan: a.paid.0,
            received_yuan: a.received.0,
            net_yuan: a.net.0,
            flag: a.flag,
        })
        .collect();
    let name = |i: usize| {
        scenario
            .regions
            .get(i)
            .map_or_else(String::new, |r| r.as_str().to_owned())
    };
    let ect_flows = outcome
        .ect_matrix
        .as_ref()
        .map(|m| {
            m.positive_entries()
                .into_iter()
                .map(|(r, s, t)| EctFlow {
                    from: name(r),
                    to: name(s),
                    tonnes: t.0,
                })
                .collect()
        })
        .unwrap_or_default();
    let cssf_flows = scenario
        .cssf
        .as_ref()
        .map(|transfers| {
            transfers
                .iter()
                .map(|t| {
                    let (output, input) = (name(t.output), name(t.input));
                    let paper = ranges.get(&(output.clone(), input.clone())).copied();
                    CssfFlow {
                        range_from_paper: t.range_km.is_none() && paper.is_some(),
                        range_km: t.range_km.or(paper).unwrap_or(0.0),
                        output,
                        input,
                        transfer_t: t.tonnes.0,
                        intensity_t_per_km2: None,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ledger = outcome
        .ledger
        .entries()
        .iter()
        .map(|e| LedgerPair {
            payer: e.payer.as_str().to_owned(),
            payee: e.payee.as_str().to_owned(),
            layer: ledger_layer(e.layer),
            tonnes: e.tonnes.0,
            standard_yuan_per_t: e.standard.map_or(f64::NAN, |s| s.0),
            amount_yuan: e.amount.0,
        })
        .collect();
    let mut provenance = vec![
        format!("Scenario: {} ({source}).", scenario.description),
        format!(
            "Pricing: scheme `{}`, carbon price {} yuan/t.",
            outcome.ledger.scheme(),
            scenario.price.0
        ),
    ];
    for (region, entry) in scenario.regions.iter().zip(&scenario.standards) {
        if let Some(entry) = entry {
            provenance.push(format!(
                "Standard of {}: {:.4} yuan/t, {}{}",
                region.as_str(),
                entry.yuan_per_tonne.0,
                entry.provenance.as_str(),
                if entry.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", entry.note)
                }
            ));
        }
    }
    let mut errata: Vec<String> = outcome
        .ledger
        .accounts()
        .iter()
        .filter(|a| a.flag)
        .map(|a| {
            format!(
                "{}: the ledger's sign ({}) disagrees with the benchmark's ({}).",
                a.region.as_str(),
                a.ledger_zone.as_str(),
                a.zone.as_str()
            )
        })
        .collect();
    errata.extend(scenario.warnings.iter().cloned());
    ReportInput {
        scenario_name: scenario.name.clone(),
        provenance,
        errata,
        regions,
        ect_flows,
        cssf_flows,
        ledger,
        comparison: None,
        cssdr: scenario
            .cssf_rasters
            .as_ref()
            .map(|r| cssdr_raster(&r.preview)),
        uncertainty: None,
        sensitivity: None,
        series: year_series(outcome),
    }
}

/// A year series' amounts for the chart: each region's combined net (yuan) per year, `None`
/// without a series.
pub fn year_series(outcome: &Outcome) -> Option<YearSeries> {
    if outcome.series.is_empty() {
        return None;
    }
    let n = outcome.series.len();
    let mut rows: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (k, (_, one)) in outcome.series.iter().enumerate() {
        for a in one.ledger.accounts() {
            rows.entry(a.region.as_str().to_owned())
                .or_insert_with(|| vec![0.0; n])[k] = a.net.0;
        }
    }
    Some(YearSeries {
        years: outcome.series.iter().map(|(year, _)| *year).collect(),
        rows: rows
            .into_iter()
            .map(|(region, net_yuan)| SeriesRow { region, net_yuan })
            .collect(),
    })
}

/// The report's CSSDR grid from the scenario's preview (`[cssf.rasters]`): the same lon/lat
/// grid, row-major from the north-west corner, `NaN` = no data.
pub fn cssdr_raster(preview: &fzc_scenario::CssdrPreview) -> LonLatRaster {
    LonLatRaster {
        west: preview.west,
        south: preview.south,
        east: preview.east,
        north: preview.north,
        width: preview.width,
        height: preview.height,
        values: preview.values.clone(),
    }
}

/// The scheme comparison for the chart: each region's net amount (yuan) under each scheme.
pub fn comparison(comparison: &fzc_scenario::Comparison) -> Comparison {
    let mut rows: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let n = comparison.names.len();
    for (k, outcome) in comparison.outcomes.iter().enumerate() {
        for a in outcome.ledger.accounts() {
            rows.entry(a.region.as_str().to_owned())
                .or_insert_with(|| vec![0.0; n])[k] = a.net.0;
        }
    }
    Comparison {
        schemes: comparison.names.clone(),
        rows: rows
            .into_iter()
            .map(|(region, net_yuan)| ComparisonRow { region, net_yuan })
            .collect(),
    }
}

fn chart_only<F: Figure>(
    fig: &F,
    caption: &str,
    dir: &Path,
    files: &mut Vec<PathBuf>,
) -> anyhow::Result<HtmlFigure> {
    let svg = render_svg(fig)?;
    let png = render_png(fig)?;
    let fdir = dir.join("figures");
    std::fs::create_dir_all(&fdir).with_context(|| format!("creating {}", fdir.display()))?;
    for (path, bytes) in [
        (fdir.join(format!("{}.svg", fig.stem())), svg.as_bytes()),
        (fdir.join(format!("{}.png", fig.stem())), png.as_slice()),
    ] {
        fzc_io::write_atomically(&path, |w| w.write_all(bytes))
            .with_context(|| format!("writing {}", path.display()))?;
        files.push(path);
    }
    Ok(HtmlFigure {
        stem: fig.stem().to_owned(),
        caption: caption.to_owned(),
        svg,
    })
}

/// Writes the report next to the CSV files: figures, `report.html`, `results.gpkg` and
/// `results-<layer>.geojson` when `has_polygons`; otherwise only the charts and
/// `report.html` (the maps and layers need polygons). Reports its steps to `progress`;
/// notes for the user (e.g. that maps were skipped) go to `notes`.
///
/// # Errors
/// When a figure cannot be drawn or a file cannot be written (the message names it).
pub fn write_report(
    input: &ReportInput,
    has_polygons: bool,
    dir: &Path,
    progress: &dyn Progress,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if has_polygons {
        let none = OutputFormats {
            svg: false,
            png: false,
            html: false,
            gpkg: false,
            geojson: false,
        };
        let steps: [(&str, OutputFormats); 4] = [
            (
                "figures",
                OutputFormats {
                    svg: true,
                    png: true,
                    ..none
                },
            ),
            ("report.html", OutputFormats { html: true, ..none }),
            ("results.gpkg", OutputFormats { gpkg: true, ..none }),
            (
                "GeoJSON layers",
                OutputFormats {
                    geojson: true,
                    ..none
                },
            ),
        ];
        progress.begin("writing the report", steps.len() as u64);
        for (what, formats) in steps {
            let written = write_outputs(input, dir, formats)
                .with_context(|| format!("writing {what} into {}", dir.display()))?;
            files.extend(written.files);
            progress.advance(1);
        }
        progress.finish();
    } else {
        notes.push(
            "note: the scenario has no region polygons (no boundaries/ folder beside it): \
             maps and results.gpkg skipped, charts and report.html written"
                .to_owned(),
        );
        let mut figs = vec![chart_only(
            &CompensationChart { input },
            "Combined ledger: paid and received per region (billion yuan), net marked; \
             the largest pairs on the right.",
            dir,
            &mut files,
        )?];
        if let Some(comparison) = &input.comparison {
            figs.push(chart_only(
                &ComparisonChart { input, comparison },
                "Net amount per region under each pricing scheme (billion yuan).",
                dir,
                &mut files,
            )?);
        }
        if let Some(u) = &input.uncertainty {
            figs.push(chart_only(
                &fzc_report::IntervalChart { input, summary: u },
                &fzc_report::IntervalChart::caption(u),
                dir,
                &mut files,
            )?);
        }
        if let Some(series) = &input.series {
            figs.push(chart_only(
                &fzc_report::SeriesChart { input, series },
                &fzc_report::SeriesChart::caption(series),
                dir,
                &mut files,
            )?);
        }
        if let Some(s) = &input.sensitivity {
            figs.push(chart_only(
                &fzc_report::TornadoChart {
                    input,
                    sensitivity: s,
                },
                &fzc_report::TornadoChart::caption(s),
                dir,
                &mut files,
            )?);
        }
        let page = report_html(input, &figs);
        let path = dir.join("report.html");
        fzc_io::write_atomically(&path, |w| w.write_all(page.as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
        files.push(path);
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_from_cssf_range_rows_only() {
        let text = "quantity,region,counterpart,value,unit\n\
                    direct_emissions,tangshan,,387.09,Mt\n\
                    cssf_range,beijing,tianjin,102.55,km\n";
        let r = parse_ranges(text, "p.csv").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[&("beijing".into(), "tianjin".into())], 102.55);
    }

    #[test]
    fn a_bad_range_names_the_file_and_line() {
        let text = "quantity,region,counterpart,value\ncssf_range,a,b,far\n";
        let err = format!("{:#}", parse_ranges(text, "p.csv").unwrap_err());
        assert!(
            err.contains("p.csv, line 2") && err.contains("far"),
            "{err}"
        );
    }

    #[test]
    fn a_point_is_not_a_boundary() {
        let text = r#"{"type":"Point","coordinates":[116.0,39.0]}"#;
        let err = format!("{:#}", parse_polygons(text, "x.geojson").unwrap_err());
        assert!(
            err.contains("x.geojson") && err.contains("Polygon"),
            "{err}"
        );
    }

    #[test]
    fn every_embedded_boundary_parses() {
        for (id, text) in BTH_2020_BOUNDARIES {
            let mp = parse_polygons(text, id).unwrap();
            assert!(!mp.0.is_empty(), "{id}");
        }
    }
}
