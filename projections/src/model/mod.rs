//! The main read model: concertations, participants, contributions, votes and tallies,
//! supports, reports and moderation, folded from domain events.
//!
//! [`ReadModel::apply`] is the projection logic, written once: the memory target keeps
//! the model itself, the PostgreSQL target applies the same events to its model and
//! writes the rows they touched ([`Touched`]). Events are facts: `apply` never fails;
//! an event about something the model does not know (a gap a rebuild would fill) is
//! skipped and counted.

pub mod body_spill;
pub mod ordered_rows;
pub mod queries;
pub mod rows;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::ballot::{BallotEvent, Vote};
use domain::concertation::{ConcertationEvent, Phase};
use domain::contribution::{ContributionEvent, ModerationDecision};
use domain::participant::{ParticipantEvent, ParticipantKind};
use domain::session::SessionEvent;
use domain::support::{Stance, SupportEvent};
use domain::values::{ConcertationId, ContributionId, ParticipantId};
use eventstore::{Position, RecordedEvent};

use crate::codec::AnyEvent;
use ordered_rows::OrderedRows;
use rows::*;

/// What one event changed, so a database target writes only those rows.
#[derive(Debug, Default)]
pub struct Touched {
    /// Concertations whose row changed.
    pub concertations: BTreeSet<ConcertationId>,
    /// Contributions whose row changed.
    pub contributions: BTreeSet<ContributionId>,
    /// Participants whose row changed.
    pub participants: BTreeSet<ParticipantId>,
    /// Votes (participant, statement) whose value changed.
    pub votes: BTreeSet<(ParticipantId, ContributionId)>,
    /// Statements whose tally changed.
    pub tallies: BTreeSet<ContributionId>,
    /// How many moderation entries were added at the end of the log.
    pub moderation_entries: usize,
}

/// The read model. Fields are public for the queries and targets of this crate.
#[derive(Debug, Default)]
pub struct ReadModel {
    /// Concertations by id.
    pub concertations: BTreeMap<ConcertationId, ConcertationRow>,
    /// Concertation ids by slug.
    pub slugs: HashMap<String, ConcertationId>,
    /// Participants by id.
    pub participants: HashMap<ParticipantId, ParticipantRow>,
    /// Contributions in submission order, found by id.
    pub contributions: OrderedRows<ContributionId, ContributionRow>,
    /// The latest vote per participant and statement.
    pub votes: HashMap<(ParticipantId, ContributionId), Vote>,
    /// Tallies per statement.
    pub tallies: HashMap<ContributionId, StatementTally>,
    /// Supports currently held, per (participant, contribution).
    pub supports: HashMap<(ParticipantId, ContributionId), Stance>,
    /// Every moderation decision, in log order.
    pub moderation_log: Vec<ModerationEntry>,
    /// Sessions by id, with their concertation, title, whether open, minutes.
    pub sessions: BTreeMap<domain::values::SessionId, SessionRow>,
    /// Events skipped because what they refer to is unknown here.
    pub skipped: u64,
    /// The last position applied.
    pub position: Option<Position>,
    /// Where bodies go instead of the rows, when set before the first event (an
    /// export's replay); `None` keeps them in the rows (the server's read model).
    pub body_spill: Option<body_spill::BodySpill>,
}

/// A session (séance, atelier).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SessionRow {
    /// Its id.
    pub id: domain::values::SessionId,
    /// The concertation.
    pub concertation: ConcertationId,
    /// Title.
    pub title: String,
    /// The place of an in-person session; `None` online.
    pub place: Option<String>,
    /// When it starts.
    pub starts_at: time::OffsetDateTime,
    /// Whether it is open now.
    pub open: bool,
    /// Minutes, once closed.
    pub minutes: Option<String>,
}

/// The proposed article text a body carries (amendments), unless erased.
fn proposed_text(body: &domain::Sealed<domain::contribution::ContributionBody>) -> Option<String> {
    body.present()
        .and_then(|b| b.proposed_text.as_ref())
        .map(|t| t.as_str().to_owned())
}

