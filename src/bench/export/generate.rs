//! The concertation the export benchmark exports, as real domain events: one open
//! concertation (five themes, an open question, a statements question), participants
//! of the three kinds (most citizens with a commune), proposals, opinions, comments
//! threaded under proposals, statements, supports, statement votes with three planted
//! camps, moderation (approvals of pending contributions, hidden ones, featured ones,
//! reports), the commission's answers, and sessions with their minutes.
//!
//! Every item is a pure function of its number and the seed, so the workload is the
//! same whatever the order or the batching of the appends.

use std::collections::BTreeSet;

use domain::ballot::{BallotEvent, Vote};
use domain::concertation::ConcertationEvent;
use domain::contribution::{
    AnswerOutcome, CharterReason, ContributionBody, ContributionEvent, ContributionKind,
    ContributionStatus, ModerationDecision,
};
use domain::participant::{ParticipantEvent, ParticipantKind, PersonalData, VerificationLevel};
use domain::session::{SessionEvent, SessionMode};
use domain::support::{Stance, SupportEvent};
use domain::territory::TerritoryCode;
use domain::testing::fixtures::{
    concertation_id, configured, facilitator_id, open_question, opens_at, statements_question,
};
use domain::values::{
    ContributionId, ContributionText, Email, Justification, LanguageTag, Minutes, ParticipantId,
    Reason, SessionId, Siren, StaffId, ThemeId, ThemeLabel, Title,
};
use domain::{DomainEvent, Sealed, StreamName};
use eventstore::{Metadata, NewEvent};
use projections::codec::encode;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The concertation's slug (the fixtures').
pub const SLUG: &str = "ia-territoriale";

/// How many of each thing a workload holds.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    /// Participants registered.
    pub participants: u64,
    /// Proposals (open question).
    pub proposals: u64,
    /// Comments, threaded under proposals.
    pub comments: u64,
    /// Opinions (open question).
    pub opinions: u64,
    /// Statements (statements question).
    pub statements: u64,
    /// Supports and oppositions on proposals.
    pub supports: u64,
    /// Votes on statements.
    pub votes: u64,
    /// Sessions.
    pub sessions: u64,
}

impl Mix {
    /// The size of Decidim Barcelona's open-data export: about 12,000 proposals, 17,000
    /// comments and 4,400 meetings, with a statements question beside them.
    pub fn decidim() -> Self {
        Self {
            participants: 9_000,
            proposals: 12_000,
            comments: 17_000,
            opinions: 1_000,
            statements: 400,
            supports: 24_000,
            votes: 24_000,
            sessions: 4_400,
        }
    }

    /// 1,000,000 contributions in Decidim's proportions, with votes, supports,
    /// participants and sessions scaled alike; the statements stay at Polis's largest
    /// conversation's order (2,000), since statements are read and voted one by one.
    pub fn million() -> Self {
        Self {
            participants: 300_000,
            proposals: 400_000,
            comments: 560_000,
            opinions: 38_000,
            statements: 2_000,
            supports: 800_000,
            votes: 800_000,
            sessions: 145_000,
        }
    }

    /// Contributions of every kind.
    pub fn contributions(&self) -> u64 {
        self.proposals + self.comments + self.opinions + self.statements
    }

    /// Participants who vote on statements (one in three), each casting the same number.
    fn voters(&self) -> u64 {
        (self.participants / 3).max(1)
    }

    /// Participants who support proposals (one in two).
    fn supporters(&self) -> u64 {
        (self.participants / 2).max(1)
    }
}

/// One commit: a stream and its events, in order.
pub struct Commit {
    /// The stream.
    pub stream: eventstore::StreamName,
    /// Its events.
    pub events: Vec<NewEvent>,
}

/// The phases of the workload, appended one after the other (each only refers to what
/// an earlier one created); inside a phase, commits go to distinct streams and may be
/// appended concurrently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The concertation, alone.
    Concertation,
    /// Participants and sessions.
    People,
    /// Proposals, opinions and statements, with their moderation and answers.
    Contributions,
    /// Comments under proposals, with their moderation.
    Comments,
    /// Supports and statement votes.
    Participation,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 5] = [
        Phase::Concertation,
        Phase::People,
        Phase::Contributions,
        Phase::Comments,
        Phase::Participation,
    ];
}

