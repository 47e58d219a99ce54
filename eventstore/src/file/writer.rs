//! The file log's single writer thread: group commit, fsync before acknowledging.
//!
//! Appends queue up while the previous group is being synced; the writer takes every
//! queued append, checks each against the index (later ones see earlier ones), writes
//! the group's records with one write and one fsync, then makes them readable and
//! answers. So 256 concurrent writers share a handful of fsyncs, and no append is
//! acknowledged, nor any event readable, before the bytes are on disk.

use std::io;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::format::encode_record;
use super::Shared;
use crate::envelope::EventDraft;
use crate::error::StoreError;
use crate::expected::{AppendResult, ExpectedRevision};
use crate::log_index::{Location, Prepared};
use crate::stream_name::StreamName;

/// The most appends one group takes, so a flood still gets answers in bounded time.
const MAX_GROUP: usize = 4096;

/// Where the writer puts bytes: the log file, or a test double that watches the order
/// of writes and syncs.
pub trait LogFile: Send + 'static {
    /// Appends bytes at the end of the log.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes everything appended durable (fdatasync).
    fn sync(&mut self) -> io::Result<()>;
}

impl LogFile for std::fs::File {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(self, bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// One queued append.
pub(crate) struct AppendRequest {
    pub stream: StreamName,
    pub expected: ExpectedRevision,
    pub recorded_at: OffsetDateTime,
    pub events: Vec<EventDraft>,
    pub reply: oneshot::Sender<Result<AppendResult, StoreError>>,
}

/// Runs until every sender is gone; the log file ends at byte `end`.
pub(crate) fn run(
    shared: Arc<Shared>,
    mut file: Box<dyn LogFile>,
    mut end: u64,
    requests: Receiver<AppendRequest>,
) {
    while let Ok(first) = requests.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        write_group(&shared, file.as_mut(), &mut end, group);
    }
}

fn write_group(shared: &Shared, file: &mut dyn LogFile, end: &mut u64, group: Vec<AppendRequest>) {
    if let Some(why) = shared.failure() {
        for request in group {
            let _ = request.reply.send(Err(StoreError::Backend(why.clone())));
        }
        return;
    }
    let mut bytes = Vec::new();
    let mut answers = Vec::with_capacity(group.len());
    let mut written = Vec::new();
    {
        let mut index = shared.index_mut();
        for request in group {
            let offset = *end + bytes.len() as u64;
            let outcome = index.prepare(
                &request.stream,
                request.expected,
                request.recorded_at,
                request.events,
                |len| Location {
                    offset,
                    len: len as u32,
                },
            );
            let outcome = match outcome {
                Ok(Prepared::Write {
                    commit,
                    body,
                    encoded,
                    result,
                }) => {
                    encode_record(&mut bytes, &encoded);
                    written.push((commit, body));
                    Ok(result)
                }
                Ok(Prepared::Done(result)) => Ok(result),
                Err(e) => Err(e),
            };
            answers.push((request.reply, outcome));
        }
    }
    if let Some(&(commit, _)) = written.last() {
        if let Err(e) = file.append(&bytes).and_then(|()| file.sync()) {
            // After a failed write or fsync the file's state is unknown (a later fsync
            // may report success for lost pages): stop accepting appends until restart.
            let why = format!("écriture du journal échouée ({e}) ; le journal n'accepte plus d'écriture, redémarrez le serveur");
            tracing::error!(error = %e, "écriture du journal échouée");
            shared.fail(why.clone());
            shared.index_mut().discard_undurable();
            for (reply, _) in answers {
                let _ = reply.send(Err(StoreError::Backend(why.clone())));
            }
            return;
        }
        *end += bytes.len() as u64;
        // Decoded before they are readable, so a subscriber woken below finds them.
        for (number, body) in written {
            shared
                .reader
                .remember(number, body.into_records(number).collect());
        }
        shared.index_mut().make_durable(commit);
        shared.commits.send_replace(commit);
    }
    for (reply, outcome) in answers {
        let _ = reply.send(outcome);
    }
}
