//! Staff sign-in (a password, a session cookie), sign-out, and the staff home: every
//! concertation with the way to its moderation queue, log, sessions and synthesis.

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::Response;
use gateway::app::accounts::LoginInput;
use gateway::auth::tokens::SESSION_SECONDS;
use gateway::http::extract::{set_cookie, STAFF_COOKIE};
use gateway::http::AppState;
use gateway::queries;
use serde::Deserialize;

use super::home::{listed, Listed};
use super::{render, render_with, see_other};
use crate::error::PageError;
use crate::form::{Form, FormErrors};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// What the login form sends.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LoginForm {
    /// Login.
    #[serde(default)]
    login: String,
    /// Password.
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    chrome: Chrome,
    login: String,
    errors: FormErrors,
}

/// `GET /connexion`.
pub async fn login_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&LoginPage {
        chrome: Chrome::new(&state, &visitor, t.get("login.title")),
        login: String::new(),
        errors: FormErrors::none(),
        t,
    })
}

/// `POST /connexion`.
pub async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(guard, form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    visitor.check_csrf(&state, &guard.csrf)?;
    match state
        .app
        .login(LoginInput {
            login: form.login.clone(),
            password: form.password,
        })
        .await
    {
        Ok(logged) => {
            let mut response = see_other("/animation");
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    STAFF_COOKIE,
                    &logged.token,
                    SESSION_SECONDS,
                    state.behind_tls,
                ),
            );
            Ok(response)
        }
        Err(error) => render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                chrome: Chrome::new(&state, &visitor, t.get("login.title")),
                login: form.login,
                errors: FormErrors::from_app(error, t)?,
                t,
            },
        ),
    }
}

/// `POST /deconnexion`: ends the session for good and removes its cookie.
pub async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(guard, _): Form<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    visitor.check_csrf(&state, &guard.csrf)?;
    if let Some(caller) = &visitor.caller {
        state.app.logout(caller).await?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(STAFF_COOKIE, "", 0, state.behind_tls),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "staff_home.html")]
struct StaffHome {
    t: Tr,
    chrome: Chrome,
    concertations: Vec<Listed>,
}

/// `GET /animation`.
pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let t = visitor.t();
    if !visitor.is_staff() {
        return Err(PageError::SignInRequired);
    }
    let concertations = queries::concertations(&state.app, true)?
        .iter()
        .map(|c| listed(c, t))
        .collect();
    render(&StaffHome {
        chrome: Chrome::new(&state, &visitor, t.get("staff.title")),
        concertations,
        t,
    })
}
