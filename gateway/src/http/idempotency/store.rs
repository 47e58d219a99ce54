//! Where idempotency records live: the contract every store keeps, and the types the
//! middleware hands them.

use std::time::Duration;

use async_trait::async_trait;
use axum::body::Bytes;

use crate::error::AppResult;

/// How long records live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// A completed request's response is replayed this long after it was given.
    pub completed: Duration,
    /// A request that never completed (the server stopped, or the timeout cancelled
    /// it) frees its key this long after it arrived.
    pub in_progress: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            completed: Duration::from_secs(24 * 3600),
            // Four times the default request timeout: a live request never loses its
            // claim, an abandoned one does not block its key for long.
            in_progress: Duration::from_secs(120),
        }
    }
}

/// A request under a key: `scope` names the key (and the caller it belongs to),
/// `request` the request itself (method, path, body).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestKey {
    /// SHA-256 of the caller's credential and the key.
    pub scope: [u8; 32],
    /// SHA-256 of the method, path and body.
    pub request: [u8; 32],
}

/// A response kept to be replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// The headers replayed (name in lower case, value), in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

/// What a store says of a key when a request arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or expired): this request runs, and must end with
    /// [`IdempotencyStore::complete`] or [`IdempotencyStore::release`].
    Claimed,
    /// The same request was answered: replay this.
    Completed(StoredResponse),
    /// The same request is still running (here or on another server).
    InProgress,
    /// The key was used for another request.
    Mismatch,
}

/// Idempotency records. Every operation is O(1) in the number of records kept; expired
/// records are never returned, and are dropped without scanning every key on each
/// request.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key.scope` for `key.request`, atomically: of two concurrent claims of a
    /// free key, exactly one gets [`Claim::Claimed`].
    async fn claim(&self, key: &RequestKey) -> AppResult<Claim>;
    /// Records the response of a claimed request, replayed until
    /// [`Retention::completed`] from now.
    async fn complete(&self, key: &RequestKey, response: StoredResponse) -> AppResult<()>;
    /// Frees a claimed key without a response (the request failed and changed
    /// nothing, so running it again is safe).
    async fn release(&self, key: &RequestKey) -> AppResult<()>;
    /// Drops expired records; returns how many. Stores also drop them on their own.
    async fn purge_expired(&self) -> AppResult<u64>;
    /// How many records are live (claimed or completed, not expired).
    async fn count(&self) -> AppResult<u64>;
}
