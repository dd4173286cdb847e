//! A bitmap backend whose text is rasterised correctly.
//!
//! plotters 0.3.7's `ab_glyph` text path places each glyph at its advance position but drops
//! the glyph's side bearing, so letters with a negative bearing (`j`) drift and spacing looks
//! uneven. This wrapper delegates every shape to plotters' `BitMapBackend` and draws text
//! itself with ab_glyph: kerning, bearings and anti-aliased coverage, at the same em size the
//! SVG backend writes (`size / 1.24`), so PNG and SVG text match.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    text_anchor::{HPos, VPos},
};

use crate::fonts::FONT_BYTES;

/// plotters' SVG backend writes `font-size = size / 1.24`: the em size in px.
const EM_PER_SIZE: f32 = 1.0 / 1.24;

/// `BitMapBackend` with proper glyph placement.
pub(crate) struct GlyphBackend<'a> {
    inner: BitMapBackend<'a>,
    font: Option<FontRef<'static>>,
}

impl<'a> GlyphBackend<'a> {
    /// Wraps a bitmap backend drawing into an RGB buffer.
    pub(crate) fn new(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        Self {
            inner: BitMapBackend::with_buffer(buf, size),
            font: FontRef::try_from_slice(FONT_BYTES).ok(),
        }
    }
}

fn scale_for(font: &FontRef<'static>, size: f64) -> PxScale {
    let em = size as f32 * EM_PER_SIZE;
    let upem = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(em * font.height_unscaled() / upem)
}

/// Width in px of `text` at `scale`, with kerning.
fn text_width(font: &FontRef<'static>, scale: PxScale, text: &str) -> f32 {
    let sf = font.as_scaled(scale);
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    w
}

impl DrawingBackend for GlyphBackend<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        match &self.font {
            Some(font) => {
                let scale = scale_for(font, style.size());
                let h = font.as_scaled(scale).height();
                Ok((text_width(font, scale, text).ceil() as u32, h.ceil() as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = self.font.clone() else {
            return self.inner.draw_text(text, style, pos);
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let scale = scale_for(&font, style.size());
        let sf = font.as_scaled(scale);
        let em = style.size() as f32 * EM_PER_SIZE;
        let width = text_width(&font, scale, text);
        let x0 = pos.0 as f32
            + match style.anchor().h_pos {
                HPos::Left => 0.0,
                HPos::Center => -width / 2.0,
                HPos::Right => -width,
            };
        // Baseline, matching the SVG backend's dy (Top: 0.76 em, Center: 0.5 ex ≈ 0.36 em).
        let baseline = pos.1 as f32
            + match style.anchor().v_pos {
                VPos::Top => 0.76 * em,
                VPos::Center => 0.36 * em,
                VPos::Bottom => sf.descent(),
            };
        let mut x = x0;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                x += sf.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(scale, point(x, baseline));
            x += sf.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    pixels.push((
                        b.min.x as i32 + gx as i32,
                        b.min.y as i32 + gy as i32,
                        coverage.min(1.0),
                    ));
                }
            });
            for (px, py, cov) in pixels {
                self.inner.draw_pixel(
                    (px, py),
                    BackendColor {
                        alpha: color.alpha * f64::from(cov),
                        rgb: color.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}
