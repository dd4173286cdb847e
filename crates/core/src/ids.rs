//! Region and sector labels.

use std::fmt;
use std::str::FromStr;

use crate::CoreError;

fn validate(kind: &'static str, text: &str) -> Result<(), CoreError> {
    if text.is_empty() {
        return Err(CoreError::InvalidId {
            kind,
            text: text.to_owned(),
            why: "it is empty",
        });
    }
    if text.trim() != text {
        return Err(CoreError::InvalidId {
            kind,
            text: text.to_owned(),
            why: "it has leading or trailing white space",
        });
    }
    Ok(())
}

macro_rules! label_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps a label.
            ///
            /// # Errors
            /// [`CoreError::InvalidId`] when the text is empty or has surrounding white space.
            pub fn new(text: impl Into<String>) -> Result<Self, CoreError> {
                let text = text.into();
                validate($kind, &text)?;
                Ok(Self(text))
            }

            /// The label as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, CoreError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CoreError;
            fn try_from(s: String) -> Result<Self, CoreError> {
                Self::new(s)
            }
        }

        /// `"beijing".try_into()?`: the same checks as [`Self::new`].
        impl TryFrom<&str> for $name {
            type Error = CoreError;
            fn try_from(s: &str) -> Result<Self, CoreError> {
                Self::new(s)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            /// Validates a list of labels at once, for building small cases:
            /// `RegionId::list(["beijing", "tianjin"])?`.
            ///
            /// # Errors
            /// [`CoreError::InvalidId`] for the first invalid label.
            pub fn list<I, S>(labels: I) -> Result<Vec<Self>, CoreError>
            where
                I: IntoIterator<Item = S>,
                S: Into<String>,
            {
                labels.into_iter().map(Self::new).collect()
            }
        }
    };
}

label_type!(
    /// A region (city, province, country) label. Any non-empty text without surrounding white
    /// space; `"nan"` is a valid label and is never read as a number.
    RegionId,
    "region"
);
label_type!(
    /// A sector (industry) label of an input-output table.
    SectorId,
    "sector"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_is_a_label_not_a_number() {
        assert_eq!(RegionId::new("nan").unwrap().as_str(), "nan");
        assert_eq!(RegionId::new("Henan").unwrap().to_string(), "Henan");
    }

    #[test]
    fn str_conversions_check_like_new() {
        let id: RegionId = "tianjin".try_into().unwrap();
        assert_eq!(id, "tianjin");
        assert!(RegionId::try_from(" tianjin").is_err());
        let ids = RegionId::list(["a", "b"]).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(RegionId::list(["a", ""]).is_err());
        let map: std::collections::BTreeMap<RegionId, u8> = [(id, 1)].into();
        assert_eq!(map.get("tianjin"), Some(&1));
    }

    #[test]
    fn empty_and_padded_labels_are_rejected() {
        assert!(RegionId::new("").is_err());
        let err = SectorId::new(" food").unwrap_err();
        assert!(err.to_string().contains("white space"), "{err}");
    }
}
