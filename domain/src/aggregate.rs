//! The pure contract between the domain and the application layer.
//!
//! The application layer, for a command `c` of aggregate `A`:
//! 1. reads stream `A::stream(&c)` and folds it with [`Aggregate::evolve`];
//! 2. calls [`Aggregate::decide`] with that state, the command, the
//!    authenticated actor and the current time;
//! 3. appends the events with expected revision `Exact(last read)`, or
//!    `NoStream` when the stream was empty, and retries from 1 on a conflict.
//!
//! `decide` is deterministic and never does IO; ids and times come in with the
//! command, so a retried command produces the same events.

use crate::actor::Actor;
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use std::fmt;
use time::OffsetDateTime;

/// A stream name in `category-id` form (`concertation-0190…`), as the event store
/// expects it; the category is everything before the first hyphen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamName(String);

impl StreamName {
    /// Builds `category-id`.
    pub fn new(category: &str, id: impl fmt::Display) -> Self {
        Self(format!("{category}-{id}"))
    }

    /// The category (the part before the first hyphen).
    pub fn category(&self) -> &str {
        self.0.split_once('-').map(|(c, _)| c).unwrap_or(&self.0)
    }

    /// The full name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An event-sourced aggregate: one stream category, one consistency boundary.
pub trait Aggregate {
    /// The stream category (`concertation`).
    const CATEGORY: &'static str;
    /// The state folded from the stream; `Default` is the empty stream.
    type State: Default + Clone + PartialEq + fmt::Debug;
    /// What callers ask for.
    type Command: fmt::Debug;
    /// What happened.
    type Event: DomainEvent;

    /// The stream a command targets.
    fn stream(command: &Self::Command) -> StreamName;

    /// Checks the command against the state, the actor's role and the time, and
    /// returns the events to append (possibly none, for an idempotent repeat).
    fn decide(
        state: &Self::State,
        command: Self::Command,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<Self::Event>, Rejection>;

    /// Applies one event. Never fails: stored events are facts, and an event
    /// with an erased sealed part must fold too.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Folds a whole stream.
    fn fold<'a, I>(events: I) -> Self::State
    where
        I: IntoIterator<Item = &'a Self::Event>,
        Self::Event: 'a,
    {
        events
            .into_iter()
            .fold(Self::State::default(), Self::evolve)
    }
}
