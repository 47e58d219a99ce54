//! The NATS JetStream backend: one JetStream stream per store, one message per commit.
//!
//! # Layout
//! - One JetStream stream (default `CONCERTO`, see [`NatsConfig`]) holds the whole log,
//!   file storage, no `max_age`/`max_bytes`/`max_msgs` limit, `discard: new` (should an
//!   operator ever add a limit, writes are refused rather than old events dropped),
//!   deletes and purges denied, direct gets allowed.
//! - Each event stream has its own subject, `concerto.<JetStream stream>.<category>.<name>`
//!   with both parts escaped into subject tokens ([`subject`]); a category read filters
//!   on `concerto.<JetStream stream>.<category>.>`.
//! - One message per commit (1..N events): its body is the [`CommitBody`], encoded once
//!   with [`CommitBody::encode`]; the commit number of a [`Position`] is the message's
//!   JetStream sequence, and `recorded_at` comes from the body, never from the broker.
//!
//! # Appends
//! An append is a core NATS publish whose reply subject names it; the backend's one
//! reply subscription routes each acknowledgement to its append (module `acks`, cheaper per
//! append than `jetstream::Context::send_publish`). It carries
//! `Nats-Expected-Last-Subject-Sequence` (0 for a stream
//! that must not exist yet), so the server refuses it if anyone wrote to the stream
//! since the revision planned (a retry of an append that did land is refused too, its
//! expected sequence being stale by then). `Nats-Msg-Id` (the first event id) is set
//! only where a retry could not be recognised otherwise ([`needs_message_id`]): on `Any`
//! and `StreamExists` appends, and on appends of ids derived from a key (UUID v5 or v8),
//! which a caller may send again at a newer revision; within its duplicate window the
//! server then drops the retry even when other commits came in between. An `Exact` or
//! `NoStream` append of fresh v7 ids goes without it — the server's duplicate tracking
//! took 8 % of the raw publish rate at concurrency 16 and 22 % at 256 on this machine
//! (`BENCHMARKS.md`) — as EventStoreDB guarantees the idempotence of exactly those
//! expectations and only makes a best effort for `Any`. The (revision, sequence) of each
//! stream's last commit is cached ([`cache`]): an append whose expectation matches the
//! cache publishes at once, with no lookup. Otherwise (nothing cached, a refused
//! sequence, a duplicate) the backend looks the stream's last message up with a direct
//! get, reads back the events at the revisions the expectation names, and decides with
//! [`plan_append`] — so a retry of `Exact` or `NoStream` appends is recognised by its
//! ids whatever time has passed, with no second write. For `Any` and `StreamExists`,
//! which cannot say where a retry would land, a retry is recognised within the duplicate
//! window (by the server) or when the earlier attempt is the stream's last commit. The
//! one retry JetStream does not recognise is a fresh v7 append re-sent under another
//! expectation (`Exact` retried as `Any`) after other commits; the embedded backends,
//! which index every id, do.
//!
//! # Reads
//! - A stream read first gets the stream's last message (a direct get by subject): a
//!   stream that has not moved past the revision asked for reads as that one request
//!   (a cached fold catching up), and the walk knows where it ends, so it never asks
//!   for a message after the last (on NATS 2.9 a "next message of this subject" that
//!   finds none scans the rest of the JetStream stream). The commit index cached per
//!   stream gives the sequence of each indexed commit, fetched by sequence with several
//!   direct gets in flight; commits not indexed yet are walked with "next message of
//!   this subject from sequence" (the first read of a stream in a process walks its
//!   commits before `r` once). A backward read fetches indexed commits by sequence.
//! - `read_all` uses ephemeral pull consumers (no acks, filtered on the store or the
//!   category, starting at the wanted sequence) fetched without waiting; the consumer of
//!   a page is kept and reused by the read that continues from where that page ended, so
//!   a catch-up reads its way with one consumer and one request per page.
//! - [`Backend::watch_commits`] changes at once on this process's appends and, for
//!   commits written by other processes, when a background task polling the stream's
//!   last sequence ([`NatsConfig::watch_interval`], only while someone watches) sees it grow.

mod acks;
pub mod cache;
pub mod subject;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_nats::jetstream::{
    self,
    consumer::{pull, AckPolicy, DeliverPolicy},
    context::Context,
    message::StreamMessage,
    stream::{DirectGetErrorKind, DiscardPolicy, RetentionPolicy, StorageType},
};
use async_trait::async_trait;
use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use crate::append_plan::{plan_append, AppendPlan};
use crate::backend::{Backend, MAX_COMMIT_BYTES};
use crate::commit::{encode_body, CommitBody};
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

use acks::{Acknowledged, Publisher};
use cache::StreamCache;
use subject::Subjects;

