//! The concertation: its configuration, phases, schedule, themes, questions,
//! moderation mode and assigned facilitators. Stream `concertation-<uuid>`.

mod command;
mod decide;
mod event;
mod state;
#[cfg(test)]
mod tests;
mod types;

pub use command::{ConcertationCommand, CreateConcertation};
pub use event::ConcertationEvent;
pub use state::{Concertation, ConcertationSnapshot, ConcertationState};
pub use types::{ModerationMode, Phase, Question, QuestionKind};

use crate::aggregate::{Aggregate, StreamName};
use crate::values::ConcertationId;

/// The concertation aggregate.
pub struct ConcertationAggregate;

/// The stream of a concertation: `concertation-<uuid>`.
pub fn stream(id: ConcertationId) -> StreamName {
    StreamName::new(ConcertationAggregate::CATEGORY, id)
}

impl Aggregate for ConcertationAggregate {
    const CATEGORY: &'static str = "concertation";
    type State = ConcertationState;
    type Command = ConcertationCommand;
    type Event = ConcertationEvent;

    fn stream(command: &ConcertationCommand) -> StreamName {
        stream(command.id())
    }

    fn decide(
        state: &ConcertationState,
        command: ConcertationCommand,
        actor: &crate::Actor,
        now: time::OffsetDateTime,
    ) -> Result<Vec<ConcertationEvent>, crate::Rejection> {
        decide::decide(state, command, actor, now)
    }

    fn evolve(state: ConcertationState, event: &ConcertationEvent) -> ConcertationState {
        state::evolve(state, event)
    }
}
