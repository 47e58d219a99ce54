//! The verifiable audit log over a real event store: every event a leaf in log order,
//! signed heads and receipts that verify, a restart that resumes from the files, and a
//! tampered file log whose broken leaf `verify_log` names.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use concerto_projections::audit_log::heads::{public_key_from_hex, LogSigner};
use concerto_projections::audit_log::service::{AuditLog, AuditLogConfig};
use concerto_projections::audit_log::verify::{
    stored_public_key, verify_heads_consistent, verify_log, verify_receipt, LogProblem,
};
use concerto_projections::audit_log::{leaf_bytes, AuditLogError};
use concerto_projections::merkle::{from_hex, leaf_hash, verify_inclusion, CompactTree};
use eventstore::file::FileBackend;
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::{
    EventStore, ExpectedRevision, KeyId, NewEvent, Position, ReadFrom, StreamFilter, StreamName,
};
use serde_json::json;

/// Appends `commits` commits of 1..=3 events each (one with a sealed part) to `store`.
async fn append_events(store: &EventStore, commits: usize, offset: usize) -> Position {
    let mut last = None;
    for c in offset..offset + commits {
        let stream = StreamName::from_parts("contribution", format!("c{}", c % 4)).unwrap();
        let events = (0..=(c % 3))
            .map(|i| {
                let event = NewEvent::new(
                    "ContributionSubmitted",
                    json!({"n": c, "i": i, "texte": "é\"\n"}),
                );
                if i == 0 {
                    event.with_sealed(
                        "body",
                        KeyId::parse(format!("k{c}")).unwrap(),
                        json!({"texte": "secret"}),
                    )
                } else {
                    event
                }
            })
            .collect();
        let result = store
            .append(&stream, ExpectedRevision::Any, events)
            .await
            .unwrap();
        last = result.position;
    }
    last.expect("at least one commit")
}

async fn caught_up(log: &AuditLog, store: &EventStore) {
    let head = store.head().await.unwrap().expect("events");
    log.progress()
        .wait_for(head, Duration::from_secs(10))
        .await
        .unwrap();
}

fn config(dir: Option<&Path>) -> AuditLogConfig {
    AuditLogConfig {
        dir: dir.map(Path::to_path_buf),
        // Heads are signed on demand in these tests, never by the clock.
        head_interval: Duration::from_secs(3600),
        ..AuditLogConfig::default()
    }
}

#[tokio::test]
async fn every_event_is_a_leaf_in_log_order_and_every_proof_verifies() {
    let store = common::memory_store();
    append_events(&store, 12, 0).await;
    let log = AuditLog::start(store.clone(), config(None)).unwrap();
    caught_up(&log, &store).await;
    let first = log.sign_head_now().unwrap().expect("a head");

    // The leaves are the events of `$all`, in order, hashed as the documentation says.
    let records = store
        .backend()
        .read_all(ReadFrom::Start, &StreamFilter::All, 1000)
        .await
        .unwrap();
    assert_eq!(records.len(), 24, "12 commits of 1, 2, 3 events");
    let mut tree = CompactTree::default();
    for (i, record) in records.iter().enumerate() {
        let bytes = leaf_bytes(record).unwrap();
        assert_eq!(bytes[0], 1, "leaf format");
        assert_eq!(&bytes[1..9], &record.position.commit().to_be_bytes());
        // Sealed parts are in the leaf as ciphertext, never as clear text.
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("secret"), "leaf {i} holds clear text");
        tree.push(leaf_hash(&bytes));
        assert_eq!(
            log.leaves(i as u64, i as u64 + 1).unwrap()[0].event_id,
            record.event.id
        );
    }
    assert_eq!(first.tree_size, 24);
    assert_eq!(from_hex(&first.root_hash).unwrap(), tree.root());
    let key = public_key_from_hex(&log.public_key()).unwrap();
    first.verify(&key).unwrap();

    for index in 0..24 {
        let proof = log.inclusion(index, 24).unwrap();
        let path: Vec<_> = proof
            .audit_path
            .iter()
            .map(|h| from_hex(h).unwrap())
            .collect();
        verify_inclusion(
            &from_hex(&proof.leaf_hash).unwrap(),
            index,
            24,
            &path,
            &tree.root(),
        )
        .unwrap();
    }

    // More events, a second head, and a consistency proof between the two.
    append_events(&store, 5, 12).await;
    caught_up(&log, &store).await;
    let second = log.sign_head_now().unwrap().expect("a head");
    assert!(second.tree_size > first.tree_size);
    let proof = log.consistency(first.tree_size, second.tree_size).unwrap();
    verify_heads_consistent(&first, &second, &proof).unwrap();
    assert!(verify_heads_consistent(&second, &first, &proof).is_err());
    let mut forked = second.clone();
    forked.root_hash = first.root_hash.clone();
    assert!(verify_heads_consistent(&first, &forked, &proof).is_err());
    assert_eq!(log.heads().len(), 2);
    assert_eq!(log.head(24).unwrap(), first);
    assert!(matches!(log.head(23), Err(AuditLogError::UnknownHead(23))));
    // No growth, no new head.
    assert_eq!(log.sign_head_now().unwrap(), Some(second));
    assert_eq!(log.heads().len(), 2);
}

