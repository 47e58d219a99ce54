//! Every query the API and the pages make, one function each, in one place, answered
//! from the projections' read models ([`projections::Projections`]): a page is a lookup
//! in the model, never a scan of the log.
//!
//! Read models lag the log by a few milliseconds; a command's response waits for them
//! to include its events ([`App::settle`]), so the author's next read shows what they
//! did. What a command needs to *decide* is folded from its streams instead (strongly
//! consistent, [`App::load`]). Two reads also stay on their single stream because the
//! read model deliberately lacks what they show: a doctrine's text, and a participant's
//! own personal data.

use std::borrow::Cow;

use std::collections::BTreeMap;

use domain::concertation::{ModerationMode, Phase, QuestionKind};
use domain::contribution::{AmendmentAnchor, CharterReason, ContributionKind};
use domain::participant::{ParticipantKind, VerificationLevel};
use domain::values::{
    ConcertationId, ContributionId, DoctrineId, ParticipantId, QuestionId, SessionId, StaffId,
    ThemeId,
};
pub use projections::model::queries::Page;
use projections::model::queries::{self as model, QueueEntry};
use projections::model::rows::{
    AnswerRow, ConcertationRow, ContributionRow, ContributionStatusRow, ModerationEntry,
    ParticipantKindRow, StatusKind, Tally,
};
use projections::model::{ReadModel, SessionRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::app::App;
use crate::error::{AppError, AppResult};

/// A theme.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ThemeView {
    /// Id.
    pub id: ThemeId,
    /// Label.
    pub label: String,
}

/// A question.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QuestionView {
    /// Id.
    pub id: QuestionId,
    /// `open`, `statements` or `amendments`.
    pub kind: String,
    /// The doctrine amended (amendments).
    pub doctrine: Option<DoctrineId>,
    /// Prompt.
    pub prompt: String,
}

/// A concertation page's data.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConcertationView {
    /// Id.
    pub id: ConcertationId,
    /// Slug.
    pub slug: String,
    /// Organising collectivité (SIREN).
    pub collectivite: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Territory codes.
    pub territories: Vec<String>,
    /// Moderation mode.
    pub moderation: ModerationMode,
    /// Opening.
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: OffsetDateTime,
    /// Closing.
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    /// Phase.
    pub phase: Phase,
    /// Themes.
    pub themes: Vec<ThemeView>,
    /// Questions.
    pub questions: Vec<QuestionView>,
    /// Assigned facilitators.
    pub facilitators: Vec<StaffId>,
    /// Contributions submitted (every status).
    pub contribution_count: u64,
    /// Distinct participants who contributed, voted or supported.
    pub participant_count: u64,
    /// Votes held (the latest per participant and statement).
    pub vote_count: u64,
    /// The synthesis summary, once published.
    pub synthesis: Option<String>,
}

impl From<&ConcertationRow> for ConcertationView {
    fn from(c: &ConcertationRow) -> Self {
        Self {
            id: c.id,
            slug: c.slug.clone(),
            collectivite: c.collectivite.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            territories: c.territories.clone(),
            moderation: c.moderation,
            opens_at: c.opens_at,
            closes_at: c.closes_at,
            phase: c.phase,
            themes: c
                .themes
                .iter()
                .map(|t| ThemeView {
                    id: t.id,
                    label: t.label.clone(),
                })
                .collect(),
            questions: c
                .questions
                .iter()
                .map(|q| QuestionView {
                    id: q.id,
                    kind: match q.kind {
                        QuestionKind::Open => "open",
                        QuestionKind::Statements => "statements",
                        QuestionKind::Amendments { .. } => "amendments",
                    }
                    .into(),
                    doctrine: match q.kind {
                        QuestionKind::Amendments { doctrine } => Some(doctrine),
                        _ => None,
                    },
                    prompt: q.prompt.clone(),
                })
                .collect(),
            facilitators: c.facilitators.iter().copied().collect(),
            contribution_count: c.contribution_count,
            participant_count: c.participants.len() as u64,
            vote_count: c.vote_count,
            synthesis: c.synthesis.clone(),
        }
    }
}

