//! Building and running the server: storage from the settings (on the embedded
//! default the file log, key store and accounts, idempotency records in memory; in
//! production JetStream, and PostgreSQL for keys, accounts, idempotency records and
//! read models), the projections beside the server, the demo seed, the catch-up of
//! the memory model before the first answer, the scheduled closing of concertations,
//! and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use eventstore::file::FileBackend;
use eventstore::keystore::file::FileKeyStore;
use eventstore::{Backend, EventStore, KeyStore};
use projections::{Projections, ReadStore};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::accounts::{Accounts, FileAccountStore, PostgresAccountStore};
use crate::app::App;
use crate::auth::Tokens;
use crate::demo::SeededAccount;
use crate::http::idempotency::{IdempotencyStore, PostgresIdempotencyStore, Retention};
use crate::http::{router_with_pages, AppState};
use crate::settings::Settings;

/// How long the server waits at start for its memory model to include the log's head
/// (past it the server answers anyway, and says so in its log).
const STARTUP_CATCH_UP_BOUND: Duration = Duration::from_secs(15 * 60);

/// A built server, bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    app: App,
    state: AppState,
    background: Vec<JoinHandle<()>>,
    seeded: Vec<SeededAccount>,
    grace: Duration,
}

/// Reads the token signing key, or creates it (32 random bytes) under `data_dir`.
fn token_key(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.token_secret {
        anyhow::ensure!(
            secret.expose().len() >= 32,
            "token_secret : au moins 32 caractères"
        );
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = settings.data_dir.join("token-secret");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => Ok(bytes),
        Ok(_) => anyhow::bail!("clé de signature {} trop courte", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use rand::RngCore;
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private(&path, &key)?;
            Ok(key.to_vec())
        }
        Err(e) => Err(e).with_context(|| format!("lecture de {}", path.display())),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("création de {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Opens the event store the settings name.
pub async fn open_store(settings: &Settings) -> anyhow::Result<EventStore> {
    open_store_as(settings, LogUse::Write).await
}

/// Opens the event store the settings name to replay `$all` and nothing else (an
/// export, its verification): on the embedded default, the file log without its
/// per-event and per-stream index ([`eventstore::file::ReplayLog`]); on JetStream, the
/// same backend as [`open_store`].
pub async fn open_store_for_replay(settings: &Settings) -> anyhow::Result<EventStore> {
    open_store_as(settings, LogUse::Replay).await
}

/// What a command does with the embedded file log.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LogUse {
    Write,
    Replay,
}

async fn open_store_as(settings: &Settings, log_use: LogUse) -> anyhow::Result<EventStore> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("création de {}", settings.data_dir.display()))?;
    let backend: Arc<dyn Backend> = match &settings.nats {
        Some(nats) => {
            let config = eventstore::nats::NatsConfig {
                url: nats.url.expose().to_owned(),
                stream: nats.stream.clone(),
                replicas: nats.replicas,
                ..Default::default()
            };
            Arc::new(
                eventstore::nats::NatsBackend::connect(config)
                    .await
                    .with_context(|| {
                        format!("connexion à NATS JetStream (flux {})", nats.stream)
                    })?,
            )
        }
        None => {
            let path = settings.data_dir.join("events.log");
            let opening = || format!("ouverture du journal {}", path.display());
            match log_use {
                LogUse::Write => Arc::new(FileBackend::open(&path).with_context(opening)?),
                LogUse::Replay => {
                    Arc::new(eventstore::file::ReplayLog::open(&path).with_context(opening)?)
                }
            }
        }
    };
    let keys: Arc<dyn KeyStore> = match &settings.database {
        Some(db) => Arc::new(
            eventstore::keystore::postgres::PostgresKeyStore::connect(db.url.expose(), &db.schema)
                .await
                .context("connexion au magasin de clés PostgreSQL")?,
        ),
        None => Arc::new(
            FileKeyStore::open(settings.data_dir.join("keys"))
                .context("ouverture du magasin de clés")?,
        ),
    };
    Ok(EventStore::new(backend, keys))
}

