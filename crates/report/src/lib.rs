//! Outputs people look at: maps, charts, a self-contained `report.html`, and the results as a
//! GeoPackage and GeoJSON that open in QGIS.
//!
//! **Inputs.** A [`ReportInput`]: plain data the scenario runner fills, with no dependency on
//! the runner's own types. Regions carry their polygons (WGS84 lon/lat), zoning class and zone,
//! `NF`, `V_net` and the benchmark in t CO2, and the ledger amounts in yuan; flows carry
//! tonnes and km; an optional [`Comparison`] holds net amounts per pricing scheme.
//!
//! **Outputs** ([`write_outputs`], each file written atomically):
//! - `figures/zoning-map`, `ect-flow-map`, `cssf-flow-map`, `compensation-chart` and, with a
//!   comparison, `scheme-comparison`, and with a CSSDR grid ([`LonLatRaster`]), `cssdr-map`,
//!   each as `.svg` and `.png`;
//! - `report.html`, one file with the figures inlined as SVG and every table;
//! - `results.gpkg` with the layers `regions`, `ect_flows`, `cssf_flows`, `cores`
//!   (EPSG:4326), and `results-<layer>.geojson`, one per layer.
//!
//! **Design.** Every figure implements [`Figure`], whose `draw` is generic over the plotters
//! backend, so the SVG and PNG are the same drawing. Text uses the bundled DejaVu Sans through
//! plotters' `ab_glyph` feature: no fontconfig or freetype. Maps use an equirectangular
//! projection scaled by the cosine of the mean latitude ([`Equirectangular`]); flow-range
//! circles are geodesic circles on WGS84 ([`geodesic_circle`]). The GeoPackage is written
//! with rusqlite 0.37 (see PITFALLS: it must coexist with `proj`'s SQLite) and a ~200-line
//! schema of our own ([`write_geopackage`]).
//!
//! ```
//! use fzc_report::{ReportInput, RegionResult, render_svg, ZoningMap};
//! use fzc_zoning::{Zone, ZoneClass};
//! use geo::{MultiPolygon, polygon};
//!
//! let square = polygon![(x: 116.0, y: 39.0), (x: 117.0, y: 39.0), (x: 117.0, y: 40.0),
//!                       (x: 116.0, y: 40.0), (x: 116.0, y: 39.0)];
//! let input = ReportInput {
//!     scenario_name: "demo".into(),
//!     regions: vec![RegionResult {
//!         id: "a".into(), display_name: "A".into(),
//!         geometry: MultiPolygon(vec![square]), core: None,
//!         class: ZoneClass::DoubleHigh, zone: Zone::Payer,
//!         nf_t: 2.0, v_net_t: 1.0, benchmark_t: 3.0,
//!         standard_yuan_per_t: Some(40.0), tc_eq17_yuan: Some(120.0),
//!         paid_yuan: 120.0, received_yuan: 0.0, net_yuan: 120.0, flag: false,
//!     }],
//!     ..ReportInput::default()
//! };
//! let svg = render_svg(&ZoningMap { input: &input }).unwrap();
//! assert!(svg.starts_with("<svg") && svg.contains("\nA\n</text>"));
//! ```

mod atomic;
mod error;
mod figures;
mod fonts;
mod geojson_out;
mod gpkg;
mod html;
mod layers;
mod model;
mod projection;
mod validate;

use std::path::{Path, PathBuf};

pub use error::ReportError;
pub use figures::{
    ComparisonChart, CompensationChart, CssdrMap, CssfMap, DrawResult, EctMap, Figure,
    IntervalChart, PayerProbabilityMap, SeriesChart, TornadoChart, ZoningMap, render_png,
    render_svg,
};
pub use geojson_out::layer_geojson;
pub use gpkg::{
    FIXED_LAST_CHANGE, Feature, FieldType, FieldValue, GeometryKind, Layer, gpkg_blob,
    write_geopackage,
};
pub use html::{HtmlFigure, escape, report_html};
pub use layers::result_layers;
pub use model::{
    Comparison, ComparisonRow, CssfFlow, EctFlow, LedgerLayer, LedgerPair, LonLatRaster,
    RegionResult, ReportInput, Sensitivity, SensitivityBar, SeriesRow, Uncertainty, UncertaintyRow,
    YearSeries,
};
pub use projection::{Equirectangular, geodesic_circle};
pub use validate::validate;

/// Which outputs [`write_outputs`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputFormats {
    /// `figures/*.svg`.
    pub svg: bool,
    /// `figures/*.png`.
    pub png: bool,
    /// `report.html`.
    pub html: bool,
    /// `results.gpkg`.
    pub gpkg: bool,
    /// `results-<layer>.geojson`.
    pub geojson: bool,
}

impl OutputFormats {
    /// Everything.
    pub const ALL: OutputFormats = OutputFormats {
        svg: true,
        png: true,
        html: true,
        gpkg: true,
        geojson: true,
    };
}

impl Default for OutputFormats {
    fn default() -> Self {
        Self::ALL
    }
}

/// The files [`write_outputs`] wrote, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Paths of the written files, sorted.
    pub files: Vec<PathBuf>,
}

fn write_file(path: &Path, bytes: &[u8], written: &mut Written) -> Result<(), ReportError> {
    atomic::write_atomically(path, bytes)?;
    written.files.push(path.to_path_buf());
    Ok(())
}

