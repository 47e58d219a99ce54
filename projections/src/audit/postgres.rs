//! The audit trail in PostgreSQL: table `audit_events`, written in bulk (COPY into a
//! temporary table, then one INSERT … ON CONFLICT DO NOTHING) with the checkpoint in
//! the same transaction.

use async_trait::async_trait;
use eventstore::Position;
use futures::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;

use super::{AuditQuery, AuditRow, AuditTrail};
use crate::error::ProjectionError;
use crate::postgres::{save_checkpoint, PgProjectionDb};
use crate::runner::{Projection, Target};

/// The audit trail's PostgreSQL target.
pub struct PostgresAudit {
    db: PgProjectionDb,
}

impl PostgresAudit {
    /// Connects, creates the table if needed, and takes the writer lock (waiting for it).
    pub async fn connect(url: &str, schema: &str) -> Result<Self, ProjectionError> {
        let db = PgProjectionDb::connect(url, schema, AuditTrail::NAME).await?;
        Self::create_table(db).await
    }

    /// Connects for queries only: no writer lock, so it never waits for the runner.
    pub async fn connect_reader(url: &str, schema: &str) -> Result<Self, ProjectionError> {
        Self::create_table(PgProjectionDb::connect_reader(url, schema).await?).await
    }

    async fn create_table(db: PgProjectionDb) -> Result<Self, ProjectionError> {
        let s = &db.schema;
        crate::postgres::migrate(
            &db.client,
            &format!(
                "CREATE TABLE IF NOT EXISTS {s}.audit_events (
                   commit_number bigint NOT NULL,
                   commit_index integer NOT NULL,
                   event_id uuid NOT NULL UNIQUE,
                   stream text NOT NULL,
                   revision bigint NOT NULL,
                   event_type text NOT NULL,
                   actor text,
                   correlation_id uuid,
                   causation_id uuid,
                   recorded_at timestamptz NOT NULL,
                   PRIMARY KEY (commit_number, commit_index));
                 CREATE INDEX IF NOT EXISTS audit_events_actor ON {s}.audit_events (actor, recorded_at);
                 CREATE INDEX IF NOT EXISTS audit_events_stream ON {s}.audit_events (stream, revision);
                 CREATE INDEX IF NOT EXISTS audit_events_time ON {s}.audit_events (recorded_at);
                 COMMENT ON TABLE {s}.audit_events IS 'Journal d''audit : un enregistrement par événement, dans l''ordre du journal.';
                 COMMENT ON COLUMN {s}.audit_events.commit_number IS 'Position : numéro du commit (séquence JetStream ou enregistrement du fichier).';
                 COMMENT ON COLUMN {s}.audit_events.commit_index IS 'Position : rang de l''événement dans son commit.';
                 COMMENT ON COLUMN {s}.audit_events.actor IS 'Auteur de l''action (participant, compte du personnel ou système).';
                 COMMENT ON COLUMN {s}.audit_events.correlation_id IS 'Identifiant partagé par les événements d''une même requête.';
                 COMMENT ON COLUMN {s}.audit_events.causation_id IS 'Événement ou commande à l''origine de celui-ci.';"
            ),
        )
        .await?;
        Ok(Self { db })
    }

    /// Rows matching `query`, oldest first.
    pub async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRow>, ProjectionError> {
        let rows = self
            .db
            .client
            .query(
                &format!(
                    "SELECT commit_number, commit_index, event_id, stream, revision, event_type, actor, correlation_id, causation_id, recorded_at
                     FROM {}.audit_events
                     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR stream = $2)
                       AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
                     ORDER BY commit_number, commit_index LIMIT $5",
                    self.db.schema
                ),
                &[&query.actor, &query.stream, &query.since, &query.until, &i64::try_from(query.limit).unwrap_or(i64::MAX)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| AuditRow {
                position: Position::new(row.get::<_, i64>(0) as u64, row.get::<_, i32>(1) as u32),
                event_id: row.get(2),
                stream: row.get(3),
                revision: row.get::<_, i64>(4) as u64,
                event_type: row.get(5),
                actor: row.get(6),
                correlation_id: row.get(7),
                causation_id: row.get(8),
                recorded_at: row.get(9),
            })
            .collect())
    }
}

#[async_trait]
impl Target<AuditTrail> for PostgresAudit {
    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        self.db
            .checkpoint(AuditTrail::NAME, AuditTrail::VERSION)
            .await
    }

    async fn commit(
        &mut self,
        change: Vec<AuditRow>,
        up_to: Position,
    ) -> Result<(), ProjectionError> {
        let schema = self.db.schema.clone();
        let transaction = self.db.client.transaction().await?;
        transaction
            .batch_execute(&format!(
                "CREATE TEMPORARY TABLE IF NOT EXISTS audit_batch (LIKE {schema}.audit_events) ON COMMIT DELETE ROWS"
            ))
            .await?;
        let sink = transaction
            .copy_in("COPY audit_batch FROM STDIN BINARY")
            .await?;
        let types = [
            Type::INT8,
            Type::INT4,
            Type::UUID,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::UUID,
            Type::UUID,
            Type::TIMESTAMPTZ,
        ];
        let writer = BinaryCopyInWriter::new(sink, &types);
        pin_mut!(writer);
        for row in &change {
            let commit = row.position.commit() as i64;
            let index = row.position.index() as i32;
            let revision = row.revision as i64;
            writer
                .as_mut()
                .write(&[
                    &commit,
                    &index,
                    &row.event_id,
                    &row.stream,
                    &revision,
                    &row.event_type,
                    &row.actor,
                    &row.correlation_id,
                    &row.causation_id,
                    &row.recorded_at,
                ])
                .await?;
        }
        writer.finish().await?;
        // ON CONFLICT: a batch replayed after a crash between commit and ack adds nothing.
        transaction
            .execute(&format!("INSERT INTO {schema}.audit_events SELECT * FROM audit_batch ON CONFLICT DO NOTHING"), &[])
            .await?;
        save_checkpoint(
            &transaction,
            &schema,
            AuditTrail::NAME,
            AuditTrail::VERSION,
            up_to,
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}
