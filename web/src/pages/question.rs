//! A question's page, where one contributes: the contributions published on it (with
//! filters), and the form to add one. A statements question is voted on Polis-style:
//! one statement at a time, agree, disagree or pass, and any vote can be changed from
//! the list below it. An amendments question shows the doctrine's articles to amend.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::ballot::Vote;
use domain::concertation::Phase;
use domain::contribution::{AmendmentOperation, ContributionKind};
use domain::limits::{CONTRIBUTION_MAX_CHARS, STATEMENT_MAX_CHARS};
use gateway::app::contributions::{AmendmentInput, SubmitInput};
use gateway::app::votes::VoteInput;
use gateway::http::AppState;
use gateway::queries::{self, ConcertationView, ContributionFilter, QuestionView};
use serde::Deserialize;
use uuid::Uuid;

use super::concertation::{question_kind_code, visible};
use super::{path_id, render, render_with, see_other, Card};
use crate::error::PageError;
use crate::form::{Form, FormErrors};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// Languages offered for a contribution's text (the regional languages of France,
/// then the most spoken others); the domain accepts any BCP 47 tag.
const LANGUAGES: [(&str, &str); 12] = [
    ("fr", "Français"),
    ("en", "English"),
    ("br", "Brezhoneg"),
    ("eu", "Euskara"),
    ("oc", "Occitan"),
    ("ca", "Català"),
    ("co", "Corsu"),
    ("gsw", "Elsässisch"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("ar", "العربية"),
];

/// A theme checkbox.
pub struct ThemeChoice {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Checked.
    pub checked: bool,
}

impl ThemeChoice {
    /// Checkboxes for `themes`, checked where `checked` says so.
    pub fn list(
        themes: &[gateway::queries::ThemeView],
        checked: impl Fn(domain::values::ThemeId) -> bool,
    ) -> Vec<Self> {
        themes
            .iter()
            .map(|th| ThemeChoice {
                id: th.id.to_string(),
                label: th.label.clone(),
                checked: checked(th.id),
            })
            .collect()
    }
}

/// A statement with its tally and the visitor's vote.
pub struct StatementLine {
    /// The statement.
    pub card: Card,
    /// Agree share of the sided and passed votes, in percent.
    pub agree_pct: u64,
    /// Disagree share.
    pub disagree_pct: u64,
    /// The visitor's vote label, empty if none.
    pub mine: String,
    /// The visitor's vote code (`agree`…), empty if none.
    pub mine_code: &'static str,
    /// The tally in words.
    pub tally_text: String,
}

/// A doctrine article one may amend.
pub struct ArticleChoice {
    /// Id.
    pub id: String,
    /// "Article 3 — Titre".
    pub label: String,
    /// The current text.
    pub text: String,
    /// The published amendments to it.
    pub amendments: Vec<Card>,
}

/// What the visitor typed, shown again when the form is refused.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SubmitForm {
    /// `opinion`, `proposal`, `statement` or `amendment`.
    #[serde(default)]
    kind: String,
    /// The text.
    #[serde(default)]
    text: String,
    /// Theme ids.
    #[serde(default)]
    themes: Vec<String>,
    /// Language tag.
    #[serde(default)]
    language: String,
    /// The article amended.
    #[serde(default)]
    article: String,
    /// `replace`, `insert` or `delete`.
    #[serde(default)]
    operation: String,
    /// The proposed article text.
    #[serde(default)]
    proposed_text: String,
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    t: Tr,
    chrome: Chrome,
    slug: String,
    concertation_title: String,
    question_id: String,
    prompt: String,
    kind: String,
    kind_label: String,
    open: bool,
    participant: bool,
    staff: bool,
    cards: Vec<Card>,
    total: usize,
    next: Option<StatementLine>,
    voted: usize,
    statements: Vec<StatementLine>,
    articles: Vec<ArticleChoice>,
    doctrine: String,
    themes: Vec<ThemeChoice>,
    kinds: Vec<(String, String)>,
    languages: Vec<(&'static str, &'static str)>,
    form: SubmitForm,
    errors: FormErrors,
    max_chars: usize,
    filter_theme: String,
    return_enc: String,
}

/// Filters of the contribution list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Only this theme.
    #[serde(default)]
    theme: Option<String>,
}

fn find_question(c: &ConcertationView, raw: &str) -> Result<QuestionView, PageError> {
    let id = path_id(raw)?;
    c.questions
        .iter()
        .find(|q| q.id.as_uuid() == id)
        .cloned()
        .ok_or(PageError::NotFound)
}