/// A body as a row keeps it: its text, or its place in `spill` when there is one.
fn keep_body(
    spill: Option<&mut body_spill::BodySpill>,
    body: &domain::Sealed<domain::contribution::ContributionBody>,
) -> Option<RowBody> {
    let text = body.present()?.text.as_str();
    Some(match spill {
        None => RowBody::Kept(text.to_owned()),
        Some(spill) => RowBody::Spilled(spill.put(text)),
    })
}

/// The id part of a stream name, as a UUID-based id.
fn id_of<T: std::str::FromStr>(event: &RecordedEvent) -> Option<T> {
    let name = event.stream().as_str();
    name.split_once('-').and_then(|(_, id)| id.parse().ok())
}

impl ReadModel {
    /// The current text of `c`'s body, from the row or from the spill; `None` once
    /// erased (or if the spill cannot give it back: see [`body_spill::BodySpill::error`]).
    pub fn body_text<'a>(&'a self, c: &'a ContributionRow) -> Option<Cow<'a, str>> {
        match c.body.as_ref()? {
            RowBody::Kept(text) => Some(Cow::Borrowed(text)),
            RowBody::Spilled(spilled) => self.body_spill.as_ref()?.get(*spilled).map(Cow::Owned),
        }
    }

    /// Applies one recorded event (decoded as `decoded`), returning what it touched.
    pub fn apply(&mut self, event: &RecordedEvent, decoded: &AnyEvent) -> Touched {
        let mut touched = Touched::default();
        self.position = Some(event.position());
        let known = match decoded {
            AnyEvent::Concertation(e) => match id_of(event) {
                Some(id) => self.apply_concertation(id, e, &mut touched),
                None => false,
            },
            AnyEvent::Participant(e) => self.apply_participant(e, &mut touched),
            AnyEvent::Contribution(e) => self.apply_contribution(event, e, &mut touched),
            AnyEvent::Ballot(e) => self.apply_ballot(e, &mut touched),
            AnyEvent::Supports(e) => self.apply_support(e, &mut touched),
            AnyEvent::Session(e) => match id_of(event) {
                Some(id) => self.apply_session(id, e),
                None => false,
            },
            AnyEvent::Slug(_) | AnyEvent::Doctrine(_) => true,
        };
        if !known {
            self.skipped += 1;
        }
        touched
    }

