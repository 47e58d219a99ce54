//! SIGKILL during a stream of appends: on reopen, every acknowledged event is there and
//! no commit is partly there. The test runs itself as the child process.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use concerto_eventstore::conformance::draft;
use concerto_eventstore::file::FileBackend;
use concerto_eventstore::{Backend, ExpectedRevision, ReadFrom, StreamFilter, StreamName};
use time::OffsetDateTime;
use uuid::Uuid;

const CHILD_ENV: &str = "CONCERTO_CRASH_CHILD_LOG";
const EVENTS_PER_COMMIT: usize = 3;

#[test]
fn sigkill_during_appends_loses_no_acknowledged_event() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        return child(path.into());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let mut acknowledged = HashSet::new();
    for round in 0..5 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sigkill_during_appends_loses_no_acknowledged_event",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = 150 + round * 37;
        let mut this_round = 0;
        while this_round < target {
            let line = lines.next().expect("child stopped early").unwrap();
            if let Some(id) = line.strip_prefix("ack ") {
                acknowledged.insert(Uuid::parse_str(id).unwrap());
                this_round += 1;
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acknowledgements already in the pipe count too: the child had them acked.
        for line in lines.map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("ack ") {
                acknowledged.insert(Uuid::parse_str(id).unwrap());
            }
        }
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let records = runtime.block_on(async {
            let backend = FileBackend::open(&path).expect("reopen after SIGKILL");
            backend
                .read_all(ReadFrom::Start, &StreamFilter::All, usize::MAX)
                .await
                .unwrap()
        });
        let present: HashSet<Uuid> = records.iter().map(|r| r.event.id).collect();
        let lost: Vec<_> = acknowledged.difference(&present).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} acknowledged events lost",
            lost.len()
        );
        let mut per_commit: HashMap<u64, usize> = HashMap::new();
        for record in &records {
            *per_commit.entry(record.position.commit()).or_default() += 1;
        }
        assert!(
            per_commit.values().all(|&n| n == EVENTS_PER_COMMIT),
            "round {round}: a partial commit is visible"
        );
    }
}

fn child(path: std::path::PathBuf) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let backend = Arc::new(FileBackend::open(&path).unwrap());
        let mut tasks = Vec::new();
        for writer in 0..16u64 {
            let backend = backend.clone();
            tasks.push(tokio::spawn(async move {
                let run = Uuid::now_v7();
                for n in 0.. {
                    let name = StreamName::parse(format!("crash-{run}-{writer}")).unwrap();
                    let events: Vec<_> = (0..EVENTS_PER_COMMIT as u64)
                        .map(|i| draft("E", n * 10 + i))
                        .collect();
                    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
                    backend
                        .append(
                            &name,
                            ExpectedRevision::Any,
                            OffsetDateTime::now_utc(),
                            events,
                        )
                        .await
                        .unwrap();
                    let mut out = std::io::stdout().lock();
                    for id in ids {
                        writeln!(out, "ack {id}").unwrap();
                    }
                    out.flush().unwrap();
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    });
}
