//! Year series: the year lists of `[ect] years` and `fzc ect --years`.

/// Parses a year list: `2015..2022` (inclusive), `2015,2017,2019`, or a mix
/// (`1995..1999,2005`). Years must be increasing and distinct.
///
/// # Errors
/// A message naming the part that is not a year or a range, or the years out of order.
pub fn parse_years(text: &str) -> Result<Vec<i32>, String> {
    let mut years = Vec::new();
    for part in text.split(',').map(str::trim) {
        let year = |s: &str| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .ok_or_else(|| {
                    format!("{s:?} in {text:?}: expected a four-digit year, a range such as 2015..2022, or a comma-separated list")
                })
        };
        match part.split_once("..") {
            Some((from, to)) => {
                let (from, to) = (year(from)?, year(to.trim_start_matches('=').trim())?);
                if to < from {
                    return Err(format!("{part:?}: the range ends before it starts"));
                }
                years.extend(from..=to);
            }
            None => years.push(year(part)?),
        }
    }
    if let Some(w) = years.windows(2).find(|w| w[1] <= w[0]) {
        return Err(format!(
            "{text:?}: {} follows {}; expected increasing years, each once",
            w[1], w[0]
        ));
    }
    Ok(years)
}
