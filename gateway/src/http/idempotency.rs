//! `Idempotency-Key` on POST: the first response to a key is kept 24 h with a hash of
//! the request; a retry with the same request gets that response again (and appends
//! nothing), the same key with another request gets 422, and a retry while the first
//! is still running gets 409.
//!
//! Keys are scoped by the caller's credential, so two clients never collide. Records
//! live in memory: after a restart, a retry is still safe because event ids derive
//! from the key (the store writes nothing twice), but it may get a 409 instead of the
//! first answer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::http::extract::BodyLimit;
use crate::http::{AppState, IdempotencyKey};

/// How long a key is remembered.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);
/// How long a key may stay in flight before it is considered abandoned.
const IN_FLIGHT_MAX: Duration = Duration::from_secs(120);
/// The header.
pub const HEADER: &str = "idempotency-key";

enum Entry {
    InFlight {
        hash: [u8; 32],
        since: Instant,
    },
    Done {
        hash: [u8; 32],
        at: Instant,
        response: Stored,
    },
}

#[derive(Clone)]
struct Stored {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    location: Option<HeaderValue>,
    body: Bytes,
}

/// The remembered keys.
#[derive(Default)]
pub struct IdempotencyStore {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl IdempotencyStore {
    fn purge(entries: &mut HashMap<[u8; 32], Entry>, now: Instant) {
        entries.retain(|_, e| match e {
            // A request cancelled by the timeout never completes its entry: it frees
            // its key after twice the longest a request may take.
            Entry::InFlight { since, .. } => now.duration_since(*since) < IN_FLIGHT_MAX,
            Entry::Done { at, .. } => now.duration_since(*at) < RETENTION,
        });
    }
}

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
    let key = match key {
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
        .chain_update(key.as_bytes())
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
    {
        let now = Instant::now();
        let mut entries = state.idempotency.entries.lock().expect("idempotency lock");
        IdempotencyStore::purge(&mut entries, now);
        match entries.get(&scope) {
            Some(Entry::Done {
                hash: h, response, ..
            }) if *h == hash => {
                let mut replay = (response.status, response.body.clone()).into_response();
                if let Some(ct) = &response.content_type {
                    replay
                        .headers_mut()
                        .insert(axum::http::header::CONTENT_TYPE, ct.clone());
                }
                if let Some(location) = &response.location {
                    replay
                        .headers_mut()
                        .insert(axum::http::header::LOCATION, location.clone());
                }
                replay
                    .headers_mut()
                    .insert("idempotency-replayed", HeaderValue::from_static("true"));
                return replay;
            }
            Some(Entry::InFlight { hash: h, .. }) if *h == hash => {
                return AppError::Conflict("idempotency.in_flight").into_response();
            }
            Some(_) => return AppError::IdempotencyMismatch.into_response(),
            None => {
                entries.insert(scope, Entry::InFlight { hash, since: now });
            }
        }
    }
    parts.extensions.insert(IdempotencyKey(key));
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (response_parts, body) = response.into_parts();
    // Only successes are kept: a refused or failed request changed nothing, so
    // running it again is safe and gives the caller a fresh answer.
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut entries = state.idempotency.entries.lock().expect("idempotency lock");
    if response_parts.status.is_success() {
        entries.insert(
            scope,
            Entry::Done {
                hash,
                at: Instant::now(),
                response: Stored {
                    status: response_parts.status,
                    content_type: response_parts
                        .headers
                        .get(axum::http::header::CONTENT_TYPE)
                        .cloned(),
                    location: response_parts
                        .headers
                        .get(axum::http::header::LOCATION)
                        .cloned(),
                    body: body.clone(),
                },
            },
        );
    } else {
        entries.remove(&scope);
    }
    drop(entries);
    Response::from_parts(response_parts, Body::from(body))
}
