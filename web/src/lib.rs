//! Concerto's server-rendered pages: citizens, businesses and agents find a
//! concertation, contribute, vote, support, comment, report and appeal; facilitators
//! moderate and run live sessions; the commission reads the synthesis and answers;
//! everyone can read the notices a French public body must publish.
//!
//! Pages call the gateway's application services in-process ([`gateway::app::App`]
//! for commands, [`gateway::queries`] for reads), so a page and the JSON API can never
//! disagree. Every page works with JavaScript off: plain forms, POST then redirect;
//! the little script served here only adds counters and live updates. Every asset
//! comes from this binary (no CDN, no third-party request), under a strict
//! Content-Security-Policy. Words come from one catalogue ([`i18n`]), French first.

#![warn(missing_docs)]

pub mod assets;
pub use projections::charts;
pub use projections::text_diff as diff;
pub mod error;
pub mod form;
pub use projections::format;
pub mod i18n;
pub mod layout;
pub mod links;
mod pages;
pub mod security;
pub mod visitor;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use gateway::http::AppState;

/// Every page and asset, for [`gateway::startup::Application::build_with_pages`].
/// `state` is only used by the error-page middleware; the router takes its state from
/// the application.
pub fn pages(state: AppState) -> Router<AppState> {
    use pages::*;
    Router::new()
        .route("/", get(home::show))
        .route("/concertations/{slug}", get(concertation::show))
        .route(
            "/concertations/{slug}/questions/{question}",
            get(question::show).post(question::submit),
        )
        .route(
            "/concertations/{slug}/questions/{question}/votes",
            post(question::vote),
        )
        .route(
            "/concertations/{slug}/moderation",
            get(moderation::public_log),
        )
        .route("/contributions/{id}", get(contribution::show))
        .route("/contributions/{id}/soutien", post(contribution::support))
        .route(
            "/contributions/{id}/signalement",
            post(contribution::report),
        )
        .route(
            "/contributions/{id}/commentaires",
            post(contribution::comment),
        )
        .route("/contributions/{id}/appel", post(contribution::appeal))
        .route("/contributions/{id}/retrait", post(contribution::withdraw))
        .route(
            "/participer",
            get(participant::join_form).post(participant::join),
        )
        .route(
            "/recuperer",
            get(participant::recover_form).post(participant::recover),
        )
        .route("/moi", get(participant::me))
        .route("/moi/code", post(participant::rotate_code))
        .route("/connexion", get(staff::login_form).post(staff::login))
        .route("/deconnexion", post(staff::logout))
        .route("/animation", get(staff::home))
        .route("/animation/{slug}/moderation", get(moderation::queue))
        .route("/animation/{slug}/journal", get(moderation::staff_log))
        .route(
            "/animation/contributions/{id}/decision",
            post(moderation::decide),
        )
        .route(
            "/animation/contributions/{id}/appel",
            post(moderation::decide_appeal),
        )
        .route("/animation/{slug}/seances", post(session::schedule))
        .route("/animation/seances/{id}", get(session::board))
        .route("/animation/seances/{id}/ouverture", post(session::open))
        .route("/animation/seances/{id}/cloture", post(session::close))
        .route("/animation/seances/{id}/flux", get(session::stream))
        .route(
            "/animation/seances/{id}/contributions",
            post(session::record),
        )
        .route("/commission/{slug}", get(synthesis::dashboard))
        .route("/commission/{slug}/cloture", post(synthesis::close))
        .route("/commission/{slug}/synthese", post(synthesis::publish))
        .route("/commission/{slug}/exports", post(exports::start))
        .route("/commission/{slug}/exports/{id}", get(exports::job))
        .route(
            "/commission/{slug}/exports/{id}/archive",
            get(exports::archive),
        )
        .route(
            "/commission/contributions/{id}/reponse",
            post(synthesis::answer),
        )
        .route("/doctrines/{id}", get(doctrine::show))
        .route("/mentions-legales", get(legal::mentions))
        .route("/donnees-personnelles", get(legal::privacy))
        .route("/charte-de-moderation", get(legal::charter))
        .route("/accessibilite", get(legal::accessibility))
        .route("/langue/{tag}", get(language::switch))
        .route("/static/{file}", get(assets::serve))
        .fallback(|| async { error::PageError::NotFound })
        .layer(from_fn_with_state(state, error::render_errors))
        .layer(from_fn(visitor::visitor_cookie))
        .layer(from_fn(security::headers))
}
