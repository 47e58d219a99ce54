//! A realistic mix of domain events for the projections benchmark: one open
//! concertation; participants of the three kinds with real communes; statements,
//! proposals and opinions; votes (most of the volume), supports, reports and
//! moderation decisions. Deterministic for a given size.

use std::collections::BTreeSet;

use domain::ballot::{BallotEvent, Vote};
use domain::contribution::{
    CharterReason, ContributionBody, ContributionEvent, ContributionKind, ContributionStatus,
    ModerationDecision,
};
use domain::participant::{ParticipantEvent, ParticipantKind, VerificationLevel};
use domain::support::{Stance, SupportEvent};
use domain::territory::TerritoryCode;
use domain::testing::fixtures::{
    concertation_id, facilitator_id, open_question, opened, reason, statements_question, text,
};
use domain::values::{ContributionId, LanguageTag, ParticipantId, Siren};
use domain::{DomainEvent, Sealed, StreamName};
use eventstore::{Metadata, NewEvent};
use projections::codec::encode;
use time::OffsetDateTime;
use uuid::Uuid;

/// One commit to append: a stream and its events.
pub struct Commit {
    /// The stream.
    pub stream: eventstore::StreamName,
    /// Its events, in order.
    pub events: Vec<NewEvent>,
}

/// How many events of each kind a workload of `total` events holds.
pub struct Mix {
    /// Participants registered.
    pub participants: u64,
    /// Statements submitted.
    pub statements: u64,
    /// Proposals and opinions submitted.
    pub proposals: u64,
    /// Reports.
    pub reports: u64,
    /// Moderation decisions.
    pub moderations: u64,
    /// Supports.
    pub supports: u64,
    /// Votes (the rest).
    pub votes: u64,
}

impl Mix {
    /// The mix for `total` events.
    pub fn for_total(total: u64) -> Self {
        let participants = total / 50;
        let statements = total / 40;
        let proposals = total / 100;
        let reports = total / 100;
        let moderations = total / 100;
        let supports = total / 25;
        let fixed = opened().len() as u64
            + participants
            + statements
            + proposals
            + reports
            + moderations
            + supports;
        Self {
            participants,
            statements,
            proposals,
            reports,
            moderations,
            supports,
            votes: total.saturating_sub(fixed),
        }
    }
}

const COMMUNES: &[&str] = &[
    "COM:75056",
    "COM:69123",
    "COM:13055",
    "COM:31555",
    "COM:2A004",
    "COM:33063",
    "COM:59350",
    "COM:35238",
];

fn participant(n: u64) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0x5000_0000_0000 + n as u128))
}

fn contribution(n: u64) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0x6000_0000_0000 + n as u128))
}

fn envelope<E: DomainEvent>(event: &E, actor: &str) -> NewEvent {
    let metadata = Metadata {
        actor: Some(actor.to_owned()),
        correlation_id: Some(Uuid::now_v7()),
        ..Default::default()
    };
    encode(event, Uuid::now_v7(), metadata).expect("bench events encode")
}

fn store_stream(name: &StreamName) -> eventstore::StreamName {
    projections::codec::stream_name(name).expect("valid stream name")
}

