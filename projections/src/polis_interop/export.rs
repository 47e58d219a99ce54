//! Writes a concertation's statements question in Polis's export format: `comments.csv`,
//! `votes.csv`, `participants-votes.csv` (with `group-id` from Concerto's opinion groups)
//! and `summary.csv`.
//!
//! The conversation is folded straight from the event log (no read model needed, so the
//! command works on a stopped server's data): statements and votes of the question, and
//! the original Polis ids kept in the metadata of imported events. Participants and
//! statements that did not come from Polis get fresh numbers after the largest Polis id,
//! in order of first appearance, so an import followed by an export gives back the same
//! vote matrix, cell for cell.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use domain::ballot::{BallotEvent, Vote};
use domain::concertation::{ConcertationEvent, QuestionKind};
use domain::contribution::{ContributionEvent, ContributionKind, ContributionStatus};
use domain::participant::ParticipantEvent;
use domain::values::{ContributionId, ParticipantId, QuestionId, Slug};
use eventstore::{EventStore, ReadFrom, RecordedEvent, StreamFilter};
use serde_json::Value;
use time::OffsetDateTime;

use super::plan::EXTERNAL;
use super::read::{COMMENTS, MATRIX, MATRIX_FIXED, SUMMARY, VOTES};
use super::PolisImportError;
use crate::codec::{AnyEvent, DecodeError};
use crate::opinion_groups::{self, OpinionGroups, Parameters, VoteSetBuilder};

const PAGE: usize = 2_000;

/// One statement of the exported question.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedStatement {
    /// Its Polis `comment-id`.
    pub comment_id: u64,
    /// Its author's Polis `participant`.
    pub author_id: u64,
    /// When it was submitted.
    pub at: OffsetDateTime,
    /// Its text (`None`: erased).
    pub text: Option<String>,
    /// Polis's `moderated`: 1 published, 0 pending, −1 hidden.
    pub moderated: i8,
}

/// One vote event, in log order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExportedVote {
    /// When.
    pub at: OffsetDateTime,
    /// `comment-id`.
    pub comment_id: u64,
    /// `voter-id`.
    pub voter_id: u64,
    /// 1, −1 or 0.
    pub vote: i8,
}

/// A statements question as Polis sees a conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    /// The concertation's title (`topic`).
    pub topic: String,
    /// Its description.
    pub description: String,
    /// The Polis address it was imported from, if any.
    pub url: Option<String>,
    /// The original `summary.csv` values kept at import (views…).
    pub original_summary: BTreeMap<String, String>,
    /// The statements, by comment id.
    pub statements: BTreeMap<u64, ExportedStatement>,
    /// Every vote event, in log order.
    pub votes: Vec<ExportedVote>,
}

impl Conversation {
    /// The latest vote per (participant, comment), as Polis's matrix.
    pub fn matrix(&self) -> BTreeMap<(u64, u64), i8> {
        self.votes
            .iter()
            .map(|v| ((v.voter_id, v.comment_id), v.vote))
            .collect()
    }

    /// The opinion groups of the conversation (participants keyed by their Polis id).
    pub fn groups(&self, parameters: &Parameters) -> OpinionGroups {
        let mut builder = VoteSetBuilder::new();
        for ((voter, comment), vote) in self.matrix() {
            if let Some(vote) = opinion_groups::Vote::from_value(i64::from(vote)) {
                builder.vote(&voter.to_string(), &comment.to_string(), vote);
            }
        }
        for s in self.statements.values().filter(|s| s.moderated == -1) {
            builder.hide(&s.comment_id.to_string());
        }
        opinion_groups::compute(&builder.build(), parameters)
    }
}

fn external(event: &RecordedEvent, key: &str) -> Option<u64> {
    event
        .record
        .event
        .metadata
        .extra
        .get(EXTERNAL)
        .and_then(|v| v.get(key))
        .and_then(Value::as_u64)
}