/// Runs `query` on the current read model.
fn read<T>(app: &App, query: impl FnOnce(&ReadModel) -> T) -> AppResult<T> {
    let model = app.read_models()?.model().read();
    Ok(query(&model))
}

/// Concertations, newest opening first: drafts only for staff.
pub fn concertations(app: &App, include_drafts: bool) -> AppResult<Vec<ConcertationView>> {
    read(app, |m| {
        m.concertations(!include_drafts)
            .into_iter()
            .map(ConcertationView::from)
            .collect()
    })
}

/// One concertation; 404 when unknown.
pub fn concertation(app: &App, id: ConcertationId) -> AppResult<ConcertationView> {
    read(app, |m| m.concertation(id).map(ConcertationView::from))?
        .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))
}

/// Supports and oppositions.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SupportCounts {
    /// Supports.
    pub support: u64,
    /// Oppositions.
    pub oppose: u64,
}

/// A contribution as pages show it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ContributionView {
    /// Id.
    pub id: ContributionId,
    /// Concertation.
    pub concertation: ConcertationId,
    /// Question.
    pub question: QuestionId,
    /// Kind.
    pub kind: ContributionKind,
    /// Author's pseudonym.
    pub author: ParticipantId,
    /// Author's kind, if known.
    pub author_kind: Option<ParticipantKindRow>,
    /// What it answers (comments).
    pub parent: Option<ContributionId>,
    /// Themes.
    pub themes: Vec<ThemeId>,
    /// Language tag.
    pub language: String,
    /// `pending`, `published`, `hidden`, `duplicate` or `withdrawn`.
    pub status: StatusKind,
    /// The charter reason, when hidden.
    pub hidden_reason: Option<CharterReason>,
    /// The original, when marked as a duplicate.
    pub duplicate_of: Option<ContributionId>,
    /// Featured.
    pub featured: bool,
    /// The text; `None` when erased or not visible to the caller.
    pub text: Option<String>,
    /// The proposed article text (amendments), with the same rule.
    pub proposed_text: Option<String>,
    /// Whether the body was erased.
    pub erased: bool,
    /// Revisions so far.
    pub revisions: u32,
    /// Reports received.
    pub reports: u64,
    /// Appeal: `none`, `pending`, `granted`, `rejected`.
    pub appeal: String,
    /// The commission's answer.
    pub answer: Option<AnswerRow>,
    /// Amendment anchor.
    pub amendment: Option<AmendmentAnchor>,
    /// Recorded in a session by a facilitator.
    pub recorded_in_session: bool,
    /// Supports and oppositions.
    pub supports: SupportCounts,
    /// Submission time.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
}

impl ContributionView {
    fn of(m: &ReadModel, c: &ContributionRow, show_text: bool) -> Self {
        let (hidden_reason, duplicate_of) = match &c.status {
            ContributionStatusRow::Hidden { reason } => (Some(*reason), None),
            ContributionStatusRow::Duplicate { of } => (None, Some(*of)),
            _ => (None, None),
        };
        Self {
            id: c.id,
            concertation: c.concertation,
            question: c.question,
            kind: c.kind,
            author: c.author,
            author_kind: m.participant(c.author).map(|p| p.kind),
            parent: c.parent,
            themes: c.themes.iter().copied().collect(),
            language: c.language.clone(),
            status: c.status.kind(),
            hidden_reason,
            duplicate_of,
            featured: c.featured,
            text: m.body_text(c).map(Cow::into_owned).filter(|_| show_text),
            proposed_text: c.proposed_text.clone().filter(|_| show_text),
            erased: c.body.is_none(),
            revisions: c.revisions,
            reports: c.reports,
            appeal: match (c.appeal_pending, c.appeal_granted) {
                (true, _) => "pending",
                (false, Some(true)) => "granted",
                (false, Some(false)) => "rejected",
                (false, None) => "none",
            }
            .into(),
            answer: c.answer.clone(),
            amendment: c.amendment.as_deref().cloned(),
            recorded_in_session: c.recorded_in_session,
            supports: SupportCounts {
                support: c.supports,
                oppose: c.oppositions,
            },
            submitted_at: c.submitted_at,
        }
    }
}