/// How many times an `Any` or `StreamExists` append is re-planned when other writers
/// keep moving the stream under it.
const MAX_REPLANS: usize = 64;
/// How many idle `read_all` consumers are kept for reuse.
const MAX_CURSORS: usize = 16;
/// How many direct gets of indexed commits a stream read keeps in flight at once.
const READ_AHEAD: usize = 32;
/// How many messages a `read_all` page asks the server for at most per request.
const FETCH_BATCH: usize = 1024;

/// Where and how the JetStream backend stores the log.
#[derive(Clone, Debug)]
pub struct NatsConfig {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// The JetStream stream holding the log: ASCII letters, digits, `-` and `_`.
    pub stream: String,
    /// How long the server remembers `Nats-Msg-Id`s to drop duplicate publishes
    /// (retries beyond it are still recognised, by reading back; see the module docs).
    pub duplicate_window: Duration,
    /// Replicas of the stream (1 on a single server; 3 in production).
    pub replicas: usize,
    /// How often the stream's last sequence is polled to wake subscriptions for commits
    /// written by other processes (only while a subscription watches).
    pub watch_interval: Duration,
    /// About how many streams' last revision and commit index are kept in memory.
    pub cache_capacity: usize,
    /// How long a request (publish acknowledgement, lookup) may take before failing.
    pub request_timeout: Duration,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            url: "nats://127.0.0.1:4222".to_owned(),
            stream: "CONCERTO".to_owned(),
            duplicate_window: Duration::from_secs(120),
            replicas: 1,
            watch_interval: Duration::from_millis(100),
            cache_capacity: 1_000_000,
            request_timeout: Duration::from_secs(10),
        }
    }
}

impl NatsConfig {
    /// The default configuration for the server at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets the JetStream stream name.
    pub fn with_stream(mut self, stream: impl Into<String>) -> Self {
        self.stream = stream.into();
        self
    }

    /// Sets the duplicate window.
    pub fn with_duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }
}

/// A JetStream failure, named by what it was doing.
fn backend_failure(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("NATS JetStream : {what}"))
}

/// A JetStream failure with the client's error.
fn backend_error(what: &str, error: impl std::fmt::Display) -> StoreError {
    backend_failure(format_args!("{what} : {error}"))
}

/// A direct get's answer, with "not found" as `None`.
fn direct_found(
    result: Result<StreamMessage, async_nats::jetstream::stream::DirectGetError>,
    what: &str,
) -> Result<Option<StreamMessage>, StoreError> {
    result.map(Some).or_else(|e| match e.kind() {
        DirectGetErrorKind::NotFound => Ok(None),
        _ => Err(backend_error(what, e)),
    })
}

/// A raw (API) get's answer, with "not found" as `None`: servers without direct gets
/// only say so in the error's text.
fn raw_found<E: std::fmt::Display>(
    result: Result<StreamMessage, E>,
    what: &str,
) -> Result<Option<StreamMessage>, StoreError> {
    result.map(Some).or_else(|e| {
        if e.to_string().contains("no message found") {
            Ok(None)
        } else {
            Err(backend_error(what, e))
        }
    })
}

/// The JetStream backend; see the module documentation. Cheap to clone.
#[derive(Clone)]
pub struct NatsBackend {
    inner: Arc<Inner>,
}

struct Inner {
    client: async_nats::Client,
    js: Context,
    publisher: Publisher,
    stream: jetstream::stream::Stream,
    name: String,
    subjects: Subjects,
    direct: bool,
    cache: StreamCache,
    cursors: Mutex<Vec<Cursor>>,
    commits: watch::Sender<u64>,
    watch_interval: Duration,
    watcher_started: std::sync::atomic::AtomicBool,
}

/// A `read_all` consumer positioned right after `after`, kept between pages.
struct Cursor {
    filter: StreamFilter,
    after: ReadFrom,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    /// Consumer sequence of the last message received (to detect a lost message).
    consumer_sequence: u64,
    /// Events of the last message received that did not fit in the page.
    leftover: VecDeque<EventRecord>,
}

impl NatsBackend {
    /// Connects to the server and creates the JetStream stream, or checks that the
    /// existing one keeps full history and has the expected subjects.
    pub async fn connect(config: NatsConfig) -> Result<Self, StoreError> {
        let valid_name = !config.stream.is_empty()
            && config.stream.len() <= 64
            && config
                .stream
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_name {
            return Err(StoreError::Backend(format!(
                "nom de flux JetStream invalide « {} » : lettres ASCII, chiffres, - et _ seulement (64 au plus)",
                config.stream
            )));
        }
        let client = async_nats::ConnectOptions::new()
            .request_timeout(Some(config.request_timeout))
            .connect(&config.url)
            .await
            .map_err(|e| backend_error(&format!("connexion à {} impossible", config.url), e))?;
        Self::with_client(client, config).await
    }

