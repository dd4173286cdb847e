//! Colours and class labels shared by the figures.

use fzc_zoning::ZoneClass;
use plotters::style::RGBColor;

/// Fill colour of a zoning class (ColorBrewer-like, distinguishable in print).
pub(crate) fn class_colour(class: ZoneClass) -> RGBColor {
    match class {
        ZoneClass::DoubleHigh => RGBColor(215, 48, 39),
        ZoneClass::SourceDeficitSinkSurplus => RGBColor(252, 141, 89),
        ZoneClass::SourceSurplusSinkDeficit => RGBColor(145, 191, 219),
        ZoneClass::DoubleLow => RGBColor(26, 152, 80),
        ZoneClass::EctOnly => RGBColor(254, 224, 139),
        ZoneClass::CssOnly => RGBColor(194, 165, 207),
        ZoneClass::Neutral => RGBColor(217, 217, 217),
    }
}

/// Legend text of a zoning class.
pub(crate) fn class_label(class: ZoneClass) -> &'static str {
    match class {
        ZoneClass::DoubleHigh => "Double-high (NF>0, V>0)",
        ZoneClass::DoubleLow => "Double-low (NF<0, V<0)",
        ZoneClass::SourceDeficitSinkSurplus => "Source deficit, sink surplus (NF>0, V<0)",
        ZoneClass::SourceSurplusSinkDeficit => "Source surplus, sink deficit (NF<0, V>0)",
        ZoneClass::EctOnly => "ECT only (V=0)",
        ZoneClass::CssOnly => "CSS only (NF=0)",
        ZoneClass::Neutral => "Neutral",
    }
}

/// Ink for text and outlines.
pub(crate) const INK: RGBColor = RGBColor(33, 33, 33);
/// Light grey base fill of the flow maps.
pub(crate) const BASE_FILL: RGBColor = RGBColor(238, 238, 238);
/// Region outline.
pub(crate) const OUTLINE: RGBColor = RGBColor(120, 120, 120);
/// Payments (paid amounts, ECT arrows).
pub(crate) const PAID: RGBColor = RGBColor(203, 24, 29);
/// Receipts.
pub(crate) const RECEIVED: RGBColor = RGBColor(33, 113, 181);
/// CSS flow arrows.
pub(crate) const CSS_FLOW: RGBColor = RGBColor(0, 109, 44);

/// A qualitative palette for series (schemes, output regions).
pub(crate) const SERIES: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Flow-range circle colours, one per output region: [`SERIES`] plus five more, so that the
/// up to 13 output regions of a city cluster such as BTH each get their own.
pub(crate) const RANGE_RINGS: [RGBColor; 13] = [
    SERIES[0],
    SERIES[1],
    SERIES[2],
    SERIES[3],
    SERIES[4],
    SERIES[5],
    SERIES[6],
    SERIES[7],
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 128, 128),
];
