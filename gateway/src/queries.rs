//! Every query the API and the pages make, one function each, in one place.
//!
//! Interim implementation: until the projections crate's read models land (issue 4),
//! these fold the relevant stream categories straight from the event store, which is
//! exact but reads a whole category per call. Each function keeps the signature its
//! read-model counterpart will have, so switching is one edit per function here.

use std::collections::{BTreeMap, HashMap};

use domain::ballot::{BallotEvent, Vote};
use domain::concertation::{
    Concertation, ConcertationAggregate, ModerationMode, Phase, QuestionKind,
};
use domain::contribution::{
    AmendmentAnchor, AnswerOutcome, Contribution, ContributionAggregate, ContributionKind,
    ContributionStatus, Recording,
};
use domain::participant::{ParticipantAggregate, ParticipantEvent, ParticipantKind};
use domain::session::{Session, SessionAggregate, SessionMode, SessionStatus};
use domain::support::{Stance, SupportEvent};
use domain::values::{
    ConcertationId, ContributionId, DoctrineId, ParticipantId, QuestionId, SessionId, StaffId,
    ThemeId,
};
use domain::Aggregate;
use eventstore::{ReadFrom, RecordedEvent, StreamFilter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::app::App;
use crate::error::AppResult;

const PAGE: usize = 4096;

/// Every event of a category, in log order.
async fn scan(app: &App, category: &str) -> AppResult<Vec<RecordedEvent>> {
    let filter = StreamFilter::Category(category.to_owned());
    let mut from = ReadFrom::Start;
    let mut all = Vec::new();
    loop {
        let page = app.store().read_all(from, &filter, PAGE).await?;
        let done = page.len() < PAGE;
        if let Some(last) = page.last() {
            from = ReadFrom::After(last.position());
        }
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// Folds every stream of aggregate `A`'s category.
async fn fold_category<A: Aggregate>(app: &App) -> AppResult<BTreeMap<String, A::State>> {
    let mut states: BTreeMap<String, A::State> = BTreeMap::new();
    for recorded in scan(app, A::CATEGORY).await? {
        let event = projections::codec::decode::<A::Event>(&recorded)?;
        let state = states
            .remove(recorded.stream().as_str())
            .unwrap_or_default();
        states.insert(recorded.stream().to_string(), A::evolve(state, &event));
    }
    Ok(states)
}

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
}

impl From<&Concertation> for ConcertationView {
    fn from(c: &Concertation) -> Self {
        Self {
            id: c.id,
            slug: c.slug.as_str().to_owned(),
            collectivite: c.collectivite.as_str().to_owned(),
            title: c.title.as_str().to_owned(),
            description: c.description.as_str().to_owned(),
            territories: c
                .territories
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            moderation: c.moderation,
            opens_at: c.opens_at,
            closes_at: c.closes_at,
            phase: c.phase,
            themes: c
                .themes
                .iter()
                .map(|(id, label)| ThemeView {
                    id: *id,
                    label: label.as_str().to_owned(),
                })
                .collect(),
            questions: c
                .questions
                .iter()
                .map(|(id, q)| QuestionView {
                    id: *id,
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
                    prompt: q.prompt.as_str().to_owned(),
                })
                .collect(),
            facilitators: c.facilitators.iter().copied().collect(),
        }
    }
}

/// Concertations visible to the public (not drafts), or all of them for staff.
pub async fn concertations(app: &App, include_drafts: bool) -> AppResult<Vec<ConcertationView>> {
    let states = fold_category::<ConcertationAggregate>(app).await?;
    Ok(states
        .values()
        .filter_map(|s| s.concertation.as_ref())
        .filter(|c| include_drafts || c.phase != Phase::Draft)
        .map(ConcertationView::from)
        .collect())
}

/// One concertation.
pub async fn concertation(app: &App, id: ConcertationId) -> AppResult<ConcertationView> {
    Ok(ConcertationView::from(&app.concertation(id).await?))
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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
    /// Author's kind (`citoyen`, `entreprise`, `agent_public`), if known.
    pub author_kind: Option<String>,
    /// What it answers (comments).
    pub parent: Option<ContributionId>,
    /// Themes.
    pub themes: Vec<ThemeId>,
    /// Language tag.
    pub language: String,
    /// Visibility.
    pub status: ContributionStatus,
    /// Withdrawn by the author.
    pub withdrawn: bool,
    /// Featured.
    pub featured: bool,
    /// Duplicate of.
    pub duplicate_of: Option<ContributionId>,
    /// The text; `None` when erased or not visible to the caller.
    pub text: Option<String>,
    /// The proposed article text (amendments).
    pub proposed_text: Option<String>,
    /// Whether the body was erased (its key destroyed).
    pub erased: bool,
    /// Revisions so far.
    pub revisions: u32,
    /// Reports received.
    pub reports: usize,
    /// Appeal: `none`, `pending`, `granted`, `rejected`.
    pub appeal: String,
    /// The commission's answer.
    pub answer: Option<AnswerOutcome>,
    /// Amendment anchor.
    pub amendment: Option<AmendmentAnchor>,
    /// Session recording, if recorded by a facilitator.
    pub recorded: Option<Recording>,
    /// Supports and oppositions.
    pub supports: SupportCounts,
}

impl ContributionView {
    fn of(
        c: &Contribution,
        author_kind: Option<String>,
        supports: SupportCounts,
        show_text: bool,
    ) -> Self {
        let body = c.body.present();
        Self {
            id: c.id,
            concertation: c.concertation,
            question: c.question,
            kind: c.kind,
            author: c.author,
            author_kind,
            parent: c.parent,
            themes: c.themes.iter().copied().collect(),
            language: c.language.as_str().to_owned(),
            status: c.status,
            withdrawn: c.withdrawn,
            featured: c.featured,
            duplicate_of: c.duplicate_of,
            text: body
                .filter(|_| show_text)
                .map(|b| b.text.as_str().to_owned()),
            proposed_text: body
                .filter(|_| show_text)
                .and_then(|b| b.proposed_text.as_ref().map(|t| t.as_str().to_owned())),
            erased: c.body.is_erased(),
            revisions: c.revisions,
            reports: c.reporters.len(),
            appeal: match c.appeal {
                domain::contribution::AppealState::None => "none",
                domain::contribution::AppealState::Pending { .. } => "pending",
                domain::contribution::AppealState::Decided { granted: true } => "granted",
                domain::contribution::AppealState::Decided { granted: false } => "rejected",
            }
            .into(),
            answer: c.answer,
            amendment: c.amendment.clone(),
            recorded: c.recorded.clone(),
            supports,
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

/// Filters of the contribution list.
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
    /// Only this status (staff; others only see published ones and their own).
    #[serde(default)]
    pub status: Option<ContributionStatus>,
    /// Only authors of this kind (`citoyen`, `entreprise`, `agent_public`).
    #[serde(default)]
    pub participant_kind: Option<String>,
    /// Only this author.
    #[serde(default)]
    pub author: Option<ParticipantId>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Items to skip.
    #[serde(default)]
    pub offset: Option<usize>,
}

/// A page of results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Page<T> {
    /// Items.
    pub items: Vec<T>,
    /// Matching items in all.
    pub total: usize,
    /// Items skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
}

fn kind_name(kind: &ParticipantKind) -> &'static str {
    match kind {
        ParticipantKind::Citoyen { .. } => "citoyen",
        ParticipantKind::Entreprise { .. } => "entreprise",
        ParticipantKind::AgentPublic { .. } => "agent_public",
    }
}

async fn participant_kinds(app: &App) -> AppResult<HashMap<ParticipantId, String>> {
    let mut kinds = HashMap::new();
    for recorded in scan(app, ParticipantAggregate::CATEGORY).await? {
        if let ParticipantEvent::ParticipantRegistered { id, kind, .. } =
            projections::codec::decode::<ParticipantEvent>(&recorded)?
        {
            kinds.insert(id, kind_name(&kind).to_owned());
        }
    }
    Ok(kinds)
}

async fn support_counts(app: &App) -> AppResult<HashMap<ContributionId, SupportCounts>> {
    let mut counts: HashMap<ContributionId, SupportCounts> = HashMap::new();
    for recorded in scan(app, "supports").await? {
        match projections::codec::decode::<SupportEvent>(&recorded)? {
            SupportEvent::SupportGiven {
                contribution,
                stance,
                ..
            } => {
                let c = counts.entry(contribution).or_default();
                match stance {
                    Stance::Support => c.support += 1,
                    Stance::Oppose => c.oppose += 1,
                }
            }
            SupportEvent::SupportWithdrawn {
                contribution,
                stance,
                ..
            } => {
                let c = counts.entry(contribution).or_default();
                match stance {
                    Stance::Support => c.support = c.support.saturating_sub(1),
                    Stance::Oppose => c.oppose = c.oppose.saturating_sub(1),
                }
            }
        }
    }
    Ok(counts)
}

fn visible(c: &Contribution, viewer: Viewer) -> bool {
    match viewer {
        Viewer::Staff => true,
        Viewer::Participant(p) if c.author == p => true,
        _ => c.status == ContributionStatus::Published && !c.withdrawn,
    }
}

/// Contributions of a concertation, oldest first, filtered and paged.
pub async fn contributions(
    app: &App,
    concertation: ConcertationId,
    filter: &ContributionFilter,
    viewer: Viewer,
) -> AppResult<Page<ContributionView>> {
    let states = fold_category::<ContributionAggregate>(app).await?;
    let kinds = participant_kinds(app).await?;
    let supports = support_counts(app).await?;
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let offset = filter.offset.unwrap_or(0);
    // Streams are keyed by id (UUID v7, time-ordered), so this is oldest first.
    let matching: Vec<ContributionView> = states
        .values()
        .filter_map(|s| s.contribution.as_ref())
        .filter(|c| c.concertation == concertation && visible(c, viewer))
        .filter(|c| filter.question.is_none_or(|q| c.question == q))
        .filter(|c| filter.theme.is_none_or(|t| c.themes.contains(&t)))
        .filter(|c| filter.kind.is_none_or(|k| c.kind == k))
        .filter(|c| filter.status.is_none_or(|s| c.status == s))
        .filter(|c| filter.author.is_none_or(|a| c.author == a))
        .filter(|c| {
            filter
                .participant_kind
                .as_ref()
                .is_none_or(|k| kinds.get(&c.author) == Some(k))
        })
        .map(|c| {
            ContributionView::of(
                c,
                kinds.get(&c.author).cloned(),
                supports.get(&c.id).copied().unwrap_or_default(),
                true,
            )
        })
        .collect();
    let total = matching.len();
    Ok(Page {
        items: matching.into_iter().skip(offset).take(limit).collect(),
        total,
        offset,
        limit,
    })
}

/// One contribution, if the viewer may see it.
pub async fn contribution(
    app: &App,
    id: ContributionId,
    viewer: Viewer,
) -> AppResult<ContributionView> {
    let c = app.contribution(id).await?;
    if !(visible(&c, viewer) || c.status == ContributionStatus::Hidden || c.withdrawn) {
        return Err(crate::error::AppError::Rejected(
            domain::Rejection::ContributionNotFound,
        ));
    }
    // Hidden or withdrawn contributions keep their page (the decision is public) but
    // not their text, except for their author and staff.
    let show_text = visible(&c, viewer);
    let kinds = participant_kinds(app).await?;
    let supports = support_counts(app).await?;
    Ok(ContributionView::of(
        &c,
        kinds.get(&c.author).cloned(),
        supports.get(&c.id).copied().unwrap_or_default(),
        show_text,
    ))
}

/// The moderation queue: pending and reported contributions, oldest first.
pub async fn moderation_queue(
    app: &App,
    concertation: ConcertationId,
) -> AppResult<Vec<ContributionView>> {
    let page = contributions(
        app,
        concertation,
        &ContributionFilter {
            limit: Some(500),
            ..Default::default()
        },
        Viewer::Staff,
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|c| {
            !c.withdrawn
                && (c.status == ContributionStatus::Pending
                    || (c.reports > 0 && c.status == ContributionStatus::Published)
                    || c.appeal == "pending")
        })
        .collect())
}

/// Agree / disagree / pass on a statement.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tally {
    /// Agree.
    pub agree: u64,
    /// Disagree.
    pub disagree: u64,
    /// Pass.
    pub pass: u64,
}

