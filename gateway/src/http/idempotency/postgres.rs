//! Idempotency records in PostgreSQL, for production: table `idempotency_records` (see
//! `pg_schema`), so a retry after a restart, or on another server, gets the first
//! answer.
//!
//! A claim is one statement: insert the key, or take over an expired record, or read
//! the live one. The primary key makes two concurrent claims of a free key give one
//! `Claimed`; the other sees the first's row and gets `InProgress`. Expired rows are
//! never read (every query filters on `expires_at`, which is indexed) and are deleted
//! by [`IdempotencyStore::purge_expired`], which the server runs every minute.
//!
//! The connection commits without waiting for the WAL to reach the disk
//! (`synchronous_commit = off`, for this connection only). Every request with a key makes
//! two commits here (claim, complete), one after the other on one connection; waiting
//! for a disk flush on each put those flushes in series in front of every keyed POST.
//! What a crash of PostgreSQL or of its machine can lose is the last records, at most
//! about three `wal_writer_delay` (600 ms by default), never a torn one. A retry of
//! such a request then runs again, and appends nothing twice: its event ids derive from
//! the key, and JetStream drops a message id it has seen within its duplicate window
//! (two minutes) — the contract the embedded default's in-memory records already give
//! after a restart. Locks and visibility are unchanged, so two concurrent claims of
//! one key still give one `Claimed`.

use async_trait::async_trait;
use tokio_postgres::{Client, Statement};

use super::store::{Claim, IdempotencyStore, RequestKey, Retention, StoredResponse};
use crate::error::{AppError, AppResult};
use crate::pg_schema::pg;

/// Records in PostgreSQL.
pub struct PostgresIdempotencyStore {
    client: Client,
    statements: Statements,
    retention: Retention,
}

/// The prepared statements.
struct Statements {
    /// `$1` scope, `$2` request hash, `$3` in-progress lifetime (s) → one row
    /// `(claimed, request_hash, status, headers, body)`: `claimed` true when this call
    /// took the key, else the live record; no row when another claim committed
    /// after this statement began (it is in progress).
    claim: Statement,
    /// `$1` scope, `$2` request hash, `$3` status, `$4` headers, `$5` body, `$6`
    /// completed lifetime (s).
    complete: Statement,
    /// `$1` scope, `$2` request hash.
    release: Statement,
    /// Deletes every expired record.
    purge: Statement,
    /// Counts live records.
    count: Statement,
}

impl PostgresIdempotencyStore {
    /// Connects to `url` and applies the gateway's migrations in `schema`.
    pub async fn connect(url: &str, schema: &str, retention: Retention) -> AppResult<Self> {
        let (client, s) = crate::pg_schema::connect(url, schema).await?;
        // See the module's documentation: a record is a cache of an answer, the log
        // holds what was done.
        client
            .batch_execute("SET synchronous_commit TO off")
            .await
            .map_err(pg)?;
        let table = format!("{s}.idempotency_records");
        let statements = Statements {
            // The outer read sees the snapshot from before the insert: the second
            // branch returns the live row only when the insert found one and did
            // nothing (an expired row is taken over instead).
            claim: client
                .prepare(&format!(
                    "WITH claimed AS (
                       INSERT INTO {table} AS r (scope, request_hash, started_at, expires_at)
                       VALUES ($1, $2, now(), now() + make_interval(secs => $3))
                       ON CONFLICT (scope) DO UPDATE SET
                         request_hash = EXCLUDED.request_hash, status = NULL, headers = NULL,
                         body = NULL, started_at = EXCLUDED.started_at,
                         expires_at = EXCLUDED.expires_at
                       WHERE r.expires_at <= now()
                       RETURNING 1)
                     SELECT true, NULL::bytea, NULL::smallint, NULL::jsonb, NULL::bytea FROM claimed
                     UNION ALL
                     SELECT false, request_hash, status, headers, body FROM {table}
                     WHERE scope = $1 AND expires_at > now() AND NOT EXISTS (SELECT 1 FROM claimed)"
                ))
                .await
                .map_err(pg)?,
            complete: client
                .prepare(&format!(
                    "UPDATE {table} SET status = $3, headers = $4, body = $5,
                       expires_at = now() + make_interval(secs => $6)
                     WHERE scope = $1 AND request_hash = $2 AND status IS NULL"
                ))
                .await
                .map_err(pg)?,
            release: client
                .prepare(&format!(
                    "DELETE FROM {table} WHERE scope = $1 AND request_hash = $2 AND status IS NULL"
                ))
                .await
                .map_err(pg)?,
            purge: client
                .prepare(&format!("DELETE FROM {table} WHERE expires_at <= now()"))
                .await
                .map_err(pg)?,
            count: client
                .prepare(&format!(
                    "SELECT count(*) FROM {table} WHERE expires_at > now()"
                ))
                .await
                .map_err(pg)?,
        };
        Ok(Self {
            client,
            statements,
            retention,
        })
    }
}

