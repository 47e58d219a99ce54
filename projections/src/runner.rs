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
    /// Folds a batch of events (in log order) into one change set. Pure: no IO.
    fn fold(&self, batch: &[RecordedEvent]) -> Self::Change;
}

/// Where a projection's rows live (PostgreSQL or memory).
#[async_trait]
pub trait Target<P: Projection>: Send + Sync {
    /// The last position whose effects are stored, if any.
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError>;
    /// Stores `change` and moves the checkpoint to `up_to`, atomically: after a crash,
    /// either both are there or neither.
    async fn commit(&mut self, change: P::Change, up_to: Position) -> Result<(), ProjectionError>;
    /// How many events the runner may gather into one batch when it is behind the head
    /// of the log. At the head it commits whatever has arrived, at once, so this bounds
    /// a catch-up's batches (and the memory they hold), not the live lag.
    fn batch_size(&self) -> usize {
        BATCH
    }
}

/// How many events the runner reads at a time (one page of the subscription), and a
/// batch's size unless the target asks for more.
pub const BATCH: usize = 1024;

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
        match subscription.next_batch(BATCH).await? {
            SubscriptionBatch::Events(mut events) => {
                // A full page means the runner is behind the head: gather more pages, up
                // to the target's batch size, before folding. Less than a page means it
                // is at the head: commit now, so the lag stays one transaction.
                let mut page = events.len();
                while page >= BATCH && events.len() < target.batch_size() {
                    let want = BATCH.min(target.batch_size() - events.len());
                    match subscription.next_batch(want).await? {
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
                let change = projection.fold(&events);
                target.commit(change, up_to).await?;
                progress.advance(up_to);
            }
            SubscriptionBatch::CaughtUp => {}
        }
    }
}
