//! A given/when/then helper that reads like the glossary:
//!
//! ```
//! # use concerto_domain::testing::*;
//! # use concerto_domain::slug_reservation::*;
//! # use concerto_domain::values::*;
//! # use concerto_domain::Actor;
//! let id = ConcertationId::from_uuid(uuid::Uuid::now_v7());
//! let slug = Slug::parse("ia-territoriale").unwrap();
//! given::<SlugReservation>([])
//!     .by(Actor::System)
//!     .when(ReserveSlug { slug: slug.clone(), concertation: id })
//!     .then_emits([SlugEvent::SlugReserved { slug, concertation: id }]);
//! ```
//!
//! Every accepted outcome also checks that each emitted event survives the
//! stored-schema round trip (public JSON + sealed part → upcast → event), so
//! every rule's test is also a schema test. Public so the application layer's
//! tests can use it too; it is pure and small.

pub mod fixtures;

use crate::actor::Actor;
use crate::aggregate::Aggregate;
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use time::OffsetDateTime;

/// A fixed instant used when a scenario does not say `at`: 2026-03-02 09:00 UTC.
pub fn default_now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_772_442_000).expect("valid timestamp")
}

/// The state of a stream before the command: the events already in it.
pub struct Scenario<A: Aggregate> {
    state: A::State,
    actor: Actor,
    now: OffsetDateTime,
}

/// Starts a scenario from the events already in the stream.
pub fn given<A: Aggregate>(events: impl IntoIterator<Item = A::Event>) -> Scenario<A> {
    let events: Vec<A::Event> = events.into_iter().collect();
    Scenario {
        state: A::fold(&events),
        actor: Actor::System,
        now: default_now(),
    }
}

impl<A: Aggregate> Scenario<A> {
    /// Who issues the command (the system actor unless said).
    pub fn by(mut self, actor: Actor) -> Self {
        self.actor = actor;
        self
    }

    /// When the command is decided.
    pub fn at(mut self, now: OffsetDateTime) -> Self {
        self.now = now;
        self
    }

    /// Decides the command.
    pub fn when(self, command: A::Command) -> Outcome<A> {
        let result = A::decide(&self.state, command, &self.actor, self.now);
        Outcome {
            state: self.state,
            result,
        }
    }
}

/// The result of a scenario.
pub struct Outcome<A: Aggregate> {
    state: A::State,
    result: Result<Vec<A::Event>, Rejection>,
}

impl<A: Aggregate> Outcome<A> {
    /// Asserts the command was accepted and returns its events, after checking
    /// their stored-schema round trip.
    #[track_caller]
    pub fn then_accepted(self) -> Vec<A::Event> {
        let events = match self.result {
            Ok(events) => events,
            Err(r) => panic!("expected acceptance, got rejection {r:?}"),
        };
        for e in &events {
            let back = e
                .round_trip()
                .unwrap_or_else(|err| panic!("round trip of {e:?}: {err}"));
            assert_eq!(&back, e, "stored-schema round trip changed the event");
        }
        events
    }

    /// Asserts exactly these events were emitted.
    #[track_caller]
    pub fn then_emits(self, expected: impl IntoIterator<Item = A::Event>) -> Vec<A::Event> {
        let events = self.then_accepted();
        let expected: Vec<A::Event> = expected.into_iter().collect();
        assert_eq!(events, expected);
        events
    }

    /// Asserts the command was accepted and returns the state after it.
    #[track_caller]
    pub fn then_state(self) -> A::State {
        let state = self.state.clone();
        let events = self.then_accepted();
        events.iter().fold(state, A::evolve)
    }

    /// Asserts the command was refused with this rejection.
    #[track_caller]
    pub fn then_rejected(self, expected: Rejection) {
        match self.result {
            Ok(events) => panic!("expected {expected:?}, got events {events:?}"),
            Err(r) => assert_eq!(r, expected),
        }
    }

    /// Asserts the command was refused with a rejection of this code.
    #[track_caller]
    pub fn then_rejected_with(self, code: &str) {
        match self.result {
            Ok(events) => panic!("expected {code}, got events {events:?}"),
            Err(r) => assert_eq!(r.code(), code, "{r:?}"),
        }
    }
}
