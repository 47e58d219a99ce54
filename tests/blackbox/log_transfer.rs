//! `concerto log export` from the file log, then `concerto log import` into an empty
//! JetStream stream: the same events, ids, revisions, order and recorded times.

use crate::cli_support::concerto;
use concerto_tests::services::nats_url;
use eventstore::conformance::{draft, write_commits};
use eventstore::file::FileBackend;
use eventstore::nats::{NatsBackend, NatsConfig};
use eventstore::{Backend, ReadFrom, StreamFilter, StreamName};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_from_the_file_log_then_import_into_jetstream_keeps_the_log() {
    let Some(url) = nats_url("export_from_the_file_log_then_import_into_jetstream_keeps_the_log")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let original = {
        let backend = FileBackend::open(data_dir.join("events.log")).unwrap();
        write_commits(&backend, 30, |n| {
            let stream = StreamName::parse(format!("contribution-{}", n % 4)).unwrap();
            let events = (0..=n % 3)
                .map(|i| draft("ContributionSubmitted", n * 10 + i))
                .collect();
            (stream, events)
        })
        .await
    };
    let export = dir.path().join("export.jsonl");
    let data = data_dir.to_str().unwrap();
    let said = concerto(
        &[
            "log",
            "export",
            export.to_str().unwrap(),
            "--data-dir",
            data,
        ],
        &[],
    );
    assert!(
        said.contains(&format!("{} événements exportés", original.len())),
        "{said}"
    );

    let stream_name = format!("TEST_IMPORT_{}", uuid::Uuid::now_v7().simple());
    let envs = [
        ("NATS_URL", url.as_str()),
        ("CONCERTO_NATS_STREAM", stream_name.as_str()),
    ];
    let said = concerto(&["log", "import", export.to_str().unwrap()], &envs);
    assert!(said.contains("30 commits ajoutés"), "{said}");
    let again = concerto(&["log", "import", export.to_str().unwrap()], &envs);
    assert!(
        again.contains("0 commits ajoutés, 30 déjà présents"),
        "{again}"
    );

    let jetstream = NatsBackend::connect(NatsConfig {
        url,
        stream: stream_name,
        ..Default::default()
    })
    .await
    .unwrap();
    let imported = jetstream
        .read_all(ReadFrom::Start, &StreamFilter::All, 10_000)
        .await
        .unwrap();
    jetstream.delete_stream().await.unwrap();
    assert_eq!(
        imported, original,
        "the imported log differs (ids, revisions, order, positions or times)"
    );
}
