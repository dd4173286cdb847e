//! Compensation standards: Eq 18 and given per-region values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use fzc_core::{RegionId, Yuan, YuanPerTonne};

use crate::PricingError;

/// How the study area's per-capita GDP (the denominator of `A_i`) is averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaMean {
    /// Total GDP / total population of the area (default).
    #[default]
    PopulationWeighted,
    /// Unweighted mean of the regions' per-capita GDP.
    Unweighted,
}

/// The unit the Engel coefficients are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngelUnit {
    /// A fraction in `[0, 1]` (default).
    #[default]
    Fraction,
    /// A percentage in `[0, 100]`.
    Percent,
}

impl AreaMean {
    /// `population_weighted` or `unweighted`.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaMean::PopulationWeighted => "population_weighted",
            AreaMean::Unweighted => "unweighted",
        }
    }
}

impl EngelUnit {
    /// `fraction` or `percent`.
    pub fn as_str(self) -> &'static str {
        match self {
            EngelUnit::Fraction => "fraction",
            EngelUnit::Percent => "percent",
        }
    }

    fn range(self) -> (f64, &'static str) {
        match self {
            EngelUnit::Fraction => (1.0, "[0, 1]"),
            EngelUnit::Percent => (100.0, "[0, 100]"),
        }
    }
}

impl fmt::Display for AreaMean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for EngelUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaMean {
    type Err = PricingError;
    fn from_str(text: &str) -> Result<Self, PricingError> {
        [AreaMean::PopulationWeighted, AreaMean::Unweighted]
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| PricingError::UnknownOption {
                text: text.to_owned(),
                expected: "population_weighted, unweighted (area mean)",
            })
    }
}

impl FromStr for EngelUnit {
    type Err = PricingError;
    fn from_str(text: &str) -> Result<Self, PricingError> {
        [EngelUnit::Fraction, EngelUnit::Percent]
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| PricingError::UnknownOption {
                text: text.to_owned(),
                expected: "fraction, percent (Engel unit)",
            })
    }
}

/// The options of Eq 18, `γ_i = A_i / (1 + a·e^(−b·t_i))`. Default: `a = b = 1`,
/// population-weighted area mean, Engel coefficient as a fraction (the paper's choices).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Eq18Params {
    /// `a` (dimensionless, `≥ 0`).
    pub a: f64,
    /// `b` (dimensionless, `≥ 0`).
    pub b: f64,
    /// How the area's per-capita GDP is averaged.
    pub mean: AreaMean,
    /// The unit of the Engel coefficients.
    pub engel_unit: EngelUnit,
}

impl Default for Eq18Params {
    fn default() -> Self {
        Eq18Params {
            a: 1.0,
            b: 1.0,
            mean: AreaMean::default(),
            engel_unit: EngelUnit::default(),
        }
    }
}

/// The compensation coefficient of Eq 18: `γ = A / (1 + a·e^(−b·t))`.
///
/// # Units
/// All dimensionless: `capacity` is `A_i` (per-capita GDP over the area's), `engel_fraction`
/// is `t_i` as a fraction.
pub fn gamma(capacity: f64, engel_fraction: f64, a: f64, b: f64) -> f64 {
    capacity / (1.0 + a * (-b * engel_fraction).exp())
}

/// A region's economy, the data of Eq 18.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionEconomy {
    /// The region.
    pub region: RegionId,
    /// Resident population (persons, `> 0`).
    pub population_persons: f64,
    /// GDP (yuan, `≥ 0`).
    pub gdp: Yuan,
    /// Engel coefficient, in the unit of [`Eq18Params::engel_unit`]; `None` if unknown.
    pub engel: Option<f64>,
}

/// Where a region's standard comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardSource {
    /// Given directly (overrides Eq 18).
    Given,
    /// Computed by Eq 18.
    Eq18,
}

/// One region's compensation standard.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegionStandard {
    /// The region.
    pub region: RegionId,
    /// The coefficient `γ_i` (for a given standard, `standard / P`; 0 when `P = 0`).
    pub gamma: f64,
    /// The standard `P · γ_i`.
    pub standard: YuanPerTonne,
    /// Given or Eq 18.
    pub source: StandardSource,
}