/// Who asks, for visibility: the public sees published contributions; an author also
/// sees their own; staff see everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone.
    Public,
    /// A participant.
    Participant(ParticipantId),
    /// Staff.
    Staff,
}

impl Viewer {
    fn sees_text_of(self, c: &ContributionRow) -> bool {
        match self {
            Viewer::Staff => true,
            Viewer::Participant(p) if c.author == p => true,
            _ => c.status == ContributionStatusRow::Published,
        }
    }
}

/// Filters of the contribution list (query string).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionFilter {
    /// Only this question.
    #[serde(default)]
    pub question: Option<QuestionId>,
    /// Only this theme.
    #[serde(default)]
    pub theme: Option<ThemeId>,
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<ContributionKind>,
    /// Only this status (others than staff only ever see published ones and their own).
    #[serde(default)]
    pub status: Option<StatusKind>,
    /// Only authors of this kind (`citoyen`, `entreprise`, `agent_public`).
    #[serde(default)]
    pub participant_kind: Option<ParticipantKindRow>,
    /// Only this author.
    #[serde(default)]
    pub author: Option<ParticipantId>,
    /// Zero-based page (default 0).
    #[serde(default)]
    pub page: Option<usize>,
    /// Page size (default 50, at most 200).
    #[serde(default)]
    pub per_page: Option<usize>,
}

/// Contributions of a concertation (404 when unknown), oldest first, filtered and
/// paged, as `viewer` may see them.
pub fn contributions(
    app: &App,
    concertation: ConcertationId,
    filter: &ContributionFilter,
    viewer: Viewer,
) -> AppResult<Page<ContributionView>> {
    read(app, |m| {
        m.concertation(concertation)
            .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))?;
        let page = m.contributions(&model::ContributionFilter {
            concertation: Some(concertation),
            question: filter.question,
            theme: filter.theme,
            kind: filter.kind,
            author: filter.author,
            participant_kind: filter.participant_kind,
            status: filter.status,
            published_only: viewer != Viewer::Staff,
            visible_to: match viewer {
                Viewer::Participant(p) => Some(p),
                _ => None,
            },
            page: filter.page.unwrap_or(0),
            per_page: filter.per_page.unwrap_or(50),
        });
        Ok(Page {
            items: page
                .items
                .iter()
                .map(|c| ContributionView::of(m, c, true))
                .collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        })
    })?
}

/// One contribution, if the viewer may see it: a pending one only to its author and
/// staff; a hidden, duplicate or withdrawn one keeps its page (the decision is public)
/// but shows its text only to its author and staff.
pub fn contribution(app: &App, id: ContributionId, viewer: Viewer) -> AppResult<ContributionView> {
    read(app, |m| {
        let c = m
            .contribution(id)
            .filter(|c| c.status != ContributionStatusRow::Pending || viewer.sees_text_of(c))
            .ok_or(AppError::Rejected(domain::Rejection::ContributionNotFound))?;
        Ok(ContributionView::of(m, c, viewer.sees_text_of(c)))
    })?
}

/// An entry of the moderation queue.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QueueItem {
    /// The contribution, text included (staff only).
    pub contribution: ContributionView,
    /// Awaiting approval (otherwise reported, or under appeal).
    pub pending: bool,
    /// Report reasons with counts.
    pub reports: BTreeMap<CharterReason, u64>,
}

/// The moderation queue: pending, reported and appealed contributions, oldest first.
pub fn moderation_queue(app: &App, concertation: ConcertationId) -> AppResult<Vec<QueueItem>> {
    read(app, |m| {
        m.moderation_queue(concertation)
            .into_iter()
            .map(
                |QueueEntry {
                     contribution,
                     pending,
                     reports,
                 }| QueueItem {
                    contribution: ContributionView::of(m, &contribution, true),
                    pending,
                    reports,
                },
            )
            .collect()
    })
}

/// A moderation decision as the log shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ModerationLogItem {
    /// The contribution.
    pub contribution: ContributionId,
    /// The facilitator: staff see it; the public log leaves it out.
    pub facilitator: Option<StaffId>,
    /// What was decided.
    pub decision: domain::contribution::ModerationDecision,
    /// The facilitator's note.
    pub note: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The moderation decisions on a concertation's contributions (404 when unknown), in
