//! Stream names (`category-id`) and categories, checked once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// Longest stream name accepted, in bytes. JetStream subjects must stay well under the
/// server's limits once escaped and prefixed.
pub const MAX_STREAM_NAME_LEN: usize = 200;

/// The name of an event stream, `category-id` as EventStoreDB spells it.
///
/// Contract: non-empty, at most [`MAX_STREAM_NAME_LEN`] bytes, no control character, no
/// whitespace, and not starting with `$` (reserved for system streams such as `$all`).
/// The category is everything before the first `-`; a name without `-` is its own category.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamName(String);

impl StreamName {
    /// Parses a stream name, refusing what the contract above excludes.
    pub fn parse(name: impl Into<String>) -> Result<Self, StoreError> {
        let name = name.into();
        let invalid = |why: &str| StoreError::InvalidStreamName {
            name: name.chars().take(80).collect(),
            why: why.to_owned(),
        };
        if name.is_empty() {
            return Err(invalid("vide"));
        }
        if name.len() > MAX_STREAM_NAME_LEN {
            return Err(invalid("trop long"));
        }
        if name.starts_with('$') {
            return Err(invalid("le préfixe $ est réservé aux flux système"));
        }
        if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid("espace ou caractère de contrôle"));
        }
        Ok(Self(name))
    }

    /// Builds `category-id` from a category and an id.
    pub fn from_parts(category: &str, id: impl fmt::Display) -> Result<Self, StoreError> {
        Self::parse(format!("{category}-{id}"))
    }

    /// The stream's category: the part before the first `-`.
    pub fn category(&self) -> &str {
        self.0
            .split_once('-')
            .map_or(&self.0, |(category, _)| category)
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StreamName {
    type Error = StoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<StreamName> for String {
    fn from(value: StreamName) -> Self {
        value.0
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamName({})", self.0)
    }
}

/// Which events a read of `$all` or a subscription delivers.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum StreamFilter {
    /// Every event (`$all`).
    #[default]
    All,
    /// Only events of streams in this category (`$ce-category` in EventStoreDB).
    Category(String),
}

impl StreamFilter {
    /// Whether an event of `stream` passes the filter.
    pub fn accepts(&self, stream: &StreamName) -> bool {
        match self {
            Self::All => true,
            Self::Category(category) => stream.category() == category,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_is_the_part_before_the_first_dash() {
        let name = StreamName::parse("contribution-0190-abc").unwrap();
        assert_eq!(name.category(), "contribution");
        assert_eq!(StreamName::parse("slug").unwrap().category(), "slug");
    }

    #[test]
    fn refuses_empty_system_and_whitespace_names() {
        for bad in [
            "",
            "$all",
            "a b",
            "a\nb",
            &"x".repeat(MAX_STREAM_NAME_LEN + 1),
        ] {
            assert!(StreamName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
