//! The in-process index of a log that the memory and file backends share: per commit
//! its stream, revisions and storage location, per stream its revisions' event ids and
//! commits, per event id its position. It holds no event data: a backend keeps (the
//! memory one) or reads back (the file one) the records of the commits a read names.
//!
//! Memory: about 32 bytes per commit and 60 per event, whatever the events hold, so
//! the file log's index stays a small fraction of the log it describes. Most streams
//! hold one commit (a participant, a contribution submitted once), so what a stream
//! costs matters as much: its name is kept once, and its two lists start at the exact
//! size of their first commit rather than a growth step (an export's replay of Decidim
//! Barcelona's size spent 22 MB on this index before, about 15 MB now).

use std::collections::HashMap;

use indexmap::IndexSet;

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

/// Where a commit's record lies in its backend's storage; the backend gives it meaning
/// (the file log: the record's byte offset and its payload's length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Location {
    /// Byte offset of the record.
    pub offset: u64,
    /// Bytes of the record's payload.
    pub len: u32,
}

/// What the index knows of one commit.
#[derive(Clone, Copy, Debug)]
struct CommitEntry {
    stream: u32,
    first_revision: u64,
    count: u32,
    location: Location,
}

/// What the index knows of one stream.
#[derive(Default)]
struct StreamEntry {
    /// The event id at each revision.
    ids: Vec<Uuid>,
    /// The commit numbers holding the stream's events, in order.
    commits: Vec<u64>,
}

/// The events a read asks for: positions in the order to return them, each with the
/// location of its commit. Consecutive events of one commit come together, so a
/// backend reads each commit once.
pub(crate) type ReadPlan = Vec<(Position, Location)>;

/// The index of a log, with a durability watermark: commits above it are planned
/// against (so a group of appends sees its own earlier members) but never read.
#[derive(Default)]
pub(crate) struct LogIndex {
    /// Commit n at n - 1.
    commits: Vec<CommitEntry>,
    /// Every stream's name, once; a stream's number is its place here.
    stream_names: IndexSet<StreamName, foldhash::fast::RandomState>,
    /// Stream n at n.
    streams: Vec<StreamEntry>,
    ids: HashMap<Uuid, Position>,
    durable_commit: u64,
}

/// A commit accepted by [`LogIndex::prepare`]: what to write, or what was written.
pub(crate) enum Prepared {
    /// Write this body under this commit number, then call [`LogIndex::make_durable`].
    Write {
        commit: u64,
        body: CommitBody,
        encoded: bytes::Bytes,
        result: AppendResult,
    },
    /// Nothing to write: the append was an idempotent retry or empty.
    Done(AppendResult),
}