    /// Like [`NatsBackend::connect`], over an existing client.
    pub async fn with_client(
        client: async_nats::Client,
        config: NatsConfig,
    ) -> Result<Self, StoreError> {
        let js = jetstream::ContextBuilder::new()
            .timeout(config.request_timeout)
            .build(client.clone());
        let subjects = Subjects::new(&config.stream);
        let wanted = jetstream::stream::Config {
            name: config.stream.clone(),
            description: Some("Journal d'événements Concerto (un message par commit)".to_owned()),
            subjects: vec![subjects.all()],
            retention: RetentionPolicy::Limits,
            storage: StorageType::File,
            max_bytes: -1,
            max_messages: -1,
            max_messages_per_subject: -1,
            max_age: Duration::ZERO,
            discard: DiscardPolicy::New,
            num_replicas: config.replicas.max(1),
            duplicate_window: config.duplicate_window,
            allow_direct: true,
            deny_delete: true,
            deny_purge: true,
            ..Default::default()
        };
        let mut stream = js
            .get_or_create_stream(wanted)
            .await
            .map_err(|e| backend_error(&format!("création du flux {}", config.stream), e))?;
        let info = stream
            .info()
            .await
            .map_err(|e| backend_error(&format!("lecture du flux {}", config.stream), e))?
            .clone();
        let existing = &info.config;
        if !existing.subjects.iter().any(|s| s == &subjects.all()) {
            return Err(StoreError::Backend(format!(
                "le flux JetStream {} existe avec les sujets {:?} au lieu de « {} »",
                config.stream,
                existing.subjects,
                subjects.all()
            )));
        }
        if existing.max_age != Duration::ZERO
            || existing.max_bytes > 0
            || existing.max_messages > 0
            || existing.max_messages_per_subject > 0
            || existing.retention != RetentionPolicy::Limits
        {
            return Err(StoreError::Backend(format!(
                "le flux JetStream {} a une limite de rétention (max_age, max_bytes, max_msgs ou politique) qui effacerait des événements ; retirez-la",
                config.stream
            )));
        }
        let direct = existing.allow_direct;
        let (commits, _) = watch::channel(info.state.last_sequence);
        let publisher =
            Publisher::start(client.clone(), &config.stream, config.request_timeout).await?;
        let inner = Arc::new(Inner {
            client,
            js,
            publisher,
            stream,
            name: config.stream,
            subjects,
            direct,
            cache: StreamCache::new(config.cache_capacity),
            cursors: Mutex::new(Vec::new()),
            commits,
            watch_interval: config.watch_interval,
            watcher_started: std::sync::atomic::AtomicBool::new(false),
        });
        Ok(Self { inner })
    }

    /// The JetStream stream's name.
    pub fn stream_name(&self) -> &str {
        &self.inner.name
    }

    /// The subject of an event stream (for tools and the benchmark's raw ceiling).
    pub fn subject_of(&self, stream: &StreamName) -> String {
        self.inner.subjects.stream(stream)
    }

    /// The JetStream context the backend uses.
    pub fn jetstream(&self) -> &Context {
        &self.inner.js
    }

    /// The NATS client the backend uses.
    pub fn client(&self) -> &async_nats::Client {
        &self.inner.client
    }

    /// Deletes the JetStream stream and every event in it: for tests and benchmarks.
    pub async fn delete_stream(&self) -> Result<(), StoreError> {
        self.inner
            .js
            .delete_stream(&self.inner.name)
            .await
            .map_err(|e| backend_error(&format!("suppression du flux {}", self.inner.name), e))?;
        Ok(())
    }
}

/// A decoded message: a commit with its sequence.
struct Commit {
    sequence: u64,
    body: CommitBody,
}

impl Commit {
    fn last_revision(&self) -> u64 {
        self.body.first_revision + self.body.events.len().max(1) as u64 - 1
    }
}

fn decode(message: &StreamMessage) -> Result<Commit, StoreError> {
    let body = CommitBody::decode_shared(message.payload.clone())
        .map_err(|e| StoreError::Encoding(format!("message {} : {e}", message.sequence)))?;
    if body.events.is_empty() {
        return Err(StoreError::Encoding(format!(
            "message {} : commit sans événement",
            message.sequence
        )));
    }
    Ok(Commit {
        sequence: message.sequence,
        body,
    })
}

impl Inner {
    /// One message by sequence (`None`: no such message).
    async fn get_sequence(&self, sequence: u64) -> Result<Option<StreamMessage>, StoreError> {
        const WHAT: &str = "lecture d'un message";
        if self.direct {
            direct_found(self.stream.direct_get(sequence).await, WHAT)
        } else {
            raw_found(self.stream.get_raw_message(sequence).await, WHAT)
        }
    }

