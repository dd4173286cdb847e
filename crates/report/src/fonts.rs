//! The bundled font, registered with plotters once per process.
//!
//! plotters' default text path needs fontconfig and freetype. fzc builds plotters with
//! `ab_glyph` instead and registers DejaVu Sans (bundled in `assets/fonts/`, Bitstream Vera
//! licence, see `assets/fonts/LICENSE-DejaVu.txt`) as the family `sans-serif`.

use std::sync::OnceLock;

/// The family name every figure uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// The bundled DejaVu Sans.
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers the bundled font (idempotent). Returns `false` if the font could not be parsed,
/// which only a corrupted build could cause.
pub(crate) fn ensure_registered() -> bool {
    *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT_BYTES)
            .is_ok()
    })
}
