//! Maps a read Polis export to the commits that import it: a pure, deterministic function
//! (the same export and options give the same events with the same ids; only the sealed
//! recovery-code hashes, which nobody can use, come from the caller).
//!
//! The concertation (slug, creation, its one statements question, a posteriori
//! moderation, opened at the first Polis timestamp, an import facilitator), then, in
//! timestamp order, each participant at their first activity, each statement at its
//! time, every vote; then the moderation outcomes; then the closing.
//!
//! What the domain lets the system or the original author decide is decided by the
//! domain (`decide`): the slug, the opening and closing, the registrations, the votes
//! (so a repeated identical vote appends nothing and a changed one says what it
//! replaces), the moderation decisions. What only staff may do (creating the
//! concertation, adding its question, assigning the import's facilitator) and the
//! statements (Polis allows longer statements than Concerto's 280 characters) are
//! written as the events `decide` would give, and every stream is folded with its
//! aggregate's `evolve`, whose states feed the later decisions.
//!
//! Polis's `moderated` maps onto Concerto's statuses: statements are submitted
//! pending (Polis's 0, "not reviewed"), then approved (1) or hidden (−1) by the
//! import's facilitator after the last vote, so the outcome survives a round trip.

use std::collections::BTreeMap;

use domain::ballot::{Ballot, BallotState, CastVote, Vote};
use domain::concertation::{
    ConcertationAggregate, ConcertationCommand, ConcertationEvent, ConcertationSnapshot,
    ConcertationState, ModerationMode, QuestionKind,
};
use domain::contribution::{
    CharterReason, ContributionAggregate, ContributionBody, ContributionCommand, ContributionEvent,
    ContributionKind, ContributionState, ContributionStatus, ContributionView, ModerationDecision,
};
use domain::participant::{
    ParticipantAggregate, ParticipantCommand, ParticipantKind, PersonalData,
};
use domain::slug_reservation::{ReserveSlug, SlugReservation, SlugState};
use domain::territory::{reference, TerritoryCode};
use domain::values::{
    ConcertationId, ContributionId, Description, LanguageTag, ParticipantId, QuestionId,
    QuestionPrompt, Reason, Siren, Slug, StaffId, TextHash, Title,
};
use domain::{Actor, Aggregate, DomainEvent, Lang, Sealed};
use eventstore::{derived_event_id, Metadata, NewEvent};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::read::{Moderated, PolisExport};
use super::PolisImportError;
use crate::codec;

/// The scope of every id the import derives.
const ID_SCOPE: &str = "polis-import";

/// Most events one commit gathers (far below the store's commit size limit).
const MAX_MERGED: usize = 256;

/// The metadata key of the original Polis ids.
pub const EXTERNAL: &str = "polis";

/// Who owns the imported concertation, and its address.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The concertation's slug.
    pub slug: Slug,
    /// The organising collectivité.
    pub collectivite: Siren,
    /// Its territory scope.
    pub territories: Vec<TerritoryCode>,
}

/// One append: events for one stream, expected at `first_revision`.
#[derive(Clone, Debug)]
pub struct PlannedCommit {
    /// The stream.
    pub stream: domain::StreamName,
    /// The revision of the first event (0: the stream must not exist yet).
    pub first_revision: u64,
    /// The envelopes, ids derived from the Polis ids.
    pub events: Vec<NewEvent>,
}

/// Everything an import appends, in order.
#[derive(Clone, Debug)]
pub struct ImportPlan {
    /// The concertation created.
    pub concertation: ConcertationId,
    /// Its statements question.
    pub question: QuestionId,
    /// Its slug.
    pub slug: Slug,
    /// The commits, in append order.
    pub commits: Vec<PlannedCommit>,
    /// Participants registered.
    pub participants: usize,
    /// Statements submitted.
    pub statements: usize,
    /// Vote events (a repeated identical vote gives none).
    pub votes: usize,
    /// Votes of the export that repeat the participant's current vote.
    pub repeated_votes: usize,
}

/// The facilitator account id the imported moderation decisions are attributed to.
pub fn import_facilitator() -> StaffId {
    StaffId::from_uuid(derived_event_id(ID_SCOPE, "facilitator"))
}