    fn apply_concertation(
        &mut self,
        id: ConcertationId,
        event: &ConcertationEvent,
        touched: &mut Touched,
    ) -> bool {
        use ConcertationEvent::*;
        if let ConcertationCreated {
            slug,
            collectivite,
            title,
            description,
            territories,
            moderation,
            opens_at,
            closes_at,
            ..
        } = event
        {
            self.slugs.insert(slug.as_str().to_owned(), id);
            self.concertations.insert(
                id,
                ConcertationRow {
                    id,
                    slug: slug.as_str().to_owned(),
                    collectivite: collectivite.as_str().to_owned(),
                    title: title.as_str().to_owned(),
                    description: description.as_str().to_owned(),
                    territories: territories.iter().map(|t| t.as_str().to_owned()).collect(),
                    phase: Phase::Draft,
                    moderation: *moderation,
                    opens_at: *opens_at,
                    closes_at: *closes_at,
                    themes: Vec::new(),
                    questions: Vec::new(),
                    facilitators: BTreeSet::new(),
                    participants: BTreeSet::new(),
                    contribution_count: 0,
                    vote_count: 0,
                    synthesis: None,
                },
            );
            touched.concertations.insert(id);
            return true;
        }
        let Some(row) = self.concertations.get_mut(&id) else {
            return false;
        };
        match event {
            ConcertationCreated { .. } => unreachable!("handled above"),
            DetailsEdited {
                title,
                description,
                territories,
                ..
            } => {
                row.title = title.as_str().to_owned();
                row.description = description.as_str().to_owned();
                row.territories = territories.iter().map(|t| t.as_str().to_owned()).collect();
            }
            ThemeAdded { theme, label } => row.themes.push(ThemeRow {
                id: *theme,
                label: label.as_str().to_owned(),
            }),
            QuestionAdded {
                question,
                kind,
                prompt,
            } => row.questions.push(QuestionRow {
                id: *question,
                kind: kind.clone(),
                prompt: prompt.as_str().to_owned(),
            }),
            ModerationModeChanged { mode } => row.moderation = *mode,
            Rescheduled {
                opens_at,
                closes_at,
            } => {
                row.opens_at = *opens_at;
                row.closes_at = *closes_at;
            }
            FacilitatorAssigned { facilitator } => {
                row.facilitators.insert(*facilitator);
            }
            FacilitatorUnassigned { facilitator } => {
                row.facilitators.remove(facilitator);
            }
            ConcertationOpened { .. } => row.phase = Phase::Open,
            ConcertationClosed { .. } | ConcertationClosedEarly { .. } => row.phase = Phase::Closed,
            ConcertationExtended { closes_at, .. } => row.closes_at = *closes_at,
            SynthesisPublished { summary, .. } => {
                row.phase = Phase::SynthesisPublished;
                row.synthesis = Some(summary.as_str().to_owned());
            }
            ConcertationArchived { .. } => row.phase = Phase::Archived,
        }
        touched.concertations.insert(id);
        true
    }

    fn apply_participant(&mut self, event: &ParticipantEvent, touched: &mut Touched) -> bool {
        match event {
            ParticipantEvent::ParticipantRegistered {
                id,
                kind,
                verification,
                ..
            } => {
                let (kind, commune) = match kind {
                    ParticipantKind::Citoyen { commune } => (
                        ParticipantKindRow::Citoyen,
                        commune.as_ref().map(|c| c.as_str().to_owned()),
                    ),
                    ParticipantKind::Entreprise { .. } => (ParticipantKindRow::Entreprise, None),
                    ParticipantKind::AgentPublic { .. } => (ParticipantKindRow::AgentPublic, None),
                };
                self.participants.insert(
                    *id,
                    ParticipantRow {
                        id: *id,
                        kind,
                        territories: commune
                            .as_deref()
                            .map(queries::territories_of)
                            .unwrap_or_default(),
                        commune,
                        verification: *verification,
                        erased: false,
                    },
                );
                touched.participants.insert(*id);
                true
            }
            ParticipantEvent::ParticipantVerified { id, level, .. } => {
                self.update_participant(*id, touched, |p| p.verification = *level)
            }
            ParticipantEvent::ErasureRequested { id, .. } => {
                self.update_participant(*id, touched, |p| p.erased = true)
            }
            ParticipantEvent::PersonalDataChanged { id, .. }
            | ParticipantEvent::RecoveryCodeRotated { id, .. } => {
                self.participants.contains_key(id)
            }
        }
    }

    fn update_participant(
        &mut self,
        id: ParticipantId,
        touched: &mut Touched,
        change: impl FnOnce(&mut ParticipantRow),
    ) -> bool {
        let Some(row) = self.participants.get_mut(&id) else {
            return false;
        };
        change(row);
        touched.participants.insert(id);
        true
    }

    fn note_participation(
        &mut self,
        concertation: ConcertationId,
        participant: ParticipantId,
        touched: &mut Touched,
    ) {
        if let Some(row) = self.concertations.get_mut(&concertation) {
            if row.participants.insert(participant) {
                touched.concertations.insert(concertation);
            }
        }
    }

