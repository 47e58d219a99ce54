//! `concerto log export` / `import`: the exact stored envelopes as JSON Lines, one
//! [`EventRecord`] a line in log order, to back up, restore, or move between backends.
//!
//! A line is `{"position":…,"stream":…,"revision":…,"recorded_at":"…",` followed by the
//! event's JSON exactly as stored, less its opening brace: the event's members are the
//! line's last members, and `{` plus the bytes after the comma that ends `recorded_at`
//! are the stored bytes the audit log hashes ([`stored_event_json`]). Import keeps those
//! bytes, so the events it writes are stored byte for byte as they were exported.
//!
//! Import checks the whole file before appending anything, regroups the lines of each
//! commit into one atomic append that keeps its recorded time and revisions, and is
//! idempotent: importing the same file again appends nothing.

use std::io::{BufRead, Write};

use bytes::Bytes;
use serde::Serialize;
use time::OffsetDateTime;

use crate::backend::Backend;
use crate::commit::CommitBody;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::ExpectedRevision;
use crate::position::{Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

const PAGE: usize = 4096;

/// Writes every event of `backend` to `out`; returns how many.
pub async fn export(backend: &dyn Backend, out: &mut impl Write) -> Result<u64, StoreError> {
    let mut from = ReadFrom::Start;
    let mut count = 0;
    loop {
        let page = backend.read_all(from, &StreamFilter::All, PAGE).await?;
        let Some(last) = page.last() else { break };
        from = ReadFrom::After(last.position);
        for record in &page {
            write_line(out, record)?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
}

/// The members of a line before the event's own, in their order.
#[derive(Serialize)]
struct LineHead<'a> {
    position: Position,
    stream: &'a StreamName,
    revision: u64,
    #[serde(with = "time::serde::rfc3339")]
    recorded_at: OffsetDateTime,
}

/// Writes one record as a line: the head's members, then the stored event's.
fn write_line(out: &mut impl Write, record: &EventRecord) -> Result<(), StoreError> {
    let event = record.event.json()?;
    // A JSON object, on one line: true of every event this store writes (compact JSON
    // escapes line breaks inside strings); a foreign body laid out over several lines
    // cannot be exported without changing its bytes.
    if event.first() != Some(&b'{') || event.iter().any(|&b| b == b'\n' || b == b'\r') {
        return Err(StoreError::Encoding(format!(
            "l'événement {} n'est pas stocké comme un objet JSON sur une ligne",
            record.event.id
        )));
    }
    let mut line = serde_json::to_vec(&LineHead {
        position: record.position,
        stream: &record.stream,
        revision: record.revision,
        recorded_at: record.recorded_at,
    })
    .map_err(|e| StoreError::Encoding(e.to_string()))?;
    line.pop(); // reopen the head object: the event's members follow
    line.push(b',');
    line.extend_from_slice(&event[1..]);
    line.push(b'\n');
    out.write_all(&line)?;
    Ok(())
}

/// The stored JSON of the event on an export line: `{` and the bytes after the comma
/// that ends the `recorded_at` member. `None` for a line not laid out that way.
pub fn stored_event_json(line: &str) -> Option<String> {
    const KEY: &str = "\"recorded_at\":\"";
    // Quotes inside JSON strings are escaped, so the first `"recorded_at":"` is the
    // member itself, and an RFC 3339 time holds no quote.
    let value = line.find(KEY)? + KEY.len();
    let end = value + line[value..].find('"')?;
    let rest = line[end + 1..].strip_prefix(',')?;
    Some(format!("{{{rest}"))
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Commits appended.
    pub commits_written: u64,
    /// Commits already present (a repeated import).
    pub commits_already_present: u64,
    /// Events in the file.
    pub events: u64,
}

/// A line that is not a valid record, or breaks the log's order.
fn bad_line(line: usize, why: impl std::fmt::Display) -> StoreError {
    StoreError::Encoding(format!("ligne {line} : {why}"))
}

/// Reads and checks every commit of a JSON Lines export, in order.
pub fn read_commits(input: impl BufRead) -> Result<Vec<CommitBody>, StoreError> {
    let mut commits = Vec::new();
    let mut current: Vec<EventRecord> = Vec::new();
    let mut last_position = None;
    for (number, line) in input.lines().enumerate() {
        let number = number + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let mut record: EventRecord = serde_json::from_str(&line)
            .map_err(|e| bad_line(number, format!("colonne {} : {e}", e.column())))?;
        // Keep the event's stored bytes when the line carries them (every line an
        // export writes), so the import stores them unchanged.
        if let Some(stored) = stored_event_json(&line)
            .and_then(|json| EventDraft::from_stored_json(Bytes::from(json)).ok())
            .filter(|draft| *draft == record.event)
        {
            record.event = stored;
        }
        if last_position.is_some_and(|p| record.position <= p) {
            return Err(bad_line(number, "positions hors d'ordre"));
        }
        last_position = Some(record.position);
        let continues = current
            .last()
            .is_some_and(|prev| prev.position.commit() == record.position.commit());
        if continues {
            let prev = current.last().expect("checked");
            if prev.stream != record.stream
                || prev.revision + 1 != record.revision
                || prev.position.index() + 1 != record.position.index()
            {
                return Err(bad_line(
                    number,
                    "commit incohérent (flux, révision ou index)",
                ));
            }
        } else {
            if record.position.index() != 0 {
                return Err(bad_line(number, "commit sans son premier événement"));
            }
            commits.extend(CommitBody::from_records(&current));
            current.clear();
        }
        current.push(record);
    }
    commits.extend(CommitBody::from_records(&current));
    Ok(commits)
}

/// Appends the commits of an export to `backend`, keeping revisions and recorded times.
pub async fn import(
    backend: &dyn Backend,
    commits: Vec<CommitBody>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    for body in commits {
        let expected = match body.first_revision {
            0 => ExpectedRevision::NoStream,
            n => ExpectedRevision::Exact(n - 1),
        };
        report.events += body.events.len() as u64;
        let result = backend
            .append(&body.stream, expected, body.recorded_at, body.events)
            .await?;
        if result.already_written {
            report.commits_already_present += 1;
        } else {
            report.commits_written += 1;
        }
    }
    Ok(report)
}
