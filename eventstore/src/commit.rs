//! The one encoding of a commit (one append of 1..N events to one stream) that the file
//! log writes as a record and JetStream carries as a message body, and its decoding,
//! which keeps each event's exact stored bytes beside the decoded event.
//!
//! The body is compact JSON: `{"stream":…,"first_revision":…,"recorded_at":…,
//! "events":[…]}`. Each event of `events` is written as its stored form when it has one
//! (an imported event keeps the bytes it was exported with) and otherwise encoded by
//! `serde_json`; either way the decoded draft then holds the slice of the body that is
//! its JSON, which the audit log hashes.

use std::ops::Range;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::event_json::{write_commit_head, write_event};
use crate::position::Position;
use crate::stream_name::StreamName;

/// One atomic append, as stored. Its position (commit number) is not in the body: it is
/// the record number or the JetStream sequence, known only once written.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitBody {
    /// The stream appended to.
    pub stream: StreamName,
    /// The revision of the first event.
    pub first_revision: u64,
    /// When the store accepted the commit.
    pub recorded_at: OffsetDateTime,
    /// The events, in order.
    pub events: Vec<EventDraft>,
}

/// A stored body with its events left as raw slices of the input.
#[derive(Deserialize)]
struct StoredBody<'a> {
    stream: StreamName,
    first_revision: u64,
    #[serde(with = "time::serde::rfc3339")]
    recorded_at: OffsetDateTime,
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

fn encoding(e: impl std::fmt::Display) -> StoreError {
    StoreError::Encoding(e.to_string())
}

/// The one encoding of a body: the bytes [`CommitBody::encode`] stores, written from
/// borrowed parts for a writer that keeps no record of them (JetStream publishes the
/// bytes and drops the events). `each_event` is given the range of each event's JSON.
pub fn encode_body(
    stream: &StreamName,
    first_revision: u64,
    recorded_at: OffsetDateTime,
    events: &[EventDraft],
    mut each_event: impl FnMut(Range<usize>),
) -> Result<Vec<u8>, StoreError> {
    // Sized for a typical envelope so the buffer rarely grows while writing.
    let mut bytes = Vec::with_capacity(256 + 768 * events.len());
    write_commit_head(&mut bytes, stream, first_revision, recorded_at).map_err(encoding)?;
    bytes.extend_from_slice(b",\"events\":[");
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        let start = bytes.len();
        match event.stored_json() {
            Some(stored) => bytes.extend_from_slice(stored),
            // Written straight into the body: no buffer of its own to grow and copy.
            None => write_event(&mut bytes, event),
        }
        each_event(start..bytes.len());
    }
    bytes.extend_from_slice(b"]}");
    Ok(bytes)
}

impl CommitBody {
    /// Encodes the body as the bytes to store, and makes each event's stored form its
    /// slice of them (so the records built from this body carry the written bytes).
    pub fn encode(&mut self) -> Result<Bytes, StoreError> {
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(self.events.len());
        let bytes = Bytes::from(encode_body(
            &self.stream,
            self.first_revision,
            self.recorded_at,
            &self.events,
            |range| ranges.push(range),
        )?);
        for (event, range) in self.events.iter_mut().zip(ranges) {
            event.set_stored(bytes.slice(range));
        }
        Ok(bytes)
    }

