//! The in-process view of a log that the memory and file backends share: every record
//! in position order, each stream's records, and every event id.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::append_plan::{plan_append, AppendPlan};
use crate::backend::MAX_COMMIT_BYTES;
use crate::commit::CommitBody;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

/// Records of a log, with a durability watermark: commits above it are planned against
/// (so a group of appends sees its own earlier members) but never read.
#[derive(Default)]
pub(crate) struct LogIndex {
    records: Vec<EventRecord>,
    streams: HashMap<StreamName, Vec<usize>>,
    ids: HashMap<Uuid, usize>,
    last_commit: u64,
    durable_commit: u64,
}

/// A commit accepted by [`LogIndex::prepare`]: what to write, or what was written.
pub(crate) enum Prepared {
    /// Write this body under this commit number, then call [`LogIndex::make_durable`].
    Write {
        commit: u64,
        encoded: bytes::Bytes,
        result: AppendResult,
    },
    /// Nothing to write: the append was an idempotent retry or empty.
    Done(AppendResult),
}

impl LogIndex {
    /// Plans an append and, when it writes, adds it to the index above the watermark.
    pub(crate) fn prepare(
        &mut self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
    ) -> Result<Prepared, StoreError> {
        let current = self.current(stream);
        let new_ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let positions = self.streams.get(stream);
        let id_at = |revision: u64| {
            positions
                .and_then(|p| p.get(revision as usize))
                .map(|&i| self.records[i].event.id)
        };
        let revision_of = |id: Uuid| {
            self.ids
                .get(&id)
                .map(|&i| &self.records[i])
                .filter(|r| &r.stream == stream)
                .map(|r| r.revision)
        };
        match plan_append(stream, current, expected, &new_ids, id_at, revision_of)? {
            AppendPlan::AlreadyWritten { first_revision } => {
                let last = first_revision + new_ids.len() as u64 - 1;
                let position = id_at(last)
                    .and_then(|id| self.ids.get(&id))
                    .map(|&i| self.records[i].position);
                Ok(Prepared::Done(AppendResult {
                    next_expected: CurrentRevision::Current(last),
                    position,
                    already_written: true,
                }))
            }
            AppendPlan::Write { .. } if events.is_empty() => Ok(Prepared::Done(AppendResult {
                next_expected: current,
                position: None,
                already_written: false,
            })),
            AppendPlan::Write { first_revision } => {
                if let Some(&i) = new_ids.iter().find_map(|id| self.ids.get(id)) {
                    let taken = &self.records[i];
                    return Err(StoreError::DuplicateEventId {
                        id: taken.event.id,
                        stream: taken.stream.to_string(),
                    });
                }
                let mut body = CommitBody {
                    stream: stream.clone(),
                    first_revision,
                    recorded_at,
                    events,
                };
                let encoded = body.encode()?;
                if encoded.len() > MAX_COMMIT_BYTES {
                    return Err(StoreError::TooLarge {
                        size: encoded.len(),
                        max: MAX_COMMIT_BYTES,
                    });
                }
                let commit = self.last_commit + 1;
                let count = body.events.len() as u64;
                let result = AppendResult {
                    next_expected: CurrentRevision::Current(first_revision + count - 1),
                    position: Some(Position::new(commit, count as u32 - 1)),
                    already_written: false,
                };
                self.insert(commit, body);
                Ok(Prepared::Write {
                    commit,
                    encoded,
                    result,
                })
            }
        }
    }

    /// Adds a commit read back from storage (already durable) or just prepared.
    pub(crate) fn insert(&mut self, commit: u64, body: CommitBody) {
        for record in body.into_records(commit) {
            let at = self.records.len();
            self.ids.insert(record.event.id, at);
            self.streams
                .entry(record.stream.clone())
                .or_default()
                .push(at);
            self.records.push(record);
        }
        self.last_commit = commit;
    }

    /// Makes every commit up to `commit` readable.
    pub(crate) fn make_durable(&mut self, commit: u64) {
        self.durable_commit = self.durable_commit.max(commit);
    }

    /// Drops prepared commits above the watermark, after a failed write.
    pub(crate) fn discard_undurable(&mut self) {
        while self
            .records
            .last()
            .is_some_and(|r| r.position.commit() > self.durable_commit)
        {
            let record = self.records.pop().expect("checked above");
            self.ids.remove(&record.event.id);
            if let Some(positions) = self.streams.get_mut(&record.stream) {
                positions.pop();
                if positions.is_empty() {
                    self.streams.remove(&record.stream);
                }
            }
        }
        self.last_commit = self.durable_commit;
    }

    /// The newest durable commit number.
    pub(crate) fn durable_commit(&self) -> u64 {
        self.durable_commit
    }

    /// The stream's revision counting only durable events.
    pub(crate) fn durable_revision(&self, stream: &StreamName) -> CurrentRevision {
        let count = self.durable_positions(stream).len();
        CurrentRevision::from_count(count as u64)
    }

    fn current(&self, stream: &StreamName) -> CurrentRevision {
        CurrentRevision::from_count(self.streams.get(stream).map_or(0, |p| p.len() as u64))
    }

    fn durable_positions(&self, stream: &StreamName) -> &[usize] {
        let positions = self.streams.get(stream).map_or(&[][..], |p| p.as_slice());
        let visible = positions
            .partition_point(|&i| self.records[i].position.commit() <= self.durable_commit);
        &positions[..visible]
    }

    pub(crate) fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Vec<EventRecord> {
        let positions = self.durable_positions(stream);
        let picked: Vec<usize> = match direction {
            Direction::Forward => {
                let start = from.unwrap_or(0) as usize;
                positions.iter().skip(start).take(max).copied().collect()
            }
            Direction::Backward => {
                let Some(last) = positions.len().checked_sub(1) else {
                    return Vec::new();
                };
                let start = from.map_or(last, |f| (f as usize).min(last));
                positions[..=start]
                    .iter()
                    .rev()
                    .take(max)
                    .copied()
                    .collect()
            }
        };
        picked
            .into_iter()
            .map(|i| self.records[i].clone())
            .collect()
    }

    pub(crate) fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Vec<EventRecord> {
        let start = match from {
            ReadFrom::Start => 0,
            ReadFrom::After(after) => self.records.partition_point(|r| r.position <= after),
        };
        self.records[start..]
            .iter()
            .take_while(|r| r.position.commit() <= self.durable_commit)
            .filter(|r| filter.accepts(&r.stream))
            .take(max)
            .cloned()
            .collect()
    }

    pub(crate) fn head(&self) -> Option<Position> {
        let visible = self
            .records
            .partition_point(|r| r.position.commit() <= self.durable_commit);
        visible.checked_sub(1).map(|i| self.records[i].position)
    }
}
