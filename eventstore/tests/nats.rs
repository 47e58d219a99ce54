//! The JetStream backend: the shared conformance suite, plus races, retries after the
//! duplicate window, several processes on one stream, and malformed messages.
//!
//! Needs a NATS server with JetStream at `NATS_URL`; without it the tests print
//! "SKIPPED: NATS_URL not set" and pass, unless `CONCERTO_REQUIRE_SERVICES=1`.
//! Each test creates its own uniquely named JetStream stream and deletes it at the end,
//! also when it fails.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use concerto_eventstore::conformance::{draft, nats_url, run_all, BackendFactory};
use concerto_eventstore::keystore::memory::MemoryKeyStore;
use concerto_eventstore::nats::{NatsBackend, NatsConfig};
use concerto_eventstore::{
    Backend, CurrentRevision, Direction, EventStore, ExpectedRevision, NewEvent, ReadFrom,
    StoreError, StreamFilter, StreamName,
};
use futures::FutureExt;
use time::OffsetDateTime;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A JetStream stream name no other test (or test run) uses.
fn unique_stream(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "TEST_{test}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The JetStream streams a test created, deleted when it ends (passed or failed).
struct Streams {
    url: String,
    created: Mutex<Vec<NatsBackend>>,
}

impl Streams {
    fn new(url: String) -> Self {
        Self {
            url,
            created: Mutex::new(Vec::new()),
        }
    }

    async fn backend(&self, config: NatsConfig) -> NatsBackend {
        let backend = NatsBackend::connect(config).await.expect("connect to NATS");
        self.created.lock().unwrap().push(backend.clone());
        backend
    }

    async fn fresh(&self, test: &str) -> NatsBackend {
        self.backend(NatsConfig::new(&self.url).with_stream(unique_stream(test)))
            .await
    }

    /// Runs `test`, then deletes every stream it created, then re-raises its panic.
    async fn run<F: Future<Output = ()>>(&self, test: F) {
        let outcome = std::panic::AssertUnwindSafe(test).catch_unwind().await;
        let created: Vec<NatsBackend> = std::mem::take(&mut *self.created.lock().unwrap());
        for backend in created {
            // A stream shared by several backends is deleted once; later attempts fail.
            let _ = backend.delete_stream().await;
        }
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

#[async_trait]
impl BackendFactory for Streams {
    async fn fresh(&self) -> Arc<dyn Backend> {
        Arc::new(Streams::fresh(self, "conformance").await)
    }
}

fn stream(name: &str) -> StreamName {
    StreamName::parse(name).unwrap()
}

async fn message_count(backend: &NatsBackend) -> u64 {
    let mut stream = backend
        .jetstream()
        .get_stream(backend.stream_name())
        .await
        .unwrap();
    stream.info().await.unwrap().state.messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jetstream_backend_conforms() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams.run(run_all(&streams)).await;
}

/// 32 writers over two backends (two "processes", each with its own cache) racing with
/// `Exact` on one stream: no gap, no duplicate revision, every event once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_exact_writers_over_two_processes() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url.clone());
    streams
        .run(async {
            let name = unique_stream("race");
            let a = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            let b = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            let per_writer = 8u64;
            let mut tasks = Vec::new();
            for w in 0..32u64 {
                let backend = if w % 2 == 0 { a.clone() } else { b.clone() };
                tasks.push(tokio::spawn(async move {
                    let s = stream("race-1");
                    // Each writer keeps its own idea of the revision, as a real client
                    // would, and learns the truth from conflicts.
                    let mut known = CurrentRevision::NoStream;
                    let mut written = 0;
                    while written < per_writer {
                        let expected = known.expected();
                        let event = draft("E", w * 1000 + written);
                        match backend
                            .append(&s, expected, OffsetDateTime::now_utc(), vec![event])
                            .await
                        {
                            Ok(result) => {
                                assert!(!result.already_written);
                                known = result.next_expected;
                                written += 1;
                            }
                            Err(StoreError::WrongExpectedVersion { actual, .. }) => known = actual,
                            Err(e) => panic!("writer {w}: {e}"),
                        }
                    }
                }));
            }
            for task in tasks {
                task.await.expect("writer");
            }
            let records = a
                .read_stream(&stream("race-1"), Direction::Forward, None, 10_000)
                .await
                .unwrap();
            assert_eq!(records.len() as u64, 32 * per_writer);
            for (i, record) in records.iter().enumerate() {
                assert_eq!(record.revision, i as u64, "gap or duplicate revision");
            }
            let mut ns: Vec<u64> = records
                .iter()
                .map(|r| r.event.data["n"].as_u64().unwrap())
                .collect();
            ns.sort_unstable();
            ns.dedup();
            assert_eq!(ns.len() as u64, 32 * per_writer, "an event written twice");
            assert_eq!(message_count(&a).await, 32 * per_writer);
            // Both processes read the same stream, backward too.
            let backward = b
                .read_stream(&stream("race-1"), Direction::Backward, None, 3)
                .await
                .unwrap();
            assert_eq!(
                backward.iter().map(|r| r.revision).collect::<Vec<_>>(),
                vec![255, 254, 253]
            );
        })
        .await;
}

/// Racing first writes with `NoStream` from two processes: exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_first_writers_over_two_processes() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url.clone());
    streams
        .run(async {
            let name = unique_stream("first");
            let a = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            let b = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            for round in 0..5 {
                let s = stream(&format!("slug-{round}"));
                let mut tasks = Vec::new();
                for w in 0..16u64 {
                    let backend = if w % 2 == 0 { a.clone() } else { b.clone() };
                    let s = s.clone();
                    tasks.push(tokio::spawn(async move {
                        backend
                            .append(
                                &s,
                                ExpectedRevision::NoStream,
                                OffsetDateTime::now_utc(),
                                vec![draft("SlugReserved", w)],
                            )
                            .await
                    }));
                }
                let mut wins = 0;
                for task in tasks {
                    match task.await.unwrap() {
                        Ok(_) => wins += 1,
                        Err(StoreError::WrongExpectedVersion { actual, .. }) => {
                            assert_eq!(actual, CurrentRevision::Current(0))
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                assert_eq!(wins, 1, "round {round}");
            }
            assert_eq!(message_count(&a).await, 5);
        })
        .await;
}

/// A retry after the duplicate window (1 s here) is recognised by reading back, by a
/// process that never saw the first attempt, and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_the_duplicate_window_writes_nothing() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url.clone());
    streams
        .run(async {
            let name = unique_stream("window");
            let config = NatsConfig::new(&url)
                .with_stream(&name)
                .with_duplicate_window(Duration::from_secs(1));
            let first = streams.backend(config.clone()).await;
            let s = stream("order-1");
            let batch: Vec<_> = (0..3).map(|n| draft("E", n)).collect();
            let original = first
                .append(
                    &s,
                    ExpectedRevision::NoStream,
                    OffsetDateTime::now_utc(),
                    batch.clone(),
                )
                .await
                .unwrap();
            let second = vec![draft("E", 3)];
            let original_second = first
                .append(
                    &s,
                    ExpectedRevision::Exact(2),
                    OffsetDateTime::now_utc(),
                    second.clone(),
                )
                .await
                .unwrap();
            first
                .append(
                    &s,
                    ExpectedRevision::Exact(3),
                    OffsetDateTime::now_utc(),
                    vec![draft("E", 4)],
                )
                .await
                .unwrap();
            assert_eq!(message_count(&first).await, 3);
            tokio::time::sleep(Duration::from_millis(1600)).await;
            // The same process (cache warm) and another one (cache cold) retry.
            let other = streams.backend(config).await;
            for backend in [&first, &other] {
                let retried = backend
                    .append(
                        &s,
                        ExpectedRevision::NoStream,
                        OffsetDateTime::now_utc(),
                        batch.clone(),
                    )
                    .await
                    .unwrap();
                assert!(retried.already_written);
                assert_eq!(retried.position, original.position);
                assert_eq!(retried.next_expected, original.next_expected);
                let retried = backend
                    .append(
                        &s,
                        ExpectedRevision::Exact(2),
                        OffsetDateTime::now_utc(),
                        second.clone(),
                    )
                    .await
                    .unwrap();
                assert!(retried.already_written);
                assert_eq!(retried.position, original_second.position);
                // The last commit retried with `Any` is recognised too.
                let conflict = backend
                    .append(
                        &s,
                        ExpectedRevision::Exact(2),
                        OffsetDateTime::now_utc(),
                        vec![draft("E", 9)],
                    )
                    .await;
                assert!(matches!(
                    conflict,
                    Err(StoreError::WrongExpectedVersion {
                        actual: CurrentRevision::Current(4),
                        ..
                    })
                ));
            }
            assert_eq!(message_count(&first).await, 3, "a retry wrote again");
        })
        .await;
}

/// Commits written by another process wake a live subscription.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_see_commits_of_other_processes() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url.clone());
    streams
        .run(async {
            let name = unique_stream("watch");
            let reader = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            let writer = streams
                .backend(NatsConfig::new(&url).with_stream(&name))
                .await;
            let store = EventStore::new(Arc::new(reader), Arc::new(MemoryKeyStore::new()));
            let mut subscription = store.subscribe(ReadFrom::Start, StreamFilter::All);
            for n in 0..5u64 {
                writer
                    .append(
                        &stream("w-1"),
                        ExpectedRevision::Any,
                        OffsetDateTime::now_utc(),
                        vec![draft("E", n)],
                    )
                    .await
                    .unwrap();
                let event = tokio::time::timeout(Duration::from_secs(5), subscription.next_event())
                    .await
                    .expect("the commit of the other process never woke the subscription")
                    .unwrap();
                assert_eq!(event.data()["n"], n);
            }
            let writer_store = EventStore::new(Arc::new(writer), Arc::new(MemoryKeyStore::new()));
            writer_store
                .append(
                    &stream("w-2"),
                    ExpectedRevision::NoStream,
                    vec![NewEvent::new("E", serde_json::json!({"n": 5}))],
                )
                .await
                .unwrap();
            let event = tokio::time::timeout(Duration::from_secs(5), subscription.next_event())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(event.data()["n"], 5);
        })
        .await;
}

/// A malformed message in the stream is an encoding error, never a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_are_encoding_errors() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams
        .run(async {
            let backend = streams.fresh("malformed").await;
            let s = stream("bad-1");
            backend
                .jetstream()
                .publish(backend.subject_of(&s), "pas du JSON".into())
                .await
                .unwrap()
                .await
                .unwrap();
            let read = backend.read_stream(&s, Direction::Forward, None, 10).await;
            assert!(matches!(read, Err(StoreError::Encoding(_))), "{read:?}");
            let all = backend
                .read_all(ReadFrom::Start, &StreamFilter::All, 10)
                .await;
            assert!(matches!(all, Err(StoreError::Encoding(_))), "{all:?}");
            let append = backend
                .append(
                    &s,
                    ExpectedRevision::Any,
                    OffsetDateTime::now_utc(),
                    vec![draft("E", 0)],
                )
                .await;
            assert!(matches!(append, Err(StoreError::Encoding(_))), "{append:?}");
        })
        .await;
}

/// Stream names with dots, wildcards and non-ASCII letters get subjects of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_stream_names_stay_apart() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams
        .run(async {
            let backend = streams.fresh("names").await;
            let names = [
                "a.b-1",
                "a_2Eb-1",
                "a-*",
                "a->",
                "é-1",
                "-x",
                "_-x",
                "commune-69.123",
            ];
            for (n, name) in names.iter().enumerate() {
                backend
                    .append(
                        &stream(name),
                        ExpectedRevision::NoStream,
                        OffsetDateTime::now_utc(),
                        vec![draft("E", n as u64)],
                    )
                    .await
                    .unwrap();
            }
            for (n, name) in names.iter().enumerate() {
                let records = backend
                    .read_stream(&stream(name), Direction::Forward, None, 10)
                    .await
                    .unwrap();
                assert_eq!(records.len(), 1, "{name}");
                assert_eq!(records[0].event.data["n"], n as u64);
            }
            let a = backend
                .read_all(ReadFrom::Start, &StreamFilter::Category("a".into()), 10)
                .await
                .unwrap();
            assert_eq!(a.len(), 2);
            let empty = backend
                .read_all(ReadFrom::Start, &StreamFilter::Category(String::new()), 10)
                .await
                .unwrap();
            assert_eq!(empty.len(), 1);
        })
        .await;
}

