//! Reads the file log's records back for `read_all`, `read_stream` and subscriptions:
//! positioned reads of the commits a plan names, with the newest commits kept decoded
//! so that live subscribers, which read the tail, do not parse them again.

use std::collections::VecDeque;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Mutex;

use super::format::read_commit;
use crate::envelope::EventRecord;
use crate::error::StoreError;
use crate::log_index::{collect_plan, Location, ReadPlan};

/// How many of the newest commits stay decoded in memory: enough for every live
/// subscriber to read a burst of appends from memory, small enough to stay a few MiB.
const RECENT_COMMITS: usize = 256;

/// A read-only handle on the log and the newest commits' records.
pub(crate) struct LogReader {
    path: PathBuf,
    file: File,
    /// Consecutive commits, oldest first: `(commit number, records)`.
    recent: Mutex<VecDeque<(u64, Vec<EventRecord>)>>,
}

impl LogReader {
    /// Opens the log at `path` for reading.
    pub(crate) fn open(path: PathBuf) -> Result<Self, StoreError> {
        let file = File::open(&path)?;
        Ok(Self {
            path,
            file,
            recent: Mutex::default(),
        })
    }

    /// The records a plan names, in its order. No index lock is held: a plan names
    /// only durable commits, whose bytes never change.
    pub(crate) fn read(&self, plan: &ReadPlan) -> Result<Vec<EventRecord>, StoreError> {
        collect_plan(plan, |commit, location| self.commit(commit, location))
    }

    /// Keeps the records of a commit just made durable; commits come in order.
    pub(crate) fn remember(&self, commit: u64, records: Vec<EventRecord>) {
        let mut recent = self.recent();
        if recent.back().is_some_and(|(last, _)| *last + 1 != commit) {
            recent.clear();
        }
        if recent.len() == RECENT_COMMITS {
            recent.pop_front();
        }
        recent.push_back((commit, records));
    }

    /// Every record of commit number `commit`, stored at `location`, in order.
    pub(crate) fn commit(
        &self,
        commit: u64,
        location: Location,
    ) -> Result<Vec<EventRecord>, StoreError> {
        {
            let recent = self.recent();
            if let Some(&(first, _)) = recent.front() {
                if let Some((_, records)) = commit
                    .checked_sub(first)
                    .and_then(|at| recent.get(at as usize))
                {
                    return Ok(records.clone());
                }
            }
        }
        let body = read_commit(&self.path, &self.file, location)?;
        Ok(body.into_records(commit).collect())
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, Vec<EventRecord>)>> {
        // The deque is never left half-changed by a panic: each change is one call.
        self.recent.lock().unwrap_or_else(|p| p.into_inner())
    }
}
