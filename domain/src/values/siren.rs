//! SIREN: the nine-digit French business and public body register number.

use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A SIREN number: nine digits whose Luhn checksum is valid.
///
/// Collectivités have one too (communes start with 21…, EPCI with 2…), which is
/// how staff roles are scoped to an organising collectivité.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Siren(String);

impl Siren {
    /// Parses a SIREN, tolerating the spaces people type between digit groups.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let digits: String = input
            .chars()
            .filter(|c| *c != ' ' && *c != '\u{a0}')
            .collect();
        if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Rejection::SirenFormat {
                value: input.chars().take(32).collect(),
            });
        }
        if !luhn_valid(&digits) {
            return Err(Rejection::SirenChecksum { value: digits });
        }
        Ok(Self(digits))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn check, as INSEE specifies it for SIREN: from the right, every second
/// digit is doubled (minus 9 when over 9) and the sum must be a multiple of 10.
pub(crate) fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

impl TryFrom<&str> for Siren {
    type Error = Rejection;
    fn try_from(s: &str) -> Result<Self, Rejection> {
        Self::parse(s)
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sirens_pass() {
        // Ville de Paris, Ajaccio, Métropole de Lyon.
        for s in ["217500016", "212000046", "200046977", "217 500 016"] {
            assert!(Siren::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn bad_sirens_are_refused_with_the_right_code() {
        assert!(matches!(
            Siren::parse("217500017"),
            Err(Rejection::SirenChecksum { .. })
        ));
        assert!(matches!(
            Siren::parse("21750001"),
            Err(Rejection::SirenFormat { .. })
        ));
        assert!(matches!(
            Siren::parse("21750001a"),
            Err(Rejection::SirenFormat { .. })
        ));
    }
}