/// What [`Standards::compute`] needs.
#[derive(Debug, Clone, Copy)]
pub struct StandardsInput<'a> {
    /// The carbon price `P` (`≥ 0`).
    pub price: YuanPerTonne,
    /// The regions that need a standard.
    pub regions: &'a [RegionId],
    /// The study area's economy, one row per region (regions without a row are left out of
    /// the area mean; a region without a row needs a given standard).
    pub economy: &'a [RegionEconomy],
    /// Standards given directly; they override Eq 18.
    pub given: &'a [(RegionId, YuanPerTonne)],
    /// Eq 18's options.
    pub params: Eq18Params,
}

/// Every region's compensation standard, sorted by region id.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Standards {
    price: YuanPerTonne,
    entries: Vec<RegionStandard>,
}

/// Checks a carbon price: finite and `≥ 0`.
///
/// # Errors
/// [`PricingError::InvalidPrice`].
pub fn check_price(price: YuanPerTonne) -> Result<(), PricingError> {
    if price.0.is_finite() && price.0 >= 0.0 {
        Ok(())
    } else {
        Err(PricingError::InvalidPrice { value: price.0 })
    }
}

impl Standards {
    /// Computes each region's standard: the given one if there is one, else `P · γ_i` by
    /// Eq 18 with `A_i = (GDP_i / pop_i) / area per-capita GDP`.
    ///
    /// # Units
    /// Price and standards in yuan/t, GDP in yuan, population in persons.
    ///
    /// # Errors
    /// [`PricingError::InvalidPrice`]; [`PricingError::MissingStandard`] naming the region;
    /// [`PricingError::EngelOutOfRange`]; [`PricingError::NonPositivePopulation`];
    /// [`PricingError::InvalidValue`] (negative GDP or given standard);
    /// [`PricingError::InvalidParameter`]; [`PricingError::Duplicate`];
    /// [`PricingError::UnknownRegion`] for economy or given rows of regions not in `regions`.
    pub fn compute(input: &StandardsInput<'_>) -> Result<Standards, PricingError> {
        check_price(input.price)?;
        for (name, value) in [("a", input.params.a), ("b", input.params.b)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(PricingError::InvalidParameter {
                    name,
                    value,
                    expected: "a finite number ≥ 0",
                });
            }
        }
        let region_set = unique(input.regions.iter(), "the region list")?;
        let economy = index_rows(
            input.economy.iter().map(|row| &row.region),
            input.economy,
            &region_set,
            "the economy table",
        )?;
        let given = index_rows(
            input.given.iter().map(|(region, _)| region),
            input.given,
            &region_set,
            "the given standards",
        )?;
        for row in input.economy {
            validate_economy(row, input.params.engel_unit)?;
        }
        for (region, standard) in input.given {
            if !(standard.0.is_finite() && standard.0 >= 0.0) {
                return Err(PricingError::InvalidValue {
                    region: region.clone(),
                    what: "given standard".to_owned(),
                    value: standard.0,
                    expected: "a finite number ≥ 0 (yuan/t)",
                });
            }
        }
        let area = area_per_capita_gdp(input.economy, input.params.mean);

        let mut regions: Vec<&RegionId> = region_set.into_iter().collect();
        regions.sort();
        let mut entries = Vec::with_capacity(regions.len());
        for region in regions {
            let entry =
                if let Some((_, standard)) = given.get(region) {
                    RegionStandard {
                        region: region.clone(),
                        gamma: if input.price.0 > 0.0 {
                            standard.0 / input.price.0
                        } else {
                            0.0
                        },
                        standard: *standard,
                        source: StandardSource::Given,
                    }
                } else {
                    let row = economy
                        .get(region)
                        .ok_or_else(|| PricingError::MissingStandard {
                            region: region.clone(),
                            missing: "no economy row (population, GDP, Engel coefficient)",
                        })?;
                    let engel = row.engel.ok_or_else(|| PricingError::MissingStandard {
                        region: region.clone(),
                        missing: "no Engel coefficient",
                    })?;
                    let area = area.filter(|a| *a > 0.0).ok_or(PricingError::InvalidParameter {
                    name: "area per-capita GDP",
                    value: area.unwrap_or(0.0),
                    expected: "a positive number (the economy table's GDP must not all be 0)",
                })?;
                    let capacity = row.gdp.0 / row.population_persons / area;
                    let t = match input.params.engel_unit {
                        EngelUnit::Fraction => engel,
                        EngelUnit::Percent => engel / 100.0,
                    };
                    let g = gamma(capacity, t, input.params.a, input.params.b);
                    RegionStandard {
                        region: region.clone(),
                        gamma: g,
                        standard: YuanPerTonne(input.price.0 * g),
                        source: StandardSource::Eq18,
                    }
                };
            entries.push(entry);
        }
        Ok(Standards {
            price: input.price,
            entries,
        })
    }

    /// Builds standards from values known per region (all [`StandardSource::Given`]).
    ///
    /// # Errors
    /// As [`Standards::compute`] with no economy table.
    pub fn given(
        price: YuanPerTonne,
        standards: &[(RegionId, YuanPerTonne)],
    ) -> Result<Standards, PricingError> {
        let regions: Vec<RegionId> = standards.iter().map(|(r, _)| r.clone()).collect();
        Standards::compute(&StandardsInput {
            price,
            regions: &regions,
            economy: &[],
            given: standards,
            params: Eq18Params::default(),
        })
    }

    /// The carbon price `P` the standards were computed with.
    pub fn price(&self) -> YuanPerTonne {
        self.price
    }

    /// All standards, sorted by region id.
    pub fn entries(&self) -> &[RegionStandard] {
        &self.entries
    }

    /// One region's standard, if present.
    pub fn get(&self, region: &RegionId) -> Option<&RegionStandard> {
        self.entries
            .binary_search_by(|e| e.region.cmp(region))
            .ok()
            .map(|i| &self.entries[i])
    }
}