/// Deterministic ids (derived from an idempotency key) sent again on a newer revision,
/// as a command decided anew after its first attempt landed: refused as a duplicate,
/// never written twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_ids_sent_again_on_a_newer_revision_are_refused() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams
        .run(async {
            let backend = streams.fresh("derived").await;
            let s = stream("ballot-1");
            let mut derived = draft("VoteCast", 0);
            derived.id = concerto_eventstore::derived_event_id("test", "clé-1");
            backend
                .append(
                    &s,
                    ExpectedRevision::NoStream,
                    OffsetDateTime::now_utc(),
                    vec![derived.clone()],
                )
                .await
                .unwrap();
            let again = backend
                .append(
                    &s,
                    ExpectedRevision::Exact(0),
                    OffsetDateTime::now_utc(),
                    vec![derived.clone()],
                )
                .await;
            assert!(
                matches!(again, Err(StoreError::DuplicateEventId { id, .. }) if id == derived.id),
                "{again:?}"
            );
            let fresh = backend
                .append(
                    &s,
                    ExpectedRevision::Exact(0),
                    OffsetDateTime::now_utc(),
                    vec![draft("VoteCast", 1)],
                )
                .await
                .unwrap();
            assert_eq!(fresh.next_expected, CurrentRevision::Current(1));
            assert_eq!(
                message_count(&backend).await,
                2,
                "a derived id was written twice"
            );
        })
        .await;
}

