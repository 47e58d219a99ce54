//! Opinion groups of a statements question: the commission's dashboard data, as JSON.

use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use domain::values::QuestionId;
use uuid::Uuid;

use crate::error::AppResult;
use crate::http::extract::PathParam;
use crate::http::{Access, AppState, RouteBook};
use crate::opinion_groups::{self, OpinionGroupsView};

async fn read(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
) -> AppResult<axum::Json<OpinionGroupsView>> {
    Ok(axum::Json(opinion_groups::opinion_groups(
        &state.app,
        QuestionId::from_uuid(id),
    )?))
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    book.add(
        Method::GET,
        "/questions/{id}/opinion-groups",
        get(read),
        "concertations",
        Access::Public,
        200,
        "Groupes d'opinion d'une question à propositions (positions, groupes, propositions représentatives, consensus, clivages)",
    )
}
