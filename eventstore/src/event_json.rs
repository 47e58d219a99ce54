//! The one encoding of an event's JSON: the bytes `serde_json::to_writer` gives for an
//! [`EventDraft`], written by hand because every append pays for it.
//!
//! Why not serde: serde_json escapes strings one byte at a time and serialises the
//! flattened `Metadata` through a map serializer; an event's 512-byte text made this the
//! largest share of the client's own CPU per JetStream append (`BENCHMARKS.md`). Here a
//! string is scanned eight bytes at a time and copied in runs, and the envelope's
//! fields are written directly.
//!
//! Contract: the output is byte for byte what `serde_json::to_vec(draft)` gives (fields
//! in declaration order, `$correlationId`, `$causationId`, `actor` then the extra
//! metadata, `sealed` left out when empty, serde_json's escapes: `\"`, `\\`, `\b`,
//! `\f`, `\n`, `\r`, `\t`, `\u00XX` for the other control characters, nothing else
//! escaped). A property test holds it to that, so stored bytes and audit leaves do not
//! depend on which of the two wrote them.

use std::io::Write as _;

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::envelope::{EventDraft, Metadata, SealedPart};
use crate::stream_name::StreamName;

/// Appends the members of a commit's body that come before its events, with the
/// object left open: `{"stream":…,"first_revision":…,"recorded_at":"<RFC 3339>"`, the
/// bytes serde_json gives for them (time's RFC 3339 formatting, written in place).
///
/// Errors: a time RFC 3339 cannot write (a year outside 0–9999, an offset with seconds).
pub(crate) fn write_commit_head(
    out: &mut Vec<u8>,
    stream: &StreamName,
    first_revision: u64,
    recorded_at: OffsetDateTime,
) -> Result<(), time::error::Format> {
    out.extend_from_slice(b"{\"stream\":");
    write_str(out, stream.as_str());
    out.extend_from_slice(b",\"first_revision\":");
    out.extend_from_slice(itoa::Buffer::new().format(first_revision).as_bytes());
    out.extend_from_slice(b",\"recorded_at\":\"");
    // RFC 3339 holds only digits, `-`, `:`, `.`, `T`, `Z` and `+`: nothing to escape.
    recorded_at.format_into(out, &Rfc3339)?;
    out.push(b'"');
    Ok(())
}

/// Appends the event's JSON to `out`.
pub(crate) fn write_event(out: &mut Vec<u8>, event: &EventDraft) {
    out.extend_from_slice(b"{\"id\":");
    write_uuid(out, &event.id);
    out.extend_from_slice(b",\"type\":");
    write_str(out, &event.event_type);
    out.extend_from_slice(b",\"schema_version\":");
    out.extend_from_slice(itoa::Buffer::new().format(event.schema_version).as_bytes());
    out.extend_from_slice(b",\"data\":");
    write_value(out, &event.data);
    out.extend_from_slice(b",\"metadata\":");
    write_metadata(out, &event.metadata);
    if !event.sealed.is_empty() {
        out.extend_from_slice(b",\"sealed\":[");
        for (i, part) in event.sealed.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_sealed(out, part);
        }
        out.push(b']');
    }
    out.push(b'}');
}

fn write_metadata(out: &mut Vec<u8>, metadata: &Metadata) {
    out.push(b'{');
    let mut first = true;
    let mut comma = |out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
    };
    // The known keys are written as they are: none of them needs an escape.
    if let Some(id) = &metadata.correlation_id {
        comma(out);
        out.extend_from_slice(b"\"$correlationId\":");
        write_uuid(out, id);
    }
    if let Some(id) = &metadata.causation_id {
        comma(out);
        out.extend_from_slice(b"\"$causationId\":");
        write_uuid(out, id);
    }
    if let Some(actor) = &metadata.actor {
        comma(out);
        out.extend_from_slice(b"\"actor\":");
        write_str(out, actor);
    }
    for (name, value) in &metadata.extra {
        comma(out);
        write_str(out, name);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

fn write_sealed(out: &mut Vec<u8>, part: &SealedPart) {
    out.extend_from_slice(b"{\"part\":");
    write_str(out, &part.part);
    out.extend_from_slice(b",\"key\":");
    write_str(out, part.key.as_str());
    out.extend_from_slice(b",\"nonce\":");
    write_str(out, &part.nonce);
    out.extend_from_slice(b",\"ciphertext\":");
    write_str(out, &part.ciphertext);
    out.push(b'}');
}

fn write_uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buffer = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
    out.push(b'"');
}

