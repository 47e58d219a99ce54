//! The append-only file log: the embedded default backend.
//!
//! One file of checksummed records ([`format`]), one writer thread with group commit
//! ([`writer`]), an exclusive lock so that one process writes at a time, an index of
//! where every commit and event lies (rebuilt by a scan at open, holding no event
//! data), and records read back from the file when asked for ([`reader`]). Appends are
//! acknowledged only after fsync; a torn final record is truncated on reopen; any other
//! damage refuses to open. An export opens the log as a [`ReplayLog`] instead: `$all`
//! only, without the index of events and streams.

pub mod format;
mod reader;
mod replay;
pub mod writer;

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::{oneshot, watch};

use crate::backend::Backend;
use crate::envelope::{EventDraft, EventRecord};
use crate::error::StoreError;
use crate::expected::{AppendResult, CurrentRevision, ExpectedRevision};
use crate::log_index::LogIndex;
use crate::position::{Direction, Position, ReadFrom};
use crate::stream_name::{StreamFilter, StreamName};
use format::{scan, FILE_MAGIC};
use reader::LogReader;
pub use replay::ReplayLog;
use writer::{AppendRequest, LogFile};

/// State shared by the backend handle and its writer thread.
pub(crate) struct Shared {
    index: RwLock<LogIndex>,
    pub(crate) reader: LogReader,
    pub(crate) commits: watch::Sender<u64>,
    failure: Mutex<Option<String>>,
}

impl Shared {
    pub(crate) fn index_mut(&self) -> std::sync::RwLockWriteGuard<'_, LogIndex> {
        // Commits become readable only through `make_durable`, the writer's last step,
        // so a panic elsewhere cannot expose a half-written commit.
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    fn index(&self) -> std::sync::RwLockReadGuard<'_, LogIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn fail(&self, why: String) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
    }
}

/// The file log backend. Dropping it stops the writer after the queued appends.
pub struct FileBackend {
    shared: Arc<Shared>,
    requests: Option<mpsc::Sender<AppendRequest>>,
    writer: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl FileBackend {
    /// Opens (creating if needed) the log at `path`, taking its exclusive lock.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, |file| Box::new(file))
    }

    /// Opens the log with the writer's file wrapped by `wrap` (for tests that watch
    /// the order of writes and syncs).
    pub fn open_with(
        path: impl AsRef<Path>,
        wrap: impl FnOnce(File) -> Box<dyn LogFile>,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        lock_exclusive(&file, &path)?;
        let file_len = file.metadata()?.len();
        let mut index = LogIndex::default();
        let mut ids = Vec::new();
        let mut reading = BufReader::with_capacity(1 << 20, &mut file);
        let found = scan(&path, &mut reading, file_len, |location, summary| {
            let commit = index.durable_commit() + 1;
            let expected = CurrentRevision::from_count(summary.first_revision);
            let actual = index.durable_revision(&summary.stream);
            let why = if summary.events.is_empty() {
                Some(format!("commit {commit} sans événement"))
            } else if expected != actual {
                Some(format!(
                    "commit {commit} : révision {} du flux « {} » inattendue",
                    summary.first_revision, summary.stream
                ))
            } else {
                None
            };
            if let Some(why) = why {
                return Err(StoreError::Corrupt {
                    path: path.clone(),
                    offset: location.offset,
                    why,
                });
            }
            ids.clear();
            ids.extend(summary.events.iter().map(|e| e.id));
            index.insert(&summary.stream, summary.first_revision, &ids, location);
            index.make_durable(commit);
            Ok(())
        })?;
        if found.valid_end < file_len {
            set_aside_torn_tail(&path, &mut file, found.valid_end, file_len)?;
        }
        if found.valid_end < FILE_MAGIC.len() as u64 {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(FILE_MAGIC)?;
            file.sync_all()?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                File::open(dir)?.sync_all()?;
            }
        }
        let end = file.seek(SeekFrom::End(0))?;
        let last = index.durable_commit();
        let shared = Arc::new(Shared {
            index: RwLock::new(index),
            reader: LogReader::open(path.clone())?,
            commits: watch::Sender::new(last),
            failure: Mutex::new(None),
        });
        let (requests, receiver) = mpsc::channel();
        let writer_shared = shared.clone();
        let log_file = wrap(file);
        let writer = std::thread::Builder::new()
            .name("concerto-log-writer".into())
            .spawn(move || writer::run(writer_shared, log_file, end, receiver))?;
        Ok(Self {
            shared,
            requests: Some(requests),
            writer: Some(writer),
            path,
        })
    }

    /// The log file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes the log's exclusive lock (held until `file` is closed): one process at a time
