//! A contribution's page: its text and status, its supports, the comments that answer
//! it (each can be answered in turn), and the forms to support or oppose it, comment,
//! report it with a reason; for its author, the facilitators' decisions with their
//! reasons, the appeal form, and withdrawal.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::concertation::Phase;
use domain::contribution::{CharterReason, ContributionKind};
use domain::support::Stance;
use domain::values::ContributionId;
use gateway::app::contributions::{AppealInput, ReportInput, SubmitInput};
use gateway::app::votes::SupportInput;
use gateway::http::AppState;
use gateway::queries;
use serde::Deserialize;

use super::{path_id, render, render_with, see_other, settle, Card, DecisionLine};
use crate::error::PageError;
use crate::form::{Form, FormErrors};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// The charter's reasons, in the order the forms offer them.
pub const REASONS: [CharterReason; 6] = [
    CharterReason::Insult,
    CharterReason::PersonalData,
    CharterReason::Spam,
    CharterReason::OffTopic,
    CharterReason::Illegal,
    CharterReason::Other,
];

/// The form code of a charter reason.
pub fn reason_value(reason: CharterReason) -> &'static str {
    match reason {
        CharterReason::Insult => "insult",
        CharterReason::PersonalData => "personal_data",
        CharterReason::Spam => "spam",
        CharterReason::OffTopic => "off_topic",
        CharterReason::Illegal => "illegal",
        CharterReason::Other => "other",
    }
}

/// Parses a charter reason from a form.
pub fn parse_reason(value: &str) -> Option<CharterReason> {
    REASONS.into_iter().find(|r| reason_value(*r) == value)
}

/// The reasons as (value, label) for a select.
pub fn reason_options(t: Tr) -> Vec<(&'static str, String)> {
    REASONS
        .into_iter()
        .map(|r| (reason_value(r), t.get(r.code())))
        .collect()
}

#[derive(Template)]
#[template(path = "contribution.html")]
struct ContributionPage {
    t: Tr,
    chrome: Chrome,
    card: Card,
    slug: String,
    concertation_title: String,
    question_id: String,
    comments: Vec<Card>,
    decisions: Vec<DecisionLine>,
    mine: bool,
    participant: bool,
    open: bool,
    stance: &'static str,
    reasons: Vec<(&'static str, String)>,
    can_appeal: bool,
    can_withdraw: bool,
    errors: FormErrors,
    comment_text: String,
    return_enc: String,
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    id: ContributionId,
    errors: FormErrors,
    comment_text: String,
) -> Result<ContributionPage, PageError> {
    let t = visitor.t();
    let view = queries::contribution(&state.app, id, visitor.viewer())?;
    let c = queries::concertation(&state.app, view.concertation)?;
    let me = visitor.participant();
    let mine = me == Some(view.author);
    let stance = match me {
        Some(p) => match queries::my_stance(&state.app, p, id)? {
            Some(Stance::Support) => "support",
            Some(Stance::Oppose) => "oppose",
            None => "",
        },
        None => "",
    };
    let decisions = queries::moderation_log(&state.app, view.concertation, visitor.viewer())?
        .iter()
        .filter(|d| d.contribution == id)
        .map(|d| DecisionLine::of(d, t))
        .collect::<Vec<_>>();
    let comments = queries::comments(&state.app, id, visitor.viewer())?
        .iter()
        .map(|v| Card::of(v, t))
        .collect();
    let moderated = matches!(
        view.status,
        projections::model::rows::StatusKind::Hidden
            | projections::model::rows::StatusKind::Duplicate
    );
    Ok(ContributionPage {
        chrome: Chrome::new(
            state,
            visitor,
            t.fmt("contribution.title", &[("kind", t.get(view.kind.code()))]),
        ),
        slug: c.slug.clone(),
        concertation_title: c.title.clone(),
        question_id: view.question.to_string(),
        comments,
        can_appeal: mine && moderated && view.appeal == "none",
        can_withdraw: mine
            && view.status != projections::model::rows::StatusKind::Withdrawn
            && view.answer.is_none(),
        decisions,
        mine,
        participant: me.is_some(),
        open: c.phase == Phase::Open,
        stance,
        reasons: reason_options(t),
        card: Card::of(&view, t),
        errors,
        comment_text,
        return_enc: crate::links::encode(&visitor.path),
        t,
    })
}

/// `GET /contributions/{id}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = ContributionId::from_uuid(path_id(&id)?);
    render(&page(&state, &visitor, id, FormErrors::none(), String::new()).await?)
}

