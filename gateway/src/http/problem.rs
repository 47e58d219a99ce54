//! RFC 9457 problem details: the one place where an [`AppError`] becomes an HTTP
//! status and a `application/problem+json` body.
//!
//! [`AppError`]'s `IntoResponse` only parks the error in the response's extensions;
//! the [`render`] middleware, which knows the request's language and id, writes the
//! body and logs failures. So handlers stay free of logging and language plumbing, and
//! an internal error's text never reaches the client.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Lang, Rejection};
use serde_json::{json, Value};

use crate::error::{AppError, FieldProblem};
use crate::http::request_id::RequestId;
use crate::messages::message;

/// The error parked in a response for [`render`].
#[derive(Clone)]
struct Parked(Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = status(&self);
        let mut response = status.into_response();
        if let AppError::RateLimited { retry_after } | AppError::Starting { retry_after } = &self {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(Parked(Arc::new(self)));
        response
    }
}

/// The HTTP status of an error: the whole mapping, in one function.
pub fn status(error: &AppError) -> StatusCode {
    match error {
        AppError::Rejected(rejection) => rejection_status(rejection),
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        AppError::Conflict(_) | AppError::RevisionConflict => StatusCode::CONFLICT,
        AppError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) | AppError::Starting { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Value errors are 422, role errors 403, missing things 404, and every other rule of
/// the concertation (phase, already done, exists) a 409: the request was understood
/// but conflicts with the current state.
fn rejection_status(rejection: &Rejection) -> StatusCode {
    use Rejection::*;
    match rejection {
        TextEmpty { .. }
        | TextTooLong { .. }
        | TextControlCharacter { .. }
        | TooMany { .. }
        | SirenFormat { .. }
        | SirenChecksum { .. }
        | TerritoryFormat { .. }
        | TerritoryUnknown { .. }
        | TerritoryLevel { .. }
        | SlugInvalid { .. }
        | IdInvalid { .. }
        | LanguageInvalid { .. }
        | EmailInvalid
        | HashInvalid
        | ArticleIdInvalid { .. }
        | ScheduleInvalid
        | KindNotAllowed { .. }
        | ParentMismatch
        | AnchorMismatch
        | UnknownTheme
        | UnknownQuestion
        | UnknownArticle { .. }
        | EmptyRevision
        | DuplicateOfItself
        | NotAStatement
        | NotAnswerable => StatusCode::UNPROCESSABLE_ENTITY,
        Forbidden { .. } | NotAssigned | OtherCollectivite | NotAuthor | SameFacilitator => {
            StatusCode::FORBIDDEN
        }
        ConcertationNotFound | ParticipantNotFound | ContributionNotFound | SessionNotFound
        | DoctrineNotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    }
}

fn code(error: &AppError) -> (&'static str, Vec<(&'static str, String)>) {
    match error {
        AppError::Rejected(r) => (r.code(), r.params()),
        AppError::Invalid(_) => ("request.invalid", Vec::new()),
        AppError::BadRequest { code, .. } => (code, Vec::new()),
        AppError::PayloadTooLarge { max } => ("request.too_large", vec![("max", max.to_string())]),
        AppError::UnsupportedMediaType => ("request.media_type", Vec::new()),
        AppError::Unauthenticated(code)
        | AppError::Forbidden(code)
        | AppError::NotFound(code)
        | AppError::Conflict(code) => (code, Vec::new()),
        AppError::RevisionConflict => ("conflict.revision", Vec::new()),
        AppError::MethodNotAllowed => ("route.method", Vec::new()),
        AppError::IdempotencyMismatch => ("idempotency.mismatch", Vec::new()),
        AppError::RateLimited { retry_after } => {
            ("rate.limited", vec![("seconds", retry_after.to_string())])
        }
        AppError::Unavailable(_) => ("server.unavailable", Vec::new()),
        AppError::Starting { retry_after } => (
            "server.starting",
            vec![("seconds", retry_after.to_string())],
        ),
        AppError::Internal(_) => ("server.internal", Vec::new()),
    }
}

/// The problem document of an error, in `lang`.
pub fn body(error: &AppError, lang: Lang, request_id: &str, instance: &str) -> Value {
    let status = status(error);
    let (code, mut params) = code(error);
    params.push(("request_id", request_id.to_owned()));
    let mut problem = json!({
        "type": format!("/api/v1/problems/{code}"),
        "title": message(&format!("title.{}", status.as_u16()), &[], lang),
        "status": status.as_u16(),
        "detail": message(code, &params, lang),
        "code": code,
        "instance": instance,
        "request_id": request_id,
    });
    match error {
        AppError::Invalid(fields) => {
            problem["errors"] = fields
                .iter()
                .map(|f| {
                    let (code, params) = match &f.problem {
                        FieldProblem::Rejected(r) => (r.code(), r.params()),
                        FieldProblem::Code(code, params) => (*code, params.clone()),
                    };
                    json!({"pointer": f.pointer, "code": code, "detail": message(code, &params, lang)})
                })
                .collect();
        }
        AppError::BadRequest {
            detail: Some(detail),
            ..
        } => {
            problem["errors"] = json!([{"pointer": "", "code": code, "detail": detail}]);
        }
        AppError::RateLimited { retry_after } | AppError::Starting { retry_after } => {
            problem["retry_after"] = json!(retry_after)
        }
        _ => {}
    }
    problem
}

/// The language a request asks for (French unless `Accept-Language` prefers English).
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_tag)
        .unwrap_or_default()
}

/// Middleware: writes the problem body of a parked error, and logs failures with the
/// request id (the only place errors are logged).
pub async fn render(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let instance = request.uri().path().to_owned();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.to_string())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let Some(Parked(error)) = response.extensions_mut().remove::<Parked>() else {
        return response;
    };
    match &*error {
        AppError::Internal(why) | AppError::Unavailable(why) => {
            tracing::error!(request_id = %request_id, error = %why, "échec de la requête");
        }
        other => tracing::debug!(request_id = %request_id, error = %other, "requête refusée"),
    }
    let problem = body(&error, lang, &request_id, &instance);
    let mut rendered = (response.status(), axum::Json(problem)).into_response();
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    rendered.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        }),
    );
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_show_only_the_request_id() {
        let error = AppError::Internal("disk /var/lib/secret failed".into());
        let problem = body(&error, Lang::Fr, "r-1", "/api/v1/x");
        let text = problem.to_string();
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(problem["status"], 500);
        assert_eq!(
            problem["detail"],
            "Erreur interne : l'incident est enregistré (référence r-1)."
        );
    }

    #[test]
    fn rejections_are_rendered_from_the_catalogue_in_the_asked_language() {
        let error = AppError::Rejected(Rejection::AlreadyReported);
        assert_eq!(status(&error), StatusCode::CONFLICT);
        assert_eq!(
            body(&error, Lang::En, "r", "/")["detail"],
            "You already reported this contribution."
        );
        assert_eq!(
            body(&error, Lang::Fr, "r", "/")["detail"],
            "Vous avez déjà signalé cette contribution."
        );
        assert_eq!(
            status(&AppError::Rejected(Rejection::NotAssigned)),
            StatusCode::FORBIDDEN
        );
    }
}