impl LogIndex {
    /// Plans an append and, when it writes, adds it to the index above the watermark,
    /// at `location` given the encoded body's length (where the backend will put it).
    pub(crate) fn prepare(
        &mut self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
        location: impl FnOnce(usize) -> Location,
    ) -> Result<Prepared, StoreError> {
        let current = self.current(stream);
        let new_ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        let entry = self.stream_entry(stream);
        let id_at = |revision: u64| entry.and_then(|s| s.ids.get(revision as usize)).copied();
        let revision_of = |id: Uuid| {
            let position = self.ids.get(&id)?;
            let commit = self.commit_entry(position.commit());
            (self.stream_names[commit.stream as usize] == *stream)
                .then(|| commit.first_revision + u64::from(position.index()))
        };
        match plan_append(stream, current, expected, &new_ids, id_at, revision_of)? {
            AppendPlan::AlreadyWritten { first_revision } => {
                let last = first_revision + new_ids.len() as u64 - 1;
                let position = id_at(last).and_then(|id| self.ids.get(&id)).copied();
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
                if let Some((&id, position)) =
                    new_ids.iter().find_map(|id| self.ids.get_key_value(id))
                {
                    let taken = self.commit_entry(position.commit());
                    return Err(StoreError::DuplicateEventId {
                        id,
                        stream: self.stream_names[taken.stream as usize].to_string(),
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
                let commit = self.last_commit() + 1;
                let count = new_ids.len() as u64;
                let result = AppendResult {
                    next_expected: CurrentRevision::Current(first_revision + count - 1),
                    position: Some(Position::new(commit, count as u32 - 1)),
                    already_written: false,
                };
                self.insert(stream, first_revision, &new_ids, location(encoded.len()));
                Ok(Prepared::Write {
                    commit,
                    body,
                    encoded,
                    result,
                })
            }
        }
    }

    /// Adds the next commit: `ids` appended to `stream` from `first_revision`, stored at
    /// `location`. Used for commits read back from storage (then made durable) and for
    /// prepared ones. The caller has checked that `first_revision` follows the stream.
    pub(crate) fn insert(
        &mut self,
        stream: &StreamName,
        first_revision: u64,
        ids: &[Uuid],
        location: Location,
    ) {
        let commit = self.last_commit() + 1;
        let number = match self.stream_names.get_index_of(stream) {
            Some(number) => number as u32,
            None => {
                let (number, _) = self.stream_names.insert_full(stream.clone());
                self.streams.push(StreamEntry::default());
                number as u32
            }
        };
        let entry = &mut self.streams[number as usize];
        if entry.commits.is_empty() {
            // Exactly the first commit's size: most streams never grow.
            entry.ids.reserve_exact(ids.len());
            entry.commits.reserve_exact(1);
        }
        entry.ids.extend_from_slice(ids);
        entry.commits.push(commit);
        for (index, &id) in ids.iter().enumerate() {
            self.ids.insert(id, Position::new(commit, index as u32));
        }
        self.commits.push(CommitEntry {
            stream: number,
            first_revision,
            count: ids.len() as u32,
            location,
        });
    }

    /// Makes every commit up to `commit` readable.
    pub(crate) fn make_durable(&mut self, commit: u64) {
        self.durable_commit = self.durable_commit.max(commit);
    }

    /// Drops prepared commits above the watermark, after a failed write.
    pub(crate) fn discard_undurable(&mut self) {
        while self.last_commit() > self.durable_commit {
            let commit = self.commits.pop().expect("checked above");
            let stream = &mut self.streams[commit.stream as usize];
            let kept = stream.ids.len() - commit.count as usize;
            for id in stream.ids.drain(kept..) {
                self.ids.remove(&id);
            }
            stream.commits.pop();
        }
    }

    /// The newest durable commit number.
    pub(crate) fn durable_commit(&self) -> u64 {
        self.durable_commit
    }

    /// The stream's revision counting only durable events.
    pub(crate) fn durable_revision(&self, stream: &StreamName) -> CurrentRevision {
        CurrentRevision::from_count(self.durable_count(stream))
    }

    /// The position of the newest durable event.
    pub(crate) fn head(&self) -> Option<Position> {
        let commit = self.durable_commit;
        (commit > 0).then(|| Position::new(commit, self.commit_entry(commit).count - 1))
    }

    /// The events of a stream read from `from` (inclusive) in `direction`, at most `max`.
    pub(crate) fn plan_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> ReadPlan {
        let count = self.durable_count(stream);
        let revisions: Box<dyn Iterator<Item = u64>> = match direction {
            Direction::Forward => Box::new(from.unwrap_or(0)..count),
            Direction::Backward => match count.checked_sub(1) {
                None => return ReadPlan::new(),
                Some(last) => Box::new((0..=from.map_or(last, |f| f.min(last))).rev()),
            },
        };
        let Some(entry) = self.stream_entry(stream) else {
            return ReadPlan::new();
        };
        revisions
            .take(max)
            .map(|revision| {
                let id = entry.ids[revision as usize];
                let position = self.ids[&id];
                (position, self.commit_entry(position.commit()).location)
            })
            .collect()
    }

    /// The events of `$all` after `from` that pass `filter`, at most `max`.
    pub(crate) fn plan_all(&self, from: ReadFrom, filter: &StreamFilter, max: usize) -> ReadPlan {
        let (first_commit, mut skip) = from.first_commit();
        let mut plan = ReadPlan::new();
        for commit in first_commit..=self.durable_commit {
            if plan.len() >= max {
                break;
            }
            let entry = self.commit_entry(commit);
            let start = std::mem::take(&mut skip);
            if start >= entry.count || !filter.accepts(&self.stream_names[entry.stream as usize]) {
                continue;
            }
            let wanted = (entry.count - start).min((max - plan.len()) as u32);
            plan.extend(
                (start..start + wanted).map(|index| (Position::new(commit, index), entry.location)),
            );
        }
        plan
    }

    fn last_commit(&self) -> u64 {
        self.commits.len() as u64
    }

    fn commit_entry(&self, commit: u64) -> &CommitEntry {
        &self.commits[commit as usize - 1]
    }

    fn stream_entry(&self, stream: &StreamName) -> Option<&StreamEntry> {
        let number = self.stream_names.get_index_of(stream)?;
        Some(&self.streams[number])
    }

    fn current(&self, stream: &StreamName) -> CurrentRevision {
        let count = self.stream_entry(stream).map_or(0, |s| s.ids.len() as u64);
        CurrentRevision::from_count(count)
    }

    /// How many of the stream's events are durable.
    fn durable_count(&self, stream: &StreamName) -> u64 {
        let Some(entry) = self.stream_entry(stream) else {
            return 0;
        };
        let visible = entry.commits.partition_point(|&c| c <= self.durable_commit);
        match visible.checked_sub(1) {
            None => 0,
            Some(last) => {
                let commit = self.commit_entry(entry.commits[last]);
                commit.first_revision + u64::from(commit.count)
            }
        }
    }
}

/// Materialises a plan: `fetch(commit, location)` gives every record of a commit, in
/// order; each commit is fetched once for its run of consecutive events in the plan.
pub(crate) fn collect_plan(
    plan: &ReadPlan,
    mut fetch: impl FnMut(u64, Location) -> Result<Vec<EventRecord>, StoreError>,
) -> Result<Vec<EventRecord>, StoreError> {
    let mut out = Vec::with_capacity(plan.len());
    let mut current: Option<(u64, Vec<Option<EventRecord>>)> = None;
    for &(position, location) in plan {
        let commit = position.commit();
        let records = match &mut current {
            Some((number, records)) if *number == commit => records,
            _ => {
                let records = fetch(commit, location)?.into_iter().map(Some).collect();
                &mut current.insert((commit, records)).1
            }
        };
        let record = records
            .get_mut(position.index() as usize)
            .and_then(Option::take)
            .ok_or_else(|| {
                StoreError::Encoding(format!("événement {position} absent de son commit"))
            })?;
        out.push(record);
    }
    Ok(out)
}
