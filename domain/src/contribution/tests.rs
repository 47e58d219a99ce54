//! Every rule of contributions, reports, moderation, appeals and answers,
//! allowed and refused.

use super::*;
use crate::concertation::{ModerationMode, Phase};
use crate::rejection::Rejection;
use crate::sealed::Sealed;
use crate::session::SessionSnapshot;
use crate::testing::fixtures::*;
use crate::testing::given;
use crate::values::*;
use crate::Aggregate;
use std::collections::BTreeSet;
use ContributionCommand as C;
use ContributionEvent as E;

type G = ContributionAggregate;

fn cid() -> ContributionId {
    ContributionId::from_uuid(uuid::Uuid::from_u128(0x5001))
}

fn other_cid() -> ContributionId {
    ContributionId::from_uuid(uuid::Uuid::from_u128(0x5002))
}

fn submit(kind: ContributionKind, question: QuestionId) -> C {
    C::Submit(Box::new(submission(cid(), kind, question, alice())))
}

/// Alice's proposal, submitted and published.
fn proposal() -> Vec<E> {
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Proposal, open_question()))
        .then_accepted()
}

/// A decision on Alice's contribution; a duplicate mark comes with the view of
/// a published proposal of the same concertation as its target.
fn moderate(decision: ModerationDecision) -> C {
    let duplicate_of = match &decision {
        ModerationDecision::MarkDuplicate { of } => Some(proposal_view(*of)),
        _ => None,
    };
    C::Moderate {
        id: cid(),
        concertation: open_snapshot(),
        decision,
        note: reason("Conforme à la charte"),
        duplicate_of,
    }
}

fn hidden() -> Vec<E> {
    let mut events = proposal();
    events.extend(
        given::<G>(proposal())
            .by(facilitator())
            .when(moderate(ModerationDecision::Hide {
                reason: CharterReason::Insult,
            }))
            .then_accepted(),
    );
    events
}

fn closed_snapshot() -> crate::concertation::ConcertationSnapshot {
    snapshot_in(Phase::Closed, ModerationMode::APosteriori)
}

#[test]
fn a_participant_submits_an_opinion_published_at_once_a_posteriori() {
    let state = given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_state();
    let c = state.contribution.unwrap();
    assert_eq!(c.status, ContributionStatus::Published);
    assert_eq!(c.language.as_str(), "fr");
    assert!(c.body.present().is_some());
}

#[test]
fn a_priori_contributions_wait_for_approval() {
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.concertation.moderation = ModerationMode::APriori;
    let state = given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_state();
    assert_eq!(
        state.contribution.unwrap().status,
        ContributionStatus::Pending
    );
}

#[test]
fn the_body_is_sealed_under_the_contribution_key_and_absent_from_the_public_part() {
    use crate::schema::DomainEvent;
    let e = &proposal()[0];
    let sealed = e.sealed_part().unwrap();
    assert_eq!(sealed.key.as_str(), format!("contribution-{}", cid()));
    assert!(!e.public_data().to_string().contains("algorithmes"));
    // Erased: the key is gone, the event still folds.
    let erased = E::from_stored(e.event_type(), e.schema_version(), e.public_data(), None).unwrap();
    let state = G::fold(&[erased]);
    assert_eq!(state.contribution.unwrap().body, Sealed::Erased);
}

#[test]
fn nobody_submits_for_someone_else_outside_a_session() {
    given::<G>([])
        .by(as_participant(bob()))
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_rejected(Rejection::NotAuthor);
    given::<G>([])
        .by(facilitator())
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_rejected_with("role.forbidden");
}

#[test]
fn no_contribution_outside_the_open_phase() {
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.concertation = closed_snapshot();
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_rejected(Rejection::WrongPhase {
            phase: "phase.closed",
        });
}

#[test]
fn no_contribution_once_the_closing_time_has_come_even_before_the_close_is_appended() {
    // The snapshot still says open: the scheduler has not appended the close yet.
    given::<G>([])
        .by(as_participant(alice()))
        .at(closes_at() - time::Duration::seconds(1))
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .at(closes_at())
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_rejected(Rejection::ClosingPassed);
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.session = Some(session(true));
    given::<G>([])
        .by(facilitator())
        .at(closes_at())
        .when(C::Submit(Box::new(s)))
        .then_rejected(Rejection::ClosingPassed);
    given::<G>(proposal())
        .by(as_participant(alice()))
        .at(closes_at() - time::Duration::seconds(1))
        .when(revise("Dernière version"))
        .then_accepted();
    given::<G>(proposal())
        .by(as_participant(alice()))
        .at(closes_at() + time::Duration::minutes(1))
        .when(revise("Trop tard"))
        .then_rejected(Rejection::ClosingPassed);
}

