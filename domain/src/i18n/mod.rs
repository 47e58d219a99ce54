//! The one message catalogue shared by the domain, the gateway and the web.
//!
//! Each entry is keyed by a stable code (`contribution.too_long`) that clients may
//! rely on; the French text comes first because French is the working language of
//! the users, English follows. Parameters are written `{name}` in the texts.

mod catalogue;

pub use catalogue::CATALOGUE;

/// A language the catalogue speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Parses a BCP 47 tag or an `Accept-Language` first choice; anything not
    /// English falls back to French, the users' working language.
    pub fn from_tag(tag: &str) -> Self {
        let primary = tag.split(['-', '_', ',', ';']).next().unwrap_or("");
        if primary.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }
}

/// The text of a catalogue entry, unformatted; `None` for an unknown code.
pub fn text(code: &str, lang: Lang) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, fr, en)| match lang {
            Lang::Fr => *fr,
            Lang::En => *en,
        })
}

/// The text of `code` with each `{name}` replaced by its parameter.
///
/// A parameter whose value is itself a catalogue code (such as `field.title`)
/// is translated too, so a message never shows a raw code to a person.
/// An unknown code yields the code itself rather than panicking, because a
/// message must never crash the page that shows it.
pub fn format(code: &str, params: &[(&'static str, String)], lang: Lang) -> String {
    let mut out = text(code, lang).unwrap_or(code).to_owned();
    for (name, value) in params {
        let shown = text(value, lang).unwrap_or(value);
        out = out.replace(&format!("{{{name}}}"), shown);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_both_languages_filled() {
        let mut seen = BTreeSet::new();
        for (code, fr, en) in CATALOGUE {
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!(!fr.is_empty() && !en.is_empty(), "empty text for {code}");
        }
    }

    #[test]
    fn parameters_and_nested_codes_are_substituted() {
        let msg = format(
            "text.too_long",
            &[("field", "field.title".into()), ("max", "200".into()), ("actual", "201".into())],
            Lang::Fr,
        );
        assert!(msg.contains("titre") && msg.contains("200"), "{msg}");
        assert!(!msg.contains('{'));
    }

    #[test]
    fn language_tags_fall_back_to_french() {
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("br"), Lang::Fr);
        assert_eq!(Lang::from_tag(""), Lang::Fr);
    }
}
