//! Language tags of contributions: French by default, regional languages
//! (br, oc, co, eu, ca, gsw, rcf, gcf…) and any other allowed.

use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A simplified BCP 47 tag: a 2–3 letter primary language, then optional
/// subtags of 1–8 letters or digits, separated by hyphens (`fr`, `oc-gascon`,
/// `gcf-GP`). Stored as typed, primary subtag lowercased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// French, the default language of a contribution.
    pub fn french() -> Self {
        Self("fr".into())
    }

    /// Parses a tag.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let bad = || Rejection::LanguageInvalid {
            value: input.chars().take(35).collect(),
        };
        let s = input.trim();
        if s.len() > 35 {
            return Err(bad());
        }
        let mut parts = s.split('-');
        let primary = parts.next().unwrap_or("");
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let mut out = primary.to_ascii_lowercase();
        for sub in parts {
            if !(1..=8).contains(&sub.len()) || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad());
            }
            out.push('-');
            out.push_str(sub);
        }
        Ok(Self(out))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for LanguageTag {
    fn default() -> Self {
        Self::french()
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(LanguageTag::parse("FR").unwrap().as_str(), "fr");
        assert!(LanguageTag::parse("oc-gascon").is_ok());
        assert!(LanguageTag::parse("gcf-GP").is_ok());
        for bad in ["", "f", "français", "fr--x", "fr_FR"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }
}
