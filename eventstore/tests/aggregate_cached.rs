//! The cached command loop: states kept in [`Folds`] are checked by the append's
//! expected revision (a command) or caught up before use (a load), so a writer the
//! cache did not see never makes a decision stand on a stale state.

use std::sync::Arc;

use concerto_eventstore::aggregate::{execute_cached, load_cached, ExecuteError};
use concerto_eventstore::keystore::memory::MemoryKeyStore;
use concerto_eventstore::memory::MemoryBackend;
use concerto_eventstore::{
    CurrentRevision, EventStore, ExpectedRevision, Folds, NewEvent, RecordedEvent, StreamName,
};
use serde_json::json;

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

async fn other_writer(store: &EventStore, stream: &StreamName) {
    store
        .append(
            stream,
            ExpectedRevision::Any,
            vec![NewEvent::new("Incremented", json!({}))],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_cache_holds_the_state_after_each_command() {
    let (store, folds) = (store(), Folds::new(100));
    let stream = StreamName::parse("counter-1").unwrap();
    for expected in 0..3u64 {
        let done = execute_cached(&store, &folds, &stream, 3, evolve, increment(10))
            .await
            .unwrap();
        assert_eq!(done.state, expected);
        assert_eq!(
            folds.get::<u64>(&stream),
            Some((expected + 1, CurrentRevision::Current(expected)))
        );
    }
}

#[tokio::test]
async fn a_stale_cached_state_is_caught_up_by_the_refused_append() {
    let (store, folds) = (store(), Folds::new(100));
    let stream = StreamName::parse("counter-2").unwrap();
    execute_cached(&store, &folds, &stream, 3, evolve, increment(10))
        .await
        .unwrap();
    // Another process writes twice; the cache still says 1 event.
    other_writer(&store, &stream).await;
    other_writer(&store, &stream).await;
    let done = execute_cached(&store, &folds, &stream, 3, evolve, increment(10))
        .await
        .unwrap();
    assert_eq!(done.state, 3, "decided again on the caught-up state");
    assert_eq!(done.append.next_expected, CurrentRevision::Current(3));
    assert_eq!(
        folds.get::<u64>(&stream),
        Some((4, CurrentRevision::Current(3)))
    );
}

#[tokio::test]
async fn a_refusal_of_a_cached_state_is_checked_against_the_store() {
    let (store, folds) = (store(), Folds::new(100));
    let stream = StreamName::parse("counter-3").unwrap();
    // Only a started counter may go on: refused at 0.
    let started = |count: &u64| {
        if *count == 0 {
            Err("pas commencé")
        } else {
            Ok(vec![NewEvent::new("Incremented", json!({}))])
        }
    };
    match execute_cached(&store, &folds, &stream, 3, evolve, started).await {
        Err(ExecuteError::Rejected("pas commencé")) => {}
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        folds.get::<u64>(&stream),
        Some((0, CurrentRevision::NoStream))
    );
    // Another process starts it: the cached state (0) would refuse, the store's accepts.
    other_writer(&store, &stream).await;
    let done = execute_cached(&store, &folds, &stream, 3, evolve, started)
        .await
        .unwrap();
    assert_eq!(done.state, 1);
    assert_eq!(done.append.next_expected, CurrentRevision::Current(1));
}

#[tokio::test]
async fn a_load_reads_what_another_writer_appended_since() {
    let (store, folds) = (store(), Folds::new(100));
    let stream = StreamName::parse("counter-4").unwrap();
    let (count, revision) = load_cached::<u64, _, String>(&store, &folds, &stream, &mut evolve)
        .await
        .unwrap();
    assert_eq!((count, revision), (0, CurrentRevision::NoStream));
    other_writer(&store, &stream).await;
    let (count, revision) = load_cached::<u64, _, String>(&store, &folds, &stream, &mut evolve)
        .await
        .unwrap();
    assert_eq!((count, revision), (1, CurrentRevision::Current(0)));
    other_writer(&store, &stream).await;
    let (count, _) = load_cached::<u64, _, String>(&store, &folds, &stream, &mut evolve)
        .await
        .unwrap();
    assert_eq!(count, 2);
}
