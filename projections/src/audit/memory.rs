//! The audit trail in memory (embedded default).

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use eventstore::Position;

use super::{AuditQuery, AuditRow, AuditTrail};
use crate::error::ProjectionError;
use crate::runner::Target;

#[derive(Default)]
struct Table {
    rows: Vec<AuditRow>,
    checkpoint: Option<Position>,
}

/// The audit rows and their checkpoint, behind one lock so they change together.
#[derive(Clone, Default)]
pub struct MemoryAudit {
    table: Arc<RwLock<Table>>,
}

impl MemoryAudit {
    /// An empty audit trail.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows matching `query`, oldest first.
    pub fn query(&self, query: &AuditQuery) -> Vec<AuditRow> {
        let table = self.table.read().expect("audit lock");
        table
            .rows
            .iter()
            .filter(|r| query.matches(r))
            .take(query.limit)
            .cloned()
            .collect()
    }
}

#[async_trait]
impl Target<AuditTrail> for MemoryAudit {
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        Ok(self.table.read().expect("audit lock").checkpoint)
    }

    async fn commit(
        &mut self,
        change: Vec<AuditRow>,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        let mut table = self.table.write().expect("audit lock");
        // Rows at or before the checkpoint are already there: a replayed batch adds nothing.
        let after = table.checkpoint;
        table.rows.extend(
            change
                .into_iter()
                .filter(|r| after.is_none_or(|c| r.position > c)),
        );
        table.checkpoint = Some(up_to);
        Ok(())
    }
}