/// order.
pub fn moderation_log(
    app: &App,
    concertation: ConcertationId,
    viewer: Viewer,
) -> AppResult<Vec<ModerationLogItem>> {
    read(app, |m| {
        m.concertation(concertation)
            .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))?;
        Ok(m.moderation_log(concertation)
            .into_iter()
            .map(|e: &ModerationEntry| ModerationLogItem {
                contribution: e.contribution,
                facilitator: Some(e.facilitator).filter(|_| viewer == Viewer::Staff),
                decision: e.decision.clone(),
                note: e.note.clone(),
                at: e.at,
            })
            .collect())
    })?
}

/// Tallies of a question's statements (latest vote per participant), by statement.
pub fn tallies(app: &App, question: QuestionId) -> AppResult<BTreeMap<ContributionId, Tally>> {
    read(app, |m| {
        m.statement_tallies(question)
            .into_iter()
            .map(|(c, t)| (c.id, t.overall))
            .collect()
    })
}

/// Participation figures of a concertation (404 when unknown).
pub fn participation(app: &App, concertation: ConcertationId) -> AppResult<model::Participation> {
    read(app, |m| {
        m.concertation(concertation)
            .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))?;
        Ok(m.participation(concertation))
    })?
}

/// A concertation's synthesis figures.
#[derive(Clone, Debug, Serialize)]
pub struct SynthesisView {
    /// Per theme: counts, most supported, the commission's answers.
    pub themes: Vec<model::ThemeSynthesis>,
    /// Published proposals and amendments, most supported first.
    pub most_supported: Vec<ContributionView>,
    /// Per statements question: its most divisive statements.
    pub most_divisive: BTreeMap<QuestionId, Vec<DivisiveStatement>>,
    /// Per statements question: its opinion groups, without the participants' points.
    pub opinion_groups: BTreeMap<QuestionId, crate::opinion_groups::OpinionGroupsView>,
}

/// A statement with its tally.
#[derive(Clone, Debug, Serialize)]
pub struct DivisiveStatement {
    /// The statement.
    pub statement: ContributionView,
    /// Agree / disagree / pass.
    pub tally: Tally,
}

/// How many rows each ranking of the synthesis shows.
const SYNTHESIS_TOP: usize = 10;
/// Sided votes a statement needs before it can rank as divisive.
const DIVISIVE_MIN_VOTES: u64 = 2;

/// The synthesis figures of a concertation (404 when unknown).
pub fn synthesis(app: &App, concertation: ConcertationId) -> AppResult<SynthesisView> {
    let mut view = read(app, |m| -> AppResult<SynthesisView> {
        let row = m
            .concertation(concertation)
            .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))?;
        let most_divisive = row
            .questions
            .iter()
            .filter(|q| q.kind == QuestionKind::Statements)
            .map(|q| {
                let ranked = m
                    .most_divisive(q.id, DIVISIVE_MIN_VOTES, SYNTHESIS_TOP)
                    .into_iter()
                    .filter(|(c, _)| c.status == ContributionStatusRow::Published)
                    .map(|(c, t)| DivisiveStatement {
                        statement: ContributionView::of(m, c, true),
                        tally: t.overall,
                    })
                    .collect();
                (q.id, ranked)
            })
            .collect();
        Ok(SynthesisView {
            opinion_groups: BTreeMap::new(),
            themes: m.synthesis_by_theme(concertation, SYNTHESIS_TOP),
            most_supported: m
                .most_supported(concertation, SYNTHESIS_TOP)
                .into_iter()
                .map(|c| ContributionView::of(m, c, true))
                .collect(),
            most_divisive,
        })
    })??;
    // Outside the read above: the groups query takes the model's lock itself.
    for &question in view.most_divisive.keys() {
        let mut groups = crate::opinion_groups::opinion_groups(app, question)?;
        groups.points.clear();
        view.opinion_groups.insert(question, groups);
    }
    Ok(view)
}

