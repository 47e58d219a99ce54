//! The notices a French public body must publish: mentions légales (LCEN art. 6), the
//! personal-data notice (RGPD art. 13), the moderation charter, and the accessibility
//! statement (RGAA 4, décret 2019-768). Their facts (publisher, host, contacts,
//! retention, conformity) come from the deployment's `[site]` settings.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use gateway::http::AppState;
use gateway::site::SiteSettings;

use super::contribution::reason_options;
use super::render;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

#[derive(Template)]
#[template(path = "legal/mentions.html")]
struct Mentions {
    t: Tr,
    chrome: Chrome,
    site: std::sync::Arc<SiteSettings>,
}

#[derive(Template)]
#[template(path = "legal/privacy.html")]
struct Privacy {
    t: Tr,
    chrome: Chrome,
    site: std::sync::Arc<SiteSettings>,
}

#[derive(Template)]
#[template(path = "legal/charter.html")]
struct Charter {
    t: Tr,
    chrome: Chrome,
    reasons: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "legal/accessibility.html")]
struct Accessibility {
    t: Tr,
    chrome: Chrome,
    site: std::sync::Arc<SiteSettings>,
}

/// `GET /mentions-legales`.
pub async fn mentions(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&Mentions {
        chrome: Chrome::new(&state, &visitor, t.get("legal.mentions")),
        site: state.site.clone(),
        t,
    })
}

/// `GET /donnees-personnelles`.
pub async fn privacy(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&Privacy {
        chrome: Chrome::new(&state, &visitor, t.get("legal.privacy")),
        site: state.site.clone(),
        t,
    })
}

/// `GET /charte-de-moderation`.
pub async fn charter(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&Charter {
        chrome: Chrome::new(&state, &visitor, t.get("legal.charter")),
        reasons: reason_options(t),
        t,
    })
}

/// `GET /accessibilite`.
pub async fn accessibility(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&Accessibility {
        chrome: Chrome::new(&state, &visitor, t.get("legal.accessibility")),
        site: state.site.clone(),
        t,
    })
}
