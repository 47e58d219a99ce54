//! A facilitator's live session board: the session, the form to record what an
//! attendee says (the event says it was recorded in session, under a new pseudonym
//! for the attendee), and the concertation's latest contributions, kept up to date by
//! Server-Sent Events while the page is open (without JavaScript, a reload does it).

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::contribution::ContributionKind;
use domain::values::{ConcertationId, SessionId};
use futures::Stream;
use gateway::app::contributions::SubmitInput;
use gateway::app::participants::{JoinInput, KindInput};
use gateway::http::AppState;
use gateway::queries::{self, ContributionFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::concertation::question_kind_code;
use super::{path_id, render, render_with, see_other, settle, Card};
use crate::error::PageError;
use crate::form::{Form, FormErrors};
use crate::format;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// How many of the latest contributions the board shows.
const BOARD_SIZE: usize = 20;
/// How often the stream looks for new contributions.
const POLL: Duration = Duration::from_millis(750);

#[derive(Template)]
#[template(path = "session_board.html")]
struct BoardPage {
    t: Tr,
    chrome: Chrome,
    session_id: String,
    place: String,
    starts: String,
    status: String,
    open: bool,
    scheduled: bool,
    slug: String,
    concertation_title: String,
    questions: Vec<(String, String)>,
    latest: Vec<Card>,
    count: u64,
    errors: FormErrors,
    text: String,
}

fn require_staff(visitor: &Visitor) -> Result<(), PageError> {
    if visitor.caller.is_none() {
        return Err(PageError::SignInRequired);
    }
    if !visitor.is_staff() {
        return Err(PageError::StaffOnly);
    }
    Ok(())
}

fn latest(
    state: &AppState,
    concertation: ConcertationId,
    t: Tr,
) -> Result<(u64, Vec<Card>), PageError> {
    let c = queries::concertation(&state.app, concertation)?;
    // The model pages oldest first: the last page holds the newest.
    let first = queries::contributions(
        &state.app,
        concertation,
        &ContributionFilter {
            per_page: Some(BOARD_SIZE),
            ..Default::default()
        },
        gateway::queries::Viewer::Staff,
    )?;
    let last_page = (first.total as usize).saturating_sub(1) / BOARD_SIZE;
    let page = queries::contributions(
        &state.app,
        concertation,
        &ContributionFilter {
            per_page: Some(BOARD_SIZE),
            page: Some(last_page),
            ..Default::default()
        },
        gateway::queries::Viewer::Staff,
    )?;
    let mut cards: Vec<Card> = page.items.iter().map(|v| Card::of(v, t)).collect();
    cards.reverse();
    Ok((c.contribution_count, cards))
}

async fn board_page(
    state: &AppState,
    visitor: &Visitor,
    id: SessionId,
    errors: FormErrors,
    text: String,
) -> Result<BoardPage, PageError> {
    let t = visitor.t();
    let s = queries::session(&state.app, id)?;
    let c = queries::concertation(&state.app, s.concertation)?;
    let (count, latest) = latest(state, c.id, t)?;
    Ok(BoardPage {
        chrome: Chrome::new(
            state,
            visitor,
            t.fmt("session.board_title", &[("title", s.title.clone())]),
        ),
        session_id: s.id.to_string(),
        place: s.place.clone().unwrap_or_else(|| t.get("session.online")),
        starts: format::date_time(s.starts_at, t.lang()),
        status: t.get(&format!("session.status.{}", s.status)),
        open: s.status == "open",
        scheduled: s.status == "scheduled",
        slug: c.slug.clone(),
        concertation_title: c.title.clone(),
        questions: c
            .questions
            .iter()
            .filter(|q| q.kind == "open")
            .map(|q| {
                (
                    q.id.to_string(),
                    format!("{} — {}", t.get(&question_kind_code(&q.kind)), q.prompt),
                )
            })
            .collect(),
        latest,
        count,
        errors,
        text,
        t,
    })
}

/// `GET /animation/seances/{id}`.
pub async fn board(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    require_staff(&visitor)?;
    let id = SessionId::from_uuid(path_id(&id)?);
    render(&board_page(&state, &visitor, id, FormErrors::none(), String::new()).await?)
}

/// One contribution as the stream sends it (the script writes it with `textContent`:
/// never as HTML).
#[derive(Serialize)]
struct StreamItem {
    id: String,
    kind: String,
    status: String,
    text: String,
    submitted: String,
}

/// What each stream message carries.
#[derive(Serialize)]
struct StreamUpdate {
    count: u64,
    items: Vec<StreamItem>,
}

/// `GET /animation/seances/{id}/flux`: Server-Sent Events, one `update` whenever the
/// concertation's contributions change; ends when the server shuts down.
pub async fn stream(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    require_staff(&visitor)?;
    let t = visitor.t();
    let id = SessionId::from_uuid(path_id(&id)?);
    let concertation = queries::session(&state.app, id)?.concertation;
    Ok(Sse::new(updates(state, concertation, t))
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn updates(
    state: AppState,
    concertation: ConcertationId,
    t: Tr,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let shutdown = state.shutdown.subscribe();
    futures::stream::unfold(
        (state, shutdown, None::<(u64, Vec<String>)>, None),
        move |(state, mut shutdown, seen, mut folded)| async move {
            loop {
                if *shutdown.borrow_and_update() {
                    return None;
                }
                // Nothing folded since the last look: the board cannot have changed,
                // so no query runs for each open board every tick.
                let position = queries::model_position(&state.app).ok().flatten();
                if seen.is_some() && position == folded {
                    tokio::select! {
                        _ = tokio::time::sleep(POLL) => continue,
                        _ = shutdown.changed() => return None,
                    }
                }
                folded = position;
                let Ok((count, cards)) = latest(&state, concertation, t) else {
                    return None;
                };
                let key = (
                    count,
                    cards
                        .iter()
                        .map(|c| format!("{}{}", c.id, c.status))
                        .collect(),
                );
                if seen.as_ref() != Some(&key) {
                    let update = StreamUpdate {
                        count,
                        items: cards
                            .into_iter()
                            .map(|c| StreamItem {
                                id: c.id,
                                kind: c.kind,
                                status: c.status_label,
                                text: c.text.unwrap_or(c.no_text),
                                submitted: c.submitted,
                            })
                            .collect(),
                    };
                    let event = Event::default()
                        .event("update")
                        .json_data(&update)
                        .unwrap_or_else(|_| Event::default().event("update"));
                    return Some((Ok(event), (state, shutdown, Some(key), folded)));
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = shutdown.changed() => return None,
                }
            }
        },
    )
}

/// What the recording form sends.
#[derive(Debug, Deserialize)]
pub struct RecordForm {
    /// The question.
    question: String,
    /// `opinion` or `proposal`.
    kind: String,
    /// What the attendee said.
    #[serde(default)]
    text: String,
    /// `citoyen`, `entreprise` or `agent_public`.
    #[serde(default)]
    attendee_kind: String,
    /// The attendee's commune (citizens, optional).
    #[serde(default)]
    commune: String,
    /// The attendee's SIREN (businesses, agents).
    #[serde(default)]
    siren: String,
}

/// `POST /animation/seances/{id}/contributions`: records an attendee's contribution.
pub async fn record(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<RecordForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let session = SessionId::from_uuid(path_id(&id)?);
    let s = queries::session(&state.app, session)?;
    let kind = match form.kind.as_str() {
        "proposal" => ContributionKind::Proposal,
        _ => ContributionKind::Opinion,
    };
    let attendee_kind = match form.attendee_kind.as_str() {
        "entreprise" => KindInput::Entreprise,
        "agent_public" => KindInput::AgentPublic,
        _ => KindInput::Citoyen,
    };
    let input = SubmitInput {
        concertation: s.concertation.as_uuid(),
        question: Uuid::parse_str(&form.question)
            .map_err(|_| PageError::BadForm("question".into()))?,
        kind,
        text: form.text.clone(),
        themes: Vec::new(),
        language: Some(visitor.t().tag().into()),
        parent: None,
        amendment: None,
        session: Some(session.as_uuid()),
        attendee: Some(JoinInput {
            kind: attendee_kind,
            commune: Some(form.commune.trim().to_owned())
                .filter(|c| !c.is_empty() && attendee_kind == KindInput::Citoyen),
            siren: Some(form.siren.trim().to_owned())
                .filter(|c| !c.is_empty() && attendee_kind != KindInput::Citoyen),
        }),
    };
    match state.app.submit(&ctx, input).await {
        Ok((_, applied)) => {
            settle(&state, applied).await;
            Ok(see_other(&format!(
                "/animation/seances/{session}#enregistrer"
            )))
        }
        Err(error) => {
            let errors = FormErrors::from_app(error, visitor.t())?;
            let page = board_page(&state, &visitor, session, errors, form.text).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// What the session forms send.
#[derive(Debug, Deserialize)]
pub struct SessionForm {
    /// The minutes (closing).
    #[serde(default)]
    minutes: String,
}

/// `POST /animation/seances/{id}/ouverture`: opens the session.
pub async fn open(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, _): Form<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = SessionId::from_uuid(path_id(&id)?);
    let applied = state.app.open_session(&ctx, id).await?;
    settle(&state, applied).await;
    Ok(see_other(&format!("/animation/seances/{id}")))
}

/// `POST /animation/seances/{id}/cloture`: closes the session with its minutes.
pub async fn close(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<SessionForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = SessionId::from_uuid(path_id(&id)?);
    let input = gateway::app::sessions::CloseSessionInput {
        minutes: form.minutes.clone(),
    };
    match state.app.close_session(&ctx, id, input).await {
        Ok(applied) => {
            settle(&state, applied).await;
            Ok(see_other(&format!("/animation/seances/{id}")))
        }
        Err(error) => {
            let errors = FormErrors::from_app(error, visitor.t())?;
            let page = board_page(&state, &visitor, id, errors, String::new()).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// What the scheduling form sends.
#[derive(Debug, Deserialize)]
pub struct ScheduleForm {
    /// Title.
    #[serde(default)]
    title: String,
    /// The place; online when empty.
    #[serde(default)]
    place: String,
    /// When, as a `datetime-local` value in Paris time.
    #[serde(default)]
    starts_at: String,
}

/// `POST /animation/{slug}/seances`: schedules a session.
pub async fn schedule(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Form(guard, form): Form<ScheduleForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let c = super::concertation::visible(&state, &visitor, &slug)?;
    let starts_at = format::parse_paris_local(&form.starts_at)
        .ok_or_else(|| PageError::BadForm("starts_at".into()))?;
    let input = gateway::app::sessions::ScheduleSessionInput {
        concertation: c.id.as_uuid(),
        title: form.title,
        place: Some(form.place.trim().to_owned()).filter(|p| !p.is_empty()),
        starts_at,
    };
    let (id, applied) = state.app.schedule_session(&ctx, input).await?;
    settle(&state, applied).await;
    Ok(see_other(&format!("/animation/seances/{id}")))
}
