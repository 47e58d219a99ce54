//! Named, deterministic test data: a collectivité, its commission, two assigned
//! facilitators, a configured concertation with one question of each kind, and
//! two participants, so tests read like the glossary ("given an open
//! concertation, when Alice submits an opinion…").

use crate::actor::Actor;
use crate::concertation::{
    ConcertationAggregate, ConcertationEvent, ConcertationSnapshot, ModerationMode, Phase,
    QuestionKind,
};
use crate::contribution::{
    ContributionKind, ContributionStatus, ContributionView, SubmitContribution,
};
use crate::testing::default_now;
use crate::values::*;
use crate::{aggregate::Aggregate, territory::TerritoryCode};
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The organising collectivité (Ville de Paris's SIREN).
pub fn collectivite() -> Siren {
    Siren::parse("217500016").expect("valid")
}

/// Another collectivité (Ajaccio).
pub fn other_collectivite() -> Siren {
    Siren::parse("212000046").expect("valid")
}

/// A commission member of the organising collectivité.
pub fn commission() -> Actor {
    Actor::Commission {
        id: StaffId::from_uuid(uuid(0xC1)),
        collectivite: collectivite(),
    }
}

/// A commission member of another collectivité.
pub fn foreign_commission() -> Actor {
    Actor::Commission {
        id: StaffId::from_uuid(uuid(0xC2)),
        collectivite: other_collectivite(),
    }
}

/// An administrator of the organising collectivité.
pub fn administrator() -> Actor {
    Actor::Administrator {
        id: StaffId::from_uuid(uuid(0xAD)),
        collectivite: collectivite(),
    }
}

/// The first assigned facilitator's id.
pub fn facilitator_id() -> StaffId {
    StaffId::from_uuid(uuid(0xF1))
}

/// The first assigned facilitator.
pub fn facilitator() -> Actor {
    Actor::Facilitator {
        id: facilitator_id(),
    }
}

/// The second assigned facilitator.
pub fn second_facilitator() -> Actor {
    Actor::Facilitator {
        id: StaffId::from_uuid(uuid(0xF2)),
    }
}

/// A facilitator not assigned to the concertation.
pub fn unassigned_facilitator() -> Actor {
    Actor::Facilitator {
        id: StaffId::from_uuid(uuid(0xF9)),
    }
}

/// Alice, a participant.
pub fn alice() -> ParticipantId {
    ParticipantId::from_uuid(uuid(0xA11CE))
}

/// Bob, another participant.
pub fn bob() -> ParticipantId {
    ParticipantId::from_uuid(uuid(0xB0B))
}

/// Acting as a participant.
pub fn as_participant(id: ParticipantId) -> Actor {
    Actor::Participant { id }
}

/// The concertation.
pub fn concertation_id() -> ConcertationId {
    ConcertationId::from_uuid(uuid(0x1000))
}

/// Its open question.
pub fn open_question() -> QuestionId {
    QuestionId::from_uuid(uuid(0x2001))
}

/// Its statements question.
pub fn statements_question() -> QuestionId {
    QuestionId::from_uuid(uuid(0x2002))
}

/// Its amendments question.
pub fn amendments_question() -> QuestionId {
    QuestionId::from_uuid(uuid(0x2003))
}

/// Its theme.
pub fn theme() -> ThemeId {
    ThemeId::from_uuid(uuid(0x3001))
}

/// The doctrine its amendments question targets.
pub fn doctrine_id() -> DoctrineId {
    DoctrineId::from_uuid(uuid(0x4001))
}

/// The scheduled opening: one day after [`default_now`].
pub fn opens_at() -> OffsetDateTime {
    default_now() + Duration::days(1)
}

/// The scheduled closing: thirty days after [`default_now`].
pub fn closes_at() -> OffsetDateTime {
    default_now() + Duration::days(30)
}

/// Parses a text fixture.
pub fn text(s: &str) -> ContributionText {
    ContributionText::parse(s).expect("valid text")
}

/// Parses a reason fixture.
pub fn reason(s: &str) -> Reason {
    Reason::parse(s).expect("valid reason")
}

/// The creation event of the concertation (a posteriori moderation).
pub fn created() -> ConcertationEvent {
    ConcertationEvent::ConcertationCreated {
        id: concertation_id(),
        slug: Slug::parse("ia-territoriale").expect("valid"),
        collectivite: collectivite(),
        title: Title::parse("L'IA dans notre territoire").expect("valid"),
        description: Description::parse("Une concertation de démonstration.").expect("valid"),
        territories: vec![TerritoryCode::parse("COM:75056").expect("valid")],
        territory_list_year: Some(2026),
        moderation: ModerationMode::APosteriori,
        opens_at: opens_at(),
        closes_at: closes_at(),
        by: commission().staff(),
    }
}

/// A draft with a theme, a question of each kind and two facilitators.
pub fn configured() -> Vec<ConcertationEvent> {
    use ConcertationEvent::*;
    vec![
        created(),
        ThemeAdded {
            theme: theme(),
            label: ThemeLabel::parse("Services publics").expect("valid"),
        },
        QuestionAdded {
            question: open_question(),
            kind: QuestionKind::Open,
            prompt: QuestionPrompt::parse("Que proposez-vous ?").expect("valid"),
        },
        QuestionAdded {
            question: statements_question(),
            kind: QuestionKind::Statements,
            prompt: QuestionPrompt::parse("Êtes-vous d'accord ?").expect("valid"),
        },
        QuestionAdded {
            question: amendments_question(),
            kind: QuestionKind::Amendments {
                doctrine: doctrine_id(),
            },
            prompt: QuestionPrompt::parse("Amendez la doctrine").expect("valid"),
        },
        FacilitatorAssigned {
            facilitator: facilitator_id(),
        },
        FacilitatorAssigned {
            facilitator: second_facilitator().staff().expect("staff"),
        },
    ]
}

/// The configured concertation, opened.
pub fn opened() -> Vec<ConcertationEvent> {
    let mut events = configured();
    events.push(ConcertationEvent::ConcertationOpened {
        at: opens_at(),
        scheduled: true,
    });
    events
}

/// The snapshot other aggregates see, in a given phase and moderation mode.
pub fn snapshot_in(phase: Phase, mode: ModerationMode) -> ConcertationSnapshot {
    let state = ConcertationAggregate::fold(&configured());
    let mut s = state.concertation.expect("created").snapshot();
    s.phase = phase;
    s.moderation = mode;
    s
}

/// The snapshot of the open concertation (a posteriori).
pub fn open_snapshot() -> ConcertationSnapshot {
    snapshot_in(Phase::Open, ModerationMode::APosteriori)
}

/// A submission with defaults: French, no theme, no parent, no session.
pub fn submission(
    id: ContributionId,
    kind: ContributionKind,
    question: QuestionId,
    author: ParticipantId,
) -> SubmitContribution {
    SubmitContribution {
        id,
        concertation: open_snapshot(),
        question,
        kind,
        author,
        parent: None,
        themes: BTreeSet::new(),
        language: LanguageTag::french(),
        text: text("Les algorithmes publics doivent être expliqués."),
        amendment: None,
        session: None,
    }
}

/// A published statement of the statements question, as the read model shows it.
pub fn statement_view(id: ContributionId) -> ContributionView {
    ContributionView {
        id,
        concertation: concertation_id(),
        question: statements_question(),
        kind: ContributionKind::Statement,
        status: ContributionStatus::Published,
        withdrawn: false,
        duplicate: false,
    }
}

/// A published proposal of the open question, as the read model shows it.
pub fn proposal_view(id: ContributionId) -> ContributionView {
    ContributionView {
        id,
        concertation: concertation_id(),
        question: open_question(),
        kind: ContributionKind::Proposal,
        status: ContributionStatus::Published,
        withdrawn: false,
        duplicate: false,
    }
}
