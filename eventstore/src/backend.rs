//! The contract every storage backend fulfils; the conformance suite checks it.

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

/// Largest encoded commit a backend accepts, in bytes: JetStream's default message
/// payload limit, applied everywhere so that every backend accepts the same appends.
pub const MAX_COMMIT_BYTES: usize = 1024 * 1024;

/// A place events are durably stored: memory, the file log or NATS JetStream.
///
/// Contracts, the same on every backend (the conformance suite checks each one):
/// - `append` writes all of `events` or none, as one commit with one commit number;
///   revisions in a stream are 0-based and have no gap; positions grow strictly in the
///   order commits were acknowledged.
/// - An append returns only once its events are as durable as the backend can make
///   them, and no reader sees them before (read-after-acknowledge, never before).
/// - Expectations follow EventStoreDB: a wrong one gives
///   [`StoreError::WrongExpectedVersion`] and writes nothing. Re-sending the same event
///   ids after a lost reply succeeds without writing twice ([`AppendResult::already_written`]),
///   guaranteed for `Exact` and `NoStream` whatever time has passed.
/// - Reads return events in order, at most `max` of them; an empty result of `read_all`
///   means the reader is at the head as of the call.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Appends `events` to `stream` as one commit, stamping them with `recorded_at`.
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
    ) -> Result<AppendResult, StoreError>;

    /// Reads up to `max` events of `stream` from revision `from` (inclusive) in
    /// `direction`; `from = None` starts at the first (forward) or last (backward) event.
    /// A stream that does not exist reads as empty.
    async fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError>;

    /// Reads up to `max` events of `$all` that pass `filter`, oldest first.
    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError>;

    /// The revision of `stream`'s last event.
    async fn stream_revision(&self, stream: &StreamName) -> Result<CurrentRevision, StoreError>;

    /// The position of the newest event in the log, if any.
    async fn head(&self) -> Result<Option<Position>, StoreError>;

    /// A receiver that changes (to the newest known commit number) whenever new commits
    /// may be readable, including commits written by other processes where the backend
    /// is shared. Subscriptions wait on it once caught up.
    fn watch_commits(&self) -> watch::Receiver<u64>;
}