    fn apply_contribution(
        &mut self,
        recorded: &RecordedEvent,
        event: &ContributionEvent,
        touched: &mut Touched,
    ) -> bool {
        use ContributionEvent::*;
        if let ContributionSubmitted {
            id,
            concertation,
            question,
            kind,
            author,
            parent,
            themes,
            language,
            amendment,
            status,
            recorded: in_session,
            at,
            body,
            ..
        } = event
        {
            let status = match status {
                domain::contribution::ContributionStatus::Pending => ContributionStatusRow::Pending,
                domain::contribution::ContributionStatus::Published => {
                    ContributionStatusRow::Published
                }
                domain::contribution::ContributionStatus::Hidden => ContributionStatusRow::Hidden {
                    reason: domain::contribution::CharterReason::Other,
                },
            };
            let kept = keep_body(self.body_spill.as_mut(), body);
            self.contributions.insert(
                *id,
                ContributionRow {
                    id: *id,
                    concertation: *concertation,
                    question: *question,
                    kind: *kind,
                    author: *author,
                    parent: *parent,
                    themes: themes.clone(),
                    language: language.as_str().to_owned(),
                    body: kept,
                    proposed_text: proposed_text(body),
                    status,
                    featured: false,
                    revisions: 0,
                    supports: 0,
                    oppositions: 0,
                    reports: 0,
                    report_reasons: BTreeMap::new(),
                    appeal_pending: false,
                    appeal_granted: None,
                    answer: None,
                    recorded_in_session: in_session.is_some(),
                    amendment: amendment.clone().map(Box::new),
                    submitted_at: *at,
                    position: recorded.position(),
                },
            );

            touched.contributions.insert(*id);
            if let Some(row) = self.concertations.get_mut(concertation) {
                row.contribution_count += 1;
                touched.concertations.insert(*concertation);
            }
            self.note_participation(*concertation, *author, touched);
            return true;
        }
        let id = match event {
            ContributionSubmitted { .. } => unreachable!("handled above"),
            ContributionRevised { id, .. }
            | ContributionWithdrawn { id, .. }
            | ContributionReported { id, .. }
            | ContributionModerated { id, .. }
            | AuthorNotified { id, .. }
            | AppealFiled { id, .. }
            | AppealDecided { id, .. }
            | ContributionBodyErased { id, .. }
            | CommissionAnswered { id, .. } => *id,
        };
        let Some(row) = self.contributions.get_mut(&id) else {
            return false;
        };
        match event {
            ContributionSubmitted { .. } => unreachable!("handled above"),
            ContributionRevised { revision, body, .. } => {
                row.revisions = *revision;
                row.body = keep_body(self.body_spill.as_mut(), body);
                row.proposed_text = proposed_text(body);
            }
            ContributionWithdrawn { .. } => row.status = ContributionStatusRow::Withdrawn,
            ContributionReported { reason, .. } => {
                row.reports += 1;
                *row.report_reasons.entry(*reason).or_default() += 1;
            }
            ContributionModerated {
                facilitator,
                decision,
                note,
                at,
                ..
            } => {
                match decision {
                    ModerationDecision::Approve | ModerationDecision::Restore => {
                        row.status = ContributionStatusRow::Published
                    }
                    ModerationDecision::Hide { reason } => {
                        row.status = ContributionStatusRow::Hidden { reason: *reason }
                    }
                    ModerationDecision::MarkDuplicate { of } => {
                        row.status = ContributionStatusRow::Duplicate { of: *of }
                    }
                    ModerationDecision::TagThemes { themes } => {
                        row.themes.extend(themes.iter().copied())
                    }
                    ModerationDecision::Feature => row.featured = true,
                }
                self.moderation_log.push(ModerationEntry {
                    contribution: id,
                    facilitator: *facilitator,
                    decision: decision.clone(),
                    note: note.as_str().to_owned(),
                    at: *at,
                });
                touched.moderation_entries += 1;
            }
            AuthorNotified { .. } => return true,
            AppealFiled { .. } => row.appeal_pending = true,
            AppealDecided { granted, .. } => {
                row.appeal_pending = false;
                row.appeal_granted = Some(*granted);
                if *granted {
                    row.status = ContributionStatusRow::Published;
                }
            }
            ContributionBodyErased { .. } => row.body = None,
            CommissionAnswered {
                outcome,
                justification,
                ..
            } => {
                row.answer = Some(AnswerRow {
                    outcome: *outcome,
                    justification: justification.as_str().to_owned(),
                });
            }
        }
        touched.contributions.insert(id);
        true
    }

