//! Concerto's event store: named streams, optimistic concurrency, idempotent appends,
//! catch-up subscriptions and sealed (encrypted) parts, with EventStoreDB semantics.
//!
//! The core ([`EventStore`], [`Backend`], [`KeyStore`]) names no backend. Backends:
//! [`memory::MemoryBackend`] (feature `test`), [`file::FileBackend`] (the embedded
//! default) and `nats::NatsBackend` (feature `nats`). Every backend passes the same
//! conformance suite ([`conformance`], feature `test`).

#![warn(missing_docs)]

pub mod aggregate;
pub mod append_plan;
pub mod backend;
pub mod commit;
#[cfg(any(test, feature = "test"))]
pub mod conformance;
pub mod envelope;
pub mod error;
mod event_json;
pub mod expected;
pub mod file;
pub mod folds;
pub mod jsonl;
pub mod keys;
pub mod keystore;
mod log_index;
#[cfg(any(test, feature = "test"))]
pub mod memory;
#[cfg(feature = "nats")]
pub mod nats;
pub mod position;
mod seal;
mod sharded;
pub mod store;
pub mod stream_name;
pub mod subscription;

pub use backend::Backend;
pub use envelope::{derived_event_id, EventRecord, Metadata, NewEvent, RecordedEvent};
pub use error::StoreError;
pub use expected::{AppendResult, CurrentRevision, ExpectedRevision};
pub use folds::Folds;
pub use keys::{KeyId, KeyStore};
pub use position::{Direction, Position, ReadFrom};
pub use store::EventStore;
pub use stream_name::{StreamFilter, StreamName};
pub use subscription::{Subscription, SubscriptionBatch};