/// The workload of one mix.
pub struct Workload {
    mix: Mix,
    seed: u64,
}

/// A small deterministic generator (splitmix64), seeded per item.
struct Dice(u64);

impl Dice {
    fn for_item(seed: u64, kind: u64, n: u64) -> Self {
        Self(
            seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n.wrapping_mul(0xBF58_476D_1CE4_E5B9),
        )
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
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
    "COM:44109",
    "COM:67482",
    "COM:34172",
    "COM:06088",
];

const THEMES: &[(u128, &str)] = &[
    (0x3002, "Mobilités"),
    (0x3003, "Éducation et jeunesse"),
    (0x3004, "Santé"),
    (0x3005, "Données publiques"),
];

/// Sentences that texts are made of: the register of a municipal consultation.
const SENTENCES: &[&str] = &[
    "Les algorithmes utilisés par la collectivité doivent être publiés, expliqués et évalués avec les habitants.",
    "Je propose qu'un comité citoyen tiré au sort suive chaque année les systèmes d'aide à la décision.",
    "Dans notre quartier, les horaires des bus ne correspondent plus aux besoins des familles ni des salariés.",
    "Il faudrait ouvrir les données des capteurs de qualité de l'air, rue par rue, sous licence ouverte.",
    "La cantine scolaire pourrait proposer davantage de produits locaux, en lien avec les agriculteurs du département.",
    "Les démarches en ligne excluent encore trop de personnes âgées : un accueil physique doit rester possible partout.",
    "Un registre public des traitements automatisés permettrait à chacun de savoir ce qui est décidé et pourquoi.",
    "Les pistes cyclables s'arrêtent brusquement aux carrefours les plus dangereux, il faut les prolonger.",
    "Nous demandons que les réunions publiques se tiennent aussi le soir et le samedi, avec une garde d'enfants.",
    "La médiathèque pourrait accueillir des ateliers sur le numérique et la protection de la vie privée.",
    "Avant tout déploiement de vidéosurveillance dite intelligente, une étude d'impact doit être rendue publique.",
    "Les agents publics doivent être formés pour expliquer les décisions prises avec l'aide d'un logiciel.",
    "Le budget participatif devrait réserver une part aux projets portés par les collégiens et les lycéens.",
    "Les associations de quartier connaissent le terrain : associons-les dès la conception des projets.",
    "Une carte interactive des travaux en cours, mise à jour chaque semaine, éviterait bien des frustrations.",
    "La rénovation énergétique des écoles doit passer avant de nouveaux équipements coûteux.",
    "Chaque réponse de la commission devrait être motivée et publiée dans un délai de trois mois.",
    "Les commerçants du centre-ville souhaitent être consultés sur le plan de circulation.",
];

/// Statements: short, Polis-style.
const STATEMENTS: &[&str] = &[
    "La ville doit publier le code source de ses logiciels.",
    "Un humain doit toujours pouvoir revoir une décision automatisée.",
    "Les données de mobilité peuvent être partagées si elles sont anonymisées.",
    "La reconnaissance faciale doit être interdite dans l'espace public.",
    "Les habitants doivent voter sur les grands projets numériques.",
    "Le numérique ne doit jamais remplacer le guichet.",
];

fn participant(n: u64) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0x5000_0000_0000 + u128::from(n)))
}

fn contribution(n: u64) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0x6000_0000_0000 + u128::from(n)))
}

fn session(n: u64) -> SessionId {
    SessionId::from_uuid(Uuid::from_u128(0x7000_0000_0000 + u128::from(n)))
}

fn commission_member() -> StaffId {
    StaffId::from_uuid(Uuid::from_u128(0xC1))
}

fn store_stream(name: &StreamName) -> eventstore::StreamName {
    projections::codec::stream_name(name).expect("valid stream name")
}

/// Text of `min..max` characters made of whole sentences (cut at a word if needed).
fn french_text(dice: &mut Dice, min: usize, max: usize) -> String {
    let target = min + dice.below((max - min) as u64) as usize;
    let mut text = String::with_capacity(target + 120);
    while text.chars().count() < target {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(SENTENCES[dice.below(SENTENCES.len() as u64) as usize]);
    }
    if text.chars().count() > max {
        let cut: String = text.chars().take(max).collect();
        let end = cut.rfind(' ').unwrap_or(cut.len());
        text = format!("{}.", cut[..end].trim_end_matches([',', ':', ' ']));
    }
    text
}