    /// The first message of `subject` at or after `sequence`.
    async fn get_next(
        &self,
        subject: &str,
        sequence: u64,
    ) -> Result<Option<StreamMessage>, StoreError> {
        const WHAT: &str = "lecture d'un flux";
        if self.direct {
            let found = self
                .stream
                .direct_get_next_for_subject(subject, Some(sequence))
                .await;
            direct_found(found, WHAT)
        } else {
            let found = self
                .stream
                .raw_message_builder()
                .next_by_subject(subject)
                .sequence(sequence)
                .send()
                .await;
            raw_found(found, WHAT)
        }
    }

    /// The last message of `subject`.
    async fn get_last(&self, subject: &str) -> Result<Option<StreamMessage>, StoreError> {
        const WHAT: &str = "lecture de la fin d'un flux";
        if self.direct {
            direct_found(self.stream.direct_get_last_for_subject(subject).await, WHAT)
        } else {
            raw_found(
                self.stream.get_last_raw_message_by_subject(subject).await,
                WHAT,
            )
        }
    }

    /// Decodes a message of `stream`, checking that it belongs to it.
    fn decode_of(
        &self,
        stream: &StreamName,
        message: &StreamMessage,
    ) -> Result<Commit, StoreError> {
        let commit = decode(message)?;
        if &commit.body.stream != stream {
            return Err(StoreError::Encoding(format!(
                "message {} : commit du flux « {} » sous le sujet de « {stream} »",
                message.sequence, commit.body.stream
            )));
        }
        self.cache.record(
            stream,
            commit.body.first_revision,
            commit.body.events.len() as u64,
            commit.sequence,
        );
        Ok(commit)
    }

    /// The stream's last commit, from the server.
    async fn last_commit(
        &self,
        stream: &StreamName,
        subject: &str,
    ) -> Result<Option<Commit>, StoreError> {
        match self.get_last(subject).await? {
            Some(message) => Ok(Some(self.decode_of(stream, &message)?)),
            None => Ok(None),
        }
    }

