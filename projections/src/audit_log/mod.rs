//! The verifiable audit log: every event of `$all`, in global order, is a leaf of an
//! RFC 9162 Merkle tree ([`crate::merkle`]); the log signs tree heads and promises of
//! inclusion with Ed25519 ([`heads`]); [`ledger`] keeps the tree (its O(log n) append
//! state in memory, leaves and nodes in [`storage`]: a folder of the data directory, or
//! memory in tests) so a restart resumes without rehashing; [`service`]
//! runs it beside the server; [`verify`] checks it against the event store.
//!
//! # The leaf
//!
//! The leaf of an event is, all integers big-endian (docs/audit.md has the details):
//!
//! ```text
//! 0x01 (leaf format) ‖ commit (u64) ‖ index in commit (u32) ‖ revision (u64)
//! ‖ stream length (u16) ‖ stream (UTF-8) ‖ recorded_at seconds (i64) ‖ nanoseconds (u32)
//! ‖ event length (u32) ‖ event JSON
//! ```
//!
//! The event JSON is the event's object inside the stored commit body, byte for byte as
//! the store wrote it (the slice every backend hands out with the record, see
//! [`eventstore::envelope::EventDraft::stored_json`]): id, type, schema version, data,
//! metadata and the *sealed parts as ciphertext*, so destroying a key never changes a
//! leaf; never a re-serialised or upcast form. `concerto log export` carries the same
//! bytes, and `concerto verify log` recomputes leaves from the store's.

pub mod heads;
pub mod ledger;
pub mod service;
pub mod storage;
pub mod verify;

use eventstore::{EventRecord, Position, RecordedEvent, StreamFilter};
use uuid::Uuid;

use crate::merkle::{leaf_hash, Hash, MerkleError};
use crate::runner::Projection;

/// The leaf format this code writes (first byte of every leaf).
pub const LEAF_FORMAT: u8 = 1;

/// What can go wrong with the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditLogError {
    /// Reading or writing the log's files failed.
    #[error("fichiers du journal d'audit : {0}")]
    Io(#[from] std::io::Error),
    /// The log's files are not what this code wrote.
    #[error("journal d'audit illisible : {0}")]
    Corrupt(String),
    /// A value given (a receipt, a hash, a key) is malformed.
    #[error("valeur invalide : {0}")]
    Invalid(String),
    /// A signature does not verify.
    #[error("signature invalide : {0}")]
    BadSignature(String),
    /// No leaf for this event (not in the log, or not yet projected).
    #[error("l'événement {0} n'est pas (encore) dans le journal d'audit")]
    UnknownEvent(Uuid),
    /// No head of this size was signed.
    #[error("aucune tête signée de taille {0}")]
    UnknownHead(u64),
    /// A proof could not be built or does not verify.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// Reading the event store failed.
    #[error("lecture du journal : {0}")]
    Store(#[from] eventstore::StoreError),
}

/// The exact leaf bytes of a stored event (see the module documentation). A record
/// that never went through a store (a test's) has no stored bytes: its event JSON is
/// then what the store would write for it.
pub fn leaf_bytes(record: &EventRecord) -> Result<Vec<u8>, AuditLogError> {
    let event = record
        .event
        .json()
        .map_err(|e| AuditLogError::Invalid(format!("événement {} : {e}", record.event.id)))?;
    let stream = record.stream.as_str().as_bytes();
    let stream_len = u16::try_from(stream.len())
        .map_err(|_| AuditLogError::Invalid("nom de flux trop long".into()))?;
    let event_len = u32::try_from(event.len())
        .map_err(|_| AuditLogError::Invalid("événement trop long".into()))?;
    let mut out = Vec::with_capacity(43 + stream.len() + event.len());
    out.push(LEAF_FORMAT);
    out.extend_from_slice(&record.position.commit().to_be_bytes());
    out.extend_from_slice(&record.position.index().to_be_bytes());
    out.extend_from_slice(&record.revision.to_be_bytes());
    out.extend_from_slice(&stream_len.to_be_bytes());
    out.extend_from_slice(stream);
    out.extend_from_slice(&record.recorded_at.unix_timestamp().to_be_bytes());
    out.extend_from_slice(&record.recorded_at.nanosecond().to_be_bytes());
    out.extend_from_slice(&event_len.to_be_bytes());
    out.extend_from_slice(&event);
    Ok(out)
}

/// One appended leaf, as the ledger keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeafEntry {
    /// The event's position in `$all`.
    pub position: Position,
    /// The event id.
    pub event_id: Uuid,
    /// When the store accepted it, milliseconds since the Unix epoch.
    pub recorded_at: i64,
    /// SHA-256(0x00 ‖ leaf bytes).
    pub leaf_hash: Hash,
}

impl LeafEntry {
    /// The entry of a stored event.
    pub fn of(record: &EventRecord) -> Result<Self, AuditLogError> {
        Ok(Self {
            position: record.position,
            event_id: record.event.id,
            recorded_at: (record.recorded_at.unix_timestamp_nanos() / 1_000_000) as i64,
            leaf_hash: leaf_hash(&leaf_bytes(record)?),
        })
    }
}

/// The Merkle projection: folds each batch into its leaves, in log order.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditLogProjection;

impl Projection for AuditLogProjection {
    /// Leaves, or the first event that could not be encoded (never expected: every
    /// stored event was encoded once by the same code).
    type Change = Result<Vec<LeafEntry>, String>;
    const NAME: &'static str = "audit-log";
    const VERSION: u32 = 1;

    fn filter(&self) -> StreamFilter {
        StreamFilter::All
    }

    fn fold(&self, batch: Vec<RecordedEvent>) -> Self::Change {
        batch
            .iter()
            .map(|event| LeafEntry::of(&event.record).map_err(|e| e.to_string()))
            .collect()
    }
}
