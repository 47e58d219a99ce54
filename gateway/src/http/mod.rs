//! The HTTP JSON API under `/api/v1`, plus `/health`, `/ready` and `/metrics`.
//!
//! [`router`] builds the whole application from an [`AppState`], apart from serving,
//! so tests drive it with `oneshot` or on port 0. Every route is added through
//! [`RouteBook`], which also writes the OpenAPI document: a route cannot exist
//! undocumented.

pub mod extract;
pub mod forwarded;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
pub mod starting;

pub use routes::audit::participant_receipts;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{Extension, Router};
use serde::Serialize;

use crate::app::{App, Applied};
use crate::error::AppError;
use crate::settings::Settings;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The application services.
    pub app: App,
    /// Request counters.
    pub metrics: Arc<metrics::Metrics>,
    /// Rate limiters.
    pub rate_limits: Arc<rate_limit::RateLimits>,
    /// Remembered idempotency keys.
    pub idempotency: Arc<dyn idempotency::IdempotencyStore>,
    /// Whether cookies get `Secure`.
    pub behind_tls: bool,
    /// Body limit, in bytes.
    pub body_limit: usize,
    /// Request timeout.
    pub timeout: Duration,
    /// `/ready`'s tolerated projection lag, in commits.
    pub ready_max_lag: u64,
    /// What the public pages say about the deployment.
    pub site: Arc<crate::site::SiteSettings>,
    /// Becomes `true` when the server starts shutting down, so long-lived responses
    /// (the pages' event streams) end instead of holding the shutdown back.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// The verifiable audit log, when the server runs one.
    pub audit_log: Option<Arc<projections::audit_log::service::AuditLog>>,
    /// The synthesis exports run from the dashboard.
    pub exports: crate::exports::ExportJobs,
    /// Whether the memory model has caught up with the log since start ([`starting`]).
    pub caught_up: starting::CaughtUp,
}

impl AppState {
    /// State for `app` under `settings`.
    pub fn new(app: App, settings: &Settings) -> Self {
        Self {
            app,
            metrics: Arc::default(),
            rate_limits: rate_limit::RateLimits::new(&settings.rate_limit),
            idempotency: Arc::new(idempotency::MemoryIdempotencyStore::new(
                idempotency::Retention::default(),
                settings.http.idempotency_records,
            )),
            behind_tls: settings.behind_tls,
            body_limit: settings.http.body_limit,
            timeout: settings.http.request_timeout(),
            ready_max_lag: settings.ready_max_lag,
            site: Arc::new(settings.site.clone()),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            audit_log: None,
            exports: crate::exports::ExportJobs::new(settings.data_dir.join("exports")),
            caught_up: starting::open(),
        }
    }

    /// The same state behind the startup gate `caught_up` ([`starting`]).
    pub fn with_startup(mut self, caught_up: starting::CaughtUp) -> Self {
        self.caught_up = caught_up;
        self
    }

    /// The same state keeping idempotency records in `store` (PostgreSQL in
    /// production) instead of memory.
    pub fn with_idempotency(mut self, store: Arc<dyn idempotency::IdempotencyStore>) -> Self {
        self.idempotency = store;
        self
    }

    /// The same state serving `audit_log`'s routes.
    pub fn with_audit_log(
        mut self,
        audit_log: Arc<projections::audit_log::service::AuditLog>,
    ) -> Self {
        self.audit_log = Some(audit_log);
        self
    }
}

/// The client's idempotency key, for the command context.
#[derive(Clone, Debug)]
pub struct IdempotencyKey(pub String);

/// Marks a response that must not be replayed for an idempotency key.
#[derive(Clone, Copy, Debug)]
pub struct NoReplay;

/// Who may call a route, for the OpenAPI document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A participant token.
    Participant,
    /// A staff session.
    Staff,
    /// A participant or staff.
    Any,
}

/// One documented route.
#[derive(Clone, Debug)]
pub struct RouteDoc {
    /// HTTP method.
    pub method: Method,
    /// Path template under the API root (`/contributions/{id}`).
    pub path: &'static str,
    /// One line, in French.
    pub summary: &'static str,
    /// Group.
    pub tag: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Success status.
    pub status: u16,
}

/// Adds routes and records them for the OpenAPI document.
pub struct RouteBook {
    router: Router<AppState>,
    docs: Vec<RouteDoc>,
}

impl RouteBook {
    fn new() -> Self {
        Self {
            router: Router::new(),
            docs: Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        mut self,
        method: Method,
        path: &'static str,
        handler: MethodRouter<AppState>,
        tag: &'static str,
        access: Access,
        status: u16,
        summary: &'static str,
    ) -> Self {
        self.router = self.router.route(path, handler);
        self.docs.push(RouteDoc {
            method,
            path,
            summary,
            tag,
            access,
            status,
        });
        self
    }
}

/// The API's routes and their documentation.
pub fn api() -> (Router<AppState>, Vec<RouteDoc>) {
    let book = routes::add_all(RouteBook::new());
    (book.router, book.docs)
}

/// The whole application without pages: the API and the operations routes.
pub fn router(state: AppState) -> Router {
    router_with_pages(state, None)
}

/// The whole application: the API under `/api/v1`, the operations routes, and `pages`
/// (the web crate's server-rendered pages, which depend on this crate and so are
/// handed in), all behind the same limits, rate limits, request ids and metrics.
/// Unknown paths get the pages' fallback (an HTML page) when there are pages, a
/// problem+json 404 otherwise; unknown API paths always get the problem.
pub fn router_with_pages(state: AppState, pages: Option<Router<AppState>>) -> Router {
    let (api, docs) = api();
    let document = Arc::new(openapi::document(&docs));
    let api = api
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json((*document).clone()) }
            }),
        )
        .fallback(|| async { AppError::NotFound("route.not_found") })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed });
    let ops = routes::ops::router();
    let limit = state.body_limit;
    let timeout = state.timeout;
    let routes = Router::new().nest("/api/v1", api).merge(ops);
    let routes = match pages {
        Some(pages) => routes.merge(pages),
        None => routes.fallback(|| async { AppError::NotFound("route.not_found") }),
    };
    routes
        .route_layer(from_fn_with_state(state.clone(), metrics::middleware))
        .layer(from_fn_with_state(state.clone(), idempotency::middleware))
        .layer(from_fn_with_state(state.clone(), rate_limit::middleware))
        .layer(DefaultBodyLimit::max(limit))
        .layer(Extension(extract::BodyLimit(limit)))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(from_fn_with_state(state.caught_up.clone(), starting::gate))
        .layer(from_fn(problem::render))
        .layer(from_fn(request_id::assign))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            AppError::Internal("panique dans un gestionnaire".into()).into_response()
        }))
        .with_state(state)
}

/// The answer to a command that created something.
#[derive(Clone, Debug, Serialize)]
pub struct Created<T: Serialize> {
    /// The new thing's id.
    pub id: T,
    /// Events appended.
    pub events: usize,
}

/// The answer to any other command.
#[derive(Clone, Debug, Serialize)]
pub struct Done {
    /// Events appended (0 when the command changed nothing, e.g. the same vote again).
    pub events: usize,
}

/// `201 Created` with the id.
pub fn created<T: Serialize>(id: T, applied: Applied) -> Response {
    (
        StatusCode::CREATED,
        axum::Json(Created {
            id,
            events: applied.events,
        }),
    )
        .into_response()
}

/// `200 OK` with the number of events appended.
pub fn done(applied: Applied) -> Response {
    axum::Json(Done {
        events: applied.events,
    })
    .into_response()
}
