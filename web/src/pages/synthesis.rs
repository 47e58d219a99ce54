//! The commission's synthesis dashboard for one concertation: participation by kind of
//! participant (with verification level), by territory and per day, as server-drawn
//! charts with the same figures in tables; the statements' tallies; the most
//! supported and the most divisive contributions; the themes; and the answers
//! workflow (adopted, adopted with changes, rejected, always with a justification).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::contribution::{AnswerOutcome, ContributionKind};
use domain::values::ContributionId;
use gateway::accounts::StaffRole;
use gateway::app::contributions::AnswerInput;
use gateway::http::AppState;
use gateway::queries::{self, ContributionFilter};
use projections::model::rows::StatusKind;
use serde::Deserialize;

use super::concertation::visible;
use super::home::territory_name;
use super::{participant_kind_code, path_id, render, see_other, settle, Card};
use crate::charts;
use crate::error::PageError;
use crate::form::Form;
use crate::format;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::visitor::Visitor;

/// A row of a figures table.
pub struct FigureRow {
    /// What is counted.
    pub label: String,
    /// How many.
    pub value: String,
    /// Extra columns.
    pub extra: Vec<String>,
}

/// A statements question's tallies.
pub struct StatementsBlock {
    /// The question.
    pub prompt: String,
    /// Each statement: text, agree, disagree, pass, agree %, disagree %.
    pub rows: Vec<TallyRow>,
}

/// One statement's tally.
pub struct TallyRow {
    /// The statement.
    pub text: String,
    /// Agree.
    pub agree: u64,
    /// Disagree.
    pub disagree: u64,
    /// Pass.
    pub pass: u64,
    /// Agree share, percent.
    pub agree_pct: u64,
    /// Disagree share, percent.
    pub disagree_pct: u64,
    /// In words, for the bar's alternative.
    pub words: String,
}

/// A theme's line.
pub struct ThemeRow {
    /// Label.
    pub label: String,
    /// "3 propositions, 2 avis".
    pub counts: String,
    /// Answers given.
    pub answers: usize,
}

#[derive(Template)]
#[template(path = "synthesis.html")]
struct Dashboard {
    t: Tr,
    chrome: Chrome,
    slug: String,
    title: String,
    participants: String,
    kind_chart: String,
    kinds: Vec<FigureRow>,
    territory_chart: String,
    territories: Vec<FigureRow>,
    day_chart: String,
    days: Vec<FigureRow>,
    contribution_kinds: Vec<FigureRow>,
    statements: Vec<StatementsBlock>,
    most_supported: Vec<Card>,
    divisive: Vec<TallyRow>,
    themes: Vec<ThemeRow>,
    to_answer: Vec<Card>,
    answered: Vec<Card>,
    doctrines: Vec<String>,
    return_path: String,
    /// `open`, `closed`, `synthesis_published`…: which phase controls to show.
    phase: &'static str,
    /// Whether answers can be given now (closed, or synthesis published).
    answering: bool,
    /// The opinion groups of each statements question.
    opinion_groups: Vec<super::groups::GroupsBlock>,
}

fn require_commission(visitor: &Visitor) -> Result<(), PageError> {
    match visitor.staff_role() {
        Some(StaffRole::Commission | StaffRole::Administrator) => Ok(()),
        Some(StaffRole::Facilitator) => Err(PageError::StaffOnly),
        None if visitor.caller.is_some() => Err(PageError::StaffOnly),
        None => Err(PageError::SignInRequired),
    }
}

fn tally_row(text: String, tally: projections::model::rows::Tally, t: Tr) -> TallyRow {
    let total = tally.agree + tally.disagree + tally.pass;
    TallyRow {
        words: t.fmt(
            "vote.tally",
            &[
                ("agree", tally.agree.to_string()),
                ("disagree", tally.disagree.to_string()),
                ("pass", tally.pass.to_string()),
            ],
        ),
        text,
        agree: tally.agree,
        disagree: tally.disagree,
        pass: tally.pass,
        agree_pct: format::percent(tally.agree, total),
        disagree_pct: format::percent(tally.disagree, total),
    }
}

