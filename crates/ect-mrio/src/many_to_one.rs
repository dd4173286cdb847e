//! The many-to-one label mapping behind [`crate::Concordance`] (sectors) and
//! [`crate::RegionMap`] (regions): the pairs as given, checked so that each source has one
//! target, and the targets of a list of sources in order of first appearance.

use std::collections::BTreeMap;

use crate::MrioError;

/// `(from, to)` pairs in their given order and the map they define.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ManyToOne<T> {
    pairs: Vec<(T, T)>,
    map: BTreeMap<T, T>,
}

impl<T: Clone + Ord + std::fmt::Display> ManyToOne<T> {
    /// Checks `pairs`: not empty (else `empty` is the message), and no source mapped to two
    /// different targets (the message names both, as `"<noun> {from} is mapped to both … ;
    /// <rule>"`). Repeating an identical pair is allowed.
    pub(crate) fn new(
        pairs: Vec<(T, T)>,
        empty: &str,
        noun: &str,
        rule: &str,
    ) -> Result<Self, MrioError> {
        if pairs.is_empty() {
            return Err(MrioError::Concordance {
                message: empty.to_owned(),
            });
        }
        let mut map = BTreeMap::new();
        for (from, to) in &pairs {
            if let Some(previous) = map.insert(from.clone(), to.clone())
                && previous != *to
            {
                return Err(MrioError::Concordance {
                    message: format!("{noun} {from} is mapped to both {previous} and {to}; {rule}"),
                });
            }
        }
        Ok(Self { pairs, map })
    }

    /// The target of `from`, if mapped.
    pub(crate) fn target(&self, from: &T) -> Option<&T> {
        self.map.get(from)
    }

    /// The sources of `items` the mapping leaves out, in their order.
    pub(crate) fn unmapped<'a>(&self, items: &'a [T]) -> Vec<&'a T> {
        items
            .iter()
            .filter(|i| !self.map.contains_key(*i))
            .collect()
    }

    /// The targets of `items` in order of first appearance in the pairs (targets no item
    /// maps to are left out), and the index of each item's target among them. Every item
    /// must be mapped (see [`ManyToOne::unmapped`]).
    pub(crate) fn targets_for(&self, items: &[T]) -> (Vec<T>, Vec<usize>) {
        let present: std::collections::BTreeSet<&T> = items.iter().collect();
        let mut targets: Vec<T> = Vec::new();
        for (from, to) in &self.pairs {
            if present.contains(from) && !targets.contains(to) {
                targets.push(to.clone());
            }
        }
        let index = items
            .iter()
            .map(|i| {
                self.map
                    .get(i)
                    .and_then(|to| targets.iter().position(|t| t == to))
                    .unwrap_or(0)
            })
            .collect();
        (targets, index)
    }
}