/// Numbers Concerto ids the Polis way: original ids first, fresh ones after the largest.
struct Numbering<K: Ord> {
    original: BTreeMap<K, u64>,
    assigned: BTreeMap<K, u64>,
    seen: BTreeSet<K>,
    order: Vec<K>,
}

impl<K: Ord + Copy> Numbering<K> {
    fn new() -> Self {
        Self {
            original: BTreeMap::new(),
            assigned: BTreeMap::new(),
            seen: BTreeSet::new(),
            order: Vec::new(),
        }
    }

    /// Records a key in order of first appearance (Polis ids are known by then: a
    /// registration or a submission precedes every use).
    fn saw(&mut self, key: K) {
        if !self.original.contains_key(&key) && self.seen.insert(key) {
            self.order.push(key);
        }
    }
    fn finish(&mut self) {
        let first = self.original.values().max().map_or(0, |m| m + 1);
        for (number, key) in (first..).zip(std::mem::take(&mut self.order)) {
            self.assigned.insert(key, number);
        }
    }
    fn get(&self, key: &K) -> u64 {
        self.original
            .get(key)
            .or_else(|| self.assigned.get(key))
            .copied()
            .unwrap_or_default()
    }
}

struct Submitted {
    author: ParticipantId,
    at: OffsetDateTime,
    text: Option<String>,
    status: ContributionStatus,
}

