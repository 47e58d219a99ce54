//! [`AuditLog`]: the Merkle projection run beside the server, the periodic signing of
//! tree heads, and the answers the API and the pages need (heads, proofs, leaves,
//! promises and receipts).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use eventstore::{EventStore, Position};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::heads::{now_millis, LogSigner, SignedPromise, SignedTreeHead};
use super::ledger::Ledger;
use super::{AuditLogError, AuditLogProjection, LeafEntry};
use crate::error::ProjectionError;
use crate::handle::supervise;
use crate::merkle::{to_hex, Hash};
use crate::progress::Progress;
use crate::runner::{Projection, Target};

/// Most leaves one range request returns.
pub const MAX_LEAVES: u64 = 1000;

/// How the audit log is kept and signed.
#[derive(Clone, Debug)]
pub struct AuditLogConfig {
    /// The folder of the ledger's files (`data/audit-log` on the embedded default);
    /// `None` keeps it in memory (tests: rebuilt at every start).
    pub dir: Option<PathBuf>,
    /// The signing key file; by default `signing.key` in `dir` (created 0600 at first
    /// start). With neither, a fresh key is generated in memory.
    pub signing_key: Option<PathBuf>,
    /// A new head is signed at this interval while events arrive (at most a minute).
    pub head_interval: Duration,
    /// Heads cover only events recorded at least this long ago: zero on backends that
    /// make an event durable before acknowledging it (the file log, NATS with
    /// `sync_interval: always`), the server's sync interval on a NATS server that
    /// acknowledges before fsync.
    pub durability_delay: Duration,
}

impl Default for AuditLogConfig {
    fn default() -> Self {
        Self {
            dir: None,
            signing_key: None,
            head_interval: Duration::from_secs(60),
            durability_delay: Duration::ZERO,
        }
    }
}

/// An inclusion proof as the API serves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionAnswer {
    /// The leaf's index.
    pub leaf_index: u64,
    /// The event it holds.
    pub event_id: Uuid,
    /// Its hash, hex.
    pub leaf_hash: String,
    /// The tree size the proof is against.
    pub tree_size: u64,
    /// The audit path, nearest sibling first, hex.
    pub audit_path: Vec<String>,
}

/// A consistency proof as the API serves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyAnswer {
    /// The older tree size.
    pub first: u64,
    /// The newer tree size.
    pub second: u64,
    /// RFC 9162 §2.1.4 proof nodes, hex.
    pub consistency_path: Vec<String>,
}

/// One leaf as the API lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafAnswer {
    /// The leaf's index.
    pub leaf_index: u64,
    /// The event's position in `$all` (`commit:index`).
    pub position: String,
    /// The event id.
    pub event_id: Uuid,
    /// The leaf hash, hex.
    pub leaf_hash: String,
}

/// What a participant keeps for one contribution or vote: the promise given at once,
/// and, once a head covers the event, the head and the inclusion proof against it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// `concerto-receipt-1`.
    pub format: String,
    /// The log's public key, hex.
    pub public_key: String,
    /// The promise of inclusion.
    pub promise: SignedPromise,
    /// The first signed head that covers the event, once there is one.
    pub tree_head: Option<SignedTreeHead>,
    /// The inclusion proof against `tree_head`.
    pub inclusion: Option<InclusionAnswer>,
}

/// The receipt format name.
pub const RECEIPT_FORMAT: &str = "concerto-receipt-1";

struct Shared {
    ledger: RwLock<Ledger>,
    signer: LogSigner,
    config: AuditLogConfig,
    progress: Progress,
}

/// The running audit log.
pub struct AuditLog {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// The projection target: appends each batch's leaves to the shared ledger.
struct LedgerTarget(Arc<Shared>);

#[async_trait]
impl Target<AuditLogProjection> for LedgerTarget {
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        Ok(self.0.ledger.read().expect("audit log lock").checkpoint())
    }

    async fn commit(
        &mut self,
        change: Result<Vec<LeafEntry>, String>,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        let entries = change.map_err(ProjectionError::AuditLog)?;
        self.0
            .ledger
            .write()
            .expect("audit log lock")
            .append(entries, up_to)
            .map_err(|e| ProjectionError::AuditLog(e.to_string()))
    }
}