    /// Decodes stored bytes (copied once into a shared buffer).
    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        Self::decode_shared(Bytes::copy_from_slice(bytes))
    }

    /// Decodes a stored body without copying it: each event keeps its slice of `bytes`
    /// as its stored form.
    pub fn decode_shared(bytes: Bytes) -> Result<Self, StoreError> {
        let stored: StoredBody<'_> = serde_json::from_slice(&bytes).map_err(encoding)?;
        let base = bytes.as_ptr() as usize;
        let events = stored
            .events
            .iter()
            .map(|raw| {
                // A borrowed raw value is a slice of `bytes`: its offset is its address
                // minus the buffer's.
                let start = raw.get().as_ptr() as usize - base;
                let end = start + raw.get().len();
                EventDraft::from_stored_json(bytes.slice(start..end))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            stream: stored.stream,
            first_revision: stored.first_revision,
            recorded_at: stored.recorded_at,
            events,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;

    fn body() -> CommitBody {
        let draft = |n: u64| EventDraft {
            id: uuid::Uuid::now_v7(),
            event_type: "Noted".into(),
            schema_version: 1,
            data: json!({ "n": n, "texte": "élu « ici »\n" }),
            metadata: Default::default(),
            sealed: Vec::new(),
            stored: None,
        };
        CommitBody {
            stream: StreamName::parse("note-1").unwrap(),
            first_revision: 3,
            recorded_at: OffsetDateTime::from_unix_timestamp_nanos(1_796_151_683_617_391_516)
                .unwrap(),
            events: vec![draft(1), draft(2)],
        }
    }

    #[derive(Serialize)]
    struct Derived<'a> {
        stream: &'a StreamName,
        first_revision: u64,
        #[serde(with = "time::serde::rfc3339")]
        recorded_at: OffsetDateTime,
        events: &'a [EventDraft],
    }

    #[test]
    fn encoding_is_the_serde_encoding_of_the_whole_body() {
        // Bodies written before the stored forms were kept must decode to the same
        // bytes, so the hand-assembled body must equal serde's encoding of it.
        let mut body = body();
        let fresh = body.clone();
        let derived = serde_json::to_vec(&Derived {
            stream: &fresh.stream,
            first_revision: fresh.first_revision,
            recorded_at: fresh.recorded_at,
            events: &fresh.events,
        })
        .unwrap();
        assert_eq!(body.encode().unwrap().as_ref(), derived.as_slice());
    }

    proptest::proptest! {
        /// The head written by hand (stream, revision, RFC 3339 time) is serde's, for
        /// any stream name and any time of years 0–9999, whole seconds included.
        #[test]
        fn the_head_is_serdes_for_any_stream_and_time(
            name in "[a-z]{1,8}-[^\\s]{1,20}",
            first_revision in proptest::prelude::any::<u64>(),
            nanos in -62_167_219_200_000_000_000i128..253_402_300_799_999_999_999i128,
            whole_second in proptest::prelude::any::<bool>(),
        ) {
            let nanos = if whole_second { nanos - nanos.rem_euclid(1_000_000_000) } else { nanos };
            let Ok(stream) = StreamName::parse(name) else { return Ok(()) };
            let recorded_at = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap();
            let written = encode_body(&stream, first_revision, recorded_at, &[], |_| {}).unwrap();
            let derived = serde_json::to_vec(&Derived {
                stream: &stream,
                first_revision,
                recorded_at,
                events: &[],
            })
            .unwrap();
            proptest::prop_assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(derived).unwrap()
            );
        }
    }

    #[test]
    fn encode_and_decode_give_each_event_its_slice_of_the_body() {
        let mut body = body();
        let bytes = body.encode().unwrap();
        let decoded = CommitBody::decode_shared(bytes.clone()).unwrap();
        assert_eq!(decoded, body);
        for (written, read) in body.events.iter().zip(&decoded.events) {
            let slice = read.stored_json().unwrap();
            assert_eq!(written.stored_json().unwrap(), slice);
            assert_eq!(slice, serde_json::to_vec(read).unwrap().as_slice());
            // A slice of the body, not a copy.
            let at = slice.as_ptr() as usize - bytes.as_ptr() as usize;
            assert_eq!(&bytes[at..at + slice.len()], slice);
        }
    }

    #[test]
    fn a_stored_form_other_than_serdes_is_kept_byte_for_byte() {
        // Key order, spaces and an escaped accent serde_json would write otherwise.
        let stored = concat!(
            r#"{"stream":"note-1","first_revision":0,"recorded_at":"2026-12-01T19:01:23Z","#,
            r#""events":[ {"type":"Noted","id":"0193a6f4-0000-7000-8000-000000000001","#,
            r#" "schema_version":1,"data":{"b":1,"a":"\u00e9"},"metadata":{}} ]}"#
        );
        let body = CommitBody::decode(stored.as_bytes()).unwrap();
        let event = &body.events[0];
        let slice = std::str::from_utf8(event.stored_json().unwrap()).unwrap();
        assert!(slice.starts_with(r#"{"type":"Noted","#), "{slice}");
        assert!(slice.ends_with(r#""metadata":{}}"#), "{slice}");
        assert_ne!(
            slice.as_bytes(),
            serde_json::to_vec(event).unwrap().as_slice()
        );
        // Written again (an import), the event keeps those bytes.
        let mut again = body.clone();
        let bytes = again.encode().unwrap();
        assert!(std::str::from_utf8(&bytes).unwrap().contains(slice));
    }
}
