//! Participants: pseudonymous, created on their first contribution or vote, with
//! a kind, a verification level, a recovery code and sealed personal data.
//! Stream `participant-<uuid>`.

mod aggregate;
#[cfg(test)]
mod tests;
mod types;

pub use aggregate::{
    stream, Participant, ParticipantAggregate, ParticipantCommand, ParticipantEvent,
    ParticipantScope, ParticipantState,
};
pub use types::{ParticipantKind, PersonalData, VerificationLevel};
