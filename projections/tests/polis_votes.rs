//! Replays a real Polis conversation (tests/fixtures/polis/15-per-hour-seattle, CC BY 4.0, see its
//! ATTRIBUTION.md) as vote events through the event store and the main projection: the
//! latest-vote read model must equal Polis's own vote matrix cell for cell, and the
//! tallies its column sums.

mod common;

use std::collections::BTreeMap;

use common::*;
use concerto_projections::main_model::MemoryModel;
use concerto_projections::main_model_pg::PostgresModel;
use domain::ballot::{BallotEvent, Vote};
use domain::values::{ContributionId, ParticipantId, QuestionId};
use time::OffsetDateTime;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_votes_equal_the_polis_matrix_and_tallies_its_column_sums() {
    let store = {
        let store = memory_store();
        append_conversation(&store).await;
        store
    };
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

/// The same replay into PostgreSQL: the `votes` table equals the matrix, the
/// `statement_tallies` table its column sums; a restarted runner (fresh process state)
/// resumes from the checkpoint and applies a later change of mind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_votes_table_equals_the_polis_matrix_and_resumes() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_main_{}", Uuid::now_v7().simple());
    let store = {
        let store = memory_store();
        append_conversation(&store).await;
        store
    };
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