impl AuditLog {
    /// Opens the ledger and the key, then runs the projection and the head signer.
    pub fn start(store: EventStore, config: AuditLogConfig) -> Result<Self, AuditLogError> {
        let ledger = match &config.dir {
            Some(dir) => Ledger::open(dir, true)?,
            None => Ledger::memory(),
        };
        let key_path = config
            .signing_key
            .clone()
            .or_else(|| config.dir.as_ref().map(|d| d.join("signing.key")));
        let signer = match &key_path {
            Some(path) => LogSigner::load_or_create(path)?,
            None => LogSigner::generate(),
        };
        let progress = Progress::new(AuditLogProjection::NAME, ledger.checkpoint());
        let shared = Arc::new(Shared {
            ledger: RwLock::new(ledger),
            signer,
            config,
            progress: progress.clone(),
        });
        let projection = {
            let shared = shared.clone();
            supervise(store, AuditLogProjection, progress, move || {
                let target = LedgerTarget(shared.clone());
                async move { Ok::<_, ProjectionError>(target) }
            })
        };
        let signing = {
            let shared = shared.clone();
            tokio::spawn(async move {
                // The first head comes one interval after start, not at once: a head
                // signed at start would race the first appends (and tests that sign
                // their own heads would see an extra one).
                let period = shared.config.head_interval;
                let mut tick =
                    tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    if let Err(e) = sign_if_grown(&shared) {
                        tracing::error!(error = %e, "signature d'une tête d'arbre impossible");
                    }
                }
            })
        };
        Ok(Self {
            shared,
            tasks: vec![projection, signing],
        })
    }

    /// The projection's progress (for waits, `/ready` and the lag metrics).
    pub fn progress(&self) -> &Progress {
        &self.shared.progress
    }

    /// The log's signing key, for the heads attached to exports.
    pub fn signer(&self) -> &LogSigner {
        &self.shared.signer
    }

    /// The log's public key, hex.
    pub fn public_key(&self) -> String {
        to_hex(self.shared.signer.public_key().as_bytes())
    }

    /// The key id (SHA-256 of the public key), hex.
    pub fn key_id(&self) -> String {
        to_hex(&self.shared.signer.key_id())
    }

    /// How many leaves the tree has now (some may not be covered by a head yet).
    pub fn size(&self) -> u64 {
        self.read().size()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Ledger> {
        self.shared.ledger.read().expect("audit log lock")
    }

    /// The newest signed head.
    pub fn latest_head(&self) -> Option<SignedTreeHead> {
        self.read().heads().last().cloned()
    }

    /// The head signed for `tree_size` (the first, if several were).
    pub fn head(&self, tree_size: u64) -> Result<SignedTreeHead, AuditLogError> {
        self.read()
            .heads()
            .iter()
            .find(|h| h.tree_size == tree_size)
            .cloned()
            .ok_or(AuditLogError::UnknownHead(tree_size))
    }

    /// Every signed head, oldest first.
    pub fn heads(&self) -> Vec<SignedTreeHead> {
        self.read().heads().to_vec()
    }

    /// Signs a head now over every durable leaf if the tree grew since the last head,
    /// and returns the newest head (for a published synthesis or an export).
    pub fn sign_head_now(&self) -> Result<Option<SignedTreeHead>, AuditLogError> {
        sign_if_grown(&self.shared)?;
        Ok(self.latest_head())
    }

    /// The leaf index of an event.
    pub fn leaf_index(&self, event_id: Uuid) -> Result<u64, AuditLogError> {
        self.read()
            .index_of(event_id)?
            .ok_or(AuditLogError::UnknownEvent(event_id))
    }

    /// The inclusion proof of leaf `index` against the tree of `tree_size` leaves.
    pub fn inclusion(&self, index: u64, tree_size: u64) -> Result<InclusionAnswer, AuditLogError> {
        let ledger = self.read();
        let path = ledger.inclusion(index, tree_size)?;
        let leaf = ledger.leaf(index)?.ok_or_else(|| {
            AuditLogError::Merkle(crate::merkle::MerkleError::OutOfRange(format!(
                "feuille {index}"
            )))
        })?;
        Ok(InclusionAnswer {
            leaf_index: index,
            event_id: leaf.event_id,
            leaf_hash: to_hex(&leaf.leaf_hash),
            tree_size,
            audit_path: path.iter().map(|h| to_hex(h)).collect(),
        })
    }

    /// The consistency proof between two tree sizes.
    pub fn consistency(&self, first: u64, second: u64) -> Result<ConsistencyAnswer, AuditLogError> {
        let path = self.read().consistency(first, second)?;
        Ok(ConsistencyAnswer {
            first,
            second,
            consistency_path: path.iter().map(|h| to_hex(h)).collect(),
        })
    }

    /// Leaves `start..end` (at most [`MAX_LEAVES`], cut at the tree's size).
    pub fn leaves(&self, start: u64, end: u64) -> Result<Vec<LeafAnswer>, AuditLogError> {
        let ledger = self.read();
        let end = end.min(ledger.size()).min(start.saturating_add(MAX_LEAVES));
        let mut answers = Vec::new();
        for i in start..end {
            if let Some(leaf) = ledger.leaf(i)? {
                answers.push(LeafAnswer {
                    leaf_index: i,
                    position: leaf.position.to_string(),
                    event_id: leaf.event_id,
                    leaf_hash: to_hex(&leaf.leaf_hash),
                });
            }
        }
        Ok(answers)
    }

    /// A signed promise that `event_id` is in the log, once its leaf is appended (wait
    /// on [`AuditLog::progress`] for the event's position first).
    pub fn promise(&self, event_id: Uuid) -> Result<SignedPromise, AuditLogError> {
        let ledger = self.read();
        let index = ledger
            .index_of(event_id)?
            .ok_or(AuditLogError::UnknownEvent(event_id))?;
        let leaf: Hash = ledger.leaf_hash(index)?;
        Ok(self
            .shared
            .signer
            .sign_promise(event_id, &leaf, now_millis()))
    }

    /// Promises for every event of the commit that ends at `position` (a command's
    /// events, one commit), waiting at most `bound` for the projection to append them;
    /// empty if it did not in time.
    pub async fn promises_at(&self, position: Position, bound: Duration) -> Vec<SignedPromise> {
        if self
            .shared
            .progress
            .wait_for(position, bound)
            .await
            .is_err()
        {
            return Vec::new();
        }
        let ids: Vec<Uuid> = {
            let ledger = self.read();
            let Ok(Some(last)) = ledger.index_at(position) else {
                return Vec::new();
            };
            let first = last.saturating_sub(u64::from(position.index()));
            (first..=last)
                .filter_map(|i| ledger.leaf(i).ok().flatten())
                .filter(|leaf| leaf.position.commit() == position.commit())
                .map(|leaf| leaf.event_id)
                .collect()
        };
        ids.into_iter()
            .filter_map(|id| self.promise(id).ok())
            .collect()
    }

    /// A participant's receipt for one event: the promise, and the first head that
    /// covers the event with the inclusion proof against it once there is one.
    pub fn receipt(&self, event_id: Uuid) -> Result<Receipt, AuditLogError> {
        let promise = self.promise(event_id)?;
        let index = self.leaf_index(event_id)?;
        let tree_head = self
            .read()
            .heads()
            .iter()
            .find(|h| h.tree_size > index)
            .cloned();
        let inclusion = match &tree_head {
            Some(head) => Some(self.inclusion(index, head.tree_size)?),
            None => None,
        };
        Ok(Receipt {
            format: RECEIPT_FORMAT.into(),
            public_key: self.public_key(),
            promise,
            tree_head,
            inclusion,
        })
    }

    /// Stops the projection and the signer and waits until they have let go of the
    /// event store and the files (what they wrote stays written).
    pub async fn shut_down(mut self) {
        for task in std::mem::take(&mut self.tasks) {
            task.abort();
            // A cancelled task's error is the expected outcome here.
            let _ = task.await;
        }
    }

    /// Stops the projection and the signer (what they wrote stays written).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Signs a head over the durable prefix of the tree if it is larger than the last one.
fn sign_if_grown(shared: &Shared) -> Result<(), AuditLogError> {
    let mut ledger = shared.ledger.write().expect("audit log lock");
    let now = now_millis();
    let delay = shared.config.durability_delay.as_millis() as i64;
    let size = if delay == 0 {
        ledger.size()
    } else {
        ledger.size_recorded_by(now as i64 - delay)?
    };
    let last = ledger.heads().last().map_or(0, |h| h.tree_size);
    if size <= last {
        return Ok(());
    }
    let root = ledger.root_of(size)?;
    let head = shared.signer.sign_head(size, &root, now);
    ledger.add_head(head)?;
    Ok(())
}
