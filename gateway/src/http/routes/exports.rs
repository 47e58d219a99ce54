//! The commission's synthesis exports: start one (a background job), follow it, and
//! download the bundle's ZIP once ready.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::values::ConcertationId;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::exports::JobView;
use crate::http::extract::{Authed, PathParam};
use crate::http::{Access, AppState, RouteBook};

async fn start(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<Response> {
    let concertation = crate::queries::concertation(&state.app, ConcertationId::from_uuid(id))?;
    let job = state.exports.start(
        &state.app,
        &ctx.caller,
        &concertation.slug,
        state.audit_log.clone(),
    )?;
    Ok((StatusCode::ACCEPTED, axum::Json(job)).into_response())
}

async fn status(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<JobView>> {
    Ok(axum::Json(state.exports.get(&ctx.caller, id)?))
}

async fn archive(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<Response> {
    let (path, name) = state.exports.archive(&ctx.caller, id)?;
    archive_response(&path, &name).await
}

/// The ZIP at `path`, streamed, offered for download as `name`.
pub async fn archive_response(path: &std::path::Path, name: &str) -> AppResult<Response> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| AppError::Internal(format!("archive {} : {e}", path.display())))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    book.add(
        Method::POST,
        "/concertations/{id}/exports",
        post(start),
        "exports",
        Access::Staff,
        202,
        "Lance l'export de la synthèse (commission) : données ouvertes, rapport, doctrine révisée, manifeste",
    )
    .add(
        Method::GET,
        "/exports/{id}",
        get(status),
        "exports",
        Access::Staff,
        200,
        "Avancement d'un export de synthèse",
    )
    .add(
        Method::GET,
        "/exports/{id}/archive",
        get(archive),
        "exports",
        Access::Staff,
        200,
        "Archive ZIP d'un export prêt",
    )
}
