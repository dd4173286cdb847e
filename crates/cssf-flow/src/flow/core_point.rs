//! The core of a region: where distances are measured from and flow circles centred.

/// How a region's core is chosen (METHOD.md 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Core {
    /// The area-weighted centroid of all polygon parts, computed on lon/lat coordinates as
    /// GEOS/shapely do (so a multi-part city's islands pull it by their area, and it may fall
    /// outside the region for U-shaped or scattered regions). The default.
    #[default]
    Centroid,
    /// A point guaranteed to lie inside the region (geo's `interior_point`).
    InteriorPoint,
    /// Coordinates given by the user for every region (`core_lon, core_lat`).
    Given,
}

impl Core {
    /// The spelling used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Core::Centroid => "centroid",
            Core::InteriorPoint => "interior-point",
            Core::Given => "given",
        }
    }
}
