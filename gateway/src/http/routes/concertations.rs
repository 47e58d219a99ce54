//! Concertations: list, read, create and configure, phases, facilitators, and the
//! queries of a concertation's pages (contributions, moderation queue, sessions,
//! tallies).

use axum::extract::State;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{delete, get, post};
use domain::values::{ConcertationId, QuestionId, StaffId};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::finish;
use crate::app::concertations::{
    CreateInput, DetailsInput, ExtendInput, FacilitatorInput, ModerationInput, QuestionInput,
    ReasonInput, ScheduleInput, SynthesisInput, ThemeInput,
};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::extract::{Authed, Json, MaybeAuthed, PathParam, QueryParams};
use crate::http::{created, done, Access, AppState, RouteBook};
use crate::queries::{self, ContributionFilter, Viewer};
use projections::model::rows::Tally;

fn cid(id: Uuid) -> ConcertationId {
    ConcertationId::from_uuid(id)
}

pub(crate) fn viewer(caller: &Option<Caller>) -> Viewer {
    match caller {
        Some(Caller::Staff { .. }) | Some(Caller::System) => Viewer::Staff,
        Some(Caller::Participant(c)) => Viewer::Participant(c.participant),
        None => Viewer::Public,
    }
}

async fn list(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
) -> AppResult<axum::Json<Vec<queries::ConcertationView>>> {
    let staff = matches!(caller, Some(Caller::Staff { .. }));
    Ok(axum::Json(queries::concertations(&state.app, staff)?))
}

