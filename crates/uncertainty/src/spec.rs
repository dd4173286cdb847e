//! `[[uncertainty]]` stanzas: parsed from a scenario file (or a separate TOML file) and
//! checked, before anything runs.

use std::fmt::Write as _;

use crate::dist::Distribution;
use crate::error::UncertaintyError;

/// How a drawn value relates to the scenario's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The drawn value replaces the input, in its table's unit.
    Absolute,
    /// The drawn value multiplies the input (a factor, e.g. `uniform(0.7, 1.3)`).
    Relative,
}

impl Scale {
    /// The name as written in a stanza.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Absolute => "absolute",
            Scale::Relative => "relative",
        }
    }
}

/// One `[[uncertainty]]` stanza.
#[derive(Debug, Clone, PartialEq)]
pub struct Stanza {
    /// 1-based position among the stanzas of its file.
    pub number: usize,
    /// The parameter name (may hold a `*` wildcard).
    pub param: String,
    /// The distribution of the drawn value.
    pub dist: Distribution,
    /// Absolute or relative.
    pub scale: Scale,
    /// Stanzas with the same group share one uniform number per draw: perfectly
    /// rank-correlated.
    pub group: Option<String>,
}

/// One `[[correlation]]` stanza: a Gaussian copula over some of the analysis's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// 1-based position among the `[[correlation]]` stanzas of its file.
    pub number: usize,
    /// The inputs it correlates: concrete parameter names, or `group:<name>` for a group.
    pub params: Vec<String>,
    /// The correlation matrix of their normal scores, row by row (`params.len()` square).
    pub matrix: Vec<Vec<f64>>,
}

/// All stanzas of an analysis, with the file they came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UncertaintySpec {
    /// Where the stanzas were read (for error messages).
    pub origin: String,
    /// The stanzas, in file order.
    pub stanzas: Vec<Stanza>,
    /// The `[[correlation]]` stanzas, in file order.
    pub correlations: Vec<Correlation>,
}

