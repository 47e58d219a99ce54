//! `concerto rebuild`: projects the log from position 0 into staging tables, then swaps
//! them in, in one transaction, so readers never see a half-built model.
//!
//! The rebuild takes each projection's writer lock first: while a server projects into
//! the schema, it refuses with a clear message instead of waiting for ever. Only the
//! projection's own tables move; whatever else lives in the schema (the key store's
//! table, other projections) is left alone.

use std::time::Duration;

use eventstore::{EventStore, Position};

use crate::audit::postgres::PostgresAudit;
use crate::audit::AuditTrail;
use crate::error::ProjectionError;
use crate::main_model::{MainModel, MemoryModel};
use crate::main_model_pg::{PostgresModel, TABLE_NAMES};
use crate::postgres::{quoted_schema, PgProjectionDb};
use crate::progress::Progress;
use crate::runner::{run_projection, Projection, Target};

/// The projections `concerto rebuild` knows, by name.
pub const REBUILDABLE: &[&str] = &[MainModel::NAME, AuditTrail::NAME];

/// What a rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    /// The projection rebuilt.
    pub projection: &'static str,
    /// The position it was rebuilt up to.
    pub up_to: Option<Position>,
}

/// Rebuilds the named projections (all when `names` is empty) in `schema`.
pub async fn rebuild(
    store: &EventStore,
    url: &str,
    schema: &str,
    names: &[String],
) -> Result<Vec<Rebuilt>, ProjectionError> {
    for name in names {
        if !REBUILDABLE.contains(&name.as_str()) {
            return Err(ProjectionError::Config(format!(
                "projection inconnue « {name} » ; projections : {}",
                REBUILDABLE.join(", ")
            )));
        }
    }
    let wanted = |name: &str| names.is_empty() || names.iter().any(|n| n == name);
    let mut done = Vec::new();
    if wanted(MainModel::NAME) {
        let up_to = rebuild_one(store, url, schema, MainModel::NAME, TABLE_NAMES, |staging| {
            let store = store.clone();
            async move { PostgresModel::connect(url, &staging, store, MemoryModel::new()).await }
        }, MainModel)
        .await?;
        done.push(Rebuilt {
            projection: MainModel::NAME,
            up_to,
        });
    }
    if wanted(AuditTrail::NAME) {
        let up_to = rebuild_one(
            store,
            url,
            schema,
            AuditTrail::NAME,
            &["audit_events"],
            |staging| async move { PostgresAudit::connect(url, &staging).await },
            AuditTrail,
        )
        .await?;
        done.push(Rebuilt {
            projection: AuditTrail::NAME,
            up_to,
        });
    }
    Ok(done)
}

async fn rebuild_one<P, T, F, Fut>(
    store: &EventStore,
    url: &str,
    schema: &str,
    name: &str,
    tables: &[&str],
    target_in: F,
    projection: P,
) -> Result<Option<Position>, ProjectionError>
where
    P: Projection,
    T: Target<P> + 'static,
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, ProjectionError>>,
{
    let live = quoted_schema(schema)?;
    let db = PgProjectionDb::connect_reader(url, schema).await?;
    let lock_key = format!("{schema}.{name}");
    let locked: bool = db
        .client
        .query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&lock_key])
        .await?
        .get(0);
    if !locked {
        return Err(ProjectionError::Config(format!(
            "la projection « {name} » est en cours d'écriture par un autre processus (serveur `concerto serve` ?) : arrêtez-le avant de reconstruire"
        )));
    }
    let staging_name = format!("{schema}_rebuild_{name}");
    let staging = quoted_schema(&staging_name)?;
    db.client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {staging} CASCADE"))
        .await?;

    // Project from zero into the staging schema, up to the head as it is now.
    let head = store.head().await?;
    let mut target = target_in(staging_name.clone()).await?;
    if let Some(head) = head {
        let progress = Progress::new(P::NAME, None);
        let runner = run_projection(store, &projection, &mut target, &progress);
        tokio::select! {
            outcome = runner => outcome?,
            reached = progress.wait_for(head, Duration::from_secs(24 * 3600)) => reached?,
        }
    }
    drop(target);

    // Swap: the old tables go, the new ones move in, the checkpoint follows; one
    // transaction, so a reader sees either the old model or the new one.
    let mut statements = vec!["BEGIN".to_owned()];
    for table in tables {
        statements.push(format!("DROP TABLE IF EXISTS {live}.{table} CASCADE"));
        statements.push(format!("ALTER TABLE {staging}.{table} SET SCHEMA {live}"));
    }
    statements.push(format!(
        "DELETE FROM {live}.projection_checkpoints WHERE projection = '{name}'"
    ));
    statements.push(format!(
        "INSERT INTO {live}.projection_checkpoints SELECT * FROM {staging}.projection_checkpoints WHERE projection = '{name}'"
    ));
    statements.push(format!("DROP SCHEMA {staging} CASCADE"));
    statements.push("COMMIT".to_owned());
    db.client.batch_execute(&statements.join(";\n")).await?;
    Ok(head)
}