#[test]
fn a_contribution_is_submitted_once() {
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Proposal, open_question()))
        .then_rejected(Rejection::ContributionExists);
}

#[test]
fn kinds_must_fit_their_question() {
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Statement, open_question()))
        .then_rejected_with("contribution.kind_not_allowed");
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Opinion, statements_question()))
        .then_rejected_with("contribution.kind_not_allowed");
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Statement, statements_question()))
        .then_accepted();
    let unknown = QuestionId::from_uuid(uuid::Uuid::from_u128(1));
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Opinion, unknown))
        .then_rejected(Rejection::UnknownQuestion);
}

#[test]
fn statements_are_at_most_280_characters() {
    let mut s = submission(
        cid(),
        ContributionKind::Statement,
        statements_question(),
        alice(),
    );
    s.text = text(&"a".repeat(281));
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_rejected_with("text.too_long");
}

#[test]
fn themes_must_be_the_concertations() {
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.themes = BTreeSet::from([theme()]);
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s.clone())))
        .then_accepted();
    s.themes = BTreeSet::from([ThemeId::from_uuid(uuid::Uuid::from_u128(9))]);
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_rejected(Rejection::UnknownTheme);
}

#[test]
fn comments_thread_under_a_contribution_of_the_same_concertation() {
    let mut s = submission(
        cid(),
        ContributionKind::Comment,
        statements_question(),
        alice(),
    );
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s.clone())))
        .then_rejected(Rejection::ParentMismatch);
    s.parent = Some(ParentView {
        id: other_cid(),
        concertation: concertation_id(),
    });
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s.clone())))
        .then_accepted();
    s.parent = Some(ParentView {
        id: other_cid(),
        concertation: ConcertationId::from_uuid(uuid::Uuid::now_v7()),
    });
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_rejected(Rejection::ParentMismatch);
    let mut opinion = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    opinion.parent = Some(ParentView {
        id: other_cid(),
        concertation: concertation_id(),
    });
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(opinion)))
        .then_rejected(Rejection::ParentMismatch);
}

fn amendment(
    hash_at_anchor: Option<TextHash>,
    op: AmendmentOperation,
    proposed: Option<&str>,
) -> C {
    let base = TextHash::of("texte de base");
    let mut s = submission(
        cid(),
        ContributionKind::Amendment,
        amendments_question(),
        alice(),
    );
    s.amendment = Some(AmendmentDraft {
        anchor: AmendmentAnchor {
            doctrine: doctrine_id(),
            version: 1,
            article: ArticleId::parse("sociale-1").unwrap(),
            base_hash: base,
            operation: op,
        },
        proposed_text: proposed.map(|p| ArticleText::parse(p).unwrap()),
        article_hash_at_anchor: hash_at_anchor,
    });
    C::Submit(Box::new(s))
}

#[test]
fn amendments_are_anchored_to_the_base_text_they_amend() {
    let base = Some(TextHash::of("texte de base"));
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(
            base.clone(),
            AmendmentOperation::Replace,
            Some("nouveau texte"),
        ))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(base.clone(), AmendmentOperation::Delete, None))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(
            Some(TextHash::of("texte modifié depuis")),
            AmendmentOperation::Replace,
            Some("x"),
        ))
        .then_rejected(Rejection::StaleAnchor);
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(None, AmendmentOperation::Replace, Some("x")))
        .then_rejected(Rejection::StaleAnchor);
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(base.clone(), AmendmentOperation::Replace, None))
        .then_rejected(Rejection::AnchorMismatch);
    given::<G>([])
        .by(as_participant(alice()))
        .when(amendment(base, AmendmentOperation::Delete, Some("x")))
        .then_rejected(Rejection::AnchorMismatch);
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Amendment, amendments_question()))
        .then_rejected(Rejection::AnchorMismatch);
}

fn session(open: bool) -> SessionSnapshot {
    SessionSnapshot {
        id: SessionId::from_uuid(uuid::Uuid::from_u128(0x6001)),
        concertation: concertation_id(),
        open,
    }
}

