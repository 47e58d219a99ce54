//! The verifiable audit log through the server and the `concerto` executable: a
//! contribution's answer carries a signed promise, the participant's receipt for it
//! verifies against the running server, and after that event is altered in a copy of
//! the file log, `concerto verify log` names its leaf.

use std::path::Path;
use std::process::{Command, Output};

use eventstore::file::format::rewrite_commit;
use eventstore::{ReadFrom, StreamFilter};
use projections::audit_log::heads::{public_key_from_hex, SignedTreeHead};
use reqwest::StatusCode;
use serde_json::json;

use crate::api_support::{open_concertation, spawn_on, spawn_with, Backend, TestApp};

fn concerto_with(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concerto"));
    command
        .args(args)
        .env_remove("NATS_URL")
        .env_remove("DATABASE_URL");
    for (name, value) in envs {
        command.env(name, value);
    }
    command.output().expect("run concerto")
}

fn concerto(args: &[&str]) -> Output {
    concerto_with(args, &[])
}

/// How many events the log holds.
async fn events(t: &TestApp) -> u64 {
    let all = t
        .app
        .store()
        .backend()
        .read_all(ReadFrom::Start, &StreamFilter::All, 100_000)
        .await
        .unwrap();
    all.len() as u64
}

/// Waits (bounded) until a signed head covers every event; returns how many.
async fn covered(t: &TestApp) -> u64 {
    let head = events(t).await;
    for _ in 0..100 {
        let (status, latest) = t.get("/audit/heads/latest", None).await;
        if status == StatusCode::OK && latest["tree_size"].as_u64() >= Some(head) {
            return head;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no signed head covers the {head} events");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_verifies_and_an_altered_event_is_named_by_verify_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let t = spawn_with(|settings| {
        settings.data_dir = data.clone();
        settings.audit.head_interval_secs = 1;
    })
    .await;
    let s = open_concertation(&t, "audit-recu").await;
    let citizen = t.join(json!({"kind": "citoyen", "commune": "75056"})).await;
    let contribution = t
        .post_ok(
            "/contributions",
            &citizen,
            json!({"concertation": s.concertation, "question": s.open_question, "kind": "proposal",
                   "text": "Publier chaque algorithme utilisé par la mairie."}),
            StatusCode::CREATED,
        )
        .await;
    // The answer keeps its shape and adds a signed promise of inclusion for each event
    // of the command's last commit (the contribution's own stream).
    assert!(contribution["id"].is_string(), "{contribution}");
    assert!(contribution["events"].is_u64(), "{contribution}");
    let promises = contribution["promises"].as_array().expect("promises");
    assert_eq!(promises.len(), 1, "{contribution}");
    let promised = promises[0]["event_id"].clone();
    assert!(promised.is_string(), "{contribution}");
    assert_eq!(promises[0]["signature"].as_str().map(str::len), Some(128));

    covered(&t).await;
    let receipts = t.get("/audit/my-receipts", Some(&citizen)).await.1;
    let receipts = receipts
        .as_array()
        .expect("receipts once a head covers the log");
    assert!(
        !receipts.is_empty(),
        "the participant's events have receipts"
    );
    let receipt = receipts
        .iter()
        .find(|r| r["promise"]["event_id"] == promised)
        .expect("a receipt for the promised event");
    assert!(receipt["inclusion"]["audit_path"].is_array(), "{receipt}");
    let file = dir.path().join("recu.json");
    std::fs::write(&file, receipt.to_string()).unwrap();
    let server = t.url("");
    let out = concerto(&[
        "verify",
        "receipt",
        file.to_str().unwrap(),
        "--server",
        &server,
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("Inclus : feuille"), "{said}");
    assert!(said.contains("le journal n'a fait que grandir"), "{said}");

    // A tampered receipt is refused.
    let mut forged = receipt.clone();
    forged["promise"]["leaf_hash"] = json!("00".repeat(32));
    std::fs::write(&file, forged.to_string()).unwrap();
    assert!(!concerto(&["verify", "receipt", file.to_str().unwrap()])
        .status
        .success());

    // Publishing the synthesis answers with a head signed over the log that holds it.
    let c = |p: &str| format!("/concertations/{}{p}", s.concertation);
    t.close(&s, "Calendrier municipal.").await;
    let published = t
        .post_ok(
            &c("/synthesis"),
            &s.commission,
            json!({"summary": "Synthèse publiée."}),
            StatusCode::OK,
        )
        .await;
    let head = events(&t).await;
    let tree_head: SignedTreeHead =
        serde_json::from_value(published["tree_head"].clone()).expect("a signed head");
    assert_eq!(tree_head.tree_size, head, "{published}");
    let (_, key) = t.get("/audit/key", None).await;
    let key = public_key_from_hex(key["public_key"].as_str().unwrap()).unwrap();
    tree_head.verify(&key).unwrap();

    let leaves = t
        .get(&format!("/audit/leaves?start=0&end={head}"), None)
        .await
        .1;
    t.finish().await;

    // The log as the server left it verifies.
    let out = concerto(&["--data-dir", data.to_str().unwrap(), "verify", "log"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(&format!("{head} événements, {head} feuilles")),
        "{said}"
    );

    // Alter one event's data in a copy: the contribution's commit.
    let copy = dir.path().join("copy");
    copy_dir(&data, &copy);
    let leaves = leaves.as_array().unwrap();
    let target = leaves
        .iter()
        .find(|l| l["event_id"] == receipt["promise"]["event_id"])
        .expect("the receipt's leaf is listed");
    let commit: usize = target["position"]
        .as_str()
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let rewritten = rewrite_commit(&copy.join("events.log"), commit, |body| {
        body["events"][0]["data"]["forged"] = json!(true);
    });
    assert!(rewritten.unwrap());
    let out = concerto(&["--data-dir", copy.to_str().unwrap(), "verify", "log"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "a tampered log must not verify: {said}"
    );
    let broken: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("ÉCHEC : feuille"))
        .collect();
    assert_eq!(
        broken,
        vec![format!(
            "ÉCHEC : feuille {} (événement {}, position {}) : l'événement stocké ne correspond plus à la feuille de l'arbre",
            target["leaf_index"], receipt["promise"]["event_id"].as_str().unwrap(), target["position"].as_str().unwrap()
        )
        .as_str()],
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_jetstream_heads_cover_the_log_and_verify_log_reads_it_back() {
    let Some(backend) =
        Backend::services("on_jetstream_heads_cover_the_log_and_verify_log_reads_it_back")
    else {
        return;
    };
    let Backend::Services { nats_url, .. } = backend.clone() else {
        unreachable!("services give a NATS URL")
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut stream = String::new();
    let t = spawn_on(backend, |settings| {
        settings.data_dir = data.clone();
        settings.audit.head_interval_secs = 1;
        // The test server runs nats-server with its own sync policy; heads may cover
        // every acknowledged event here, which production must not assume.
        settings.audit.durability_delay_secs = Some(0);
        stream = settings.nats.as_ref().expect("on NATS").stream.clone();
    })
    .await;
    let s = open_concertation(&t, "audit-nats").await;
    let citizen = t.join(json!({"kind": "citoyen", "commune": "75056"})).await;
    t.post_ok(
        "/contributions",
        &citizen,
        json!({"concertation": s.concertation, "question": s.open_question, "kind": "opinion",
               "text": "Un registre public des algorithmes."}),
        StatusCode::CREATED,
    )
    .await;
    let head = covered(&t).await;
    // verify log reads the same JetStream stream (the server may keep running).
    let out = concerto_with(
        &["--data-dir", data.to_str().unwrap(), "verify", "log"],
        &[
            ("NATS_URL", nats_url.as_str()),
            ("CONCERTO_NATS_STREAM", stream.as_str()),
        ],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(&format!("{head} événements")), "{said}");
    t.finish().await;
}