/// Folds the statements question of the concertation `slug` from the log.
pub async fn collect(store: &EventStore, slug: &Slug) -> Result<Conversation, PolisImportError> {
    let mut concertation = None;
    let mut question: Option<QuestionId> = None;
    let mut topic = String::new();
    let mut description = String::new();
    let mut url = None;
    let mut original_summary = BTreeMap::new();
    let mut participants: Numbering<ParticipantId> = Numbering::new();
    let mut comments: Numbering<ContributionId> = Numbering::new();
    let mut submitted: BTreeMap<ContributionId, Submitted> = BTreeMap::new();
    let mut order: Vec<ContributionId> = Vec::new();
    let mut votes: Vec<(OffsetDateTime, ParticipantId, ContributionId, Vote)> = Vec::new();

    let mut from = ReadFrom::Start;
    loop {
        let page = store.read_all(from, &StreamFilter::All, PAGE).await?;
        let Some(last) = page.last() else { break };
        from = ReadFrom::After(last.position());
        for event in &page {
            let decoded = match AnyEvent::decode(event) {
                Ok(decoded) => decoded,
                Err(DecodeError::UnknownCategory(_)) => continue,
                Err(e) => {
                    return Err(PolisImportError::Refused(format!(
                        "événement illisible à la position {} : {e}",
                        event.position()
                    )))
                }
            };
            match decoded {
                AnyEvent::Concertation(ConcertationEvent::ConcertationCreated {
                    id,
                    slug: s,
                    title,
                    description: d,
                    ..
                }) if &s == slug => {
                    concertation = Some(id);
                    topic = title.as_str().to_owned();
                    description = d.as_str().to_owned();
                    if let Some(polis) = event.record.event.metadata.extra.get(EXTERNAL) {
                        url = polis
                            .get("conversation")
                            .and_then(Value::as_str)
                            .filter(|u| !u.is_empty())
                            .map(str::to_owned);
                        if let Some(Value::Object(summary)) = polis.get("summary") {
                            original_summary = summary
                                .iter()
                                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                                .collect();
                        }
                    }
                }
                AnyEvent::Concertation(ConcertationEvent::QuestionAdded {
                    question: q,
                    kind: QuestionKind::Statements,
                    ..
                }) if question.is_none()
                    && concertation.is_some_and(|c| {
                        event.stream().as_str() == domain::concertation::stream(c).as_str()
                    }) =>
                {
                    question = Some(q);
                }
                AnyEvent::Participant(ParticipantEvent::ParticipantRegistered { id, .. }) => {
                    if let Some(polis) = external(event, "participant-id") {
                        participants.original.insert(id, polis);
                    }
                }
                AnyEvent::Contribution(ContributionEvent::ContributionSubmitted {
                    id,
                    question: q,
                    kind: ContributionKind::Statement,
                    author,
                    status,
                    at,
                    body,
                    ..
                }) if Some(q) == question => {
                    if let Some(polis) = external(event, "comment-id") {
                        comments.original.insert(id, polis);
                    }
                    comments.saw(id);
                    participants.saw(author);
                    order.push(id);
                    submitted.insert(
                        id,
                        Submitted {
                            author,
                            at,
                            text: body.present().map(|b| b.text.as_str().to_owned()),
                            status,
                        },
                    );
                }
                AnyEvent::Contribution(ContributionEvent::ContributionModerated {
                    id,
                    decision,
                    ..
                }) => {
                    if let Some(s) = submitted.get_mut(&id) {
                        use domain::contribution::ModerationDecision as D;
                        match decision {
                            D::Approve => s.status = ContributionStatus::Published,
                            D::Hide { .. } => s.status = ContributionStatus::Hidden,
                            // A restore returns a statement hidden after its approval
                            // or its a-posteriori publication to the public.
                            D::Restore => s.status = ContributionStatus::Published,
                            _ => {}
                        }
                    }
                }
                AnyEvent::Contribution(ContributionEvent::ContributionBodyErased {
                    id, ..
                }) => {
                    if let Some(s) = submitted.get_mut(&id) {
                        s.text = None;
                    }
                }
                AnyEvent::Ballot(BallotEvent::VoteCast {
                    participant,
                    question: q,
                    statement,
                    vote,
                    at,
                    ..
                }) if Some(q) == question => {
                    participants.saw(participant);
                    votes.push((at, participant, statement, vote));
                }
                _ => {}
            }
        }
    }
    if concertation.is_none() {
        return Err(PolisImportError::NotFound(format!(
            "aucune concertation « {slug} »"
        )));
    }
    if question.is_none() {
        return Err(PolisImportError::NotFound(format!(
            "la concertation « {slug} » n'a pas de question à propositions"
        )));
    }
    participants.finish();
    comments.finish();
    let statements = order
        .iter()
        .filter_map(|id| {
            let s = submitted.get(id)?;
            Some((
                comments.get(id),
                ExportedStatement {
                    comment_id: comments.get(id),
                    author_id: participants.get(&s.author),
                    at: s.at,
                    text: s.text.clone(),
                    moderated: match s.status {
                        ContributionStatus::Published => 1,
                        ContributionStatus::Pending => 0,
                        ContributionStatus::Hidden => -1,
                    },
                },
            ))
        })
        .collect();
    let votes = votes
        .into_iter()
        .filter(|(_, _, statement, _)| submitted.contains_key(statement))
        .map(|(at, participant, statement, vote)| ExportedVote {
            at,
            comment_id: comments.get(&statement),
            voter_id: participants.get(&participant),
            vote: match vote {
                Vote::Agree => 1,
                Vote::Disagree => -1,
                Vote::Pass => 0,
            },
        })
        .collect();
    Ok(Conversation {
        topic,
        description,
        url,
        original_summary,
        statements,
        votes,
    })
}

