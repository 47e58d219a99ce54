//! [`Projections`]: the read models a server mounts — started beside it, restarted after
//! a failure, with the lag and read-your-writes waits that `/ready`, `/metrics` and the
//! author's next page need.

use std::future::Future;
use std::time::Duration;

use eventstore::{EventStore, Position};
use tokio::task::JoinHandle;

use crate::audit::memory::MemoryAudit;
use crate::audit::postgres::PostgresAudit;
use crate::audit::{AuditQuery, AuditRow, AuditTrail};
use crate::error::ProjectionError;
use crate::main_model::{MainModel, MemoryModel};
use crate::main_model_pg::PostgresModel;
use crate::opinion_groups::live::{self, Debounce, LiveGroups};
use crate::opinion_groups::Parameters;
use crate::progress::Progress;
use crate::runner::{run_projection, Projection, Target};

/// Where the read models are kept.
#[derive(Clone, Debug)]
pub enum ReadStore {
    /// In memory (the embedded default): rebuilt from the log at every start.
    Memory,
    /// In PostgreSQL, in this schema (production).
    Postgres {
        /// Connection URL.
        url: String,
        /// Schema holding the tables.
        schema: String,
    },
}

/// Where audit queries go.
enum AuditReader {
    Memory(MemoryAudit),
    // Boxed: a connection with its prepared statements is much larger than the
    // memory variant's handle.
    Postgres(Box<PostgresAudit>),
}

/// The running projections.
pub struct Projections {
    model: MemoryModel,
    groups: LiveGroups,
    audit: AuditReader,
    progress: Vec<Progress>,
    tasks: Vec<JoinHandle<()>>,
    store: EventStore,
}

/// How long a failed projection waits before it starts again.
const RESTART_DELAY: Duration = Duration::from_secs(1);
/// Opinion groups are recomputed once votes pause this long…
const GROUPS_QUIET: Duration = Duration::from_secs(2);
/// …or after this long while votes keep arriving.
const GROUPS_MAX_WAIT: Duration = Duration::from_secs(30);

/// Runs a projection for ever: on an error it is logged, and the projection starts
/// again from its stored checkpoint with a fresh target.
pub(crate) fn supervise<P, T, F, Fut>(
    store: EventStore,
    projection: P,
    progress: Progress,
    make_target: F,
) -> JoinHandle<()>
where
    P: Projection,
    T: Target<P> + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ProjectionError>> + Send,
{
    tokio::spawn(async move {
        loop {
            let outcome = async {
                let mut target = make_target().await?;
                run_projection(&store, &projection, &mut target, &progress).await
            }
            .await;
            if let Err(e) = outcome {
                tracing::error!(projection = P::NAME, error = %e, "projection arrêtée ; redémarrage");
            }
            tokio::time::sleep(RESTART_DELAY).await;
        }
    })
}

impl Projections {
    /// Starts every projection over `store` into `read_store`.
    pub async fn start(store: EventStore, read_store: ReadStore) -> Result<Self, ProjectionError> {
        let model = MemoryModel::new();
        let main_progress = Progress::new(MainModel::NAME, None);
        let audit_progress = Progress::new(AuditTrail::NAME, None);
        let (audit, tasks) = match &read_store {
            ReadStore::Memory => {
                let audit = MemoryAudit::new();
                let main = {
                    let model = model.clone();
                    supervise(store.clone(), MainModel, main_progress.clone(), move || {
                        // A restarted memory projection starts from zero again.
                        model.reset();
                        let model = model.clone();
                        async move { Ok::<_, ProjectionError>(model) }
                    })
                };
                let audit_task = {
                    let audit = audit.clone();
                    supervise(
                        store.clone(),
                        AuditTrail,
                        audit_progress.clone(),
                        move || {
                            let audit = audit.clone();
                            async move { Ok::<_, ProjectionError>(audit) }
                        },
                    )
                };
                (AuditReader::Memory(audit), vec![main, audit_task])
            }
            ReadStore::Postgres { url, schema } => {
                let reader = PostgresAudit::connect_reader(url, schema).await?;
                let main = {
                    let (url, schema, store_for_target, model) =
                        (url.clone(), schema.clone(), store.clone(), model.clone());
                    supervise(store.clone(), MainModel, main_progress.clone(), move || {
                        let (url, schema, store, model) = (
                            url.clone(),
                            schema.clone(),
                            store_for_target.clone(),
                            model.clone(),
                        );
                        async move { PostgresModel::connect(&url, &schema, store, model).await }
                    })
                };
                let audit_task = {
                    let (url, schema) = (url.clone(), schema.clone());
                    supervise(
                        store.clone(),
                        AuditTrail,
                        audit_progress.clone(),
                        move || {
                            let (url, schema) = (url.clone(), schema.clone());
                            async move { PostgresAudit::connect(&url, &schema).await }
                        },
                    )
                };
                (
                    AuditReader::Postgres(Box::new(reader)),
                    vec![main, audit_task],
                )
            }
        };
        let (groups, groups_task) = live::spawn(
            model.clone(),
            Parameters::default(),
            Debounce::new(GROUPS_QUIET, GROUPS_MAX_WAIT),
        );
        let mut tasks = tasks;
        tasks.push(groups_task);
        Ok(Self {
            model,
            groups,
            audit,
            progress: vec![main_progress, audit_progress],
            tasks,
            store,
        })
    }

    /// The main read model (concertations, contributions, votes, moderation…).
    pub fn model(&self) -> &MemoryModel {
        &self.model
    }

    /// The opinion groups of the statements questions, recomputed off the ingestion path.
    pub fn opinion_groups(&self) -> &LiveGroups {
        &self.groups
    }

    /// Audit rows matching `query`.
    pub async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRow>, ProjectionError> {
        match &self.audit {
            AuditReader::Memory(audit) => Ok(audit.query(query)),
            AuditReader::Postgres(audit) => audit.query(query).await,
        }
    }

    /// Waits until every projection includes `position`, at most `bound` in all
    /// (read-your-writes for the author's next page).
    pub async fn wait_for(
        &self,
        position: Position,
        bound: Duration,
    ) -> Result<(), ProjectionError> {
        let deadline = tokio::time::Instant::now() + bound;
        for progress in &self.progress {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            progress.wait_for(position, left).await?;
        }
        Ok(())
    }

    /// Each projection's name and lag in commits behind the newest event.
    pub async fn lag(&self) -> Result<Vec<(&'static str, u64)>, ProjectionError> {
        let head = self.store.head().await?;
        Ok(self
            .progress
            .iter()
            .map(|p| (p.name(), p.lag_commits(head)))
            .collect())
    }

    /// Each projection's progress, for metrics.
    pub fn progress(&self) -> &[Progress] {
        &self.progress
    }

    /// Stops every projection (what they committed stays committed).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for Projections {
    fn drop(&mut self) {
        self.stop();
    }
}