    /// Commits of `stream` in order, starting with the one holding `from`, until
    /// `enough` says stop or the stream ends. Uses and extends the commit index.
    ///
    /// `last`, when given, is the stream's last commit as just read: the walk ends with
    /// it instead of asking for a message after it (on NATS 2.9 a "next message of this
    /// subject" that finds none scans the rest of the whole JetStream stream). Indexed
    /// commits are fetched by sequence, [`READ_AHEAD`] requests in flight at once.
    async fn walk_forward(
        &self,
        stream: &StreamName,
        subject: &str,
        from: u64,
        last: Option<Commit>,
        mut enough: impl FnMut(&Commit) -> bool,
    ) -> Result<Vec<Commit>, StoreError> {
        let last_sequence = last.as_ref().map(|c| c.sequence);
        let (indexed, after_index) = self.cache.with(stream, |state| match state {
            Some(state) => match state.commit_holding(from) {
                Some(i) => (
                    state.commits[i..]
                        .iter()
                        .map(|&(_, seq)| seq)
                        .filter(|&seq| last_sequence.is_none_or(|end| seq < end))
                        .collect::<Vec<_>>(),
                    state.indexed_last_sequence().map_or(1, |seq| seq + 1),
                ),
                None => (
                    Vec::new(),
                    state.indexed_last_sequence().map_or(1, |seq| seq + 1),
                ),
            },
            None => (Vec::new(), 1),
        });
        let mut commits = Vec::new();
        let mut sequence = after_index;
        let mut stopped = false;
        'indexed: for chunk in indexed.chunks(READ_AHEAD) {
            let fetched =
                futures::future::try_join_all(chunk.iter().map(|&seq| self.get_sequence(seq)))
                    .await?;
            for (message, &seq) in fetched.into_iter().zip(chunk) {
                let Some(message) = message else {
                    return Err(StoreError::Encoding(format!(
                        "message {seq} du flux « {stream} » introuvable"
                    )));
                };
                let commit = self.decode_of(stream, &message)?;
                sequence = commit.sequence + 1;
                if commit.last_revision() < from {
                    continue;
                }
                let stop = enough(&commit);
                commits.push(commit);
                if stop {
                    stopped = true;
                    break 'indexed;
                }
            }
        }
        if let Some(end) = last_sequence.filter(|&end| after_index > end) {
            // The index holds the last commit, so no commit of the stream lies between
            // the indexed ones fetched above and it.
            sequence = sequence.max(end);
        }
        let mut last = last;
        while !stopped {
            let commit = match last.take() {
                Some(end) if sequence >= end.sequence => {
                    // Read before the walk reached it: it joins the index only now.
                    self.cache.record(
                        stream,
                        end.body.first_revision,
                        end.body.events.len() as u64,
                        end.sequence,
                    );
                    end
                }
                Some(end) => {
                    last = Some(end);
                    match self.get_next(subject, sequence).await? {
                        Some(message) => self.decode_of(stream, &message)?,
                        None => break,
                    }
                }
                None if last_sequence.is_some() => break,
                None => match self.get_next(subject, sequence).await? {
                    Some(message) => self.decode_of(stream, &message)?,
                    None => break,
                },
            };
            sequence = commit.sequence + 1;
            if last_sequence.is_some_and(|end| commit.sequence >= end) {
                last = None;
                stopped = true;
            }
            if commit.last_revision() < from {
                continue;
            }
            if enough(&commit) {
                stopped = true;
            }
            commits.push(commit);
        }
        Ok(commits)
    }

    /// The ids of `stream` at revisions `from..from + count`, with each one's position.
    async fn ids_at(
        &self,
        stream: &StreamName,
        subject: &str,
        from: u64,
        count: usize,
    ) -> Result<HashMap<u64, (Uuid, Position)>, StoreError> {
        let end = from + count as u64;
        let commits = self
            .walk_forward(stream, subject, from, None, |c| {
                c.last_revision() + 1 >= end
            })
            .await?;
        let mut ids = HashMap::new();
        for commit in &commits {
            add_ids(&mut ids, commit);
        }
        Ok(ids)
    }

    fn notify(&self, sequence: u64) {
        self.commits.send_if_modified(|known| {
            if sequence > *known {
                *known = sequence;
                true
            } else {
                false
            }
        });
    }

    /// The slow path: looks the stream up and plans the append with what the server holds.
    /// `duplicate_of` is the sequence the server reported the first id as a duplicate of.
    async fn resolve(
        &self,
        stream: &StreamName,
        subject: &str,
        expected: ExpectedRevision,
        new_ids: &[Uuid],
        duplicate_of: Option<u64>,
    ) -> Result<Resolved, StoreError> {
        let last = self.last_commit(stream, subject).await?;
        let current = last.as_ref().map_or(CurrentRevision::NoStream, |c| {
            CurrentRevision::Current(c.last_revision())
        });
        let mut known: HashMap<u64, (Uuid, Position)> = HashMap::new();
        if let Some(last) = &last {
            add_ids(&mut known, last);
        }
        if let Some(sequence) = duplicate_of {
            if let Some(message) = self.get_sequence(sequence).await? {
                let commit = decode(&message)?;
                if &commit.body.stream != stream {
                    return Err(StoreError::DuplicateEventId {
                        id: new_ids[0],
                        stream: commit.body.stream.to_string(),
                    });
                }
                add_ids(&mut known, &commit);
            }
        }
        // Where a retry of this append would have landed, for the expectations that say.
        let retry_at = match expected {
            ExpectedRevision::Exact(n) => Some(n + 1),
            ExpectedRevision::NoStream => Some(0),
            _ => None,
        };
        if let (Some(start), CurrentRevision::Current(now)) = (retry_at, current) {
            let wanted = start..start + new_ids.len() as u64;
            if !new_ids.is_empty()
                && start <= now
                && !wanted.clone().all(|r| known.contains_key(&r))
            {
                known.extend(self.ids_at(stream, subject, start, new_ids.len()).await?);
            }
        }
        let plan = plan_append(
            stream,
            current,
            expected,
            new_ids,
            |revision| known.get(&revision).map(|(id, _)| *id),
            |id| {
                known
                    .iter()
                    .find(|(_, (known_id, _))| *known_id == id)
                    .map(|(revision, _)| *revision)
            },
        )?;
        Ok(match plan {
            AppendPlan::AlreadyWritten { first_revision } => {
                let last_revision = first_revision + new_ids.len() as u64 - 1;
                Resolved::Done(AppendResult {
                    next_expected: CurrentRevision::Current(last_revision),
                    position: known.get(&last_revision).map(|(_, p)| *p),
                    already_written: true,
                })
            }
            AppendPlan::Write { first_revision } => {
                if duplicate_of.is_some() {
                    // The server holds the first id elsewhere in this stream.
                    return Err(StoreError::DuplicateEventId {
                        id: new_ids[0],
                        stream: stream.to_string(),
                    });
                }
                Resolved::Write {
                    first_revision,
                    expected_sequence: last.as_ref().map_or(0, |c| c.sequence),
                    current,
                }
            }
        })
    }
}

/// Whether an append must carry `Nats-Msg-Id` (its first event id) for its retries to
/// be recognised.
///
/// An `Exact` or `NoStream` append of fresh UUID v7 ids does not: a retry names the same
/// revision, so its expected sequence is refused once the first attempt landed and the
/// read-back finds the ids, whatever time has passed. The id is kept where that is not
/// enough: `Any` and `StreamExists` appends, which do not say where a retry would land,
/// and appends holding any id that is not a v7 — ids derived from an idempotency key or
/// an import (v5, v8), which a caller may send again after deciding anew at a newer
/// revision, where only the server's duplicate window recognises them. Leaving the id
/// out where it is not needed saves the server's duplicate tracking: 8 % of the raw
/// publish rate at concurrency 16 and 22 % at 256 on the development machine
/// (`BENCHMARKS.md`).
fn needs_message_id(expected: ExpectedRevision, events: &[EventDraft]) -> bool {
    let locates_its_retry = matches!(
        expected,
        ExpectedRevision::Exact(_) | ExpectedRevision::NoStream
    );
    !locates_its_retry || events.iter().any(|event| event.id.get_version_num() != 7)
}

