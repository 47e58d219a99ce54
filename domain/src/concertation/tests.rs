//! Every rule of the concertation, allowed and refused.

use super::*;
use crate::rejection::Rejection;
use crate::testing::fixtures::*;
use crate::testing::{default_now, given};
use crate::values::*;
use crate::Actor;
use time::Duration;
use ConcertationCommand as C;
use ConcertationEvent as E;

type G = ConcertationAggregate;

fn create_command() -> CreateConcertation {
    let E::ConcertationCreated {
        id,
        slug,
        collectivite,
        title,
        description,
        territories,
        moderation,
        opens_at,
        closes_at,
        ..
    } = created()
    else {
        unreachable!()
    };
    CreateConcertation {
        id,
        slug,
        collectivite,
        title,
        description,
        territories,
        moderation,
        opens_at,
        closes_at,
    }
}

fn id() -> ConcertationId {
    concertation_id()
}

#[test]
fn the_commission_creates_a_draft_with_the_list_year() {
    let events = given::<G>([])
        .by(commission())
        .when(C::Create(create_command()))
        .then_accepted();
    assert_eq!(events, vec![created()]);
    let state = G::fold(&events);
    assert_eq!(state.concertation.unwrap().phase, Phase::Draft);
}

#[test]
fn an_administrator_of_the_collectivite_may_create_too() {
    given::<G>([])
        .by(administrator())
        .when(C::Create(create_command()))
        .then_accepted();
}

#[test]
fn creation_is_refused_to_participants_facilitators_and_other_collectivites() {
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::Create(create_command()))
        .then_rejected_with("role.forbidden");
    given::<G>([])
        .by(facilitator())
        .when(C::Create(create_command()))
        .then_rejected_with("role.forbidden");
    given::<G>([])
        .by(foreign_commission())
        .when(C::Create(create_command()))
        .then_rejected(Rejection::OtherCollectivite);
}

#[test]
fn creation_is_refused_twice_without_scope_or_with_a_backwards_schedule() {
    given::<G>([created()])
        .by(commission())
        .when(C::Create(create_command()))
        .then_rejected(Rejection::ConcertationExists);
    let mut c = create_command();
    c.territories.clear();
    given::<G>([])
        .by(commission())
        .when(C::Create(c))
        .then_rejected_with("text.empty");
    let mut c = create_command();
    c.closes_at = c.opens_at;
    given::<G>([])
        .by(commission())
        .when(C::Create(c))
        .then_rejected(Rejection::ScheduleInvalid);
}

#[test]
fn details_are_edited_only_in_draft() {
    let edit = || C::EditDetails {
        id: id(),
        title: Title::parse("Nouveau titre").unwrap(),
        description: Description::parse("Nouvelle description").unwrap(),
        territories: vec![crate::territory::TerritoryCode::parse("DEP:2A").unwrap()],
    };
    given::<G>(configured())
        .by(commission())
        .when(edit())
        .then_accepted();
    given::<G>(opened())
        .by(commission())
        .when(edit())
        .then_rejected(Rejection::WrongPhase {
            phase: "phase.open",
        });
    given::<G>([])
        .by(commission())
        .when(edit())
        .then_rejected(Rejection::ConcertationNotFound);
}

#[test]
fn themes_are_added_in_draft_or_open_once() {
    let add = |t: u128, label: &str| C::AddTheme {
        id: id(),
        theme: ThemeId::from_uuid(uuid::Uuid::from_u128(t)),
        label: ThemeLabel::parse(label).unwrap(),
    };
    given::<G>(opened())
        .by(commission())
        .when(add(9, "Santé"))
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(add(9, "Services publics"))
        .then_rejected(Rejection::ThemeExists);
    given::<G>(configured())
        .by(facilitator())
        .when(add(9, "Santé"))
        .then_rejected_with("role.forbidden");
    let mut closed = opened();
    closed.push(E::ConcertationClosed { at: closes_at() });
    given::<G>(closed)
        .by(commission())
        .when(add(9, "Santé"))
        .then_rejected_with("concertation.wrong_phase");
}