#[test]
fn a_facilitator_records_on_behalf_of_an_attendee_in_an_open_session() {
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.session = Some(session(true));
    let state = given::<G>([])
        .by(facilitator())
        .when(C::Submit(Box::new(s.clone())))
        .then_state();
    let recorded = state.contribution.unwrap().recorded.unwrap();
    assert_eq!(recorded.recorded_by, facilitator_id());
    given::<G>([])
        .by(unassigned_facilitator())
        .when(C::Submit(Box::new(s.clone())))
        .then_rejected(Rejection::NotAssigned);
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s.clone())))
        .then_rejected_with("role.forbidden");
    s.session = Some(session(false));
    given::<G>([])
        .by(facilitator())
        .when(C::Submit(Box::new(s.clone())))
        .then_rejected(Rejection::SessionNotOpen);
    let mut elsewhere = session(true);
    elsewhere.concertation = ConcertationId::from_uuid(uuid::Uuid::now_v7());
    s.session = Some(elsewhere);
    given::<G>([])
        .by(facilitator())
        .when(C::Submit(Box::new(s)))
        .then_rejected(Rejection::SessionElsewhere);
}

fn revise(t: &str) -> C {
    C::Revise {
        id: cid(),
        concertation: open_snapshot(),
        text: text(t),
        proposed_text: None,
    }
}

#[test]
fn the_author_revises_while_no_facilitator_has_acted_and_history_is_kept() {
    let events = given::<G>(proposal())
        .by(as_participant(alice()))
        .when(revise("Version 2"))
        .then_accepted();
    assert!(matches!(
        events[0],
        E::ContributionRevised { revision: 1, .. }
    ));
    given::<G>(proposal())
        .by(as_participant(bob()))
        .when(revise("x"))
        .then_rejected(Rejection::NotAuthor);
    let mut moderated = proposal();
    moderated.extend(
        given::<G>(proposal())
            .by(facilitator())
            .when(moderate(ModerationDecision::Feature))
            .then_accepted(),
    );
    given::<G>(moderated)
        .by(as_participant(alice()))
        .when(revise("x"))
        .then_rejected(Rejection::AlreadyModerated);
}

#[test]
fn revisions_are_bounded_and_only_while_open() {
    let mut events = proposal();
    for i in 0..crate::limits::MAX_REVISIONS {
        events.extend(
            given::<G>(events.clone())
                .by(as_participant(alice()))
                .when(revise(&format!("v{i}")))
                .then_accepted(),
        );
    }
    given::<G>(events)
        .by(as_participant(alice()))
        .when(revise("encore"))
        .then_rejected(Rejection::TooManyRevisions { max: 20 });
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(C::Revise {
            id: cid(),
            concertation: closed_snapshot(),
            text: text("x"),
            proposed_text: None,
        })
        .then_rejected_with("concertation.wrong_phase");
}

fn withdraw() -> C {
    C::Withdraw {
        id: cid(),
        concertation: open_snapshot(),
    }
}

#[test]
fn the_author_withdraws_once() {
    let mut events = proposal();
    events.extend(
        given::<G>(proposal())
            .by(as_participant(alice()))
            .when(withdraw())
            .then_accepted(),
    );
    given::<G>(events.clone())
        .by(as_participant(alice()))
        .when(withdraw())
        .then_rejected(Rejection::Withdrawn);
    given::<G>(events)
        .by(as_participant(alice()))
        .when(revise("x"))
        .then_rejected(Rejection::Withdrawn);
    given::<G>(proposal())
        .by(as_participant(bob()))
        .when(withdraw())
        .then_rejected(Rejection::NotAuthor);
    given::<G>([])
        .by(as_participant(alice()))
        .when(withdraw())
        .then_rejected(Rejection::ContributionNotFound);
}

fn report(by: ParticipantId, reason_: CharterReason, note: Option<&str>) -> C {
    C::Report {
        id: cid(),
        reporter: by,
        reason: reason_,
        note: note.map(reason),
    }
}

