//! The in-memory backend: the reference implementation of [`Backend`], for tests.
//!
//! It shares the file log's index ([`LogIndex`]) and keeps every commit's records
//! beside it, in memory.

use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::backend::Backend;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::log_index::{collect_plan, Location, LogIndex, Prepared, ReadPlan};
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

/// Events kept in memory only; lost when dropped.
pub struct MemoryBackend {
    log: Mutex<MemoryLog>,
    commits: watch::Sender<u64>,
}

/// The index and, for commit n, its records at n - 1.
#[derive(Default)]
struct MemoryLog {
    index: LogIndex,
    records: Vec<Vec<EventRecord>>,
}

impl MemoryLog {
    fn collect(&self, plan: &ReadPlan) -> Vec<EventRecord> {
        collect_plan(plan, |commit, _| {
            Ok(self.records[commit as usize - 1].clone())
        })
        .expect("every planned commit is kept")
    }
}

impl Default for MemoryBackend {
    fn default() -> Self {
        Self {
            log: Mutex::default(),
            commits: watch::Sender::new(0),
        }
    }
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, MemoryLog> {
        // A panic while holding the lock cannot leave a half-applied commit visible:
        // commits become readable only through `make_durable`, the last step.
        self.log
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
        let mut log = self.log();
        let prepared = log
            .index
            .prepare(stream, expected, recorded_at, events, |_| {
                Location::default()
            })?;
        match prepared {
            Prepared::Done(result) => Ok(result),
            Prepared::Write {
                commit,
                body,
                result,
                ..
            } => {
                log.records.push(body.into_records(commit).collect());
                log.index.make_durable(commit);
                drop(log);
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
        let log = self.log();
        Ok(log.collect(&log.index.plan_stream(stream, direction, from, max)))
    }

    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let log = self.log();
        Ok(log.collect(&log.index.plan_all(from, filter, max)))
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<CurrentRevision, StoreError> {
        Ok(self.log().index.durable_revision(stream))
    }

    async fn head(&self) -> Result<Option<Position>, StoreError> {
        Ok(self.log().index.head())
    }

    fn watch_commits(&self) -> watch::Receiver<u64> {
        self.commits.subscribe()
    }
}
