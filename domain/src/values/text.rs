//! Bounded, normalised texts: trimmed, NFC-normalised, control characters
//! refused, length counted in Unicode scalar values after normalisation.
//!
//! Line breaks are kept in multi-line texts (a contribution has paragraphs) and
//! refused in single-line ones (a title); `\r\n` becomes `\n` so the same text
//! typed on two systems hashes the same.

use crate::limits::*;
use crate::rejection::{Field, Rejection};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Normalises and checks a text against its limits.
fn normalise(input: &str, field: Field, max: usize, multiline: bool) -> Result<String, Rejection> {
    let unified = input.replace("\r\n", "\n");
    let text: String = unified.trim().nfc().collect();
    if text.is_empty() {
        return Err(Rejection::TextEmpty { field });
    }
    let refused = |c: char| {
        if multiline && (c == '\n' || c == '\t') {
            return false;
        }
        // Bidi overrides are refused too: they let a text display differently
        // from what is stored, which moderators must be able to trust.
        c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if text.chars().any(refused) {
        return Err(Rejection::TextControlCharacter { field });
    }
    let actual = text.chars().count();
    if actual > max {
        return Err(Rejection::TextTooLong { field, max, actual });
    }
    Ok(text)
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:expr, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The limit, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims, normalises (NFC) and checks the text.
            pub fn parse(input: &str) -> Result<Self, Rejection> {
                normalise(input, $field, $max, $multiline).map(Self)
            }

            /// The normalised text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Length in characters.
            pub fn char_count(&self) -> usize {
                self.0.chars().count()
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Rejection;
            fn try_from(s: &str) -> Result<Self, Rejection> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A contribution body (opinion, proposal, amendment rationale, comment).
    ContributionText, Field::Contribution, CONTRIBUTION_MAX_CHARS, true
);
bounded_text!(
    /// A Polis-style statement: one short line.
    StatementText, Field::Statement, STATEMENT_MAX_CHARS, false
);
bounded_text!(
    /// A concertation or session title.
    Title, Field::Title, TITLE_MAX_CHARS, false
);
bounded_text!(
    /// A concertation description.
    Description, Field::Description, DESCRIPTION_MAX_CHARS, true
);
bounded_text!(
    /// The prompt of a question.
    QuestionPrompt, Field::Question, QUESTION_MAX_CHARS, true
);
bounded_text!(
    /// A theme label.
    ThemeLabel, Field::Theme, THEME_MAX_CHARS, false
);
bounded_text!(
    /// A reason (closing early, extending) or a moderation or report note.
    Reason, Field::Reason, REASON_MAX_CHARS, true
);
bounded_text!(
    /// A commission justification.
    Justification, Field::Justification, JUSTIFICATION_MAX_CHARS, true
);
bounded_text!(
    /// An author's appeal against a moderation decision.
    AppealText, Field::Justification, JUSTIFICATION_MAX_CHARS, true
);
bounded_text!(
    /// Session minutes or a synthesis summary.
    Minutes, Field::Minutes, MINUTES_MAX_CHARS, true
);
bounded_text!(
    /// The text of a doctrine article.
    ArticleText, Field::Article, ARTICLE_MAX_CHARS, true
);
bounded_text!(
    /// A participant's display name (personal data: sealed in events).
    DisplayName, Field::DisplayName, DISPLAY_NAME_MAX_CHARS, false
);
bounded_text!(
    /// Free contact details (personal data: sealed in events).
    ContactText, Field::Contact, CONTACT_MAX_CHARS, true
);

impl StatementText {
    /// Checks a contribution text against the statement limit, for statements
    /// submitted through the generic contribution command.
    pub fn from_contribution(text: &ContributionText) -> Result<Self, Rejection> {
        Self::parse(text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_nfc_normalised() {
        let t = ContributionText::parse("  cafe\u{301}  ").unwrap();
        assert_eq!(t.as_str(), "café");
        assert_eq!(t.char_count(), 4);
    }

    #[test]
    fn empty_and_control_characters_are_refused() {
        assert_eq!(
            ContributionText::parse("  \n "),
            Err(Rejection::TextEmpty {
                field: Field::Contribution
            })
        );
        assert!(matches!(
            ContributionText::parse("a\u{0}b"),
            Err(Rejection::TextControlCharacter { .. })
        ));
        assert!(matches!(
            ContributionText::parse("a\u{202e}b"),
            Err(Rejection::TextControlCharacter { .. })
        ));
        assert!(ContributionText::parse("ligne 1\r\nligne 2").is_ok());
        assert!(matches!(
            Title::parse("deux\nlignes"),
            Err(Rejection::TextControlCharacter { .. })
        ));
    }

    #[test]
    fn limits_are_counted_in_characters() {
        let at_limit = "é".repeat(STATEMENT_MAX_CHARS);
        assert!(StatementText::parse(&at_limit).is_ok());
        let over = "é".repeat(STATEMENT_MAX_CHARS + 1);
        assert_eq!(
            StatementText::parse(&over),
            Err(Rejection::TextTooLong {
                field: Field::Statement,
                max: 280,
                actual: 281
            })
        );
        assert_eq!(
            ContributionText::parse(&"x".repeat(5001))
                .unwrap_err()
                .code(),
            "contribution.too_long"
        );
    }
}
