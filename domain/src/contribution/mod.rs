//! Contributions: opinions, proposals, statements, amendments and threaded
//! comments, with their revisions, withdrawal, reports, moderation decisions,
//! appeal and the commission's answer. Stream `contribution-<uuid>`.
//!
//! The body is sealed under `contribution-<uuid>`: destroying that key removes
//! the text a court or the charter requires to remove, and the stream still folds.

mod command;
mod decide;
mod event;
mod moderation;
mod state;
#[cfg(test)]
mod tests;
mod types;

pub use command::{
    AmendmentDraft, ContributionCommand, ContributionView, ParentView, SubmitContribution,
};
pub use event::ContributionEvent;
pub use state::{AppealState, Contribution, ContributionState};
pub use types::{
    AmendmentAnchor, AmendmentOperation, AnswerOutcome, CharterReason, ContributionBody,
    ContributionKind, ContributionStatus, ErasureBasis, ModerationDecision, NoticeKind, Recording,
};

use crate::aggregate::{Aggregate, StreamName};
use crate::values::ContributionId;

/// The contribution aggregate.
pub struct ContributionAggregate;

/// The stream of a contribution: `contribution-<uuid>`.
pub fn stream(id: ContributionId) -> StreamName {
    StreamName::new(ContributionAggregate::CATEGORY, id)
}

impl Aggregate for ContributionAggregate {
    const CATEGORY: &'static str = "contribution";
    type State = ContributionState;
    type Command = ContributionCommand;
    type Event = ContributionEvent;

    fn stream(command: &ContributionCommand) -> StreamName {
        stream(command.id())
    }

    fn decide(
        state: &ContributionState,
        command: ContributionCommand,
        actor: &crate::Actor,
        now: time::OffsetDateTime,
    ) -> Result<Vec<ContributionEvent>, crate::Rejection> {
        decide::decide(state, command, actor, now)
    }

    fn evolve(state: ContributionState, event: &ContributionEvent) -> ContributionState {
        state::evolve(state, event)
    }
}
