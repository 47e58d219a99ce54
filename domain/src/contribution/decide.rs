//! Rules of submission, revision and withdrawal; moderation-side rules are in
//! `moderation.rs`.

use super::command::{ContributionCommand as C, SubmitContribution};
use super::event::ContributionEvent as E;
use super::moderation;
use super::state::{Contribution, ContributionState};
use super::types::{
    AmendmentOperation, ContributionBody, ContributionKind as K, ContributionStatus, Recording,
};
use crate::actor::Actor;
use crate::concertation::{ModerationMode, Phase, QuestionKind};
use crate::limits::{MAX_CONTRIBUTION_THEMES, MAX_REVISIONS};
use crate::rejection::{Field, Rejection};
use crate::sealed::Sealed;
use crate::values::StatementText;
use time::OffsetDateTime;

const PARTICIPATE: &str = "action.participate";

/// Whether a kind of contribution answers a kind of question. Comments thread
/// under anything.
fn kind_fits(kind: K, question: &QuestionKind) -> bool {
    matches!(
        (kind, question),
        (K::Comment, _)
            | (K::Opinion | K::Proposal, QuestionKind::Open)
            | (K::Statement, QuestionKind::Statements)
            | (K::Amendment, QuestionKind::Amendments { .. })
    )
}

fn submit(
    state: &ContributionState,
    s: SubmitContribution,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<E>, Rejection> {
    // Who: the author themself, or an assigned facilitator recording in an open session.
    let recorded = match &s.session {
        None => {
            actor.require_participant(s.author, PARTICIPATE)?;
            None
        }
        Some(session) => {
            let by = s
                .concertation
                .require_facilitator(actor, "action.run_session")?;
            if session.concertation != s.concertation.id {
                return Err(Rejection::SessionElsewhere);
            }
            if !session.open {
                return Err(Rejection::SessionNotOpen);
            }
            Some(Recording {
                session: session.id,
                recorded_by: by,
            })
        }
    };
    if state.contribution.is_some() {
        return Err(Rejection::ContributionExists);
    }
    s.concertation.require_open(now)?;
    let question = s.concertation.question(s.question)?;
    if !kind_fits(s.kind, question) {
        return Err(Rejection::KindNotAllowed {
            kind: s.kind.code(),
            question: question.code(),
        });
    }
    if s.themes.len() > MAX_CONTRIBUTION_THEMES {
        return Err(Rejection::TooMany {
            field: Field::Themes,
            max: MAX_CONTRIBUTION_THEMES,
        });
    }
    s.concertation.require_themes(&s.themes)?;
    match (&s.parent, s.kind) {
        (Some(parent), K::Comment)
            if parent.concertation == s.concertation.id && parent.id != s.id => {}
        (None, k) if k != K::Comment => {}
        _ => return Err(Rejection::ParentMismatch),
    }
    if s.kind == K::Statement {
        StatementText::from_contribution(&s.text)?;
    }
    let (anchor, proposed_text) = match (s.amendment, s.kind, question) {
        (Some(a), K::Amendment, QuestionKind::Amendments { doctrine }) => {
            let needs_text = a.anchor.operation != AmendmentOperation::Delete;
            if a.anchor.doctrine != *doctrine || needs_text != a.proposed_text.is_some() {
                return Err(Rejection::AnchorMismatch);
            }
            if a.article_hash_at_anchor.as_ref() != Some(&a.anchor.base_hash) {
                return Err(Rejection::StaleAnchor);
            }
            (Some(a.anchor), a.proposed_text)
        }
        (None, k, _) if k != K::Amendment => (None, None),
        _ => return Err(Rejection::AnchorMismatch),
    };
    let status = match s.concertation.moderation {
        ModerationMode::APriori => ContributionStatus::Pending,
        ModerationMode::APosteriori => ContributionStatus::Published,
    };
    Ok(vec![E::ContributionSubmitted {
        id: s.id,
        concertation: s.concertation.id,
        question: s.question,
        kind: s.kind,
        author: s.author,
        parent: s.parent.map(|p| p.id),
        themes: s.themes,
        language: s.language,
        amendment: anchor,
        status,
        recorded,
        at: now,
        body: Sealed::Present(ContributionBody {
            text: s.text,
            proposed_text,
        }),
    }])
}

/// Decides a contribution command.
pub(super) fn decide(
    state: &ContributionState,
    command: C,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<E>, Rejection> {
    let command = match command {
        C::Submit(s) => return submit(state, *s, actor, now),
        other => other,
    };
    let c: &Contribution = state
        .contribution
        .as_ref()
        .ok_or(Rejection::ContributionNotFound)?;
    // A snapshot of another concertation would check the wrong phase, roles
    // and collectivité: refuse it before anything else.
    if command
        .concertation()
        .is_some_and(|s| s.id != c.concertation)
    {
        return Err(Rejection::ContributionElsewhere);
    }
    match command {
        C::Submit(_) => unreachable!("handled above"),
        C::Revise {
            id,
            concertation,
            text,
            proposed_text,
        } => {
            actor.require_participant(c.author, PARTICIPATE)?;
            if c.withdrawn {
                return Err(Rejection::Withdrawn);
            }
            // Its key is gone: a new body could not be sealed, and must not reappear.
            if c.body_erased {
                return Err(Rejection::BodyErased);
            }
            concertation.require_open(now)?;
            // Once a facilitator has acted, the text they judged must stay the
            // text people see; the author can withdraw and resubmit instead.
            if c.moderated {
                return Err(Rejection::AlreadyModerated);
            }
            if c.revisions >= MAX_REVISIONS {
                return Err(Rejection::TooManyRevisions { max: MAX_REVISIONS });
            }
            if c.kind == K::Statement {
                StatementText::from_contribution(&text)?;
            }
            let needs_text = c
                .amendment
                .as_ref()
                .is_some_and(|a| a.operation != AmendmentOperation::Delete);
            if needs_text != proposed_text.is_some() {
                return Err(Rejection::AnchorMismatch);
            }
            Ok(vec![E::ContributionRevised {
                id,
                revision: c.revisions + 1,
                at: now,
                body: Sealed::Present(ContributionBody {
                    text,
                    proposed_text,
                }),
            }])
        }
        C::Withdraw { id, concertation } => {
            actor.require_participant(c.author, PARTICIPATE)?;
            if c.withdrawn {
                return Err(Rejection::Withdrawn);
            }
            // The answer and the archive refer to it: it stays in the record.
            if c.answer.is_some() {
                return Err(Rejection::AnsweredNotWithdrawable);
            }
            concertation.require_phase(&[Phase::Open, Phase::Closed, Phase::SynthesisPublished])?;
            Ok(vec![E::ContributionWithdrawn { id, at: now }])
        }
        other => moderation::decide(c, other, actor, now),
    }
}
