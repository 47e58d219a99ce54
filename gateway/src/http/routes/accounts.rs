//! Staff login, logout, the current account, and account creation by administrators.

use axum::extract::State;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use crate::accounts::{StaffAccount, StaffRole};
use crate::app::accounts::{LoginInput, NewAccountInput};
use crate::error::{AppError, AppResult};
use crate::http::extract::{csrf_subject, Authed, Json, MaybeAuthed, STAFF_COOKIE};
use crate::http::{Access, AppState, RouteBook};

/// An account as the API shows it (never the hash).
#[derive(Serialize)]
pub struct AccountView {
    id: domain::values::StaffId,
    login: String,
    display_name: String,
    role: StaffRole,
    collectivite: Option<String>,
}

impl From<&StaffAccount> for AccountView {
    fn from(a: &StaffAccount) -> Self {
        Self {
            id: a.id,
            login: a.login.clone(),
            display_name: a.display_name.clone(),
            role: a.role,
            collectivite: a.collectivite.as_ref().map(|s| s.as_str().to_owned()),
        }
    }
}

#[derive(Serialize)]
struct Session {
    account: AccountView,
    token: String,
    csrf_token: String,
}

pub(crate) use crate::http::extract::set_cookie as cookie;

async fn login(
    State(state): State<AppState>,
    Json(input): Json<LoginInput>,
) -> AppResult<Response> {
    let logged = state.app.login(input).await?;
    let mut response = axum::Json(Session {
        account: AccountView::from(&logged.account),
        token: logged.token.clone(),
        csrf_token: logged.csrf,
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(
            STAFF_COOKIE,
            &logged.token,
            crate::auth::tokens::SESSION_SECONDS,
            state.behind_tls,
        ),
    );
    Ok(response)
}

/// Ends the caller's session for good and clears the cookie. A credential that no
/// longer works (expired, revoked) just has its cookie cleared.
async fn logout(
    State(state): State<AppState>,
    caller: Result<MaybeAuthed, AppError>,
) -> AppResult<Response> {
    match caller {
        Ok(MaybeAuthed(Some(caller))) => state.app.logout(&caller).await?,
        Ok(MaybeAuthed(None)) | Err(AppError::Unauthenticated(_)) => {}
        Err(e) => return Err(e),
    }
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(STAFF_COOKIE, "", 0, state.behind_tls),
    );
    Ok(response)
}

#[derive(Serialize)]
struct Me {
    account: AccountView,
    csrf_token: String,
}

async fn me(State(state): State<AppState>, Authed(ctx): Authed) -> AppResult<axum::Json<Me>> {
    let account = ctx
        .caller
        .staff()
        .ok_or(AppError::Forbidden("auth.staff_only"))?;
    Ok(axum::Json(Me {
        account: AccountView::from(account),
        csrf_token: state.app.tokens().csrf(&csrf_subject(&ctx.caller)),
    }))
}

async fn create(
    State(state): State<AppState>,
    Authed(ctx): Authed,
    Json(input): Json<NewAccountInput>,
) -> AppResult<Response> {
    let account = state.app.create_account(&ctx, input).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(AccountView::from(&account)),
    )
        .into_response())
}

async fn list(
    State(state): State<AppState>,
    Authed(ctx): Authed,
) -> AppResult<axum::Json<Vec<AccountView>>> {
    match ctx.caller.staff() {
        Some(a) if a.role == StaffRole::Administrator => {}
        _ => return Err(AppError::Forbidden("auth.admin_only")),
    }
    Ok(axum::Json(
        state
            .app
            .accounts()
            .list()
            .await?
            .iter()
            .map(AccountView::from)
            .collect(),
    ))
}

pub(super) fn add(book: RouteBook) -> RouteBook {
    book.add(
        Method::POST,
        "/auth/login",
        post(login),
        "comptes",
        Access::Public,
        200,
        "Connexion de l'équipe (mot de passe) : cookie de session et jeton CSRF",
    )
    .add(
        Method::POST,
        "/auth/logout",
        post(logout),
        "comptes",
        Access::Public,
        204,
        "Déconnexion : la session est close pour de bon et le cookie effacé",
    )
    .add(
        Method::GET,
        "/auth/me",
        get(me),
        "comptes",
        Access::Staff,
        200,
        "Le compte connecté et son jeton CSRF",
    )
    .add(
        Method::POST,
        "/accounts",
        post(create),
        "comptes",
        Access::Staff,
        201,
        "Créer un compte d'équipe (administrateur)",
    )
    .add(
        Method::GET,
        "/accounts",
        get(list),
        "comptes",
        Access::Staff,
        200,
        "Lister les comptes d'équipe (administrateur)",
    )
}