struct Rendered {
    stem: &'static str,
    caption: String,
    svg: String,
    png: Option<Vec<u8>>,
}

fn render<F: Figure>(fig: &F, caption: String, png: bool) -> Result<Rendered, ReportError> {
    Ok(Rendered {
        stem: fig.stem(),
        caption,
        svg: render_svg(fig)?,
        png: if png { Some(render_png(fig)?) } else { None },
    })
}

/// The charts that need no polygons, drawn for an uncertainty or sensitivity result: the
/// interval chart and the tornado chart (also drawn when the scenario has no polygons).
fn extra_charts(input: &ReportInput, png: bool) -> Result<Vec<Rendered>, ReportError> {
    let mut figs = Vec::new();
    if let Some(u) = &input.uncertainty {
        figs.push(render(
            &IntervalChart { input, summary: u },
            IntervalChart::caption(u),
            png,
        )?);
    }
    if let Some(series) = &input.series {
        figs.push(render(
            &SeriesChart { input, series },
            SeriesChart::caption(series),
            png,
        )?);
    }
    if let Some(s) = &input.sensitivity {
        figs.push(render(
            &TornadoChart {
                input,
                sensitivity: s,
            },
            TornadoChart::caption(s),
            png,
        )?);
    }
    Ok(figs)
}

/// Writes the report's outputs for `input` into `dir` (created if missing): figures under
/// `dir/figures/`, `report.html`, `results.gpkg`, `results-<layer>.geojson`, as selected by
/// `formats`. Every file is written atomically; the same input gives the same bytes.
///
/// # Errors
/// [`ReportError::Input`] when the input is inconsistent (see [`validate`]),
/// [`ReportError::Draw`]/[`ReportError::Png`] when a figure fails, [`ReportError::Sqlite`]
/// for the GeoPackage, [`ReportError::Os`] when a file or folder cannot be written.
pub fn write_outputs(
    input: &ReportInput,
    dir: &Path,
    formats: OutputFormats,
) -> Result<Written, ReportError> {
    validate(input)?;
    let mut written = Written::default();
    let mkdir = |p: &Path| {
        std::fs::create_dir_all(p).map_err(|source| ReportError::Os {
            path: p.to_path_buf(),
            source,
        })
    };
    mkdir(dir)?;
    if formats.svg || formats.png || formats.html {
        let mut figs = vec![
            render(
                &ZoningMap { input },
                "Compensation zoning: regions filled by class (signs of NF and V_net); \
                 payers hatched."
                    .to_string(),
                formats.png,
            )?,
            render(
                &EctMap { input },
                "ECT bilateral net flows: arrows from payer to payee, width proportional to \
                 the net transfer."
                    .to_string(),
                formats.png,
            )?,
            render(
                &CssfMap { input },
                "CSS flows: region cores, geodesic flow-range circles around each output \
                 region's core, and arrows from output to input region scaled by the transfer."
                    .to_string(),
                formats.png,
            )?,
            render(
                &CompensationChart { input },
                "Combined ledger: paid and received per region (billion yuan), net marked; \
                 the largest pairs on the right."
                    .to_string(),
                formats.png,
            )?,
        ];
        if let Some(raster) = &input.cssdr {
            figs.insert(
                3,
                render(
                    &CssdrMap { input, raster },
                    "CSS supply–demand ratio CSSDR = (S − D) / (S + D) per pixel (Eq 13): \
                     deficit (input) red, surplus (output) green, classes of 0.1 on [−1, 1]; \
                     cells with no data (S + D = 0) or outside the regions are left blank."
                        .to_string(),
                    formats.png,
                )?,
            );
        }
        if let Some(comparison) = &input.comparison {
            figs.push(render(
                &ComparisonChart { input, comparison },
                "Net amount per region under each pricing scheme (billion yuan).".to_string(),
                formats.png,
            )?);
        }
        if let Some(u) = &input.uncertainty {
            figs.push(render(
                &PayerProbabilityMap { input, summary: u },
                PayerProbabilityMap::caption(u),
                formats.png,
            )?);
        }
        figs.extend(extra_charts(input, formats.png)?);
        if formats.svg || formats.png {
            let fdir = dir.join("figures");
            mkdir(&fdir)?;
            for f in &figs {
                if formats.svg {
                    write_file(
                        &fdir.join(format!("{}.svg", f.stem)),
                        f.svg.as_bytes(),
                        &mut written,
                    )?;
                }
                if let Some(png) = &f.png {
                    write_file(&fdir.join(format!("{}.png", f.stem)), png, &mut written)?;
                }
            }
        }
        if formats.html {
            let html_figs: Vec<HtmlFigure> = figs
                .into_iter()
                .map(|f| HtmlFigure {
                    stem: f.stem.to_string(),
                    caption: f.caption,
                    svg: f.svg,
                })
                .collect();
            let page = report_html(input, &html_figs);
            write_file(&dir.join("report.html"), page.as_bytes(), &mut written)?;
        }
    }
    if formats.gpkg || formats.geojson {
        let layers = result_layers(input);
        if formats.gpkg {
            let path = dir.join("results.gpkg");
            write_geopackage(&path, &layers)?;
            written.files.push(path);
        }
        if formats.geojson {
            for l in &layers {
                write_file(
                    &dir.join(format!("results-{}.geojson", l.name)),
                    layer_geojson(l).as_bytes(),
                    &mut written,
                )?;
            }
        }
    }
    written.files.sort();
    Ok(written)
}
