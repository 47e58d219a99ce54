//! A projection process killed with SIGKILL at arbitrary points (while refolding, while
//! folding, inside and between transactions) resumes without losing or double-counting
//! an event: after the kills, its tables equal those of one clean run. The test runs
//! itself as the child process.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{
    append, append_conversation, database_url, dump, participant, project, sql, statement,
};
use concerto_projections::main_model::{MainModel, MemoryModel};
use concerto_projections::main_model_pg::PostgresModel;
use concerto_projections::{run_projection, Progress, Projection};
use domain::ballot::{BallotEvent, Vote};
use domain::values::QuestionId;
use eventstore::file::FileBackend;
use eventstore::keystore::file::FileKeyStore;
use eventstore::{EventStore, Position};
use time::OffsetDateTime;
use uuid::Uuid;

const CHILD_DIR: &str = "CONCERTO_PROJECTION_CHILD_DIR";
const CHILD_SCHEMA: &str = "CONCERTO_PROJECTION_CHILD_SCHEMA";

fn open_store(dir: &std::path::Path) -> EventStore {
    let backend = FileBackend::open(dir.join("events.log")).expect("open log");
    EventStore::new(
        Arc::new(backend),
        Arc::new(FileKeyStore::open(dir.join("keys")).unwrap()),
    )
}

#[test]
fn a_killed_projection_resumes_without_loss_or_duplicates() {
    let Some(url) = database_url() else { return };
    if let (Ok(dir), Ok(schema)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_SCHEMA)) {
        return child(&url, dir.as_ref(), &schema);
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let head: Position = runtime.block_on(async {
        let store = open_store(dir.path());
        append_conversation(&store).await;
        store.head().await.unwrap().unwrap()
    });
    let killed = format!("test_killed_{}", Uuid::now_v7().simple());
    let spawn = || {
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_killed_projection_resumes_without_loss_or_duplicates",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_SCHEMA, &killed)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let client = runtime.block_on(sql(&url));
    let checkpoint = || -> Option<(i64, i32)> {
        runtime.block_on(async {
            client
                .query_opt(&format!("SELECT commit_number, commit_index FROM \"{killed}\".projection_checkpoints WHERE projection = 'main'"), &[])
                .await
                .ok()
                .flatten()
                .map(|r| (r.get(0), r.get(1)))
        })
    };
    // Kill at spread-out moments: a fixed sequence, so a failure can be replayed.
    let mut head = head;
    for (round, delay) in [40u64, 310, 90, 620, 150, 1200, 260, 75, 480, 900, 30, 2000]
        .into_iter()
        .enumerate()
    {
        // New work between kills, so that later kills land in the middle of it too.
        head = runtime.block_on(async {
            let store = open_store(dir.path());
            append_changes_of_mind(&store, round as u64, 400).await;
            store.head().await.unwrap().unwrap()
        });
        let mut child = spawn();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        println!(
            "killed after {delay} ms: checkpoint {:?} of {head}",
            checkpoint()
        );
    }
    // One last run, to the end.
    let mut child = spawn();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let at = checkpoint();
        if at == Some((head.commit() as i64, head.index() as i32)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the projection never reached the head (at {at:?})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let clean = format!("test_clean_{}", Uuid::now_v7().simple());
    runtime.block_on(async {
        let store = open_store(dir.path());
        project(
            &store,
            PostgresModel::connect(&url, &clean, store.clone(), MemoryModel::new())
                .await
                .unwrap(),
        )
        .await;
        let after_kills = dump(&client, &killed).await;
        assert!(after_kills.len() > 3000, "{} rows", after_kills.len());
        assert_eq!(
            after_kills,
            dump(&client, &clean).await,
            "killed and clean projections differ"
        );
        for schema in [&killed, &clean] {
            client
                .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                .await
                .unwrap();
        }
    });
}

/// `count` pseudo-random votes (a fixed sequence per round) by the conversation's voters.
async fn append_changes_of_mind(store: &EventStore, round: u64, count: u64) {
    let question = QuestionId::from_uuid(Uuid::from_u128(2));
    let mut state = round.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let (voter, comment) = (state % 339, (state >> 20) % 54);
        let vote = [Vote::Agree, Vote::Disagree, Vote::Pass][((state >> 40) % 3) as usize];
        let event = BallotEvent::VoteCast {
            participant: participant(voter),
            question,
            statement: statement(comment),
            vote,
            replaces: None,
            at: OffsetDateTime::now_utc(),
        };
        append(
            store,
            &domain::ballot::stream(participant(voter), question),
            &event,
        )
        .await;
    }
}

fn child(url: &str, dir: &std::path::Path, schema: &str) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = open_store(dir);
        let mut target = PostgresModel::connect(url, schema, store.clone(), MemoryModel::new())
            .await
            .unwrap();
        let progress = Progress::new(MainModel::NAME, None);
        run_projection(&store, &MainModel, &mut target, &progress)
            .await
            .unwrap();
    });
}