/// Appends a JSON value as serde_json writes it.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // Numbers keep serde_json's own formatting (integers, and ryu for floats).
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Non-zero when any of the eight bytes of `word` needs an escape: below 0x20, `"` or
/// `\`. (Exact for "any": a false mark only ever sits above a true one in the same
/// word; which byte it is, the slow path finds.)
fn escape_marks(word: u64) -> u64 {
    let below_space = word.wrapping_sub(LOW_BITS * 0x20) & !word;
    let quote = word ^ (LOW_BITS * u64::from(b'"'));
    let backslash = word ^ (LOW_BITS * u64::from(b'\\'));
    let is_zero = |x: u64| x.wrapping_sub(LOW_BITS) & !x;
    (below_space | is_zero(quote) | is_zero(backslash)) & HIGH_BITS
}

/// Whether any byte of `bytes` needs an escape: every word is checked, with no branch
/// per word, and the last partial word padded with a byte that needs none.
fn has_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut marks = 0;
    for word in &mut words {
        marks |= escape_marks(u64::from_le_bytes(word.try_into().expect("eight bytes")));
    }
    let rest = words.remainder();
    let mut last = [b'a'; 8];
    last[..rest.len()].copy_from_slice(rest);
    marks |= escape_marks(u64::from_le_bytes(last));
    marks != 0
}

/// Appends `s` as a JSON string with serde_json's escapes.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most texts need no escape at all: one check, one copy.
    if !has_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // `clean` is where the run of bytes not yet copied, none needing an escape, starts.
    let mut clean = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if escape_marks(word) == 0 {
                i += 8;
                continue;
            }
        }
        let escape: &[u8] = match bytes[i] {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            control @ 0x00..=0x1f => {
                out.extend_from_slice(&bytes[clean..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(control >> 4)]);
                out.push(HEX[usize::from(control & 0xf)]);
                i += 1;
                clean = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[clean..i]);
        out.extend_from_slice(escape);
        i += 1;
        clean = i;
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyId;
    use proptest::prelude::*;

    fn written(event: &EventDraft) -> Vec<u8> {
        let mut out = Vec::new();
        write_event(&mut out, event);
        out
    }

    #[test]
    fn every_escape_serde_json_makes_is_made_the_same() {
        let all_low: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "simple",
            "« guillemets » et \"doubles\", \\ barre, /slash/",
            "emoji 🗳️ et arabe مرحبا et hébreu שלום",
            &all_low,
            "\u{7f}\u{80}\u{2028}\u{2029}\u{feff}",
            "exactement8",
            "1234567\"",
            "12345678\n",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_whole_envelope_is_byte_identical_to_serde_json() {
        let mut extra = Map::new();
        extra.insert("zone".into(), Value::from("COM:69123"));
        extra.insert(
            "poids".into(),
            serde_json::json!([1, -2, 3.5, 1e300, null, true]),
        );
        let event = EventDraft {
            id: Uuid::now_v7(),
            event_type: "ContributionSubmitted".into(),
            schema_version: 3,
            data: serde_json::json!({ "texte": "Ligne 1\nLigne 2\t\"citée\"", "n": 42, "vide": {} }),
            metadata: Metadata {
                correlation_id: Some(Uuid::now_v7()),
                causation_id: None,
                actor: Some("participant-1".into()),
                extra,
            },
            sealed: vec![SealedPart {
                part: "personal".into(),
                key: KeyId::parse("participant-1").unwrap(),
                nonce: "bm9uY2U=".into(),
                ciphertext: "Y2lwaGVy".into(),
            }],
            stored: None,
        };
        assert_eq!(written(&event), serde_json::to_vec(&event).unwrap());
        let bare = EventDraft {
            metadata: Metadata::default(),
            sealed: Vec::new(),
            ..event
        };
        assert_eq!(written(&bare), serde_json::to_vec(&bare).unwrap());
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\\x00-\\x7f\"\\\\éà🗳]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_event_is_byte_identical_to_serde_json(
            event_type in any::<String>(),
            schema_version in any::<u32>(),
            data in value(),
            actor in proptest::option::of(any::<String>()),
            extra in prop::collection::btree_map("[a-z$]{1,8}", value(), 0..3),
            text in "[\\x00-\\x7f\"\\\\é🗳]{0,64}",
        ) {
            let event = EventDraft {
                id: Uuid::now_v7(),
                event_type,
                schema_version,
                data: serde_json::json!([data, text]),
                metadata: Metadata {
                    correlation_id: Some(Uuid::now_v7()),
                    causation_id: Some(Uuid::now_v7()),
                    actor,
                    extra: extra.into_iter().collect(),
                },
                sealed: Vec::new(),
                stored: None,
            };
            prop_assert_eq!(written(&event), serde_json::to_vec(&event).unwrap());
        }
    }
}
