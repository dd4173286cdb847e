//! Plugin parameters: what a plugin declares, and the map its constructor receives.

use std::collections::BTreeMap;

/// A parameter a plugin declares: its name, its default (if it may be omitted) and one line
/// of description with the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name used in the scenario file, e.g. `share`.
    pub name: &'static str,
    /// The default value as text, or `None` if the scenario must supply it.
    pub default: Option<&'static str>,
    /// What it means, with its unit.
    pub description: &'static str,
}

/// The parameter values a plugin's constructor receives: every declared parameter, with
/// defaults filled in, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parameters from `(name, value)` pairs.
    pub fn new<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name` as text, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `name` as text.
    ///
    /// # Errors
    /// A message naming the parameter when it is absent.
    pub fn text(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("parameter `{name}` is not set"))
    }

    /// The value of `name` as a finite number.
    ///
    /// # Errors
    /// A message naming the parameter and its text when it is absent, not a number, or not
    /// finite.
    pub fn f64(&self, name: &str) -> Result<f64, String> {
        let text = self.text(name)?;
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!(
                "parameter `{name}` is {text:?}, expected a finite number"
            )),
        }
    }

    /// Every `(name, value)` pair, sorted by name.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_and_bad_values_name_the_parameter() {
        let p = Params::new([("k", "0.6"), ("alpha", "x"), ("beta", "inf")]);
        assert_eq!(p.f64("k").unwrap(), 0.6);
        let err = p.f64("alpha").unwrap_err();
        assert!(err.contains("`alpha`") && err.contains("\"x\""), "{err}");
        assert!(p.f64("beta").is_err());
        assert!(p.f64("gamma").unwrap_err().contains("`gamma`"));
        assert_eq!(
            p.pairs().map(|(k, _)| k).collect::<Vec<_>>(),
            ["alpha", "beta", "k"]
        );
    }
}