#[tokio::test]
async fn receipts_verify_and_tampered_receipts_do_not() {
    let store = common::memory_store();
    append_events(&store, 6, 0).await;
    let log = AuditLog::start(store.clone(), config(None)).unwrap();
    caught_up(&log, &store).await;
    let records = store
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap();
    let event = records[4].id();

    // Before any head: a promise only.
    let early = log.receipt(event).unwrap();
    assert!(early.tree_head.is_none() && early.inclusion.is_none());
    let report = verify_receipt(&early, None).unwrap();
    assert_eq!(report.included, None);
    assert_eq!(report.event_id, event);

    log.sign_head_now().unwrap();
    let receipt = log.receipt(event).unwrap();
    let key = public_key_from_hex(&log.public_key()).unwrap();
    let report = verify_receipt(&receipt, Some(&key)).unwrap();
    assert_eq!(report.included, Some((4, 12)));

    // The same receipt read back from its file form.
    let file = serde_json::to_string_pretty(&receipt).unwrap();
    let back = serde_json::from_str(&file).unwrap();
    assert_eq!(verify_receipt(&back, Some(&key)).unwrap(), report);

    let mut wrong_leaf = receipt.clone();
    wrong_leaf.promise.leaf_hash = log.inclusion(3, 12).unwrap().leaf_hash;
    assert!(matches!(
        verify_receipt(&wrong_leaf, Some(&key)),
        Err(AuditLogError::BadSignature(_))
    ));

    let mut wrong_path = receipt.clone();
    wrong_path.inclusion.as_mut().unwrap().audit_path.swap(0, 1);
    assert!(verify_receipt(&wrong_path, Some(&key)).is_err());

    let mut moved = receipt.clone();
    moved.tree_head.as_mut().unwrap().tree_size = 13;
    assert!(matches!(
        verify_receipt(&moved, Some(&key)),
        Err(AuditLogError::BadSignature(_))
    ));

    let other = LogSigner::generate().public_key();
    assert!(verify_receipt(&receipt, Some(&other)).is_err());

    let mut garbled = receipt;
    garbled.promise.signature = "zz".into();
    assert!(matches!(
        verify_receipt(&garbled, Some(&key)),
        Err(AuditLogError::Invalid(_))
    ));

    assert!(matches!(
        log.receipt(uuid::Uuid::nil()),
        Err(AuditLogError::UnknownEvent(_))
    ));
}

#[tokio::test]
async fn heads_cover_only_events_older_than_the_durability_delay() {
    let store = common::memory_store();
    append_events(&store, 3, 0).await;
    let log = AuditLog::start(
        store.clone(),
        AuditLogConfig {
            durability_delay: Duration::from_secs(3600),
            ..config(None)
        },
    )
    .unwrap();
    caught_up(&log, &store).await;
    assert_eq!(log.size(), 6);
    assert_eq!(log.sign_head_now().unwrap(), None, "nothing is an hour old");
}

fn file_store(dir: &Path) -> EventStore {
    EventStore::new(
        Arc::new(FileBackend::open(dir.join("events.log")).unwrap()),
        Arc::new(MemoryKeyStore::new()),
    )
}

