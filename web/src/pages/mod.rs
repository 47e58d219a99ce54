//! The pages, one file per area; each handler reads through [`gateway::queries`],
//! writes through [`gateway::app::App`], and renders one askama template declared
//! beside it.

pub mod concertation;
pub mod contribution;
pub mod doctrine;
pub mod exports;
pub mod groups;
pub mod home;
pub mod language;
pub mod legal;
pub mod moderation;
pub mod participant;
pub mod question;
pub mod session;
pub mod staff;
pub mod synthesis;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use domain::contribution::ContributionKind;
use gateway::queries::ContributionView;
use projections::model::rows::{ParticipantKindRow, StatusKind};
use uuid::Uuid;

use crate::error::PageError;
use crate::format;
use crate::i18n::Tr;

/// Renders a page with status 200.
pub fn render<T: Template>(page: &T) -> Result<Response, PageError> {
    Ok(Html(page.render()?).into_response())
}

/// Renders a page with another status (a form shown again with its errors: 422).
pub fn render_with<T: Template>(status: StatusCode, page: &T) -> Result<Response, PageError> {
    Ok((status, Html(page.render()?)).into_response())
}

/// The redirect after a successful form post (POST, then redirect, then GET).
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, crate::links::local_return(Some(location)))],
    )
        .into_response()
}

/// Parses an id from a path, or "no such page".
pub fn path_id(raw: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(raw).map_err(|_| PageError::NotFound)
}

/// A contribution as the lists and pages show it: every label already in the
/// visitor's language.
#[derive(Clone, Debug)]
pub struct Card {
    /// Id.
    pub id: String,
    /// The id of the element naming the card (`c-{id}`); unique on the page, so a
    /// page showing a card twice gives the second one another.
    pub anchor: String,
    /// Kind label ("proposition").
    pub kind: String,
    /// Whether it can be supported and answered (proposals, amendments).
    pub supportable: bool,
    /// Status code (`published`…), for the badge's class.
    pub status: &'static str,
    /// Status label.
    pub status_label: String,
    /// The text; `None` when erased or hidden from this visitor.
    pub text: Option<String>,
    /// The proposed article text (amendments).
    pub proposed_text: Option<String>,
    /// Why there is no text, when there is none.
    pub no_text: String,
    /// Language tag of the text (`lang` attribute).
    pub language: String,
    /// Whether the text is in another language than the page's.
    pub foreign: bool,
    /// The author's kind ("entreprise"), if known.
    pub author_kind: String,
    /// Submission date, written out.
    pub submitted: String,
    /// Submission date, machine-readable.
    pub submitted_iso: String,
    /// Supports.
    pub supports: u64,
    /// Oppositions.
    pub oppositions: u64,
    /// Featured by a facilitator.
    pub featured: bool,
    /// Recorded by a facilitator in a session.
    pub in_session: bool,
    /// The hiding reason, when hidden.
    pub hidden_reason: String,
    /// The original's id, when a duplicate.
    pub duplicate_of: String,
    /// Appeal state (`none`, `pending`, `granted`, `rejected`).
    pub appeal: String,
    /// Appeal state, written out.
    pub appeal_label: String,
    /// The commission's answer, written out, if any.
    pub answer: Option<AnswerLine>,
    /// The article amended (amendments).
    pub article: String,
    /// The parent (comments).
    pub parent: String,
}

/// The commission's answer as pages show it.
#[derive(Clone, Debug)]
pub struct AnswerLine {
    /// Outcome code (`adopted`…), for the badge's class.
    pub outcome: &'static str,
    /// Outcome label.
    pub label: String,
    /// Justification.
    pub justification: String,
}

/// The catalogue code of a status.
pub fn status_code(status: StatusKind) -> &'static str {
    match status {
        StatusKind::Pending => "pending",
        StatusKind::Published => "published",
        StatusKind::Hidden => "hidden",
        StatusKind::Duplicate => "duplicate",
        StatusKind::Withdrawn => "withdrawn",
    }
}

/// The catalogue code of a participant kind.
pub fn participant_kind_code(kind: ParticipantKindRow) -> &'static str {
    match kind {
        ParticipantKindRow::Citoyen => "participant_kind.citoyen",
        ParticipantKindRow::Entreprise => "participant_kind.entreprise",
        ParticipantKindRow::AgentPublic => "participant_kind.agent_public",
    }
}

