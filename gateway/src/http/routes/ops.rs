//! Operations: `/health` (the process lives), `/ready` (event store reachable and
//! projections caught up within the bound), `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::http::AppState;

async fn health() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    let head = match state.app.store().head().await {
        Ok(head) => head,
        Err(e) => {
            tracing::warn!(error = %e, "journal injoignable");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"status": "unavailable", "event_store": "unreachable"})),
            )
                .into_response();
        }
    };
    let lags: serde_json::Map<String, serde_json::Value> = state
        .app
        .progress()
        .iter()
        .map(|p| (p.name().to_owned(), json!(p.lag_commits(head))))
        .collect();
    let behind = state
        .app
        .progress()
        .iter()
        .any(|p| p.lag_commits(head) > state.ready_max_lag);
    let status = if behind {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        status,
        axum::Json(json!({
            "status": if behind { "behind" } else { "ready" },
            "event_store": "ok",
            "projection_lag_commits": lags,
        })),
    )
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let head = state.app.store().head().await.ok().flatten();
    let mut gauges = vec![(
        "concerto_event_store_head_commit".to_owned(),
        String::new(),
        head.map(|h| h.commit() as f64).unwrap_or(0.0),
    )];
    for p in state.app.progress() {
        gauges.push((
            "concerto_projection_lag_commits".to_owned(),
            format!("{{projection=\"{}\"}}", p.name()),
            p.lag_commits(head) as f64,
        ));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&gauges),
    )
        .into_response()
}

/// The operations routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}
