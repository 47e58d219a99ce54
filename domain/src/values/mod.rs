//! Value types parsed once at the edge: private fields, built only by
//! `parse`/`TryFrom`, so a value in a command is always valid.
//!
//! Deserialisation does not re-validate: events are a stored schema and an old
//! event must fold even after a limit changes. Validation happens when a command
//! is built (parsing) and decided.

mod email;
mod hash;
mod ids;
mod language;
mod siren;
mod slug;
mod text;

pub use email::Email;
pub use hash::TextHash;
pub use ids::{
    ArticleId, ConcertationId, ContributionId, DoctrineId, ParticipantId, QuestionId, SessionId,
    StaffId, ThemeId,
};
pub use language::LanguageTag;
pub use siren::Siren;
pub use slug::Slug;
pub use text::{
    AppealText, ArticleText, ContactText, ContributionText, Description, DisplayName,
    Justification, Minutes, QuestionPrompt, Reason, StatementText, ThemeLabel, Title,
};