impl Workload {
    /// The workload of `mix`.
    pub fn new(mix: Mix) -> Self {
        Self {
            mix,
            seed: 0x2545_F491_4F6C_DD1D,
        }
    }

    /// How many commits a phase has (its items are numbered `0..len`).
    pub fn len(&self, phase: Phase) -> u64 {
        let m = &self.mix;
        match phase {
            Phase::Concertation => 1,
            Phase::People => m.participants + m.sessions,
            Phase::Contributions => m.statements + m.opinions + m.proposals,
            Phase::Comments => m.comments,
            Phase::Participation => m.supporters() + m.voters(),
        }
    }

    /// Commit number `n` of `phase`.
    pub fn commit(&self, phase: Phase, n: u64) -> Commit {
        let m = &self.mix;
        match phase {
            Phase::Concertation => self.concertation(),
            Phase::People if n < m.participants => self.participant(n),
            Phase::People => self.session(n - m.participants),
            Phase::Contributions => self.contribution(n),
            Phase::Comments => self.contribution(m.statements + m.opinions + m.proposals + n),
            Phase::Participation if n < m.supporters() => self.supports(n),
            Phase::Participation => self.ballot(n - m.supporters()),
        }
    }

    /// A time within the four weeks the concertation is open, from a day's number.
    fn at(&self, dice: &mut Dice) -> OffsetDateTime {
        opens_at() + Duration::seconds(dice.below(28 * 24 * 3600) as i64)
    }

    fn event_id(&self, kind: u64, n: u64, k: u64) -> Uuid {
        Uuid::from_u128((u128::from(kind) << 96) | (u128::from(n) << 16) | u128::from(k))
    }

    fn envelope<E: DomainEvent>(&self, event: &E, id: Uuid, actor: &str) -> NewEvent {
        let metadata = Metadata {
            actor: Some(actor.to_owned()),
            correlation_id: Some(id),
            ..Default::default()
        };
        encode(event, id, metadata).expect("bench events encode")
    }

    fn concertation(&self) -> Commit {
        let mut events = configured();
        for (id, label) in THEMES {
            events.push(ConcertationEvent::ThemeAdded {
                theme: ThemeId::from_uuid(Uuid::from_u128(*id)),
                label: ThemeLabel::parse(label).expect("valid"),
            });
        }
        events.push(ConcertationEvent::ConcertationOpened {
            at: opens_at(),
            scheduled: true,
        });
        Commit {
            stream: store_stream(&StreamName::new("concertation", concertation_id())),
            events: events
                .iter()
                .enumerate()
                .map(|(k, e)| self.envelope(e, self.event_id(1, 0, k as u64), "commission"))
                .collect(),
        }
    }

    fn participant(&self, n: u64) -> Commit {
        let mut dice = Dice::for_item(self.seed, 2, n);
        let kind = match dice.below(100) {
            0..=9 => ParticipantKind::Entreprise {
                siren: Siren::parse("732829320").expect("valid"),
            },
            10..=17 => ParticipantKind::AgentPublic {
                collectivite: Siren::parse("217500016").expect("valid"),
            },
            r => ParticipantKind::Citoyen {
                // One citizen in five declares no commune.
                commune: (r >= 35).then(|| {
                    TerritoryCode::parse(COMMUNES[dice.below(COMMUNES.len() as u64) as usize])
                        .expect("valid")
                }),
            },
        };
        let at = self.at(&mut dice);
        let registered = ParticipantEvent::ParticipantRegistered {
            id: participant(n),
            kind,
            verification: if dice.chance(20) {
                VerificationLevel::VerifiedByFacilitator
            } else {
                VerificationLevel::SelfDeclared
            },
            territory_list_year: 2026,
            at,
            secrets: Sealed::Erased,
        };
        // The personal data, sealed under the participant's key as the app does.
        let personal = ParticipantEvent::PersonalDataChanged {
            id: participant(n),
            personal: Sealed::Present(PersonalData {
                display_name: None,
                email: Some(Email::parse(&format!("habitant{n}@exemple.fr")).expect("valid")),
                contact: None,
            }),
        };
        Commit {
            stream: store_stream(&domain::participant::stream(participant(n))),
            events: vec![
                self.envelope(&registered, self.event_id(2, n, 0), "participant"),
                self.envelope(&personal, self.event_id(2, n, 1), "participant"),
            ],
        }
    }

