//! The conformance suite against the memory and file backends (JetStream: `nats.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use concerto_eventstore::conformance::{run_all, BackendFactory};
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
}