/// A session.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SessionView {
    /// Id.
    pub id: SessionId,
    /// Concertation.
    pub concertation: ConcertationId,
    /// Title.
    pub title: String,
    /// Place (in person) or `None` (online).
    pub place: Option<String>,
    /// Start.
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// `scheduled`, `open` or `closed`.
    pub status: String,
    /// Minutes, once closed.
    pub minutes: Option<String>,
}

impl From<&SessionRow> for SessionView {
    fn from(s: &SessionRow) -> Self {
        Self {
            id: s.id,
            concertation: s.concertation,
            title: s.title.clone(),
            place: s.place.clone(),
            starts_at: s.starts_at,
            // Minutes are written when a session closes, so they mark it closed.
            status: match (s.open, &s.minutes) {
                (true, _) => "open",
                (false, Some(_)) => "closed",
                (false, None) => "scheduled",
            }
            .into(),
            minutes: s.minutes.clone(),
        }
    }
}

/// Sessions of a concertation (404 when unknown), earliest first.
pub fn sessions(app: &App, concertation: ConcertationId) -> AppResult<Vec<SessionView>> {
    read(app, |m| {
        m.concertation(concertation)
            .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))?;
        Ok(m.sessions(concertation)
            .into_iter()
            .map(SessionView::from)
            .collect())
    })?
}

/// One session; 404 when unknown.
pub fn session(app: &App, id: SessionId) -> AppResult<SessionView> {
    read(app, |m| m.session(id).map(SessionView::from))?
        .ok_or(AppError::Rejected(domain::Rejection::SessionNotFound))
}

/// A doctrine with its current articles and each version's change log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DoctrineView {
    /// Id.
    pub id: DoctrineId,
    /// Title.
    pub title: String,
    /// Demonstration text, never the real manifesto.
    pub demonstration: bool,
    /// Current version.
    pub version: u32,
    /// Current articles with their hashes (amendments anchor to them).
    pub articles: Vec<ArticleView>,
    /// Change log by version.
    pub changelog: BTreeMap<u32, Vec<domain::doctrine::ArticleChange>>,
}

/// An article.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ArticleView {
    /// Id.
    pub id: String,
    /// Pillar.
    pub pillar: domain::doctrine::Pillar,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// SHA-256 of the text.
    pub hash: String,
}

/// One doctrine, from its stream (the read model keeps no doctrine text).
pub async fn doctrine(app: &App, id: DoctrineId) -> AppResult<DoctrineView> {
    let d = app.doctrine(id).await?;
    Ok(DoctrineView {
        id: d.id,
        title: d.title.as_str().to_owned(),
        demonstration: d.demonstration,
        version: d.version,
        articles: d
            .articles
            .iter()
            .map(|a| ArticleView {
                id: a.id.as_str().to_owned(),
                pillar: a.pillar,
                title: a.title.as_str().to_owned(),
                text: a.text.as_str().to_owned(),
                hash: a.hash().as_str().to_owned(),
            })
            .collect(),
        changelog: d.changelog.clone(),
    })
}

/// The published amendments to a doctrine, by article, most supported first.
pub fn amendments(app: &App, doctrine: DoctrineId) -> AppResult<Vec<model::ArticleAmendments>> {
    read(app, |m| m.amendments_by_article(doctrine))
}

/// What a participant sees of themself.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MeView {
    /// The pseudonym.
    pub participant_id: ParticipantId,
    /// Registered in the log (after a first contribution or vote).
    pub registered: bool,
    /// Kind.
    pub kind: Option<String>,
    /// Verification level.
    pub verification: Option<VerificationLevel>,
    /// Display name, if given and not erased.
    pub display_name: Option<String>,
    /// Erased.
    pub erased: bool,
}

fn kind_name(kind: &ParticipantKind) -> &'static str {
    match kind {
        ParticipantKind::Citoyen { .. } => "citoyen",
        ParticipantKind::Entreprise { .. } => "entreprise",
        ParticipantKind::AgentPublic { .. } => "agent_public",
    }
}