fn add_ids(ids: &mut HashMap<u64, (Uuid, Position)>, commit: &Commit) {
    for (index, event) in commit.body.events.iter().enumerate() {
        ids.insert(
            commit.body.first_revision + index as u64,
            (event.id, Position::new(commit.sequence, index as u32)),
        );
    }
}

enum Resolved {
    Done(AppendResult),
    Write {
        first_revision: u64,
        expected_sequence: u64,
        current: CurrentRevision,
    },
}

#[async_trait]
impl Backend for NatsBackend {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
    ) -> Result<AppendResult, StoreError> {
        let inner = &*self.inner;
        // The fast path: the cache says where the stream stands and the expectation
        // agrees; it also holds the stream's subject, escaped by an earlier append.
        let tail = inner.cache.tail(stream);
        let subject = tail
            .subject
            .clone()
            .unwrap_or_else(|| async_nats::Subject::from(inner.subjects.stream(stream)));
        let mut plan = match (expected, tail.last) {
            (ExpectedRevision::Exact(n), Some((revision, sequence))) if n == revision => {
                Some((revision + 1, sequence))
            }
            (
                ExpectedRevision::Any | ExpectedRevision::StreamExists,
                Some((revision, sequence)),
            ) => Some((revision + 1, sequence)),
            (ExpectedRevision::NoStream, None) => Some((0, 0)),
            _ => None,
        };
        if events.is_empty() {
            // An empty append only checks the expectation, against the server.
            return match Box::pin(inner.resolve(stream, &subject, expected, &[], None)).await? {
                Resolved::Done(result) => Ok(result),
                Resolved::Write { current, .. } => Ok(AppendResult {
                    next_expected: current,
                    position: None,
                    already_written: false,
                }),
            };
        }
        let count = events.len() as u64;
        let msg_id = needs_message_id(expected, &events).then_some(events[0].id);
        let mut duplicate_of = None;
        for _ in 0..MAX_REPLANS {
            let (first_revision, expected_sequence) = match plan.take() {
                Some(planned) => planned,
                None => {
                    let new_ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
                    // Boxed: the slow path's futures (direct gets, reads back) would
                    // otherwise size every append's future, fast path included.
                    match Box::pin(inner.resolve(
                        stream,
                        &subject,
                        expected,
                        &new_ids,
                        duplicate_of.take(),
                    ))
                    .await?
                    {
                        Resolved::Done(result) => return Ok(result),
                        Resolved::Write {
                            first_revision,
                            expected_sequence,
                            ..
                        } => (first_revision, expected_sequence),
                    }
                }
            };
            // Encoded for each attempt (a replan is rare, and re-encoding costs less
            // than keeping a second handle on every append's bytes); the events are
            // dropped once published, so no stored slices are kept.
            let bytes = bytes::Bytes::from(encode_body(
                stream,
                first_revision,
                recorded_at,
                &events,
                |_| {},
            )?);
            if bytes.len() > MAX_COMMIT_BYTES {
                return Err(StoreError::TooLarge {
                    size: bytes.len(),
                    max: MAX_COMMIT_BYTES,
                });
            }
            match inner
                .publisher
                .publish(subject.clone(), expected_sequence, msg_id.as_ref(), bytes)
                .await?
            {
                Acknowledged::Stored(sequence) => {
                    inner
                        .cache
                        .record_append(&tail, &subject, first_revision, count, sequence);
                    inner.notify(sequence);
                    return Ok(AppendResult {
                        next_expected: CurrentRevision::Current(first_revision + count - 1),
                        position: Some(Position::new(sequence, count as u32 - 1)),
                        already_written: false,
                    });
                }
                Acknowledged::Duplicate(sequence) => duplicate_of = Some(sequence),
                Acknowledged::WrongSequence => {}
            }
        }
        Err(backend_failure(format_args!(
            "le flux « {stream} » change trop vite, écriture abandonnée après {MAX_REPLANS} essais"
        )))
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let inner = &*self.inner;
        let subject = inner.subjects.stream(stream);
        match direction {
            Direction::Forward => {
                let from = from.unwrap_or(0);
                // The last commit first: a stream that has not moved since the caller's
                // revision (a cached fold catching up) reads as this one request.
                let Some(last) = inner.last_commit(stream, &subject).await? else {
                    return Ok(Vec::new());
                };
                if last.last_revision() < from {
                    return Ok(Vec::new());
                }
                let mut taken = 0usize;
                let commits = if last.body.first_revision <= from {
                    vec![last]
                } else {
                    inner
                        .walk_forward(stream, &subject, from, Some(last), |commit| {
                            let end = commit.body.first_revision + commit.body.events.len() as u64;
                            taken +=
                                end.saturating_sub(from.max(commit.body.first_revision)) as usize;
                            taken >= max
                        })
                        .await?
                };
                let mut records = Vec::with_capacity(max.min(taken));
                for commit in commits {
                    let sequence = commit.sequence;
                    records.extend(
                        commit
                            .body
                            .into_records(sequence)
                            .filter(|r| r.revision >= from),
                    );
                }
                records.truncate(max);
                Ok(records)
            }
            Direction::Backward => {
                // Index the whole stream (walking only what is not indexed yet).
                let unindexed = inner
                    .cache
                    .with(stream, |state| state.map_or(0, |s| s.indexed_next));
                let last = inner.last_commit(stream, &subject).await?;
                let walked = match last {
                    Some(last) if last.last_revision() >= unindexed => {
                        inner
                            .walk_forward(stream, &subject, unindexed, Some(last), |_| false)
                            .await?
                    }
                    _ => Vec::new(),
                };
                let mut fetched: HashMap<u64, Commit> =
                    walked.into_iter().map(|c| (c.sequence, c)).collect();
                let (start, sequences) = inner.cache.with(stream, |state| {
                    let Some(state) = state.filter(|s| s.indexed_next > 0) else {
                        return (0, Vec::new());
                    };
                    let last = state.indexed_next - 1;
                    let start = from.map_or(last, |f| f.min(last));
                    let holding = state.commit_holding(start).unwrap_or(0);
                    (
                        start,
                        state.commits[..=holding]
                            .iter()
                            .rev()
                            .map(|&(_, seq)| seq)
                            .collect::<Vec<_>>(),
                    )
                });
                let mut records = Vec::new();
                for sequence in sequences {
                    let commit = match fetched.remove(&sequence) {
                        Some(commit) => commit,
                        None => match inner.get_sequence(sequence).await? {
                            Some(message) => inner.decode_of(stream, &message)?,
                            None => {
                                return Err(StoreError::Encoding(format!(
                                    "message {sequence} du flux « {stream} » introuvable"
                                )))
                            }
                        },
                    };
                    let mut commit_records: Vec<EventRecord> = commit
                        .body
                        .into_records(sequence)
                        .filter(|r| r.revision <= start)
                        .collect();
                    while let Some(record) = commit_records.pop() {
                        records.push(record);
                        if records.len() >= max {
                            return Ok(records);
                        }
                    }
                }
                Ok(records)
            }
        }
    }

    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let inner = &*self.inner;
        let reused = {
            let mut cursors = inner.cursors.lock().unwrap_or_else(|p| p.into_inner());
            cursors
                .iter()
                .position(|c| c.after == from && &c.filter == filter)
                .map(|i| cursors.swap_remove(i))
        };
        let mut cursor = match reused {
            Some(cursor) => cursor,
            None => inner.open_cursor(from, filter).await?,
        };
        let mut records = Vec::new();
        let mut result = inner.fill(&mut cursor, from, max, &mut records).await;
        if result.is_err() {
            // A lost message or a consumer the server forgot: start over once, afresh.
            inner.drop_consumer(cursor);
            records.clear();
            cursor = inner.open_cursor(from, filter).await?;
            result = inner.fill(&mut cursor, from, max, &mut records).await;
        }
        match result {
            Ok(()) => {
                if let Some(last) = records.last() {
                    cursor.after = ReadFrom::After(last.position);
                }
                let mut cursors = inner.cursors.lock().unwrap_or_else(|p| p.into_inner());
                if cursors.len() >= MAX_CURSORS {
                    let old = cursors.remove(0);
                    inner.drop_consumer(old);
                }
                cursors.push(cursor);
                Ok(records)
            }
            Err(error) => {
                inner.drop_consumer(cursor);
                Err(error)
            }
        }
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<CurrentRevision, StoreError> {
        let subject = self.inner.subjects.stream(stream);
        let last = self.inner.last_commit(stream, &subject).await?;
        Ok(last.map_or(CurrentRevision::NoStream, |c| {
            CurrentRevision::Current(c.last_revision())
        }))
    }

    async fn head(&self) -> Result<Option<Position>, StoreError> {
        let info = self
            .inner
            .stream
            .get_info()
            .await
            .map_err(|e| backend_error("état du flux", e))?;
        let last = info.state.last_sequence;
        if last == 0 || info.state.messages == 0 {
            return Ok(None);
        }
        self.inner.notify(last);
        match self.inner.get_sequence(last).await? {
            Some(message) => {
                let commit = decode(&message)?;
                Ok(Some(Position::new(
                    last,
                    commit.body.events.len() as u32 - 1,
                )))
            }
            None => Err(StoreError::Encoding(format!(
                "dernier message {last} introuvable"
            ))),
        }
    }

    fn watch_commits(&self) -> watch::Receiver<u64> {
        let receiver = self.inner.commits.subscribe();
        if !self
            .inner
            .watcher_started
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            tokio::spawn(watch_other_processes(Arc::downgrade(&self.inner)));
        }
        receiver
    }
}

