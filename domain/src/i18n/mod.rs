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
            &[
                ("field", "field.title".into()),
                ("max", "200".into()),
                ("actual", "201".into()),
            ],
            Lang::Fr,
        );
        assert!(msg.contains("titre") && msg.contains("200"), "{msg}");
        assert!(!msg.contains('{'));
    }

    /// Every code the domain can emit (rejections, labels, actions, notices)
    /// is in the catalogue: scans the sources for `"prefix.name"` literals whose
    /// prefix the catalogue uses, so a new rejection without a text fails here.
    #[test]
    fn every_code_in_the_sources_has_a_text() {
        let sources = [
            include_str!("../rejection.rs"),
            include_str!("../actor.rs"),
            include_str!("../ballot.rs"),
            include_str!("../support.rs"),
            include_str!("../slug_reservation.rs"),
            include_str!("../concertation/types.rs"),
            include_str!("../concertation/decide.rs"),
            include_str!("../contribution/types.rs"),
            include_str!("../contribution/decide.rs"),
            include_str!("../contribution/moderation.rs"),
            include_str!("../participant/types.rs"),
            include_str!("../participant/aggregate.rs"),
            include_str!("../session/aggregate.rs"),
            include_str!("../doctrine/aggregate.rs"),
        ];
        let prefixes: BTreeSet<&str> = CATALOGUE
            .iter()
            .filter_map(|(c, _, _)| c.split_once('.').map(|p| p.0))
            .collect();
        let mut checked = 0;
        for src in sources {
            for literal in src.split('"').skip(1).step_by(2) {
                let Some((prefix, rest)) = literal.split_once('.') else {
                    continue;
                };
                let shaped = !rest.is_empty()
                    && literal
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.');
                if shaped && prefixes.contains(prefix) {
                    assert!(
                        text(literal, Lang::Fr).is_some(),
                        "no catalogue text for {literal}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} codes found");
    }

    #[test]
    fn rejection_messages_are_fully_substituted_in_both_languages() {
        use crate::rejection::{Field, Rejection};
        let samples = [
            Rejection::TextTooLong {
                field: Field::Contribution,
                max: 5000,
                actual: 5001,
            },
            Rejection::TextEmpty {
                field: Field::Reason,
            },
            Rejection::TerritoryUnknown {
                value: "COM:99999".into(),
                year: 2026,
            },
            Rejection::Forbidden {
                action: "action.moderate",
            },
            Rejection::WrongPhase {
                phase: "phase.closed",
            },
            Rejection::KindNotAllowed {
                kind: "contribution_kind.statement",
                question: "question_kind.open",
            },
            Rejection::StaleVersion { current: 3 },
        ];
        for r in samples {
            for lang in [Lang::Fr, Lang::En] {
                let m = r.message(lang);
                assert!(
                    !m.contains('{')
                        && !m.contains("phase.closed")
                        && !m.contains("action.")
                        && !m.contains("_kind."),
                    "{m}"
                );
            }
        }
        assert_eq!(
            Rejection::WrongPhase {
                phase: "phase.closed"
            }
            .message(Lang::Fr),
            "Impossible pendant la phase « close »."
        );
    }

    #[test]
    fn language_tags_fall_back_to_french() {
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("br"), Lang::Fr);
        assert_eq!(Lang::from_tag(""), Lang::Fr);
    }
}
