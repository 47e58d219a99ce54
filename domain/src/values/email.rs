//! E-mail addresses: personal data, only ever stored in a sealed part.

use crate::limits::EMAIL_MAX_CHARS;
use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An e-mail address, checked only for shape (one `@`, a dotted domain, no
/// spaces): deliverability is the mailer's business, not the domain's.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address; the domain part is lowercased.
    pub fn parse(input: &str) -> Result<Self, Rejection> {
        let s = input.trim();
        let (local, domain) = s.split_once('@').ok_or(Rejection::EmailInvalid)?;
        let ok = s.len() <= EMAIL_MAX_CHARS
            && !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(format!("{local}@{}", domain.to_lowercase())))
        } else {
            Err(Rejection::EmailInvalid)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Redacted, so an address never lands in a log line by accident.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Exemple.FR ").unwrap().as_str(),
            "Ana@exemple.fr"
        );
        for bad in ["", "a", "a@b", "a b@c.fr", "@c.fr", "a@.fr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Email::parse("a@b.fr").unwrap()),
            "Email(<redacted>)"
        );
    }
}