/// The ids of one imported conversation, derived from its slug and its Polis address.
struct Ids {
    scope: String,
}

impl Ids {
    fn uuid(&self, what: &str) -> Uuid {
        derived_event_id(ID_SCOPE, &format!("{}\u{1f}{what}", self.scope))
    }
    fn participant(&self, polis: u64) -> ParticipantId {
        ParticipantId::from_uuid(self.uuid(&format!("participant\u{1f}{polis}")))
    }
    fn statement(&self, polis: u64) -> ContributionId {
        ContributionId::from_uuid(self.uuid(&format!("comment\u{1f}{polis}")))
    }
}

/// Appends the commits, tracking each stream's next revision.
struct Writer<'a> {
    ids: &'a Ids,
    metadata: Metadata,
    revisions: BTreeMap<String, u64>,
    commits: Vec<PlannedCommit>,
}

impl Writer<'_> {
    /// Adds one commit of `events` to `stream`; `key` names it among the import's
    /// commits (event ids derive from it), `external` goes in the metadata.
    fn commit<E: DomainEvent>(
        &mut self,
        stream: domain::StreamName,
        events: &[E],
        key: &str,
        external: Option<Value>,
    ) -> Result<(), PolisImportError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut metadata = self.metadata.clone();
        if let Some(external) = external {
            metadata.extra.insert(EXTERNAL.to_owned(), external);
        }
        let envelopes = events
            .iter()
            .enumerate()
            .map(|(i, event)| {
                codec::encode(
                    event,
                    self.ids.uuid(&format!("event\u{1f}{key}\u{1f}{i}")),
                    metadata.clone(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next = self.revisions.entry(stream.to_string()).or_insert(0);
        let first_revision = *next;
        *next += envelopes.len() as u64;
        // Consecutive events of one stream (a participant voting on several statements
        // in a row) share a commit: the log's order is unchanged, and the file log
        // synchronises once for them instead of once per vote.
        if let Some(last) = self.commits.last_mut() {
            if last.stream == stream && last.events.len() + envelopes.len() <= MAX_MERGED {
                last.events.extend(envelopes);
                return Ok(());
            }
        }
        self.commits.push(PlannedCommit {
            stream,
            first_revision,
            events: envelopes,
        });
        Ok(())
    }
}

fn at(millis: i64) -> Result<OffsetDateTime, PolisImportError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|e| PolisImportError::Refused(format!("horodatage {millis} : {e}")))
}

fn decide<A: Aggregate>(
    state: &A::State,
    command: A::Command,
    actor: &Actor,
    now: OffsetDateTime,
    what: &str,
) -> Result<Vec<A::Event>, PolisImportError> {
    A::decide(state, command, actor, now)
        .map_err(|r| PolisImportError::Refused(format!("{what} : {}", r.message(Lang::Fr))))
}

fn fold<A: Aggregate>(state: A::State, events: &[A::Event]) -> A::State {
    events.iter().fold(state, A::evolve)
}

/// Cuts a text to `max` characters, for Polis titles longer than Concerto's.
fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn refused(what: &str, rejection: domain::Rejection) -> PolisImportError {
    PolisImportError::Refused(format!("{what} : {}", rejection.message(Lang::Fr)))
}

/// Where a timeline item comes in the import: time, then participants before their
/// statements before the votes, then a stable tie-break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Participant(u64),
    Statement(usize),
    Vote(usize),
}

