//! [`ReplayLog`]: the file log opened to replay `$all` and nothing else, as an export
//! does (`concerto export synthesis`, `concerto verify export`).
//!
//! [`FileBackend`](super::FileBackend) indexes every event id and every stream's
//! revisions at open, so that appends can check their expectations and streams can be
//! read by revision. A replay needs neither: it reads `$all` in order. This handle keeps
//! only each commit's place in the file and its number of events (16 bytes a commit),
//! where the full index holds about 32 bytes a commit and 60 an event plus each
//! stream's name and lists: a log of a million contributions (3.8 million events) took
//! 780 MiB to open fully (`BENCHMARKS.md`, "Export").
//!
//! Contracts:
//! - it takes the log's exclusive lock, as the writer does: an export is refused while a
//!   server holds the log (it would race the server's appends), with the same message;
//! - every record's checksum is verified at open and again when read; the check that
//!   each commit continues its stream's revisions, which the writer's open makes, is not
//!   made here (it needs the per-stream index this handle exists to avoid);
//! - it changes nothing on disk: a torn final record (an append cut short, never
//!   acknowledged) is left where it is and not read; the next writer's open sets it
//!   aside;
//! - `$all` reads return exactly what [`FileBackend`](super::FileBackend) returns for
//!   the same log; appends and stream reads are refused with
//!   [`StoreError::ReplayOnly`].

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::format::scan;
use super::reader::LogReader;
use crate::backend::Backend;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::log_index::Location;
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};

/// Where one commit lies and how many events it holds.
#[derive(Clone, Copy)]
struct CommitPlace {
    offset: u64,
    len: u32,
    events: u32,
}

impl CommitPlace {
    fn location(self) -> Location {
        Location {
            offset: self.offset,
            len: self.len,
        }
    }
}

/// The file log, opened to replay `$all` (see the module docs).
pub struct ReplayLog {
    path: PathBuf,
    reader: LogReader,
    /// Commit n at n - 1.
    commits: Vec<CommitPlace>,
    /// Never changes: nothing is appended through this handle.
    commits_watch: watch::Sender<u64>,
    /// Holds the exclusive lock until the handle is dropped.
    _locked: File,
}

impl ReplayLog {
    /// Opens the log at `path` (it must exist) for a replay, taking its lock.
    ///
    /// Errors: no log there, the log held by another process ([`StoreError::Locked`]),
    /// a damaged record before the tail ([`StoreError::Corrupt`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::Io(std::io::Error::new(
                e.kind(),
                format!("aucun journal à {} : rien à relire", path.display()),
            )),
            _ => e.into(),
        })?;
        super::lock_exclusive(&file, &path)?;
        let file_len = file.metadata()?.len();
        let mut commits = Vec::new();
        let mut reading = BufReader::with_capacity(1 << 20, &file);
        let found = scan(&path, &mut reading, file_len, |location, summary| {
            if summary.events.is_empty() {
                return Err(StoreError::Corrupt {
                    path: path.clone(),
                    offset: location.offset,
                    why: format!("commit {} sans événement", commits.len() + 1),
                });
            }
            commits.push(CommitPlace {
                offset: location.offset,
                len: location.len,
                events: summary.events.len() as u32,
            });
            Ok(())
        })?;
        drop(reading);
        if found.valid_end < file_len {
            tracing::warn!(log = %path.display(), offset = found.valid_end, bytes = file_len - found.valid_end,
                "fin de journal incomplète (écriture interrompue, jamais acquittée) : ignorée par la relecture, laissée en place");
        }
        commits.shrink_to_fit();
        let last = commits.len() as u64;
        Ok(Self {
            reader: LogReader::open(path.clone())?,
            path,
            commits,
            commits_watch: watch::Sender::new(last),
            _locked: file,
        })
    }

    fn place(&self, commit: u64) -> CommitPlace {
        self.commits[commit as usize - 1]
    }

    fn refuse<T>(&self, what: &'static str) -> Result<T, StoreError> {
        Err(StoreError::ReplayOnly {
            path: self.path.clone(),
            what,
        })
    }
}

#[async_trait]
impl Backend for ReplayLog {
    async fn append(
        &self,
        _stream: &StreamName,
        _expected: ExpectedRevision,
        _recorded_at: OffsetDateTime,
        _events: Vec<EventDraft>,
    ) -> Result<AppendResult, StoreError> {
        self.refuse("une écriture")
    }

    async fn read_stream(
        &self,
        _stream: &StreamName,
        _direction: Direction,
        _from: Option<u64>,
        _max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        self.refuse("la lecture d'un flux")
    }