fn unique<'a>(
    regions: impl Iterator<Item = &'a RegionId>,
    what: &'static str,
) -> Result<BTreeSet<&'a RegionId>, PricingError> {
    let mut set = BTreeSet::new();
    for region in regions {
        if !set.insert(region) {
            return Err(PricingError::Duplicate {
                region: region.to_string(),
                what,
            });
        }
    }
    Ok(set)
}

fn index_rows<'a, T>(
    ids: impl Iterator<Item = &'a RegionId>,
    rows: &'a [T],
    known: &BTreeSet<&RegionId>,
    what: &'static str,
) -> Result<BTreeMap<&'a RegionId, &'a T>, PricingError> {
    let mut map = BTreeMap::new();
    for (region, row) in ids.zip(rows) {
        if !known.contains(region) {
            return Err(PricingError::UnknownRegion {
                region: region.clone(),
                what,
            });
        }
        if map.insert(region, row).is_some() {
            return Err(PricingError::Duplicate {
                region: region.to_string(),
                what,
            });
        }
    }
    Ok(map)
}

fn validate_economy(row: &RegionEconomy, unit: EngelUnit) -> Result<(), PricingError> {
    if !(row.population_persons.is_finite() && row.population_persons > 0.0) {
        return Err(PricingError::NonPositivePopulation {
            region: row.region.clone(),
            value: row.population_persons,
        });
    }
    if !(row.gdp.0.is_finite() && row.gdp.0 >= 0.0) {
        return Err(PricingError::InvalidValue {
            region: row.region.clone(),
            what: "GDP".to_owned(),
            value: row.gdp.0,
            expected: "a finite number ≥ 0 (yuan)",
        });
    }
    if let Some(engel) = row.engel {
        let (max, range) = unit.range();
        if !(engel.is_finite() && (0.0..=max).contains(&engel)) {
            return Err(PricingError::EngelOutOfRange {
                region: row.region.clone(),
                value: engel,
                unit: unit.as_str(),
                range,
            });
        }
    }
    Ok(())
}

