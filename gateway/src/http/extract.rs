//! Extractors that turn every malformed input into a precise [`AppError`] (so into a
//! problem+json 4xx) instead of axum's plain-text rejections: JSON bodies, path ids,
//! query strings, and the authenticated caller.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method};
use serde::de::DeserializeOwned;

use crate::app::Ctx;
use crate::auth::tokens::TokenKind;
use crate::auth::{Caller, Tokens};
use crate::error::AppError;
use crate::http::request_id::RequestId;
use crate::http::{AppState, IdempotencyKey};

/// The session cookie of staff.
pub const STAFF_COOKIE: &str = "concerto_session";
/// The pseudonym cookie of participants.
pub const PARTICIPANT_COOKIE: &str = "concerto_participant";
/// The header cookie-authenticated writes must carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A JSON body: media type checked, size limited, UTF-8 checked, unknown fields refused
/// (by the input types), each failure with its own problem code.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let limit = request
            .extensions()
            .get::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(usize::MAX);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge { max: limit }
                } else {
                    AppError::BadRequest {
                        code: "request.malformed_json",
                        detail: None,
                    }
                }
            })?;
        parse_json(&bytes).map(Json)
    }
}

/// The body limit in force, for the 413 message.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// Parses a JSON body, telling malformed JSON, invalid UTF-8 and a wrong shape apart.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::BadRequest {
            code: "request.invalid_utf8",
            detail: None,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            // Well-formed JSON of the wrong shape: a wrong type, a missing or unknown
            // field. serde's words name only fields and types of the documented input.
            Category::Data => AppError::Invalid(vec![crate::error::FieldError {
                pointer: String::new(),
                problem: crate::error::FieldProblem::Code(
                    "request.invalid_body",
                    vec![("detail", e.to_string())],
                ),
            }]),
            _ => AppError::BadRequest {
                code: "request.malformed_json",
                detail: Some(format!("ligne {}, colonne {}", e.line(), e.column())),
            },
        }
    })
}

/// A path parameter, parsed or refused with `request.invalid_path`.
pub struct PathParam<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParam<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParam(p.0))
            .map_err(|_| AppError::BadRequest {
                code: "request.invalid_path",
                detail: None,
            })
    }
}

/// A query string, parsed or refused with `request.invalid_query`.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e| AppError::BadRequest {
                code: "request.invalid_query",
                detail: Some(e.body_text()),
            })
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_of(&parts.headers, name)
}

/// The value of cookie `name` in `headers`.
pub fn cookie_of<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly (no script reads it), SameSite=Lax (no cross-site
/// POST carries it), Secure behind TLS; `max_age` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Where a credential came from: cookies need a CSRF token on writes, bearer tokens do
/// not (a browser never adds them on its own).
enum Credential<'a> {
    Bearer(&'a str),
    Cookie(&'a str),
}

fn credential(parts: &Parts) -> Option<Credential<'_>> {
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return Some(Credential::Bearer(
            value.strip_prefix("Bearer ").unwrap_or(value).trim(),
        ));
    }
    cookie(parts, STAFF_COOKIE)
        .or_else(|| cookie(parts, PARTICIPANT_COOKIE))
        .map(Credential::Cookie)
}

/// A caller and how they proved who they are.
pub struct Authenticated {
    /// Who.
    pub caller: Caller,
    /// Whether the credential came in a cookie (a browser adds cookies on its own, so
    /// a write must also carry the CSRF token).
    pub via_cookie: bool,
}

/// The caller a request's credential names, without the CSRF check (the API checks
/// the header in [`caller`]; the pages check their forms' hidden field). A presented
/// but bad credential is an error (401), never silently anonymous.
pub async fn authenticate(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<Authenticated>, AppError> {
    let Some(credential) = credential(parts) else {
        return Ok(None);
    };
    let (token, via_cookie) = match credential {
        Credential::Bearer(t) => (t, false),
        Credential::Cookie(t) => (t, true),
    };
    let caller = match Tokens::kind_of(token) {
        Some(TokenKind::Staff) => state.app.staff_caller(token).await?,
        Some(TokenKind::Participant) => Caller::Participant(state.app.tokens().participant(token)?),
        None => return Err(AppError::Unauthenticated("auth.invalid")),
    };
    Ok(Some(Authenticated { caller, via_cookie }))
}

/// The caller of a request, if it presents a credential; a presented but bad one is an
/// error (401), never silently anonymous. Cookie-authenticated writes must carry the
/// CSRF token in the [`CSRF_HEADER`].
pub async fn caller(parts: &Parts, state: &AppState) -> Result<Option<Caller>, AppError> {
    let Some(Authenticated { caller, via_cookie }) = authenticate(parts, state).await? else {
        return Ok(None);
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if via_cookie && unsafe_method {
        let subject = csrf_subject(&caller);
        let presented = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !state.app.tokens().csrf_ok(&subject, presented) {
            return Err(AppError::Forbidden("auth.csrf"));
        }
    }
    Ok(Some(caller))
}

/// What a caller's CSRF token is bound to.
pub fn csrf_subject(caller: &Caller) -> String {
    match caller {
        Caller::Staff { session, .. } => session.sid.clone(),
        Caller::Participant(claims) => claims.participant.to_string(),
        Caller::System => "system".into(),
    }
}

/// The command context of an authenticated request: caller, request id, idempotency key.
pub struct Authed(pub Ctx);

impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = caller(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated("auth.required"))?;
        Ok(Authed(Ctx {
            caller,
            request_id: parts
                .extensions
                .get::<RequestId>()
                .map(|r| r.0)
                .unwrap_or_else(uuid::Uuid::now_v7),
            idempotency_key: parts
                .extensions
                .get::<IdempotencyKey>()
                .map(|k| k.0.clone()),
        }))
    }
}

/// The caller of a request that anyone may make (queries).
pub struct MaybeAuthed(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(MaybeAuthed(caller(parts, state).await?))
    }
}