    fn session(&self, n: u64) -> Commit {
        let mut dice = Dice::for_item(self.seed, 3, n);
        let starts_at = self.at(&mut dice);
        let mode = if dice.chance(30) {
            SessionMode::Online
        } else {
            SessionMode::InPerson {
                place: Title::parse(&format!("Mairie annexe n° {}", 1 + dice.below(40)))
                    .expect("valid"),
            }
        };
        let scheduled = SessionEvent::SessionScheduled {
            id: session(n),
            concertation: concertation_id(),
            title: Title::parse(&format!("Atelier de quartier n° {}", n + 1)).expect("valid"),
            mode,
            starts_at,
            by: facilitator_id(),
        };
        let mut events = vec![self.envelope(&scheduled, self.event_id(3, n, 0), "animateur")];
        // Most sessions have been held; their minutes are public.
        if dice.chance(80) {
            let opened = SessionEvent::SessionOpened {
                at: starts_at,
                by: facilitator_id(),
            };
            events.push(self.envelope(&opened, self.event_id(3, n, 1), "animateur"));
            if dice.chance(90) {
                let closed = SessionEvent::SessionClosed {
                    at: starts_at + Duration::hours(2),
                    by: facilitator_id(),
                    minutes: Minutes::parse(&french_text(&mut dice, 300, 600)).expect("valid"),
                };
                events.push(self.envelope(&closed, self.event_id(3, n, 2), "animateur"));
            }
        }
        Commit {
            stream: store_stream(&domain::session::stream(session(n))),
            events,
        }
    }

    /// Contribution `n`: statements first, then opinions, proposals and comments. Its
    /// commit holds its whole life: submission, reports, moderation, answer.
    fn contribution(&self, n: u64) -> Commit {
        let m = &self.mix;
        let mut dice = Dice::for_item(self.seed, 4, n);
        let (kind, question, parent, text) = if n < m.statements {
            let text = STATEMENTS[(n % STATEMENTS.len() as u64) as usize].to_owned();
            (
                ContributionKind::Statement,
                statements_question(),
                None,
                text,
            )
        } else if n < m.statements + m.opinions {
            let text = french_text(&mut dice, 300, 600);
            (ContributionKind::Opinion, open_question(), None, text)
        } else if n < m.statements + m.opinions + m.proposals {
            let text = french_text(&mut dice, 300, 600);
            (ContributionKind::Proposal, open_question(), None, text)
        } else {
            let proposal = m.statements + m.opinions + dice.below(m.proposals);
            let text = french_text(&mut dice, 120, 500);
            (
                ContributionKind::Comment,
                open_question(),
                Some(contribution(proposal)),
                text,
            )
        };
        let mut themes = BTreeSet::new();
        if kind != ContributionKind::Comment && kind != ContributionKind::Statement {
            for (id, _) in THEMES.iter().filter(|_| dice.chance(30)) {
                themes.insert(ThemeId::from_uuid(Uuid::from_u128(*id)));
            }
        }
        let at = self.at(&mut dice);
        // One in ten waits for a facilitator (recorded a priori in a session, say).
        let pending = dice.chance(10);
        let id = contribution(n);
        let submitted = ContributionEvent::ContributionSubmitted {
            id,
            concertation: concertation_id(),
            question,
            kind,
            author: participant(dice.below(m.participants)),
            parent,
            themes,
            language: LanguageTag::french(),
            amendment: None,
            status: if pending {
                ContributionStatus::Pending
            } else {
                ContributionStatus::Published
            },
            recorded: None,
            at,
            body: Sealed::Present(ContributionBody {
                text: ContributionText::parse(&text).expect("valid"),
                proposed_text: None,
            }),
        };
        let mut events = vec![self.envelope(&submitted, self.event_id(4, n, 0), "participant")];
        let mut k = 1;
        let mut later = |events: &mut Vec<NewEvent>, event: &ContributionEvent, actor: &str| {
            events.push(self.envelope(event, self.event_id(4, n, k), actor));
            k += 1;
        };
        let reported = dice.chance(4);
        if reported {
            let report = ContributionEvent::ContributionReported {
                id,
                reporter: participant(dice.below(m.participants)),
                reason: CharterReason::OffTopic,
                at: at + Duration::hours(3),
                note: Sealed::Present(Some(
                    Reason::parse("Hors sujet, cela concerne une autre commune.").expect("valid"),
                )),
            };
            later(&mut events, &report, "participant");
        }
        let decision = if pending {
            dice.chance(90).then_some(ModerationDecision::Approve)
        } else if (reported && dice.chance(50)) || dice.chance(2) {
            Some(ModerationDecision::Hide {
                reason: [
                    CharterReason::OffTopic,
                    CharterReason::Spam,
                    CharterReason::Insult,
                ][dice.below(3) as usize],
            })
        } else if dice.chance(1) {
            Some(ModerationDecision::Feature)
        } else {
            None
        };
        let hidden = matches!(decision, Some(ModerationDecision::Hide { .. }));
        if let Some(decision) = decision {
            let note = match decision {
                ModerationDecision::Approve => "Conforme à la charte.",
                ModerationDecision::Feature => "Mise en avant : proposition très discutée.",
                _ => "Masquée au titre de la charte de participation.",
            };
            let moderated = ContributionEvent::ContributionModerated {
                id,
                facilitator: facilitator_id(),
                decision,
                note: Reason::parse(note).expect("valid"),
                at: at + Duration::hours(6),
            };
            later(&mut events, &moderated, "animateur");
        }
        // The commission answers one visible proposal in five.
        if kind == ContributionKind::Proposal && !hidden && dice.chance(20) {
            let answered = ContributionEvent::CommissionAnswered {
                id,
                outcome: [
                    AnswerOutcome::Adopted,
                    AnswerOutcome::AdoptedWithChanges,
                    AnswerOutcome::Rejected,
                ][dice.below(3) as usize],
                justification: Justification::parse(&french_text(&mut dice, 150, 400))
                    .expect("valid"),
                by: commission_member(),
                at: opens_at() + Duration::days(29),
            };
            later(&mut events, &answered, "commission");
        }
        Commit {
            stream: store_stream(&StreamName::new("contribution", id)),
            events,
        }
    }