impl UncertaintySpec {
    /// Parses the `[[uncertainty]]` array of a TOML document (a scenario file, or a file
    /// holding only stanzas); other top-level keys are ignored here (the scenario loader
    /// checks them).
    ///
    /// # Errors
    /// [`UncertaintyError::Stanza`] naming the stanza and key: not an array of tables, a
    /// missing or unknown key, a wrong type, an unknown distribution or scale, parameters
    /// that do not define a distribution.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, UncertaintyError> {
        let stanza_error = |stanza: usize, param: &str, message: String| UncertaintyError::Stanza {
            origin: origin.to_owned(),
            stanza,
            param: param.to_owned(),
            message,
        };
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| stanza_error(0, "", format!("not valid TOML: {e}")))?;
        let correlations = parse_correlations(&doc, origin)?;
        let Some(value) = doc.get("uncertainty") else {
            if let Some(c) = correlations.first() {
                return Err(UncertaintyError::Stanza {
                    origin: origin.to_owned(),
                    stanza: c.number,
                    param: c.params.join(", "),
                    message: "a [[correlation]] needs the [[uncertainty]] stanzas of its \
                              inputs in the same file"
                        .to_owned(),
                });
            }
            return Ok(UncertaintySpec {
                origin: origin.to_owned(),
                stanzas: Vec::new(),
                correlations,
            });
        };
        let Some(array) = value.as_array() else {
            return Err(stanza_error(
                0,
                "",
                "`uncertainty` must be an array of tables ([[uncertainty]] stanzas)".to_owned(),
            ));
        };
        let mut stanzas = Vec::with_capacity(array.len());
        for (i, item) in array.iter().enumerate() {
            let number = i + 1;
            let Some(table) = item.as_table() else {
                return Err(stanza_error(number, "", "expected a table".to_owned()));
            };
            let param = match table.get("param") {
                Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
                Some(_) => {
                    return Err(stanza_error(
                        number,
                        "",
                        "`param` must be a non-empty string".to_owned(),
                    ));
                }
                None => return Err(stanza_error(number, "", "missing `param`".to_owned())),
            };
            let err = |message: String| stanza_error(number, &param, message);
            let text_key = |key: &str| -> Result<Option<String>, UncertaintyError> {
                match table.get(key) {
                    None => Ok(None),
                    Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                    Some(other) => Err(err(format!(
                        "`{key}` must be a string, found {}",
                        other.type_str()
                    ))),
                }
            };
            let number_key = |key: &str| -> Result<Option<f64>, UncertaintyError> {
                match table.get(key) {
                    None => Ok(None),
                    Some(toml::Value::Float(v)) => Ok(Some(*v)),
                    #[allow(clippy::cast_precision_loss)] // TOML integers as parameters
                    Some(toml::Value::Integer(v)) => Ok(Some(*v as f64)),
                    Some(other) => Err(err(format!(
                        "`{key}` must be a number, found {}",
                        other.type_str()
                    ))),
                }
            };
            let required = |key: &str, dist: &str| -> Result<f64, UncertaintyError> {
                number_key(key)?.ok_or_else(|| err(format!("dist = \"{dist}\" needs `{key}`")))
            };
            let dist_name = text_key("dist")?.ok_or_else(|| {
                err(format!(
                    "missing `dist` (one of {})",
                    Distribution::NAMES.join(", ")
                ))
            })?;
            let (dist, keys): (Distribution, &[&str]) = match dist_name.as_str() {
                "uniform" => (
                    Distribution::Uniform {
                        low: required("low", "uniform")?,
                        high: required("high", "uniform")?,
                    },
                    &["low", "high"],
                ),
                "normal" => (
                    Distribution::Normal {
                        mean: required("mean", "normal")?,
                        sd: required("sd", "normal")?,
                    },
                    &["mean", "sd"],
                ),
                // By the log's moments (mu, sigma), or by the value's mean and coefficient of
                // variation: sigma² = ln(1 + cv²), mu = ln(mean) − sigma²/2.
                "lognormal" if table.contains_key("cv") || table.contains_key("mean") => {
                    if table.contains_key("mu") || table.contains_key("sigma") {
                        return Err(err(
                            "dist = \"lognormal\" takes either mu and sigma (of ln X) or mean \
                             and cv (of X), not both"
                                .to_owned(),
                        ));
                    }
                    let mean = required("mean", "lognormal")?;
                    let cv = required("cv", "lognormal")?;
                    if !(mean > 0.0 && mean.is_finite()) {
                        return Err(err(format!(
                            "lognormal: mean = {mean} must be a positive number"
                        )));
                    }
                    if !(cv >= 0.0 && cv.is_finite()) {
                        return Err(err(format!("lognormal: cv = {cv} must be >= 0")));
                    }
                    let sigma = cv.mul_add(cv, 1.0).ln().sqrt();
                    (
                        Distribution::LogNormal {
                            mu: mean.ln() - sigma * sigma / 2.0,
                            sigma,
                        },
                        &["mean", "cv"],
                    )
                }
                "lognormal" => (
                    Distribution::LogNormal {
                        mu: required("mu", "lognormal")?,
                        sigma: required("sigma", "lognormal")?,
                    },
                    &["mu", "sigma"],
                ),
                "triangular" => (
                    Distribution::Triangular {
                        low: required("low", "triangular")?,
                        mode: required("mode", "triangular")?,
                        high: required("high", "triangular")?,
                    },
                    &["low", "mode", "high"],
                ),
                "truncnormal" => {
                    let low = number_key("low")?.unwrap_or(f64::NEG_INFINITY);
                    let high = number_key("high")?.unwrap_or(f64::INFINITY);
                    if low.is_infinite() && high.is_infinite() {
                        return Err(err(
                            "dist = \"truncnormal\" needs `low`, `high` or both (without them \
                             use \"normal\")"
                                .to_owned(),
                        ));
                    }
                    (
                        Distribution::TruncNormal {
                            mean: required("mean", "truncnormal")?,
                            sd: required("sd", "truncnormal")?,
                            low,
                            high,
                        },
                        &["mean", "sd", "low", "high"],
                    )
                }
                other => {
                    return Err(err(format!(
                        "unknown dist {other:?}; expected one of {}",
                        Distribution::NAMES.join(", ")
                    )));
                }
            };
            for key in table.keys() {
                let common = ["param", "dist", "scale", "group"];
                if !common.contains(&key.as_str()) && !keys.contains(&key.as_str()) {
                    let mut allowed = String::new();
                    for k in common.iter().chain(keys) {
                        let _ =
                            write!(allowed, "{}{k}", if allowed.is_empty() { "" } else { ", " });
                    }
                    return Err(err(format!(
                        "unknown key `{key}` for dist = \"{dist_name}\"; allowed: {allowed}"
                    )));
                }
            }
            dist.validate()
                .map_err(|m| err(format!("{dist_name}: {m}")))?;
            let scale = match text_key("scale")?.as_deref() {
                None | Some("absolute") => Scale::Absolute,
                Some("relative") => Scale::Relative,
                Some(other) => {
                    return Err(err(format!(
                        "unknown scale {other:?}; expected \"absolute\" (the draw replaces the \
                         input) or \"relative\" (the draw multiplies it)"
                    )));
                }
            };
            let group = text_key("group")?;
            if group.as_deref().is_some_and(|g| g.trim().is_empty()) {
                return Err(err("`group` must be a non-empty string".to_owned()));
            }
            stanzas.push(Stanza {
                number,
                param,
                dist,
                scale,
                group,
            });
        }
        Ok(UncertaintySpec {
            origin: origin.to_owned(),
            stanzas,
            correlations,
        })
    }

    /// A canonical one-line-per-stanza description, used to check that shards being merged
    /// come from the same analysis.
    pub fn describe(&self) -> Vec<String> {
        self.stanzas
            .iter()
            .map(|s| {
                format!(
                    "{} ~ {} [{}{}]",
                    s.param,
                    s.dist,
                    s.scale.as_str(),
                    s.group
                        .as_deref()
                        .map(|g| format!(", group {g}"))
                        .unwrap_or_default()
                )
            })
            .chain(self.correlations.iter().map(|c| {
                let rows: Vec<String> = c
                    .matrix
                    .iter()
                    .map(|row| {
                        let cells: Vec<String> = row.iter().map(f64::to_string).collect();
                        format!("[{}]", cells.join(", "))
                    })
                    .collect();
                format!(
                    "correlation {} ~ gaussian copula [{}]",
                    c.params.join(", "),
                    rows.join(", ")
                )
            }))
            .collect()
    }
}