/// Plans the import of `export`; `recovery` gives each participant's (unusable,
/// sealed) recovery-code hash.
pub fn plan(
    export: &PolisExport,
    options: &ImportOptions,
    recovery: &mut dyn FnMut() -> TextHash,
) -> Result<ImportPlan, PolisImportError> {
    if export.comments.is_empty() {
        return Err(PolisImportError::Refused(
            "comments.csv : aucun commentaire, rien à importer".into(),
        ));
    }
    let url = export.summary_value("url").unwrap_or_default().to_owned();
    let ids = Ids {
        scope: format!("{}\u{1f}{url}", options.slug),
    };
    let concertation = ConcertationId::from_uuid(ids.uuid("concertation"));
    let question = QuestionId::from_uuid(ids.uuid("question"));
    let facilitator = import_facilitator();
    let run = ids.uuid("run");
    let mut writer = Writer {
        ids: &ids,
        metadata: Metadata {
            correlation_id: Some(run),
            causation_id: Some(run),
            actor: Some("system".into()),
            ..Default::default()
        },
        revisions: BTreeMap::new(),
        commits: Vec::new(),
    };

    let times = export
        .comments
        .iter()
        .map(|c| c.timestamp_ms)
        .chain(export.votes.iter().map(|v| v.timestamp_ms));
    let first = times.clone().min().unwrap_or_default();
    let last = times.max().unwrap_or_default();
    let opens_at = at(first)?;
    // The closing comes just after the last vote: every vote falls before it.
    let closes_at = at(last + 1)?;

    // The slug, then the concertation.
    let reserved = decide::<SlugReservation>(
        &SlugState::default(),
        ReserveSlug {
            slug: options.slug.clone(),
            concertation,
        },
        &Actor::System,
        opens_at,
        "réservation de l'adresse",
    )?;
    writer.commit(
        domain::slug_reservation::stream(&options.slug),
        &reserved,
        "slug",
        None,
    )?;
    let topic = export.summary_value("topic");
    let title = Title::parse(&clip(
        topic.unwrap_or("Conversation Polis importée"),
        Title::MAX_CHARS,
    ))
    .map_err(|r| refused("summary.csv, topic", r))?;
    let mut description = export
        .summary_value("conversation-description")
        .map(str::to_owned)
        .unwrap_or_else(|| "Conversation Polis importée.".to_owned());
    if !url.is_empty() {
        description.push_str(&format!("\n\nSource : {url} (Polis, données ouvertes)."));
    }
    let description = Description::parse(&clip(&description, Description::MAX_CHARS))
        .map_err(|r| refused("summary.csv, conversation-description", r))?;
    let prompt = QuestionPrompt::parse(&clip(
        topic.unwrap_or("Réagissez aux propositions : d'accord, pas d'accord, ou passer."),
        QuestionPrompt::MAX_CHARS,
    ))
    .map_err(|r| refused("summary.csv, topic", r))?;
    let mut territories = options.territories.clone();
    territories.sort();
    territories.dedup();
    let setup = vec![
        ConcertationEvent::ConcertationCreated {
            id: concertation,
            slug: options.slug.clone(),
            collectivite: options.collectivite.clone(),
            title,
            description,
            territories,
            territory_list_year: Some(reference().year()),
            moderation: ModerationMode::APosteriori,
            opens_at,
            closes_at,
            by: None,
        },
        ConcertationEvent::QuestionAdded {
            question,
            kind: QuestionKind::Statements,
            prompt,
        },
        ConcertationEvent::FacilitatorAssigned { facilitator },
    ];
    let mut concertation_state =
        fold::<ConcertationAggregate>(ConcertationState::default(), &setup);
    let opened = decide::<ConcertationAggregate>(
        &concertation_state,
        ConcertationCommand::Open { id: concertation },
        &Actor::System,
        opens_at,
        "ouverture",
    )?;
    concertation_state = fold::<ConcertationAggregate>(concertation_state, &opened);
    let setup: Vec<ConcertationEvent> = setup.into_iter().chain(opened).collect();
    let summary: serde_json::Map<String, Value> = export
        .summary
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    writer.commit(
        domain::concertation::stream(concertation),
        &setup,
        "concertation",
        Some(json!({ "conversation": url, "summary": summary })),
    )?;
    let snapshot = concertation_snapshot(&concertation_state)?;

    // The timeline.
    let mut first_activity: BTreeMap<u64, i64> = BTreeMap::new();
    let mut first_vote: BTreeMap<u64, i64> = BTreeMap::new();
    for c in &export.comments {
        let t = first_activity.entry(c.author).or_insert(c.timestamp_ms);
        *t = (*t).min(c.timestamp_ms);
    }
    for v in &export.votes {
        let t = first_activity.entry(v.voter).or_insert(v.timestamp_ms);
        *t = (*t).min(v.timestamp_ms);
        let t = first_vote.entry(v.comment).or_insert(v.timestamp_ms);
        *t = (*t).min(v.timestamp_ms);
    }
    let mut timeline: Vec<(i64, Item)> = Vec::new();
    timeline.extend(
        first_activity
            .iter()
            .map(|(&p, &t)| (t, Item::Participant(p))),
    );
    timeline.extend(export.comments.iter().enumerate().map(|(i, c)| {
        // A statement comes before its first vote even if Polis dated it later.
        let t = first_vote
            .get(&c.id)
            .map_or(c.timestamp_ms, |&v| v.min(c.timestamp_ms));
        (t, Item::Statement(i))
    }));
    timeline.extend(
        export
            .votes
            .iter()
            .enumerate()
            .map(|(i, v)| (v.timestamp_ms, Item::Vote(i))),
    );
    timeline.sort();

    let language = LanguageTag::parse("und").unwrap_or_else(|_| LanguageTag::french());
    let mut statements: BTreeMap<u64, ContributionState> = BTreeMap::new();
    let mut ballots: BTreeMap<u64, BallotState> = BTreeMap::new();
    let mut occurrences: BTreeMap<(u64, u64, i64), u32> = BTreeMap::new();
    let (mut n_votes, mut repeated) = (0, 0);
    for (_, item) in timeline {
        match item {
            Item::Participant(polis) => {
                let id = ids.participant(polis);
                let events = decide::<ParticipantAggregate>(
                    &Default::default(),
                    ParticipantCommand::Register {
                        id,
                        kind: ParticipantKind::Citoyen { commune: None },
                        recovery_code_hash: recovery(),
                        personal: PersonalData::default(),
                    },
                    &Actor::System,
                    at(first_activity[&polis])?,
                    &format!("participant {polis}"),
                )?;
                writer.commit(
                    domain::participant::stream(id),
                    &events,
                    &format!("participant\u{1f}{polis}"),
                    Some(json!({ "participant-id": polis })),
                )?;
            }
            Item::Statement(index) => {
                let c = &export.comments[index];
                let id = ids.statement(c.id);
                let event = ContributionEvent::ContributionSubmitted {
                    id,
                    concertation,
                    question,
                    kind: ContributionKind::Statement,
                    author: ids.participant(c.author),
                    parent: None,
                    themes: Default::default(),
                    language: language.clone(),
                    amendment: None,
                    status: ContributionStatus::Pending,
                    recorded: None,
                    at: at(c.timestamp_ms)?,
                    body: Sealed::Present(ContributionBody {
                        text: c.body.clone(),
                        proposed_text: None,
                    }),
                };
                let events = [event];
                statements.insert(
                    c.id,
                    fold::<ContributionAggregate>(ContributionState::default(), &events),
                );
                writer.commit(
                    domain::contribution::stream(id),
                    &events,
                    &format!("comment\u{1f}{}", c.id),
                    Some(json!({ "comment-id": c.id, "author-id": c.author })),
                )?;
            }
            Item::Vote(index) => {
                let v = export.votes[index];
                let participant = ids.participant(v.voter);
                let view = statements
                    .get(&v.comment)
                    .and_then(|s| s.contribution.as_ref())
                    .map(ContributionView::of)
                    .ok_or_else(|| {
                        PolisImportError::Refused(format!("commentaire {} inconnu", v.comment))
                    })?;
                let vote = match v.vote {
                    1 => Vote::Agree,
                    -1 => Vote::Disagree,
                    _ => Vote::Pass,
                };
                let ballot = ballots.entry(v.voter).or_default();
                let events = decide::<Ballot>(
                    ballot,
                    CastVote {
                        participant,
                        concertation: snapshot.clone(),
                        question,
                        statement: view,
                        vote,
                    },
                    &Actor::Participant { id: participant },
                    at(v.timestamp_ms)?,
                    &format!(
                        "votes.csv : vote de {} sur le commentaire {} à {}",
                        v.voter, v.comment, v.timestamp_ms
                    ),
                )?;
                if events.is_empty() {
                    repeated += 1;
                    continue;
                }
                n_votes += events.len();
                *ballot = fold::<Ballot>(std::mem::take(ballot), &events);
                let n = occurrences
                    .entry((v.voter, v.comment, v.timestamp_ms))
                    .or_insert(0);
                *n += 1;
                writer.commit(
                    domain::ballot::stream(participant, question),
                    &events,
                    &format!(
                        "vote\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{n}",
                        v.voter, v.comment, v.timestamp_ms
                    ),
                    None,
                )?;
            }
        }
    }

    // The moderation outcomes, after the last vote, in comment-id order.
    let moderated_at = at(last)?;
    let mut by_id: Vec<_> = export.comments.iter().collect();
    by_id.sort_by_key(|c| c.id);
    for c in by_id {
        let decision = match c.moderated {
            Moderated::Pending => continue,
            Moderated::Accepted => ModerationDecision::Approve,
            Moderated::Hidden => ModerationDecision::Hide {
                reason: CharterReason::Other,
            },
        };
        let note = Reason::parse(&format!(
            "Décision de modération importée de Polis (moderated = {}).",
            c.moderated.value()
        ))
        .map_err(|r| refused("note de modération", r))?;
        let id = ids.statement(c.id);
        let state = statements.remove(&c.id).unwrap_or_default();
        let events = decide::<ContributionAggregate>(
            &state,
            ContributionCommand::Moderate {
                id,
                concertation: snapshot.clone(),
                decision,
                note,
                duplicate_of: None,
            },
            &Actor::Facilitator { id: facilitator },
            moderated_at,
            &format!("comments.csv : modération du commentaire {}", c.id),
        )?;
        writer.commit(
            domain::contribution::stream(id),
            &events,
            &format!("moderation\u{1f}{}", c.id),
            Some(json!({ "comment-id": c.id, "moderated": c.moderated.value() })),
        )?;
    }

    let closed = decide::<ConcertationAggregate>(
        &concertation_state,
        ConcertationCommand::Close { id: concertation },
        &Actor::System,
        closes_at,
        "clôture",
    )?;
    writer.commit(
        domain::concertation::stream(concertation),
        &closed,
        "close",
        None,
    )?;

    Ok(ImportPlan {
        concertation,
        question,
        slug: options.slug.clone(),
        commits: writer.commits,
        participants: first_activity.len(),
        statements: export.comments.len(),
        votes: n_votes,
        repeated_votes: repeated,
    })
}

