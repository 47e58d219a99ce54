//! The startup gate: while the memory model every query is answered from has not caught
//! up with the log as it stood at start, the server answers, but shows no data.
//!
//! `/health`, `/ready` and `/metrics` answer as always (an orchestrator sees a live
//! process that is not ready yet); every other request gets a 503 with `Retry-After`:
//! a problem+json (`server.starting`) under `/api/`, a small French page that reloads
//! itself elsewhere. Without the gate, a restarted server would show an empty or stale
//! site.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tokio::sync::watch;

use crate::error::AppError;

/// Seconds a client is told to wait before it tries again.
pub const RETRY_AFTER_SECS: u64 = 2;

/// Whether the server has caught up: `true` once its memory model includes the log's
/// head as it stood at start (at once on an empty log).
pub type CaughtUp = watch::Receiver<bool>;

/// A gate that is already open (a state built outside `Application`, a test).
pub fn open() -> CaughtUp {
    watch::channel(true).1
}

/// Waits until the gate opens; `false` if the catch-up ended without opening it (the
/// server stopped first).
pub async fn opened(mut caught_up: CaughtUp) -> bool {
    caught_up.wait_for(|done| *done).await.is_ok()
}

/// Paths that answer while the server catches up: what operators and orchestrators
/// poll to know when it is ready.
fn answers_while_starting(path: &str) -> bool {
    matches!(path, "/health" | "/ready" | "/metrics")
}

/// Middleware: refuses every other request with a 503 until the server caught up.
pub async fn gate(State(caught_up): State<CaughtUp>, request: Request, next: Next) -> Response {
    if *caught_up.borrow() || answers_while_starting(request.uri().path()) {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        // Rendered as a problem, `Retry-After` included, by `problem::render`.
        return AppError::Starting {
            retry_after: RETRY_AFTER_SECS,
        }
        .into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS))],
        Html(STARTING_PAGE),
    )
        .into_response()
}

/// The page a browser gets while the server starts: self-contained, reloads itself.
const STARTING_PAGE: &str = r#"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2">
<title>Concerto démarre</title>
</head>
<body>
<main>
<h1>Concerto démarre</h1>
<p>Le service charge les contributions enregistrées. Cette page se recharge d'elle-même dans quelques secondes.</p>
</main>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn app(caught_up: CaughtUp) -> Router {
        Router::new()
            .route("/health", get(|| async { "vivant" }))
            .route("/api/v1/concertations", get(|| async { "[]" }))
            .route("/", get(|| async { "accueil" }))
            .layer(from_fn_with_state(caught_up, gate))
    }

    async fn get_path(app: &Router, path: &str) -> (StatusCode, Option<String>, String) {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let retry = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, retry, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn only_the_operations_routes_answer_until_the_server_caught_up() {
        let (caught_up, watched) = watch::channel(false);
        let app = app(watched);
        assert_eq!(
            get_path(&app, "/health").await,
            (StatusCode::OK, None, "vivant".to_owned())
        );
        let (status, retry, _) = get_path(&app, "/api/v1/concertations").await;
        assert_eq!(
            (status, retry.as_deref()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("2"))
        );
        let (status, retry, page) = get_path(&app, "/").await;
        assert_eq!(
            (status, retry.as_deref()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("2"))
        );
        assert!(page.contains("Concerto démarre"), "{page}");
        caught_up.send_replace(true);
        assert_eq!(
            get_path(&app, "/api/v1/concertations").await,
            (StatusCode::OK, None, "[]".to_owned())
        );
        assert_eq!(get_path(&app, "/").await.0, StatusCode::OK);
    }
}
