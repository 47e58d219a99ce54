//! The one encoding of a commit (one append of 1..N events to one stream) that the file
//! log writes as a record and JetStream carries as a message body.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::position::Position;
use crate::stream_name::StreamName;

/// One atomic append, as stored. Its position (commit number) is not in the body: it is
/// the record number or the JetStream sequence, known only once written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommitBody {
    /// The stream appended to.
    pub stream: StreamName,
    /// The revision of the first event.
    pub first_revision: u64,
    /// When the store accepted the commit.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// The events, in order.
    pub events: Vec<EventDraft>,
}

impl CommitBody {
    /// Encodes the body as the bytes stored.
    pub fn encode(&self) -> Result<Vec<u8>, StoreError> {
        // Sized for a typical envelope so the buffer rarely grows while writing.
        let mut bytes = Vec::with_capacity(256 + 768 * self.events.len());
        serde_json::to_writer(&mut bytes, self).map_err(|e| StoreError::Encoding(e.to_string()))?;
        Ok(bytes)
    }

    /// Decodes stored bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| StoreError::Encoding(e.to_string()))
    }

    /// The records of the commit once it has its commit number.
    pub fn into_records(self, commit: u64) -> impl Iterator<Item = EventRecord> {
        let Self {
            stream,
            first_revision,
            recorded_at,
            events,
        } = self;
        events
            .into_iter()
            .enumerate()
            .map(move |(index, event)| EventRecord {
                position: Position::new(commit, index as u32),
                stream: stream.clone(),
                revision: first_revision + index as u64,
                recorded_at,
                event,
            })
    }

    /// Regroups records of one commit (as read from an export) into a body.
    pub fn from_records(records: &[EventRecord]) -> Option<Self> {
        let first = records.first()?;
        Some(Self {
            stream: first.stream.clone(),
            first_revision: first.revision,
            recorded_at: first.recorded_at,
            events: records.iter().map(|r| r.event.clone()).collect(),
        })
    }
}