/// `Nats-Msg-Id` goes only where a retry needs it: not on `Exact`/`NoStream` appends of
/// fresh v7 ids (their retries are recognised by expected sequence and read-back, the
/// duplicate tracking would cost the server), but on `Any` appends and on derived ids.
/// A fresh-id `Exact` retry is still recognised, with no second write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_appends_that_need_it_carry_a_message_id() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams
        .run(async {
            let backend = streams.fresh("msgid").await;
            let s = stream("ballot-1");
            let now = OffsetDateTime::now_utc;
            let fresh = draft("VoteCast", 0);
            let mut derived = draft("VoteCast", 1);
            derived.id = concerto_eventstore::derived_event_id("test", "clé-1");
            let any = draft("VoteCast", 2);
            let appends = [
                (ExpectedRevision::NoStream, fresh.clone()),
                (ExpectedRevision::Exact(0), derived.clone()),
                (ExpectedRevision::Any, any.clone()),
                (ExpectedRevision::Exact(2), draft("VoteCast", 3)),
            ];
            for (expected, event) in appends {
                backend
                    .append(&s, expected, now(), vec![event])
                    .await
                    .unwrap();
            }
            let retried = backend
                .append(&s, ExpectedRevision::NoStream, now(), vec![fresh.clone()])
                .await
                .unwrap();
            assert!(retried.already_written);
            assert_eq!(
                message_count(&backend).await,
                4,
                "a retry was written twice"
            );
            let js_stream = backend
                .jetstream()
                .get_stream(backend.stream_name())
                .await
                .unwrap();
            let mut msg_ids = Vec::new();
            for sequence in 1..=4 {
                let message = js_stream.get_raw_message(sequence).await.unwrap();
                msg_ids.push(
                    message
                        .headers
                        .get("Nats-Msg-Id")
                        .map(|value| value.as_str().to_owned()),
                );
            }
            assert_eq!(
                msg_ids,
                vec![
                    None,
                    Some(derived.id.to_string()),
                    Some(any.id.to_string()),
                    None
                ]
            );
        })
        .await;
}