#[tokio::test]
async fn a_restart_resumes_from_the_files_with_every_head() {
    let data = tempfile::tempdir().unwrap();
    let audit_dir = data.path().join("audit-log");
    let (first, key) = {
        let store = file_store(data.path());
        append_events(&store, 10, 0).await;
        let log = AuditLog::start(store.clone(), config(Some(&audit_dir))).unwrap();
        caught_up(&log, &store).await;
        let out = (log.sign_head_now().unwrap().unwrap(), log.public_key());
        log.shut_down().await;
        out
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(audit_dir.join("signing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let store = file_store(data.path());
    let log = AuditLog::start(store.clone(), config(Some(&audit_dir))).unwrap();
    // Resumed before reading a single event: same size, same key, the head kept.
    assert_eq!(log.size(), first.tree_size);
    assert_eq!(log.progress().committed(), store.head().await.unwrap());
    assert_eq!(log.public_key(), key);
    assert_eq!(log.latest_head(), Some(first.clone()));
    append_events(&store, 4, 10).await;
    caught_up(&log, &store).await;
    let second = log.sign_head_now().unwrap().unwrap();
    let proof = log.consistency(first.tree_size, second.tree_size).unwrap();
    verify_heads_consistent(&first, &second, &proof).unwrap();
    log.shut_down().await;

    let report = verify_log(
        store.backend().as_ref(),
        &audit_dir,
        &stored_public_key(&audit_dir).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(report.problems, vec![]);
    assert_eq!(
        (report.events, report.leaves, report.heads),
        (second.tree_size, second.tree_size, 2)
    );
}

/// Rewrites the payload of record `number` (from 1) of the file log at `path` with
/// `change`, which must change it, recomputing the record's checksums so the store
/// still opens it: an attacker who edits the stored bytes.
fn rewrite_record_bytes(path: &Path, number: usize, change: impl FnOnce(&str) -> String) {
    use eventstore::file::format::{encode_record, FILE_MAGIC, RECORD_HEADER};
    let bytes = std::fs::read(path).unwrap();
    let mut out = FILE_MAGIC.to_vec();
    let mut offset = FILE_MAGIC.len();
    let mut change = Some(change);
    for current in 1.. {
        if offset >= bytes.len() {
            break;
        }
        let len = u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap()) as usize;
        let payload = &bytes[offset + RECORD_HEADER..offset + RECORD_HEADER + len];
        if current == number {
            let before = std::str::from_utf8(payload).unwrap();
            let after = (change.take().unwrap())(before);
            assert_ne!(after, before, "the change must alter the record");
            encode_record(&mut out, after.as_bytes());
        } else {
            out.extend_from_slice(&bytes[offset..offset + RECORD_HEADER + len]);
        }
        offset += RECORD_HEADER + len;
    }
    assert!(change.is_none(), "no record {number}");
    std::fs::write(path, out).unwrap();
}

#[tokio::test]
async fn verify_log_names_the_one_leaf_whose_event_was_altered() {
    let data = tempfile::tempdir().unwrap();
    let audit_dir = data.path().join("audit-log");
    {
        let store = file_store(data.path());
        append_events(&store, 8, 0).await;
        let log = AuditLog::start(store.clone(), config(Some(&audit_dir))).unwrap();
        caught_up(&log, &store).await;
        let head = log.sign_head_now().unwrap().unwrap();
        assert_eq!(head.tree_size, 15);
        log.shut_down().await;
    }
    // Commits hold 1, 2, 3, 1, 2, … events, so commit 5 holds leaves 7 and 8; alter
    // the second one's data.
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(
        data.path().join("events.log"),
        copy.path().join("events.log"),
    )
    .unwrap();
    // Edit the stored bytes of that one event (`rewrite_commit` re-encodes the whole
    // body, which would also change its sibling's stored bytes, and so its leaf).
    rewrite_record_bytes(&copy.path().join("events.log"), 5, |body| {
        body.replacen(r#"{"i":1,"n":4,"#, r#"{"i":1,"n":999,"#, 1)
    });
    let tampered = file_store(copy.path());
    let altered = tampered
        .read_all(ReadFrom::Start, &StreamFilter::All, 100)
        .await
        .unwrap()[8]
        .clone();
    assert_eq!(altered.data()["n"], json!(999));

    let key = stored_public_key(&audit_dir).unwrap();
    let report = verify_log(tampered.backend().as_ref(), &audit_dir, &key)
        .await
        .unwrap();
    assert_eq!(
        report.problems,
        vec![
            LogProblem::LeafChanged {
                index: 8,
                position: altered.position(),
                event_id: altered.id(),
            },
            LogProblem::HeadRoot { tree_size: 15 },
        ]
    );
    assert_eq!(
        report.problems[0].to_string(),
        format!(
            "feuille 8 (événement {}, position 5:1) : l'événement stocké ne correspond plus à la feuille de l'arbre",
            altered.id()
        )
    );
    // The untouched original still verifies.
    let original = file_store(data.path());
    let report = verify_log(original.backend().as_ref(), &audit_dir, &key)
        .await
        .unwrap();
    assert_eq!(report.problems, vec![]);
}

/// The leaf of the one event of a hand-written stored body, built here from the bytes
/// of that body (not with `leaf_bytes`), as docs/audit.md lays it out.
fn expected_leaf(stored_event: &str, stream: &str, seconds: i64, nanos: u32) -> Vec<u8> {
    let mut leaf = vec![1u8];
    leaf.extend_from_slice(&1u64.to_be_bytes()); // commit 1
    leaf.extend_from_slice(&0u32.to_be_bytes()); // index 0
    leaf.extend_from_slice(&0u64.to_be_bytes()); // revision 0
    leaf.extend_from_slice(&(stream.len() as u16).to_be_bytes());
    leaf.extend_from_slice(stream.as_bytes());
    leaf.extend_from_slice(&seconds.to_be_bytes());
    leaf.extend_from_slice(&nanos.to_be_bytes());
    leaf.extend_from_slice(&(stored_event.len() as u32).to_be_bytes());
    leaf.extend_from_slice(stored_event.as_bytes());
    leaf
}

#[tokio::test]
async fn a_leaf_hashes_the_stored_bytes_never_a_re_encoding() {
    use eventstore::file::format::{encode_record, FILE_MAGIC};
    use eventstore::memory::MemoryBackend;
    use eventstore::Backend;

    // A stored event whose JSON serde_json would write otherwise: members out of
    // order, spaces, an escaped accent, an unsorted object.
    let stored_event = concat!(
        r#"{"type":"ContributionSubmitted", "id":"0193a6f4-0000-7000-8000-000000000001","#,
        r#""schema_version":1,"data":{"texte":"\u00e9lu","n":1},"metadata":{}}"#
    );
    let body = format!(
        r#"{{"stream":"contribution-c0","first_revision":0,"recorded_at":"2026-12-01T19:01:23.5Z","events":[{stored_event}]}}"#
    );
    let data = tempfile::tempdir().unwrap();
    let mut log_bytes = FILE_MAGIC.to_vec();
    encode_record(&mut log_bytes, body.as_bytes());
    std::fs::write(data.path().join("events.log"), log_bytes).unwrap();
    let store = file_store(data.path());
    let records = store
        .backend()
        .read_all(ReadFrom::Start, &StreamFilter::All, 10)
        .await
        .unwrap();
    let expected = expected_leaf(stored_event, "contribution-c0", 1_796_151_683, 500_000_000);
    assert_eq!(leaf_bytes(&records[0]).unwrap(), expected);
    let re_encoded = serde_json::to_vec(&records[0].event).unwrap();
    assert_ne!(
        re_encoded,
        stored_event.as_bytes(),
        "the test needs a foreign form"
    );

    // The running projection and `verify_log` hash the same stored bytes.
    let audit_dir = data.path().join("audit-log");
    let log = AuditLog::start(store.clone(), config(Some(&audit_dir))).unwrap();
    caught_up(&log, &store).await;
    let head = log.sign_head_now().unwrap().unwrap();
    assert_eq!(from_hex(&head.root_hash).unwrap(), leaf_hash(&expected));
    log.shut_down().await;
    let key = stored_public_key(&audit_dir).unwrap();
    let report = verify_log(store.backend().as_ref(), &audit_dir, &key)
        .await
        .unwrap();
    assert_eq!(report.problems, vec![]);

    // The export line carries the stored bytes, and an import stores them unchanged.
    let mut export = Vec::new();
    eventstore::jsonl::export(store.backend().as_ref(), &mut export)
        .await
        .unwrap();
    let line = std::str::from_utf8(&export).unwrap().trim_end();
    assert_eq!(
        eventstore::jsonl::stored_event_json(line).as_deref(),
        Some(stored_event)
    );
    let commits = eventstore::jsonl::read_commits(export.as_slice()).unwrap();
    let memory = MemoryBackend::new();
    eventstore::jsonl::import(&memory, commits).await.unwrap();
    let imported = memory
        .read_all(ReadFrom::Start, &StreamFilter::All, 10)
        .await
        .unwrap();
    assert_eq!(
        imported[0].event.stored_json(),
        Some(stored_event.as_bytes())
    );
    assert_eq!(leaf_bytes(&imported[0]).unwrap(), expected);
}
