//! The verifiable audit log's API: the public key, signed tree heads, inclusion and
//! consistency proofs, leaves in a range, and a participant's receipts. Everything but
//! "my receipts" is public: anyone may audit the log.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use projections::audit_log::heads::{SignedPromise, SignedTreeHead};
use projections::audit_log::service::{
    AuditLog, ConsistencyAnswer, InclusionAnswer, LeafAnswer, Receipt, MAX_LEAVES,
};
use projections::audit_log::AuditLogError;
use projections::merkle::MerkleError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::Applied;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::http::extract::{Authed, PathParam, QueryParams};
use crate::http::{Access, AppState, Created, Done, RouteBook};

/// The audit log of the state, or 503 when the server runs without one.
fn audit_log(state: &AppState) -> AppResult<&AuditLog> {
    state
        .audit_log
        .as_deref()
        .ok_or_else(|| AppError::Unavailable("journal d'audit non démarré".into()))
}

/// The one mapping of audit log errors to API errors.
fn api_error(error: AuditLogError) -> AppError {
    match error {
        AuditLogError::UnknownEvent(_) => AppError::NotFound("audit.event_not_found"),
        AuditLogError::UnknownHead(_) => AppError::NotFound("audit.head_not_found"),
        AuditLogError::Merkle(MerkleError::OutOfRange(detail)) => AppError::BadRequest {
            code: "audit.out_of_range",
            detail: Some(detail),
        },
        other => AppError::Internal(other.to_string()),
    }
}

/// The log's public key.
#[derive(Serialize)]
struct KeyView {
    algorithm: &'static str,
    public_key: String,
    key_id: String,
}

async fn key(State(state): State<AppState>) -> AppResult<axum::Json<KeyView>> {
    let log = audit_log(&state)?;
    Ok(axum::Json(KeyView {
        algorithm: "Ed25519",
        public_key: log.public_key(),
        key_id: log.key_id(),
    }))
}

async fn latest_head(State(state): State<AppState>) -> AppResult<axum::Json<SignedTreeHead>> {
    audit_log(&state)?
        .latest_head()
        .map(axum::Json)
        .ok_or(AppError::NotFound("audit.head_not_found"))
}

async fn heads(State(state): State<AppState>) -> AppResult<axum::Json<Vec<SignedTreeHead>>> {
    Ok(axum::Json(audit_log(&state)?.heads()))
}

async fn head(
    State(state): State<AppState>,
    PathParam(size): PathParam<u64>,
) -> AppResult<axum::Json<SignedTreeHead>> {
    audit_log(&state)?
        .head(size)
        .map(axum::Json)
        .map_err(api_error)
}

/// Which leaf, against which tree size (the latest head's when absent).
#[derive(Deserialize)]
struct InclusionQuery {
    event_id: Option<Uuid>,
    leaf_index: Option<u64>,
    tree_size: Option<u64>,
}

fn latest_size(log: &AuditLog) -> AppResult<u64> {
    log.latest_head()
        .map(|h| h.tree_size)
        .ok_or(AppError::NotFound("audit.head_not_found"))
}

async fn inclusion(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<InclusionQuery>,
) -> AppResult<axum::Json<InclusionAnswer>> {
    let log = audit_log(&state)?;
    let index = match (query.event_id, query.leaf_index) {
        (Some(id), None) => log.leaf_index(id).map_err(api_error)?,
        (None, Some(index)) => index,
        _ => {
            return Err(AppError::BadRequest {
                code: "audit.leaf_choice",
                detail: None,
            })
        }
    };
    let size = match query.tree_size {
        Some(size) => size,
        None => latest_size(log)?,
    };
    log.inclusion(index, size)
        .map(axum::Json)
        .map_err(api_error)
}

/// Two tree sizes.
#[derive(Deserialize)]
struct ConsistencyQuery {
    first: u64,
    second: u64,
}

async fn consistency(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ConsistencyQuery>,
) -> AppResult<axum::Json<ConsistencyAnswer>> {
    audit_log(&state)?
        .consistency(query.first, query.second)
        .map(axum::Json)
        .map_err(api_error)
}

/// A range of leaves, `start..end`.
#[derive(Deserialize)]
struct LeavesQuery {
    start: u64,
    end: u64,
}

async fn leaves(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<LeavesQuery>,
) -> AppResult<axum::Json<Vec<LeafAnswer>>> {
    if query.end < query.start || query.end - query.start > MAX_LEAVES {
        return Err(AppError::BadRequest {
            code: "audit.leaves_range",
            detail: None,
        });
    }
    audit_log(&state)?
        .leaves(query.start, query.end)
        .map(axum::Json)
        .map_err(api_error)
}

async fn receipt(
    State(state): State<AppState>,
    PathParam(event_id): PathParam<Uuid>,
) -> AppResult<axum::Json<Receipt>> {
    audit_log(&state)?
        .receipt(event_id)
        .map(axum::Json)
        .map_err(api_error)
}

