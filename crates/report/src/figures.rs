//! The figures: maps and charts, each drawn once per backend (SVG and PNG).
//!
//! Every figure implements [`Figure`]: a fixed pixel size and a `draw` generic over the
//! plotters backend, so the SVG and the PNG come from the same code.

mod chart_axes;
mod comparison_chart;
mod compensation_chart;
mod cssdr_map;
mod cssf_map;
mod ect_map;
mod glyph_backend;
mod map_canvas;
mod palette;
mod series_chart;
mod uncertainty_charts;
mod zoning_map;

pub use comparison_chart::ComparisonChart;
pub use compensation_chart::CompensationChart;
pub use cssdr_map::CssdrMap;
pub use cssf_map::CssfMap;
pub use ect_map::EctMap;
pub use series_chart::SeriesChart;
pub use uncertainty_charts::{IntervalChart, PayerProbabilityMap, TornadoChart};
pub use zoning_map::ZoningMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::ReportError;
use crate::fonts;

/// The error every figure's `draw` returns: the backend's message.
pub type DrawResult = Result<(), String>;

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// File stem (`zoning-map` gives `zoning-map.svg` and `zoning-map.png`).
    fn stem(&self) -> &'static str;
    /// Size in pixels (SVG user units).
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `area` (already cleared to white).
    ///
    /// # Errors
    /// The backend's message when drawing fails.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Renders a figure as an SVG document.
///
/// # Errors
/// [`ReportError::Draw`] when plotters fails.
pub fn render_svg<F: Figure>(figure: &F) -> Result<String, ReportError> {
    fonts::ensure_registered();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area();
        area.fill(&WHITE).map_err(|e| draw_err(figure, e))?;
        figure.draw(&area).map_err(|message| ReportError::Draw {
            figure: figure.stem().to_string(),
            message,
        })?;
        area.present().map_err(|e| draw_err(figure, e))?;
    }
    Ok(svg)
}

/// Renders a figure as PNG bytes (8-bit RGB, no timestamp or other metadata chunks).
///
/// # Errors
/// [`ReportError::Draw`] when plotters fails, [`ReportError::Png`] when encoding fails.
pub fn render_png<F: Figure>(figure: &F) -> Result<Vec<u8>, ReportError> {
    fonts::ensure_registered();
    let (w, h) = figure.size();
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let area = glyph_backend::GlyphBackend::new(&mut rgb, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| draw_err(figure, e))?;
        figure.draw(&area).map_err(|message| ReportError::Draw {
            figure: figure.stem().to_string(),
            message,
        })?;
        area.present().map_err(|e| draw_err(figure, e))?;
    }
    let png_err = |e: png::EncodingError| ReportError::Png {
        figure: figure.stem().to_string(),
        message: e.to_string(),
    };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(png_err)?;
        writer.write_image_data(&rgb).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
    }
    Ok(out)
}

fn draw_err<F: Figure, E: std::fmt::Debug>(figure: &F, e: E) -> ReportError {
    ReportError::Draw {
        figure: figure.stem().to_string(),
        message: format!("{e:?}"),
    }
}

/// Turns a plotters drawing error into the figure error.
pub(crate) fn de<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// A region's core and where it came from: `"given"` or `"label_point"` (see
/// [`map_canvas::label_point`]).
pub(crate) fn core_and_source(r: &crate::model::RegionResult) -> (geo::Coord<f64>, &'static str) {
    match r.core {
        Some(p) => (p.0, "given"),
        None => (map_canvas::label_point(r), "label_point"),
    }
}