#[test]
fn questions_are_added_only_in_draft_and_never_twice() {
    let add = |q: QuestionId| C::AddQuestion {
        id: id(),
        question: q,
        kind: QuestionKind::Open,
        prompt: QuestionPrompt::parse("Une autre question ?").unwrap(),
    };
    let new_q = QuestionId::from_uuid(uuid::Uuid::from_u128(77));
    given::<G>(configured())
        .by(commission())
        .when(add(new_q))
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(add(open_question()))
        .then_rejected(Rejection::QuestionExists);
    given::<G>(opened())
        .by(commission())
        .when(add(new_q))
        .then_rejected_with("concertation.wrong_phase");
}

#[test]
fn moderation_mode_changes_only_when_different() {
    let change = |mode| C::ChangeModerationMode { id: id(), mode };
    given::<G>(opened())
        .by(commission())
        .when(change(ModerationMode::APriori))
        .then_accepted();
    given::<G>(opened())
        .by(commission())
        .when(change(ModerationMode::APosteriori))
        .then_rejected(Rejection::ModerationModeUnchanged);
}

#[test]
fn rescheduling_needs_a_forward_schedule_in_draft() {
    let r = |o, c| C::Reschedule {
        id: id(),
        opens_at: o,
        closes_at: c,
    };
    given::<G>(configured())
        .by(commission())
        .when(r(opens_at(), closes_at() + Duration::days(1)))
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(r(closes_at(), opens_at()))
        .then_rejected(Rejection::ScheduleInvalid);
    given::<G>(opened())
        .by(commission())
        .when(r(opens_at(), closes_at()))
        .then_rejected_with("concertation.wrong_phase");
}

#[test]
fn facilitators_are_assigned_and_unassigned_by_the_commission() {
    let someone = StaffId::from_uuid(uuid::Uuid::from_u128(0x99));
    given::<G>(configured())
        .by(commission())
        .when(C::AssignFacilitator {
            id: id(),
            facilitator: someone,
        })
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(C::AssignFacilitator {
            id: id(),
            facilitator: facilitator_id(),
        })
        .then_rejected(Rejection::AssignmentUnchanged);
    given::<G>(configured())
        .by(commission())
        .when(C::UnassignFacilitator {
            id: id(),
            facilitator: facilitator_id(),
        })
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(C::UnassignFacilitator {
            id: id(),
            facilitator: someone,
        })
        .then_rejected(Rejection::AssignmentUnchanged);
    given::<G>(configured())
        .by(facilitator())
        .when(C::AssignFacilitator {
            id: id(),
            facilitator: someone,
        })
        .then_rejected_with("role.forbidden");
}

#[test]
fn the_system_opens_on_schedule_and_not_before() {
    let events = given::<G>(configured())
        .by(Actor::System)
        .at(opens_at())
        .when(C::Open { id: id() })
        .then_accepted();
    assert_eq!(
        events,
        vec![E::ConcertationOpened {
            at: opens_at(),
            scheduled: true
        }]
    );
    given::<G>(configured())
        .by(Actor::System)
        .at(default_now())
        .when(C::Open { id: id() })
        .then_rejected(Rejection::NotDue);
}

#[test]
fn the_commission_may_open_early_but_not_without_a_question() {
    given::<G>(configured())
        .by(commission())
        .when(C::Open { id: id() })
        .then_accepted();
    given::<G>([created()])
        .by(commission())
        .when(C::Open { id: id() })
        .then_rejected(Rejection::NotReadyToOpen);
    given::<G>(opened())
        .by(commission())
        .when(C::Open { id: id() })
        .then_rejected_with("concertation.wrong_phase");
    given::<G>(configured())
        .by(as_participant(alice()))
        .when(C::Open { id: id() })
        .then_rejected_with("role.forbidden");
}

#[test]
fn the_system_closes_on_schedule_only() {
    given::<G>(opened())
        .by(Actor::System)
        .at(closes_at())
        .when(C::Close { id: id() })
        .then_accepted();
    given::<G>(opened())
        .by(Actor::System)
        .at(opens_at())
        .when(C::Close { id: id() })
        .then_rejected(Rejection::NotDue);
    given::<G>(opened())
        .by(commission())
        .at(closes_at())
        .when(C::Close { id: id() })
        .then_rejected_with("role.forbidden");
}

