//! Events of a concertation (public: no personal data).

use super::types::{ModerationMode, QuestionKind};
use crate::schema::DomainEvent;
use crate::territory::TerritoryCode;
use crate::values::{
    ConcertationId, Description, Minutes, QuestionId, QuestionPrompt, Reason, Siren, Slug, StaffId,
    ThemeId, ThemeLabel, Title,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What happened to a concertation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ConcertationEvent {
    /// A draft was created (schema v2: several territories and the list's year).
    ConcertationCreated {
        /// The concertation.
        id: ConcertationId,
        /// Its slug.
        slug: Slug,
        /// SIREN of the organising collectivité.
        collectivite: Siren,
        /// Title.
        title: Title,
        /// Description.
        description: Description,
        /// Territory scope, as typed.
        territories: Vec<TerritoryCode>,
        /// Year of the official list the scope was checked against
        /// (unknown for events written before v2).
        territory_list_year: Option<u16>,
        /// Moderation mode.
        moderation: ModerationMode,
        /// Scheduled opening.
        #[serde(with = "time::serde::rfc3339")]
        opens_at: OffsetDateTime,
        /// Scheduled closing.
        #[serde(with = "time::serde::rfc3339")]
        closes_at: OffsetDateTime,
        /// Who created it.
        by: Option<StaffId>,
    },
    /// Title, description or scope changed in draft.
    DetailsEdited {
        /// New title.
        title: Title,
        /// New description.
        description: Description,
        /// New scope.
        territories: Vec<TerritoryCode>,
        /// Year of the list checked.
        territory_list_year: u16,
    },
    /// A theme was added.
    ThemeAdded {
        /// Its id.
        theme: ThemeId,
        /// Its label.
        label: ThemeLabel,
    },
    /// A question was added.
    QuestionAdded {
        /// Its id.
        question: QuestionId,
        /// Its kind.
        kind: QuestionKind,
        /// Its prompt.
        prompt: QuestionPrompt,
    },
    /// The moderation mode changed.
    ModerationModeChanged {
        /// The new mode.
        mode: ModerationMode,
    },
    /// The schedule changed in draft.
    Rescheduled {
        /// New opening.
        #[serde(with = "time::serde::rfc3339")]
        opens_at: OffsetDateTime,
        /// New closing.
        #[serde(with = "time::serde::rfc3339")]
        closes_at: OffsetDateTime,
    },
    /// A facilitator was assigned.
    FacilitatorAssigned {
        /// The facilitator.
        facilitator: StaffId,
    },
    /// A facilitator's assignment was removed.
    FacilitatorUnassigned {
        /// The facilitator.
        facilitator: StaffId,
    },
    /// The concertation opened.
    ConcertationOpened {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Whether the system actor opened it on schedule.
        scheduled: bool,
    },
    /// The concertation closed at its scheduled time.
    ConcertationClosed {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The concertation closed before its scheduled time.
    ConcertationClosedEarly {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Why.
        reason: Reason,
        /// Who.
        by: StaffId,
    },
    /// The closing time moved later.
    ConcertationExtended {
        /// The former closing time.
        #[serde(with = "time::serde::rfc3339")]
        previous_closes_at: OffsetDateTime,
        /// The new closing time.
        #[serde(with = "time::serde::rfc3339")]
        closes_at: OffsetDateTime,
        /// Why.
        reason: Reason,
        /// Who.
        by: StaffId,
    },
    /// The synthesis was published.
    SynthesisPublished {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The summary.
        summary: Minutes,
        /// Who.
        by: StaffId,
    },
    /// The concertation was archived.
    ConcertationArchived {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(ConcertationEvent {
    ConcertationCreated,
    DetailsEdited,
    ThemeAdded,
    QuestionAdded,
    ModerationModeChanged,
    Rescheduled,
    FacilitatorAssigned,
    FacilitatorUnassigned,
    ConcertationOpened,
    ConcertationClosed,
    ConcertationClosedEarly,
    ConcertationExtended,
    SynthesisPublished,
    ConcertationArchived,
});

impl DomainEvent for ConcertationEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}
