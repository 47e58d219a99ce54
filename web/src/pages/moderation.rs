//! Moderation: the facilitators' queue (pending, reported and appealed contributions,
//! oldest first) with one form per action (approve, hide with a charter reason,
//! restore, mark as a duplicate, tag themes, feature, decide an appeal), and the
//! moderation log, public (facilitators unnamed) and for staff.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::values::ContributionId;
use gateway::app::contributions::{DecideAppealInput, DecisionInput, ModerateInput};
use gateway::http::AppState;
use gateway::queries;
use serde::Deserialize;
use uuid::Uuid;

use super::concertation::{visible, SessionLine};
use super::contribution::{parse_reason, reason_options};
use super::question::ThemeChoice;
use super::{path_id, render, see_other, settle, Card, DecisionLine};
use crate::error::PageError;
use crate::form::Form;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// A queue entry.
pub struct QueueLine {
    /// The contribution.
    pub card: Card,
    /// Awaiting approval.
    pub pending: bool,
    /// "insulte (2), spam (1)".
    pub reports: String,
    /// Its themes, as checkboxes for tagging.
    pub themes: Vec<ThemeChoice>,
}

#[derive(Template)]
#[template(path = "moderation_queue.html")]
struct QueuePage {
    t: Tr,
    chrome: Chrome,
    slug: String,
    title: String,
    items: Vec<QueueLine>,
    reasons: Vec<(&'static str, String)>,
    sessions: Vec<SessionLine>,
}

fn require_staff(visitor: &Visitor) -> Result<(), PageError> {
    match visitor.caller {
        None => Err(PageError::SignInRequired),
        Some(_) if visitor.is_staff() => Ok(()),
        Some(_) => Err(PageError::StaffOnly),
    }
}

/// `GET /animation/{slug}/moderation`.
pub async fn queue(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    require_staff(&visitor)?;
    let t = visitor.t();
    let c = visible(&state, &visitor, &slug)?;
    let items = queries::moderation_queue(&state.app, c.id)?
        .into_iter()
        .map(|item| QueueLine {
            card: Card::of(&item.contribution, t),
            pending: item.pending,
            reports: item
                .reports
                .iter()
                .map(|(reason, n)| format!("{} ({n})", t.get(reason.code())))
                .collect::<Vec<_>>()
                .join(", "),
            themes: ThemeChoice::list(&c.themes, |id| item.contribution.themes.contains(&id)),
        })
        .collect();
    let sessions = queries::sessions(&state.app, c.id)?
        .into_iter()
        .map(|s| SessionLine::of(s, t))
        .collect();
    render(&QueuePage {
        chrome: Chrome::new(
            &state,
            &visitor,
            t.fmt("moderation.title", &[("title", c.title.clone())]),
        ),
        slug: c.slug,
        title: c.title,
        items,
        reasons: reason_options(t),
        sessions,
        t,
    })
}

/// What a moderation form sends.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    /// `approve`, `hide`, `restore`, `mark_duplicate`, `tag_themes`, `feature`.
    decision: String,
    /// Charter reason (hide).
    #[serde(default)]
    reason: String,
    /// The original's id (mark duplicate).
    #[serde(default)]
    of: String,
    /// Themes (tag).
    #[serde(default)]
    themes: Vec<String>,
    /// The facilitator's note.
    #[serde(default)]
    note: String,
    /// The queue to come back to.
    #[serde(default)]
    retour: String,
}

/// `POST /animation/contributions/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let decision = match form.decision.as_str() {
        "approve" => DecisionInput::Approve,
        "hide" => DecisionInput::Hide,
        "restore" => DecisionInput::Restore,
        "mark_duplicate" => DecisionInput::MarkDuplicate,
        "tag_themes" => DecisionInput::TagThemes,
        "feature" => DecisionInput::Feature,
        _ => return Err(PageError::BadForm("decision".into())),
    };
    let input = ModerateInput {
        decision,
        reason: parse_reason(&form.reason),
        of: Uuid::parse_str(form.of.trim()).ok(),
        themes: (decision == DecisionInput::TagThemes).then(|| {
            form.themes
                .iter()
                .filter_map(|th| Uuid::parse_str(th).ok())
                .collect()
        }),
        note: form.note,
    };
    let applied = state.app.moderate(&ctx, id, input).await?;
    settle(&state, applied).await;
    Ok(see_other(&crate::links::local_return(Some(&form.retour))))
}

/// What the appeal decision form sends.
#[derive(Debug, Deserialize)]
pub struct AppealDecisionForm {
    /// `yes` grants the appeal.
    granted: String,
    /// Why.
    #[serde(default)]
    note: String,
    /// The queue to come back to.
    #[serde(default)]
    retour: String,
}

/// `POST /animation/contributions/{id}/appel`.
pub async fn decide_appeal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<AppealDecisionForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let input = DecideAppealInput {
        granted: form.granted == "yes",
        note: form.note,
    };
    let applied = state.app.decide_appeal(&ctx, id, input).await?;
    settle(&state, applied).await;
    Ok(see_other(&crate::links::local_return(Some(&form.retour))))
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    t: Tr,
    chrome: Chrome,
    slug: String,
    title: String,
    staff: bool,
    entries: Vec<DecisionLine>,
}

async fn log(state: AppState, visitor: Visitor, slug: String) -> Result<Response, PageError> {
    let t = visitor.t();
    let c = visible(&state, &visitor, &slug)?;
    let entries = queries::moderation_log(&state.app, c.id, visitor.viewer())?
        .iter()
        .rev()
        .map(|d| DecisionLine::of(d, t))
        .collect();
    render(&LogPage {
        chrome: Chrome::new(
            &state,
            &visitor,
            t.fmt("log.title", &[("title", c.title.clone())]),
        ),
        slug: c.slug,
        title: c.title,
        staff: visitor.is_staff(),
        entries,
        t,
    })
}

/// `GET /concertations/{slug}/moderation`: the public log.
pub async fn public_log(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    log(state, visitor, slug).await
}

/// `GET /animation/{slug}/journal`: the log with the facilitators.
pub async fn staff_log(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    require_staff(&visitor)?;
    log(state, visitor, slug).await
}
