//! The conformance suite against the memory and file backends (JetStream: `nats.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use concerto_eventstore::conformance::{
    recognises_a_fresh_id_retried_under_another_expectation, run_all, BackendFactory,
};
use concerto_eventstore::memory::MemoryBackend;
use concerto_eventstore::Backend;

struct Memory;

#[async_trait]
impl BackendFactory for Memory {
    async fn fresh(&self) -> Arc<dyn Backend> {
        Arc::new(MemoryBackend::new())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_backend_conforms() {
    run_all(&Memory).await;
    recognises_a_fresh_id_retried_under_another_expectation(Memory.fresh().await).await;
}

struct File {
    dir: tempfile::TempDir,
    counter: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl BackendFactory for File {
    async fn fresh(&self) -> Arc<dyn Backend> {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = self.dir.path().join(format!("log-{n}.concerto"));
        Arc::new(concerto_eventstore::file::FileBackend::open(path).expect("open file log"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_backend_conforms() {
    let files = File {
        dir: tempfile::tempdir().unwrap(),
        counter: Default::default(),
    };
    run_all(&files).await;
    recognises_a_fresh_id_retried_under_another_expectation(files.fresh().await).await;
}