/// A small deterministic generator (xorshift).
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// The workload's commits, in three phases: what must exist first (concertation,
/// participants, contributions), then the participation (votes, supports, reports,
/// moderation), each phase appendable concurrently across streams.
pub fn workload(total: u64) -> (Vec<Commit>, Vec<Commit>, Vec<Commit>) {
    let mix = Mix::for_total(total);
    let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("valid time");
    let mut dice = Dice(0x2545_F491_4F6C_DD1D);
    let mut setup = vec![Commit {
        stream: store_stream(&StreamName::new("concertation", concertation_id())),
        events: opened().iter().map(|e| envelope(e, "commission")).collect(),
    }];
    for n in 0..mix.participants {
        let kind = match n % 10 {
            0 => ParticipantKind::Entreprise {
                siren: Siren::parse("732829320").expect("valid"),
            },
            1 => ParticipantKind::AgentPublic {
                collectivite: Siren::parse("217500016").expect("valid"),
            },
            _ => ParticipantKind::Citoyen {
                commune: Some(TerritoryCode::parse(COMMUNES[(n % 8) as usize]).expect("valid")),
            },
        };
        let event = ParticipantEvent::ParticipantRegistered {
            id: participant(n),
            kind,
            verification: VerificationLevel::SelfDeclared,
            territory_list_year: 2026,
            at,
            secrets: Sealed::Erased,
        };
        setup.push(Commit {
            stream: store_stream(&domain::participant::stream(participant(n))),
            events: vec![envelope(&event, "participant")],
        });
    }
    let mut contributions = Vec::new();
    let body = "Les algorithmes utilisés par la collectivité doivent être publiés, expliqués et évalués avec les habitants.";
    for n in 0..mix.statements + mix.proposals {
        let (kind, question) = if n < mix.statements {
            (ContributionKind::Statement, statements_question())
        } else if n % 4 == 0 {
            (ContributionKind::Opinion, open_question())
        } else {
            (ContributionKind::Proposal, open_question())
        };
        let event = ContributionEvent::ContributionSubmitted {
            id: contribution(n),
            concertation: concertation_id(),
            question,
            kind,
            author: participant(dice.next(mix.participants)),
            parent: None,
            themes: BTreeSet::new(),
            language: LanguageTag::french(),
            amendment: None,
            status: ContributionStatus::Published,
            recorded: None,
            at,
            body: Sealed::Present(ContributionBody {
                text: text(body),
                proposed_text: None,
            }),
        };
        contributions.push(Commit {
            stream: store_stream(&StreamName::new("contribution", contribution(n))),
            events: vec![envelope(&event, "participant")],
        });
    }
    setup.extend(contributions);

    let mut participation = Vec::new();
    // Votes: each participant's ballot, in commits of up to eight votes.
    let per_participant = mix.votes.div_ceil(mix.participants.max(1));
    let mut left = mix.votes;
    for p in 0..mix.participants {
        let mut events = Vec::new();
        for _ in 0..per_participant.min(left) {
            let event = BallotEvent::VoteCast {
                participant: participant(p),
                question: statements_question(),
                statement: contribution(dice.next(mix.statements)),
                vote: [Vote::Agree, Vote::Disagree, Vote::Pass][dice.next(3) as usize],
                replaces: None,
                at,
            };
            events.push(envelope(&event, "participant"));
            left -= 1;
        }
        let stream = store_stream(&domain::ballot::stream(
            participant(p),
            statements_question(),
        ));
        for chunk in events.chunks(8) {
            participation.push(Commit {
                stream: stream.clone(),
                events: chunk.to_vec(),
            });
        }
    }
    for n in 0..mix.supports {
        let who = participant(n % mix.participants.max(1));
        let event = SupportEvent::SupportGiven {
            participant: who,
            contribution: contribution(mix.statements + dice.next(mix.proposals)),
            stance: if dice.next(5) == 0 {
                Stance::Oppose
            } else {
                Stance::Support
            },
            at,
        };
        participation.push(Commit {
            stream: store_stream(&domain::support::stream(who, concertation_id())),
            events: vec![envelope(&event, "participant")],
        });
    }
    let mut moderation = Vec::new();
    for n in 0..mix.reports {
        let target = contribution(dice.next(mix.statements + mix.proposals));
        let event = ContributionEvent::ContributionReported {
            id: target,
            reporter: participant(n % mix.participants.max(1)),
            reason: CharterReason::OffTopic,
            at,
            note: Sealed::Present(None),
        };
        moderation.push(Commit {
            stream: store_stream(&StreamName::new("contribution", target)),
            events: vec![envelope(&event, "participant")],
        });
    }
    for _ in 0..mix.moderations {
        let target = contribution(dice.next(mix.statements + mix.proposals));
        let decision = if dice.next(3) == 0 {
            ModerationDecision::Hide {
                reason: CharterReason::OffTopic,
            }
        } else {
            ModerationDecision::Feature
        };
        let event = ContributionEvent::ContributionModerated {
            id: target,
            facilitator: facilitator_id(),
            decision,
            note: reason("Décision de test"),
            at,
        };
        moderation.push(Commit {
            stream: store_stream(&StreamName::new("contribution", target)),
            events: vec![envelope(&event, "animateur")],
        });
    }
    (setup, participation, moderation)
}
