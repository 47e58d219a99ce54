//! Why a page could not be shown, and the one place that turns it into an HTML error
//! page: [`PageError`]'s `IntoResponse` parks the error in the response, and the
//! [`render_errors`] middleware, which knows the visitor's language, writes the page.
//! A failure's details are logged with the request id and never shown.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use gateway::error::AppError;
use gateway::http::request_id::RequestId;
use gateway::http::AppState;

use crate::i18n::Tr;
use crate::layout::Chrome;

/// What can stop a page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// An application service refused or failed (its status and message are the API's).
    #[error(transparent)]
    App(#[from] AppError),
    /// The form's CSRF token is missing, stale or forged.
    #[error("jeton anti-falsification invalide")]
    Csrf,
    /// The action needs a participant pseudonym or a staff session.
    #[error("connexion requise")]
    SignInRequired,
    /// The action is for staff with another role.
    #[error("réservé à l'équipe")]
    StaffOnly,
    /// The submitted form could not be read.
    #[error("formulaire illisible : {0}")]
    BadForm(String),
    /// No such page.
    #[error("page introuvable")]
    NotFound,
    /// A template failed to render (a bug).
    #[error("rendu : {0}")]
    Template(#[from] askama::Error),
}

/// The error parked in a response for [`render_errors`].
#[derive(Clone)]
struct Parked(Arc<PageError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = status(&self).into_response();
        response.extensions_mut().insert(Parked(Arc::new(self)));
        response
    }
}

/// The HTTP status of a page error.
pub fn status(error: &PageError) -> StatusCode {
    match error {
        PageError::App(e) => gateway::http::problem::status(e),
        PageError::Csrf | PageError::StaffOnly => StatusCode::FORBIDDEN,
        PageError::SignInRequired => StatusCode::UNAUTHORIZED,
        PageError::BadForm(_) => StatusCode::BAD_REQUEST,
        PageError::NotFound => StatusCode::NOT_FOUND,
        PageError::Template(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message a person reads for an error, in their language.
pub fn message(error: &PageError, t: Tr, request_id: &str) -> String {
    match error {
        PageError::App(AppError::Internal(_)) | PageError::Template(_) => {
            t.fmt("error.internal", &[("request_id", request_id.to_owned())])
        }
        PageError::App(e) => app_message(e, t),
        PageError::Csrf => t.get("error.csrf"),
        PageError::SignInRequired => t.get("error.sign_in"),
        PageError::StaffOnly => t.get("error.staff_only"),
        PageError::BadForm(_) => t.get("error.bad_form"),
        PageError::NotFound => t.get("error.not_found"),
    }
}

/// The message of an application error, as the API's problem `detail` says it,
/// followed by each field's own message (so "Certaines valeurs sont invalides." says
/// which one, and why).
pub fn app_message(error: &AppError, t: Tr) -> String {
    let body = gateway::http::problem::body(error, t.lang(), "", "");
    let detail = body["detail"].as_str().unwrap_or_default();
    let mut message = detail.to_owned();
    if let AppError::Invalid(_) = error {
        for field in body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["detail"].as_str())
            .filter(|d| !d.is_empty() && *d != detail)
        {
            message.push(' ');
            message.push_str(field);
        }
    }
    message
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    chrome: Chrome,
    heading: String,
    message: String,
    sign_in: bool,
}

/// Middleware: renders a parked [`PageError`] as a page, and logs failures.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let lang = crate::visitor::lang_of(request.headers());
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.to_string())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let Some(Parked(error)) = response.extensions_mut().remove::<Parked>() else {
        return response;
    };
    let status = response.status();
    if status.is_server_error() {
        tracing::error!(request_id = %request_id, error = %error, "échec d'une page");
    } else {
        tracing::debug!(request_id = %request_id, error = %error, "page refusée");
    }
    let t = Tr::new(lang);
    let heading = t.get(&format!("error.title.{}", status.as_u16()));
    let page = ErrorPage {
        t,
        chrome: Chrome::bare(&state, heading.clone()),
        heading,
        message: message(&error, t, &request_id),
        sign_in: matches!(&*error, PageError::SignInRequired),
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "<!doctype html><title>Erreur</title><p>Erreur.</p>".into());
    let mut rendered = (status, Html(body)).into_response();
    for (name, value) in response.headers() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    rendered
}
