//! The one projection runner: subscribe after the checkpoint, fold batches, commit each
//! batch with its checkpoint in one transaction of the target.

use async_trait::async_trait;
use eventstore::{EventStore, Position, ReadFrom, RecordedEvent, StreamFilter, SubscriptionBatch};

use crate::error::ProjectionError;
use crate::progress::Progress;

/// A read model's logic, written once for every store.
pub trait Projection: Send + Sync + 'static {
    /// What one batch changes, merged into one set so the target writes it in bulk.
    type Change: Send;
    /// A stable name, used for checkpoints and locks.
    const NAME: &'static str;
    /// Bumped when the logic changes: a changed version makes the target rebuild.
    const VERSION: u32;
    /// Which events the projection reads.
    fn filter(&self) -> StreamFilter {
        StreamFilter::All
    }
    /// Folds a batch of events (in log order) into one change set. Pure: no IO. The
    /// batch is given, not lent: a change that keeps events moves them instead of
    /// copying each one's JSON tree.
    fn fold(&self, batch: Vec<RecordedEvent>) -> Self::Change;
}

/// Where a projection's rows live (PostgreSQL or memory).
#[async_trait]
pub trait Target<P: Projection>: Send + Sync {
    /// The last position whose effects are stored, if any.
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError>;
    /// Stores `change` and moves the checkpoint to `up_to`, atomically: after a crash,
    /// either both are there or neither.
    async fn commit(&mut self, change: P::Change, up_to: Position) -> Result<(), ProjectionError>;
    /// How many events the runner gathers into one batch when it is behind the head of
    /// the log (it may exceed this by less than one page of [`BATCH`]). At the head it
    /// commits whatever has arrived, at once, so this bounds a catch-up's batches (and
    /// the memory they hold), not the live lag.
    fn batch_size(&self) -> usize {
        BATCH
    }
}

/// A page of the subscription: a read that returns this many events was cut short, so
/// more are waiting. Also a batch's size unless the target asks for more.
pub const BATCH: usize = eventstore::subscription::SUBSCRIPTION_PAGE;

/// The catch-up batch of the PostgreSQL targets ([`Target::batch_size`]), as in a
/// rebuild or after a restart: large enough that rows touched all along the log (a
/// statement's tally, a concertation's counters) are written once per 65,536 events
/// rather than once per page, small enough to keep a batch's events in memory.
pub const CATCH_UP_BATCH: usize = 65_536;

/// Runs `projection` into `target` until the event store closes or an error occurs.
/// `progress` is advanced after every committed batch.
pub async fn run_projection<P: Projection, T: Target<P>>(
    store: &EventStore,
    projection: &P,
    target: &mut T,
    progress: &Progress,
) -> Result<(), ProjectionError> {
    let from = match target.checkpoint().await? {
        Some(position) => {
            progress.advance(position);
            ReadFrom::After(position)
        }
        None => ReadFrom::Start,
    };
    let mut subscription = store.subscribe(from, projection.filter());
    loop {
        let size = target.batch_size();
        match subscription.next_batch(size).await? {
            SubscriptionBatch::Events(mut events) => {
                // Each call returns at most one page of the subscription, read from the
                // log. A full page means the runner is behind the head: gather more, up
                // to the target's batch size (plus less than a page). A partial page
                // means it is at the head: commit what has arrived at once, so the live
                // lag is one transaction (waiting for an empty read would cost a round
                // trip, and under a steady load the reads might never come back empty).
                let mut page = events.len();
                while page >= BATCH && events.len() < size {
                    match subscription.next_batch(size).await? {
                        SubscriptionBatch::Events(more) => {
                            page = more.len();
                            events.extend(more);
                        }
                        SubscriptionBatch::CaughtUp => break,
                    }
                }
                let up_to = events.last().expect("batches are never empty").position();
                let span = tracing::debug_span!("projection_batch", projection = P::NAME, events = events.len(), %up_to);
                let _entered = span.enter();
                let change = projection.fold(events);
                target.commit(change, up_to).await?;
                progress.advance(up_to);
            }
            SubscriptionBatch::CaughtUp => {}
        }
    }
}
