//! Kinds, statuses, bodies, anchors and moderation vocabulary of contributions.

use crate::values::{
    ArticleId, ArticleText, ContributionId, ContributionText, DoctrineId, SessionId, StaffId,
    TextHash, ThemeId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a contribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    /// An opinion on an open question.
    Opinion,
    /// A proposal on an open question; supported and answered.
    Proposal,
    /// A short Polis-style statement, voted on.
    Statement,
    /// An amendment to a doctrine article; supported and answered.
    Amendment,
    /// A comment on another contribution (threaded).
    Comment,
}

impl ContributionKind {
    /// The catalogue code of the kind's name.
    pub fn code(self) -> &'static str {
        match self {
            ContributionKind::Opinion => "contribution_kind.opinion",
            ContributionKind::Proposal => "contribution_kind.proposal",
            ContributionKind::Statement => "contribution_kind.statement",
            ContributionKind::Amendment => "contribution_kind.amendment",
            ContributionKind::Comment => "contribution_kind.comment",
        }
    }

    /// Whether participants support or oppose it and the commission answers it.
    pub fn is_answerable(self) -> bool {
        matches!(
            self,
            ContributionKind::Proposal | ContributionKind::Amendment
        )
    }
}

/// Whether the public sees the contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionStatus {
    /// Waiting for approval (a priori moderation).
    Pending,
    /// Public.
    Published,
    /// Hidden by a facilitator.
    Hidden,
}

/// The sealed body of a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionBody {
    /// The text (for an amendment, its rationale).
    pub text: ContributionText,
    /// For an amendment that replaces or inserts: the proposed article text.
    pub proposed_text: Option<ArticleText>,
}

/// What an amendment does to its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentOperation {
    /// Replace the article's text with the proposed text.
    Replace,
    /// Insert the proposed text after the article.
    Insert,
    /// Delete the article.
    Delete,
}

/// Where an amendment applies: a doctrine version, an article and the hash of
/// the article text the author saw, so a stale amendment is detected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AmendmentAnchor {
    /// The doctrine.
    pub doctrine: DoctrineId,
    /// The version the author read.
    pub version: u32,
    /// The article.
    pub article: ArticleId,
    /// SHA-256 of the article text at that version.
    pub base_hash: TextHash,
    /// The change proposed.
    pub operation: AmendmentOperation,
}

/// Recorded by a facilitator on behalf of an attendee during a session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recording {
    /// The session.
    pub session: SessionId,
    /// The facilitator who typed it.
    pub recorded_by: StaffId,
}

/// Reasons from the moderation charter, for reports and hiding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharterReason {
    /// Insult or harassment.
    Insult,
    /// Reveals personal data.
    PersonalData,
    /// Spam or advertising.
    Spam,
    /// Off topic.
    OffTopic,
    /// Illegal content.
    Illegal,
    /// Another reason, explained in a note.
    Other,
}

impl CharterReason {
    /// The catalogue code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            CharterReason::Insult => "charter.insult",
            CharterReason::PersonalData => "charter.personal_data",
            CharterReason::Spam => "charter.spam",
            CharterReason::OffTopic => "charter.off_topic",
            CharterReason::Illegal => "charter.illegal",
            CharterReason::Other => "charter.other",
        }
    }
}

/// A facilitator's decision on a contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ModerationDecision {
    /// Publish a pending contribution.
    Approve,
    /// Hide, for a charter reason.
    Hide {
        /// The charter reason.
        reason: CharterReason,
    },
    /// Publish a hidden contribution again.
    Restore,
    /// Mark as a duplicate of another contribution.
    MarkDuplicate {
        /// The original.
        of: ContributionId,
    },
    /// Set the contribution's themes.
    TagThemes {
        /// The themes.
        themes: BTreeSet<ThemeId>,
    },
    /// Feature on the concertation's page.
    Feature,
}

impl ModerationDecision {
    /// The notice the author receives for this decision.
    pub fn notice(&self) -> NoticeKind {
        match self {
            ModerationDecision::Approve => NoticeKind::Approved,
            ModerationDecision::Hide { .. } => NoticeKind::Hidden,
            ModerationDecision::Restore => NoticeKind::Restored,
            ModerationDecision::MarkDuplicate { .. } => NoticeKind::MarkedDuplicate,
            ModerationDecision::TagThemes { .. } => NoticeKind::ThemesTagged,
            ModerationDecision::Feature => NoticeKind::Featured,
        }
    }

    /// Whether the author may appeal it (it hides or demotes their words).
    pub fn is_appealable(&self) -> bool {
        matches!(
            self,
            ModerationDecision::Hide { .. } | ModerationDecision::MarkDuplicate { .. }
        )
    }
}

/// What the author is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The contribution was approved.
    Approved,
    /// It was hidden.
    Hidden,
    /// It was restored.
    Restored,
    /// It was marked a duplicate.
    MarkedDuplicate,
    /// Its themes were set.
    ThemesTagged,
    /// It was featured.
    Featured,
    /// The appeal was rejected: the decision stands.
    AppealRejected,
    /// The appeal was granted: the decision is reversed.
    AppealGranted,
    /// The commission answered.
    Answered,
}

impl NoticeKind {
    /// The catalogue code of the notice's text.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Approved => "notice.approved",
            NoticeKind::Hidden => "notice.hidden",
            NoticeKind::Restored => "notice.restored",
            NoticeKind::MarkedDuplicate => "notice.marked_duplicate",
            NoticeKind::ThemesTagged => "notice.themes_tagged",
            NoticeKind::Featured => "notice.featured",
            NoticeKind::AppealRejected => "notice.appeal_rejected",
            NoticeKind::AppealGranted => "notice.appeal_granted",
            NoticeKind::Answered => "notice.answered",
        }
    }
}

/// The commission's answer to a proposal or an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerOutcome {
    /// Adopted as written.
    Adopted,
    /// Adopted with changes.
    AdoptedWithChanges,
    /// Rejected.
    Rejected,
}

impl AnswerOutcome {
    /// Whether the doctrine may cite it as a source.
    pub fn is_adopted(self) -> bool {
        !matches!(self, AnswerOutcome::Rejected)
    }
}

/// Why a contribution's body is erased (its key destroyed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureBasis {
    /// A court or an authority ordered the removal.
    CourtOrder,
    /// The content breaks the moderation charter in a way hiding does not cure
    /// (illegal content, someone's personal data).
    Charter,
    /// The author asked for it (RGPD right to erasure).
    AuthorRequest,
}