fn concertation_snapshot(
    state: &ConcertationState,
) -> Result<ConcertationSnapshot, PolisImportError> {
    state
        .concertation
        .as_ref()
        .map(|c| c.snapshot())
        .ok_or_else(|| PolisImportError::Refused("concertation non créée".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polis_interop::read::parse;

    const COMMENTS: &str =
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
        1000,x,0,7,1,0,1,First statement\n\
        2000,x,1,8,0,1,-1,Second statement\n\
        3000,x,2,7,0,0,0,Third statement\n";
    const VOTES: &str = "timestamp,datetime,comment-id,voter-id,vote\n\
        2600,x,0,8,0\n\
        1500,x,0,7,1\n\
        2500,x,1,8,-1\n\
        2700,x,0,8,0\n\
        2800,x,0,8,1\n";

    fn options() -> ImportOptions {
        ImportOptions {
            slug: Slug::parse("polis-test").unwrap(),
            collectivite: domain::demo::demo_collectivite(),
            territories: vec![TerritoryCode::parse("FR").unwrap()],
        }
    }

    fn planned() -> ImportPlan {
        let export = parse(COMMENTS, Some(VOTES), None, Some("url,https://pol.is/x\n")).unwrap();
        plan(&export, &options(), &mut || TextHash::of("x")).unwrap()
    }

    fn types(plan: &ImportPlan) -> Vec<String> {
        plan.commits
            .iter()
            .flat_map(|c| c.events.iter().map(|e| e.event_type.clone()))
            .collect()
    }

    #[test]
    fn the_plan_is_in_time_order_and_moderation_comes_after_the_votes() {
        let plan = planned();
        assert_eq!(
            types(&plan),
            [
                "SlugReserved",
                "ConcertationCreated",
                "QuestionAdded",
                "FacilitatorAssigned",
                "ConcertationOpened",
                "ParticipantRegistered", // 7 at 1000
                "ContributionSubmitted", // 0 at 1000
                "VoteCast",              // 7 on 0 at 1500
                "ParticipantRegistered", // 8 at 2000
                "ContributionSubmitted", // 1 at 2000
                "VoteCast",              // 8 on 1 at 2500
                "VoteCast",              // 8 on 0 at 2600 (pass)
                "VoteCast",              // 8 on 0 at 2800 (agree; 2700 repeats the pass)
                "ContributionSubmitted", // 2 at 3000
                "ContributionModerated",
                "AuthorNotified",
                "ContributionModerated",
                "AuthorNotified",
                "ConcertationClosed",
            ]
        );
        assert_eq!((plan.participants, plan.statements), (2, 3));
        assert_eq!((plan.votes, plan.repeated_votes), (4, 1));
        let changed = plan
            .commits
            .iter()
            .flat_map(|c| &c.events)
            .filter(|e| e.event_type == "VoteCast")
            .map(|e| (e.data["vote"].clone(), e.data["replaces"].clone()))
            .next_back();
        assert_eq!(changed, Some((json!("agree"), json!("pass"))));
        let times: Vec<String> = plan
            .commits
            .iter()
            .flat_map(|c| &c.events)
            .filter(|e| e.event_type == "VoteCast")
            .map(|e| e.data["at"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            times,
            [
                "1970-01-01T00:00:01.5Z",
                "1970-01-01T00:00:02.5Z",
                "1970-01-01T00:00:02.6Z",
                "1970-01-01T00:00:02.8Z"
            ]
        );
    }

    #[test]
    fn the_same_export_gives_the_same_ids_and_revisions() {
        let (a, b) = (planned(), planned());
        let key = |p: &ImportPlan| -> Vec<(String, u64, Vec<Uuid>)> {
            p.commits
                .iter()
                .map(|c| {
                    (
                        c.stream.to_string(),
                        c.first_revision,
                        c.events.iter().map(|e| e.id).collect(),
                    )
                })
                .collect()
        };
        assert_eq!(key(&a), key(&b));
        assert_eq!(a.concertation, b.concertation);
        // Another slug is another concertation with other ids.
        let export = parse(COMMENTS, Some(VOTES), None, Some("url,https://pol.is/x\n")).unwrap();
        let other = plan(
            &export,
            &ImportOptions {
                slug: Slug::parse("polis-autre").unwrap(),
                ..options()
            },
            &mut || TextHash::of("x"),
        )
        .unwrap();
        assert_ne!(other.concertation, a.concertation);
        assert!(key(&other)
            .iter()
            .zip(key(&a))
            .all(|(x, y)| x.2.iter().all(|id| !y.2.contains(id))));
    }

    #[test]
    fn consecutive_votes_of_one_participant_share_a_commit() {
        let plan = planned();
        let ballots: Vec<usize> = plan
            .commits
            .iter()
            .filter(|c| c.stream.category() == "ballot")
            .map(|c| c.events.len())
            .collect();
        // 7 at 1500; 8 at 2500, 2600 and 2800 in a row (2700 repeats the pass).
        assert_eq!(ballots, [1, 3]);
    }

    #[test]
    fn revisions_follow_each_stream() {
        let plan = planned();
        let mut next: BTreeMap<String, u64> = BTreeMap::new();
        for c in &plan.commits {
            let n = next.entry(c.stream.to_string()).or_insert(0);
            assert_eq!(c.first_revision, *n, "{}", c.stream);
            *n += c.events.len() as u64;
        }
        // setup (4 events + opening), then the closing
        assert_eq!(
            next[&domain::concertation::stream(plan.concertation).to_string()],
            5
        );
    }

    #[test]
    fn external_ids_are_kept_in_the_metadata() {
        let plan = planned();
        let submitted: Vec<&Value> = plan
            .commits
            .iter()
            .flat_map(|c| &c.events)
            .filter(|e| e.event_type == "ContributionSubmitted")
            .map(|e| &e.metadata.extra[EXTERNAL])
            .collect();
        assert_eq!(submitted[1], &json!({"comment-id": 1, "author-id": 8}));
        assert!(plan
            .commits
            .iter()
            .flat_map(|c| &c.events)
            .all(|e| e.metadata.actor.as_deref() == Some("system")));
    }
}
