//! The `Projections` handle a server mounts: both projections run, reads wait for the
//! author's own write, the lag drops to zero — in memory and in PostgreSQL.

mod common;

use common::{database_url, drop_schema};
use std::sync::Arc;
use std::time::Duration;

use concerto_projections::audit::AuditQuery;
use concerto_projections::codec::{encode, stream_name};
use concerto_projections::{Projections, ReadStore};
use domain::testing::fixtures::{concertation_id, opened};
use domain::StreamName;
use eventstore::keystore::memory::MemoryKeyStore;
use eventstore::memory::MemoryBackend;
use eventstore::{EventStore, ExpectedRevision, Metadata};
use uuid::Uuid;

async fn check(read_store: ReadStore) {
    let store = EventStore::new(
        Arc::new(MemoryBackend::new()),
        Arc::new(MemoryKeyStore::new()),
    );
    let projections = Projections::start(store.clone(), read_store).await.unwrap();
    let stream = stream_name(&StreamName::new("concertation", concertation_id())).unwrap();
    let mut last = None;
    for event in opened() {
        let metadata = Metadata {
            actor: Some("commission-1".into()),
            ..Default::default()
        };
        let envelope = encode(&event, Uuid::now_v7(), metadata).unwrap();
        last = store
            .append(&stream, ExpectedRevision::Any, vec![envelope])
            .await
            .unwrap()
            .position;
    }
    projections
        .wait_for(last.unwrap(), Duration::from_secs(20))
        .await
        .expect("projections caught up");
    assert_eq!(
        projections
            .model()
            .read()
            .concertation_by_slug("ia-territoriale")
            .map(|c| c.questions.len()),
        Some(3)
    );
    let audit = projections
        .audit(&AuditQuery {
            actor: Some("commission-1".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), opened().len());
    let lag = projections.lag().await.unwrap();
    assert!(lag.iter().all(|(_, behind)| *behind == 0), "{lag:?}");
    projections.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_projections_serve_reads_after_a_write() {
    check(ReadStore::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_projections_serve_reads_after_a_write() {
    let Some(url) = database_url() else { return };
    let schema = format!("test_handle_{}", Uuid::now_v7().simple());
    check(ReadStore::Postgres {
        url: url.clone(),
        schema: schema.clone(),
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop_schema(&url, &schema).await;
}
