//! The audit trail through the runner, in memory and in PostgreSQL: the same events give
//! the same rows, a restart resumes exactly where it stopped, one writer at a time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{database_url, drop_schema};
use concerto_projections::audit::memory::MemoryAudit;
use concerto_projections::audit::postgres::PostgresAudit;
use concerto_projections::audit::{AuditQuery, AuditRow, AuditTrail};
use concerto_projections::postgres::PgProjectionDb;
use concerto_projections::{run_projection, Progress, Projection, Target};
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::memory::MemoryBackend;
use eventstore::{EventStore, ExpectedRevision, Metadata, NewEvent, StreamName};
use serde_json::json;

fn store() -> EventStore {
    EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    )
}

async fn append_events(store: &EventStore, from: u64, count: u64) {
    for n in from..from + count {
        let metadata = Metadata {
            actor: Some(format!("participant-{}", n % 3)),
            correlation_id: Some(uuid::Uuid::now_v7()),
            ..Default::default()
        };
        let event = NewEvent::new("VoteCast", json!({ "n": n })).with_metadata(metadata);
        let stream = StreamName::parse(format!("ballot-{}", n % 4)).unwrap();
        store
            .append(&stream, ExpectedRevision::Any, vec![event])
            .await
            .unwrap();
    }
}

/// Runs the projection in the background until it has committed the store's head.
async fn project_to_head<T: Target<AuditTrail> + 'static>(
    store: &EventStore,
    target: T,
) -> tokio::task::JoinHandle<()> {
    let progress = Progress::new(AuditTrail::NAME, None);
    let task = {
        let (store, progress) = (store.clone(), progress.clone());
        tokio::spawn(async move {
            let mut target = target;
            run_projection(&store, &AuditTrail, &mut target, &progress)
                .await
                .unwrap();
        })
    };
    let head = store.head().await.unwrap().expect("events");
    progress
        .wait_for(head, Duration::from_secs(20))
        .await
        .expect("projection caught up");
    task
}

fn all() -> AuditQuery {
    AuditQuery {
        limit: 10_000,
        ..Default::default()
    }
}

fn check_rows(rows: &[AuditRow], count: usize) {
    assert_eq!(rows.len(), count);
    assert!(
        rows.windows(2).all(|w| w[0].position < w[1].position),
        "rows out of order or duplicated"
    );
    assert!(rows
        .iter()
        .all(|r| r.event_type == "VoteCast" && r.correlation_id.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_audit_trail_is_complete_queryable_and_replays_identically() {
    let store = store();
    append_events(&store, 0, 50).await;
    let first = MemoryAudit::new();
    project_to_head(&store, first.clone()).await.abort();
    let rows = first.query(&all());
    check_rows(&rows, 50);
    let by_actor = first.query(&AuditQuery {
        actor: Some("participant-1".into()),
        ..all()
    });
    assert_eq!(by_actor.len(), 17);
    let by_stream = first.query(&AuditQuery {
        stream: Some("ballot-2".into()),
        ..all()
    });
    assert_eq!(
        by_stream.iter().map(|r| r.revision).collect::<Vec<_>>(),
        (0..12).collect::<Vec<_>>()
    );
    let later = first.query(&AuditQuery {
        since: Some(rows[25].recorded_at),
        ..all()
    });
    assert!(later.len() >= 25 && later.iter().all(|r| r.recorded_at >= rows[25].recorded_at));

    let second = MemoryAudit::new();
    project_to_head(&store, second.clone()).await.abort();
    assert_eq!(second.query(&all()), rows, "replaying gave other rows");

    // A batch committed twice (a crash between commit and acknowledgement) adds nothing.
    let mut target = second.clone();
    let events = store
        .read_all(
            eventstore::ReadFrom::Start,
            &eventstore::StreamFilter::All,
            10,
        )
        .await
        .unwrap();
    let up_to = events.last().unwrap().position();
    target.commit(AuditTrail.fold(events), up_to).await.unwrap();
    assert_eq!(second.query(&all()).len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_audit_trail_equals_memory_and_resumes_after_a_stop_without_duplicates() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_audit_{}", uuid::Uuid::now_v7().simple());
    let store = store();
    append_events(&store, 0, 40).await;
    let target = PostgresAudit::connect(&url, &schema).await.unwrap();
    project_to_head(&store, target).await.abort();
    append_events(&store, 40, 30).await;
    // A new runner (new connection) resumes from the stored checkpoint.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let target = PostgresAudit::connect(&url, &schema).await.unwrap();
    project_to_head(&store, target).await.abort();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reader = PostgresAudit::connect(&url, &schema).await;
    let reader = reader.unwrap();
    let rows = reader.query(&all()).await.unwrap();
    check_rows(&rows, 70);
    let memory = MemoryAudit::new();
    project_to_head(&store, memory.clone()).await.abort();
    let expected = memory.query(&all());
    // PostgreSQL keeps microseconds; compare at that precision.
    let truncate = |rows: Vec<AuditRow>| {
        rows.into_iter()
            .map(|mut r| {
                r.recorded_at = r
                    .recorded_at
                    .replace_nanosecond(r.recorded_at.nanosecond() / 1000 * 1000)
                    .unwrap();
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        truncate(rows),
        truncate(expected),
        "PostgreSQL and memory disagree"
    );
    let by_actor = reader
        .query(&AuditQuery {
            actor: Some("participant-0".into()),
            ..all()
        })
        .await
        .unwrap();
    assert_eq!(by_actor.len(), 24);
    drop(reader);
    drop_schema(&url, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_postgres_writer_waits_until_the_first_is_gone() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_lock_{}", uuid::Uuid::now_v7().simple());
    let first = PostgresAudit::connect(&url, &schema).await.unwrap();
    let second = {
        let (url, schema) = (url.clone(), schema.clone());
        tokio::spawn(async move { PostgresAudit::connect(&url, &schema).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !second.is_finished(),
        "two writers hold the audit projection at once"
    );
    drop(first);
    let second = tokio::time::timeout(Duration::from_secs(10), second)
        .await
        .expect("second writer never took over")
        .unwrap();
    drop(second);
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop_schema(&url, &schema).await;
}

/// The writer's commits do not wait for the disk (its durability is the log's); a
/// reader's connection, and every other connection, keeps PostgreSQL's default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_projection_writer_commits_without_waiting_for_the_disk() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_sync_{}", uuid::Uuid::now_v7().simple());
    let writer = PgProjectionDb::connect(&url, &schema, AuditTrail::NAME)
        .await
        .unwrap();
    assert_eq!(synchronous_commit(&writer.client).await, "off");
    let reader = PgProjectionDb::connect_reader(&url, &schema).await.unwrap();
    assert_eq!(synchronous_commit(&reader.client).await, "on");
    drop((writer, reader));
    drop_schema(&url, &schema).await;
}

async fn synchronous_commit(client: &tokio_postgres::Client) -> String {
    let row = client
        .query_one("SHOW synchronous_commit", &[])
        .await
        .unwrap();
    row.get(0)
}
