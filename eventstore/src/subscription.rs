//! Catch-up-then-live subscriptions to `$all` or a category.
//!
//! One loop serves both phases: read the next page after the last delivered position;
//! when a page comes back empty the subscriber has caught up, and waits for the backend
//! to announce a new commit. Because every page starts strictly after the last
//! delivered position, the seam between catch-up and live has no gap and no duplicate.

use std::collections::VecDeque;

use tokio::sync::watch;

use crate::envelope::{EventRecord, RecordedEvent};
use crate::error::StoreError;
use crate::position::ReadFrom;
use crate::store::EventStore;
use crate::stream_name::StreamFilter;

/// How many events a subscription reads per page.
pub const SUBSCRIPTION_PAGE: usize = 1024;

/// What a subscription yields.
#[derive(Debug)]
pub enum SubscriptionBatch {
    /// The next events, in order (never empty).
    Events(Vec<RecordedEvent>),
    /// Every event that existed when the subscriber last looked has been delivered;
    /// sent each time the subscriber reaches the head after delivering events (and once
    /// at the start if there is nothing to deliver).
    CaughtUp,
}

/// A subscription; see the module documentation.
pub struct Subscription {
    store: EventStore,
    from: ReadFrom,
    filter: StreamFilter,
    pending: VecDeque<EventRecord>,
    commits: watch::Receiver<u64>,
    at_head: bool,
}

impl Subscription {
    pub(crate) fn new(store: EventStore, from: ReadFrom, filter: StreamFilter) -> Self {
        let commits = store.backend().watch_commits();
        Self {
            store,
            from,
            filter,
            pending: VecDeque::new(),
            commits,
            at_head: false,
        }
    }

    /// The position after which the next event will be read.
    pub fn checkpoint(&self) -> ReadFrom {
        self.from
    }

    /// Waits for and returns the next events (at most `max`), or `CaughtUp`.
    pub async fn next_batch(&mut self, max: usize) -> Result<SubscriptionBatch, StoreError> {
        loop {
            if !self.pending.is_empty() {
                let take = max.max(1).min(self.pending.len());
                let records: Vec<EventRecord> = self.pending.drain(..take).collect();
                // One key-store request for the whole batch, not one per sealed part.
                let events = self.store.open_all(records).await?;
                if let Some(last) = events.last() {
                    self.from = ReadFrom::After(last.position());
                }
                self.at_head = false;
                return Ok(SubscriptionBatch::Events(events));
            }
            // Mark the current commit as seen before reading, so that a commit landing
            // during the read wakes the wait below instead of being missed.
            self.commits.borrow_and_update();
            let page = self
                .store
                .backend()
                .read_all(self.from, &self.filter, SUBSCRIPTION_PAGE)
                .await?;
            if page.is_empty() {
                if !self.at_head {
                    self.at_head = true;
                    return Ok(SubscriptionBatch::CaughtUp);
                }
                self.commits
                    .changed()
                    .await
                    .map_err(|_| StoreError::Closed)?;
                continue;
            }
            self.pending.extend(page);
        }
    }

    /// Waits for and returns the next single event, skipping `CaughtUp` markers.
    pub async fn next_event(&mut self) -> Result<RecordedEvent, StoreError> {
        loop {
            if let SubscriptionBatch::Events(mut events) = self.next_batch(1).await? {
                return Ok(events.remove(0));
            }
        }
    }
}