/// `GET /commission/{slug}`.
pub async fn dashboard(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    require_commission(&visitor)?;
    let t = visitor.t();
    let lang = t.lang();
    let c = visible(&state, &visitor, &slug)?;
    let participation = queries::participation(&state.app, c.id)?;
    let synthesis = queries::synthesis(&state.app, c.id)?;

    let kinds: Vec<FigureRow> = participation
        .by_kind
        .iter()
        .map(|(kind, levels)| FigureRow {
            label: t.get(participant_kind_code(*kind)),
            value: format::number(levels.values().sum(), lang),
            extra: [
                "self_declared",
                "verified_by_facilitator",
                "verified_by_identity_provider",
            ]
            .iter()
            .map(|level| format::number(levels.get(*level).copied().unwrap_or(0), lang))
            .collect(),
        })
        .collect();
    let kind_chart = charts::horizontal_bars(
        &t.get("synthesis.by_kind"),
        &participation
            .by_kind
            .iter()
            .map(|(kind, levels)| (t.get(participant_kind_code(*kind)), levels.values().sum()))
            .collect::<Vec<_>>(),
    );
    let mut by_territory: Vec<_> = participation.by_territory.iter().collect();
    by_territory.sort_by(|a, b| b.1.participants.cmp(&a.1.participants).then(a.0.cmp(b.0)));
    by_territory.truncate(15);
    let territories: Vec<FigureRow> = by_territory
        .iter()
        .map(|(code, p)| FigureRow {
            label: territory_name(code),
            value: format::number(p.participants, lang),
            extra: vec![
                p.population
                    .map(|n| format::number(n, lang))
                    .unwrap_or_default(),
                p.per_thousand
                    .map(|r| format!("{r:.2}"))
                    .unwrap_or_default(),
            ],
        })
        .collect();
    let territory_chart = charts::horizontal_bars(
        &t.get("synthesis.by_territory"),
        &by_territory
            .iter()
            .map(|(code, p)| (territory_name(code), p.participants))
            .collect::<Vec<_>>(),
    );
    let day_rows: Vec<(String, u64)> = participation
        .contributions_per_day
        .iter()
        .map(|(day, n)| (day.to_string(), *n))
        .collect();
    let day_chart = charts::columns(&t.get("synthesis.per_day"), &day_rows);
    let days = day_rows
        .iter()
        .map(|(day, n)| FigureRow {
            label: day.clone(),
            value: format::number(*n, lang),
            extra: Vec::new(),
        })
        .collect();
    let contribution_kinds = participation
        .contributions_by_kind
        .iter()
        .map(|(kind, n)| FigureRow {
            label: t.get(&format!("contribution_kind.{kind}")),
            value: format::number(*n, lang),
            extra: Vec::new(),
        })
        .collect();

    let mut statements = Vec::new();
    for q in c.questions.iter().filter(|q| q.kind == "statements") {
        let tallies = queries::tallies(&state.app, q.id)?;
        let list = queries::contributions(
            &state.app,
            c.id,
            &ContributionFilter {
                question: Some(q.id),
                kind: Some(ContributionKind::Statement),
                per_page: Some(200),
                ..Default::default()
            },
            gateway::queries::Viewer::Staff,
        )?;
        let rows = list
            .items
            .iter()
            .filter(|v| v.status == StatusKind::Published)
            .map(|v| {
                tally_row(
                    v.text
                        .clone()
                        .unwrap_or_else(|| t.get("contribution.erased")),
                    tallies.get(&v.id).copied().unwrap_or_default(),
                    t,
                )
            })
            .collect();
        statements.push(StatementsBlock {
            prompt: q.prompt.clone(),
            rows,
        });
    }
    let divisive = synthesis
        .most_divisive
        .values()
        .flatten()
        .map(|d| {
            tally_row(
                d.statement
                    .text
                    .clone()
                    .unwrap_or_else(|| t.get("contribution.erased")),
                d.tally,
                t,
            )
        })
        .collect();
    let themes = synthesis
        .themes
        .iter()
        .map(|th| ThemeRow {
            label: th.label.clone(),
            counts: th
                .contributions_by_kind
                .iter()
                .map(|(kind, n)| format!("{n} {}", t.get(&format!("contribution_kind.{kind}"))))
                .collect::<Vec<_>>()
                .join(", "),
            answers: th.answers.len(),
        })
        .collect();
    let mut to_answer = Vec::new();
    let mut answered = Vec::new();
    for kind in [ContributionKind::Proposal, ContributionKind::Amendment] {
        let list = queries::contributions(
            &state.app,
            c.id,
            &ContributionFilter {
                kind: Some(kind),
                status: Some(StatusKind::Published),
                per_page: Some(200),
                ..Default::default()
            },
            gateway::queries::Viewer::Staff,
        )?;
        for v in &list.items {
            if v.answer.is_some() {
                answered.push(Card::of(v, t));
            } else {
                to_answer.push(Card::of(v, t));
            }
        }
    }
    render(&Dashboard {
        chrome: Chrome::new(
            &state,
            &visitor,
            t.fmt("synthesis.title", &[("title", c.title.clone())]),
        ),
        slug: c.slug.clone(),
        title: c.title.clone(),
        participants: format::number(participation.participants, lang),
        kind_chart,
        kinds,
        territory_chart,
        territories,
        day_chart,
        days,
        contribution_kinds,
        statements,
        // The same contributions are listed again under the answers: other anchors.
        most_supported: synthesis
            .most_supported
            .iter()
            .map(|v| Card {
                anchor: format!("c-{}-soutenue", v.id),
                ..Card::of(v, t)
            })
            .collect(),
        divisive,
        themes,
        to_answer,
        answered,
        doctrines: c
            .questions
            .iter()
            .filter_map(|q| q.doctrine.map(|d| d.to_string()))
            .collect(),
        return_path: visitor.path.clone(),
        phase: super::home::phase_code(c.phase),
        opinion_groups: super::groups::blocks(&state, &c, t)?,
        answering: matches!(
            c.phase,
            domain::concertation::Phase::Closed | domain::concertation::Phase::SynthesisPublished
        ),
        t,
    })
}

