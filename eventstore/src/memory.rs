//! The in-memory backend: the reference implementation of [`Backend`], for tests.

use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::backend::Backend;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::log_index::{LogIndex, Prepared};
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

/// Events kept in memory only; lost when dropped.
pub struct MemoryBackend {
    index: Mutex<LogIndex>,
    commits: watch::Sender<u64>,
}

impl Default for MemoryBackend {
    fn default() -> Self {
        Self {
            index: Mutex::new(LogIndex::default()),
            commits: watch::Sender::new(0),
        }
    }
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn index(&self) -> std::sync::MutexGuard<'_, LogIndex> {
        // A panic while holding the lock cannot leave a half-applied commit visible:
        // commits become readable only through `make_durable`, the last step.
        self.index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
    ) -> Result<AppendResult, StoreError> {
        let mut index = self.index();
        match index.prepare(stream, expected, recorded_at, events)? {
            Prepared::Done(result) => Ok(result),
            Prepared::Write { commit, result, .. } => {
                index.make_durable(commit);
                drop(index);
                self.commits.send_replace(commit);
                Ok(result)
            }
        }
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        Ok(self.index().read_stream(stream, direction, from, max))
    }

    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        Ok(self.index().read_all(from, filter, max))
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<CurrentRevision, StoreError> {
        Ok(self.index().durable_revision(stream))
    }

    async fn head(&self) -> Result<Option<Position>, StoreError> {
        Ok(self.index().head())
    }

    fn watch_commits(&self) -> watch::Receiver<u64> {
        self.commits.subscribe()
    }
}
