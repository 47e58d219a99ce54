//! The aggregate helper: load, decide, append with the loaded revision, retry on conflict.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use concerto_eventstore::aggregate::{execute, ExecuteError};
use concerto_eventstore::keystore::memory::MemoryKeyStore;
use concerto_eventstore::memory::MemoryBackend;
use concerto_eventstore::{
    CurrentRevision, EventStore, ExpectedRevision, NewEvent, RecordedEvent, StreamName,
};
use serde_json::json;

/// A counter that refuses to go above a limit.
fn evolve(count: u64, event: &RecordedEvent) -> Result<u64, String> {
    match event.event_type() {
        "Incremented" => Ok(count + 1),
        other => Err(format!("type inconnu {other}")),
    }
}

fn increment(limit: u64) -> impl FnMut(&u64) -> Result<Vec<NewEvent>, &'static str> {
    move |count| {
        if *count >= limit {
            Err("plafond atteint")
        } else {
            Ok(vec![NewEvent::new("Incremented", json!({}))])
        }
    }
}

fn store() -> EventStore {
    EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    )
}

#[tokio::test]
async fn decides_on_the_loaded_state_and_appends_at_its_revision() {
    let store = store();
    let stream = StreamName::parse("counter-1").unwrap();
    for expected in 0..3u64 {
        let done = execute(&store, &stream, 3, evolve, increment(3))
            .await
            .unwrap();
        assert_eq!(done.state, expected);
        assert_eq!(
            done.append.next_expected,
            CurrentRevision::Current(expected)
        );
    }
    match execute(&store, &stream, 3, evolve, increment(3)).await {
        Err(ExecuteError::Rejected("plafond atteint")) => {}
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        store.stream_revision(&stream).await.unwrap(),
        CurrentRevision::Current(2)
    );
}

#[tokio::test]
async fn retries_when_another_writer_got_there_first_and_gives_up_after_the_bound() {
    let store = store();
    let stream = StreamName::parse("counter-2").unwrap();
    // A competing writer slips in once, during the first decision.
    let calls = AtomicUsize::new(0);
    let competitor = store.clone();
    let stream_for_competitor = stream.clone();
    let decide = |count: &u64| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            let (competitor, stream) = (competitor.clone(), stream_for_competitor.clone());
            std::thread::spawn(move || {
                tokio::runtime::Runtime::new().unwrap().block_on(async {
                    competitor
                        .append(
                            &stream,
                            ExpectedRevision::Any,
                            vec![NewEvent::new("Incremented", json!({}))],
                        )
                        .await
                        .unwrap();
                })
            })
            .join()
            .unwrap();
        }
        increment(10)(count)
    };
    let done = execute(&store, &stream, 3, evolve, decide).await.unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "should have decided again after the conflict"
    );
    assert_eq!(
        done.state, 1,
        "second decision must see the competitor's event"
    );
    assert_eq!(
        store.stream_revision(&stream).await.unwrap(),
        CurrentRevision::Current(1)
    );

    // A competitor that always wins exhausts the attempts.
    let always = |count: &u64| {
        let (competitor, stream) = (competitor.clone(), stream_for_competitor.clone());
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                competitor
                    .append(
                        &stream,
                        ExpectedRevision::Any,
                        vec![NewEvent::new("Incremented", json!({}))],
                    )
                    .await
                    .unwrap();
            })
        })
        .join()
        .unwrap();
        increment(100)(count)
    };
    match execute(&store, &stream, 4, evolve, always).await {
        Err(ExecuteError::Conflict { attempts: 4, .. }) => {}
        other => panic!("expected a conflict after 4 attempts, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreadable_event_is_reported_with_its_revision() {
    let store = store();
    let stream = StreamName::parse("counter-3").unwrap();
    store
        .append(
            &stream,
            ExpectedRevision::NoStream,
            vec![NewEvent::new("Mystery", json!({}))],
        )
        .await
        .unwrap();
    match execute(&store, &stream, 1, evolve, increment(3)).await {
        Err(ExecuteError::Fold {
            revision: 0, why, ..
        }) => assert!(why.contains("Mystery")),
        other => panic!("expected a fold error, got {other:?}"),
    }
}
