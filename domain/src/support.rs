//! Supports: one participant's supports and oppositions on the proposals and
//! amendments of one concertation. Stream `supports-<participant>-<concertation>`.
//!
//! Per participant, like ballots, so popular proposals never contend; the
//! stream enforces one support per participant and contribution.

use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::concertation::ConcertationSnapshot;
use crate::contribution::{ContributionStatus, ContributionView};
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::values::{ConcertationId, ContributionId, ParticipantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// For or against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Soutien.
    Support,
    /// Opposition.
    Oppose,
}

/// A command on a participant's supports.
#[derive(Debug, Clone, PartialEq)]
pub enum SupportCommand {
    /// Supports or opposes a proposal or an amendment.
    Give {
        /// The participant.
        participant: ParticipantId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The target, as the read model knows it.
        target: ContributionView,
        /// For or against.
        stance: Stance,
    },
    /// Withdraws the support given to a contribution.
    Withdraw {
        /// The participant.
        participant: ParticipantId,
        /// The concertation, as folded just before.
        concertation: ConcertationSnapshot,
        /// The target.
        target: ContributionId,
    },
}

impl SupportCommand {
    fn keys(&self) -> (ParticipantId, ConcertationId) {
        match self {
            SupportCommand::Give { participant, concertation, .. }
            | SupportCommand::Withdraw { participant, concertation, .. } => (*participant, concertation.id),
        }
    }
}

/// What happened to a participant's supports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum SupportEvent {
    /// A support (or opposition) was given.
    SupportGiven {
        /// The participant.
        participant: ParticipantId,
        /// The target.
        contribution: ContributionId,
        /// For or against.
        stance: Stance,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// It was withdrawn.
    SupportWithdrawn {
        /// The participant.
        participant: ParticipantId,
        /// The target.
        contribution: ContributionId,
        /// The stance withdrawn (so tallies can subtract it).
        stance: Stance,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(SupportEvent { SupportGiven, SupportWithdrawn });

impl DomainEvent for SupportEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}

/// Current stance per contribution.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SupportState {
    /// Stance by contribution.
    pub stances: BTreeMap<ContributionId, Stance>,
}

/// The support aggregate.
pub struct Supports;

/// The stream of a participant's supports in a concertation.
pub fn stream(participant: ParticipantId, concertation: ConcertationId) -> StreamName {
    StreamName::new(Supports::CATEGORY, format!("{participant}-{concertation}"))
}

impl Aggregate for Supports {
    const CATEGORY: &'static str = "supports";
    type State = SupportState;
    type Command = SupportCommand;
    type Event = SupportEvent;

    fn stream(command: &SupportCommand) -> StreamName {
        let (p, c) = command.keys();
        stream(p, c)
    }

    fn decide(state: &SupportState, command: SupportCommand, actor: &Actor, now: OffsetDateTime) -> Result<Vec<SupportEvent>, Rejection> {
        match command {
            SupportCommand::Give { participant, concertation, target, stance } => {
                actor.require_participant(participant, "action.participate")?;
                concertation.require_open()?;
                if !target.kind.is_answerable() || target.concertation != concertation.id {
                    return Err(Rejection::NotAnswerable);
                }
                if target.withdrawn {
                    return Err(Rejection::Withdrawn);
                }
                if target.status == ContributionStatus::Hidden {
                    return Err(Rejection::StatementUnavailable);
                }
                if state.stances.contains_key(&target.id) {
                    return Err(Rejection::AlreadySupported);
                }
                Ok(vec![SupportEvent::SupportGiven { participant, contribution: target.id, stance, at: now }])
            }
            SupportCommand::Withdraw { participant, concertation, target } => {
                actor.require_participant(participant, "action.participate")?;
                concertation.require_open()?;
                let stance = *state.stances.get(&target).ok_or(Rejection::NoSupport)?;
                Ok(vec![SupportEvent::SupportWithdrawn { participant, contribution: target, stance, at: now }])
            }
        }
    }

    fn evolve(mut state: SupportState, event: &SupportEvent) -> SupportState {
        match event {
            SupportEvent::SupportGiven { contribution, stance, .. } => {
                state.stances.insert(*contribution, *stance);
            }
            SupportEvent::SupportWithdrawn { contribution, .. } => {
                state.stances.remove(contribution);
            }
        }
        state
    }
}
