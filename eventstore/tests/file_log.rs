//! File log specifics: durability order, group commit, locking, damage on reopen.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use concerto_eventstore::conformance::{draft, write_commits};
use concerto_eventstore::file::writer::LogFile;
use concerto_eventstore::file::FileBackend;
use concerto_eventstore::{
    Backend, Direction, ExpectedRevision, ReadFrom, StoreError, StreamFilter, StreamName,
};
use time::OffsetDateTime;

fn stream(name: &str) -> StreamName {
    StreamName::parse(name).unwrap()
}

/// A log file whose `sync` waits for the test to open a gate, and counts syncs.
struct GatedFile {
    inner: std::fs::File,
    syncs: Arc<AtomicUsize>,
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl LogFile for GatedFile {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(&mut self.inner, bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        let (open, wake) = &*self.gate;
        let mut is_open = open.lock().unwrap();
        while !*is_open {
            is_open = wake.wait(is_open).unwrap();
        }
        self.syncs.fetch_add(1, Ordering::SeqCst);
        self.inner.sync_data()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_are_acknowledged_and_readable_only_after_fsync_and_share_fsyncs() {
    let dir = tempfile::tempdir().unwrap();
    let syncs = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let backend = {
        let (syncs, gate) = (syncs.clone(), gate.clone());
        Arc::new(
            FileBackend::open_with(dir.path().join("log"), move |inner| {
                Box::new(GatedFile { inner, syncs, gate })
            })
            .unwrap(),
        )
    };
    let mut writers = Vec::new();
    for w in 0..256u64 {
        let backend = backend.clone();
        writers.push(tokio::spawn(async move {
            backend
                .append(
                    &stream(&format!("s-{w}")),
                    ExpectedRevision::NoStream,
                    OffsetDateTime::now_utc(),
                    vec![draft("E", w)],
                )
                .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        writers.iter().all(|w| !w.is_finished()),
        "an append was acknowledged before fsync"
    );
    assert!(
        backend
            .read_all(ReadFrom::Start, &StreamFilter::All, 1000)
            .await
            .unwrap()
            .is_empty(),
        "an event was readable before fsync"
    );
    assert_eq!(backend.head().await.unwrap(), None);
    {
        let (open, wake) = &*gate;
        *open.lock().unwrap() = true;
        wake.notify_all();
    }
    for writer in writers {
        writer.await.unwrap().expect("append");
    }
    assert_eq!(
        backend
            .read_all(ReadFrom::Start, &StreamFilter::All, 1000)
            .await
            .unwrap()
            .len(),
        256
    );
    let used = syncs.load(Ordering::SeqCst);
    assert!(used <= 4, "256 concurrent appends used {used} fsyncs");
}

#[tokio::test]
async fn a_second_writer_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let first = FileBackend::open(&path).unwrap();
    match FileBackend::open(&path) {
        Err(e @ StoreError::Locked { .. }) => {
            assert!(e.to_string().contains("déjà ouvert en écriture"), "{e}")
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("second writer accepted"),
    }
    drop(first);
    FileBackend::open(&path).expect("lock released on drop");
}

async fn small_log(path: &std::path::Path) -> Vec<concerto_eventstore::EventRecord> {
    write_commits(&FileBackend::open(path).unwrap(), 4, |n| {
        let events = (0..=n % 2).map(|i| draft("E", n * 10 + i)).collect();
        (stream(&format!("s-{}", n % 2)), events)
    })
    .await
}

#[tokio::test]
async fn reopening_restores_every_event_revision_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let written = small_log(&path).await;
    let reopened = FileBackend::open(&path).unwrap();
    assert_eq!(
        reopened
            .read_all(ReadFrom::Start, &StreamFilter::All, 100)
            .await
            .unwrap(),
        written
    );
    let result = reopened
        .append(
            &stream("s-1"),
            ExpectedRevision::Exact(3),
            OffsetDateTime::now_utc(),
            vec![draft("E", 99)],
        )
        .await
        .unwrap();
    assert_eq!(result.position.unwrap().commit(), 5);
}

/// Truncating the log at every offset: it opens with exactly the complete commits.
#[tokio::test]
async fn truncation_at_every_offset_keeps_exactly_the_complete_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let written = small_log(&path).await;
    let bytes = std::fs::read(&path).unwrap();
    let commit_ends = commit_ends(&bytes);
    for cut in 0..bytes.len() {
        let case = dir.path().join(format!("cut-{cut}"));
        std::fs::write(&case, &bytes[..cut]).unwrap();
        let backend = FileBackend::open(&case).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let complete = commit_ends.iter().filter(|&&end| end <= cut).count() as u64;
        let read = backend
            .read_all(ReadFrom::Start, &StreamFilter::All, 100)
            .await
            .unwrap();
        let expected: Vec<_> = written
            .iter()
            .filter(|r| r.position.commit() <= complete)
            .cloned()
            .collect();
        assert_eq!(read, expected, "cut at {cut}");
        drop(backend);
        let kept = std::fs::metadata(&case).unwrap().len() as usize;
        let expected_len = commit_ends
            .iter()
            .rfind(|&&end| end <= cut)
            .copied()
            .unwrap_or(16);
        assert_eq!(
            kept, expected_len,
            "cut at {cut}: file not truncated to the last complete commit"
        );
    }
}

/// Flipping any byte before the final record refuses to open and changes nothing;
/// in the final record's payload it is taken for a torn write and set aside.
#[tokio::test]
async fn a_flipped_byte_anywhere_is_detected_and_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let written = small_log(&path).await;
    let bytes = std::fs::read(&path).unwrap();
    let ends = commit_ends(&bytes);
    let last_payload_start = ends[ends.len() - 2] + 12;
    for at in 0..bytes.len() {
        let case = dir.path().join(format!("flip-{at}"));
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x20;
        std::fs::write(&case, &damaged).unwrap();
        match FileBackend::open(&case) {
            Err(StoreError::Corrupt { .. }) => {
                assert!(
                    at < last_payload_start,
                    "flip at {at} refused, expected a torn-tail truncation"
                );
                assert_eq!(
                    std::fs::read(&case).unwrap(),
                    damaged,
                    "flip at {at}: refusal changed the file"
                );
            }
            Ok(backend) => {
                assert!(at >= last_payload_start, "flip at {at} went undetected");
                let read = backend
                    .read_all(ReadFrom::Start, &StreamFilter::All, 100)
                    .await
                    .unwrap();
                let last_commit = written.last().unwrap().position.commit();
                assert!(read.iter().all(|r| r.position.commit() < last_commit));
                let aside = case.with_extension(format!("torn-{}", ends[ends.len() - 2]));
                assert_eq!(
                    std::fs::read(aside).unwrap(),
                    damaged[ends[ends.len() - 2]..],
                    "torn tail not kept aside"
                );
            }
            Err(e) => panic!("flip at {at}: unexpected error {e}"),
        }
    }
}

/// Byte offsets where each record ends (the file header counts as the first "end").
fn commit_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = vec![16];
    let mut at = 16;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += 12 + len;
        ends.push(at);
    }
    ends.remove(0);
    ends
}

#[tokio::test]
async fn reading_a_stream_backward_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    small_log(&path).await;
    let backend = FileBackend::open(&path).unwrap();
    let back = backend
        .read_stream(&stream("s-1"), Direction::Backward, None, 10)
        .await
        .unwrap();
    assert_eq!(
        back.iter().map(|r| r.revision).collect::<Vec<_>>(),
        vec![3, 2, 1, 0]
    );
}