/// writes or replays a log.
fn lock_exclusive(file: &File, path: &Path) -> Result<(), StoreError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked {
            path: path.to_owned(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Keeps the bytes of a torn tail in `<log>.torn-<offset>`, then truncates the log.
fn set_aside_torn_tail(
    path: &Path,
    file: &mut File,
    valid_end: u64,
    file_len: u64,
) -> Result<(), StoreError> {
    let mut tail = Vec::with_capacity((file_len - valid_end) as usize);
    file.seek(SeekFrom::Start(valid_end))?;
    std::io::Read::read_to_end(file, &mut tail)?;
    let aside = path.with_extension(format!("torn-{valid_end}"));
    std::fs::write(&aside, &tail)?;
    File::open(&aside)?.sync_all()?;
    tracing::warn!(log = %path.display(), offset = valid_end, bytes = tail.len(), aside = %aside.display(),
        "fin de journal incomplète (écriture interrompue, jamais acquittée) : mise de côté puis tronquée");
    file.set_len(valid_end)?;
    file.sync_all()?;
    Ok(())
}

impl Drop for FileBackend {
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

#[async_trait]
impl Backend for FileBackend {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        recorded_at: OffsetDateTime,
        events: Vec<EventDraft>,
    ) -> Result<AppendResult, StoreError> {
        let (reply, answer) = oneshot::channel();
        let request = AppendRequest {
            stream: stream.clone(),
            expected,
            recorded_at,
            events,
            reply,
        };
        self.requests
            .as_ref()
            .ok_or(StoreError::Closed)?
            .send(request)
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let plan = self
            .shared
            .index()
            .plan_stream(stream, direction, from, max);
        // A positioned read of a few pages, mostly from the page cache: cheaper than
        // handing it to a blocking thread.
        self.shared.reader.read(&plan)
    }

    async fn read_all(
        &self,
        from: ReadFrom,
        filter: &StreamFilter,
        max: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let plan = self.shared.index().plan_all(from, filter, max);
        self.shared.reader.read(&plan)
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<CurrentRevision, StoreError> {
        Ok(self.shared.index().durable_revision(stream))
    }

    async fn head(&self) -> Result<Option<Position>, StoreError> {
        Ok(self.shared.index().head())
    }

    fn watch_commits(&self) -> watch::Receiver<u64> {
        self.shared.commits.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::draft;

    fn stream(n: u64) -> StreamName {
        StreamName::parse(format!("s-{}", n % 7)).unwrap()
    }

    async fn append_commits(backend: &FileBackend, count: u64) {
        for n in 0..count {
            backend
                .append(
                    &stream(n),
                    ExpectedRevision::Any,
                    OffsetDateTime::now_utc(),
                    vec![draft("E", 2 * n), draft("E", 2 * n + 1)],
                )
                .await
                .unwrap();
        }
    }

    /// Records come from the recent cache or from the file, and must be the same.
    #[tokio::test]
    async fn reads_past_the_recent_commits_match_a_reopened_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let backend = FileBackend::open(&path).unwrap();
        append_commits(&backend, 300).await;
        let live = backend
            .read_all(ReadFrom::Start, &StreamFilter::All, usize::MAX)
            .await
            .unwrap();
        assert_eq!(live.len(), 600);
        let backward = backend
            .read_stream(&stream(3), Direction::Backward, Some(70), 5)
            .await
            .unwrap();
        drop(backend);
        let reopened = FileBackend::open(&path).unwrap();
        let cold = reopened
            .read_all(ReadFrom::Start, &StreamFilter::All, usize::MAX)
            .await
            .unwrap();
        assert_eq!(cold, live);
        let page = reopened
            .read_all(ReadFrom::After(live[100].position), &StreamFilter::All, 3)
            .await
            .unwrap();
        assert_eq!(page, live[101..104].to_vec());
        let again = reopened
            .read_stream(&stream(3), Direction::Backward, Some(70), 5)
            .await
            .unwrap();
        assert_eq!(again, backward);
        assert_eq!(
            again.iter().map(|r| r.revision).collect::<Vec<_>>(),
            vec![70, 69, 68, 67, 66]
        );
    }

    /// The scan checks every record at open; a record damaged afterwards is refused
    /// when read, not returned altered.
    #[tokio::test]
    async fn a_record_damaged_after_open_is_refused_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let backend = FileBackend::open(&path).unwrap();
        append_commits(&backend, 300).await;
        drop(backend);
        let reopened = FileBackend::open(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let at = FILE_MAGIC.len() + format::RECORD_HEADER + 20;
        bytes[at] ^= 0x20;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        match reopened
            .read_all(ReadFrom::Start, &StreamFilter::All, 10)
            .await
        {
            Err(StoreError::Corrupt { offset, .. }) => assert_eq!(offset, 16),
            other => panic!("damage not detected: {other:?}"),
        }
    }
}
