//! Idempotency records in memory: the embedded default. Lost at a restart (a retry is
//! still safe then, since event ids derive from the key, but it runs again instead of
//! getting the first answer).
//!
//! A hash map gives O(1) lookups; two queues in arrival order (every record of a queue
//! lives equally long) give the next record to expire, so each request only pops the
//! records that have expired since the last one. The map is bounded: when full, the
//! oldest completed record goes first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use async_trait::async_trait;

use super::store::{Claim, IdempotencyStore, RequestKey, Retention, StoredResponse};
use crate::error::AppResult;

/// Records kept at most, by default: at a few hundred bytes each, tens of megabytes.
pub const DEFAULT_CAPACITY: usize = 100_000;

enum Record {
    InProgress {
        request: [u8; 32],
        since: Instant,
    },
    Completed {
        request: [u8; 32],
        at: Instant,
        response: StoredResponse,
    },
}

impl Record {
    fn request(&self) -> &[u8; 32] {
        match self {
            Record::InProgress { request, .. } | Record::Completed { request, .. } => request,
        }
    }
}

#[derive(Default)]
struct Inner {
    records: HashMap<[u8; 32], Record>,
    /// (arrival, scope) of claims, oldest first; an entry whose record has since
    /// completed or gone is stale and skipped.
    claims: VecDeque<(Instant, [u8; 32])>,
    /// (completion, scope) of completed records, oldest first; stale entries likewise.
    completions: VecDeque<(Instant, [u8; 32])>,
}

impl Inner {
    /// Drops what expired by `now`: only the queues' expired fronts are visited.
    fn expire(&mut self, now: Instant, retention: Retention) -> u64 {
        let mut dropped = 0;
        while let Some(&(since, scope)) = self.claims.front() {
            if now.duration_since(since) < retention.in_progress {
                break;
            }
            self.claims.pop_front();
            if matches!(self.records.get(&scope), Some(Record::InProgress { since: s, .. }) if *s == since)
            {
                self.records.remove(&scope);
                dropped += 1;
            }
        }
        while let Some(&(at, scope)) = self.completions.front() {
            if now.duration_since(at) < retention.completed {
                break;
            }
            self.completions.pop_front();
            if self.remove_completed(&scope, at) {
                dropped += 1;
            }
        }
        dropped
    }

    fn remove_completed(&mut self, scope: &[u8; 32], at: Instant) -> bool {
        let current =
            matches!(self.records.get(scope), Some(Record::Completed { at: a, .. }) if *a == at);
        if current {
            self.records.remove(scope);
        }
        current
    }

    /// Makes room for one record by dropping the oldest completed one, if any (claims
    /// are bounded by the requests in flight).
    fn evict_one(&mut self) {
        while let Some((at, scope)) = self.completions.pop_front() {
            if self.remove_completed(&scope, at) {
                return;
            }
        }
    }
}

/// Records in memory, bounded.
pub struct MemoryIdempotencyStore {
    inner: Mutex<Inner>,
    retention: Retention,
    capacity: usize,
}

impl MemoryIdempotencyStore {
    /// A store keeping at most `capacity` records for `retention`.
    pub fn new(retention: Retention, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            retention,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic under the lock leaves consistent (if stale) records: keep serving.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for MemoryIdempotencyStore {
    fn default() -> Self {
        Self::new(Retention::default(), DEFAULT_CAPACITY)
    }
}

#[async_trait]
impl IdempotencyStore for MemoryIdempotencyStore {
    async fn claim(&self, key: &RequestKey) -> AppResult<Claim> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.expire(now, self.retention);
        match inner.records.get(&key.scope) {
            Some(record) if record.request() != &key.request => return Ok(Claim::Mismatch),
            Some(Record::Completed { response, .. }) => {
                return Ok(Claim::Completed(response.clone()))
            }
            Some(Record::InProgress { .. }) => return Ok(Claim::InProgress),
            None => {}
        }
        if inner.records.len() >= self.capacity {
            inner.evict_one();
        }
        inner.records.insert(
            key.scope,
            Record::InProgress {
                request: key.request,
                since: now,
            },
        );
        inner.claims.push_back((now, key.scope));
        Ok(Claim::Claimed)
    }

    async fn complete(&self, key: &RequestKey, response: StoredResponse) -> AppResult<()> {
        let now = Instant::now();
        let mut inner = self.lock();
        let claimed = matches!(
            inner.records.get(&key.scope),
            Some(Record::InProgress { request, .. }) if *request == key.request
        );
        // A claim that expired meanwhile may have been taken by a retry: its record
        // is the retry's to write.
        if claimed {
            inner.records.insert(
                key.scope,
                Record::Completed {
                    request: key.request,
                    at: now,
                    response,
                },
            );
            inner.completions.push_back((now, key.scope));
        }
        Ok(())
    }

    async fn release(&self, key: &RequestKey) -> AppResult<()> {
        let mut inner = self.lock();
        if matches!(
            inner.records.get(&key.scope),
            Some(Record::InProgress { request, .. }) if *request == key.request
        ) {
            inner.records.remove(&key.scope);
        }
        Ok(())
    }

    async fn purge_expired(&self) -> AppResult<u64> {
        let retention = self.retention;
        Ok(self.lock().expire(Instant::now(), retention))
    }

    async fn count(&self) -> AppResult<u64> {
        let retention = self.retention;
        let mut inner = self.lock();
        inner.expire(Instant::now(), retention);
        Ok(inner.records.len() as u64)
    }
}
