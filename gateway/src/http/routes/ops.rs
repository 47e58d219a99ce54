//! Operations: `/health` (the process lives), `/ready` (event store reachable, the
//! startup catch-up done, projections caught up within the bound), `/metrics`
//! (Prometheus text). These three answer during the startup catch-up too.

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
    let unavailable = |what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "{what} injoignable");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"status": "unavailable", what: "unreachable"})),
        )
            .into_response()
    };
    if let Err(e) = state.app.store().head().await {
        return unavailable("event_store", &e);
    }
    let lags = match state.app.read_models() {
        Ok(projections) => match projections.lag().await {
            Ok(lags) => lags,
            Err(e) => return unavailable("read_store", &e),
        },
        Err(e) => return unavailable("read_store", &e),
    };
    // Until the memory model caught up with the log as it stood at start, the server
    // answers nothing but these routes (`http::starting`): not ready, whatever the lag.
    let starting = !*state.caught_up.borrow();
    let behind = starting || lags.iter().any(|(_, lag)| *lag > state.ready_max_lag);
    let lags: serde_json::Map<String, serde_json::Value> = lags
        .into_iter()
        .map(|(name, lag)| (name.to_owned(), json!(lag)))
        .collect();
    let status = if behind {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        status,
        axum::Json(json!({
            "status": if starting { "starting" } else if behind { "behind" } else { "ready" },
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
    let lags = match state.app.read_models() {
        Ok(projections) => projections.lag().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    for (name, lag) in lags {
        gauges.push((
            "concerto_projection_lag_commits".to_owned(),
            format!("{{projection=\"{name}\"}}"),
            lag as f64,
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