impl Card {
    /// The card of `c` for a page in `t`'s language.
    pub fn of(c: &ContributionView, t: Tr) -> Self {
        let status = status_code(c.status);
        let no_text = if c.erased {
            t.get("contribution.erased")
        } else {
            t.get("contribution.not_visible")
        };
        let language = c.language.clone();
        Self {
            id: c.id.to_string(),
            anchor: format!("c-{}", c.id),
            kind: t.get(c.kind.code()),
            supportable: matches!(
                c.kind,
                ContributionKind::Proposal | ContributionKind::Amendment
            ),
            status,
            status_label: t.get(&format!("status.{status}")),
            text: c.text.clone(),
            proposed_text: c.proposed_text.clone(),
            no_text,
            foreign: !language.eq_ignore_ascii_case(t.tag())
                && !language
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}-", t.tag())),
            language,
            author_kind: c
                .author_kind
                .map(|k| t.get(participant_kind_code(k)))
                .unwrap_or_default(),
            submitted: format::date_time(c.submitted_at, t.lang()),
            submitted_iso: format::iso(c.submitted_at),
            supports: c.supports.support,
            oppositions: c.supports.oppose,
            featured: c.featured,
            in_session: c.recorded_in_session,
            hidden_reason: c.hidden_reason.map(|r| t.get(r.code())).unwrap_or_default(),
            duplicate_of: c.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
            appeal: c.appeal.clone(),
            appeal_label: t.get(&format!("appeal.state.{}", c.appeal)),
            answer: c.answer.as_ref().map(|a| {
                let outcome = answer_code(a.outcome);
                AnswerLine {
                    outcome,
                    label: t.get(&format!("answer_outcome.{outcome}")),
                    justification: a.justification.clone(),
                }
            }),
            article: c
                .amendment
                .as_ref()
                .map(|a| a.article.as_str().to_owned())
                .unwrap_or_default(),
            parent: c.parent.map(|p| p.to_string()).unwrap_or_default(),
        }
    }
}

/// The code of an answer's outcome.
pub fn answer_code(outcome: domain::contribution::AnswerOutcome) -> &'static str {
    use domain::contribution::AnswerOutcome::*;
    match outcome {
        Adopted => "adopted",
        AdoptedWithChanges => "adopted_with_changes",
        Rejected => "rejected",
    }
}

/// After a command: count its events and wait (bounded) until the read models show
/// it, so the page the visitor is sent to includes what they just did.
pub async fn settle(state: &gateway::http::AppState, applied: gateway::app::Applied) {
    state.metrics.appended(applied.events);
    state.app.settle(applied).await;
}

/// A moderation decision as pages show it.
#[derive(Clone, Debug)]
pub struct DecisionLine {
    /// The contribution.
    pub contribution: String,
    /// What was decided, written out ("masquée : hors sujet").
    pub decision: String,
    /// The facilitator's note.
    pub note: String,
    /// When.
    pub at: String,
    /// The facilitator (staff only), if shown.
    pub facilitator: String,
}

/// A decision written out in the visitor's language.
pub fn decision_text(decision: &domain::contribution::ModerationDecision, t: Tr) -> String {
    use domain::contribution::ModerationDecision::*;
    match decision {
        Approve => t.get("decision.approve"),
        Hide { reason } => t.fmt("decision.hide", &[("reason", t.get(reason.code()))]),
        Restore => t.get("decision.restore"),
        MarkDuplicate { of } => t.fmt("decision.duplicate", &[("of", of.to_string())]),
        TagThemes { themes } => t.n("decision.tag", themes.len()),
        Feature => t.get("decision.feature"),
    }
}

impl DecisionLine {
    /// The line of a logged decision.
    pub fn of(item: &gateway::queries::ModerationLogItem, t: Tr) -> Self {
        Self {
            contribution: item.contribution.to_string(),
            decision: decision_text(&item.decision, t),
            note: item.note.clone(),
            at: format::date_time(item.at, t.lang()),
            facilitator: item
                .facilitator
                .map(|f| f.to_string().chars().take(8).collect())
                .unwrap_or_default(),
        }
    }
}
