//! The audit trail in PostgreSQL: table `audit_events`, written in bulk (one prepared
//! `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING`) with the checkpoint in the
//! same transaction.

use async_trait::async_trait;
use eventstore::Position;
use tokio_postgres::types::Type;

use super::{AuditQuery, AuditRow, AuditTrail};
use crate::bulk::{Cell, Column, Table, Upsert};
use crate::error::ProjectionError;
use crate::postgres::{save_checkpoint, PgProjectionDb};
use crate::runner::{Projection, Target, CATCH_UP_BATCH};

/// The audit trail's PostgreSQL target.
pub struct PostgresAudit {
    db: PgProjectionDb,
    insert: Upsert,
}

/// The table as the bulk writer sees it: append-only, a row per event.
fn table() -> Table {
    let col = Column::new;
    Table {
        name: "audit_events",
        columns: vec![
            col("commit_number", Type::INT8),
            col("commit_index", Type::INT4),
            col("event_id", Type::UUID),
            col("stream", Type::TEXT),
            col("revision", Type::INT8),
            col("event_type", Type::TEXT),
            col("actor", Type::TEXT),
            col("correlation_id", Type::UUID),
            col("causation_id", Type::UUID),
            col("recorded_at", Type::TIMESTAMPTZ),
        ],
        key: &[],
    }
}

fn cells(row: AuditRow) -> Vec<Cell> {
    vec![
        Box::new(row.position.commit() as i64),
        Box::new(row.position.index() as i32),
        Box::new(row.event_id),
        Box::new(row.stream),
        Box::new(row.revision as i64),
        Box::new(row.event_type),
        Box::new(row.actor),
        Box::new(row.correlation_id),
        Box::new(row.causation_id),
        Box::new(row.recorded_at),
    ]
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
        let insert = Upsert::prepare(&db.client, &db.schema, &table()).await?;
        Ok(Self { db, insert })
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
    fn batch_size(&self) -> usize {
        CATCH_UP_BATCH
    }

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
        let rows: Vec<Vec<Cell>> = change.into_iter().map(cells).collect();
        let PgProjectionDb {
            client,
            checkpoint_statement,
            ..
        } = &mut self.db;
        let transaction = client.transaction().await?;
        // ON CONFLICT DO NOTHING: an event id already recorded adds no second row. The
        // insert and the checkpoint are pipelined; the commit makes both durable or none.
        let insert = async {
            match self.insert.parameters(&rows) {
                Some(parameters) => self.insert.execute(&transaction, &parameters).await,
                None => Ok(0),
            }
        };
        let checkpoint = save_checkpoint(
            &transaction,
            checkpoint_statement,
            AuditTrail::NAME,
            AuditTrail::VERSION,
            up_to,
        );
        futures::future::try_join(insert, checkpoint).await?;
        transaction.commit().await?;
        Ok(())
    }
}
