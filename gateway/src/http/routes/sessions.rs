//! Sessions (workshops) and doctrines.

use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use domain::values::{DoctrineId, SessionId};
use uuid::Uuid;

use super::finish;
use crate::app::doctrine::ReviseDoctrineInput;
use crate::app::sessions::{CloseSessionInput, ScheduleSessionInput};
use crate::error::AppResult;
use crate::http::extract::{Authed, Json, PathParam};
use crate::http::{created, done, Access, AppState, RouteBook};
use crate::queries;

async fn schedule(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    Json(input): Json<ScheduleSessionInput>,
) -> AppResult<Response> {
    let (id, applied) = state.app.schedule_session(&ctx, input).await?;
    Ok(finish(&state, applied, created(id, applied)).await)
}

async fn read(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<queries::SessionView>> {
    Ok(axum::Json(queries::session(
        &state.app,
        SessionId::from_uuid(id),
    )?))
}

async fn open(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<Response> {
    let applied = state
        .app
        .open_session(&ctx, SessionId::from_uuid(id))
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

async fn close(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<CloseSessionInput>,
) -> AppResult<Response> {
    let applied = state
        .app
        .close_session(&ctx, SessionId::from_uuid(id), input)
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

async fn doctrine(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<queries::DoctrineView>> {
    Ok(axum::Json(
        queries::doctrine(&state.app, DoctrineId::from_uuid(id)).await?,
    ))
}

async fn amendments(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<Vec<projections::model::queries::ArticleAmendments>>> {
    Ok(axum::Json(queries::amendments(
        &state.app,
        DoctrineId::from_uuid(id),
    )?))
}

async fn revise(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<ReviseDoctrineInput>,
) -> AppResult<Response> {
    let applied = state
        .app
        .revise_doctrine(&ctx, DoctrineId::from_uuid(id), input)
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    use Access::*;
    book.add(
        Method::POST,
        "/sessions",
        post(schedule),
        "séances",
        Staff,
        201,
        "Programmer une séance (en ligne ou en présentiel)",
    )
    .add(
        Method::GET,
        "/sessions/{id}",
        get(read),
        "séances",
        Public,
        200,
        "Lire une séance",
    )
    .add(
        Method::POST,
        "/sessions/{id}/open",
        post(open),
        "séances",
        Staff,
        200,
        "Ouvrir la séance",
    )
    .add(
        Method::POST,
        "/sessions/{id}/close",
        post(close),
        "séances",
        Staff,
        200,
        "Clore la séance avec son compte rendu",
    )
    .add(
        Method::GET,
        "/doctrines/{id}",
        get(doctrine),
        "doctrine",
        Public,
        200,
        "Lire une doctrine : articles, empreintes, versions",
    )
    .add(
        Method::GET,
        "/doctrines/{id}/amendments",
        get(amendments),
        "doctrine",
        Public,
        200,
        "Amendements publiés, par article, les plus soutenus d'abord",
    )
    .add(
        Method::POST,
        "/doctrines/{id}/revisions",
        post(revise),
        "doctrine",
        Staff,
        200,
        "Réviser la doctrine (commission)",
    )
}