/// The receipts of every event a participant caused (contributions, votes, supports…),
/// oldest first: what the participant's page offers to download.
pub async fn participant_receipts(
    state: &AppState,
    participant: domain::values::ParticipantId,
) -> AppResult<Vec<Receipt>> {
    let log = audit_log(state)?;
    let rows = state
        .app
        .read_models()?
        .audit(&projections::audit::AuditQuery {
            actor: Some(format!("participant:{participant}")),
            limit: usize::MAX,
            ..Default::default()
        })
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let mut receipts = Vec::with_capacity(rows.len());
    for row in rows {
        match log.receipt(row.event_id) {
            Ok(receipt) => receipts.push(receipt),
            // Not yet in the tree: it will be once the projection catches up.
            Err(AuditLogError::UnknownEvent(_)) => {}
            Err(e) => return Err(api_error(e)),
        }
    }
    Ok(receipts)
}

async fn my_receipts(
    State(state): State<AppState>,
    Authed(ctx): Authed,
) -> AppResult<axum::Json<Vec<Receipt>>> {
    let Caller::Participant(claims) = &ctx.caller else {
        return Err(AppError::Forbidden("auth.participant_only"));
    };
    Ok(axum::Json(
        participant_receipts(&state, claims.participant).await?,
    ))
}

/// How long a submission waits for the audit log to append its event before answering
/// without a promise (the receipt route gives it later).
const PROMISE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The promises of inclusion of the events a command appended (its last commit).
async fn promises_for(state: &AppState, applied: Applied) -> Vec<SignedPromise> {
    match (state.audit_log.as_deref(), applied.position) {
        (Some(log), Some(position)) => log.promises_at(position, PROMISE_WAIT).await,
        _ => Vec::new(),
    }
}

/// A command's usual answer (`Created` or `Done`) with a `promises` field added.
#[derive(Serialize)]
struct WithPromises<T: Serialize> {
    #[serde(flatten)]
    answer: T,
    promises: Vec<SignedPromise>,
}

/// `201 Created` for a contribution, with the signed promises of inclusion of its
/// events (empty if the audit log did not append them within `PROMISE_WAIT`).
pub(super) async fn created_with_promise<T: Serialize>(
    state: &AppState,
    id: T,
    applied: Applied,
) -> Response {
    let promises = promises_for(state, applied).await;
    let answer = Created {
        id,
        events: applied.events,
    };
    (
        StatusCode::CREATED,
        axum::Json(WithPromises { answer, promises }),
    )
        .into_response()
}

/// `200 OK` for a vote, with the signed promises of inclusion of its events (none when
/// the vote changed nothing).
pub(super) async fn done_with_promise(state: &AppState, applied: Applied) -> Response {
    let promises = promises_for(state, applied).await;
    let answer = Done {
        events: applied.events,
    };
    axum::Json(WithPromises { answer, promises }).into_response()
}

/// A command's usual answer with the signed tree head that covers it.
#[derive(Serialize)]
struct WithHead<T: Serialize> {
    #[serde(flatten)]
    answer: T,
    tree_head: Option<SignedTreeHead>,
}

/// `200 OK` for a published synthesis, with a tree head signed at once over the log
/// that includes the publication (on a backend with a durability delay, over the
/// events durable by then). `tree_head` is `null` only when the audit log is off or
/// did not append the publication within `PROMISE_WAIT`.
pub(super) async fn done_with_head(state: &AppState, applied: Applied) -> Response {
    let mut tree_head = None;
    if let (Some(log), Some(position)) = (state.audit_log.as_deref(), applied.position) {
        if log
            .progress()
            .wait_for(position, PROMISE_WAIT)
            .await
            .is_ok()
        {
            match log.sign_head_now() {
                Ok(head) => tree_head = head,
                Err(e) => tracing::error!(error = %e, "tête d'arbre de la synthèse non signée"),
            }
        }
    }
    let answer = Done {
        events: applied.events,
    };
    axum::Json(WithHead { answer, tree_head }).into_response()
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    use Access::*;
    let t = "audit";
    book.add(
        Method::GET,
        "/audit/key",
        get(key),
        t,
        Public,
        200,
        "Clé publique Ed25519 du journal d'audit",
    )
    .add(
        Method::GET,
        "/audit/heads",
        get(heads),
        t,
        Public,
        200,
        "Toutes les têtes d'arbre signées, de la plus ancienne à la plus récente",
    )
    .add(
        Method::GET,
        "/audit/heads/latest",
        get(latest_head),
        t,
        Public,
        200,
        "Dernière tête d'arbre signée",
    )
    .add(
        Method::GET,
        "/audit/heads/{size}",
        get(head),
        t,
        Public,
        200,
        "Tête d'arbre signée pour une taille donnée",
    )
    .add(
        Method::GET,
        "/audit/proofs/inclusion",
        get(inclusion),
        t,
        Public,
        200,
        "Preuve d'inclusion d'un événement (event_id ou leaf_index) pour une taille d'arbre",
    )
    .add(
        Method::GET,
        "/audit/proofs/consistency",
        get(consistency),
        t,
        Public,
        200,
        "Preuve de cohérence entre deux tailles d'arbre (first, second)",
    )
    .add(
        Method::GET,
        "/audit/leaves",
        get(leaves),
        t,
        Public,
        200,
        "Feuilles start..end (au plus 1 000) : position, événement, empreinte",
    )
    .add(
        Method::GET,
        "/audit/receipts/{event_id}",
        get(receipt),
        t,
        Public,
        200,
        "Reçu d'un événement : promesse signée, tête et preuve d'inclusion",
    )
    .add(
        Method::GET,
        "/audit/my-receipts",
        get(my_receipts),
        t,
        Participant,
        200,
        "Reçus de toutes les contributions et votes du participant",
    )
}
