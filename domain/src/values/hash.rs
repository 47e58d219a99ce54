//! SHA-256 digests of texts, written as 64 lowercase hex digits: the anchor of
//! an amendment to its base text, and a recovery code's hash.

use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The SHA-256 of a text, in lowercase hexadecimal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextHash(String);

impl TextHash {
    /// Hashes a text's UTF-8 bytes.
    pub fn of(text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Parses a hex digest received from a client.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let s = input.trim();
        if s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(Rejection::HashInvalid)
        }
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TextHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes() {
        let h = TextHash::of("abc");
        assert_eq!(
            h.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TextHash::parse(h.as_str()), Ok(h));
        assert!(TextHash::parse("ABC").is_err());
    }
}
