//! The runner's batching: behind the head it gathers pages up to the target's batch
//! size (so a catch-up writes each touched row once per big batch); at the head it
//! commits what has arrived at once (so the live lag is one transaction).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use concerto_projections::audit::memory::MemoryAudit;
use concerto_projections::audit::{AuditRow, AuditTrail};
use concerto_projections::error::ProjectionError;
use concerto_projections::{run_projection, Progress, Projection, Target};
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::memory::MemoryBackend;
use eventstore::{EventStore, ExpectedRevision, NewEvent, Position, StreamName};
use serde_json::json;

/// The memory audit trail, recording the size of every batch it commits.
struct Recording {
    inner: MemoryAudit,
    batches: Arc<Mutex<Vec<usize>>>,
    batch_size: usize,
}

#[async_trait]
impl Target<AuditTrail> for Recording {
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        self.inner.checkpoint().await
    }

    async fn commit(
        &mut self,
        change: Vec<AuditRow>,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        self.batches.lock().unwrap().push(change.len());
        self.inner.commit(change, up_to).await
    }

    fn batch_size(&self) -> usize {
        self.batch_size
    }
}

async fn append(store: &EventStore, count: usize) -> Position {
    let stream = StreamName::parse("ballot-runner").unwrap();
    let events: Vec<NewEvent> = (0..count)
        .map(|n| NewEvent::new("VoteCast", json!({ "n": n })))
        .collect();
    store
        .append(&stream, ExpectedRevision::Any, events)
        .await
        .unwrap()
        .position
        .expect("events appended")
}

#[tokio::test]
async fn behind_the_head_batches_fill_up_to_the_target_size_and_at_the_head_commit_at_once() {
    let store = EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    );
    for _ in 0..50 {
        append(&store, 100).await;
    }
    let batches = Arc::new(Mutex::new(Vec::new()));
    let mut target = Recording {
        inner: MemoryAudit::new(),
        batches: batches.clone(),
        batch_size: 3000,
    };
    let progress = Progress::new(AuditTrail::NAME, None);
    let runner = {
        let (store, progress) = (store.clone(), progress.clone());
        tokio::spawn(async move {
            run_projection(&store, &AuditTrail, &mut target, &progress)
                .await
                .unwrap();
        })
    };
    let head = store.head().await.unwrap().unwrap();
    progress
        .wait_for(head, Duration::from_secs(20))
        .await
        .unwrap();
    // 5,000 events behind: pages of 1,024 gathered until 3,000 are reached, then the
    // rest up to the head.
    assert_eq!(*batches.lock().unwrap(), vec![3072, 1928]);

    // At the head, a small commit is written on its own, without waiting for more.
    let position = append(&store, 3).await;
    progress
        .wait_for(position, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(*batches.lock().unwrap(), vec![3072, 1928, 3]);
    runner.abort();
}