/// Parses the `[[correlation]]` array: `params` (strings) and `matrix` (rows of numbers),
/// checked for shape here and against the plan's inputs in [`crate::Plan::new`].
fn parse_correlations(
    doc: &toml::Table,
    origin: &str,
) -> Result<Vec<Correlation>, UncertaintyError> {
    let Some(value) = doc.get("correlation") else {
        return Ok(Vec::new());
    };
    let error = |stanza: usize, message: String| UncertaintyError::Stanza {
        origin: origin.to_owned(),
        stanza,
        param: "[[correlation]]".to_owned(),
        message,
    };
    let Some(array) = value.as_array() else {
        return Err(error(
            0,
            "`correlation` must be an array of tables ([[correlation]] stanzas)".to_owned(),
        ));
    };
    let mut out = Vec::with_capacity(array.len());
    for (i, item) in array.iter().enumerate() {
        let number = i + 1;
        let err = |message: String| error(number, message);
        let Some(table) = item.as_table() else {
            return Err(err("expected a table with `params` and `matrix`".to_owned()));
        };
        if let Some(key) = table.keys().find(|k| *k != "params" && *k != "matrix") {
            return Err(err(format!(
                "unknown key `{key}`; a [[correlation]] has `params` and `matrix`"
            )));
        }
        let params: Vec<String> = match table.get("params").and_then(toml::Value::as_array) {
            Some(list) => list
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| err(format!("`params` must hold strings, found {v}")))
                })
                .collect::<Result<_, _>>()?,
            None => {
                return Err(err(
                    "missing `params`, the list of correlated inputs (parameter names, or \
                     group:<name>)"
                        .to_owned(),
                ));
            }
        };
        if params.len() < 2 {
            return Err(err("`params` must name at least two inputs".to_owned()));
        }
        let number_of = |v: &toml::Value| -> Result<f64, UncertaintyError> {
            match v {
                toml::Value::Float(x) => Ok(*x),
                #[allow(clippy::cast_precision_loss)] // small integers such as 0 and 1
                toml::Value::Integer(x) => Ok(*x as f64),
                other => Err(err(format!("`matrix` must hold numbers, found {other}"))),
            }
        };
        let Some(rows) = table.get("matrix").and_then(toml::Value::as_array) else {
            return Err(err(format!(
                "missing `matrix`, a {0} × {0} correlation matrix (an array of rows)",
                params.len()
            )));
        };
        let matrix: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| match row.as_array() {
                Some(cells) => cells.iter().map(number_of).collect(),
                None => Err(err(format!(
                    "`matrix` must be an array of rows, found {row}"
                ))),
            })
            .collect::<Result<_, _>>()?;
        let d = params.len();
        if matrix.len() != d || matrix.iter().any(|row| row.len() != d) {
            return Err(err(format!(
                "`matrix` must be {d} × {d} for {d} params, found {} rows of lengths {:?}",
                matrix.len(),
                matrix.iter().map(Vec::len).collect::<Vec<_>>()
            )));
        }
        out.push(Correlation {
            number,
            params,
            matrix,
        });
    }
    Ok(out)
}