    /// Reads commit after commit from `from`; with a filter other than `All`, each
    /// commit is read to learn its stream (this handle keeps no stream names).
    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let (first_commit, mut skip) = from.first_commit();
        let mut out = Vec::new();
        for commit in first_commit..=self.commits.len() as u64 {
            if out.len() >= max {
                break;
            }
            let place = self.place(commit);
            let start = std::mem::take(&mut skip);
            if start >= place.events {
                continue;
            }
            let records = self.reader.commit(commit, place.location())?;
            if records
                .first()
                .is_some_and(|record| !filter.accepts(&record.stream))
            {
                continue;
            }
            let wanted = (place.events - start) as usize;
            out.extend(
                records
                    .into_iter()
                    .skip(start as usize)
                    .take(wanted.min(max - out.len())),
            );
        }
        Ok(out)
    }

    async fn stream_revision(&self, _stream: &StreamName) -> Result<CurrentRevision, StoreError> {
        self.refuse("la lecture d'un flux")
    }

    async fn head(&self) -> Result<Option<Position>, StoreError> {
        let last = self.commits.len() as u64;
        Ok((last > 0).then(|| Position::new(last, self.place(last).events - 1)))
    }

    fn watch_commits(&self) -> watch::Receiver<u64> {
        self.commits_watch.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{draft, write_commits};
    use crate::file::FileBackend;

    /// A log of 40 commits (79 events: one to three each) over five streams of two
    /// categories.
    async fn written_log(path: &Path) -> Vec<EventRecord> {
        let mut n = 0;
        write_commits(&FileBackend::open(path).unwrap(), 40, |commit| {
            let category = if commit % 3 == 0 { "vote" } else { "avis" };
            let stream = StreamName::parse(format!("{category}-{}", commit % 5)).unwrap();
            let events = (0..=commit % 3)
                .map(|_| {
                    n += 1;
                    draft("E", n)
                })
                .collect();
            (stream, events)
        })
        .await
    }

    #[tokio::test]
    async fn pages_of_all_match_the_writers_reads_from_every_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let written = written_log(&path).await;
        assert_eq!(written.len(), 79);
        let replay = ReplayLog::open(&path).unwrap();
        assert_eq!(
            replay.head().await.unwrap(),
            Some(written.last().unwrap().position)
        );
        let votes = StreamFilter::Category("vote".to_owned());
        let mut starts = vec![ReadFrom::Start, ReadFrom::After(Position::new(0, 0))];
        starts.extend(written.iter().map(|r| ReadFrom::After(r.position)));
        for from in starts {
            for (filter, max) in [
                (&StreamFilter::All, 7),
                (&votes, 3),
                (&StreamFilter::All, 1000),
            ] {
                let expected: Vec<_> = written
                    .iter()
                    .filter(|r| from.includes(r.position) && filter.accepts(&r.stream))
                    .take(max)
                    .cloned()
                    .collect();
                let page = replay.read_all(from, filter, max).await.unwrap();
                assert_eq!(page, expected, "from {from:?}, {filter:?}, max {max}");
            }
        }
    }

    #[tokio::test]
    async fn writes_and_stream_reads_are_refused_and_the_log_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        written_log(&path).await;
        // A torn final record: an append cut short.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&[0x55; 7]);
        std::fs::write(&path, &bytes).unwrap();
        let replay = ReplayLog::open(&path).unwrap();
        assert_eq!(
            replay
                .read_all(ReadFrom::Start, &StreamFilter::All, usize::MAX)
                .await
                .unwrap()
                .len(),
            79
        );
        let stream = StreamName::parse("avis-1").unwrap();
        let refused = replay
            .append(
                &stream,
                ExpectedRevision::Any,
                OffsetDateTime::now_utc(),
                vec![draft("E", 999)],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(refused, StoreError::ReplayOnly { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("relecture"), "{refused}");
        assert!(matches!(
            replay
                .read_stream(&stream, Direction::Forward, None, 10)
                .await,
            Err(StoreError::ReplayOnly { .. })
        ));
        // While the replay holds the log, a writer is refused, and the other way round.
        assert!(matches!(
            FileBackend::open(&path),
            Err(StoreError::Locked { .. })
        ));
        drop(replay);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "the replay changed the log"
        );
        let writer = FileBackend::open(&path).unwrap();
        assert!(matches!(
            ReplayLog::open(&path),
            Err(StoreError::Locked { .. })
        ));
        drop(writer);
    }

    #[tokio::test]
    async fn a_damaged_record_refuses_the_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        written_log(&path).await;
        let mut bytes = std::fs::read(&path).unwrap();
        let at = super::super::format::FILE_MAGIC.len() + super::super::format::RECORD_HEADER + 20;
        bytes[at] ^= 0x20;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            ReplayLog::open(&path),
            Err(StoreError::Corrupt { offset: 16, .. })
        ));
        assert!(matches!(
            ReplayLog::open(dir.path().join("absent")),
            Err(StoreError::Io(_))
        ));
    }
}