/// The calling participant, from their stream (their personal data is not in the read
/// model, by design).
pub async fn me(app: &App, id: ParticipantId) -> AppResult<MeView> {
    let p = app.participant(id).await?;
    Ok(MeView {
        participant_id: id,
        registered: p.is_some(),
        kind: p.as_ref().map(|p| kind_name(&p.kind).to_owned()),
        verification: p.as_ref().map(|p| p.verification),
        display_name: p
            .as_ref()
            .and_then(|p| p.personal.present())
            .and_then(|d| d.display_name.as_ref().map(|n| n.as_str().to_owned())),
        erased: p.as_ref().is_some_and(|p| p.erased),
    })
}

/// Concertations the system must open or close now: (to open, to close).
pub fn due(
    app: &App,
    now: OffsetDateTime,
) -> AppResult<(Vec<ConcertationId>, Vec<ConcertationId>)> {
    read(app, |m| (m.due_for_opening(now), m.due_for_closing(now)))
}

/// The position of the last event the main read model folded (`None`: none yet); a
/// cheap test of whether anything changed since a previous read.
pub fn model_position(app: &App) -> AppResult<Option<eventstore::Position>> {
    read(app, |m| m.position)
}

/// One concertation by its slug; 404 when unknown.
pub fn concertation_by_slug(app: &App, slug: &str) -> AppResult<ConcertationView> {
    read(app, |m| {
        m.concertation_by_slug(slug).map(ConcertationView::from)
    })?
    .ok_or(AppError::Rejected(domain::Rejection::ConcertationNotFound))
}

/// A participant's latest vote on each statement of a question they voted on.
pub fn my_votes(
    app: &App,
    participant: ParticipantId,
    question: QuestionId,
) -> AppResult<BTreeMap<ContributionId, domain::ballot::Vote>> {
    read(app, |m| {
        // Through the question's statements, not every vote of the concertation.
        m.contributions
            .iter()
            .filter(|c| c.question == question)
            .filter_map(|c| m.votes.get(&(participant, c.id)).map(|vote| (c.id, *vote)))
            .collect()
    })
}

/// A participant's stance on a contribution, if they took one.
pub fn my_stance(
    app: &App,
    participant: ParticipantId,
    contribution: ContributionId,
) -> AppResult<Option<domain::support::Stance>> {
    read(app, |m| {
        m.supports.get(&(participant, contribution)).copied()
    })
}

/// The comments answering a contribution, oldest first, as `viewer` may see them.
pub fn comments(
    app: &App,
    parent: ContributionId,
    viewer: Viewer,
) -> AppResult<Vec<ContributionView>> {
    read(app, |m| {
        m.contributions
            .iter()
            .filter(|c| c.parent == Some(parent))
            .filter(|c| c.status == ContributionStatusRow::Published || viewer.sees_text_of(c))
            .map(|c| ContributionView::of(m, c, viewer.sees_text_of(c)))
            .collect()
    })
}

/// Everything a participant submitted, in every concertation, newest first, with its
/// status, the moderation decisions on it and the commission's answer.
pub fn my_contributions(app: &App, participant: ParticipantId) -> AppResult<Vec<MyContribution>> {
    read(app, |m| {
        let mut mine: Vec<MyContribution> = m
            .contributions
            .iter()
            .rev()
            .filter(|c| c.author == participant)
            .map(|c| MyContribution {
                concertation_title: m
                    .concertation(c.concertation)
                    .map(|k| k.title.clone())
                    .unwrap_or_default(),
                decisions: m
                    .moderation_log(c.concertation)
                    .into_iter()
                    .filter(|e| e.contribution == c.id)
                    .map(|e| ModerationLogItem {
                        contribution: e.contribution,
                        facilitator: None,
                        decision: e.decision.clone(),
                        note: e.note.clone(),
                        at: e.at,
                    })
                    .collect(),
                contribution: ContributionView::of(m, c, true),
            })
            .collect();
        mine.truncate(500);
        mine
    })
}

/// One of a participant's own contributions, for their page.
#[derive(Clone, Debug, Serialize)]
pub struct MyContribution {
    /// The contribution, text included.
    pub contribution: ContributionView,
    /// The concertation's title.
    pub concertation_title: String,
    /// The moderation decisions on it, oldest first (facilitators not named).
    pub decisions: Vec<ModerationLogItem>,
}