/// The stanzas of an analysis: those in the scenario file `scenario` (none for the embedded
/// case), or those of the separate file `extra` (`--uncertainty FILE`). Both front ends
/// (`fzc mc`/`fzc sensitivity` and `fzc.mc`) resolve them this way.
///
/// # Errors
/// A file that cannot be read ([`UncertaintyError::Io`]) or holds bad stanzas; stanzas in
/// both places, or in neither ([`UncertaintyError::Options`]).
pub fn stanzas_for(
    scenario: Option<&std::path::Path>,
    extra: Option<&std::path::Path>,
) -> Result<UncertaintySpec, UncertaintyError> {
    let read = |path: &std::path::Path| -> Result<UncertaintySpec, UncertaintyError> {
        let text = std::fs::read_to_string(path).map_err(|source| UncertaintyError::Io {
            path: path.to_owned(),
            source,
        })?;
        UncertaintySpec::from_toml_str(&text, &path.display().to_string())
    };
    let own = scenario.map(read).transpose()?.unwrap_or_default();
    let given = extra.map(read).transpose()?.unwrap_or_default();
    let empty = |spec: &UncertaintySpec| spec.stanzas.is_empty() && spec.correlations.is_empty();
    match (empty(&own), empty(&given)) {
        (false, false) => Err(UncertaintyError::Options(format!(
            "{} and {} both hold [[uncertainty]] stanzas; give them in one place",
            own.origin, given.origin
        ))),
        (true, true) => Err(UncertaintyError::Options(format!(
            "no [[uncertainty]] stanzas in {}: nothing is uncertain (add stanzas to the \
             scenario or pass --uncertainty FILE; see `fzc mc --help`)",
            scenario.map_or_else(
                || "the embedded scenario".to_owned(),
                |p| p.display().to_string()
            )
        ))),
        (false, true) => Ok(own),
        (true, false) => Ok(given),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stanza_of_each_distribution_parses() {
        let text = r#"
name = "x"
[[uncertainty]]
param = "price"
dist = "uniform"
low = 20
high = 100.0
[[uncertainty]]
param = "standard.tianjin"
dist = "truncnormal"
mean = 44.0
sd = 10.0
low = 0.0
scale = "absolute"
[[uncertainty]]
param = "cssf.transfer.*"
dist = "lognormal"
mu = 0.0
sigma = 0.3
scale = "relative"
group = "densities"
"#;
        let spec = UncertaintySpec::from_toml_str(text, "s.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.stanzas.len(), 3);
        assert_eq!(
            spec.stanzas[0].dist,
            Distribution::Uniform {
                low: 20.0,
                high: 100.0
            }
        );
        assert_eq!(spec.stanzas[2].scale, Scale::Relative);
        assert_eq!(spec.stanzas[2].group.as_deref(), Some("densities"));
    }

    #[test]
    fn errors_name_the_stanza_and_the_key() {
        let cases = [
            (
                "[[uncertainty]]\ndist = \"uniform\"\nlow = 1\nhigh = 2\n",
                "missing `param`",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"beta\"\n",
                "unknown dist \"beta\"",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"uniform\"\nlow = 1\n",
                "needs `high`",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"uniform\"\nlow = 1\nhigh = 2\nsd = 3\n",
                "unknown key `sd`",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"normal\"\nmean = 1\nsd = -2\n",
                "sd = -2 is negative",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"normal\"\nmean = 1\nsd = 2\nscale = \"log\"\n",
                "unknown scale \"log\"",
            ),
            (
                "[[uncertainty]]\nparam = \"price\"\ndist = \"uniform\"\nlow = \"a\"\nhigh = 2\n",
                "`low` must be a number",
            ),
        ];
        for (text, expected) in cases {
            let message = match UncertaintySpec::from_toml_str(text, "u.toml") {
                Ok(_) => panic!("accepted: {text}"),
                Err(e) => e.to_string(),
            };
            assert!(message.contains(expected), "{message}");
            assert!(
                message.contains("u.toml: [[uncertainty]] stanza 1"),
                "{message}"
            );
        }
    }
}