#[test]
fn closing_early_needs_a_reason_and_an_open_concertation_before_its_end() {
    let early = || C::CloseEarly {
        id: id(),
        reason: reason("Incident technique majeur"),
    };
    let state = given::<G>(opened())
        .by(commission())
        .at(opens_at())
        .when(early())
        .then_state();
    assert_eq!(state.concertation.unwrap().phase, Phase::Closed);
    given::<G>(opened())
        .by(commission())
        .at(closes_at())
        .when(early())
        .then_rejected(Rejection::AlreadyDue);
    given::<G>(configured())
        .by(commission())
        .when(early())
        .then_rejected_with("concertation.wrong_phase");
}

#[test]
fn extending_moves_the_closing_later_with_a_reason() {
    let extend = |to| C::Extend {
        id: id(),
        closes_at: to,
        reason: reason("Forte participation"),
    };
    let state = given::<G>(opened())
        .by(commission())
        .at(opens_at())
        .when(extend(closes_at() + Duration::days(7)))
        .then_state();
    assert_eq!(
        state.concertation.unwrap().closes_at,
        closes_at() + Duration::days(7)
    );
    given::<G>(opened())
        .by(commission())
        .at(opens_at())
        .when(extend(closes_at()))
        .then_rejected(Rejection::ExtensionNotLater);
}

#[test]
fn the_synthesis_is_published_by_the_commission_after_closing_then_archived() {
    let mut closed = opened();
    closed.push(E::ConcertationClosed { at: closes_at() });
    let publish = || C::PublishSynthesis {
        id: id(),
        summary: Minutes::parse("Synthèse").unwrap(),
    };
    let events = given::<G>(closed.clone())
        .by(commission())
        .when(publish())
        .then_accepted();
    given::<G>(closed.clone())
        .by(administrator())
        .when(publish())
        .then_rejected_with("role.forbidden");
    given::<G>(opened())
        .by(commission())
        .when(publish())
        .then_rejected_with("concertation.wrong_phase");
    let mut published = closed;
    published.extend(events);
    let state = given::<G>(published.clone())
        .by(administrator())
        .when(C::Archive { id: id() })
        .then_state();
    assert_eq!(state.concertation.unwrap().phase, Phase::Archived);
    given::<G>(opened())
        .by(commission())
        .when(C::Archive { id: id() })
        .then_rejected_with("concertation.wrong_phase");
}

#[test]
fn the_snapshot_carries_the_extended_closing_time() {
    let mut events = opened();
    events.extend(
        given::<G>(opened())
            .by(commission())
            .when(C::Extend {
                id: id(),
                closes_at: closes_at() + time::Duration::days(7),
                reason: reason("Forte participation"),
            })
            .then_accepted(),
    );
    let snapshot = G::fold(&events).concertation.unwrap().snapshot();
    assert_eq!(snapshot.closes_at, closes_at() + time::Duration::days(7));
    assert_eq!(snapshot.require_open(closes_at()), Ok(()));
}

#[test]
fn the_snapshot_guards_participation() {
    let s = snapshot_in(Phase::Closed, ModerationMode::APriori);
    assert_eq!(
        s.require_open(default_now()),
        Err(Rejection::WrongPhase {
            phase: "phase.closed"
        })
    );
    // The closing time stops participation even before the scheduled
    // `ConcertationClosed` is appended.
    let open = open_snapshot();
    assert_eq!(open.closes_at, closes_at());
    assert_eq!(
        open.require_open(closes_at() - time::Duration::seconds(1)),
        Ok(())
    );
    assert_eq!(
        open.require_open(closes_at()),
        Err(Rejection::ClosingPassed)
    );
    assert_eq!(
        open.require_open(closes_at() + time::Duration::days(1)),
        Err(Rejection::ClosingPassed)
    );
    // Opened early by the commission: open before the scheduled opening.
    assert_eq!(
        open.require_open(opens_at() - time::Duration::days(1)),
        Ok(())
    );
    assert_eq!(
        open_snapshot().require_facilitator(&unassigned_facilitator(), "action.moderate"),
        Err(Rejection::NotAssigned)
    );
    assert!(open_snapshot()
        .require_facilitator(&facilitator(), "action.moderate")
        .is_ok());
}

