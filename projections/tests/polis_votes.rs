//! Replays a real Polis conversation (tests/fixtures/votes, CC BY 4.0, see its
//! ATTRIBUTION.md) as vote events through the event store and the main projection: the
//! latest-vote read model must equal Polis's own vote matrix cell for cell, and the
//! tallies its column sums.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use concerto_projections::codec::{encode, stream_name};
use concerto_projections::main_model::{MainModel, MemoryModel};
use concerto_projections::main_model_pg::PostgresModel;
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

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/votes/15-per-hour-seattle"
);

fn participant(polis_id: u64) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0x1000_0000 + polis_id as u128))
}

fn statement(polis_id: u64) -> ContributionId {
    ContributionId::from_uuid(Uuid::from_u128(0x2000_0000 + polis_id as u128))
}

/// (timestamp, comment, voter, vote) rows of votes.csv, in file order.
fn read_votes() -> Vec<(i64, u64, u64, i64)> {
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
fn read_matrix() -> (BTreeMap<(u64, u64), i64>, Vec<u64>) {
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

fn polis_vote(value: i64) -> Vote {
    match value {
        1 => Vote::Agree,
        -1 => Vote::Disagree,
        0 => Vote::Pass,
        other => panic!("unknown Polis vote {other}"),
    }
}

async fn append<E: DomainEvent>(store: &EventStore, stream: &domain::StreamName, event: &E) {
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
async fn conversation_store() -> EventStore {
    let store = EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    );
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
            &store,
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
            &store,
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
            &store,
            &domain::ballot::stream(participant(voter), question),
            &event,
        )
        .await;
    }

    store
}

/// Runs the main projection into `target` until it has committed the store's head.
async fn project<T: Target<MainModel> + 'static>(store: &EventStore, target: T) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_votes_equal_the_polis_matrix_and_tallies_its_column_sums() {
    let store = conversation_store().await;
    let model = MemoryModel::new();
    project(&store, model.clone()).await;

    let (matrix, columns) = read_matrix();
    let read = model.read();
    assert_eq!(read.skipped, 0);
    let projected: BTreeMap<(ParticipantId, ContributionId), Vote> =
        read.votes.iter().map(|(k, v)| (*k, *v)).collect();
    let expected: BTreeMap<(ParticipantId, ContributionId), Vote> = matrix
        .iter()
        .map(|(&(p, c), &v)| ((participant(p), statement(c)), polis_vote(v)))
        .collect();
    assert_eq!(projected.len(), expected.len(), "different number of cells");
    assert_eq!(
        projected, expected,
        "the latest-vote model differs from Polis's matrix"
    );
    for comment in columns {
        let column: Vec<i64> = matrix
            .iter()
            .filter(|((_, c), _)| *c == comment)
            .map(|(_, v)| *v)
            .collect();
        let tally = read
            .tallies
            .get(&statement(comment))
            .map(|t| t.overall)
            .unwrap_or_default();
        assert_eq!(
            tally.agree,
            column.iter().filter(|v| **v == 1).count() as u64,
            "agree, comment {comment}"
        );
        assert_eq!(
            tally.disagree,
            column.iter().filter(|v| **v == -1).count() as u64,
            "disagree, comment {comment}"
        );
        assert_eq!(
            tally.pass,
            column.iter().filter(|v| **v == 0).count() as u64,
            "pass, comment {comment}"
        );
    }
}

fn database_url() -> Option<String> {
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

async fn sql(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// The same replay into PostgreSQL: the `votes` table equals the matrix, the
/// `statement_tallies` table its column sums; a restarted runner (fresh process state)
/// resumes from the checkpoint and applies a later change of mind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_votes_table_equals_the_polis_matrix_and_resumes() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_main_{}", Uuid::now_v7().simple());
    let store = conversation_store().await;
    let target = PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new())
        .await
        .unwrap();
    project(&store, target).await;

    let client = sql(&url).await;
    let (matrix, columns) = read_matrix();
    let rows = client
        .query(
            &format!("SELECT participant, statement, vote FROM \"{schema}\".votes"),
            &[],
        )
        .await
        .unwrap();
    let stored: BTreeMap<(Uuid, Uuid), String> = rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let expected: BTreeMap<(Uuid, Uuid), String> = matrix
        .iter()
        .map(|(&(p, c), &v)| {
            (
                (participant(p).as_uuid(), statement(c).as_uuid()),
                ["disagree", "pass", "agree"][(v + 1) as usize].to_owned(),
            )
        })
        .collect();
    assert_eq!(
        stored, expected,
        "the votes table differs from Polis's matrix"
    );
    for comment in &columns {
        let row = client
            .query_opt(&format!("SELECT agree, disagree, pass FROM \"{schema}\".statement_tallies WHERE statement = $1"), &[&statement(*comment).as_uuid()])
            .await
            .unwrap();
        let (agree, disagree, pass): (i64, i64, i64) = row
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .unwrap_or_default();
        let column: Vec<i64> = matrix
            .iter()
            .filter(|((_, c), _)| c == comment)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(
            (agree, disagree, pass),
            (
                column.iter().filter(|v| **v == 1).count() as i64,
                column.iter().filter(|v| **v == -1).count() as i64,
                column.iter().filter(|v| **v == 0).count() as i64
            ),
            "tally of comment {comment}"
        );
    }

    // Participant 1 changes their mind on comment 0 (agree in the matrix → disagree).
    assert_eq!(matrix.get(&(1, 0)), Some(&1));
    let question = QuestionId::from_uuid(Uuid::from_u128(2));
    let change = BallotEvent::VoteCast {
        participant: participant(1),
        question,
        statement: statement(0),
        vote: Vote::Disagree,
        replaces: Some(Vote::Agree),
        at: OffsetDateTime::now_utc(),
    };
    append(
        &store,
        &domain::ballot::stream(participant(1), question),
        &change,
    )
    .await;
    let restarted = PostgresModel::connect(&url, &schema, store.clone(), MemoryModel::new())
        .await
        .unwrap();
    project(&store, restarted).await;
    let vote: String = client
        .query_one(
            &format!(
                "SELECT vote FROM \"{schema}\".votes WHERE participant = $1 AND statement = $2"
            ),
            &[&participant(1).as_uuid(), &statement(0).as_uuid()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(vote, "disagree");
    let tally: (i64, i64) = client
        .query_one(
            &format!(
                "SELECT agree, disagree FROM \"{schema}\".statement_tallies WHERE statement = $1"
            ),
            &[&statement(0).as_uuid()],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    let column: Vec<i64> = matrix
        .iter()
        .filter(|((_, c), _)| *c == 0)
        .map(|(_, v)| *v)
        .collect();
    let agree = column.iter().filter(|v| **v == 1).count() as i64;
    let disagree = column.iter().filter(|v| **v == -1).count() as i64;
    assert_eq!(
        tally,
        (agree - 1, disagree + 1),
        "the change of mind was not applied exactly once"
    );
    let total: i64 = client
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".votes"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(total as usize, matrix.len());
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .unwrap();
}
