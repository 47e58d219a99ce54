//! The conformance suite every [`Backend`] must pass: the same checks, run against
//! memory, the file log and JetStream (see `eventstore/tests/`).
//!
//! Each check takes a fresh, empty backend from the factory and panics on a breach.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::backend::{Backend, MAX_COMMIT_BYTES};
use crate::envelope::{EventDraft, Metadata, NewEvent};
use crate::error::StoreError;
use crate::expected::{CurrentRevision, ExpectedRevision};
use crate::keys::KeyId;
use crate::keys::KeyStore;
use crate::keystore::memory::MemoryKeyStore;
use crate::position::{Direction, ReadFrom};
use crate::store::EventStore;
use crate::stream_name::{StreamFilter, StreamName};
use crate::subscription::SubscriptionBatch;

/// The NATS server the JetStream tests run against (`NATS_URL`), or `None` after
/// printing "SKIPPED: NATS_URL not set". Panics instead when
/// `CONCERTO_REQUIRE_SERVICES=1`, so CI cannot skip them silently.
pub fn nats_url() -> Option<String> {
    match std::env::var("NATS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CONCERTO_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("NATS_URL not set while CONCERTO_REQUIRE_SERVICES=1");
            }
            println!("SKIPPED: NATS_URL not set");
            None
        }
    }
}

/// Makes a fresh, empty backend for each check.
#[async_trait]
pub trait BackendFactory: Sync {
    /// A new backend with no event in it.
    async fn fresh(&self) -> Arc<dyn Backend>;
}

/// Runs every check, in order, each on a fresh backend.
pub async fn run_all(factory: &impl BackendFactory) {
    appends_and_reads_streams_both_ways(factory.fresh().await).await;
    enforces_expected_revisions(factory.fresh().await).await;
    appends_several_events_as_one_commit(factory.fresh().await).await;
    retries_with_the_same_ids_write_nothing_twice(factory.fresh().await).await;
    refuses_a_partial_retry(factory.fresh().await).await;
    reads_all_in_order_with_category_filter(factory.fresh().await).await;
    keeps_the_envelope_exactly(factory.fresh().await).await;
    refuses_an_oversized_commit(factory.fresh().await).await;
    racing_exact_writers_leave_no_gap(factory.fresh().await).await;
    racing_first_writers_let_one_win(factory.fresh().await).await;
    subscriptions_catch_up_then_go_live(factory.fresh().await).await;
    sealed_parts_open_until_their_key_is_destroyed(factory.fresh().await).await;
}

fn stream(name: &str) -> StreamName {
    StreamName::parse(name).expect("valid test stream name")
}

/// A draft with a fresh id and a small payload.
pub fn draft(event_type: &str, n: u64) -> EventDraft {
    EventDraft {
        id: Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version: 1,
        data: json!({ "n": n }),
        metadata: Metadata::default(),
        sealed: Vec::new(),
        stored: None,
    }
}

/// Appends `commits` commits to `backend` with `Any`, commit `n` being the stream and
/// events `commit(n)` gives, and returns `$all` as read back: the small varied logs
/// that backend, replay and transfer tests start from.
pub async fn write_commits(
    backend: &dyn Backend,
    commits: u64,
    mut commit: impl FnMut(u64) -> (StreamName, Vec<EventDraft>),
) -> Vec<crate::EventRecord> {
    for n in 0..commits {
        let (stream, events) = commit(n);
        backend
            .append(
                &stream,
                ExpectedRevision::Any,
                OffsetDateTime::now_utc(),
                events,
            )
            .await
            .expect("test append");
    }
    backend
        .read_all(
            crate::ReadFrom::Start,
            &crate::StreamFilter::All,
            usize::MAX,
        )
        .await
        .expect("test read")
}