    fn apply_ballot(&mut self, event: &BallotEvent, touched: &mut Touched) -> bool {
        let BallotEvent::VoteCast {
            participant,
            statement,
            vote,
            ..
        } = event;
        let voter = self.participants.get(participant);
        let kind = voter.map(|p| p.kind);
        let territories = voter.map_or(&[][..], |p| p.territories.as_slice());
        let previous = self.votes.insert((*participant, *statement), *vote);
        let tally = self.tallies.entry(*statement).or_default();
        for (cast, delta) in previous.map(|p| (p, -1)).into_iter().chain([(*vote, 1)]) {
            tally.overall.count(cast, delta);
            if let Some(kind) = kind {
                tally.by_kind.entry(kind).or_default().count(cast, delta);
            }
            for territory in territories {
                tally
                    .by_territory
                    .entry(territory.clone())
                    .or_default()
                    .count(cast, delta);
            }
        }
        touched.votes.insert((*participant, *statement));
        touched.tallies.insert(*statement);
        if let Some(concertation) = self.contributions.get(statement).map(|c| c.concertation) {
            if previous.is_none() {
                if let Some(row) = self.concertations.get_mut(&concertation) {
                    row.vote_count += 1;
                    touched.concertations.insert(concertation);
                }
            }
            self.note_participation(concertation, *participant, touched);
        }
        true
    }

    fn apply_support(&mut self, event: &SupportEvent, touched: &mut Touched) -> bool {
        let (participant, contribution, stance, delta) = match event {
            SupportEvent::SupportGiven {
                participant,
                contribution,
                stance,
                ..
            } => (*participant, *contribution, *stance, 1i64),
            SupportEvent::SupportWithdrawn {
                participant,
                contribution,
                stance,
                ..
            } => (*participant, *contribution, *stance, -1),
        };
        if delta > 0 {
            self.supports.insert((participant, contribution), stance);
        } else {
            self.supports.remove(&(participant, contribution));
        }
        let Some(row) = self.contributions.get_mut(&contribution) else {
            return false;
        };
        let counter = match stance {
            Stance::Support => &mut row.supports,
            Stance::Oppose => &mut row.oppositions,
        };
        *counter = counter.saturating_add_signed(delta);
        let concertation = row.concertation;
        touched.contributions.insert(contribution);
        self.note_participation(concertation, participant, touched);
        true
    }

    fn apply_session(&mut self, id: domain::values::SessionId, event: &SessionEvent) -> bool {
        match event {
            SessionEvent::SessionScheduled {
                concertation,
                title,
                mode,
                starts_at,
                ..
            } => {
                self.sessions.insert(
                    id,
                    SessionRow {
                        id,
                        concertation: *concertation,
                        title: title.as_str().to_owned(),
                        place: match mode {
                            domain::session::SessionMode::InPerson { place } => {
                                Some(place.as_str().to_owned())
                            }
                            domain::session::SessionMode::Online => None,
                        },
                        starts_at: *starts_at,
                        open: false,
                        minutes: None,
                    },
                );
                true
            }
            SessionEvent::SessionOpened { .. } => {
                self.sessions.get_mut(&id).map(|s| s.open = true).is_some()
            }
            SessionEvent::SessionClosed { minutes, .. } => self
                .sessions
                .get_mut(&id)
                .map(|s| {
                    s.open = false;
                    s.minutes = Some(minutes.as_str().to_owned());
                })
                .is_some(),
        }
    }
}