/// The area's per-capita GDP (yuan/person), `None` for an empty table.
fn area_per_capita_gdp(economy: &[RegionEconomy], mean: AreaMean) -> Option<f64> {
    if economy.is_empty() {
        return None;
    }
    Some(match mean {
        AreaMean::PopulationWeighted => {
            let gdp: f64 = economy.iter().map(|r| r.gdp.0).sum();
            let population: f64 = economy.iter().map(|r| r.population_persons).sum();
            gdp / population
        }
        AreaMean::Unweighted => {
            economy
                .iter()
                .map(|r| r.gdp.0 / r.population_persons)
                .sum::<f64>()
                / economy.len() as f64
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> RegionId {
        name.parse().unwrap()
    }

    fn row(name: &str, population: f64, gdp: f64, engel: Option<f64>) -> RegionEconomy {
        RegionEconomy {
            region: id(name),
            population_persons: population,
            gdp: Yuan(gdp),
            engel,
        }
    }

    fn two_regions() -> (Vec<RegionId>, Vec<RegionEconomy>) {
        (
            vec![id("rich"), id("poor")],
            vec![
                row("rich", 1.0, 300.0, Some(0.2)),
                row("poor", 3.0, 300.0, Some(0.3)),
            ],
        )
    }

    fn input<'a>(
        regions: &'a [RegionId],
        economy: &'a [RegionEconomy],
        given: &'a [(RegionId, YuanPerTonne)],
    ) -> StandardsInput<'a> {
        StandardsInput {
            price: YuanPerTonne(46.66),
            regions,
            economy,
            given,
            params: Eq18Params::default(),
        }
    }

    #[test]
    fn eq18_by_hand() {
        // Area: 600 yuan / 4 persons = 150 yuan/person. rich: A = 300/150 = 2.
        let (regions, economy) = two_regions();
        let s = Standards::compute(&input(&regions, &economy, &[])).unwrap();
        let rich = s.get(&id("rich")).unwrap();
        let expected = 2.0 / (1.0 + (-0.2f64).exp());
        assert!((rich.gamma - expected).abs() < 1e-15);
        assert!((rich.standard.0 - 46.66 * expected).abs() < 1e-12);
        assert_eq!(rich.source, StandardSource::Eq18);
        // Unweighted: mean of 300 and 100 = 200, A = 1.5.
        let mut i = input(&regions, &economy, &[]);
        i.params.mean = AreaMean::Unweighted;
        let s = Standards::compute(&i).unwrap();
        let expected = 1.5 / (1.0 + (-0.2f64).exp());
        assert!((s.get(&id("rich")).unwrap().gamma - expected).abs() < 1e-15);
    }

    #[test]
    fn percent_is_the_fraction_times_100() {
        let (regions, economy) = two_regions();
        let fraction = Standards::compute(&input(&regions, &economy, &[])).unwrap();
        let percent_rows: Vec<RegionEconomy> = economy
            .iter()
            .map(|r| RegionEconomy {
                engel: r.engel.map(|e| e * 100.0),
                ..r.clone()
            })
            .collect();
        let mut i = input(&regions, &percent_rows, &[]);
        i.params.engel_unit = EngelUnit::Percent;
        let percent = Standards::compute(&i).unwrap();
        for (a, b) in fraction.entries().iter().zip(percent.entries()) {
            assert!((a.gamma - b.gamma).abs() < 1e-15);
        }
    }

    #[test]
    fn given_standards_override_eq18() {
        let (regions, economy) = two_regions();
        let given = [(id("poor"), YuanPerTonne(12.9))];
        let s = Standards::compute(&input(&regions, &economy, &given)).unwrap();
        let poor = s.get(&id("poor")).unwrap();
        assert_eq!(
            (poor.standard, poor.source),
            (YuanPerTonne(12.9), StandardSource::Given)
        );
        assert!((poor.gamma - 12.9 / 46.66).abs() < 1e-15);
    }

    #[test]
    fn missing_standard_names_the_region() {
        let regions = [id("beijing"), id("xingtai")];
        let economy = [row("beijing", 1.0, 1.0, None)];
        let given = [(id("beijing"), YuanPerTonne(102.65))];
        let err = Standards::compute(&input(&regions, &economy, &given))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region xingtai") && err.contains("no economy row"),
            "{err}"
        );
        let err = Standards::compute(&input(&regions[..1], &economy, &[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region beijing") && err.contains("Engel"),
            "{err}"
        );
    }

    #[test]
    fn negative_or_nan_price_is_an_error() {
        let (regions, economy) = two_regions();
        for price in [-1.0, f64::NAN, f64::INFINITY] {
            let mut i = input(&regions, &economy, &[]);
            i.price = YuanPerTonne(price);
            let err = Standards::compute(&i).unwrap_err();
            assert!(matches!(err, PricingError::InvalidPrice { .. }), "{err}");
            assert!(err.to_string().contains("carbon price"));
        }
    }

    #[test]
    fn engel_out_of_range_names_region_and_unit() {
        let regions = [id("a")];
        let economy = [row("a", 1.0, 1.0, Some(45.0))];
        let err = Standards::compute(&input(&regions, &economy, &[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region a") && err.contains("[0, 1]") && err.contains("fraction"),
            "{err}"
        );
        let mut i = input(&regions, &economy, &[]);
        i.params.engel_unit = EngelUnit::Percent;
        Standards::compute(&i).unwrap();
        let economy = [row("a", 1.0, 1.0, Some(145.0))];
        let mut i = input(&regions, &economy, &[]);
        i.params.engel_unit = EngelUnit::Percent;
        let err = Standards::compute(&i).unwrap_err().to_string();
        assert!(err.contains("[0, 100]"), "{err}");
    }

    #[test]
    fn non_positive_population_is_an_error() {
        let regions = [id("a")];
        for population in [0.0, -5.0, f64::NAN] {
            let economy = [row("a", population, 1.0, Some(0.3))];
            let err = Standards::compute(&input(&regions, &economy, &[])).unwrap_err();
            assert!(
                matches!(err, PricingError::NonPositivePopulation { .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn other_bad_inputs() {
        let regions = [id("a")];
        let economy = [row("a", 1.0, -1.0, Some(0.3))];
        let err = Standards::compute(&input(&regions, &economy, &[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("GDP of region a"), "{err}");
        let given = [(id("a"), YuanPerTonne(-3.0))];
        let err = Standards::compute(&input(&regions, &[], &given))
            .unwrap_err()
            .to_string();
        assert!(err.contains("given standard of region a"), "{err}");
        let given = [(id("b"), YuanPerTonne(3.0))];
        let err = Standards::compute(&input(&regions, &[], &given))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("region b") && err.contains("not among"),
            "{err}"
        );
        let twice = [id("a"), id("a")];
        let err = Standards::compute(&input(&twice, &[], &[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than once"), "{err}");
        let mut i = input(&regions, &economy, &[]);
        i.params.a = -1.0;
        assert!(matches!(
            Standards::compute(&i).unwrap_err(),
            PricingError::InvalidParameter { name: "a", .. }
        ));
        assert!("median".parse::<AreaMean>().is_err());
        assert_eq!("percent".parse::<EngelUnit>().unwrap(), EngelUnit::Percent);
    }

    /// Population (2020 census) and GDP 2020 (10^8 yuan) of the 13 BTH cities, from
    /// `shared/data/bth-2020/city-stats-2020.csv` (first releases, approximate).
    const BTH_2020: [(&str, f64, f64); 13] = [
        ("beijing", 21893095.0, 36102.6),
        ("tianjin", 13866009.0, 14083.7),
        ("shijiazhuang", 11235086.0, 5935.1),
        ("tangshan", 7717983.0, 7210.9),
        ("qinhuangdao", 3136879.0, 1685.8),
        ("handan", 9413990.0, 3636.6),
        ("xingtai", 7111106.0, 2200.4),
        ("baoding", 11544036.0, 3954.3),
        ("zhangjiakou", 4118908.0, 1600.1),
        ("chengde", 3354444.0, 1550.3),
        ("cangzhou", 7300783.0, 3699.9),
        ("langfang", 5464087.0, 3301.1),
        ("hengshui", 4212933.0, 1560.2),
    ];

    /// Section 5.2 publishes Beijing's standard as 102.65 yuan/t. With a = b = 1 and an Engel
    /// fraction in [0, 1], Eq 18 caps γ at A / (1 + e^(−1)); with 2020 census population and
    /// GDP, Beijing's A is 2.10 (population-weighted) or 2.67 (unweighted mean), so its
    /// standard cannot exceed 71.8 or 91.1 yuan/t: the published value is not reachable from
    /// these statistics (the paper does not publish its Engel coefficients or its inputs).
    #[test]
    fn beijing_published_standard_is_out_of_reach_of_eq18() {
        let regions: Vec<RegionId> = BTH_2020.iter().map(|(r, _, _)| id(r)).collect();
        for mean in [AreaMean::PopulationWeighted, AreaMean::Unweighted] {
            let mut highest: f64 = 0.0;
            for step in 0..=20 {
                let engel = f64::from(step) / 20.0;
                let economy: Vec<RegionEconomy> = BTH_2020
                    .iter()
                    .map(|(r, population, gdp)| row(r, *population, gdp * 1e8, Some(engel)))
                    .collect();
                let mut i = input(&regions, &economy, &[]);
                i.params.mean = mean;
                let s = Standards::compute(&i).unwrap();
                highest = highest.max(s.get(&id("beijing")).unwrap().standard.0);
            }
            assert!(highest < 0.9 * 102.65, "{mean}: {highest}");
            assert!(highest > 70.0, "{mean}: {highest}");
        }
    }
}