    /// Supporter `n`'s supports, on distinct proposals, in one commit.
    fn supports(&self, n: u64) -> Commit {
        let m = &self.mix;
        let mut dice = Dice::for_item(self.seed, 5, n);
        let who = participant(n * 2);
        let count = m.supports / m.supporters();
        let start = dice.below(m.proposals);
        let events = (0..count)
            .map(|j| {
                let proposal = m.statements + m.opinions + (start + j * 7919) % m.proposals;
                let event = SupportEvent::SupportGiven {
                    participant: who,
                    contribution: contribution(proposal),
                    stance: if dice.chance(15) {
                        Stance::Oppose
                    } else {
                        Stance::Support
                    },
                    at: self.at(&mut dice),
                };
                self.envelope(&event, self.event_id(5, n, j), "participant")
            })
            .collect();
        Commit {
            stream: store_stream(&domain::support::stream(who, concertation_id())),
            events,
        }
    }

    /// Voter `n`'s votes, on distinct statements, in one commit. Voters fall in three
    /// camps that agree with one statement in three and disagree with the next, so the
    /// opinion groups have something to find.
    fn ballot(&self, n: u64) -> Commit {
        let m = &self.mix;
        let mut dice = Dice::for_item(self.seed, 6, n);
        let who = participant(n * 3 + 1);
        let count = m.votes / m.voters();
        let start = dice.below(m.statements);
        let camp = n % 3;
        let events = (0..count)
            .map(|j| {
                let statement = (start + j * 7919) % m.statements;
                let vote = if dice.chance(20) {
                    [Vote::Agree, Vote::Disagree, Vote::Pass][dice.below(3) as usize]
                } else if statement % 3 == camp {
                    Vote::Agree
                } else if (statement + 1) % 3 == camp {
                    Vote::Disagree
                } else {
                    Vote::Pass
                };
                let event = BallotEvent::VoteCast {
                    participant: who,
                    question: statements_question(),
                    statement: contribution(statement),
                    vote,
                    replaces: None,
                    at: self.at(&mut dice),
                };
                self.envelope(&event, self.event_id(6, n, j), "participant")
            })
            .collect();
        Commit {
            stream: store_stream(&domain::ballot::stream(who, statements_question())),
            events,
        }
    }
}
