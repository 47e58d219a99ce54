//! Participants: join (pseudonymous token and recovery code), recover on another
//! device, their own record, personal data, verification and erasure.

use axum::extract::State;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::values::ParticipantId;
use serde::Serialize;
use uuid::Uuid;

use super::finish;
use crate::app::participants::{JoinInput, PersonalInput, RecoverInput, VerifyInput};
use crate::auth::tokens::PARTICIPANT_SECONDS;
use crate::error::{AppError, AppResult};
use crate::http::extract::{Authed, Json, PathParam, PARTICIPANT_COOKIE};
use crate::http::routes::accounts::cookie;
use crate::http::{done, Access, AppState, RouteBook};
use crate::queries;

#[derive(Serialize)]
struct Joined {
    participant_id: ParticipantId,
    token: String,
    recovery_code: String,
    csrf_token: String,
}

async fn join(State(state): State<AppState>, Json(input): Json<JoinInput>) -> AppResult<Response> {
    let joined = state.app.join(input)?;
    let csrf_token = state.app.tokens().csrf(&joined.participant_id.to_string());
    let mut response = (
        axum::http::StatusCode::CREATED,
        axum::Json(Joined {
            participant_id: joined.participant_id,
            token: joined.token.clone(),
            recovery_code: joined.recovery_code,
            csrf_token,
        }),
    )
        .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(
            PARTICIPANT_COOKIE,
            &joined.token,
            PARTICIPANT_SECONDS,
            state.behind_tls,
        ),
    );
    Ok(response)
}

#[derive(Serialize)]
struct Recovered {
    token: String,
    csrf_token: String,
}

async fn recover(
    State(state): State<AppState>,
    Json(input): Json<RecoverInput>,
) -> AppResult<Response> {
    let subject = input.participant_id.to_string();
    let token = state.app.recover(input).await?;
    let mut response = axum::Json(Recovered {
        token: token.clone(),
        csrf_token: state.app.tokens().csrf(&subject),
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(
            PARTICIPANT_COOKIE,
            &token,
            PARTICIPANT_SECONDS,
            state.behind_tls,
        ),
    );
    Ok(response)
}

async fn me(
    State(state): State<AppState>,
    Authed(ctx): Authed,
) -> AppResult<axum::Json<queries::MeView>> {
    let claims = ctx
        .caller
        .participant()
        .ok_or(AppError::Forbidden("auth.participant_only"))?;
    Ok(axum::Json(
        queries::me(&state.app, claims.participant).await?,
    ))
}

async fn personal(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    Json(input): Json<PersonalInput>,
) -> AppResult<Response> {
    let applied = state.app.change_personal_data(&ctx, input).await?;
    Ok(finish(&state, applied, done(applied)).await)
}

#[derive(Serialize)]
struct NewCode {
    recovery_code: String,
    events: usize,
}

async fn rotate(State(state): State<AppState>, Authed(ctx): Authed) -> AppResult<Response> {
    let (code, applied) = state.app.rotate_recovery_code(&ctx).await?;
    let response = axum::Json(NewCode {
        recovery_code: code,
        events: applied.events,
    })
    .into_response();
    Ok(finish(&state, applied, response).await)
}

async fn verify(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<VerifyInput>,
) -> AppResult<Response> {
    let applied = state
        .app
        .verify_participant(&ctx, ParticipantId::from_uuid(id), input)
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

async fn erase(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<Response> {
    let applied = state
        .app
        .erase_participant(&ctx, ParticipantId::from_uuid(id))
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    book.add(
        Method::POST,
        "/participants",
        post(join),
        "participants",
        Access::Public,
        201,
        "Rejoindre : pseudonyme signé (cookie et jeton) et code de récupération",
    )
    .add(
        Method::POST,
        "/participants/recover",
        post(recover),
        "participants",
        Access::Public,
        200,
        "Retrouver son pseudonyme sur un autre appareil (code de récupération)",
    )
    .add(
        Method::GET,
        "/participants/me",
        get(me),
        "participants",
        Access::Participant,
        200,
        "Son propre pseudonyme",
    )
    .add(
        Method::POST,
        "/participants/me/personal-data",
        post(personal),
        "participants",
        Access::Participant,
        200,
        "Changer ses données personnelles (scellées)",
    )
    .add(
        Method::POST,
        "/participants/me/recovery-code",
        post(rotate),
        "participants",
        Access::Participant,
        200,
        "Obtenir un nouveau code de récupération",
    )
    .add(
        Method::POST,
        "/participants/{id}/verification",
        post(verify),
        "participants",
        Access::Staff,
        200,
        "Vérifier un participant (équipe)",
    )
    .add(
        Method::POST,
        "/participants/{id}/erasure",
        post(erase),
        "participants",
        Access::Any,
        200,
        "Effacer les données personnelles (le participant ou un administrateur)",
    )
}
