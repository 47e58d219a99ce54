//! The main read model as a projection: decoding is the pure fold, applying to the
//! [`ReadModel`] is what the targets share; [`MemoryModel`] is the embedded default's
//! target and the handle queries read through.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use async_trait::async_trait;
use eventstore::{Position, RecordedEvent};

use crate::codec::{AnyEvent, DecodeError};
use crate::error::ProjectionError;
use crate::model::ReadModel;
use crate::runner::{Projection, Target};

/// The main read model's projection.
#[derive(Clone, Copy, Debug, Default)]
pub struct MainModel;

/// One decoded batch: each event with its decoding.
pub type DecodedBatch = Vec<(RecordedEvent, Result<AnyEvent, DecodeError>)>;

impl Projection for MainModel {
    type Change = DecodedBatch;
    const NAME: &'static str = "main";
    /// 2: tallies by territory (`statement_tallies.by_territory`).
    const VERSION: u32 = 2;

    fn fold(&self, batch: Vec<RecordedEvent>) -> DecodedBatch {
        batch
            .into_iter()
            .map(|event| {
                let decoded = AnyEvent::decode(&event);
                (event, decoded)
            })
            .collect()
    }
}

/// Applies a decoded batch to `model`, skipping what it already holds (a replay), and
/// returns what changed, event by event.
pub fn apply_batch(model: &mut ReadModel, batch: &DecodedBatch) -> Vec<crate::model::Touched> {
    let mut touched = Vec::with_capacity(batch.len());
    for (event, decoded) in batch {
        if model.position.is_some_and(|at| event.position() <= at) {
            continue;
        }
        match decoded {
            Ok(decoded) => touched.push(model.apply(event, decoded)),
            Err(e) => {
                // A release that cannot read an event must not hide it silently: it is
                // logged with its position and counted; a rebuild with a newer release
                // picks it up.
                tracing::error!(position = %event.position(), stream = %event.stream(), error = %e, "événement illisible ignoré par la projection");
                model.skipped += 1;
                model.position = Some(event.position());
            }
        }
    }
    touched
}

/// The read model in memory, shared by its runner and every reader.
#[derive(Clone, Default)]
pub struct MemoryModel {
    model: Arc<RwLock<ReadModel>>,
}

impl MemoryModel {
    /// An empty model.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the model (a short read lock: do not hold it across an await).
    pub fn read(&self) -> RwLockReadGuard<'_, ReadModel> {
        self.model.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Empties the model (before the PostgreSQL target refolds it after a restart).
    pub fn reset(&self) {
        *self.model.write().unwrap_or_else(|p| p.into_inner()) = ReadModel::default();
    }

    /// Applies a batch (the memory target, and the PostgreSQL target's mirror).
    pub fn apply(&self, batch: &DecodedBatch, up_to: Position) -> Vec<crate::model::Touched> {
        let mut model = self.model.write().unwrap_or_else(|p| p.into_inner());
        let touched = apply_batch(&mut model, batch);
        model.position = Some(model.position.map_or(up_to, |at| at.max(up_to)));
        touched
    }
}

#[async_trait]
impl Target<MainModel> for MemoryModel {
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        Ok(self.read().position)
    }

    async fn commit(
        &mut self,
        change: DecodedBatch,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        self.apply(&change, up_to);
        Ok(())
    }
}
