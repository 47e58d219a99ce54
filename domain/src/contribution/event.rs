//! Events of a contribution. Bodies, appeals and report notes are sealed.

use super::types::{
    AmendmentAnchor, AnswerOutcome, CharterReason, ContributionBody, ContributionKind,
    ContributionStatus, ErasureBasis, ModerationDecision, NoticeKind, Recording,
};
use crate::schema::DomainEvent;
use crate::sealed::{unseal, SealKey, Sealed, SealedPart};
use crate::values::{
    AppealText, ConcertationId, ContributionId, Justification, LanguageTag, ParticipantId,
    QuestionId, Reason, StaffId, ThemeId,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// What happened to a contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ContributionEvent {
    /// Submitted (schema v2: language tag and session recording).
    ContributionSubmitted {
        /// The contribution.
        id: ContributionId,
        /// Its concertation.
        concertation: ConcertationId,
        /// Its question.
        question: QuestionId,
        /// Its kind.
        kind: ContributionKind,
        /// Its author.
        author: ParticipantId,
        /// What it answers (comments).
        parent: Option<ContributionId>,
        /// Its themes.
        themes: BTreeSet<ThemeId>,
        /// Language of the text.
        language: LanguageTag,
        /// Anchor (amendments).
        amendment: Option<AmendmentAnchor>,
        /// Pending (a priori) or published (a posteriori).
        status: ContributionStatus,
        /// Set when a facilitator recorded it in a session.
        recorded: Option<Recording>,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Sealed under `contribution-<uuid>`.
        #[serde(skip)]
        body: Sealed<ContributionBody>,
    },
    /// The author revised it; earlier bodies stay in the stream.
    ContributionRevised {
        /// The contribution.
        id: ContributionId,
        /// Revision number, from 1.
        revision: u32,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Sealed under `contribution-<uuid>`.
        #[serde(skip)]
        body: Sealed<ContributionBody>,
    },
    /// The author withdrew it.
    ContributionWithdrawn {
        /// The contribution.
        id: ContributionId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A participant reported it.
    ContributionReported {
        /// The contribution.
        id: ContributionId,
        /// Who.
        reporter: ParticipantId,
        /// The charter reason.
        reason: CharterReason,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The reporter's note, sealed under `participant-<reporter>`.
        #[serde(skip)]
        note: Sealed<Option<Reason>>,
    },
    /// A facilitator decided.
    ContributionModerated {
        /// The contribution.
        id: ContributionId,
        /// The facilitator (omitted from the public detailed log).
        facilitator: StaffId,
        /// The decision.
        decision: ModerationDecision,
        /// The facilitator's reason.
        note: Reason,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The author is told of a decision or an answer.
    AuthorNotified {
        /// The contribution.
        id: ContributionId,
        /// The author.
        author: ParticipantId,
        /// What they are told.
        notice: NoticeKind,
    },
    /// The author appealed.
    AppealFiled {
        /// The contribution.
        id: ContributionId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Sealed under `contribution-<uuid>`.
        #[serde(skip)]
        text: Sealed<AppealText>,
    },
    /// The appeal was decided.
    AppealDecided {
        /// The contribution.
        id: ContributionId,
        /// Whether the decision was reversed.
        granted: bool,
        /// Who decided (another facilitator, or a commission member).
        by: StaffId,
        /// Why.
        note: Reason,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// An administrator erased the body (the store destroyed its key); the event
    /// keeps who, on what ground and a note, never the text.
    ContributionBodyErased {
        /// The contribution.
        id: ContributionId,
        /// The administrator.
        by: StaffId,
        /// On what ground.
        basis: ErasureBasis,
        /// A note for the record.
        note: Reason,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The commission answered.
    CommissionAnswered {
        /// The contribution.
        id: ContributionId,
        /// The outcome.
        outcome: AnswerOutcome,
        /// Why.
        justification: Justification,
        /// The commission member.
        by: StaffId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(ContributionEvent {
    ContributionSubmitted,
    ContributionRevised,
    ContributionWithdrawn,
    ContributionReported,
    ContributionModerated,
    AuthorNotified,
    AppealFiled,
    AppealDecided,
    ContributionBodyErased,
    CommissionAnswered,
});

impl DomainEvent for ContributionEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }

    fn sealed_part(&self) -> Option<SealedPart> {
        use ContributionEvent::*;
        match self {
            ContributionSubmitted { id, body, .. } | ContributionRevised { id, body, .. } => {
                SealedPart::of(SealKey::contribution(*id), body)
            }
            ContributionReported { reporter, note, .. } => {
                SealedPart::of(SealKey::participant(*reporter), note)
            }
            AppealFiled { id, text, .. } => SealedPart::of(SealKey::contribution(*id), text),
            _ => None,
        }
    }

    fn restore_sealed(&mut self, sealed: Option<&Value>) {
        use ContributionEvent::*;
        match self {
            ContributionSubmitted { body, .. } | ContributionRevised { body, .. } => {
                *body = unseal(sealed)
            }
            ContributionReported { note, .. } => *note = unseal(sealed),
            AppealFiled { text, .. } => *text = unseal(sealed),
            _ => {}
        }
    }
}
