//! A concertation's page: what it is about, its phase and dates, its themes, its
//! questions (each linking to where one contributes), its sessions, its live counts,
//! and the synthesis once the commission published it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use gateway::http::AppState;
use gateway::queries::{self, ConcertationView};

use super::home::{listed, territory_name, Listed};
use super::render;
use crate::error::PageError;
use crate::format;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// A question in the concertation's list.
pub struct QuestionLine {
    /// Id.
    pub id: String,
    /// Kind label.
    pub kind: String,
    /// The prompt.
    pub prompt: String,
}

/// A session in the list.
pub struct SessionLine {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where ("en ligne" or the place).
    pub place: String,
    /// When.
    pub starts: String,
    /// Status label.
    pub status: String,
}

impl SessionLine {
    /// The line of a session in the visitor's language.
    pub fn of(s: gateway::queries::SessionView, t: Tr) -> Self {
        Self {
            id: s.id.to_string(),
            title: s.title,
            place: s.place.unwrap_or_else(|| t.get("session.online")),
            starts: format::date_time(s.starts_at, t.lang()),
            status: t.get(&format!("session.status.{}", s.status)),
        }
    }
}

#[derive(Template)]
#[template(path = "concertation.html")]
struct ConcertationPage {
    t: Tr,
    chrome: Chrome,
    c: Listed,
    description: String,
    moderation: String,
    territories: Vec<String>,
    themes: Vec<String>,
    questions: Vec<QuestionLine>,
    sessions: Vec<SessionLine>,
    synthesis: Option<String>,
    opens: String,
    closes: String,
}

/// The catalogue code of a question's kind as the view names it.
pub fn question_kind_code(kind: &str) -> String {
    format!("question_kind.{kind}")
}

/// Finds a concertation by slug, hiding drafts from everyone but staff.
pub fn visible(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
) -> Result<ConcertationView, PageError> {
    let c = queries::concertation_by_slug(&state.app, slug)?;
    if c.phase == domain::concertation::Phase::Draft && !visitor.is_staff() {
        return Err(PageError::NotFound);
    }
    Ok(c)
}

/// `GET /concertations/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    let c = visible(&state, &visitor, &slug)?;
    let sessions = queries::sessions(&state.app, c.id)?
        .into_iter()
        .map(|s| SessionLine::of(s, t))
        .collect();
    let page = ConcertationPage {
        chrome: Chrome::new(&state, &visitor, c.title.clone()),
        description: c.description.clone(),
        moderation: t.get(match c.moderation {
            domain::concertation::ModerationMode::APriori => "moderation_mode.a_priori",
            domain::concertation::ModerationMode::APosteriori => "moderation_mode.a_posteriori",
        }),
        territories: c
            .territories
            .iter()
            .map(|code| territory_name(code))
            .collect(),
        themes: c.themes.iter().map(|th| th.label.clone()).collect(),
        questions: c
            .questions
            .iter()
            .map(|q| QuestionLine {
                id: q.id.to_string(),
                kind: t.get(&question_kind_code(&q.kind)),
                prompt: q.prompt.clone(),
            })
            .collect(),
        sessions,
        synthesis: c.synthesis.clone(),
        opens: format::date_time(c.opens_at, t.lang()),
        closes: format::date_time(c.closes_at, t.lang()),
        c: listed(&c, t),
        t,
    };
    render(&page)
}
