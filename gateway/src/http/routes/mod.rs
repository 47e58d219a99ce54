//! The API's handlers, one file per resource; each only converts HTTP to a service
//! call and back.

mod accounts;
pub mod audit;
mod concertations;
mod contributions;
pub mod exports;
mod opinion_groups;
pub mod ops;
mod participants;
mod sessions;

use axum::response::Response;

use super::{AppState, RouteBook};
use crate::app::Applied;

pub(super) fn add_all(book: RouteBook) -> RouteBook {
    let book = accounts::add(book);
    let book = participants::add(book);
    let book = concertations::add(book);
    let book = contributions::add(book);
    let book = opinion_groups::add(book);
    let book = sessions::add(book);
    let book = exports::add(book);
    audit::add(book)
}

/// After a command: count its events and wait (bounded) for the projections.
async fn finish(state: &AppState, applied: Applied, response: Response) -> Response {
    finish_with(state, applied, std::future::ready(response)).await
}

/// Like [`finish`], for a response that itself waits (for the audit log's promise):
/// both waits run side by side, so the request waits for the slower, not the sum.
async fn finish_with(
    state: &AppState,
    applied: Applied,
    response: impl std::future::Future<Output = Response>,
) -> Response {
    state.metrics.appended(applied.events);
    let (response, ()) = tokio::join!(response, state.app.settle(applied));
    response
}