async fn read(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<queries::ConcertationView>> {
    let view = queries::concertation(&state.app, cid(id))?;
    // Drafts are for staff only: to others they do not exist yet.
    if view.phase == domain::concertation::Phase::Draft
        && !matches!(caller, Some(Caller::Staff { .. }))
    {
        return Err(AppError::Rejected(domain::Rejection::ConcertationNotFound));
    }
    Ok(axum::Json(view))
}

async fn create(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    Json(input): Json<CreateInput>,
) -> AppResult<Response> {
    let (id, applied) = state.app.create_concertation(&ctx, input).await?;
    Ok(finish(&state, applied, created(id, applied)).await)
}

macro_rules! command {
    ($name:ident, $input:ty, $call:ident) => {
        async fn $name(
            State(state): State<AppState>,
            Authed(ctx): Authed,
            PathParam(id): PathParam<Uuid>,
            Json(input): Json<$input>,
        ) -> AppResult<Response> {
            let applied = state.app.$call(&ctx, cid(id), input).await?;
            Ok(finish(&state, applied, done(applied)).await)
        }
    };
    ($name:ident, $call:ident) => {
        async fn $name(
            State(state): State<AppState>,
            Authed(ctx): Authed,
            PathParam(id): PathParam<Uuid>,
        ) -> AppResult<Response> {
            let applied = state.app.$call(&ctx, cid(id)).await?;
            Ok(finish(&state, applied, done(applied)).await)
        }
    };
}

command!(details, DetailsInput, edit_details);
command!(moderation_mode, ModerationInput, change_moderation);
command!(schedule, ScheduleInput, reschedule);
command!(open, open_concertation);
command!(close, ReasonInput, close_early);
command!(extend, ExtendInput, extend);

/// Publishing the synthesis answers with the signed tree head that covers it.
async fn synthesis(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<SynthesisInput>,
) -> AppResult<Response> {
    let applied = state.app.publish_synthesis(&ctx, cid(id), input).await?;
    let response = super::audit::done_with_head(&state, applied).await;
    Ok(finish(&state, applied, response).await)
}
command!(archive, archive);

async fn theme(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<ThemeInput>,
) -> AppResult<Response> {
    let (theme, applied) = state.app.add_theme(&ctx, cid(id), input).await?;
    Ok(finish(&state, applied, created(theme, applied)).await)
}

async fn question(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<QuestionInput>,
) -> AppResult<Response> {
    let (question, applied) = state.app.add_question(&ctx, cid(id), input).await?;
    Ok(finish(&state, applied, created(question, applied)).await)
}

async fn assign(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
    Json(input): Json<FacilitatorInput>,
) -> AppResult<Response> {
    let applied = state
        .app
        .assign_facilitator(&ctx, cid(id), StaffId::from_uuid(input.staff_id))
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

async fn unassign(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam((id, staff)): PathParam<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let applied = state
        .app
        .unassign_facilitator(&ctx, cid(id), StaffId::from_uuid(staff))
        .await?;
    Ok(finish(&state, applied, done(applied)).await)
}

async fn contributions(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    PathParam(id): PathParam<Uuid>,
    QueryParams(filter): QueryParams<ContributionFilter>,
) -> AppResult<axum::Json<queries::Page<queries::ContributionView>>> {
    Ok(axum::Json(queries::contributions(
        &state.app,
        cid(id),
        &filter,
        viewer(&caller),
    )?))
}

async fn moderation_queue(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<Vec<queries::QueueItem>>> {
    // Authorisation reads the folded stream: an assignment takes effect at once.
    let concertation = state.app.concertation_snapshot(cid(id)).await?;
    concertation.require_facilitator_or_commission(&ctx.caller.actor(), "action.moderate")?;
    Ok(axum::Json(queries::moderation_queue(&state.app, cid(id))?))
}

async fn moderation_log(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<Vec<queries::ModerationLogItem>>> {
    Ok(axum::Json(queries::moderation_log(
        &state.app,
        cid(id),
        viewer(&caller),
    )?))
}

async fn participation(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<projections::model::queries::Participation>> {
    Ok(axum::Json(queries::participation(&state.app, cid(id))?))
}

async fn synthesis_figures(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<queries::SynthesisView>> {
    Ok(axum::Json(queries::synthesis(&state.app, cid(id))?))
}

async fn sessions(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<Vec<queries::SessionView>>> {
    Ok(axum::Json(queries::sessions(&state.app, cid(id))?))
}

async fn tallies(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<BTreeMap<domain::values::ContributionId, Tally>>> {
    Ok(axum::Json(queries::tallies(
        &state.app,
        QuestionId::from_uuid(id),
    )?))
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    use Access::*;
    let t = "concertations";
    book.add(
        Method::GET,
        "/concertations",
        get(list),
        t,
        Public,
        200,
        "Lister les concertations (brouillons compris pour l'équipe)",
    )
    .add(
        Method::POST,
        "/concertations",
        post(create),
        t,
        Staff,
        201,
        "Créer une concertation (brouillon) et réserver son adresse",
    )
    .add(
        Method::GET,
        "/concertations/{id}",
        get(read),
        t,
        Public,
        200,
        "Lire une concertation : phase, calendrier, thèmes, questions",
    )
    .add(
        Method::POST,
        "/concertations/{id}/details",
        post(details),
        t,
        Staff,
        200,
        "Modifier titre, description et territoires (brouillon)",
    )
    .add(
        Method::POST,
        "/concertations/{id}/themes",
        post(theme),
        t,
        Staff,
        201,
        "Ajouter un thème",
    )
    .add(
        Method::POST,
        "/concertations/{id}/questions",
        post(question),
        t,
        Staff,
        201,
        "Ajouter une question (brouillon)",
    )
    .add(
        Method::POST,
        "/concertations/{id}/moderation-mode",
        post(moderation_mode),
        t,
        Staff,
        200,
        "Changer le mode de modération",
    )
    .add(
        Method::POST,
        "/concertations/{id}/schedule",
        post(schedule),
        t,
        Staff,
        200,
        "Changer le calendrier (brouillon)",
    )
    .add(
        Method::POST,
        "/concertations/{id}/facilitators",
        post(assign),
        t,
        Staff,
        200,
        "Affecter un animateur",
    )
    .add(
        Method::DELETE,
        "/concertations/{id}/facilitators/{staff_id}",
        delete(unassign),
        t,
        Staff,
        200,
        "Retirer un animateur",
    )
    .add(
        Method::POST,
        "/concertations/{id}/open",
        post(open),
        t,
        Staff,
        200,
        "Ouvrir la concertation",
    )
    .add(
        Method::POST,
        "/concertations/{id}/close",
        post(close),
        t,
        Staff,
        200,
        "Clore avant l'heure, avec un motif",
    )
    .add(
        Method::POST,
        "/concertations/{id}/extend",
        post(extend),
        t,
        Staff,
        200,
        "Prolonger, avec un motif",
    )
    .add(
        Method::POST,
        "/concertations/{id}/synthesis",
        post(synthesis),
        t,
        Staff,
        200,
        "Publier la synthèse (commission)",
    )
    .add(
        Method::POST,
        "/concertations/{id}/archive",
        post(archive),
        t,
        Staff,
        200,
        "Archiver",
    )
    .add(
        Method::GET,
        "/concertations/{id}/contributions",
        get(contributions),
        t,
        Public,
        200,
        "Contributions, filtrées (question, thème, type, statut, type de participant) et paginées",
    )
    .add(
        Method::GET,
        "/concertations/{id}/moderation-queue",
        get(moderation_queue),
        t,
        Staff,
        200,
        "File de modération : en attente, signalées, en appel",
    )
    .add(
        Method::GET,
        "/concertations/{id}/moderation-log",
        get(moderation_log),
        t,
        Public,
        200,
        "Journal des décisions de modération (l'animateur n'est montré qu'à l'équipe)",
    )
    .add(
        Method::GET,
        "/concertations/{id}/participation",
        get(participation),
        t,
        Public,
        200,
        "Participation : par type de participant, par territoire (taux pour 1 000 habitants), par jour",
    )
    .add(
        Method::GET,
        "/concertations/{id}/synthesis",
        get(synthesis_figures),
        t,
        Public,
        200,
        "Synthèse : par thème, les plus soutenues, les propositions courtes les plus clivantes",
    )
    .add(
        Method::GET,
        "/concertations/{id}/sessions",
        get(sessions),
        t,
        Public,
        200,
        "Séances de la concertation",
    )
    .add(
        Method::GET,
        "/questions/{id}/tallies",
        get(tallies),
        t,
        Public,
        200,
        "Décomptes d'accord / désaccord / passe par proposition courte",
    )
}
