//! Python classes as pricing schemes: a subclass of `fzc.PricingScheme` behind the Rust
//! [`PricingScheme`] trait, held to the output rules C-ABI plugins are held to.
//!
//! `price(&self, input)` takes the GIL, builds the Python `fzc.PricingInput` (through the
//! package's `_pricing_input` helper, which makes the numpy arrays and the `flows` DataFrame),
//! calls `obj.price(inp)` and reads `region_amounts` and `flow_standards` back. Then:
//! - a Python exception, a result that is not an `fzc.PricingOutput`-like object, a wrong
//!   length, a value that is not a number: the run fails naming the scheme;
//! - the numbers are held to [`pricing_output_violation`], the rules `fzc plugins check`
//!   tests and the C-ABI host applies to every real call (finite, `>= 0` per flow, balanced,
//!   regions equal to their flows' net).
//!
//! The first failure's full text (with the Python traceback) is kept in [`Failures`], so the
//! front end raises `fzc.PluginError` with it instead of a generic run error.

use std::sync::{Arc, Mutex};

use fzc_core::{
    FlowPrice, PricingInput, PricingOutput, PricingScheme, PricingSchemeError, Yuan, YuanPerTonne,
};
use fzc_plugin_host::conformance::pricing_output_violation;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// The failures of Python plugins during one call into the library, first first.
#[derive(Debug, Default, Clone)]
pub struct Failures(Arc<Mutex<Vec<String>>>);

impl Failures {
    pub fn record(&self, message: String) {
        if let Ok(mut all) = self.0.lock() {
            all.push(message);
        }
    }

    pub fn first(&self) -> Option<String> {
        self.0.lock().ok().and_then(|all| all.first().cloned())
    }
}

/// A Python object with `price(inp)`, `name` and `parameters()`.
pub struct PyPricing {
    object: Py<PyAny>,
    name: String,
    parameters: Vec<(String, String)>,
    failures: Failures,
}

/// The text of a Python exception with its traceback, as Python prints it.
pub fn describe(py: Python<'_>, err: &PyErr) -> String {
    let traceback = err
        .traceback(py)
        .and_then(|tb| tb.format().ok())
        .unwrap_or_default();
    format!("{traceback}{err}").trim_end().to_owned()
}

impl PyPricing {
    /// Reads `name` and `parameters()` once (they are fixed for a run).
    pub fn new(py: Python<'_>, object: Py<PyAny>, failures: Failures) -> PyResult<PyPricing> {
        let bound = object.bind(py);
        let name: String = bound.getattr("name")?.str()?.to_string();
        let raw = bound.call_method0("parameters")?;
        let mut parameters = Vec::new();
        if let Ok(dict) = raw.downcast::<PyDict>() {
            for (k, v) in dict.iter() {
                parameters.push((k.str()?.to_string(), v.str()?.to_string()));
            }
        } else {
            for item in raw.try_iter()? {
                let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
                parameters.push((k.str()?.to_string(), v.str()?.to_string()));
            }
        }
        Ok(PyPricing {
            object,
            name,
            parameters,
            failures,
        })
    }

    fn fail(&self, message: String) -> PricingSchemeError {
        let full = format!("Python pricing scheme `{}`: {message}", self.name);
        self.failures.record(full.clone());
        PricingSchemeError::Scheme {
            scheme: self.name.clone(),
            message,
        }
    }

