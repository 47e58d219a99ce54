//! The event envelope: what callers hand to an append, and what the log stores.

use std::borrow::Cow;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreError;
use crate::keys::KeyId;
use crate::position::Position;
use crate::stream_name::StreamName;

/// Namespace of the deterministic (UUID v5) event ids, so retries and imports that
/// derive ids from the same inputs get the same ids on every machine.
pub const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6b1d_3c52_8f0e_4d7a_9c2b_5e1f_0a4d_7c31);

/// Derives an event id from a scope (what kind of input) and a name (the input's own
/// key, e.g. an idempotency key and an index, or a Polis vote's ids).
pub fn derived_event_id(scope: &str, name: &str) -> Uuid {
    Uuid::new_v5(
        &EVENT_ID_NAMESPACE,
        format!("{scope}\u{1f}{name}").as_bytes(),
    )
}

/// Metadata carried by every event, with EventStoreDB's reserved names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The id shared by every event caused by one user request.
    #[serde(
        rename = "$correlationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub correlation_id: Option<Uuid>,
    /// The id of the event or command that caused this one.
    #[serde(
        rename = "$causationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub causation_id: Option<Uuid>,
    /// Who did it: a participant, a staff account or the system (opaque to the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Anything else the application records.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A part of an event to be sealed (encrypted) under a key of the key store.
#[derive(Clone, Debug, PartialEq)]
pub struct SealRequest {
    /// The part's name within the event, e.g. `body` or `personal`.
    pub part: String,
    /// The key to seal it under; created on first use.
    pub key: KeyId,
    /// The clear value.
    pub value: Value,
}

/// An event to append.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// The event id: UUID v7 by default; derive it (see [`derived_event_id`]) when a
    /// retry or a re-import must produce the same id.
    pub id: Uuid,
    /// The event's type name, e.g. `ContributionSubmitted`.
    pub event_type: String,
    /// The schema version of `data`, for upcasting.
    pub schema_version: u32,
    /// The public part of the event.
    pub data: Value,
    /// Correlation, causation, actor.
    pub metadata: Metadata,
    /// Parts stored encrypted, each under its own key.
    pub sealed: Vec<SealRequest>,
}

impl NewEvent {
    /// A new event with a fresh UUID v7, schema version 1 and empty metadata.
    pub fn new(event_type: impl Into<String>, data: Value) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: event_type.into(),
            schema_version: 1,
            data,
            metadata: Metadata::default(),
            sealed: Vec::new(),
        }
    }

    /// Sets the event id.
    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = id;
        self
    }

    /// Sets the schema version.
    pub fn with_schema_version(mut self, version: u32) -> Self {
        self.schema_version = version;
        self
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// Adds a part sealed under `key`.
    pub fn with_sealed(mut self, part: impl Into<String>, key: KeyId, value: Value) -> Self {
        self.sealed.push(SealRequest {
            part: part.into(),
            key,
            value,
        });
        self
    }
}

/// A sealed part as stored: ciphertext only, the clear value never reaches the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPart {
    /// The part's name within the event.
    pub part: String,
    /// The key it is sealed under.
    pub key: KeyId,
    /// The AEAD nonce, base64.
    pub nonce: String,
    /// The ciphertext with its tag, base64.
    pub ciphertext: String,
}

/// The bytes of one event's JSON exactly as a store wrote them: a shared slice of its
/// commit body (one reference count and a range, never a copy per event).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredJson(Bytes);

impl StoredJson {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for StoredJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes repeat the event's fields: their length is enough in a debug print.
        write!(f, "StoredJson({} octets)", self.0.len())
    }
}

