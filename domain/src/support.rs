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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
            SupportCommand::Give {
                participant,
                concertation,
                ..
            }
            | SupportCommand::Withdraw {
                participant,
                concertation,
                ..
            } => (*participant, concertation.id),
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

crate::event_types!(SupportEvent {
    SupportGiven,
    SupportWithdrawn
});

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

    fn decide(
        state: &SupportState,
        command: SupportCommand,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<SupportEvent>, Rejection> {
        match command {
            SupportCommand::Give {
                participant,
                concertation,
                target,
                stance,
            } => {
                actor.require_participant(participant, "action.participate")?;
                concertation.require_open(now)?;
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
                Ok(vec![SupportEvent::SupportGiven {
                    participant,
                    contribution: target.id,
                    stance,
                    at: now,
                }])
            }
            SupportCommand::Withdraw {
                participant,
                concertation,
                target,
            } => {
                actor.require_participant(participant, "action.participate")?;
                concertation.require_open(now)?;
                let stance = *state.stances.get(&target).ok_or(Rejection::NoSupport)?;
                Ok(vec![SupportEvent::SupportWithdrawn {
                    participant,
                    contribution: target,
                    stance,
                    at: now,
                }])
            }
        }
    }

    fn evolve(mut state: SupportState, event: &SupportEvent) -> SupportState {
        match event {
            SupportEvent::SupportGiven {
                contribution,
                stance,
                ..
            } => {
                state.stances.insert(*contribution, *stance);
            }
            SupportEvent::SupportWithdrawn { contribution, .. } => {
                state.stances.remove(contribution);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concertation::{ModerationMode, Phase};
    use crate::testing::fixtures::*;
    use crate::testing::given;

    fn target() -> ContributionId {
        ContributionId::from_uuid(uuid::Uuid::from_u128(0x8001))
    }

    fn give(stance: Stance) -> SupportCommand {
        SupportCommand::Give {
            participant: alice(),
            concertation: open_snapshot(),
            target: proposal_view(target()),
            stance,
        }
    }

    fn withdraw() -> SupportCommand {
        SupportCommand::Withdraw {
            participant: alice(),
            concertation: open_snapshot(),
            target: target(),
        }
    }

    #[test]
    fn one_support_per_participant_and_contribution_withdrawable() {
        let given_support = given::<Supports>([])
            .by(as_participant(alice()))
            .when(give(Stance::Support))
            .then_accepted();
        given::<Supports>(given_support.clone())
            .by(as_participant(alice()))
            .when(give(Stance::Oppose))
            .then_rejected(Rejection::AlreadySupported);
        let mut withdrawn = given_support.clone();
        withdrawn.extend(
            given::<Supports>(given_support)
                .by(as_participant(alice()))
                .when(withdraw())
                .then_accepted(),
        );
        given::<Supports>(withdrawn.clone())
            .by(as_participant(alice()))
            .when(withdraw())
            .then_rejected(Rejection::NoSupport);
        given::<Supports>(withdrawn)
            .by(as_participant(alice()))
            .when(give(Stance::Oppose))
            .then_accepted();
    }

    #[test]
    fn only_proposals_and_amendments_visible_and_open() {
        let mut c = give(Stance::Support);
        if let SupportCommand::Give { target: t, .. } = &mut c {
            *t = statement_view(target());
        }
        given::<Supports>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected(Rejection::NotAnswerable);
        let mut c = give(Stance::Support);
        if let SupportCommand::Give { target: t, .. } = &mut c {
            t.withdrawn = true;
        }
        given::<Supports>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected(Rejection::Withdrawn);
        let mut c = give(Stance::Support);
        if let SupportCommand::Give { concertation, .. } = &mut c {
            *concertation = snapshot_in(Phase::Closed, ModerationMode::APosteriori);
        }
        given::<Supports>([])
            .by(as_participant(alice()))
            .when(c)
            .then_rejected_with("concertation.wrong_phase");
        given::<Supports>([])
            .by(as_participant(bob()))
            .when(give(Stance::Support))
            .then_rejected(Rejection::NotAuthor);
    }

    #[test]
    fn no_support_given_or_withdrawn_once_the_closing_time_has_come() {
        let late = closes_at() + time::Duration::hours(1);
        given::<Supports>([])
            .by(as_participant(alice()))
            .at(closes_at() - time::Duration::seconds(1))
            .when(give(Stance::Support))
            .then_accepted();
        given::<Supports>([])
            .by(as_participant(alice()))
            .at(closes_at())
            .when(give(Stance::Support))
            .then_rejected(Rejection::ClosingPassed);
        let supported = given::<Supports>([])
            .by(as_participant(alice()))
            .when(give(Stance::Support))
            .then_accepted();
        given::<Supports>(supported.clone())
            .by(as_participant(alice()))
            .when(withdraw())
            .then_accepted();
        given::<Supports>(supported)
            .by(as_participant(alice()))
            .at(late)
            .when(withdraw())
            .then_rejected(Rejection::ClosingPassed);
    }

    #[test]
    fn the_stream_is_per_participant_and_concertation() {
        assert_eq!(
            Supports::stream(&give(Stance::Support)).as_str(),
            format!("supports-{}-{}", alice(), concertation_id())
        );
    }
}