fn vote_code(vote: Vote) -> &'static str {
    match vote {
        Vote::Agree => "agree",
        Vote::Disagree => "disagree",
        Vote::Pass => "pass",
    }
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    c: &ConcertationView,
    q: &QuestionView,
    filter_theme: Option<String>,
    form: SubmitForm,
    errors: FormErrors,
) -> Result<QuestionPage, PageError> {
    let t = visitor.t();
    let theme = filter_theme
        .as_deref()
        .and_then(|th| Uuid::parse_str(th).ok())
        .map(domain::values::ThemeId::from_uuid);
    let list = queries::contributions(
        &state.app,
        c.id,
        &ContributionFilter {
            question: Some(q.id),
            theme,
            per_page: Some(200),
            ..Default::default()
        },
        visitor.viewer(),
    )?;
    let cards: Vec<Card> = list
        .items
        .iter()
        .filter(|v| v.kind != ContributionKind::Comment)
        .map(|v| Card::of(v, t))
        .collect();
    let mut statements = Vec::new();
    let mut next = None;
    let mut voted = 0;
    if q.kind == "statements" {
        let tallies = queries::tallies(&state.app, q.id)?;
        let mine: BTreeMap<_, _> = match visitor.participant() {
            Some(p) => queries::my_votes(&state.app, p, q.id)?,
            None => BTreeMap::new(),
        };
        voted = mine.len();
        for v in list.items.iter().filter(|v| {
            v.kind == ContributionKind::Statement
                && v.status == projections::model::rows::StatusKind::Published
        }) {
            let tally = tallies.get(&v.id).copied().unwrap_or_default();
            let total = tally.agree + tally.disagree + tally.pass;
            let my_vote = mine.get(&v.id).copied();
            let line = StatementLine {
                card: Card::of(v, t),
                agree_pct: crate::format::percent(tally.agree, total),
                disagree_pct: crate::format::percent(tally.disagree, total),
                mine: my_vote
                    .map(|m| t.get(&format!("vote.{}", vote_code(m))))
                    .unwrap_or_default(),
                mine_code: my_vote.map(vote_code).unwrap_or(""),
                tally_text: t.fmt(
                    "vote.tally",
                    &[
                        ("agree", tally.agree.to_string()),
                        ("disagree", tally.disagree.to_string()),
                        ("pass", tally.pass.to_string()),
                    ],
                ),
            };
            if my_vote.is_none() && next.is_none() {
                next = Some(StatementLine {
                    card: line.card.clone(),
                    mine: String::new(),
                    mine_code: "",
                    ..line
                });
            } else {
                statements.push(line);
            }
        }
    }
    let mut articles = Vec::new();
    let mut doctrine_title = String::new();
    if let Some(doctrine) = q.doctrine {
        let d = queries::doctrine(&state.app, doctrine).await?;
        doctrine_title = d.title.clone();
        for a in &d.articles {
            let published: Vec<Card> = cards
                .iter()
                .filter(|card| card.article == a.id)
                .cloned()
                .collect();
            articles.push(ArticleChoice {
                id: a.id.clone(),
                label: t.fmt(
                    "doctrine.article_label",
                    &[("id", a.id.clone()), ("title", a.title.clone())],
                ),
                text: a.text.clone(),
                amendments: published,
            });
        }
    }
    let checked: BTreeSet<&str> = form.themes.iter().map(String::as_str).collect();
    let kinds: Vec<(String, String)> = match q.kind.as_str() {
        "open" => vec![
            ("opinion".into(), t.get("contribution_kind.opinion")),
            ("proposal".into(), t.get("contribution_kind.proposal")),
        ],
        "statements" => vec![("statement".into(), t.get("contribution_kind.statement"))],
        _ => vec![("amendment".into(), t.get("contribution_kind.amendment"))],
    };
    Ok(QuestionPage {
        chrome: Chrome::new(state, visitor, q.prompt.clone()),
        slug: c.slug.clone(),
        concertation_title: c.title.clone(),
        question_id: q.id.to_string(),
        prompt: q.prompt.clone(),
        kind: q.kind.clone(),
        kind_label: t.get(&question_kind_code(&q.kind)),
        open: c.phase == Phase::Open,
        participant: visitor.participant().is_some(),
        staff: visitor.is_staff(),
        total: cards.len(),
        cards,
        next,
        voted,
        statements,
        articles,
        doctrine: doctrine_title,
        themes: ThemeChoice::list(&c.themes, |id| checked.contains(id.to_string().as_str())),
        kinds,
        languages: LANGUAGES.to_vec(),
        max_chars: if q.kind == "statements" {
            STATEMENT_MAX_CHARS
        } else {
            CONTRIBUTION_MAX_CHARS
        },
        form,
        errors,
        filter_theme: filter_theme.unwrap_or_default(),
        return_enc: crate::links::encode(&visitor.path),
        t,
    })
}

