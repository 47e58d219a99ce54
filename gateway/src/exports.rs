//! Synthesis exports run from the commission's dashboard: a background job per export,
//! its progress, and the bundle's ZIP when ready (see `projections::export`).
//!
//! A job replays the log to its newest position (the same computation as `concerto
//! export synthesis`, so `concerto verify export` checks a downloaded bundle too),
//! writes the bundle under `data_dir/exports/<job>/` and zips it. The registry of jobs
//! lives in memory: a restart forgets the jobs (their files stay on disk).
//! Only the commission or an administrator of the organising collectivité may export.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use domain::Actor;
use projections::audit_log::service::AuditLog;
use projections::export::{self, ExportOptions, ExportProgress, ExportRequest};
use serde::Serialize;
use uuid::Uuid;

use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// Where a job stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JobStatus {
    /// Running: what it is doing now.
    Running {
        /// Events replayed so far.
        events: u64,
        /// The file being written, once replay is over.
        writing: Option<String>,
    },
    /// The bundle is ready.
    Ready {
        /// The position it was computed at.
        position: String,
        /// Files in the bundle.
        files: usize,
        /// The archive's size in bytes.
        bytes: u64,
        /// The audit root at that position.
        root_hash: String,
    },
    /// It failed; nothing is offered.
    Failed {
        /// Why, in French.
        error: String,
    },
}

/// One export job as the API and the dashboard show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobView {
    /// Its id.
    pub id: Uuid,
    /// The concertation's slug.
    pub slug: String,
    /// Where it stands.
    #[serde(flatten)]
    pub status: JobStatus,
}

struct Job {
    slug: String,
    collectivite: String,
    status: JobStatus,
}

/// The export jobs of a server.
#[derive(Clone)]
pub struct ExportJobs {
    dir: PathBuf,
    jobs: Arc<Mutex<BTreeMap<Uuid, Job>>>,
}

impl ExportJobs {
    /// Jobs writing under `dir` (`data_dir/exports`).
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            jobs: Arc::default(),
        }
    }

    /// Starts exporting the concertation `slug` in the background (or returns the job
    /// already running for it); 404 for an unknown concertation, 403 unless `caller` is
    /// the commission or an administrator of its collectivité.
    pub fn start(
        &self,
        app: &App,
        caller: &Caller,
        slug: &str,
        audit_log: Option<Arc<AuditLog>>,
    ) -> AppResult<JobView> {
        let concertation = crate::queries::concertation_by_slug(app, slug)?;
        authorise(caller, &concertation.collectivite)?;
        // A second click while one runs follows the running job instead of starting
        // another replay.
        if let Some((id, job)) = self.lock().iter().find(|(_, j)| {
            j.slug == concertation.slug && matches!(j.status, JobStatus::Running { .. })
        }) {
            return Ok(JobView {
                id: *id,
                slug: job.slug.clone(),
                status: job.status.clone(),
            });
        }
        let id = Uuid::now_v7();
        let status = JobStatus::Running {
            events: 0,
            writing: None,
        };
        self.lock().insert(
            id,
            Job {
                slug: concertation.slug.clone(),
                collectivite: concertation.collectivite.clone(),
                status: status.clone(),
            },
        );
        let jobs = self.clone();
        let store = app.store().clone();
        let slug = concertation.slug.clone();
        tokio::spawn(async move {
            let status = jobs.run(id, &store, &slug, audit_log).await;
            jobs.set(id, status);
        });
        Ok(JobView {
            id,
            slug: concertation.slug,
            status,
        })
    }

    /// A job; 404 when unknown, 403 for a caller who may not export its concertation.
    pub fn get(&self, caller: &Caller, id: Uuid) -> AppResult<JobView> {
        let jobs = self.lock();
        let job = jobs
            .get(&id)
            .ok_or(AppError::NotFound("export.not_found"))?;
        authorise(caller, &job.collectivite)?;
        Ok(JobView {
            id,
            slug: job.slug.clone(),
            status: job.status.clone(),
        })
    }

    /// The ZIP of a ready job and its download name; 404 unless ready.
    pub fn archive(&self, caller: &Caller, id: Uuid) -> AppResult<(PathBuf, String)> {
        let view = self.get(caller, id)?;
        match view.status {
            JobStatus::Ready { position, .. } => Ok((
                self.dir.join(id.to_string()).join(ARCHIVE),
                format!("synthese-{}-{}.zip", view.slug, position.replace(':', "-")),
            )),
            _ => Err(AppError::NotFound("export.not_ready")),
        }
    }

    async fn run(
        &self,
        id: Uuid,
        store: &eventstore::EventStore,
        slug: &str,
        audit_log: Option<Arc<AuditLog>>,
    ) -> JobStatus {
        let root = self.dir.join(id.to_string());
        let bundle = root.join("bundle");
        let request = ExportRequest {
            slug: slug.to_owned(),
            at: None,
            dir: bundle.clone(),
            options: ExportOptions::default(),
        };
        let replayed = {
            let jobs = self.clone();
            export::replay(store, None, &mut |events| {
                jobs.set(
                    id,
                    JobStatus::Running {
                        events,
                        writing: None,
                    },
                )
            })
            .await
        };
        let snapshot = match replayed {
            Ok(snapshot) => snapshot,
            Err(e) => {
                return JobStatus::Failed {
                    error: e.to_string(),
                }
            }
        };
        // Writing is CPU and disk work: off the request threads.
        let jobs = self.clone();
        let written = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&root)?;
            let events = snapshot.tree_size;
            let signer = audit_log.as_deref().map(AuditLog::signer);
            let manifest = export::write_bundle(&snapshot, &request, signer, &mut |p| {
                if let ExportProgress::Writing(file) = p {
                    jobs.set(
                        id,
                        JobStatus::Running {
                            events,
                            writing: Some(file),
                        },
                    );
                }
            })?;
            let archive = root.join(ARCHIVE);
            let prefix = format!("synthese-{}", request.slug);
            export::archive::zip_bundle(&bundle, &archive, &prefix)?;
            let bytes = std::fs::metadata(&archive)?.len();
            Ok::<_, export::ExportError>((manifest, bytes))
        })
        .await;
        match written {
            Ok(Ok((manifest, bytes))) => JobStatus::Ready {
                position: manifest.position,
                files: manifest.files.len() + 1,
                bytes,
                root_hash: manifest.audit.root_hash,
            },
            Ok(Err(e)) => JobStatus::Failed {
                error: e.to_string(),
            },
            Err(e) => JobStatus::Failed {
                error: format!("export interrompu : {e}"),
            },
        }
    }

    fn set(&self, id: Uuid, status: JobStatus) {
        if let Some(job) = self.lock().get_mut(&id) {
            job.status = status;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Uuid, Job>> {
        // A panic while holding the lock leaves plain data behind: keep serving it.
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The archive's file name in a job's folder.
const ARCHIVE: &str = "synthese.zip";

/// The commission or an administrator of `collectivite`, or the platform itself.
fn authorise(caller: &Caller, collectivite: &str) -> AppResult<()> {
    match caller.actor() {
        Actor::Commission {
            collectivite: c, ..
        }
        | Actor::Administrator {
            collectivite: c, ..
        } if c.as_str() == collectivite => Ok(()),
        Actor::System => Ok(()),
        _ => Err(AppError::Forbidden("export.commission_only")),
    }
}
