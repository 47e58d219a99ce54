//! Helpers shared by the projection tests: a real Polis conversation (CC BY 4.0, see
//! `fixtures/polis/15-per-hour-seattle/ATTRIBUTION.md`) as events, projection runs,
//! PostgreSQL access.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use concerto_projections::codec::{encode, stream_name};
use concerto_projections::main_model::MainModel;
use concerto_projections::{run_projection, Progress, Projection, Target};
use domain::ballot::{BallotEvent, Vote};
use domain::contribution::{
    ContributionBody, ContributionEvent, ContributionKind, ContributionStatus,
};
use domain::participant::{ParticipantEvent, ParticipantKind, VerificationLevel};
use domain::values::{
    ConcertationId, ContributionId, ContributionText, LanguageTag, ParticipantId, QuestionId,
};
use domain::{DomainEvent, Sealed};
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::memory::MemoryBackend;
use eventstore::{EventStore, ExpectedRevision, Metadata};
use time::OffsetDateTime;
use uuid::Uuid;

/// A fresh store in memory.
pub fn memory_store() -> EventStore {
    EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    )
}

/// Every table of the main model in `schema` as text rows, ordered, for comparison.
pub async fn dump(client: &tokio_postgres::Client, schema: &str) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "concertations",
        "questions",
        "themes",
        "participants",
        "contributions",
        "votes",
        "statement_tallies",
        "moderation_log",
    ] {
        let rows = client
            .query(
                &format!("SELECT t::text FROM \"{schema}\".{table} t ORDER BY t::text"),
                &[],
            )
            .await
            .unwrap();
        out.extend(
            rows.iter()
                .map(|r| format!("{table}: {}", r.get::<_, String>(0))),
        );
    }
    out
}

pub const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/polis/15-per-hour-seattle"
);

pub fn participant(polis_id: u64) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0x1000_0000 + polis_id as u128))
}

pub fn statement(polis_id: u64) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0x2000_0000 + polis_id as u128))
}

/// (timestamp, comment, voter, vote) rows of votes.csv, in file order.
pub fn read_votes() -> Vec<(i64, u64, u64, i64)> {
    let text = std::fs::read_to_string(format!("{FIXTURE}/votes.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[0].parse().unwrap(),
                cells[2].parse().unwrap(),
                cells[3].parse().unwrap(),
                cells[4].parse().unwrap(),
            )
        })
        .collect()
}

/// Polis's matrix: (participant, comment) → vote, and the comment columns.
pub fn read_matrix() -> (BTreeMap<(u64, u64), i64>, Vec<u64>) {
    let text = std::fs::read_to_string(format!("{FIXTURE}/participants-votes.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let comments: Vec<u64> = header[6..].iter().map(|c| c.parse().unwrap()).collect();
    let mut matrix = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let who: u64 = cells[0].parse().unwrap();
        for (column, cell) in cells[6..].iter().enumerate() {
            if !cell.is_empty() {
                matrix.insert((who, comments[column]), cell.parse().unwrap());
            }
        }
    }
    (matrix, comments)
}

pub fn polis_vote(value: i64) -> Vote {
    match value {
        1 => Vote::Agree,
        -1 => Vote::Disagree,
        0 => Vote::Pass,
        other => panic!("unknown Polis vote {other}"),
    }
}

pub async fn append<E: DomainEvent>(store: &EventStore, stream: &domain::StreamName, event: &E) {
    let envelope = encode(event, Uuid::now_v7(), Metadata::default()).unwrap();
    store
        .append(
            &stream_name(stream).unwrap(),
            ExpectedRevision::Any,
            vec![envelope],
        )
        .await
        .unwrap();
}

/// The conversation as events in a fresh memory store.
pub async fn append_conversation(store: &EventStore) {
    let concertation = ConcertationId::from_uuid(Uuid::from_u128(1));
    let question = QuestionId::from_uuid(Uuid::from_u128(2));
    let votes = read_votes();
    let at = OffsetDateTime::from_unix_timestamp(1_403_054_214).unwrap();

    let voters: BTreeSet<u64> = votes.iter().map(|v| v.2).collect();
    for &voter in &voters {
        let event = ParticipantEvent::ParticipantRegistered {
            id: participant(voter),
            kind: ParticipantKind::Citoyen { commune: None },
            verification: VerificationLevel::SelfDeclared,
            territory_list_year: 2026,
            at,
            secrets: Sealed::Erased,
        };
        append(
            store,
            &domain::participant::stream(participant(voter)),
            &event,
        )
        .await;
    }
    let comments: BTreeSet<u64> = votes.iter().map(|v| v.1).collect();
    for &comment in &comments {
        let event = ContributionEvent::ContributionSubmitted {
            id: statement(comment),
            concertation,
            question,
            kind: ContributionKind::Statement,
            author: participant(0),
            parent: None,
            themes: BTreeSet::new(),
            language: LanguageTag::parse("en").unwrap(),
            amendment: None,
            // Votes on statements still pending moderation count too.
            status: if comment % 5 == 0 {
                ContributionStatus::Pending
            } else {
                ContributionStatus::Published
            },
            recorded: None,
            at,
            body: Sealed::Present(ContributionBody {
                text: ContributionText::parse(&format!("Statement {comment}")).unwrap(),
                proposed_text: None,
            }),
        };
        append(
            store,
            &domain::StreamName::new("contribution", statement(comment)),
            &event,
        )
        .await;
    }
    let mut ordered = votes.clone();
    ordered.sort_by_key(|v| v.0); // time order, as events happened
    for (millis, comment, voter, value) in ordered {
        let event = BallotEvent::VoteCast {
            participant: participant(voter),
            question,
            statement: statement(comment),
            vote: polis_vote(value),
            replaces: None,
            at: OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000).unwrap(),
        };
        append(
            store,
            &domain::ballot::stream(participant(voter), question),
            &event,
        )
        .await;
    }
}

/// Runs the main projection into `target` until it has committed the store's head.
pub async fn project<T: Target<MainModel> + 'static>(store: &EventStore, target: T) {
    let progress = Progress::new(MainModel::NAME, None);
    let runner = {
        let (store, progress) = (store.clone(), progress.clone());
        tokio::spawn(async move {
            let mut target = target;
            run_projection(&store, &MainModel, &mut target, &progress).await
        })
    };
    let head = store.head().await.unwrap().unwrap();
    progress
        .wait_for(head, Duration::from_secs(60))
        .await
        .unwrap();
    runner.abort();
    let _ = runner.await;
}

pub fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("DATABASE_URL is required")
        }
        _ => {
            println!("SKIPPED: DATABASE_URL not set");
            None
        }
    }
}

pub async fn sql(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Drops a test's schema and everything in it.
pub async fn drop_schema(url: &str, schema: &str) {
    sql(url)
        .await
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await
        .unwrap();
}