#[test]
fn any_participant_reports_once_with_a_charter_reason() {
    let events = given::<G>(proposal())
        .by(as_participant(bob()))
        .when(report(bob(), CharterReason::Spam, None))
        .then_accepted();
    let mut reported = proposal();
    reported.extend(events);
    given::<G>(reported)
        .by(as_participant(bob()))
        .when(report(bob(), CharterReason::Insult, None))
        .then_rejected(Rejection::AlreadyReported);
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(report(alice(), CharterReason::Spam, None))
        .then_rejected(Rejection::OwnContribution);
    given::<G>(proposal())
        .by(as_participant(bob()))
        .when(report(bob(), CharterReason::Other, None))
        .then_rejected_with("text.empty");
    given::<G>(proposal())
        .by(as_participant(bob()))
        .when(report(
            bob(),
            CharterReason::Other,
            Some("Doublon manifeste"),
        ))
        .then_accepted();
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(report(bob(), CharterReason::Spam, None))
        .then_rejected(Rejection::NotAuthor);
}

#[test]
fn every_decision_names_the_facilitator_and_notifies_the_author() {
    let events = given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::Hide {
            reason: CharterReason::Insult,
        }))
        .then_accepted();
    assert!(
        matches!(&events[0], E::ContributionModerated { facilitator, .. } if *facilitator == facilitator_id())
    );
    assert_eq!(
        events[1],
        E::AuthorNotified {
            id: cid(),
            author: alice(),
            notice: NoticeKind::Hidden
        }
    );
}

#[test]
fn only_assigned_facilitators_moderate() {
    given::<G>(proposal())
        .by(unassigned_facilitator())
        .when(moderate(ModerationDecision::Feature))
        .then_rejected(Rejection::NotAssigned);
    given::<G>(proposal())
        .by(commission())
        .when(moderate(ModerationDecision::Feature))
        .then_rejected_with("role.forbidden");
    given::<G>(proposal())
        .by(as_participant(bob()))
        .when(moderate(ModerationDecision::Feature))
        .then_rejected_with("role.forbidden");
}

#[test]
fn approve_only_pending_contributions() {
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::Approve))
        .then_rejected(Rejection::DecisionUnchanged);
    let mut s = submission(cid(), ContributionKind::Opinion, open_question(), alice());
    s.concertation.moderation = ModerationMode::APriori;
    let pending = given::<G>([])
        .by(as_participant(alice()))
        .when(C::Submit(Box::new(s)))
        .then_accepted();
    let state = given::<G>(pending)
        .by(facilitator())
        .when(moderate(ModerationDecision::Approve))
        .then_state();
    assert_eq!(
        state.contribution.unwrap().status,
        ContributionStatus::Published
    );
}

#[test]
fn hide_then_restore() {
    given::<G>(hidden())
        .by(facilitator())
        .when(moderate(ModerationDecision::Hide {
            reason: CharterReason::Spam,
        }))
        .then_rejected(Rejection::DecisionUnchanged);
    let state = given::<G>(hidden())
        .by(facilitator())
        .when(moderate(ModerationDecision::Restore))
        .then_state();
    assert_eq!(
        state.contribution.unwrap().status,
        ContributionStatus::Published
    );
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::Restore))
        .then_rejected(Rejection::DecisionUnchanged);
}

#[test]
fn duplicates_themes_and_features() {
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::MarkDuplicate {
            of: other_cid(),
        }))
        .then_accepted();
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::MarkDuplicate { of: cid() }))
        .then_rejected(Rejection::DuplicateOfItself);
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::TagThemes {
            themes: BTreeSet::from([theme()]),
        }))
        .then_accepted();
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::TagThemes {
            themes: BTreeSet::from([ThemeId::from_uuid(uuid::Uuid::now_v7())]),
        }))
        .then_rejected(Rejection::UnknownTheme);
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::TagThemes {
            themes: BTreeSet::new(),
        }))
        .then_rejected(Rejection::DecisionUnchanged);
    given::<G>(proposal())
        .by(facilitator())
        .when(moderate(ModerationDecision::Feature))
        .then_accepted();
    given::<G>(hidden())
        .by(facilitator())
        .when(moderate(ModerationDecision::Feature))
        .then_rejected(Rejection::DecisionUnchanged);
}

