//! The state folded from a contribution stream.

use super::event::ContributionEvent as E;
use super::types::{
    AmendmentAnchor, AnswerOutcome, ContributionBody, ContributionKind, ContributionStatus,
    ModerationDecision, Recording,
};
use crate::sealed::Sealed;
use crate::values::{
    ConcertationId, ContributionId, LanguageTag, ParticipantId, QuestionId, StaffId, ThemeId,
};
use std::collections::BTreeSet;

/// Where the contribution stands with its one appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppealState {
    /// Never appealed.
    #[default]
    None,
    /// Appealed, waiting for a decision on the facilitator's decision.
    Pending {
        /// Who made the appealed decision (cannot decide the appeal).
        against: StaffId,
    },
    /// Decided; no further appeal.
    Decided {
        /// Whether it was granted.
        granted: bool,
    },
}

/// A submitted contribution. Built only by folding events.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Its id.
    pub id: ContributionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// Its question.
    pub question: QuestionId,
    /// Its kind.
    pub kind: ContributionKind,
    /// Its author.
    pub author: ParticipantId,
    /// What it answers (comments).
    pub parent: Option<ContributionId>,
    /// Its themes.
    pub themes: BTreeSet<ThemeId>,
    /// Language of the text.
    pub language: LanguageTag,
    /// Anchor (amendments).
    pub amendment: Option<AmendmentAnchor>,
    /// Visibility.
    pub status: ContributionStatus,
    /// Set when recorded in a session.
    pub recorded: Option<Recording>,
    /// The current body, or erased.
    pub body: Sealed<ContributionBody>,
    /// Number of revisions so far.
    pub revisions: u32,
    /// Withdrawn by the author.
    pub withdrawn: bool,
    /// Whether a facilitator has acted on it (which ends revisions).
    pub moderated: bool,
    /// Featured.
    pub featured: bool,
    /// Its body was erased by an administrator (key destroyed).
    pub body_erased: bool,
    /// Duplicate of another contribution.
    pub duplicate_of: Option<ContributionId>,
    /// Who reported it.
    pub reporters: BTreeSet<ParticipantId>,
    /// The last decision the author may appeal, and who made it.
    pub appealable: Option<(ModerationDecision, StaffId)>,
    /// The appeal.
    pub appeal: AppealState,
    /// The commission's answer.
    pub answer: Option<AnswerOutcome>,
    /// Status before the last hide, restored if the hide is reversed on appeal.
    pub status_before_hide: Option<ContributionStatus>,
}

/// The state of a contribution stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContributionState {
    /// The contribution, once submitted.
    pub contribution: Option<Contribution>,
}

/// Applies one event.
pub(super) fn evolve(mut state: ContributionState, event: &E) -> ContributionState {
    if let E::ContributionSubmitted {
        id,
        concertation,
        question,
        kind,
        author,
        parent,
        themes,
        language,
        amendment,
        status,
        recorded,
        body,
        ..
    } = event
    {
        state.contribution = Some(Contribution {
            id: *id,
            concertation: *concertation,
            question: *question,
            kind: *kind,
            author: *author,
            parent: *parent,
            themes: themes.clone(),
            language: language.clone(),
            amendment: amendment.clone(),
            status: *status,
            recorded: recorded.clone(),
            body: body.clone(),
            revisions: 0,
            withdrawn: false,
            moderated: false,
            featured: false,
            body_erased: false,
            duplicate_of: None,
            reporters: BTreeSet::new(),
            appealable: None,
            appeal: AppealState::None,
            answer: None,
            status_before_hide: None,
        });
        return state;
    }
    let Some(c) = state.contribution.as_mut() else {
        return state;
    };
    match event {
        E::ContributionSubmitted { .. } => {}
        E::ContributionRevised { revision, body, .. } => {
            c.revisions = *revision;
            c.body = body.clone();
        }
        E::ContributionWithdrawn { .. } => c.withdrawn = true,
        E::ContributionReported { reporter, .. } => {
            c.reporters.insert(*reporter);
        }
        E::ContributionModerated {
            facilitator,
            decision,
            ..
        } => {
            c.moderated = true;
            match decision {
                ModerationDecision::Approve => c.status = ContributionStatus::Published,
                ModerationDecision::Restore => {
                    c.status = c
                        .status_before_hide
                        .take()
                        .unwrap_or(ContributionStatus::Published);
                    // A hide already reversed leaves nothing to appeal.
                    if matches!(c.appealable, Some((ModerationDecision::Hide { .. }, _))) {
                        c.appealable = None;
                    }
                }
                ModerationDecision::Hide { .. } => {
                    c.status_before_hide = Some(c.status);
                    c.status = ContributionStatus::Hidden;
                    c.featured = false;
                }
                ModerationDecision::MarkDuplicate { of } => c.duplicate_of = Some(*of),
                ModerationDecision::TagThemes { themes } => c.themes = themes.clone(),
                ModerationDecision::Feature => c.featured = true,
            }
            if decision.is_appealable() {
                c.appealable = Some((decision.clone(), *facilitator));
            }
        }
        E::AuthorNotified { .. } => {}
        E::AppealFiled { .. } => {
            if let Some((_, against)) = &c.appealable {
                c.appeal = AppealState::Pending { against: *against };
            }
        }
        E::AppealDecided { granted, .. } => {
            c.appeal = AppealState::Decided { granted: *granted };
            if *granted {
                match c.appealable.take().map(|(d, _)| d) {
                    Some(ModerationDecision::Hide { .. }) => {
                        c.status = c
                            .status_before_hide
                            .take()
                            .unwrap_or(ContributionStatus::Published);
                    }
                    Some(ModerationDecision::MarkDuplicate { .. }) => c.duplicate_of = None,
                    _ => {}
                }
            }
        }
        E::CommissionAnswered { outcome, .. } => c.answer = Some(*outcome),
        E::ContributionBodyErased { .. } => {
            c.body = Sealed::Erased;
            c.body_erased = true;
        }
    }
    state
}
