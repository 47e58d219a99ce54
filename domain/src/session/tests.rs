//! Every rule of sessions, allowed and refused.

use super::*;
use crate::concertation::{ModerationMode, Phase};
use crate::rejection::Rejection;
use crate::testing::fixtures::*;
use crate::testing::given;
use crate::values::*;

type G = SessionAggregate;

fn sid() -> SessionId {
    SessionId::from_uuid(uuid::Uuid::from_u128(0x6001))
}

fn schedule() -> SessionCommand {
    SessionCommand::Schedule {
        id: sid(),
        concertation: open_snapshot(),
        title: Title::parse("Atelier à la médiathèque").unwrap(),
        mode: SessionMode::InPerson {
            place: Title::parse("Médiathèque centrale").unwrap(),
        },
        starts_at: opens_at(),
    }
}

fn scheduled() -> Vec<SessionEvent> {
    given::<G>([])
        .by(facilitator())
        .when(schedule())
        .then_accepted()
}

fn open() -> SessionCommand {
    SessionCommand::Open {
        id: sid(),
        concertation: open_snapshot(),
    }
}

fn close() -> SessionCommand {
    SessionCommand::Close {
        id: sid(),
        concertation: open_snapshot(),
        minutes: Minutes::parse("Douze participants.").unwrap(),
    }
}

fn opened_session() -> Vec<SessionEvent> {
    let mut e = scheduled();
    e.extend(
        given::<G>(scheduled())
            .by(facilitator())
            .when(open())
            .then_accepted(),
    );
    e
}

#[test]
fn facilitators_or_the_commission_schedule_sessions() {
    given::<G>([])
        .by(commission())
        .when(schedule())
        .then_accepted();
    given::<G>([])
        .by(unassigned_facilitator())
        .when(schedule())
        .then_rejected(Rejection::NotAssigned);
    given::<G>([])
        .by(as_participant(alice()))
        .when(schedule())
        .then_rejected_with("role.forbidden");
    given::<G>(scheduled())
        .by(facilitator())
        .when(schedule())
        .then_rejected(Rejection::SessionExists);
}

#[test]
fn an_assigned_facilitator_opens_during_the_open_phase() {
    let state = given::<G>(scheduled())
        .by(facilitator())
        .when(open())
        .then_state();
    assert!(state.session.unwrap().snapshot().open);
    given::<G>(scheduled())
        .by(commission())
        .when(open())
        .then_rejected_with("role.forbidden");
    given::<G>([])
        .by(facilitator())
        .when(open())
        .then_rejected(Rejection::SessionNotFound);
    given::<G>(opened_session())
        .by(facilitator())
        .when(open())
        .then_rejected(Rejection::SessionAlreadyOpened);
    given::<G>(scheduled())
        .by(facilitator())
        .when(SessionCommand::Open {
            id: sid(),
            concertation: snapshot_in(Phase::Closed, ModerationMode::APosteriori),
        })
        .then_rejected_with("concertation.wrong_phase");
    given::<G>(scheduled())
        .by(facilitator())
        .at(closes_at())
        .when(open())
        .then_rejected(Rejection::ClosingPassed);
}

#[test]
fn closing_records_the_minutes() {
    let state = given::<G>(opened_session())
        .by(second_facilitator())
        .when(close())
        .then_state();
    let s = state.session.unwrap();
    assert_eq!(s.status, SessionStatus::Closed);
    assert!(s.minutes.is_some());
    given::<G>(scheduled())
        .by(facilitator())
        .when(close())
        .then_rejected(Rejection::SessionNotOpen);
}