#[test]
fn a_duplicate_points_at_an_existing_original_of_the_same_concertation() {
    let mark = |view: Option<ContributionView>| C::Moderate {
        id: cid(),
        concertation: open_snapshot(),
        decision: ModerationDecision::MarkDuplicate { of: other_cid() },
        note: reason("Même proposition"),
        duplicate_of: view,
    };
    let state = given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(proposal_view(other_cid()))))
        .then_state();
    assert_eq!(state.contribution.unwrap().duplicate_of, Some(other_cid()));
    // A pending original is fine; so is another kind (a statement, say).
    let mut pending = statement_view(other_cid());
    pending.status = ContributionStatus::Pending;
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(pending)))
        .then_accepted();
    // The original must exist: no view, or a view of another contribution.
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(None))
        .then_rejected(Rejection::ContributionNotFound);
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(proposal_view(ContributionId::from_uuid(
            uuid::Uuid::from_u128(0x5003),
        )))))
        .then_rejected(Rejection::ContributionNotFound);
    let mut elsewhere = proposal_view(other_cid());
    elsewhere.concertation = ConcertationId::from_uuid(uuid::Uuid::from_u128(0x1_0099));
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(elsewhere)))
        .then_rejected(Rejection::DuplicateTargetInvalid);
    let mut withdrawn = proposal_view(other_cid());
    withdrawn.withdrawn = true;
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(withdrawn)))
        .then_rejected(Rejection::DuplicateTargetInvalid);
    let mut duplicate = proposal_view(other_cid());
    duplicate.duplicate = true;
    given::<G>(proposal())
        .by(facilitator())
        .when(mark(Some(duplicate)))
        .then_rejected(Rejection::DuplicateTargetInvalid);
}

#[test]
fn the_view_says_whether_a_contribution_is_a_duplicate() {
    let mut events = proposal();
    let view = ContributionView::of(G::fold(&events).contribution.as_ref().unwrap());
    assert!(!view.duplicate && !view.withdrawn);
    events.extend(
        given::<G>(proposal())
            .by(facilitator())
            .when(moderate(ModerationDecision::MarkDuplicate {
                of: other_cid(),
            }))
            .then_accepted(),
    );
    let view = ContributionView::of(G::fold(&events).contribution.as_ref().unwrap());
    assert!(view.duplicate);
}

#[test]
fn moderation_continues_after_closing_but_not_in_draft() {
    let closed = C::Moderate {
        id: cid(),
        concertation: closed_snapshot(),
        decision: ModerationDecision::Hide {
            reason: CharterReason::Illegal,
        },
        note: reason("Réquisition judiciaire"),
        duplicate_of: None,
    };
    given::<G>(proposal())
        .by(facilitator())
        .when(closed)
        .then_accepted();
    let draft = C::Moderate {
        id: cid(),
        concertation: snapshot_in(Phase::Draft, ModerationMode::APosteriori),
        decision: ModerationDecision::Feature,
        note: reason("x"),
        duplicate_of: None,
    };
    given::<G>(proposal())
        .by(facilitator())
        .when(draft)
        .then_rejected_with("concertation.wrong_phase");
}

fn appeal() -> C {
    C::Appeal {
        id: cid(),
        text: AppealText::parse("Mon propos n'était pas insultant.").unwrap(),
    }
}

fn decide_appeal(granted: bool) -> C {
    C::DecideAppeal {
        id: cid(),
        concertation: open_snapshot(),
        granted,
        note: reason("Réexamen"),
    }
}

fn appealed() -> Vec<E> {
    let mut events = hidden();
    events.extend(
        given::<G>(hidden())
            .by(as_participant(alice()))
            .when(appeal())
            .then_accepted(),
    );
    events
}

#[test]
fn the_author_appeals_once_an_appealable_decision() {
    given::<G>(hidden())
        .by(as_participant(alice()))
        .when(appeal())
        .then_accepted();
    given::<G>(hidden())
        .by(as_participant(bob()))
        .when(appeal())
        .then_rejected(Rejection::NotAuthor);
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(appeal())
        .then_rejected(Rejection::NothingToAppeal);
    given::<G>(appealed())
        .by(as_participant(alice()))
        .when(appeal())
        .then_rejected(Rejection::AlreadyAppealed);
}

#[test]
fn an_appeal_is_decided_by_another_facilitator_or_the_commission() {
    given::<G>(appealed())
        .by(facilitator())
        .when(decide_appeal(true))
        .then_rejected(Rejection::SameFacilitator);
    let state = given::<G>(appealed())
        .by(second_facilitator())
        .when(decide_appeal(true))
        .then_state();
    let c = state.contribution.unwrap();
    assert_eq!(
        c.status,
        ContributionStatus::Published,
        "a granted appeal reverses the hide"
    );
    let state = given::<G>(appealed())
        .by(commission())
        .when(decide_appeal(false))
        .then_state();
    assert_eq!(
        state.contribution.unwrap().status,
        ContributionStatus::Hidden
    );
    given::<G>(appealed())
        .by(foreign_commission())
        .when(decide_appeal(true))
        .then_rejected(Rejection::OtherCollectivite);
    given::<G>(hidden())
        .by(second_facilitator())
        .when(decide_appeal(true))
        .then_rejected(Rejection::NoPendingAppeal);
    let mut decided = appealed();
    decided.extend(
        given::<G>(appealed())
            .by(commission())
            .when(decide_appeal(false))
            .then_accepted(),
    );
    given::<G>(decided.clone())
        .by(second_facilitator())
        .when(decide_appeal(true))
        .then_rejected(Rejection::NoPendingAppeal);
    given::<G>(decided)
        .by(as_participant(alice()))
        .when(appeal())
        .then_rejected(Rejection::AlreadyAppealed);
}