    fn call(&self, py: Python<'_>, input: &PricingInput<'_>) -> Result<PricingOutput, String> {
        let fzc = py
            .import("fzc")
            .map_err(|e| format!("cannot import fzc: {}", describe(py, &e)))?;
        let regions: Vec<&str> = input.regions.iter().map(|r| r.as_str()).collect();
        // Numbers cross as little-endian bytes, which `fzc._pricing_input` views with numpy:
        // a list of Python floats per array costs more than the rest of the call.
        let floats = |values: &mut dyn Iterator<Item = f64>| crate::f64_bytes(py, values);
        let ints = |values: &mut dyn Iterator<Item = usize>| -> Bound<'_, PyBytes> {
            let bytes: Vec<u8> = values
                .flat_map(|v| i64::try_from(v).unwrap_or(i64::MAX).to_le_bytes())
                .collect();
            PyBytes::new(py, &bytes)
        };
        let standards = floats(&mut input.standards.iter().map(|s| s.0));
        let benchmarks = floats(&mut input.benchmarks.iter().map(|b| b.0));
        let population = input
            .population_persons
            .map(|p| floats(&mut p.iter().copied()));
        let gdp = input.gdp.map(|g| floats(&mut g.iter().map(|y| y.0)));
        let payer = ints(&mut input.flows.iter().map(|f| f.payer));
        let payee = ints(&mut input.flows.iter().map(|f| f.payee));
        let layer: Vec<&str> = input.flows.iter().map(|f| f.layer.as_str()).collect();
        let tonnes = floats(&mut input.flows.iter().map(|f| f.tonnes.0));
        let inp = fzc
            .getattr("_pricing_input")
            .and_then(|make| {
                make.call1((
                    input.price.0,
                    PyList::new(py, regions)?,
                    standards,
                    benchmarks,
                    population,
                    gdp,
                    payer,
                    payee,
                    layer,
                    tonnes,
                ))
            })
            .map_err(|e| format!("building its input: {}", describe(py, &e)))?;
        let out = self
            .object
            .bind(py)
            .call_method1("price", (inp,))
            .map_err(|e| format!("price() raised:\n{}", describe(py, &e)))?;
        let amounts = numbers(&out, "region_amounts")?
            .ok_or("price() returned no region_amounts (return fzc.PricingOutput(...))")?;
        let n = input.regions.len();
        if amounts.len() != n {
            return Err(format!(
                "region_amounts has {} values, expected one per region ({n})",
                amounts.len()
            ));
        }
        let flow_prices = match numbers(&out, "flow_standards")? {
            None => None,
            Some(standards) => {
                if standards.len() != input.flows.len() {
                    return Err(format!(
                        "flow_standards has {} values, expected one per flow ({})",
                        standards.len(),
                        input.flows.len()
                    ));
                }
                Some(
                    standards
                        .iter()
                        .zip(input.flows)
                        .map(|(&s, f)| FlowPrice {
                            standard: YuanPerTonne(s),
                            amount: Yuan(s * f.tonnes.0),
                        })
                        .collect(),
                )
            }
        };
        Ok(PricingOutput {
            flow_prices,
            region_amounts: amounts.into_iter().map(Yuan).collect(),
        })
    }
}

/// The attribute `name` of `out` as float64 values; `None` when it is absent or `None`.
fn numbers(out: &Bound<'_, PyAny>, name: &str) -> Result<Option<Vec<f64>>, String> {
    let value = match out.getattr(name) {
        Ok(v) => v,
        Err(_) => {
            return Err(format!(
                "price() returned a {} without `{name}`; expected fzc.PricingOutput",
                out.get_type()
                    .name()
                    .map_or_else(|_| "value".to_owned(), |n| n.to_string())
            ));
        }
    };
    if value.is_none() {
        return Ok(None);
    }
    let items = value
        .call_method0("tolist")
        .unwrap_or_else(|_| value.clone());
    items.extract::<Vec<f64>>().map(Some).map_err(|_| {
        format!(
            "{name} is not a sequence of numbers (got {})",
            value
                .repr()
                .map_or_else(|_| "?".to_owned(), |r| r.to_string())
        )
    })
}

impl PricingScheme for PyPricing {
    fn name(&self) -> &str {
        &self.name
    }

    fn parameters(&self) -> Vec<(String, String)> {
        self.parameters.clone()
    }

    fn price(&self, input: &PricingInput<'_>) -> Result<PricingOutput, PricingSchemeError> {
        let out = Python::with_gil(|py| self.call(py, input)).map_err(|m| self.fail(m))?;
        match pricing_output_violation(input, &out) {
            None => Ok(out),
            Some((rule, what)) => Err(self.fail(format!(
                "refused: its output breaks the rule \"{rule}\" that `fzc plugins check` tests: \
                 {what}"
            ))),
        }
    }
}
