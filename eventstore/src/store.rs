//! [`EventStore`]: a backend plus a key store; seals on append, opens on read.

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::backend::Backend;
use crate::envelope::{EventDraft, EventRecord, NewEvent, RecordedEvent};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::keys::{KeyId, KeyLookup, KeyStore};
use crate::position::{Direction, Position, ReadFrom};
use crate::seal::{open, seal};
use crate::stream_name::{StreamFilter, StreamName};
use crate::subscription::Subscription;

/// The event store callers use. Cheap to clone; clones share the backend and keys.
#[derive(Clone)]
pub struct EventStore {
    backend: Arc<dyn Backend>,
    keys: Arc<dyn KeyStore>,
}

impl EventStore {
    /// A store over `backend`, sealing with keys from `keys`.
    pub fn new(backend: Arc<dyn Backend>, keys: Arc<dyn KeyStore>) -> Self {
        Self { backend, keys }
    }

    /// The backend, for what the store does not wrap (benchmarks, log import).
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The key store.
    pub fn keys(&self) -> &Arc<dyn KeyStore> {
        &self.keys
    }

    /// Appends `events` to `stream` atomically, if the stream is as `expected`.
    ///
    /// Sealed parts are encrypted here, under keys created on first use; the time is
    /// recorded here, before writing. See [`Backend`] for the contracts.
    pub async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        let mut drafts = Vec::with_capacity(events.len());
        for event in events {
            let mut sealed = Vec::with_capacity(event.sealed.len());
            for request in &event.sealed {
                let key = self.keys.get_or_create(&request.key).await?;
                sealed.push(seal(event.id, request, &key)?);
            }
            drafts.push(EventDraft {
                id: event.id,
                event_type: event.event_type,
                schema_version: event.schema_version,
                data: event.data,
                metadata: event.metadata,
                sealed,
                stored: None,
            });
        }
        self.backend
            .append(stream, expected, OffsetDateTime::now_utc(), drafts)
            .await
    }

    /// Reads up to `max` events of a stream; see [`Backend::read_stream`].
    pub async fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let records = self
            .backend
            .read_stream(stream, direction, from, max)
            .await?;
        self.open_all(records).await
    }

    /// Reads up to `max` events of `$all` passing `filter`; see [`Backend::read_all`].
    pub async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let records = self.backend.read_all(from, filter, max).await?;
        self.open_all(records).await
    }

    /// The revision of a stream's last event.
    pub async fn stream_revision(
        &self,
        stream: &StreamName,
    ) -> Result<CurrentRevision, StoreError> {
        self.backend.stream_revision(stream).await
    }

    /// The position of the newest event.
    pub async fn head(&self) -> Result<Option<Position>, StoreError> {
        self.backend.head().await
    }

    /// A catch-up-then-live subscription to `$all` (or a category) from `from`.
    pub fn subscribe(&self, from: ReadFrom, filter: StreamFilter) -> Subscription {
        Subscription::new(self.clone(), from, filter)
    }

    /// Opens the sealed parts of a stored record. A destroyed (or unknown) key yields
    /// the part as erased, never an error; a part that fails to authenticate is an error.
    pub async fn open(&self, record: EventRecord) -> Result<RecordedEvent, StoreError> {
        let mut opened = self.open_all(vec![record]).await?;
        Ok(opened.pop().expect("one record opened"))
    }

    /// Opens the sealed parts of `records` (as [`EventStore::open`]), looking every key
    /// they name up in one request to the key store.
    pub async fn open_all(
        &self,
        records: Vec<EventRecord>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut ids: Vec<KeyId> = records
            .iter()
            .flat_map(|r| r.event.sealed.iter().map(|part| part.key.clone()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let keys: HashMap<KeyId, KeyLookup> = if ids.is_empty() {
            HashMap::new()
        } else {
            let found = self.keys.get_many(&ids).await?;
            ids.into_iter().zip(found).collect()
        };
        let mut events = Vec::with_capacity(records.len());
        for record in records {
            let mut opened = Vec::with_capacity(record.event.sealed.len());
            for part in &record.event.sealed {
                let value = match keys.get(&part.key) {
                    Some(KeyLookup::Present(key)) => Some(open(record.event.id, part, key)?),
                    _ => None,
                };
                opened.push((part.part.clone(), value));
            }
            events.push(RecordedEvent { record, opened });
        }
        Ok(events)
    }
}
