//! Region and sector lists from the `(region, sector)` labels of a table's rows.

use fzc_core::{RegionId, SectorId};

use crate::{IoError, Location};

/// Validates a region or sector label read at `at`.
pub(crate) fn region_id(text: &str, at: impl FnOnce() -> Location) -> Result<RegionId, IoError> {
    RegionId::new(text).map_err(|e| IoError::value(at(), text, e.to_string()))
}

/// Validates a sector label read at `at`.
pub(crate) fn sector_id(text: &str, at: impl FnOnce() -> Location) -> Result<SectorId, IoError> {
    SectorId::new(text).map_err(|e| IoError::value(at(), text, e.to_string()))
}

/// Splits row labels into regions (order of first appearance) and sectors (those of the first
/// region), and checks that the rows are region-major with the same sectors in every region.
pub(crate) fn region_major(
    labels: &[(String, String)],
    at: impl Fn(usize) -> Location,
) -> Result<(Vec<RegionId>, Vec<SectorId>), IoError> {
    let Some((first_region, _)) = labels.first() else {
        return Err(IoError::structure(at(0), "no data rows"));
    };
    let n_sectors = labels.iter().take_while(|(r, _)| r == first_region).count();
    let mut regions = Vec::new();
    let mut sectors = Vec::new();
    for (k, (region, sector)) in labels.iter().enumerate() {
        if k < n_sectors {
            sectors.push(sector_id(sector, || at(k))?);
        }
        if k % n_sectors == 0 {
            regions.push(region_id(region, || at(k))?);
        }
        let want_region = regions[k / n_sectors].as_str();
        let want_sector = sectors[k % n_sectors].as_str();
        if region != want_region || sector != want_sector {
            return Err(IoError::structure(
                at(k),
                format!(
                    "row {} is ({region}, {sector}), expected ({want_region}, {want_sector}): \
                     rows must be region-major with the sectors of the first region \
                     ({}) in the same order in every region",
                    k + 1,
                    sectors
                        .iter()
                        .map(SectorId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if !labels.len().is_multiple_of(n_sectors) {
        return Err(IoError::structure(
            at(labels.len() - 1),
            format!(
                "{} rows is not a whole number of regions of {n_sectors} sectors",
                labels.len()
            ),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, region) in regions.iter().enumerate() {
        if !seen.insert(region.as_str()) {
            return Err(IoError::structure(
                at(k * n_sectors),
                format!("region {region} appears in two separate blocks of rows"),
            ));
        }
    }
    Ok((regions, sectors))
}
