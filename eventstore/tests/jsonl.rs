//! Export then import gives the same log; a malformed export appends nothing.

use concerto_eventstore::conformance::{draft, write_commits};
use concerto_eventstore::file::FileBackend;
use concerto_eventstore::jsonl::{export, import, read_commits};
use concerto_eventstore::memory::MemoryBackend;
use concerto_eventstore::{Backend, ReadFrom, StreamFilter, StreamName};

#[tokio::test]
async fn export_then_import_gives_the_same_events_ids_revisions_positions_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let source = FileBackend::open(dir.path().join("log")).unwrap();
    let original = write_commits(&source, 20, |n| {
        let stream = StreamName::parse(format!("s-{}", n % 3)).unwrap();
        (
            stream,
            (0..=n % 3).map(|i| draft("E", n * 10 + i)).collect(),
        )
    })
    .await;
    let mut exported = Vec::new();
    assert_eq!(export(&source, &mut exported).await.unwrap(), 39);
    let target = MemoryBackend::new();
    let report = import(&target, read_commits(exported.as_slice()).unwrap())
        .await
        .unwrap();
    assert_eq!((report.commits_written, report.events), (20, 39));
    assert_eq!(
        target
            .read_all(ReadFrom::Start, &StreamFilter::All, 1000)
            .await
            .unwrap(),
        original
    );
    let again = import(&target, read_commits(exported.as_slice()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        (again.commits_written, again.commits_already_present),
        (0, 20)
    );
    assert_eq!(
        target
            .read_all(ReadFrom::Start, &StreamFilter::All, 1000)
            .await
            .unwrap()
            .len(),
        39
    );
}

#[test]
fn a_malformed_line_is_named_and_nothing_is_read() {
    let good = r#"{"position":{"commit":1,"index":0},"stream":"s-1","revision":0,"recorded_at":"2026-11-29T10:00:00Z","id":"0193a1b2-0000-7000-8000-000000000001","type":"E","schema_version":1,"data":{},"metadata":{}}"#;
    let text = format!("{good}\n{{\"position\": oops}}\n");
    let error = read_commits(text.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("ligne 2"), "{error}");
    let reordered = format!("{good}\n{good}\n");
    assert!(read_commits(reordered.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("hors d'ordre"));
    assert_eq!(
        read_commits(format!("{good}\n").as_bytes()).unwrap().len(),
        1
    );
}
