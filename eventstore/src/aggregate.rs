//! The command loop of an aggregate: load its stream, decide, append with the revision
//! it was decided on, and retry a bounded number of times when another writer won.
//!
//! Generic over plain functions so that the domain, which knows nothing of storage,
//! provides `evolve` and `decide`, and the application layer wires them here.

use std::fmt::Display;

use crate::envelope::{NewEvent, RecordedEvent};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::position::Direction;
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
    let mut state = S::default();
    let mut revision = CurrentRevision::NoStream;
    let mut from = 0;
    loop {
        let page = store
            .read_stream(stream, Direction::Forward, Some(from), LOAD_PAGE)
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
        from += page.len() as u64;
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
        let expected = match revision {
            CurrentRevision::NoStream => ExpectedRevision::NoStream,
            CurrentRevision::Current(n) => ExpectedRevision::Exact(n),
        };
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
