//! What every PostgreSQL target shares: the connection, the schema, the checkpoint table
//! and the single-writer lock.

use eventstore::Position;
use tokio_postgres::{Client, NoTls, Statement, Transaction};

use crate::error::ProjectionError;

/// A connection to the read-model schema, holding the writer lock of one projection.
pub struct PgProjectionDb {
    /// The connection (the lock lives as long as it does).
    pub client: Client,
    /// The schema, already checked and quoted for SQL.
    pub schema: String,
    /// The checkpoint upsert, prepared once for the connection ([`save_checkpoint`]).
    pub checkpoint_statement: Statement,
}

/// Checks a schema name: lower-case ASCII letters, digits and `_`, 1 to 63 characters.
pub fn quoted_schema(schema: &str) -> Result<String, ProjectionError> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(format!("\"{schema}\""))
    } else {
        Err(ProjectionError::Config(format!(
            "nom de schéma invalide « {schema} »"
        )))
    }
}

impl PgProjectionDb {
    /// Connects, creates the schema and checkpoint table if needed, then waits for the
    /// writer lock of `projection` (held until this connection closes, so a second
    /// runner waits here and takes over when the first dies).
    ///
    /// The writer's transactions commit without waiting for their WAL to reach the disk
    /// (`synchronous_commit = off` for this connection only). A read model is derived
    /// data and its durability comes from the event log: each batch's rows and its
    /// checkpoint are one transaction, so a crash of PostgreSQL or of its machine can
    /// only lose the last whole transactions (at most about three `wal_writer_delay`,
    /// 600 ms by default), rows and checkpoint together, and the runner replays those
    /// events from the log at restart. Never torn, never counted twice. What this buys:
    /// the live lag no longer includes a disk flush per batch, whose latency on a
    /// shared disk reaches hundreds of milliseconds (`BENCHMARKS.md`, Projections).
    /// The accounts' and keys' connections keep synchronous commits: what they hold is
    /// not in the log (idempotency records do not wait either; see the gateway's
    /// `idempotency::postgres`).
    pub async fn connect(
        url: &str,
        schema: &str,
        projection: &str,
    ) -> Result<Self, ProjectionError> {
        let db = Self::connect_reader(url, schema).await?;
        let lock_key = format!("{schema}.{projection}");
        db.client
            .execute("SELECT pg_advisory_lock(hashtext($1))", &[&lock_key])
            .await?;
        db.client
            .batch_execute("SET synchronous_commit TO off")
            .await?;
        Ok(db)
    }

    /// Connects for reading only (no writer lock), creating the schema and the
    /// checkpoint table if needed.
    pub async fn connect_reader(url: &str, schema: &str) -> Result<Self, ProjectionError> {
        let quoted = quoted_schema(schema)?;
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "connexion PostgreSQL des projections perdue");
            }
        });
        migrate(
            &client,
            &format!(
                "CREATE SCHEMA IF NOT EXISTS {quoted};
                 CREATE TABLE IF NOT EXISTS {quoted}.projection_checkpoints (
                   projection text PRIMARY KEY,
                   version integer NOT NULL,
                   commit_number bigint NOT NULL,
                   commit_index integer NOT NULL,
                   updated_at timestamptz NOT NULL DEFAULT now());
                 COMMENT ON TABLE {quoted}.projection_checkpoints IS
                   'Position du journal jusqu''à laquelle chaque projection est écrite (commit:index).';"
            ),
        )
        .await?;
        let checkpoint_statement = client
            .prepare(&format!(
                "INSERT INTO {quoted}.projection_checkpoints (projection, version, commit_number, commit_index)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (projection) DO UPDATE SET version = EXCLUDED.version,
                   commit_number = EXCLUDED.commit_number, commit_index = EXCLUDED.commit_index, updated_at = now()"
            ))
            .await?;
        Ok(Self {
            client,
            schema: quoted,
            checkpoint_statement,
        })
    }

    /// The checkpoint of `projection`, if its stored version is `version`.
    pub async fn checkpoint(
        &self,
        projection: &str,
        version: u32,
    ) -> Result<Option<Position>, ProjectionError> {
        let row = self
            .client
            .query_opt(
                &format!("SELECT commit_number, commit_index, version FROM {}.projection_checkpoints WHERE projection = $1", self.schema),
                &[&projection],
            )
            .await?;
        Ok(row.and_then(|row| {
            let stored: i32 = row.get(2);
            (stored as u32 == version)
                .then(|| Position::new(row.get::<_, i64>(0) as u64, row.get::<_, i32>(1) as u32))
        }))
    }
}

/// Moves `projection`'s checkpoint within the batch's transaction, with the
/// connection's [`PgProjectionDb::checkpoint_statement`]. It may be awaited together
/// with the batch's row writes: they are pipelined, and the commit that follows makes
/// all of them durable or none.
pub async fn save_checkpoint(
    transaction: &Transaction<'_>,
    statement: &Statement,
    projection: &str,
    version: u32,
    up_to: Position,
) -> Result<(), ProjectionError> {
    transaction
        .execute(
            statement,
            &[
                &projection,
                &(version as i32),
                &(up_to.commit() as i64),
                &(up_to.index() as i32),
            ],
        )
        .await?;
    Ok(())
}

/// Runs schema statements (`CREATE … IF NOT EXISTS`) in one transaction under a
/// database-wide advisory lock: two processes (or two projections of one process)
/// starting at once would otherwise race on PostgreSQL's catalogue and one would fail
/// with a unique violation.
pub async fn migrate(
    client: &tokio_postgres::Client,
    statements: &str,
) -> Result<(), ProjectionError> {
    client
        .batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock(hashtext('concerto.schema')); {statements}; COMMIT;"
        ))
        .await?;
    Ok(())
}