/// Shows the page again with what went wrong, or goes back to it.
async fn after(
    state: &AppState,
    visitor: &Visitor,
    id: ContributionId,
    result: Result<gateway::app::Applied, gateway::error::AppError>,
    anchor: &str,
    comment_text: String,
) -> Result<Response, PageError> {
    match result {
        Ok(applied) => {
            settle(state, applied).await;
            Ok(see_other(&format!("/contributions/{id}#{anchor}")))
        }
        Err(error) => {
            let errors = FormErrors::from_app(error, visitor.t())?;
            let page = page(state, visitor, id, errors, comment_text).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// The support form.
#[derive(Debug, Deserialize)]
pub struct SupportForm {
    /// `support`, `oppose` or `withdraw`.
    stance: String,
}

/// `POST /contributions/{id}/soutien`.
pub async fn support(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<SupportForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let stance = match form.stance.as_str() {
        "support" => Some(Stance::Support),
        "oppose" => Some(Stance::Oppose),
        "withdraw" => None,
        _ => return Err(PageError::BadForm("stance".into())),
    };
    let result = match stance {
        Some(stance) => state.app.support(&ctx, id, SupportInput { stance }).await,
        None => state.app.withdraw_support(&ctx, id).await,
    };
    after(&state, &visitor, id, result, "soutien", String::new()).await
}

/// The report form.
#[derive(Debug, Deserialize)]
pub struct ReportForm {
    /// A charter reason.
    reason: String,
    /// A note (required for "other").
    #[serde(default)]
    note: String,
}

/// `POST /contributions/{id}/signalement`.
pub async fn report(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<ReportForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let reason = parse_reason(&form.reason).ok_or_else(|| PageError::BadForm("reason".into()))?;
    let input = ReportInput {
        reason,
        note: Some(form.note).filter(|n| !n.trim().is_empty()),
    };
    let result = state.app.report(&ctx, id, input).await;
    after(&state, &visitor, id, result, "signaler", String::new()).await
}

/// The comment form.
#[derive(Debug, Deserialize)]
pub struct CommentForm {
    /// The comment.
    #[serde(default)]
    text: String,
}

/// `POST /contributions/{id}/commentaires`.
pub async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<CommentForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let parent = queries::contribution(&state.app, id, visitor.viewer())?;
    let input = SubmitInput {
        concertation: parent.concertation.as_uuid(),
        question: parent.question.as_uuid(),
        kind: ContributionKind::Comment,
        text: form.text.clone(),
        themes: Vec::new(),
        language: Some(visitor.t().tag().into()),
        parent: Some(id.as_uuid()),
        amendment: None,
        session: None,
        attendee: None,
    };
    let result = state
        .app
        .submit(&ctx, input)
        .await
        .map(|(_, applied)| applied);
    after(&state, &visitor, id, result, "commentaires", form.text).await
}

/// The appeal form.
#[derive(Debug, Deserialize)]
pub struct AppealForm {
    /// The author's argument.
    #[serde(default)]
    text: String,
}

/// `POST /contributions/{id}/appel`.
pub async fn appeal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<AppealForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let result = state
        .app
        .appeal(&ctx, id, AppealInput { text: form.text })
        .await;
    after(&state, &visitor, id, result, "decisions", String::new()).await
}

/// `POST /contributions/{id}/retrait`.
pub async fn withdraw(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, _): Form<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let result = state.app.withdraw(&ctx, id).await;
    after(&state, &visitor, id, result, "contenu", String::new()).await
}