/// Polls the stream's last sequence while anyone watches, so that commits of other
/// processes wake subscriptions; ends when the backend is dropped.
async fn watch_other_processes(inner: Weak<Inner>) {
    let interval = match inner.upgrade() {
        Some(inner) => inner.watch_interval,
        None => return,
    };
    loop {
        tokio::time::sleep(interval).await;
        let Some(inner) = inner.upgrade() else { return };
        if inner.commits.receiver_count() == 0 {
            continue;
        }
        match inner.stream.get_info().await {
            Ok(info) => inner.notify(info.state.last_sequence),
            Err(error) => tracing::debug!(%error, "NATS JetStream : état du flux illisible"),
        }
    }
}

impl Inner {
    async fn open_cursor(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
    ) -> Result<Cursor, StoreError> {
        let deliver_policy = match from {
            ReadFrom::Start => DeliverPolicy::All,
            ReadFrom::After(position) => DeliverPolicy::ByStartSequence {
                start_sequence: position.commit().max(1),
            },
        };
        let filter_subject = match filter {
            StreamFilter::All => self.subjects.all(),
            StreamFilter::Category(category) => self.subjects.category(category),
        };
        let consumer = self
            .stream
            .create_consumer(pull::Config {
                deliver_policy,
                ack_policy: AckPolicy::None,
                filter_subject,
                inactive_threshold: Duration::from_secs(60),
                max_batch: FETCH_BATCH as i64,
                ..Default::default()
            })
            .await
            .map_err(|e| backend_error("création d'un consommateur", e))?;
        Ok(Cursor {
            filter: filter.clone(),
            after: from,
            consumer,
            consumer_sequence: 0,
            leftover: VecDeque::new(),
        })
    }

