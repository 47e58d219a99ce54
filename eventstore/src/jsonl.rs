//! `concerto log export` / `import`: the exact stored envelopes as JSON Lines, one
//! [`EventRecord`] a line in log order, to back up, restore, or move between backends.
//!
//! Import checks the whole file before appending anything, regroups the lines of each
//! commit into one atomic append that keeps its recorded time and revisions, and is
//! idempotent: importing the same file again appends nothing.

use std::io::{BufRead, Write};

use crate::backend::Backend;
use crate::commit::CommitBody;
use crate::envelope::EventRecord;
use crate::error::StoreError;
use crate::expected::ExpectedRevision;
use crate::position::ReadFrom;
use crate::stream_name::StreamFilter;

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
            serde_json::to_writer(&mut *out, record)
                .map_err(|e| StoreError::Encoding(e.to_string()))?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
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
        let record: EventRecord = serde_json::from_str(&line)
            .map_err(|e| bad_line(number, format!("colonne {} : {e}", e.column())))?;
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
