//! Commands on a contribution. Cross-stream facts (the concertation, the parent,
//! the session, the doctrine's article hash) come in as snapshots that the
//! application layer reads just before deciding.

use super::types::{
    AmendmentAnchor, AnswerOutcome, CharterReason, ContributionKind, ErasureBasis,
    ModerationDecision,
};
use crate::concertation::ConcertationSnapshot;
use crate::session::SessionSnapshot;
use crate::values::{
    AppealText, ArticleText, ConcertationId, ContributionId, ContributionText, Justification,
    LanguageTag, ParticipantId, QuestionId, Reason, TextHash, ThemeId,
};
use std::collections::BTreeSet;

/// The contribution a comment answers, as the read model knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentView {
    /// The parent contribution.
    pub id: ContributionId,
    /// Its concertation.
    pub concertation: ConcertationId,
}

/// The amendment part of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentDraft {
    /// Where it applies.
    pub anchor: AmendmentAnchor,
    /// The proposed text (replace and insert only).
    pub proposed_text: Option<ArticleText>,
    /// The hash of the article at the anchored version, read from the doctrine
    /// stream (`None` if the article did not exist at that version).
    pub article_hash_at_anchor: Option<TextHash>,
}

/// Submits a contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitContribution {
    /// The new contribution.
    pub id: ContributionId,
    /// The concertation, as folded just before.
    pub concertation: ConcertationSnapshot,
    /// The question answered.
    pub question: QuestionId,
    /// The kind.
    pub kind: ContributionKind,
    /// The author.
    pub author: ParticipantId,
    /// For a comment: what it answers.
    pub parent: Option<ParentView>,
    /// Optional themes.
    pub themes: BTreeSet<ThemeId>,
    /// Language of the text.
    pub language: LanguageTag,
    /// The text.
    pub text: ContributionText,
    /// For an amendment: its anchor and proposed text.
    pub amendment: Option<AmendmentDraft>,
    /// When a facilitator records it on behalf of an attendee: the session.
    pub session: Option<SessionSnapshot>,
}

/// A command on a contribution.
#[derive(Debug, Clone, PartialEq)]
pub enum ContributionCommand {
    /// Submits it.
    Submit(Box<SubmitContribution>),
    /// The author revises it while no facilitator has acted on it.
    Revise {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The new text.
        text: ContributionText,
        /// The new proposed article text (amendments).
        proposed_text: Option<ArticleText>,
    },
    /// The author withdraws it (not once answered, nor once archived).
    Withdraw {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
    },
    /// A participant reports it.
    Report {
        /// The contribution.
        id: ContributionId,
        /// Who reports.
        reporter: ParticipantId,
        /// The charter reason.
        reason: CharterReason,
        /// A note (required for `Other`).
        note: Option<Reason>,
    },
    /// An assigned facilitator decides on it.
    Moderate {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The decision.
        decision: ModerationDecision,
        /// The facilitator's reason, always required.
        note: Reason,
        /// For `MarkDuplicate`: the contribution it duplicates, as the read
        /// model knows it (`None` for other decisions; ignored by them).
        duplicate_of: Option<ContributionView>,
    },
    /// The author appeals the last appealable decision (once).
    Appeal {
        /// The contribution.
        id: ContributionId,
        /// The author's argument.
        text: AppealText,
    },
    /// Another facilitator or the commission decides the appeal.
    DecideAppeal {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// Whether the appeal is granted (the decision reversed).
        granted: bool,
        /// Why.
        note: Reason,
    },
    /// An administrator erases the body for good (the store destroys its key).
    EraseBody {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// On what ground.
        basis: ErasureBasis,
        /// A note for the record (never the erased text).
        note: Reason,
    },
    /// The commission answers a proposal or an amendment.
    Answer {
        /// The contribution.
        id: ContributionId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The outcome.
        outcome: AnswerOutcome,
        /// Why.
        justification: Justification,
    },
}

impl ContributionCommand {
    /// The contribution targeted.
    pub fn id(&self) -> ContributionId {
        use ContributionCommand::*;
        match self {
            Submit(s) => s.id,
            Revise { id, .. }
            | Withdraw { id, .. }
            | Report { id, .. }
            | Moderate { id, .. }
            | Appeal { id, .. }
            | DecideAppeal { id, .. }
            | EraseBody { id, .. }
            | Answer { id, .. } => *id,
        }
    }

    /// The concertation snapshot the command carries, if any.
    pub fn concertation(&self) -> Option<&ConcertationSnapshot> {
        use ContributionCommand::*;
        match self {
            Submit(s) => Some(&s.concertation),
            Revise { concertation, .. }
            | Withdraw { concertation, .. }
            | Moderate { concertation, .. }
            | DecideAppeal { concertation, .. }
            | EraseBody { concertation, .. }
            | Answer { concertation, .. } => Some(concertation),
            Report { .. } | Appeal { .. } => None,
        }
    }
}

/// A contribution as the read model knows it, carried by vote and support
/// commands (the ballot and support streams never read contribution streams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionView {
    /// The contribution.
    pub id: ContributionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// Its question.
    pub question: QuestionId,
    /// Its kind.
    pub kind: super::types::ContributionKind,
    /// Its visibility.
    pub status: super::types::ContributionStatus,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
    /// Whether it is marked as a duplicate of another contribution.
    pub duplicate: bool,
}

impl ContributionView {
    /// The view of a folded contribution.
    pub fn of(c: &super::state::Contribution) -> Self {
        Self {
            id: c.id,
            concertation: c.concertation,
            question: c.question,
            kind: c.kind,
            status: c.status,
            withdrawn: c.withdrawn,
            duplicate: c.duplicate_of.is_some(),
        }
    }
}