/// Removes what `settings` name on the services: the JetStream stream with every event
/// in it, and the PostgreSQL schema with the key store and the read models. For tests
/// and benchmarks that made their own; never run by the server. The server using them
/// must have stopped.
pub async fn remove_storage(settings: &Settings) -> anyhow::Result<()> {
    if let Some(nats) = &settings.nats {
        let backend = eventstore::nats::NatsBackend::connect(eventstore::nats::NatsConfig {
            url: nats.url.expose().to_owned(),
            stream: nats.stream.clone(),
            ..Default::default()
        })
        .await
        .with_context(|| format!("connexion à NATS JetStream (flux {})", nats.stream))?;
        backend
            .delete_stream()
            .await
            .with_context(|| format!("suppression du flux {}", nats.stream))?;
    }
    if let Some(db) = &settings.database {
        let quoted = projections::postgres::quoted_schema(&db.schema)?;
        let (client, connection) = tokio_postgres::connect(db.url.expose(), tokio_postgres::NoTls)
            .await
            .context("connexion à PostgreSQL")?;
        let connection = tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {quoted} CASCADE"))
            .await
            .with_context(|| format!("suppression du schéma {}", db.schema))?;
        drop(client);
        let _ = connection.await;
    }
    Ok(())
}

/// Opens the staff account store: PostgreSQL when the settings name a database (its
/// tables migrated at connect), else `accounts.json` under the data directory.
pub async fn open_accounts(settings: &Settings) -> anyhow::Result<Accounts> {
    if let Some(db) = &settings.database {
        let store = PostgresAccountStore::connect(db.url.expose(), &db.schema)
            .await
            .map_err(|e| anyhow::anyhow!("comptes PostgreSQL (schéma {}) : {e}", db.schema))?;
        return Ok(Arc::new(store));
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    Ok(Arc::new(FileAccountStore::open(
        settings.data_dir.join("accounts.json"),
    )?))
}

/// Opens the PostgreSQL idempotency store when the settings name a database; `None`
/// leaves the state's bounded memory store.
async fn open_idempotency(
    settings: &Settings,
) -> anyhow::Result<Option<Arc<dyn IdempotencyStore>>> {
    let Some(db) = &settings.database else {
        return Ok(None);
    };
    let store =
        PostgresIdempotencyStore::connect(db.url.expose(), &db.schema, Retention::default())
            .await
            .map_err(|e| anyhow::anyhow!("idempotence PostgreSQL (schéma {}) : {e}", db.schema))?;
    Ok(Some(Arc::new(store)))
}

impl Application {
    /// Opens storage, starts the projections and binds the listener (port 0 picks a
    /// free port: tests use it). Serves the API only; see [`Application::build_with_pages`].
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_pages(settings, None).await
    }

    /// [`Application::build`], also serving the pages `pages` builds from the state
    /// (the web crate's router: `web::pages`).
    pub async fn build_with_pages(
        settings: Settings,
        pages: Option<fn(AppState) -> Router<AppState>>,
    ) -> anyhow::Result<Self> {
        tracing::info!(?settings, "démarrage");
        let store = open_store(&settings).await?;
        let accounts = open_accounts(&settings).await?;
        let tokens = Tokens::new(&token_key(&settings)?);
        let mut background = Vec::new();

        // Every read model runs beside the server: in memory on the embedded default
        // (refolded from the log at each start), in PostgreSQL when it is configured.
        let read_store = match &settings.database {
            Some(db) => ReadStore::Postgres {
                url: db.url.expose().to_owned(),
                schema: db.schema.clone(),
            },
            None => ReadStore::Memory,
        };
        let projections = Arc::new(
            Projections::start(store.clone(), read_store)
                .await
                .context("démarrage des projections")?,
        );
        let app = App::new(store, accounts, tokens, Some(projections));
        let seeded = if settings.demo {
            crate::demo::seed(&app)
                .await
                .map_err(|e| anyhow::anyhow!("semis de la démonstration : {e}"))?
        } else {
            Vec::new()
        };
        // No one is answered from a read model that has not caught up with the log as
        // it stood at start (`http::starting`): a restarted server would show an empty
        // or stale site. The server listens meanwhile, so `/health` and `/ready` answer.
        let head = app
            .store()
            .head()
            .await
            .context("lecture de la tête du journal")?;
        let (catching_up, caught_up) = tokio::sync::watch::channel(head.is_none());
        if let Some(head) = head {
            let app = app.clone();
            background.push(tokio::spawn(async move {
                let started = std::time::Instant::now();
                tracing::info!(%head, "rattrapage des modèles de lecture");
                if app.catch_up_to(head, STARTUP_CATCH_UP_BOUND).await {
                    tracing::info!(
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "modèles de lecture à jour"
                    );
                } else {
                    tracing::warn!(%head, "modèle de lecture toujours en retard après le délai de démarrage : le serveur répond quand même");
                }
                catching_up.send_replace(true);
            }));
        }
        let audit_log = Arc::new(
            projections::audit_log::service::AuditLog::start(
                app.store().clone(),
                settings.audit_log_config(),
            )
            .context("démarrage du journal d'audit")?,
        );
        let mut state = AppState::new(app.clone(), &settings)
            .with_audit_log(audit_log)
            .with_startup(caught_up.clone());
        if let Some(idempotency) = open_idempotency(&settings).await? {
            state = state.with_idempotency(idempotency);
        }
        {
            // Opening and closing at the scheduled times is the system's duty.
            let app = app.clone();
            let every = Duration::from_secs(settings.schedule_interval_secs.max(1));
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    if let Err(e) = app.run_schedule(time::OffsetDateTime::now_utc()).await {
                        tracing::warn!(error = %e, "ouverture ou clôture programmée");
                    }
                }
            }));
            let limits = state.rate_limits.clone();
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    limits.shrink();
                }
            }));
            let idempotency = state.idempotency.clone();
            background.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    if let Err(e) = idempotency.purge_expired().await {
                        tracing::warn!(error = %e, "purge des clés d'idempotence expirées");
                    }
                }
            }));
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("écoute sur {}", settings.listen))?;
        Ok(Self {
            listener,
            router: router_with_pages(state.clone(), pages.map(|pages| pages(state.clone()))),
            app,
            state,
            background,
            seeded,
            grace: Duration::from_secs(settings.http.shutdown_grace_secs),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener")
    }

    /// The application services (tests inspect the store through them).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The HTTP state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Resolves once the memory model includes the log's head as it stood at start
    /// (the catch-up runs from the build on): from then on every route answers, before
    /// only `/health`, `/ready` and `/metrics` do.
    pub async fn caught_up(&self) {
        crate::http::starting::opened(self.caught_up_signal()).await;
    }

    /// The startup gate's signal, to wait on while [`Application::run_until`] serves.
    pub fn caught_up_signal(&self) -> crate::http::starting::CaughtUp {
        self.state.caught_up.clone()
    }

    /// Accounts the demo seed created in this run, with their one-time passwords.
    pub fn seeded_accounts(&self) -> &[SeededAccount] {
        &self.seeded
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests
    /// finish (at most the grace period), stops the background tasks and returns; the
    /// event store flushes when its last handle drops.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown({
            let streams = self.state.shutdown.clone();
            async move {
                shutdown.await;
                tracing::info!("arrêt demandé : fin des requêtes en cours");
                streams.send_replace(true);
                let _ = stop_tx.send(true);
            }
        });
        let grace = self.grace;
        let mut stopped = stop_rx.clone();
        let forced = async move {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = server => result.context("serveur HTTP")?,
            _ = forced => tracing::warn!("délai d'arrêt dépassé : requêtes restantes abandonnées"),
        }
        for task in &self.background {
            task.abort();
        }
        for task in self.background {
            let _ = task.await;
        }
        // Projections stop with the server even while a test still holds the services
        // (what they committed stays committed).
        if let Ok(projections) = self.app.read_models() {
            projections.stop();
        }
        drop(self.app);
        drop(self.state);
        tracing::info!("arrêté");
        Ok(())
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
