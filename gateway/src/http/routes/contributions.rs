//! Contributions: submit, read, revise, withdraw, report, moderate, appeal, answer,
//! vote, support, and erase a body.

use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{delete, get, post};
use domain::values::ContributionId;
use uuid::Uuid;

use super::concertations::viewer;
use super::{finish, finish_with};
use crate::app::contributions::{
    AnswerInput, AppealInput, DecideAppealInput, EraseBodyInput, ModerateInput, ReportInput,
    ReviseInput, SubmitInput,
};
use crate::app::votes::{SupportInput, VoteInput};
use crate::error::AppResult;
use crate::http::extract::{Authed, Json, MaybeAuthed, PathParam};
use crate::http::{done, Access, AppState, RouteBook};
use crate::queries;

fn id(id: Uuid) -> ContributionId {
    ContributionId::from_uuid(id)
}

async fn submit(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    Json(input): Json<SubmitInput>,
) -> AppResult<Response> {
    let (id, applied) = state.app.submit(&ctx, input).await?;
    let response = super::audit::created_with_promise(&state, id, applied);
    Ok(finish_with(&state, applied, response).await)
}

async fn read(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    PathParam(cid): PathParam<Uuid>,
) -> AppResult<axum::Json<queries::ContributionView>> {
    Ok(axum::Json(queries::contribution(
        &state.app,
        id(cid),
        viewer(&caller),
    )?))
}

macro_rules! command {
    ($name:ident, $input:ty, $call:ident) => {
        async fn $name(
            State(state): State<AppState>,
            Authed(ctx): Authed,
            PathParam(cid): PathParam<Uuid>,
            Json(input): Json<$input>,
        ) -> AppResult<Response> {
            let applied = state.app.$call(&ctx, id(cid), input).await?;
            Ok(finish(&state, applied, done(applied)).await)
        }
    };
    ($name:ident, $call:ident) => {
        async fn $name(
            State(state): State<AppState>,
            Authed(ctx): Authed,
            PathParam(cid): PathParam<Uuid>,
        ) -> AppResult<Response> {
            let applied = state.app.$call(&ctx, id(cid)).await?;
            Ok(finish(&state, applied, done(applied)).await)
        }
    };
}

command!(revise, ReviseInput, revise);
command!(withdraw, withdraw);
command!(report, ReportInput, report);
command!(moderate, ModerateInput, moderate);
command!(appeal, AppealInput, appeal);
command!(decide_appeal, DecideAppealInput, decide_appeal);
command!(answer, AnswerInput, answer);

async fn vote(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(cid): PathParam<Uuid>,
    Json(input): Json<VoteInput>,
) -> AppResult<Response> {
    let applied = state.app.vote(&ctx, id(cid), input).await?;
    let response = super::audit::done_with_promise(&state, applied);
    Ok(finish_with(&state, applied, response).await)
}
command!(support, SupportInput, support);
command!(withdraw_support, withdraw_support);

command!(erase, EraseBodyInput, erase_contribution_body);

pub(super) fn add(book: RouteBook) -> RouteBook {
    use Access::*;
    let t = "contributions";
    book.add(Method::POST, "/contributions", post(submit), t, Any, 201, "Contribuer (avis, proposition, proposition courte, amendement, commentaire), ou enregistrer en séance")
        .add(Method::GET, "/contributions/{id}", get(read), t, Public, 200, "Lire une contribution (statut, soutiens, réponse)")
        .add(Method::POST, "/contributions/{id}/revisions", post(revise), t, Participant, 200, "Modifier sa contribution")
        .add(Method::POST, "/contributions/{id}/withdrawal", post(withdraw), t, Participant, 200, "Retirer sa contribution")
        .add(Method::POST, "/contributions/{id}/reports", post(report), t, Participant, 200, "Signaler une contribution")
        .add(Method::POST, "/contributions/{id}/moderation", post(moderate), t, Staff, 200, "Décision de modération (animateur affecté)")
        .add(Method::POST, "/contributions/{id}/appeal", post(appeal), t, Participant, 200, "Faire appel d'une décision de modération")
        .add(Method::POST, "/contributions/{id}/appeal/decision", post(decide_appeal), t, Staff, 200, "Trancher l'appel")
        .add(Method::POST, "/contributions/{id}/answer", post(answer), t, Staff, 200, "Réponse de la commission")
        .add(Method::POST, "/contributions/{id}/votes", post(vote), t, Participant, 200, "Voter sur une proposition courte (d'accord, pas d'accord, passer)")
        .add(Method::POST, "/contributions/{id}/supports", post(support), t, Participant, 200, "Soutenir ou contester une proposition ou un amendement")
        .add(Method::DELETE, "/contributions/{id}/supports", delete(withdraw_support), t, Participant, 200, "Retirer son soutien")
        .add(Method::POST, "/contributions/{id}/erasure", post(erase), t, Staff, 200, "Effacer le texte d'une contribution (administrateur : charte ou décision de justice)")
}
