//! Rules of reports, moderation decisions, the one appeal, and the
//! commission's answer. Every decision also notifies the author.

use super::command::{ContributionCommand as C, ContributionView};
use super::event::ContributionEvent as E;
use super::state::{AppealState, Contribution};
use super::types::{CharterReason, ContributionStatus as S, ModerationDecision as D, NoticeKind};
use crate::actor::Actor;
use crate::concertation::Phase;
use crate::limits::MAX_CONTRIBUTION_THEMES;
use crate::rejection::{Field, Rejection};
use crate::sealed::Sealed;
use crate::values::ContributionId;
use time::OffsetDateTime;

const MODERATE: &str = "action.moderate";

/// Phases in which facilitators moderate: after closing too, since illegal
/// content must be removable until the archive.
const MODERATION_PHASES: &[Phase] = &[Phase::Open, Phase::Closed, Phase::SynthesisPublished];

fn check_decision(c: &Contribution, decision: &D) -> Result<(), Rejection> {
    let unchanged = Err(Rejection::DecisionUnchanged);
    match decision {
        D::Approve if c.withdrawn => Err(Rejection::Withdrawn),
        D::Approve if c.status != S::Pending => unchanged,
        D::Hide { .. } if c.status == S::Hidden => unchanged,
        D::Restore if c.status != S::Hidden => unchanged,
        D::MarkDuplicate { of } if *of == c.id => Err(Rejection::DuplicateOfItself),
        D::MarkDuplicate { of } if c.duplicate_of == Some(*of) => unchanged,
        D::TagThemes { themes } if themes.len() > MAX_CONTRIBUTION_THEMES => {
            Err(Rejection::TooMany {
                field: Field::Themes,
                max: MAX_CONTRIBUTION_THEMES,
            })
        }
        D::TagThemes { themes } if *themes == c.themes => unchanged,
        D::Feature if c.withdrawn => Err(Rejection::Withdrawn),
        D::Feature if c.featured || c.status != S::Published => unchanged,
        _ => Ok(()),
    }
}

/// A duplicate points at a contribution that exists (the view is of it), of the
/// same concertation, not withdrawn and not itself a duplicate: the public page
/// of a duplicate sends readers to that one.
fn check_duplicate_target(
    c: &Contribution,
    of: ContributionId,
    view: Option<&ContributionView>,
) -> Result<(), Rejection> {
    let view = view
        .filter(|v| v.id == of)
        .ok_or(Rejection::ContributionNotFound)?;
    if view.concertation != c.concertation || view.withdrawn || view.duplicate {
        return Err(Rejection::DuplicateTargetInvalid);
    }
    Ok(())
}

fn notify(c: &Contribution, notice: NoticeKind) -> E {
    E::AuthorNotified {
        id: c.id,
        author: c.author,
        notice,
    }
}

/// Decides the moderation-side commands.
pub(super) fn decide(
    c: &Contribution,
    command: C,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<E>, Rejection> {
    match command {
        C::Report {
            id,
            reporter,
            reason,
            note,
        } => {
            actor.require_participant(reporter, "action.participate")?;
            if reporter == c.author {
                return Err(Rejection::OwnContribution);
            }
            if c.reporters.contains(&reporter) {
                return Err(Rejection::AlreadyReported);
            }
            if reason == CharterReason::Other && note.is_none() {
                return Err(Rejection::TextEmpty {
                    field: Field::Reason,
                });
            }
            Ok(vec![E::ContributionReported {
                id,
                reporter,
                reason,
                at: now,
                note: Sealed::Present(note),
            }])
        }
        C::Moderate {
            id,
            concertation,
            decision,
            note,
            duplicate_of,
        } => {
            let facilitator = concertation.require_facilitator(actor, MODERATE)?;
            concertation.require_phase(MODERATION_PHASES)?;
            if let D::TagThemes { themes } = &decision {
                concertation.require_themes(themes)?;
            }
            check_decision(c, &decision)?;
            if let D::MarkDuplicate { of } = &decision {
                check_duplicate_target(c, *of, duplicate_of.as_ref())?;
            }
            let notice = decision.notice();
            Ok(vec![
                E::ContributionModerated {
                    id,
                    facilitator,
                    decision,
                    note,
                    at: now,
                },
                notify(c, notice),
            ])
        }
        C::Appeal { id, text } => {
            actor.require_participant(c.author, "action.participate")?;
            if c.appeal != AppealState::None {
                return Err(Rejection::AlreadyAppealed);
            }
            if c.appealable.is_none() {
                return Err(Rejection::NothingToAppeal);
            }
            Ok(vec![E::AppealFiled {
                id,
                at: now,
                text: Sealed::Present(text),
            }])
        }
        C::DecideAppeal {
            id,
            concertation,
            granted,
            note,
        } => {
            let by = concertation.require_facilitator_or_commission(actor, MODERATE)?;
            let AppealState::Pending { against } = c.appeal else {
                return Err(Rejection::NoPendingAppeal);
            };
            if by == against {
                return Err(Rejection::SameFacilitator);
            }
            let notice = if granted {
                NoticeKind::AppealGranted
            } else {
                NoticeKind::AppealRejected
            };
            Ok(vec![
                E::AppealDecided {
                    id,
                    granted,
                    by,
                    note,
                    at: now,
                },
                notify(c, notice),
            ])
        }
        C::Answer {
            id,
            concertation,
            outcome,
            justification,
        } => {
            let by =
                actor.require_commission(&concertation.collectivite, false, "action.answer")?;
            concertation.require_phase(&[Phase::Closed, Phase::SynthesisPublished])?;
            if !c.kind.is_answerable() {
                return Err(Rejection::NotAnswerable);
            }
            if c.withdrawn {
                return Err(Rejection::Withdrawn);
            }
            if c.answer.is_some() {
                return Err(Rejection::AlreadyAnswered);
            }
            Ok(vec![
                E::CommissionAnswered {
                    id,
                    outcome,
                    justification,
                    by,
                    at: now,
                },
                notify(c, NoticeKind::Answered),
            ])
        }
        C::EraseBody {
            id,
            concertation,
            basis,
            note,
        } => {
            let by = match actor {
                Actor::Administrator { id, collectivite }
                    if *collectivite == concertation.collectivite =>
                {
                    *id
                }
                Actor::Administrator { .. } => return Err(Rejection::OtherCollectivite),
                _ => {
                    return Err(Rejection::Forbidden {
                        action: "action.erase_body",
                    })
                }
            };
            if c.body_erased {
                return Err(Rejection::BodyErased);
            }
            Ok(vec![E::ContributionBodyErased {
                id,
                by,
                basis,
                note,
                at: now,
            }])
        }
        C::Submit(_) | C::Revise { .. } | C::Withdraw { .. } => {
            unreachable!("decided in decide.rs")
        }
    }
}