/// `GET /concertations/{slug}/questions/{question}`.
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, question)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let c = visible(&state, &visitor, &slug)?;
    let q = find_question(&c, &question)?;
    let form = SubmitForm {
        language: visitor.t().tag().into(),
        ..Default::default()
    };
    render(
        &page(
            &state,
            &visitor,
            &c,
            &q,
            query.theme,
            form,
            FormErrors::none(),
        )
        .await?,
    )
}

fn submission(
    c: &ConcertationView,
    q: &QuestionView,
    form: &SubmitForm,
) -> Result<SubmitInput, FormErrors> {
    let mut errors = FormErrors::none();
    let kind = match form.kind.as_str() {
        "opinion" => Some(ContributionKind::Opinion),
        "proposal" => Some(ContributionKind::Proposal),
        "statement" => Some(ContributionKind::Statement),
        "amendment" => Some(ContributionKind::Amendment),
        _ => None,
    };
    let themes: Vec<Uuid> = form
        .themes
        .iter()
        .filter_map(|th| Uuid::parse_str(th).ok())
        .collect();
    if themes.len() != form.themes.len() {
        errors
            .fields
            .insert("themes".into(), "theme.unknown".into());
    }
    let amendment = (kind == Some(ContributionKind::Amendment)).then(|| AmendmentInput {
        article: form.article.clone(),
        version: 0,
        operation: match form.operation.as_str() {
            "insert" => AmendmentOperation::Insert,
            "delete" => AmendmentOperation::Delete,
            _ => AmendmentOperation::Replace,
        },
        base_hash: None,
        proposed_text: Some(form.proposed_text.clone()).filter(|p| !p.trim().is_empty()),
    });
    match kind {
        Some(kind) if !errors.any() => Ok(SubmitInput {
            concertation: c.id.as_uuid(),
            question: q.id.as_uuid(),
            kind,
            text: form.text.clone(),
            themes,
            language: Some(form.language.clone()).filter(|l| !l.trim().is_empty()),
            parent: None,
            amendment,
            session: None,
            attendee: None,
        }),
        _ => {
            if kind.is_none() {
                errors
                    .fields
                    .insert("kind".into(), "contribution.kind_missing".into());
            }
            Err(errors)
        }
    }
}

/// `POST /concertations/{slug}/questions/{question}`: submits a contribution.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, question)): Path<(String, String)>,
    Form(guard, form): Form<SubmitForm>,
) -> Result<Response, PageError> {
    let t = visitor.t();
    let ctx = visitor.command(&state, &guard)?;
    let c = visible(&state, &visitor, &slug)?;
    let q = find_question(&c, &question)?;
    let mut input = match submission(&c, &q, &form) {
        Ok(input) => input,
        Err(mut errors) => {
            for message in errors.fields.values_mut() {
                *message = t.get(message);
            }
            let page = page(&state, &visitor, &c, &q, None, form, errors).await?;
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if let (Some(amendment), Some(doctrine)) = (input.amendment.as_mut(), q.doctrine) {
        amendment.version = queries::doctrine(&state.app, doctrine).await?.version;
    }
    match state.app.submit(&ctx, input).await {
        Ok((id, applied)) => {
            super::settle(&state, applied).await;
            Ok(see_other(&format!("/contributions/{id}")))
        }
        Err(error) => {
            let errors = FormErrors::from_app(error, t)?;
            let page = page(&state, &visitor, &c, &q, None, form, errors).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// A vote from the form.
#[derive(Debug, Deserialize)]
pub struct VoteForm {
    /// The statement.
    statement: String,
    /// `agree`, `disagree` or `pass`.
    vote: String,
}

/// `POST /concertations/{slug}/questions/{question}/votes`: votes, then shows the next
/// statement.
pub async fn vote(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, question)): Path<(String, String)>,
    Form(guard, form): Form<VoteForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let statement = domain::values::ContributionId::from_uuid(
        Uuid::parse_str(&form.statement).map_err(|_| PageError::BadForm("statement".into()))?,
    );
    let vote = match form.vote.as_str() {
        "agree" => Vote::Agree,
        "disagree" => Vote::Disagree,
        "pass" => Vote::Pass,
        _ => return Err(PageError::BadForm("vote".into())),
    };
    let applied = state.app.vote(&ctx, statement, VoteInput { vote }).await?;
    super::settle(&state, applied).await;
    Ok(see_other(&format!(
        "/concertations/{}/questions/{}#voter",
        crate::links::encode(&slug),
        crate::links::encode(&question)
    )))
}
