//! `Idempotency-Key` on POST: the first response to a key is kept 24 h with a hash of
//! the request; a retry with the same request gets that response again (and appends
//! nothing), the same key with another request gets 422, and a retry while the first
//! is still running gets 409 `idempotency.in_progress` at once (it does not wait: the
//! client retries, and the first request may take up to the request timeout).
//!
//! Keys are scoped by the caller's credential, so two clients never collide. Records
//! live in a [`store::IdempotencyStore`]: in memory on the embedded default
//! ([`memory`]; after a restart a retry is still safe, because event ids derive from
//! the key, but it runs again instead of getting the first answer), in PostgreSQL in
//! production ([`postgres`]; a retry after a restart gets the first answer).

pub mod memory;
pub mod postgres;
pub mod store;
#[cfg(test)]
mod suite;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::http::extract::BodyLimit;
use crate::http::{AppState, IdempotencyKey};

pub use memory::MemoryIdempotencyStore;
pub use postgres::PostgresIdempotencyStore;
pub use store::{Claim, IdempotencyStore, RequestKey, Retention, StoredResponse};

/// The header.
pub const HEADER: &str = "idempotency-key";

/// The response headers a replay gives back (the others are recomputed: request id,
/// rate-limit state).
const REPLAYED_HEADERS: [HeaderName; 2] = [
    axum::http::header::CONTENT_TYPE,
    axum::http::header::LOCATION,
];

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Middleware over POST requests carrying the header.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_owned))
    else {
        return next.run(request).await;
    };
    let key_text = match key {
        Ok(key) if valid_key(&key) => key,
        _ => {
            return AppError::BadRequest {
                code: "idempotency.invalid_key",
                detail: None,
            }
            .into_response()
        }
    };
    let (mut parts, body) = request.into_parts();
    let limit = parts
        .extensions
        .get::<BodyLimit>()
        .map(|l| l.0)
        .unwrap_or(usize::MAX);
    let bytes = match to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::PayloadTooLarge { max: limit }.into_response(),
    };
    let credential = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .or_else(|| parts.headers.get(axum::http::header::COOKIE))
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let scope: [u8; 32] = Sha256::new()
        .chain_update(&credential)
        .chain_update([0x1f])
        .chain_update(key_text.as_bytes())
        .finalize()
        .into();
    let hash: [u8; 32] = Sha256::new()
        .chain_update(parts.method.as_str())
        .chain_update([0x1f])
        .chain_update(parts.uri.path())
        .chain_update([0x1f])
        .chain_update(&bytes)
        .finalize()
        .into();
    let key = RequestKey {
        scope,
        request: hash,
    };
    match state.idempotency.claim(&key).await {
        Ok(Claim::Claimed) => {}
        Ok(Claim::Completed(stored)) => return replay(stored),
        Ok(Claim::InProgress) => {
            return AppError::Conflict("idempotency.in_progress").into_response()
        }
        Ok(Claim::Mismatch) => return AppError::IdempotencyMismatch.into_response(),
        Err(e) => return e.into_response(),
    }
    parts.extensions.insert(IdempotencyKey(key_text));
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (response_parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    // Only successes are kept: a refused or failed request changed nothing, so
    // running it again is safe and gives the caller a fresh answer.
    let recorded = if response_parts.status.is_success() {
        let headers = REPLAYED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = response_parts.headers.get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect();
        let stored = StoredResponse {
            status: response_parts.status.as_u16(),
            headers,
            body: body.clone(),
        };
        state.idempotency.complete(&key, stored).await
    } else {
        state.idempotency.release(&key).await
    };
    if let Err(e) = recorded {
        // The answer stands (what it did is done); a retry meets the claim until it
        // expires, then runs again, appending nothing twice.
        tracing::warn!(error = %e, "enregistrement d'idempotence impossible");
    }
    Response::from_parts(response_parts, Body::from(body))
}

/// The kept response, marked as a replay.
fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
        .headers_mut()
        .insert("idempotency-replayed", HeaderValue::from_static("true"));
    response
}