fn headers_json(headers: &[(String, String)]) -> serde_json::Value {
    serde_json::Value::Array(
        headers
            .iter()
            .map(|(name, value)| serde_json::json!([name, value]))
            .collect(),
    )
}

fn headers_of(json: serde_json::Value) -> AppResult<Vec<(String, String)>> {
    serde_json::from_value(json)
        .map_err(|e| AppError::Internal(format!("en-têtes d'idempotence illisibles : {e}")))
}

#[async_trait]
impl IdempotencyStore for PostgresIdempotencyStore {
    async fn claim(&self, key: &RequestKey) -> AppResult<Claim> {
        let row = self
            .client
            .query_opt(
                &self.statements.claim,
                &[
                    &key.scope.as_slice(),
                    &key.request.as_slice(),
                    &self.retention.in_progress.as_secs_f64(),
                ],
            )
            .await
            .map_err(pg)?;
        let Some(row) = row else {
            return Ok(Claim::InProgress);
        };
        if row.get::<_, bool>(0) {
            return Ok(Claim::Claimed);
        }
        if row.get::<_, Option<Vec<u8>>>(1).as_deref() != Some(key.request.as_slice()) {
            return Ok(Claim::Mismatch);
        }
        match row.get::<_, Option<i16>>(2) {
            None => Ok(Claim::InProgress),
            Some(status) => Ok(Claim::Completed(StoredResponse {
                status: status as u16,
                headers: headers_of(
                    row.get::<_, Option<serde_json::Value>>(3)
                        .unwrap_or_default(),
                )?,
                body: row.get::<_, Option<Vec<u8>>>(4).unwrap_or_default().into(),
            })),
        }
    }

    async fn complete(&self, key: &RequestKey, response: StoredResponse) -> AppResult<()> {
        self.client
            .execute(
                &self.statements.complete,
                &[
                    &key.scope.as_slice(),
                    &key.request.as_slice(),
                    &(response.status as i16),
                    &headers_json(&response.headers),
                    &response.body.as_ref(),
                    &self.retention.completed.as_secs_f64(),
                ],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }

    async fn release(&self, key: &RequestKey) -> AppResult<()> {
        self.client
            .execute(
                &self.statements.release,
                &[&key.scope.as_slice(), &key.request.as_slice()],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }

    async fn purge_expired(&self) -> AppResult<u64> {
        self.client
            .execute(&self.statements.purge, &[])
            .await
            .map_err(pg)
    }

    async fn count(&self) -> AppResult<u64> {
        let row = self
            .client
            .query_one(&self.statements.count, &[])
            .await
            .map_err(pg)?;
        Ok(row.get::<_, i64>(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg_schema::testing;

    /// The records' connection, and only it, commits without waiting for the disk.
    #[tokio::test]
    async fn records_commit_without_waiting_for_the_disk_and_other_connections_still_wait() {
        let test = "records_commit_without_waiting_for_the_disk_and_other_connections_still_wait";
        let Some(url) = testing::database_url(test) else {
            return;
        };
        let schema = testing::fresh_schema("test_idempotency_sync");
        let store = PostgresIdempotencyStore::connect(&url, &schema, Retention::default())
            .await
            .unwrap();
        assert_eq!(setting(&store.client).await, "off");
        let (other, _) = crate::pg_schema::connect(&url, &schema).await.unwrap();
        assert_eq!(setting(&other).await, "on");
        testing::drop_schema(&url, &schema).await;
    }

    async fn setting(client: &Client) -> String {
        client
            .query_one("SHOW synchronous_commit", &[])
            .await
            .unwrap()
            .get(0)
    }
}
