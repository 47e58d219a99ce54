//! Taking part without a password: joining (a signed pseudonym kept in a cookie, and
//! a recovery code shown once), recovering the pseudonym on another device, and one's
//! own page: every contribution with its status, the facilitators' decisions and the
//! commission's answers, and a new recovery code on request.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gateway::app::participants::{JoinInput, KindInput, RecoverInput};
use gateway::auth::tokens::PARTICIPANT_SECONDS;
use gateway::http::extract::{set_cookie, PARTICIPANT_COOKIE};
use gateway::http::AppState;
use gateway::queries;
use serde::Deserialize;

use super::{render, render_with, settle, Card, DecisionLine};
use crate::error::PageError;
use crate::form::{Form, FormErrors};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::links::local_return;
use crate::visitor::Visitor;

/// Where to go back after joining.
#[derive(Debug, Default, Deserialize)]
pub struct ReturnQuery {
    /// A path on this site.
    #[serde(default)]
    retour: Option<String>,
}

/// What the join form sends.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct JoinForm {
    /// `citoyen`, `entreprise` or `agent_public`.
    #[serde(default)]
    kind: String,
    /// A commune's INSEE code (citizens, optional).
    #[serde(default)]
    commune: String,
    /// A SIREN (businesses, agents).
    #[serde(default)]
    siren: String,
    /// Where to go afterwards.
    #[serde(default)]
    retour: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    t: Tr,
    chrome: Chrome,
    form: JoinForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "joined.html")]
struct JoinedPage {
    t: Tr,
    chrome: Chrome,
    participant_id: String,
    recovery_code: String,
    next: String,
}

/// `GET /participer`.
pub async fn join_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&JoinPage {
        chrome: Chrome::new(&state, &visitor, t.get("join.title")),
        form: JoinForm {
            kind: "citoyen".into(),
            retour: local_return(query.retour.as_deref()),
            ..Default::default()
        },
        errors: FormErrors::none(),
        t,
    })
}

/// `POST /participer`: a new pseudonym, its cookie, and the recovery code shown once.
pub async fn join(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(guard, form): Form<JoinForm>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    visitor.check_csrf(&state, &guard.csrf)?;
    let kind = match form.kind.as_str() {
        "entreprise" => KindInput::Entreprise,
        "agent_public" => KindInput::AgentPublic,
        _ => KindInput::Citoyen,
    };
    let input = JoinInput {
        kind,
        commune: Some(form.commune.trim().to_owned())
            .filter(|c| !c.is_empty() && kind == KindInput::Citoyen),
        siren: Some(form.siren.trim().to_owned())
            .filter(|s| !s.is_empty() && kind != KindInput::Citoyen),
    };
    match state.app.join(input) {
        Ok(joined) => {
            let page = JoinedPage {
                chrome: Chrome::new(&state, &visitor, t.get("joined.title")),
                participant_id: joined.participant_id.to_string(),
                recovery_code: joined.recovery_code,
                next: local_return(Some(&form.retour)),
                t,
            };
            let mut response = render(&page)?;
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    PARTICIPANT_COOKIE,
                    &joined.token,
                    PARTICIPANT_SECONDS,
                    state.behind_tls,
                ),
            );
            Ok(response)
        }
        Err(error) => {
            let errors = FormErrors::from_app(error, t)?;
            let page = JoinPage {
                chrome: Chrome::new(&state, &visitor, t.get("join.title")),
                form,
                errors,
                t,
            };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// What the recovery form sends.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RecoverForm {
    /// The pseudonym.
    #[serde(default)]
    participant_id: String,
    /// The recovery code.
    #[serde(default)]
    recovery_code: String,
}

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage {
    t: Tr,
    chrome: Chrome,
    participant_id: String,
    errors: FormErrors,
}

/// `GET /recuperer`.
pub async fn recover_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let t = visitor.t();
    render(&RecoverPage {
        chrome: Chrome::new(&state, &visitor, t.get("recover.title")),
        participant_id: String::new(),
        errors: FormErrors::none(),
        t,
    })
}