/// Tallies of a question's statements (latest vote per participant).
pub async fn tallies(
    app: &App,
    question: QuestionId,
) -> AppResult<BTreeMap<ContributionId, Tally>> {
    let mut latest: HashMap<(ParticipantId, ContributionId), Vote> = HashMap::new();
    for recorded in scan(app, "ballot").await? {
        let BallotEvent::VoteCast {
            participant,
            question: q,
            statement,
            vote,
            ..
        } = projections::codec::decode::<BallotEvent>(&recorded)?;
        if q == question {
            latest.insert((participant, statement), vote);
        }
    }
    let mut tallies: BTreeMap<ContributionId, Tally> = BTreeMap::new();
    for ((_, statement), vote) in latest {
        let t = tallies.entry(statement).or_default();
        match vote {
            Vote::Agree => t.agree += 1,
            Vote::Disagree => t.disagree += 1,
            Vote::Pass => t.pass += 1,
        }
    }
    Ok(tallies)
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

impl From<&Session> for SessionView {
    fn from(s: &Session) -> Self {
        Self {
            id: s.id,
            concertation: s.concertation,
            title: s.title.as_str().to_owned(),
            place: match &s.mode {
                SessionMode::InPerson { place } => Some(place.as_str().to_owned()),
                SessionMode::Online => None,
            },
            starts_at: s.starts_at,
            status: match s.status {
                SessionStatus::Scheduled => "scheduled",
                SessionStatus::Open => "open",
                SessionStatus::Closed => "closed",
            }
            .into(),
            minutes: s.minutes.as_ref().map(|m| m.as_str().to_owned()),
        }
    }
}

/// Sessions of a concertation.
pub async fn sessions(app: &App, concertation: ConcertationId) -> AppResult<Vec<SessionView>> {
    Ok(fold_category::<SessionAggregate>(app)
        .await?
        .values()
        .filter_map(|s| s.session.as_ref())
        .filter(|s| s.concertation == concertation)
        .map(SessionView::from)
        .collect())
}

/// One session.
pub async fn session(app: &App, id: SessionId) -> AppResult<SessionView> {
    Ok(SessionView::from(&app.session(id).await?))
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

/// One doctrine.
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
    pub verification: Option<domain::participant::VerificationLevel>,
    /// Display name, if given and not erased.
    pub display_name: Option<String>,
    /// Erased.
    pub erased: bool,
}

/// The calling participant.
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

/// Open concertations whose closing time has passed (for the scheduled close).
pub async fn due_for_closing(app: &App, now: OffsetDateTime) -> AppResult<Vec<ConcertationId>> {
    Ok(concertations(app, false)
        .await?
        .into_iter()
        .filter(|c| c.phase == Phase::Open && c.closes_at <= now)
        .map(|c| c.id)
        .collect())
}
