//! Which event store backend the binary uses: JetStream when `NATS_URL` is set, the
//! embedded file log under the data directory otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use eventstore::file::FileBackend;
use eventstore::Backend;

/// Where events are stored.
#[derive(Clone, Debug)]
pub enum Storage {
    /// The embedded file log `events.log` in this directory.
    File {
        /// The data directory (`./data` by default).
        data_dir: PathBuf,
    },
    /// NATS JetStream.
    Nats {
        /// The server URL.
        url: String,
        /// The JetStream stream name.
        stream: String,
    },
}

impl Storage {
    /// Reads `NATS_URL` and `CONCERTO_NATS_STREAM`; without them, the file log in `data_dir`.
    pub fn from_env(data_dir: &Path) -> Self {
        match std::env::var("NATS_URL") {
            Ok(url) if !url.trim().is_empty() => Self::Nats {
                url,
                stream: std::env::var("CONCERTO_NATS_STREAM")
                    .unwrap_or_else(|_| "CONCERTO".to_owned()),
            },
            _ => Self::File {
                data_dir: data_dir.to_owned(),
            },
        }
    }

    /// Opens the backend. The file log refuses to open while another process holds it.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Backend>> {
        match self {
            Self::File { data_dir } => {
                let path = data_dir.join("events.log");
                let backend = FileBackend::open(&path)
                    .with_context(|| format!("ouverture du journal {}", path.display()))?;
                Ok(Arc::new(backend))
            }
            Self::Nats { url, stream } => {
                let replicas = match std::env::var("CONCERTO_NATS_REPLICAS") {
                    Ok(text) => text.parse().with_context(|| {
                        format!("CONCERTO_NATS_REPLICAS « {text} » : nombre attendu")
                    })?,
                    Err(_) => 1,
                };
                let config = eventstore::nats::NatsConfig {
                    url: url.clone(),
                    stream: stream.clone(),
                    replicas,
                    ..Default::default()
                };
                let backend = eventstore::nats::NatsBackend::connect(config)
                    .await
                    .with_context(|| format!("connexion à NATS JetStream {url}, flux {stream}"))?;
                Ok(Arc::new(backend))
            }
        }
    }
}