/// `POST /recuperer`: the pseudonym back on this device.
pub async fn recover(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(guard, form): Form<RecoverForm>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    visitor.check_csrf(&state, &guard.csrf)?;
    let refused = |errors: FormErrors| -> Result<Response, PageError> {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RecoverPage {
                chrome: Chrome::new(&state, &visitor, t.get("recover.title")),
                participant_id: form.participant_id.clone(),
                errors,
                t,
            },
        )
    };
    let Ok(participant_id) = uuid::Uuid::parse_str(form.participant_id.trim()) else {
        let mut errors = FormErrors::none();
        errors
            .fields
            .insert("participant_id".into(), t.get("recover.bad_id"));
        return refused(errors);
    };
    match state
        .app
        .recover(RecoverInput {
            participant_id,
            recovery_code: form.recovery_code.clone(),
        })
        .await
    {
        Ok(token) => {
            let mut response = super::see_other("/moi");
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    PARTICIPANT_COOKIE,
                    &token,
                    PARTICIPANT_SECONDS,
                    state.behind_tls,
                ),
            );
            Ok(response)
        }
        Err(error) => refused(FormErrors::from_app(error, t)?),
    }
}

/// One of the visitor's contributions.
pub struct Mine {
    /// The contribution.
    pub card: Card,
    /// Its concertation.
    pub concertation: String,
    /// The decisions on it.
    pub decisions: Vec<DecisionLine>,
}

/// A receipt as the participant's page lists it.
pub struct ReceiptLine {
    /// The event.
    pub event_id: String,
    /// When the promise was signed.
    pub at: String,
    /// Its leaf hash (hex), shortened for reading.
    pub leaf: String,
    /// Whether a signed tree head covers it yet (then the file holds the proof).
    pub proven: bool,
    /// The head's size, when there is one.
    pub tree_size: u64,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    t: Tr,
    chrome: Chrome,
    participant_id: String,
    kind: String,
    registered: bool,
    mine: Vec<Mine>,
    new_code: Option<String>,
    receipts: Vec<ReceiptLine>,
}

async fn me_page(
    state: &AppState,
    visitor: &Visitor,
    new_code: Option<String>,
) -> Result<MePage, PageError> {
    let t = visitor.t();
    let id = visitor.participant().ok_or(PageError::SignInRequired)?;
    let me = queries::me(&state.app, id).await?;
    let mine = queries::my_contributions(&state.app, id)?
        .iter()
        .map(|m| Mine {
            card: Card::of(&m.contribution, t),
            concertation: m.concertation_title.clone(),
            decisions: m.decisions.iter().map(|d| DecisionLine::of(d, t)).collect(),
        })
        .collect();
    // A server without an audit log (a one-shot command's) has no receipts to give.
    let receipts = match &state.audit_log {
        Some(_) => gateway::http::participant_receipts(state, id).await?,
        None => Vec::new(),
    };
    let receipts = receipts
        .iter()
        .rev()
        .map(|r| ReceiptLine {
            event_id: r.promise.event_id.to_string(),
            at: time::OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(r.promise.timestamp) * 1_000_000,
            )
            .map(|at| crate::format::date_time(at, t.lang()))
            .unwrap_or_default(),
            leaf: r.promise.leaf_hash.chars().take(16).collect(),
            proven: r.tree_head.is_some() && r.inclusion.is_some(),
            tree_size: r.tree_head.as_ref().map(|h| h.tree_size).unwrap_or(0),
        })
        .collect();
    Ok(MePage {
        receipts,
        chrome: Chrome::new(state, visitor, t.get("me.title")),
        participant_id: id.to_string(),
        kind: me
            .kind
            .map(|k| t.get(&format!("participant_kind.{k}")))
            .unwrap_or_default(),
        registered: me.registered,
        mine,
        new_code,
        t,
    })
}

/// `GET /moi`.
pub async fn me(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    render(&me_page(&state, &visitor, None).await?)
}

/// `POST /moi/code`: a new recovery code (the old one stops working), shown once.
pub async fn rotate_code(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(guard, _): Form<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let (code, applied) = state.app.rotate_recovery_code(&ctx).await?;
    settle(&state, applied).await;
    Ok(render(&me_page(&state, &visitor, Some(code)).await?)?.into_response())
}