/// 256 appends in flight at once on one backend, plus appends given up halfway: each
/// append gets the acknowledgement of its own message (the backend matches replies to
/// appends itself), and one given up disturbs none of the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_append_gets_its_own_acknowledgement() {
    let Some(url) = nats_url() else { return };
    let streams = Streams::new(url);
    streams
        .run(async {
            let backend = streams.fresh("acks").await;
            // Appends dropped after their first poll: published or not, they must leave
            // nothing behind that answers someone else.
            for i in 0..8 {
                let name = stream(&format!("abandoned-{i}"));
                let abandoned = backend.append(
                    &name,
                    ExpectedRevision::NoStream,
                    OffsetDateTime::now_utc(),
                    vec![draft("Abandoned", i)],
                );
                let _ = futures::poll!(Box::pin(abandoned));
            }
            let appends = (0..256u64).map(|i| {
                let backend = backend.clone();
                tokio::spawn(async move {
                    let s = stream(&format!("ballot-{i}"));
                    let result = backend
                        .append(
                            &s,
                            ExpectedRevision::NoStream,
                            OffsetDateTime::now_utc(),
                            vec![draft("VoteCast", i)],
                        )
                        .await
                        .unwrap();
                    (s, result)
                })
            });
            let results = futures::future::join_all(appends).await;
            let js_stream = backend
                .jetstream()
                .get_stream(backend.stream_name())
                .await
                .unwrap();
            let mut sequences = std::collections::BTreeSet::new();
            for joined in results {
                let (s, result) = joined.unwrap();
                let position = result.position.expect("a stored append has a position");
                assert!(sequences.insert(position.commit()), "one sequence twice");
                // The message at the acknowledged sequence is this stream's commit.
                let message = js_stream.get_raw_message(position.commit()).await.unwrap();
                assert_eq!(message.subject.as_str(), backend.subject_of(&s));
                let read = backend
                    .read_stream(&s, Direction::Forward, None, 10)
                    .await
                    .unwrap();
                assert_eq!(read.len(), 1);
                assert_eq!(read[0].position, position);
            }
            assert_eq!(sequences.len(), 256);
        })
        .await;
}