/// An event as a backend stores it within a commit, before the commit has a position.
///
/// Equality compares the event's content, not where its bytes came from: a draft read
/// back from a store equals the draft that was appended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EventDraft {
    /// The event id.
    pub id: Uuid,
    /// The event's type name.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The schema version of `data`.
    pub schema_version: u32,
    /// The public part.
    pub data: Value,
    /// Correlation, causation, actor.
    pub metadata: Metadata,
    /// The sealed parts, encrypted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sealed: Vec<SealedPart>,
    /// The event's JSON as stored, once the draft was written or read back: set only by
    /// the store's own encoding and decoding, so it always holds these fields.
    #[serde(skip)]
    pub(crate) stored: Option<StoredJson>,
}

impl PartialEq for EventDraft {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.event_type == other.event_type
            && self.schema_version == other.schema_version
            && self.data == other.data
            && self.metadata == other.metadata
            && self.sealed == other.sealed
    }
}

impl EventDraft {
    /// Decodes one event's JSON and keeps `bytes` as its stored form, so that writing
    /// the draft again (an import) writes these very bytes.
    pub fn from_stored_json(bytes: Bytes) -> Result<Self, StoreError> {
        let mut draft: Self =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Encoding(e.to_string()))?;
        draft.stored = Some(StoredJson(bytes));
        Ok(draft)
    }

    /// The event's JSON exactly as the store wrote it (inside the commit body of a file
    /// log record or a JetStream message), sealed parts as ciphertext. Every event read
    /// from a backend has it; `None` only for a draft never written nor read.
    pub fn stored_json(&self) -> Option<&[u8]> {
        self.stored.as_ref().map(StoredJson::as_bytes)
    }

    /// The event's JSON: the stored bytes when there are some, otherwise the store's
    /// encoding of the draft (what it would write: compact, fields in declaration
    /// order, object keys sorted).
    pub fn json(&self) -> Result<Cow<'_, [u8]>, StoreError> {
        match self.stored_json() {
            Some(bytes) => Ok(Cow::Borrowed(bytes)),
            None => {
                let mut bytes = Vec::with_capacity(512);
                crate::event_json::write_event(&mut bytes, self);
                Ok(Cow::Owned(bytes))
            }
        }
    }

    /// Keeps `bytes`, just written for this draft, as its stored form.
    pub(crate) fn set_stored(&mut self, bytes: Bytes) {
        self.stored = Some(StoredJson(bytes));
    }
}

/// An event exactly as stored in the log: the unit of `concerto log export`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// The event's place in `$all`.
    pub position: Position,
    /// The stream it belongs to.
    pub stream: StreamName,
    /// Its 0-based revision in the stream.
    pub revision: u64,
    /// When the store accepted it (set before writing, never taken from the broker).
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// The event itself.
    #[serde(flatten)]
    pub event: EventDraft,
}

/// A read event with its sealed parts opened where their keys still exist.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    /// The event as stored.
    pub record: EventRecord,
    /// Each sealed part: `Some(value)` when its key exists, `None` when the key was
    /// destroyed (erased: the content is gone for good, the event is not).
    pub opened: Vec<(String, Option<Value>)>,
}

impl RecordedEvent {
    /// The clear value of a sealed part; `None` if the event has no such part or it
    /// was erased (see [`RecordedEvent::is_erased`]).
    pub fn sealed(&self, part: &str) -> Option<&Value> {
        self.opened
            .iter()
            .find(|(name, _)| name == part)
            .and_then(|(_, value)| value.as_ref())
    }

    /// Whether the event has the part and its key was destroyed.
    pub fn is_erased(&self, part: &str) -> bool {
        self.opened
            .iter()
            .any(|(name, value)| name == part && value.is_none())
    }

    /// The event id.
    pub fn id(&self) -> Uuid {
        self.record.event.id
    }

    /// The event type name.
    pub fn event_type(&self) -> &str {
        &self.record.event.event_type
    }

    /// The public data.
    pub fn data(&self) -> &Value {
        &self.record.event.data
    }

    /// The position in `$all`.
    pub fn position(&self) -> Position {
        self.record.position
    }

    /// The revision in its stream.
    pub fn revision(&self) -> u64 {
        self.record.revision
    }

    /// The stream.
    pub fn stream(&self) -> &StreamName {
        &self.record.stream
    }
}
