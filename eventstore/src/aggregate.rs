//! The command loop of an aggregate: load its stream, decide, append with the revision
//! it was decided on, and retry a bounded number of times when another writer won.
//!
//! The `_cached` variants go through [`Folds`], the in-process cache of folded states:
//! a snapshot reads only the commits after the cached revision, and a command decides
//! on the cached state and lets the append's expected revision check it.
//!
//! Generic over plain functions so that the domain, which knows nothing of storage,
//! provides `evolve` and `decide`, and the application layer wires them here.

use std::fmt::Display;

use time::OffsetDateTime;

use crate::envelope::{EventDraft, EventRecord, NewEvent, RecordedEvent};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision};
use crate::folds::Folds;
use crate::position::{Direction, Position};
use crate::store::EventStore;
use crate::stream_name::StreamName;

/// How many events a load reads per page.
const LOAD_PAGE: usize = 1024;

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError<R> {
    /// The aggregate refused the command (business rule).
    #[error("commande refusée")]
    Rejected(R),
    /// Another writer kept winning: every attempt met a newer revision.
    #[error("conflit d'écriture persistant sur « {stream} » après {attempts} tentatives")]
    Conflict {
        /// The contended stream.
        stream: String,
        /// How many attempts were made.
        attempts: usize,
    },
    /// A stored event could not be folded (unknown type, bad schema).
    #[error("événement illisible dans « {stream} » à la révision {revision} : {why}")]
    Fold {
        /// The stream.
        stream: String,
        /// The revision of the event.
        revision: u64,
        /// What went wrong.
        why: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The outcome of a command that was carried out.
#[derive(Debug)]
pub struct Executed<S> {
    /// The state the command was decided on (before the new events).
    pub state: S,
    /// The stream's revision the command was decided on.
    pub revision: CurrentRevision,
    /// What the append reported (`position` is `None` when the decision was no event).
    pub append: AppendResult,
    /// The events appended (with the ids they were given).
    pub events: Vec<NewEvent>,
}

/// Loads the state of `stream` by folding its events with `evolve`.
pub async fn load<S: Default, E: Display, R>(
    store: &EventStore,
    stream: &StreamName,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
) -> Result<(S, CurrentRevision), ExecuteError<R>> {
    catch_up(
        store,
        stream,
        S::default(),
        CurrentRevision::NoStream,
        evolve,
    )
    .await
}

/// Folds into `state`, which stands at `revision`, the events of `stream` after it.
async fn catch_up<S, E: Display, R>(
    store: &EventStore,
    stream: &StreamName,
    mut state: S,
    mut revision: CurrentRevision,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
) -> Result<(S, CurrentRevision), ExecuteError<R>> {
    loop {
        let page = store
            .read_stream(stream, Direction::Forward, Some(revision.next()), LOAD_PAGE)
            .await?;
        let done = page.len() < LOAD_PAGE;
        for event in &page {
            state = evolve(state, event).map_err(|e| ExecuteError::Fold {
                stream: stream.to_string(),
                revision: event.revision(),
                why: e.to_string(),
            })?;
            revision = CurrentRevision::Current(event.revision());
        }
        if done {
            return Ok((state, revision));
        }
    }
}

/// Runs one command against `stream`: load, `decide`, append with the revision loaded,
/// and on a concurrent write start again, at most `max_attempts` times in all.
///
/// `decide` sees the current state and returns the events to append (empty: nothing to
/// do) or a rejection.
pub async fn execute<S, E, R>(
    store: &EventStore,
    stream: &StreamName,
    max_attempts: usize,
    mut evolve: impl FnMut(S, &RecordedEvent) -> Result<S, E>,
    mut decide: impl FnMut(&S) -> Result<Vec<NewEvent>, R>,
) -> Result<Executed<S>, ExecuteError<R>>
where
    S: Default,
    E: Display,
{
    let attempts = max_attempts.max(1);
    for _ in 0..attempts {
        let (state, revision) = load(store, stream, &mut evolve).await?;
        let events = decide(&state).map_err(ExecuteError::Rejected)?;
        let expected = revision.expected();
        match store.append(stream, expected, events.clone()).await {
            Ok(append) => {
                return Ok(Executed {
                    state,
                    revision,
                    append,
                    events,
                })
            }
            Err(StoreError::WrongExpectedVersion { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ExecuteError::Conflict {
        stream: stream.to_string(),
        attempts,
    })
}

/// A command decided on a state of its stream, not appended yet: lets a caller do what
/// must precede the append (register a participant) only once the command is known to
/// stand, without deciding it twice.
#[derive(Debug)]
pub struct Decided<S> {
    state: S,
    revision: CurrentRevision,
    events: Vec<NewEvent>,
}

impl<S> Decided<S> {
    /// The events the decision would append (empty: nothing to do).
    pub fn events(&self) -> &[NewEvent] {
        &self.events
    }
}

/// Like [`load`], through `folds`: the cached state is caught up with the commits after
/// its revision (one read when nothing changed), and the result stored back.
///
/// Contract: the state returned includes every commit the store held when the read
/// started, exactly as [`load`] would fold it.
pub async fn load_cached<S, E, R>(
    store: &EventStore,
    folds: &Folds,
    stream: &StreamName,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
) -> Result<(S, CurrentRevision), ExecuteError<R>>
where
    S: Default + Clone + Send + Sync + 'static,
    E: Display,
{
    let cached = folds.get::<S>(stream);
    let before = cached.as_ref().map(|(_, revision)| *revision);
    let (state, revision) = cached.unwrap_or_else(|| (S::default(), CurrentRevision::NoStream));
    let (state, revision) = catch_up(store, stream, state, revision, evolve).await?;
    // Also an empty stream, read just now: the command that creates it (a first vote,
    // a registration) then decides on it without reading again.
    if before != Some(revision) {
        folds.put(stream, state.clone(), revision);
    }
    Ok((state, revision))
}

/// Decides a command on `stream`'s cached state without reading the store first: the
/// append will check that state by its revision. A refusal, or a decision to append
/// nothing, is only believed of a state read back just now (no append will check it),
/// so on a cached state it is decided again after [`load_cached`].
pub async fn decide_cached<S, E, R>(
    store: &EventStore,
    folds: &Folds,
    stream: &StreamName,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
    decide: &mut impl FnMut(&S) -> Result<Vec<NewEvent>, R>,
) -> Result<Decided<S>, ExecuteError<R>>
where
    S: Default + Clone + Send + Sync + 'static,
    E: Display,
{
    if let Some((state, revision)) = folds.get::<S>(stream) {
        if let Ok(events) = decide(&state) {
            if !events.is_empty() {
                return Ok(Decided {
                    state,
                    revision,
                    events,
                });
            }
        }
    }
    let (state, revision) = load_cached(store, folds, stream, evolve).await?;
    let events = decide(&state).map_err(ExecuteError::Rejected)?;
    Ok(Decided {
        state,
        revision,
        events,
    })
}

/// Appends a [`Decided`] command with the revision it was decided on; when another
/// writer (or another process) moved the stream, catches the state up, decides again
/// and retries, `max_attempts` times in all. On success the cache holds the state
/// after the new events.
pub async fn commit_decided<S, E, R>(
    store: &EventStore,
    folds: &Folds,
    stream: &StreamName,
    max_attempts: usize,
    decided: Decided<S>,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
    decide: &mut impl FnMut(&S) -> Result<Vec<NewEvent>, R>,
) -> Result<Executed<S>, ExecuteError<R>>
where
    S: Default + Clone + Send + Sync + 'static,
    E: Display,
{
    let attempts = max_attempts.max(1);
    let mut decided = decided;
    for attempt in 1..=attempts {
        let expected = decided.revision.expected();
        match store.append(stream, expected, decided.events.clone()).await {
            Ok(append) => {
                remember(folds, stream, &decided, &append, evolve);
                return Ok(Executed {
                    state: decided.state,
                    revision: decided.revision,
                    append,
                    events: decided.events,
                });
            }
            Err(StoreError::WrongExpectedVersion { .. }) if attempt < attempts => {
                let (state, revision) = load_cached(store, folds, stream, evolve).await?;
                let events = decide(&state).map_err(ExecuteError::Rejected)?;
                decided = Decided {
                    state,
                    revision,
                    events,
                };
            }
            Err(StoreError::WrongExpectedVersion { .. }) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ExecuteError::Conflict {
        stream: stream.to_string(),
        attempts,
    })
}

/// [`execute`] through `folds`: [`decide_cached`] then [`commit_decided`]. A command on
/// a stream this process wrote last costs one append and no read.
pub async fn execute_cached<S, E, R>(
    store: &EventStore,
    folds: &Folds,
    stream: &StreamName,
    max_attempts: usize,
    mut evolve: impl FnMut(S, &RecordedEvent) -> Result<S, E>,
    mut decide: impl FnMut(&S) -> Result<Vec<NewEvent>, R>,
) -> Result<Executed<S>, ExecuteError<R>>
where
    S: Default + Clone + Send + Sync + 'static,
    E: Display,
{
    let decided = decide_cached(store, folds, stream, &mut evolve, &mut decide).await?;
    commit_decided(
        store,
        folds,
        stream,
        max_attempts,
        decided,
        &mut evolve,
        &mut decide,
    )
    .await
}

/// Stores in `folds` the state after a successful append: the decided state evolved
/// with the new events as a read would return them (sealed parts opened, since their
/// keys were just used). A replayed append (already written) or an event that does not
/// fold leaves the cache as it was: a lagging entry is caught up by the next use.
fn remember<S, E>(
    folds: &Folds,
    stream: &StreamName,
    decided: &Decided<S>,
    append: &AppendResult,
    evolve: &mut impl FnMut(S, &RecordedEvent) -> Result<S, E>,
) where
    S: Clone + Send + Sync + 'static,
{
    let Some(last) = append.position else { return };
    if append.already_written || decided.events.is_empty() {
        return;
    }
    let recorded_at = OffsetDateTime::now_utc();
    let first = decided.revision.next();
    let mut state = decided.state.clone();
    for (index, event) in decided.events.iter().enumerate() {
        let recorded = RecordedEvent {
            record: EventRecord {
                position: Position::new(last.commit(), index as u32),
                stream: stream.clone(),
                revision: first + index as u64,
                recorded_at,
                event: EventDraft {
                    id: event.id,
                    event_type: event.event_type.clone(),
                    schema_version: event.schema_version,
                    data: event.data.clone(),
                    metadata: event.metadata.clone(),
                    // The ciphertexts stay with the store; folds read the opened values.
                    sealed: Vec::new(),
                    stored: None,
                },
            },
            opened: event
                .sealed
                .iter()
                .map(|part| (part.part.clone(), Some(part.value.clone())))
                .collect(),
        };
        match evolve(state, &recorded) {
            Ok(next) => state = next,
            Err(_) => return,
        }
    }
    folds.put(stream, state, append.next_expected);
}