fn answer(outcome: AnswerOutcome) -> C {
    C::Answer {
        id: cid(),
        concertation: closed_snapshot(),
        outcome,
        justification: Justification::parse("Retenue dans la doctrine").unwrap(),
    }
}

#[test]
fn the_commission_answers_proposals_once_after_closing() {
    let events = given::<G>(proposal())
        .by(commission())
        .when(answer(AnswerOutcome::AdoptedWithChanges))
        .then_accepted();
    assert_eq!(
        events[1],
        E::AuthorNotified {
            id: cid(),
            author: alice(),
            notice: NoticeKind::Answered
        }
    );
    let mut answered = proposal();
    answered.extend(events);
    given::<G>(answered)
        .by(commission())
        .when(answer(AnswerOutcome::Rejected))
        .then_rejected(Rejection::AlreadyAnswered);
    given::<G>(proposal())
        .by(administrator())
        .when(answer(AnswerOutcome::Adopted))
        .then_rejected_with("role.forbidden");
    given::<G>(proposal())
        .by(foreign_commission())
        .when(answer(AnswerOutcome::Adopted))
        .then_rejected(Rejection::OtherCollectivite);
    let opinion = given::<G>([])
        .by(as_participant(alice()))
        .when(submit(ContributionKind::Opinion, open_question()))
        .then_accepted();
    given::<G>(opinion)
        .by(commission())
        .when(answer(AnswerOutcome::Adopted))
        .then_rejected(Rejection::NotAnswerable);
    given::<G>(proposal())
        .by(commission())
        .when(C::Answer {
            id: cid(),
            concertation: open_snapshot(),
            outcome: AnswerOutcome::Adopted,
            justification: Justification::parse("x").unwrap(),
        })
        .then_rejected_with("concertation.wrong_phase");
}

fn erase_body() -> C {
    C::EraseBody {
        id: cid(),
        concertation: open_snapshot(),
        basis: ErasureBasis::CourtOrder,
        note: reason("Ordonnance du tribunal"),
    }
}

#[test]
fn an_administrator_erases_a_body_once_and_it_can_no_longer_be_revised() {
    let events = given::<G>(proposal())
        .by(administrator())
        .when(erase_body())
        .then_accepted();
    assert!(matches!(
        &events[0],
        E::ContributionBodyErased { id, basis: ErasureBasis::CourtOrder, .. } if *id == cid()
    ));
    let mut erased = proposal();
    erased.extend(events);
    let state = G::fold(&erased);
    let c = state.contribution.as_ref().expect("submitted");
    assert!(c.body_erased && c.body.is_erased());
    given::<G>(erased.clone())
        .by(administrator())
        .when(erase_body())
        .then_rejected(Rejection::BodyErased);
    given::<G>(erased)
        .by(as_participant(alice()))
        .when(revise("Nouveau texte"))
        .then_rejected(Rejection::BodyErased);
    for who in [commission(), facilitator(), as_participant(alice())] {
        given::<G>(proposal())
            .by(who)
            .when(erase_body())
            .then_rejected_with("role.forbidden");
    }
}

/// A snapshot of another concertation (same collectivité, same facilitators).
fn elsewhere(
    mut s: crate::concertation::ConcertationSnapshot,
) -> crate::concertation::ConcertationSnapshot {
    s.id = ConcertationId::from_uuid(uuid::Uuid::from_u128(0x1_0099));
    s
}