/// What the answer form sends.
#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// `adopted`, `adopted_with_changes` or `rejected`.
    outcome: String,
    /// Why.
    #[serde(default)]
    justification: String,
    /// The dashboard to come back to.
    #[serde(default)]
    retour: String,
}

/// `POST /commission/contributions/{id}/reponse`.
pub async fn answer(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(guard, form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let id = ContributionId::from_uuid(path_id(&id)?);
    let outcome = match form.outcome.as_str() {
        "adopted" => AnswerOutcome::Adopted,
        "adopted_with_changes" => AnswerOutcome::AdoptedWithChanges,
        "rejected" => AnswerOutcome::Rejected,
        _ => return Err(PageError::BadForm("outcome".into())),
    };
    let applied = state
        .app
        .answer(
            &ctx,
            id,
            AnswerInput {
                outcome,
                justification: form.justification,
            },
        )
        .await?;
    settle(&state, applied).await;
    Ok(see_other(&format!(
        "{}#reponses",
        crate::links::local_return(Some(&form.retour))
    )))
}

/// What the phase forms send.
#[derive(Debug, Deserialize)]
pub struct PhaseForm {
    /// Why it closes early (closing).
    #[serde(default)]
    reason: String,
    /// The synthesis (publishing).
    #[serde(default)]
    summary: String,
}

/// `POST /commission/{slug}/cloture`: closes the concertation before its date.
pub async fn close(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Form(guard, form): Form<PhaseForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let c = visible(&state, &visitor, &slug)?;
    let applied = state
        .app
        .close_early(
            &ctx,
            c.id,
            gateway::app::concertations::ReasonInput {
                reason: form.reason,
            },
        )
        .await?;
    settle(&state, applied).await;
    Ok(see_other(&format!(
        "/commission/{}",
        crate::links::encode(&slug)
    )))
}

/// `POST /commission/{slug}/synthese`: publishes the synthesis on the concertation's
/// page.
pub async fn publish(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Form(guard, form): Form<PhaseForm>,
) -> Result<Response, PageError> {
    let ctx = visitor.command(&state, &guard)?;
    let c = visible(&state, &visitor, &slug)?;
    let applied = state
        .app
        .publish_synthesis(
            &ctx,
            c.id,
            gateway::app::concertations::SynthesisInput {
                summary: form.summary,
            },
        )
        .await?;
    settle(&state, applied).await;
    Ok(see_other(&format!(
        "/concertations/{}",
        crate::links::encode(&slug)
    )))
}
