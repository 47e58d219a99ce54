//! The audit trail: every event with its actor, time, stream, type, correlation and
//! causation, queryable by actor, stream and time range. Needs nothing but envelopes.

pub mod memory;
pub mod postgres;

use eventstore::{Position, RecordedEvent, StreamFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::runner::Projection;

/// One row of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the log.
    pub position: Position,
    /// The event id.
    pub event_id: Uuid,
    /// The stream.
    pub stream: String,
    /// Revision in the stream.
    pub revision: u64,
    /// Event type.
    pub event_type: String,
    /// Who did it, as recorded in the metadata.
    pub actor: Option<String>,
    /// `$correlationId`.
    pub correlation_id: Option<Uuid>,
    /// `$causationId`.
    pub causation_id: Option<Uuid>,
    /// When the store accepted it.
    pub recorded_at: OffsetDateTime,
}

/// What to look for in the audit trail; every field narrows the search.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this stream.
    pub stream: Option<String>,
    /// Recorded at or after.
    pub since: Option<OffsetDateTime>,
    /// Recorded strictly before.
    pub until: Option<OffsetDateTime>,
    /// At most this many rows (oldest first).
    pub limit: usize,
}

impl AuditQuery {
    /// Whether a row matches (the memory store's filter; PostgreSQL's is SQL).
    pub fn matches(&self, row: &AuditRow) -> bool {
        self.actor
            .as_ref()
            .is_none_or(|a| row.actor.as_ref() == Some(a))
            && self.stream.as_ref().is_none_or(|s| &row.stream == s)
            && self.since.is_none_or(|t| row.recorded_at >= t)
            && self.until.is_none_or(|t| row.recorded_at < t)
    }
}

/// The audit trail projection.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditTrail;

impl Projection for AuditTrail {
    type Change = Vec<AuditRow>;
    const NAME: &'static str = "audit";
    const VERSION: u32 = 1;

    fn filter(&self) -> StreamFilter {
        StreamFilter::All
    }

    fn fold(&self, batch: Vec<RecordedEvent>) -> Vec<AuditRow> {
        batch
            .into_iter()
            .map(|event| {
                let record = event.record;
                let metadata = record.event.metadata;
                AuditRow {
                    position: record.position,
                    event_id: record.event.id,
                    stream: record.stream.to_string(),
                    revision: record.revision,
                    event_type: record.event.event_type,
                    actor: metadata.actor,
                    correlation_id: metadata.correlation_id,
                    causation_id: metadata.causation_id,
                    recorded_at: record.recorded_at,
                }
            })
            .collect()
    }
}
