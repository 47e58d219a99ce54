//! How far each projection has got: for read-your-writes waits, `/ready` and `/metrics`.

use std::time::Duration;

use eventstore::Position;
use tokio::sync::watch;

use crate::error::ProjectionError;

/// The committed position of one projection, shared between its runner and readers.
#[derive(Clone)]
pub struct Progress {
    name: &'static str,
    committed: watch::Sender<Option<Position>>,
}

impl Progress {
    /// Progress of projection `name`, starting at `checkpoint`.
    pub fn new(name: &'static str, checkpoint: Option<Position>) -> Self {
        Self {
            name,
            committed: watch::Sender::new(checkpoint),
        }
    }

    /// The projection's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The last position whose effects are committed in the read model.
    pub fn committed(&self) -> Option<Position> {
        *self.committed.borrow()
    }

    /// Records a committed position (called by the runner after each transaction).
    pub fn advance(&self, position: Position) {
        self.committed.send_if_modified(|current| {
            let newer = current.is_none_or(|c| position > c);
            if newer {
                *current = Some(position);
            }
            newer
        });
    }

    /// Waits until the read model includes `position`, at most `bound`.
    pub async fn wait_for(
        &self,
        position: Position,
        bound: Duration,
    ) -> Result<(), ProjectionError> {
        let mut receiver = self.committed.subscribe();
        let reached = tokio::time::timeout(
            bound,
            receiver.wait_for(|c| c.is_some_and(|c| c >= position)),
        )
        .await
        .is_ok_and(|waited| waited.is_ok());
        if reached {
            Ok(())
        } else {
            Err(ProjectionError::Timeout {
                projection: self.name.to_owned(),
                position,
            })
        }
    }

    /// Commits between the committed position and `head` (0 when caught up): the lag
    /// reported by `/metrics` and checked by `/ready`.
    pub fn lag_commits(&self, head: Option<Position>) -> u64 {
        match (head, self.committed()) {
            (None, _) => 0,
            (Some(head), None) => head.commit(),
            (Some(head), Some(at)) => head.commit().saturating_sub(at.commit()),
        }
    }
}