fn millis(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

/// Polis's `datetime` column, in UTC (`Wed Jun 18 08:16:54 UTC 2014`).
fn datetime(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Writes the four files into `dir` (created if needed; each file is written to a
/// temporary name, then renamed, so a failed export leaves no half-written file).
pub fn write(
    conversation: &Conversation,
    groups: &OpinionGroups,
    dir: &Path,
) -> Result<(), PolisImportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source: std::io::Error| PolisImportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let matrix = conversation.matrix();
    let partition: BTreeMap<u64, usize> = groups
        .partition()
        .into_iter()
        .filter_map(|(p, g)| Some((p.parse().ok()?, g)))
        .collect();

    let mut files: Vec<(&str, Vec<Vec<String>>)> = Vec::new();

    let mut rows = vec![[
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    .map(str::to_owned)
    .to_vec()];
    let mut tallies: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (&(_, comment), &vote) in &matrix {
        let tally = tallies.entry(comment).or_default();
        match vote {
            1 => tally.0 += 1,
            -1 => tally.1 += 1,
            _ => {}
        }
    }
    for s in conversation.statements.values() {
        let (agrees, disagrees) = tallies.get(&s.comment_id).copied().unwrap_or_default();
        rows.push(vec![
            millis(s.at).to_string(),
            datetime(s.at),
            s.comment_id.to_string(),
            s.author_id.to_string(),
            agrees.to_string(),
            disagrees.to_string(),
            s.moderated.to_string(),
            s.text.clone().unwrap_or_default(),
        ]);
    }
    files.push((COMMENTS, rows));

    let mut rows = vec![["timestamp", "datetime", "comment-id", "voter-id", "vote"]
        .map(str::to_owned)
        .to_vec()];
    rows.extend(conversation.votes.iter().map(|v| {
        vec![
            millis(v.at).to_string(),
            datetime(v.at),
            v.comment_id.to_string(),
            v.voter_id.to_string(),
            v.vote.to_string(),
        ]
    }));
    files.push((VOTES, rows));

    let comment_ids: Vec<u64> = conversation.statements.keys().copied().collect();
    let voters: BTreeSet<u64> = matrix.keys().map(|(p, _)| *p).collect();
    let mut people = voters.clone();
    people.extend(conversation.statements.values().map(|s| s.author_id));
    let mut header: Vec<String> = MATRIX_FIXED.map(str::to_owned).to_vec();
    header.extend(comment_ids.iter().map(u64::to_string));
    let mut rows = vec![header];
    for &p in &people {
        let cells: Vec<Option<i8>> = comment_ids
            .iter()
            .map(|c| matrix.get(&(p, *c)).copied())
            .collect();
        let count = |value: i8| cells.iter().filter(|v| **v == Some(value)).count();
        let mut row = vec![
            p.to_string(),
            partition.get(&p).map(usize::to_string).unwrap_or_default(),
            conversation
                .statements
                .values()
                .filter(|s| s.author_id == p)
                .count()
                .to_string(),
            cells.iter().flatten().count().to_string(),
            count(1).to_string(),
            count(-1).to_string(),
        ];
        row.extend(
            cells
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        rows.push(row);
    }
    files.push((MATRIX, rows));

    let original = |key: &str| conversation.original_summary.get(key).cloned();
    let voters = voters.len();
    let commenters: BTreeSet<u64> = conversation
        .statements
        .values()
        .map(|s| s.author_id)
        .collect();
    let summary = vec![
        vec!["topic".to_owned(), conversation.topic.clone()],
        vec![
            "url".to_owned(),
            conversation.url.clone().unwrap_or_default(),
        ],
        vec!["views".to_owned(), original("views").unwrap_or_default()],
        vec!["voters".to_owned(), voters.to_string()],
        vec!["voters-in-conv".to_owned(), voters.to_string()],
        vec!["commenters".to_owned(), commenters.len().to_string()],
        vec![
            "comments".to_owned(),
            conversation.statements.len().to_string(),
        ],
        vec!["groups".to_owned(), groups.groups.len().to_string()],
        vec![
            "conversation-description".to_owned(),
            original("conversation-description")
                .unwrap_or_else(|| conversation.description.clone()),
        ],
    ];
    files.push((SUMMARY, summary));

    for (name, rows) in files {
        let path = dir.join(name);
        let temporary = dir.join(format!("{name}.partial"));
        let mut writer = csv::Writer::from_path(&temporary).map_err(|e| PolisImportError::Io {
            path: temporary.clone(),
            source: std::io::Error::other(e),
        })?;
        for row in rows {
            writer
                .write_record(&row)
                .map_err(|e| PolisImportError::Io {
                    path: temporary.clone(),
                    source: std::io::Error::other(e),
                })?;
        }
        writer.flush().map_err(io(&temporary))?;
        drop(writer);
        std::fs::rename(&temporary, &path).map_err(io(&path))?;
    }
    Ok(())
}