/// 101 distinct départements (every one of metropolitan France and five overseas).
fn departements() -> Vec<crate::territory::TerritoryCode> {
    let codes = (1..=95)
        .filter(|n| *n != 20)
        .map(|n| format!("{n:02}"))
        .chain(["2A", "2B", "971", "972", "973", "974", "976"].map(String::from));
    let all: Vec<_> = codes
        .map(|c| crate::territory::TerritoryCode::parse(&format!("DEP:{c}")).unwrap())
        .collect();
    assert_eq!(all.len(), 101);
    all
}

#[test]
fn a_scope_has_at_most_100_territories_at_creation_and_edition() {
    let max = crate::limits::MAX_TERRITORIES;
    assert_eq!(max, 100);
    let too_many = Rejection::TooMany {
        field: crate::rejection::Field::Territories,
        max: 100,
    };
    let create = |n: usize| {
        let mut c = create_command();
        c.territories = departements()[..n].to_vec();
        C::Create(c)
    };
    let edit = |n: usize| C::EditDetails {
        id: id(),
        title: Title::parse("Nouveau titre").unwrap(),
        description: Description::parse("Nouvelle description").unwrap(),
        territories: departements()[..n].to_vec(),
    };
    given::<G>([])
        .by(commission())
        .when(create(max))
        .then_accepted();
    given::<G>([])
        .by(commission())
        .when(create(max + 1))
        .then_rejected(too_many.clone());
    given::<G>(configured())
        .by(commission())
        .when(edit(max))
        .then_accepted();
    given::<G>(configured())
        .by(commission())
        .when(edit(max + 1))
        .then_rejected(too_many);
}

#[test]
fn a_concertation_has_at_most_50_themes() {
    let max = crate::limits::MAX_THEMES;
    assert_eq!(max, 50);
    // `configured()` has one theme; add up to `n` in all.
    let with_themes = |n: u128| {
        let mut events = configured();
        events.extend((2..=n).map(|i| E::ThemeAdded {
            theme: ThemeId::from_uuid(uuid::Uuid::from_u128(0x3_0000 + i)),
            label: ThemeLabel::parse(&format!("Thème {i}")).unwrap(),
        }));
        events
    };
    let add = C::AddTheme {
        id: id(),
        theme: ThemeId::from_uuid(uuid::Uuid::from_u128(0x3_FFFF)),
        label: ThemeLabel::parse("Un thème de plus").unwrap(),
    };
    let state = given::<G>(with_themes(max as u128 - 1))
        .by(commission())
        .when(add.clone())
        .then_state();
    assert_eq!(state.concertation.unwrap().themes.len(), max);
    given::<G>(with_themes(max as u128))
        .by(commission())
        .when(add)
        .then_rejected(Rejection::TooMany {
            field: crate::rejection::Field::Themes,
            max: 50,
        });
}

#[test]
fn a_concertation_has_at_most_50_questions() {
    let max = crate::limits::MAX_QUESTIONS;
    assert_eq!(max, 50);
    // `configured()` has three questions; add up to `n` in all.
    let with_questions = |n: u128| {
        let mut events = configured();
        events.extend((4..=n).map(|i| E::QuestionAdded {
            question: QuestionId::from_uuid(uuid::Uuid::from_u128(0x4_0000 + i)),
            kind: QuestionKind::Open,
            prompt: QuestionPrompt::parse(&format!("Question {i} ?")).unwrap(),
        }));
        events
    };
    let add = C::AddQuestion {
        id: id(),
        question: QuestionId::from_uuid(uuid::Uuid::from_u128(0x4_FFFF)),
        kind: QuestionKind::Statements,
        prompt: QuestionPrompt::parse("Une question de plus ?").unwrap(),
    };
    let state = given::<G>(with_questions(max as u128 - 1))
        .by(commission())
        .when(add.clone())
        .then_state();
    assert_eq!(state.concertation.unwrap().questions.len(), max);
    given::<G>(with_questions(max as u128))
        .by(commission())
        .when(add)
        .then_rejected(Rejection::TooMany {
            field: crate::rejection::Field::Questions,
            max: 50,
        });
}
