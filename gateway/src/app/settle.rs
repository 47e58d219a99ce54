//! Read-your-writes: a command's response waits (bounded) until what the author reads
//! next includes its events, so their next page shows what they just did.
//!
//! What is waited for is what the server's reads are answered from: the main read
//! model's copy in memory (every query of the API and the pages), and each other
//! projection (the audit trail, read from its PostgreSQL table). With the PostgreSQL
//! read store, the main model is applied in memory before its tables are written;
//! those tables serve no read of the server, so waiting for their transaction (and its
//! fsync) would only delay the answer. The event itself is durable before the command
//! returns (the store acknowledged it); a read model is rebuilt from the log.

use std::time::Duration;

use projections::main_model::{MainModel, MemoryModel};
use projections::Projection;
use tokio::time::Instant;

use super::{App, Applied};
use eventstore::Position;

/// How long a write waits for the read models to include it. Generous: a write's
/// answer is delayed only while a projection is behind, and a staff action whose next
/// page missed it would look lost (a loaded machine can take seconds for a batch).
const SETTLE_BOUND: Duration = Duration::from_secs(5);
/// The first and the longest pause between two looks at the memory model.
const FIRST_PAUSE: Duration = Duration::from_micros(500);
const LONGEST_PAUSE: Duration = Duration::from_millis(4);

impl App {
    /// Waits (bounded) until the read models the server answers from include
    /// `applied`. A slow projection delays, never fails, a write.
    pub async fn settle(&self, applied: Applied) {
        let (Some(position), Some(projections)) = (applied.position, self.projections()) else {
            return;
        };
        let deadline = Instant::now() + SETTLE_BOUND;
        let others = async {
            for progress in projections.progress() {
                if progress.name() == MainModel::NAME {
                    continue;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                progress.wait_for(position, left).await?;
            }
            Ok::<_, projections::ProjectionError>(())
        };
        let (in_memory, others) = tokio::join!(
            model_includes(projections.model(), position, deadline),
            others
        );
        if !in_memory {
            tracing::warn!(%position, "modèle de lecture en retard : réponse sans l'attendre");
        }
        if let Err(e) = others {
            tracing::warn!(%position, error = %e, "projections en retard : réponse sans les attendre");
        }
    }

    /// Waits until the memory model every query is answered from includes `position`
    /// (the log's head when the server starts), at most `bound`; returns whether it
    /// does. The other projections keep their own pace (`/ready` reports them): one
    /// rebuilding its tables after a version change must not keep the server closed.
    pub async fn catch_up_to(&self, position: Position, bound: Duration) -> bool {
        let Some(projections) = self.projections() else {
            return true;
        };
        model_includes(projections.model(), position, Instant::now() + bound).await
    }
}

/// Whether the memory model reaches `position` by `deadline`. The model has no change
/// notification, so it is looked at again after short, growing pauses (a batch takes
/// milliseconds; a wait of a few looks costs less than a wake-up per batch for every
/// waiting request).
async fn model_includes(model: &MemoryModel, position: Position, deadline: Instant) -> bool {
    let mut pause = FIRST_PAUSE;
    loop {
        if model.read().position.is_some_and(|at| at >= position) {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
