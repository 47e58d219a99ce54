//! The pages' own assets, compiled into the binary and served by it (no CDN, no
//! third-party request): the stylesheet and the small script that only enhances
//! pages that work without it.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::PageError;

/// The stylesheet.
pub const CSS: &str = include_str!("../static/concerto.css");
/// The script: character counters and the live session board.
pub const JS: &str = include_str!("../static/concerto.js");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Result<Response, PageError> {
    let (body, kind) = match file.as_str() {
        "concerto.css" => (CSS, "text/css; charset=utf-8"),
        "concerto.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(PageError::NotFound),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Assets change only with the binary; an hour keeps upgrades visible quickly.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}
