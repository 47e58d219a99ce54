//! Identifiers as UUID newtypes, so a participant id can never be passed where a
//! contribution id is expected.

use crate::rejection::Rejection;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID. The domain never mints ids itself (that would read
            /// the clock and the random source): the application layer chooses
            /// them (UUID v7, or derived for imports) and puts them in commands,
            /// so a retried command carries the same id and stays idempotent.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = Rejection;
            fn from_str(s: &str) -> Result<Self, Rejection> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| Rejection::IdInvalid { value: s.chars().take(64).collect() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A concertation.
    ConcertationId
);
uuid_id!(
    /// A pseudonymous participant.
    ParticipantId
);
uuid_id!(
    /// A contribution (opinion, proposal, statement, amendment or comment).
    ContributionId
);
uuid_id!(
    /// A question of a concertation.
    QuestionId
);
uuid_id!(
    /// A theme of a concertation.
    ThemeId
);
uuid_id!(
    /// A session or workshop.
    SessionId
);
uuid_id!(
    /// A doctrine (a versioned document of articles).
    DoctrineId
);
uuid_id!(
    /// A staff member (facilitator, commission member, administrator); the
    /// account itself and its credentials live outside the log.
    StaffId
);

/// An article of a doctrine, such as `sociale-1`: lowercase ASCII letters,
/// digits and hyphens, stable across versions so amendments can anchor to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// Parses an article id (1 to 40 characters of `[a-z0-9-]`).
    pub fn parse(s: &str) -> Result<Self, Rejection> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Rejection::ArticleIdInvalid {
                value: s.chars().take(64).collect(),
            })
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = ContributionId::from_uuid(Uuid::from_u128(42));
        assert_eq!(id.to_string().parse::<ContributionId>(), Ok(id));
        assert!(matches!(
            "nope".parse::<ContributionId>(),
            Err(Rejection::IdInvalid { .. })
        ));
    }

    #[test]
    fn article_ids_are_restricted() {
        assert!(ArticleId::parse("sociale-1").is_ok());
        assert!(ArticleId::parse("Sociale 1").is_err());
        assert!(ArticleId::parse("").is_err());
    }
}