    fn drop_consumer(&self, cursor: Cursor) {
        let name = cursor.consumer.cached_info().name.clone();
        let stream = self.stream.clone();
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = stream.delete_consumer(&name).await;
            });
        }
    }

    /// Fills `records` with up to `max` events after `from` from the cursor.
    async fn fill(
        &self,
        cursor: &mut Cursor,
        from: ReadFrom,
        max: usize,
        records: &mut Vec<EventRecord>,
    ) -> Result<(), StoreError> {
        while records.len() < max {
            if let Some(record) = cursor.leftover.pop_front() {
                if from.includes(record.position) {
                    records.push(record);
                }
                continue;
            }
            let wanted = (max - records.len()).min(FETCH_BATCH);
            let mut batch = cursor
                .consumer
                .fetch()
                .max_messages(wanted)
                .messages()
                .await
                .map_err(|e| backend_error("lecture du journal", e))?;
            let mut received = 0usize;
            let mut at_head = false;
            while let Some(message) = batch.next().await {
                let message = message.map_err(|e| backend_error("lecture du journal", e))?;
                let info = message
                    .info()
                    .map_err(|e| backend_error("lecture du journal", e))?;
                if info.consumer_sequence != cursor.consumer_sequence + 1 {
                    return Err(backend_error(
                        "lecture du journal",
                        format!(
                            "message perdu (séquence de consommateur {} après {})",
                            info.consumer_sequence, cursor.consumer_sequence
                        ),
                    ));
                }
                cursor.consumer_sequence = info.consumer_sequence;
                let sequence = info.stream_sequence;
                let pending = info.pending;
                received += 1;
                let body = CommitBody::decode_shared(message.payload.clone())
                    .map_err(|e| StoreError::Encoding(format!("message {sequence} : {e}")))?;
                for record in body.into_records(sequence) {
                    if !from.includes(record.position) {
                        continue;
                    }
                    if records.len() < max {
                        records.push(record);
                    } else {
                        cursor.leftover.push_back(record);
                    }
                }
                // At the head, the batch is still read to its end (the server closes a
                // fetch with "no messages"): dropped early, a message delivered to it
                // meanwhile would be lost to this cursor, and with no later commit to
                // reveal the gap, the subscriber would wait for it forever.
                if pending == 0 {
                    at_head = true;
                }
                if received >= wanted {
                    break;
                }
            }
            if at_head || received == 0 {
                break;
            }
        }
        Ok(())
    }
}
