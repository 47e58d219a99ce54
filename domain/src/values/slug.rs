//! Slugs: the short, unique, immutable name of a concertation in its URL.

use crate::limits::SLUG_MAX_CHARS;
use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A slug: 3 to 80 characters of lowercase ASCII letters, digits and single
/// hyphens, neither starting nor ending with a hyphen (`ia-territoriale-2026`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug exactly; no silent transliteration, so the URL shown to the
    /// commission is the one it typed.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let s = input.trim();
        let ok = (3..=SLUG_MAX_CHARS).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Rejection::SlugInvalid {
                value: input.chars().take(SLUG_MAX_CHARS + 8).collect(),
            })
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Slug {
    type Error = Rejection;
    fn try_from(s: &str) -> Result<Self, Rejection> {
        Self::parse(s)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("ia-territoriale-2026").is_ok());
        for bad in ["ab", "IA", "-ia", "ia-", "ia--x", "été", "a b c"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}
