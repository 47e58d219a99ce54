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
    state.metrics.appended(applied.events);
    state.app.settle(applied).await;
    response
}
