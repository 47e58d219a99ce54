//! The language switch: remembers the choice in a cookie and goes back to the page.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use domain::Lang;
use gateway::http::AppState;
use serde::Deserialize;

use super::see_other;
use crate::error::PageError;
use crate::links::local_return;
use crate::visitor::lang_cookie;

/// Where to go back.
#[derive(Debug, Default, Deserialize)]
pub struct SwitchQuery {
    /// A path on this site.
    #[serde(default)]
    retour: Option<String>,
}

/// `GET /langue/{tag}`: `fr` or `en`.
pub async fn switch(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(query): Query<SwitchQuery>,
) -> Result<Response, PageError> {
    let lang = match tag.as_str() {
        "fr" => Lang::Fr,
        "en" => Lang::En,
        _ => return Err(PageError::NotFound),
    };
    let mut response = see_other(&local_return(query.retour.as_deref()));
    response
        .headers_mut()
        .append(header::SET_COOKIE, lang_cookie(lang, state.behind_tls));
    Ok(response)
}