async fn append(
    backend: &dyn Backend,
    name: &str,
    expected: ExpectedRevision,
    events: Vec<EventDraft>,
) -> Result<crate::AppendResult, StoreError> {
    backend
        .append(&stream(name), expected, OffsetDateTime::now_utc(), events)
        .await
}

fn numbers(records: &[crate::EventRecord]) -> Vec<u64> {
    records
        .iter()
        .map(|r| r.event.data["n"].as_u64().expect("n"))
        .collect()
}

/// Forward and backward reads of one stream, from the ends and from a revision.
pub async fn appends_and_reads_streams_both_ways(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    for n in 0..5 {
        let expected = if n == 0 {
            ExpectedRevision::NoStream
        } else {
            ExpectedRevision::Exact(n - 1)
        };
        let result = append(b, "contribution-1", expected, vec![draft("E", n)])
            .await
            .expect("append");
        assert_eq!(result.next_expected, CurrentRevision::Current(n));
        assert!(!result.already_written);
    }
    append(b, "other-1", ExpectedRevision::Any, vec![draft("E", 99)])
        .await
        .unwrap();
    let s = stream("contribution-1");
    let forward = b
        .read_stream(&s, Direction::Forward, None, 100)
        .await
        .unwrap();
    assert_eq!(numbers(&forward), vec![0, 1, 2, 3, 4]);
    assert_eq!(
        forward.iter().map(|r| r.revision).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    assert_eq!(
        numbers(
            &b.read_stream(&s, Direction::Forward, Some(2), 2)
                .await
                .unwrap()
        ),
        vec![2, 3]
    );
    assert_eq!(
        numbers(
            &b.read_stream(&s, Direction::Backward, None, 2)
                .await
                .unwrap()
        ),
        vec![4, 3]
    );
    assert_eq!(
        numbers(
            &b.read_stream(&s, Direction::Backward, Some(1), 10)
                .await
                .unwrap()
        ),
        vec![1, 0]
    );
    assert_eq!(
        numbers(
            &b.read_stream(&s, Direction::Backward, Some(99), 1)
                .await
                .unwrap()
        ),
        vec![4]
    );
    assert!(b
        .read_stream(&s, Direction::Forward, Some(5), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .read_stream(&stream("absent-1"), Direction::Forward, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .read_stream(&stream("absent-1"), Direction::Backward, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        b.stream_revision(&s).await.unwrap(),
        CurrentRevision::Current(4)
    );
    assert_eq!(
        b.stream_revision(&stream("absent-1")).await.unwrap(),
        CurrentRevision::NoStream
    );
}

/// `Any`, `NoStream`, `StreamExists` and `Exact` as EventStoreDB defines them.
pub async fn enforces_expected_revisions(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    let wrong = |r: Result<crate::AppendResult, StoreError>,
                 exp: ExpectedRevision,
                 act: CurrentRevision| match r {
        Err(StoreError::WrongExpectedVersion {
            expected, actual, ..
        }) => {
            assert_eq!((expected, actual), (exp, act));
        }
        other => panic!("expected WrongExpectedVersion, got {other:?}"),
    };
    wrong(
        append(
            b,
            "s-1",
            ExpectedRevision::StreamExists,
            vec![draft("E", 0)],
        )
        .await,
        ExpectedRevision::StreamExists,
        CurrentRevision::NoStream,
    );
    wrong(
        append(b, "s-1", ExpectedRevision::Exact(0), vec![draft("E", 0)]).await,
        ExpectedRevision::Exact(0),
        CurrentRevision::NoStream,
    );
    append(b, "s-1", ExpectedRevision::NoStream, vec![draft("E", 0)])
        .await
        .unwrap();
    wrong(
        append(b, "s-1", ExpectedRevision::NoStream, vec![draft("E", 1)]).await,
        ExpectedRevision::NoStream,
        CurrentRevision::Current(0),
    );
    wrong(
        append(b, "s-1", ExpectedRevision::Exact(5), vec![draft("E", 1)]).await,
        ExpectedRevision::Exact(5),
        CurrentRevision::Current(0),
    );
    append(
        b,
        "s-1",
        ExpectedRevision::StreamExists,
        vec![draft("E", 1)],
    )
    .await
    .unwrap();
    append(b, "s-1", ExpectedRevision::Any, vec![draft("E", 2)])
        .await
        .unwrap();
    append(b, "s-1", ExpectedRevision::Exact(2), vec![draft("E", 3)])
        .await
        .unwrap();
    append(b, "t-1", ExpectedRevision::Any, vec![draft("E", 0)])
        .await
        .unwrap();
    let all = b
        .read_stream(&stream("s-1"), Direction::Forward, None, 10)
        .await
        .unwrap();
    assert_eq!(
        numbers(&all),
        vec![0, 1, 2, 3],
        "a refused append wrote something"
    );
}

/// A multi-event append is one commit: consecutive revisions, one commit number.
pub async fn appends_several_events_as_one_commit(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    append(b, "a-1", ExpectedRevision::NoStream, vec![draft("E", 0)])
        .await
        .unwrap();
    let result = append(
        b,
        "b-1",
        ExpectedRevision::NoStream,
        (0..3).map(|n| draft("E", n)).collect(),
    )
    .await
    .unwrap();
    assert_eq!(result.next_expected, CurrentRevision::Current(2));
    let records = b
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    assert_eq!(records.len(), 4);
    let commit = records[1].position.commit();
    assert!(commit > records[0].position.commit());
    for (i, record) in records[1..].iter().enumerate() {
        assert_eq!(record.position.commit(), commit);
        assert_eq!(record.position.index(), i as u32);
        assert_eq!(record.revision, i as u64);
    }
    assert_eq!(result.position, Some(records[3].position));
    assert_eq!(b.head().await.unwrap(), Some(records[3].position));
}

/// Re-sending the same ids after a lost reply succeeds and writes nothing.
pub async fn retries_with_the_same_ids_write_nothing_twice(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    let first: Vec<EventDraft> = (0..2).map(|n| draft("E", n)).collect();
    let original = append(b, "r-1", ExpectedRevision::NoStream, first.clone())
        .await
        .unwrap();
    let retried = append(b, "r-1", ExpectedRevision::NoStream, first.clone())
        .await
        .unwrap();
    assert!(retried.already_written);
    assert_eq!(retried.next_expected, original.next_expected);
    assert_eq!(retried.position, original.position);
    let second = vec![draft("E", 2)];
    let original = append(b, "r-1", ExpectedRevision::Exact(1), second.clone())
        .await
        .unwrap();
    append(b, "r-1", ExpectedRevision::Exact(2), vec![draft("E", 3)])
        .await
        .unwrap();
    let retried = append(b, "r-1", ExpectedRevision::Exact(1), second.clone())
        .await
        .unwrap();
    assert!(retried.already_written);
    assert_eq!(retried.position, original.position);
    // A retry under another expectation, after other commits: guaranteed for ids derived
    // from a key (what the gateway's idempotent commands send), as for EventStoreDB.
    let mut keyed = draft("E", 4);
    keyed.id = crate::envelope::derived_event_id("conformance", "clé-4");
    let original = append(b, "r-1", ExpectedRevision::Exact(3), vec![keyed.clone()])
        .await
        .unwrap();
    append(b, "r-1", ExpectedRevision::Exact(4), vec![draft("E", 5)])
        .await
        .unwrap();
    let retried_any = append(b, "r-1", ExpectedRevision::Any, vec![keyed])
        .await
        .unwrap();
    assert!(retried_any.already_written);
    assert_eq!(retried_any.position, original.position);
    let all = b
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    assert_eq!(numbers(&all), vec![0, 1, 2, 3, 4, 5], "a retry wrote twice");
}

/// Embedded backends only (they index every id): a retry of fresh v7 ids under another
/// expectation than the first attempt's, after other commits, writes nothing either.
/// JetStream recognises that one only when the first attempt carried a message id
/// (`Any`, `StreamExists` or derived ids; see the `nats` module).
pub async fn recognises_a_fresh_id_retried_under_another_expectation(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    append(b, "v-1", ExpectedRevision::NoStream, vec![draft("E", 0)])
        .await
        .unwrap();
    let fresh = vec![draft("E", 1)];
    let original = append(b, "v-1", ExpectedRevision::Exact(0), fresh.clone())
        .await
        .unwrap();
    append(b, "v-1", ExpectedRevision::Exact(1), vec![draft("E", 2)])
        .await
        .unwrap();
    let retried = append(b, "v-1", ExpectedRevision::Any, fresh)
        .await
        .unwrap();
    assert!(retried.already_written);
    assert_eq!(retried.position, original.position);
    let all = b
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    assert_eq!(numbers(&all), vec![0, 1, 2], "a retry wrote twice");
}

/// A retry whose ids only partly match what was written is refused.
pub async fn refuses_a_partial_retry(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    let first: Vec<EventDraft> = (0..2).map(|n| draft("E", n)).collect();
    append(b, "p-1", ExpectedRevision::NoStream, first.clone())
        .await
        .unwrap();
    let mixed = vec![first[0].clone(), draft("E", 7)];
    match append(b, "p-1", ExpectedRevision::NoStream, mixed).await {
        Err(StoreError::PartialRetry { .. }) => {}
        other => panic!("expected PartialRetry, got {other:?}"),
    }
    assert_eq!(
        b.read_all(ReadFrom::Start, &StreamFilter::All, 100)
            .await
            .unwrap()
            .len(),
        2
    );
}

/// `$all` in append order, from a checkpoint, filtered by category.
pub async fn reads_all_in_order_with_category_filter(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    for n in 0..6 {
        let name = if n % 2 == 0 {
            format!("vote-{n}")
        } else {
            format!("contribution-{n}")
        };
        append(b, &name, ExpectedRevision::NoStream, vec![draft("E", n)])
            .await
            .unwrap();
    }
    let all = b
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    assert_eq!(numbers(&all), vec![0, 1, 2, 3, 4, 5]);
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
    let after = b
        .read_all(ReadFrom::After(all[2].position), &StreamFilter::All, 2)
        .await
        .unwrap();
    assert_eq!(numbers(&after), vec![3, 4]);
    let votes = b
        .read_all(ReadFrom::Start, &StreamFilter::Category("vote".into()), 100)
        .await
        .unwrap();
    assert_eq!(numbers(&votes), vec![0, 2, 4]);
    let later_votes = b
        .read_all(
            ReadFrom::After(all[2].position),
            &StreamFilter::Category("vote".into()),
            100,
        )
        .await
        .unwrap();
    assert_eq!(numbers(&later_votes), vec![4]);
    assert!(b
        .read_all(ReadFrom::After(all[5].position), &StreamFilter::All, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .read_all(
            ReadFrom::Start,
            &StreamFilter::Category("nothing".into()),
            10
        )
        .await
        .unwrap()
        .is_empty());
}

/// Id, type, schema version, data, metadata, recorded time and sealed parts come back
/// exactly as written.
pub async fn keeps_the_envelope_exactly(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    let mut event = draft("ContributionSubmitted", 1);
    event.schema_version = 3;
    event.data = json!({ "texte": "L'IA au service des communes — « oui » ✓", "nested": { "a": [1, 2.5, null] } });
    event.metadata = Metadata {
        correlation_id: Some(Uuid::now_v7()),
        causation_id: Some(Uuid::now_v7()),
        actor: Some("participant-42".into()),
        extra: serde_json::Map::from_iter([("source".to_owned(), json!("séance"))]),
    };
    event.sealed = vec![crate::envelope::SealedPart {
        part: "body".into(),
        key: KeyId::parse("contribution-1").unwrap(),
        nonce: "bm9uY2U=".into(),
        ciphertext: "Y2lwaGVy".into(),
    }];
    let recorded_at = OffsetDateTime::from_unix_timestamp_nanos(1_780_000_000_123_456_789).unwrap();
    b.append(
        &stream("contribution-1"),
        ExpectedRevision::NoStream,
        recorded_at,
        vec![event.clone()],
    )
    .await
    .unwrap();
    let read = b
        .read_stream(&stream("contribution-1"), Direction::Forward, None, 1)
        .await
        .unwrap();
    assert_eq!(read[0].event, event);
    assert_eq!(read[0].recorded_at, recorded_at);
    assert_eq!(read[0].stream, stream("contribution-1"));
    // Every read hands out the event's stored bytes (what the audit log hashes): the
    // store's encoding of the event, the same from a stream read and from `$all`.
    let all = b
        .read_all(ReadFrom::Start, &StreamFilter::All, 1)
        .await
        .unwrap();
    let stored = read[0].event.stored_json().expect("stored bytes");
    assert_eq!(all[0].event.stored_json(), Some(stored));
    assert_eq!(stored, serde_json::to_vec(&event).unwrap().as_slice());
}

/// A commit over [`MAX_COMMIT_BYTES`] is refused and writes nothing.
pub async fn refuses_an_oversized_commit(backend: Arc<dyn Backend>) {
    let b = backend.as_ref();
    let mut big = draft("E", 0);
    big.data = json!({ "blob": "x".repeat(MAX_COMMIT_BYTES) });
    match append(b, "big-1", ExpectedRevision::Any, vec![big]).await {
        Err(StoreError::TooLarge { .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(b
        .read_all(ReadFrom::Start, &StreamFilter::All, 10)
        .await
        .unwrap()
        .is_empty());
}

/// 32 writers racing with `Exact` on one stream: revisions without gap or duplicate.
pub async fn racing_exact_writers_leave_no_gap(backend: Arc<dyn Backend>) {
    let writers = 32;
    let per_writer = 5;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let backend = backend.clone();
        tasks.push(tokio::spawn(async move {
            let s = stream("race-1");
            let mut written = 0;
            while written < per_writer {
                let expected = backend.stream_revision(&s).await.unwrap().expected();
                match backend
                    .append(
                        &s,
                        expected,
                        OffsetDateTime::now_utc(),
                        vec![draft("E", w * 1000 + written)],
                    )
                    .await
                {
                    Ok(_) => written += 1,
                    Err(StoreError::WrongExpectedVersion { .. }) => tokio::task::yield_now().await,
                    Err(e) => panic!("writer {w}: {e}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer task");
    }
    let records = backend
        .read_stream(&stream("race-1"), Direction::Forward, None, 10_000)
        .await
        .unwrap();
    assert_eq!(records.len() as u64, writers * per_writer);
    assert!(
        records
            .iter()
            .enumerate()
            .all(|(i, r)| r.revision == i as u64),
        "gap or duplicate revision"
    );
    let distinct: HashSet<u64> = numbers(&records).into_iter().collect();
    assert_eq!(distinct.len() as u64, writers * per_writer);
}

/// Racing first writes with `NoStream`: exactly one wins.
pub async fn racing_first_writers_let_one_win(backend: Arc<dyn Backend>) {
    let mut tasks = Vec::new();
    for w in 0..16 {
        let backend = backend.clone();
        tasks.push(tokio::spawn(async move {
            backend
                .append(
                    &stream("slug-demo"),
                    ExpectedRevision::NoStream,
                    OffsetDateTime::now_utc(),
                    vec![draft("SlugReserved", w)],
                )
                .await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => wins += 1,
            Err(StoreError::WrongExpectedVersion { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(
        backend
            .read_stream(&stream("slug-demo"), Direction::Forward, None, 100)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Catch-up then live, no gap or duplicate at the seam, and `CaughtUp` when at the head.
pub async fn subscriptions_catch_up_then_go_live(backend: Arc<dyn Backend>) {
    let store = EventStore::new(backend.clone(), Arc::new(MemoryKeyStore::new()));
    for n in 0..10 {
        store
            .append(
                &stream(&format!("c-{}", n % 3)),
                ExpectedRevision::Any,
                vec![NewEvent::new("E", json!({ "n": n }))],
            )
            .await
            .unwrap();
    }
    let mut subscription = store.subscribe(ReadFrom::Start, StreamFilter::All);
    let mut seen = Vec::new();
    while let SubscriptionBatch::Events(events) = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        subscription.next_batch(4),
    )
    .await
    .expect("subscription stalled")
    .unwrap()
    {
        assert!(events.len() <= 4);
        seen.extend(events.iter().map(|e| e.data()["n"].as_u64().unwrap()));
    }
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 10..30 {
                store
                    .append(
                        &stream(&format!("c-{}", n % 3)),
                        ExpectedRevision::Any,
                        vec![NewEvent::new("E", json!({ "n": n }))],
                    )
                    .await
                    .unwrap();
            }
        })
    };
    while seen.len() < 30 {
        let event = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            subscription.next_event(),
        )
        .await
        .expect("live event never came")
        .unwrap();
        seen.push(event.data()["n"].as_u64().unwrap());
    }
    writer.await.unwrap();
    assert_eq!(
        seen,
        (0..30).collect::<Vec<_>>(),
        "gap or duplicate at the seam"
    );
    // A category subscription from a checkpoint sees only that category after it.
    let all = store
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    let mut category = store.subscribe(
        ReadFrom::After(all[14].position()),
        StreamFilter::Category("c".into()),
    );
    let first = category.next_event().await.unwrap();
    assert_eq!(first.data()["n"], 15);
}

/// Sealed parts are ciphertext in the log, open on read, and read as erased once
/// their key is destroyed, without error.
pub async fn sealed_parts_open_until_their_key_is_destroyed(backend: Arc<dyn Backend>) {
    let keys = Arc::new(MemoryKeyStore::new());
    let store = EventStore::new(backend.clone(), keys.clone());
    let key = KeyId::parse("participant-7").unwrap();
    let event = NewEvent::new("ParticipantJoined", json!({ "kind": "citoyen" })).with_sealed(
        "personal",
        key.clone(),
        json!({ "nom": "Camille Martin" }),
    );
    store
        .append(
            &stream("participant-7"),
            ExpectedRevision::NoStream,
            vec![event],
        )
        .await
        .unwrap();
    let raw = backend
        .read_stream(&stream("participant-7"), Direction::Forward, None, 1)
        .await
        .unwrap();
    assert!(
        !serde_json::to_string(&raw[0]).unwrap().contains("Camille"),
        "clear text reached the log"
    );
    let read = store
        .read_stream(&stream("participant-7"), Direction::Forward, None, 1)
        .await
        .unwrap();
    assert_eq!(
        read[0].sealed("personal"),
        Some(&json!({ "nom": "Camille Martin" }))
    );
    keys.destroy(&key).await.unwrap();
    let erased = store
        .read_stream(&stream("participant-7"), Direction::Forward, None, 1)
        .await
        .unwrap();
    assert!(erased[0].is_erased("personal"));
    assert_eq!(erased[0].sealed("personal"), None);
    assert_eq!(erased[0].data(), &json!({ "kind": "citoyen" }));
    let refused = store
        .append(
            &stream("participant-7"),
            ExpectedRevision::Any,
            vec![NewEvent::new("X", json!({})).with_sealed("personal", key, json!("again"))],
        )
        .await;
    assert!(refused.is_err(), "sealed under a destroyed key");
}