#[test]
fn commands_refuse_a_snapshot_of_another_concertation() {
    let with_snapshot = |c: C, snapshot: crate::concertation::ConcertationSnapshot| match c {
        C::Revise {
            id,
            text,
            proposed_text,
            ..
        } => C::Revise {
            id,
            concertation: snapshot,
            text,
            proposed_text,
        },
        C::Moderate {
            id,
            decision,
            note,
            duplicate_of,
            ..
        } => C::Moderate {
            id,
            concertation: snapshot,
            decision,
            note,
            duplicate_of,
        },
        C::DecideAppeal {
            id, granted, note, ..
        } => C::DecideAppeal {
            id,
            concertation: snapshot,
            granted,
            note,
        },
        C::Answer {
            id,
            outcome,
            justification,
            ..
        } => C::Answer {
            id,
            concertation: snapshot,
            outcome,
            justification,
        },
        C::EraseBody {
            id, basis, note, ..
        } => C::EraseBody {
            id,
            concertation: snapshot,
            basis,
            note,
        },
        other => other,
    };
    let cases: Vec<(Vec<E>, crate::Actor, C)> = vec![
        (proposal(), as_participant(alice()), revise("Version 2")),
        (
            proposal(),
            facilitator(),
            moderate(ModerationDecision::Feature),
        ),
        (appealed(), second_facilitator(), decide_appeal(true)),
        (proposal(), commission(), answer(AnswerOutcome::Adopted)),
        (proposal(), administrator(), erase_body()),
    ];
    for (events, actor, command) in cases {
        let own = command.concertation().cloned().expect("carries a snapshot");
        assert_eq!(own.id, concertation_id());
        given::<G>(events.clone())
            .by(actor.clone())
            .when(with_snapshot(command.clone(), own.clone()))
            .then_accepted();
        given::<G>(events)
            .by(actor)
            .when(with_snapshot(command, elsewhere(own)))
            .then_rejected(Rejection::ContributionElsewhere);
    }
}

#[test]
fn a_contribution_has_at_most_10_themes_at_submission_and_tagging() {
    let max = crate::limits::MAX_CONTRIBUTION_THEMES;
    assert_eq!(max, 10);
    let themes: Vec<ThemeId> = (0..=max as u128)
        .map(|i| ThemeId::from_uuid(uuid::Uuid::from_u128(0x3_0000 + i)))
        .collect();
    let mut snapshot = open_snapshot();
    snapshot.themes.extend(themes.iter().copied());
    let too_many = Rejection::TooMany {
        field: crate::rejection::Field::Themes,
        max: 10,
    };
    let submit_with = |n: usize| {
        let mut s = submission(cid(), ContributionKind::Proposal, open_question(), alice());
        s.concertation = snapshot.clone();
        s.themes = themes[..n].iter().copied().collect();
        C::Submit(Box::new(s))
    };
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit_with(max))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(submit_with(max + 1))
        .then_rejected(too_many.clone());
    let tag = |n: usize| C::Moderate {
        id: cid(),
        concertation: snapshot.clone(),
        decision: ModerationDecision::TagThemes {
            themes: themes[..n].iter().copied().collect(),
        },
        note: reason("Thèmes précisés"),
        duplicate_of: None,
    };
    given::<G>(proposal())
        .by(facilitator())
        .when(tag(max))
        .then_accepted();
    given::<G>(proposal())
        .by(facilitator())
        .when(tag(max + 1))
        .then_rejected(too_many);
}

#[test]
fn no_withdrawal_once_answered_or_archived() {
    let withdraw_in = |phase: Phase| C::Withdraw {
        id: cid(),
        concertation: snapshot_in(phase, ModerationMode::APosteriori),
    };
    for phase in [Phase::Open, Phase::Closed, Phase::SynthesisPublished] {
        given::<G>(proposal())
            .by(as_participant(alice()))
            .when(withdraw_in(phase))
            .then_accepted();
    }
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(withdraw_in(Phase::Archived))
        .then_rejected(Rejection::WrongPhase {
            phase: "phase.archived",
        });
    let mut answered = proposal();
    answered.extend(
        given::<G>(proposal())
            .by(commission())
            .when(answer(AnswerOutcome::Rejected))
            .then_accepted(),
    );
    given::<G>(answered)
        .by(as_participant(alice()))
        .when(withdraw_in(Phase::Closed))
        .then_rejected(Rejection::AnsweredNotWithdrawable);
    given::<G>(proposal())
        .by(as_participant(alice()))
        .when(C::Withdraw {
            id: cid(),
            concertation: elsewhere(open_snapshot()),
        })
        .then_rejected(Rejection::ContributionElsewhere);
}
