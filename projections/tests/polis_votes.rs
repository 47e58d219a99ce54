//! Replays a real Polis conversation (tests/fixtures/votes, CC BY 4.0, see its
//! ATTRIBUTION.md) as vote events through the event store and the main projection: the
//! latest-vote read model must equal Polis's own vote matrix cell for cell, and the
//! tallies its column sums.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use concerto_projections::codec::{encode, stream_name};
use concerto_projections::main_model::{MainModel, MemoryModel};
use concerto_projections::{run_projection, Progress, Projection};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_votes_equal_the_polis_matrix_and_tallies_its_column_sums() {
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

    let model = MemoryModel::new();
    let progress = Progress::new(MainModel::NAME, None);
    let runner = {
        let (store, progress, mut target) = (store.clone(), progress.clone(), model.clone());
        tokio::spawn(
            async move { run_projection(&store, &MainModel, &mut target, &progress).await },
        )
    };
    progress
        .wait_for(
            store.head().await.unwrap().unwrap(),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    runner.abort();

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
