//! Subjects of the JetStream backend: how a stream name becomes a subject.
//!
//! Layout: `<prefix>.<escaped category>.<escaped stream name>`, where `<prefix>` is
//! `concerto.<JetStream stream name>` (so two stores on one server never share a
//! subject) and a category read filters on `<prefix>.<escaped category>.>`.
//!
//! Escaping ([`escape_token`]) keeps ASCII letters, digits and `-` as they are and
//! writes every other byte of the UTF-8 name as `_` followed by two upper-case hex
//! digits (`_` itself becomes `_5F`, `.` becomes `_2E`); the empty string (a name
//! starting with `-` has an empty category) becomes a lone `_`. The result is a
//! non-empty subject token free of `.`, `*`, `>` and whitespace, and the escaping is
//! injective: decoding is unambiguous, since every `_` starts either a three-character
//! escape or the lone `_` of the empty string ([`unescape_token`] is its inverse).

use crate::stream_name::StreamName;

/// Escapes any string into one valid, non-empty subject token (see the module docs).
pub fn escape_token(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// Appends the escaped form of `text` to `out` (see [`escape_token`]).
fn escape_into(out: &mut String, text: &str) {
    if text.is_empty() {
        out.push('_');
        return;
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            out.push(byte as char);
        } else {
            out.push('_');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xf)] as char);
        }
    }
}

/// The inverse of [`escape_token`]; `None` for a token it cannot have produced.
pub fn unescape_token(token: &str) -> Option<String> {
    if token == "_" {
        return Some(String::new());
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'_' {
            let hex = token.get(i + 1..i + 3)?;
            if !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            {
                return None;
            }
            let decoded = u8::from_str_radix(hex, 16).ok()?;
            if decoded.is_ascii_alphanumeric() || decoded == b'-' {
                return None;
            }
            out.push(decoded);
            i += 3;
        } else if byte.is_ascii_alphanumeric() || byte == b'-' {
            out.push(byte);
            i += 1;
        } else {
            return None;
        }
    }
    if out.is_empty() {
        return None;
    }
    String::from_utf8(out).ok()
}

/// The subjects of one store (one JetStream stream).
#[derive(Clone, Debug)]
pub struct Subjects {
    prefix: String,
}

impl Subjects {
    /// The subjects of the JetStream stream `stream_name` (already checked to be a
    /// valid, dot-free JetStream stream name).
    pub fn new(stream_name: &str) -> Self {
        Self {
            prefix: format!("concerto.{stream_name}"),
        }
    }

    /// `<prefix>`, the first tokens of every subject of the store.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `<prefix>.>`: every subject of the store (the JetStream stream's subject).
    pub fn all(&self) -> String {
        format!("{}.>", self.prefix)
    }

    /// `<prefix>.<category>.>`: the subjects of a category's streams.
    pub fn category(&self, category: &str) -> String {
        format!("{}.{}.>", self.prefix, escape_token(category))
    }

    /// `<prefix>.<category>.<name>`: the subject of one event stream.
    pub fn stream(&self, stream: &StreamName) -> String {
        let name = stream.as_str();
        let mut subject = String::with_capacity(self.prefix.len() + 2 * name.len() + 8);
        subject.push_str(&self.prefix);
        subject.push('.');
        escape_into(&mut subject, stream.category());
        subject.push('.');
        escape_into(&mut subject, name);
        subject
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_valid_token(token: &str) -> bool {
        !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    #[test]
    fn examples() {
        assert_eq!(escape_token("contribution"), "contribution");
        assert_eq!(escape_token("a.b"), "a_2Eb");
        assert_eq!(escape_token("a_b"), "a_5Fb");
        assert_eq!(escape_token(""), "_");
        assert_eq!(escape_token("é"), "_C3_A9");
        let subjects = Subjects::new("CONCERTO");
        let stream = StreamName::parse("contribution-01.90>*").unwrap();
        assert_eq!(
            subjects.stream(&stream),
            "concerto.CONCERTO.contribution.contribution-01_2E90_3E_2A"
        );
        assert_eq!(
            subjects.category("contribution"),
            "concerto.CONCERTO.contribution.>"
        );
    }

    proptest! {
        #[test]
        fn escaping_round_trips_and_yields_valid_tokens(text in any::<String>()) {
            let token = escape_token(&text);
            prop_assert!(is_valid_token(&token), "{token:?}");
            prop_assert_eq!(unescape_token(&token), Some(text));
        }

        #[test]
        fn escaping_is_injective(a in any::<String>(), b in any::<String>()) {
            if a != b {
                prop_assert_ne!(escape_token(&a), escape_token(&b));
            }
        }

        #[test]
        fn escaping_is_injective_on_close_strings(a in "[a-z_.é0-9-]{0,6}", b in "[a-z_.é0-9-]{0,6}") {
            if a != b {
                prop_assert_ne!(escape_token(&a), escape_token(&b));
            }
        }

        #[test]
        fn stream_subjects_are_injective_and_in_their_category(a in "[^\\s$][^\\s]{0,30}", b in "[^\\s$][^\\s]{0,30}") {
            let subjects = Subjects::new("S");
            if let (Ok(a), Ok(b)) = (StreamName::parse(a), StreamName::parse(b)) {
                let (sa, sb) = (subjects.stream(&a), subjects.stream(&b));
                prop_assert_eq!(a == b, sa == sb);
                let category = subjects.category(a.category());
                prop_assert!(sa.starts_with(category.trim_end_matches('>')));
                prop_assert_eq!(sa.split('.').count(), 4);
            }
        }
    }
}
