//! Typed queries over the read model: what pages, the API and exports ask.

use std::collections::BTreeMap;

use domain::concertation::Phase;
use domain::contribution::{CharterReason, ContributionKind};
use domain::participant::VerificationLevel;
use domain::values::{
    ConcertationId, ContributionId, ParticipantId, QuestionId, SessionId, ThemeId,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::rows::*;
use super::{ReadModel, SessionRow};

/// Most rows a page may hold.
pub const MAX_PAGE: usize = 200;

/// Which contributions to list.
#[derive(Clone, Debug, Default)]
pub struct ContributionFilter {
    /// Only this concertation.
    pub concertation: Option<ConcertationId>,
    /// Only this question.
    pub question: Option<QuestionId>,
    /// Only with this theme.
    pub theme: Option<ThemeId>,
    /// Only of this kind.
    pub kind: Option<ContributionKind>,
    /// Only by this author.
    pub author: Option<ParticipantId>,
    /// Only by participants of this kind.
    pub participant_kind: Option<ParticipantKindRow>,
    /// Only with this status.
    pub status: Option<StatusKind>,
    /// Only published ones (what the public sees); otherwise every status.
    pub published_only: bool,
    /// With `published_only`: this participant's own contributions too, whatever
    /// their status (an author sees their pending or hidden ones).
    pub visible_to: Option<ParticipantId>,
    /// Zero-based page.
    pub page: usize,
    /// Rows per page (at most [`MAX_PAGE`]).
    pub per_page: usize,
}

/// A page of results.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// How many rows match in all.
    pub total: usize,
    /// This page's number (zero-based).
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
}

/// An entry of the moderation queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueEntry {
    /// The contribution.
    pub contribution: ContributionRow,
    /// Why it is in the queue.
    pub pending: bool,
    /// Report reasons with counts.
    pub reports: BTreeMap<CharterReason, u64>,
}

/// Participation figures of one concertation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Participation {
    /// Participants by kind, then by verification level.
    pub by_kind: BTreeMap<ParticipantKindRow, BTreeMap<String, u64>>,
    /// Participants by commune given (`COM:…`; citizens who gave none are not counted).
    pub by_commune: BTreeMap<String, u64>,
    /// Participants by territory at every level above their commune (`EPCI:…`,
    /// `DEP:…`, `REG:…`), with the territory's population and the rate per 1,000
    /// inhabitants (communes included, from the official list's populations).
    pub by_territory: BTreeMap<String, TerritoryParticipation>,
    /// Contributions by kind of contribution.
    pub contributions_by_kind: BTreeMap<String, u64>,
    /// Contributions per day (Europe/Paris days are the web's concern; UTC here).
    pub contributions_per_day: BTreeMap<Date, u64>,
    /// Distinct participants.
    pub participants: u64,
}

/// Participants from one territory.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TerritoryParticipation {
    /// Participants who gave a commune in it.
    pub participants: u64,
    /// Its municipal population, when the official list gives it.
    pub population: Option<u64>,
    /// Participants per 1,000 inhabitants.
    pub per_thousand: Option<f64>,
}

fn verification_code(level: VerificationLevel) -> &'static str {
    match level {
        VerificationLevel::SelfDeclared => "self_declared",
        VerificationLevel::VerifiedByFacilitator => "verified_by_facilitator",
        VerificationLevel::VerifiedByIdentityProvider => "verified_by_identity_provider",
    }
}

impl ReadModel {
    /// Concertations, newest first; with `public_only`, drafts are left out.
    pub fn concertations(&self, public_only: bool) -> Vec<&ConcertationRow> {
        let mut rows: Vec<&ConcertationRow> = self
            .concertations
            .values()
            .filter(|c| !public_only || c.phase != Phase::Draft)
            .collect();
        rows.sort_by(|a, b| b.opens_at.cmp(&a.opens_at).then(a.slug.cmp(&b.slug)));
        rows
    }

    /// A concertation by slug.
    pub fn concertation_by_slug(&self, slug: &str) -> Option<&ConcertationRow> {
        self.slugs
            .get(slug)
            .and_then(|id| self.concertations.get(id))
    }

    /// A concertation by id.
    pub fn concertation(&self, id: ConcertationId) -> Option<&ConcertationRow> {
        self.concertations.get(&id)
    }

    /// A contribution by id.
    pub fn contribution(&self, id: ContributionId) -> Option<&ContributionRow> {
        self.contributions.get(&id)
    }

    /// A participant by id (no personal data).
    pub fn participant(&self, id: ParticipantId) -> Option<&ParticipantRow> {
        self.participants.get(&id)
    }

    /// The sessions of a concertation, earliest start first.
    pub fn sessions(&self, concertation: ConcertationId) -> Vec<&SessionRow> {
        let mut rows: Vec<&SessionRow> = self
            .sessions
            .values()
            .filter(|s| s.concertation == concertation)
            .collect();
        rows.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
        rows
    }

    /// A session by id.
    pub fn session(&self, id: SessionId) -> Option<&SessionRow> {
        self.sessions.get(&id)
    }

    /// Drafts whose opening time has come (with a question, before their closing
    /// time): the system opens them.
    pub fn due_for_opening(&self, now: OffsetDateTime) -> Vec<ConcertationId> {
        self.concertations
            .values()
            .filter(|c| c.phase == Phase::Draft && !c.questions.is_empty())
            .filter(|c| c.opens_at <= now && now < c.closes_at)
            .map(|c| c.id)
            .collect()
    }

    /// Open concertations whose closing time has passed: the system closes them.
    pub fn due_for_closing(&self, now: OffsetDateTime) -> Vec<ConcertationId> {
        self.concertations
            .values()
            .filter(|c| c.phase == Phase::Open && c.closes_at <= now)
            .map(|c| c.id)
            .collect()
    }

    /// Contributions matching `filter`, in submission order, one page.
    pub fn contributions(&self, filter: &ContributionFilter) -> Page<ContributionRow> {
        let per_page = filter.per_page.clamp(1, MAX_PAGE);
        let matching: Vec<&ContributionRow> = self
            .contributions
            .iter()
            .filter(|c| filter.concertation.is_none_or(|x| c.concertation == x))
            .filter(|c| filter.question.is_none_or(|x| c.question == x))
            .filter(|c| filter.theme.is_none_or(|x| c.themes.contains(&x)))
            .filter(|c| filter.kind.is_none_or(|x| c.kind == x))
            .filter(|c| filter.author.is_none_or(|x| c.author == x))
            .filter(|c| {
                filter.participant_kind.is_none_or(|x| {
                    self.participants
                        .get(&c.author)
                        .is_some_and(|p| p.kind == x)
                })
            })
            .filter(|c| filter.status.is_none_or(|x| c.status.kind() == x))
            .filter(|c| {
                !filter.published_only
                    || c.status == ContributionStatusRow::Published
                    || filter.visible_to == Some(c.author)
            })
            .collect();
        Page {
            total: matching.len(),
            items: matching
                .into_iter()
                .skip(filter.page * per_page)
                .take(per_page)
                .cloned()
                .collect(),
            page: filter.page,
            per_page,
        }
    }

    /// Pending and reported contributions of a concertation, oldest first.
    pub fn moderation_queue(&self, concertation: ConcertationId) -> Vec<QueueEntry> {
        self.contributions
            .iter()
            .filter(|c| c.concertation == concertation)
            .filter(|c| {
                let pending = c.status == ContributionStatusRow::Pending;
                let reported_and_visible =
                    c.reports > 0 && c.status == ContributionStatusRow::Published;
                pending || reported_and_visible || c.appeal_pending
            })
            .map(|c| QueueEntry {
                pending: c.status == ContributionStatusRow::Pending,
                reports: c.report_reasons.clone(),
                contribution: c.clone(),
            })
            .collect()
    }

    /// The moderation decisions on a concertation's contributions, in order.
    pub fn moderation_log(&self, concertation: ConcertationId) -> Vec<&ModerationEntry> {
        self.moderation_log
            .iter()
            .filter(|e| {
                self.contributions
                    .get(&e.contribution)
                    .is_some_and(|c| c.concertation == concertation)
            })
            .collect()
    }

    /// The statements of a question with their tallies, in submission order.
    pub fn statement_tallies(
        &self,
        question: QuestionId,
    ) -> Vec<(&ContributionRow, StatementTally)> {
        self.contributions
            .iter()
            .filter(|c| c.question == question && c.kind == ContributionKind::Statement)
            .map(|c| (c, self.tallies.get(&c.id).cloned().unwrap_or_default()))
            .collect()
    }

    /// The most divisive statements of a question (at least `min_votes` sided votes).
    pub fn most_divisive(
        &self,
        question: QuestionId,
        min_votes: u64,
        limit: usize,
    ) -> Vec<(&ContributionRow, StatementTally)> {
        let mut rows: Vec<_> = self
            .statement_tallies(question)
            .into_iter()
            .filter(|(_, t)| t.overall.agree + t.overall.disagree >= min_votes)
            .collect();
        rows.sort_by(|a, b| {
            b.1.overall
                .divisiveness()
                .total_cmp(&a.1.overall.divisiveness())
                .then(a.0.position.cmp(&b.0.position))
        });
        rows.truncate(limit);
        rows
    }

    /// Published proposals and amendments of a concertation, most supported first
    /// (supports minus oppositions, then supports).
    pub fn most_supported(
        &self,
        concertation: ConcertationId,
        limit: usize,
    ) -> Vec<&ContributionRow> {
        let mut rows: Vec<&ContributionRow> = self
            .contributions
            .iter()
            .filter(|c| {
                c.concertation == concertation && c.status == ContributionStatusRow::Published
            })
            .filter(|c| {
                matches!(
                    c.kind,
                    ContributionKind::Proposal | ContributionKind::Amendment
                )
            })
            .collect();
        rows.sort_by(|a, b| support_order(a, b));
        rows.truncate(limit);
        rows
    }

    /// The most reported contributions of a concertation.
    pub fn most_reported(
        &self,
        concertation: ConcertationId,
        limit: usize,
    ) -> Vec<&ContributionRow> {
        let mut rows: Vec<&ContributionRow> = self
            .contributions
            .iter()
            .filter(|c| c.concertation == concertation && c.reports > 0)
            .collect();
        rows.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.position.cmp(&b.position)));
        rows.truncate(limit);
        rows
    }

    /// Participation figures of a concertation.
    pub fn participation(&self, concertation: ConcertationId) -> Participation {
        let mut figures = Participation::default();
        let Some(row) = self.concertations.get(&concertation) else {
            return figures;
        };
        figures.participants = row.participants.len() as u64;
        for participant in row
            .participants
            .iter()
            .filter_map(|id| self.participants.get(id))
        {
            *figures
                .by_kind
                .entry(participant.kind)
                .or_default()
                .entry(verification_code(participant.verification).to_owned())
                .or_default() += 1;
            if let Some(commune) = &participant.commune {
                *figures.by_commune.entry(commune.clone()).or_default() += 1;
                for territory in &participant.territories {
                    figures
                        .by_territory
                        .entry(territory.clone())
                        .or_default()
                        .participants += 1;
                }
            }
        }
        let reference = domain::territory::reference();
        for (code, entry) in &mut figures.by_territory {
            entry.population = reference.population(code);
            entry.per_thousand = entry
                .population
                .filter(|p| *p > 0)
                .map(|p| entry.participants as f64 * 1000.0 / p as f64);
        }
        for contribution in self
            .contributions
            .iter()
            .filter(|c| c.concertation == concertation)
        {
            *figures
                .contributions_by_kind
                .entry(kind_code(contribution.kind))
                .or_default() += 1;
            *figures
                .contributions_per_day
                .entry(contribution.submitted_at.date())
                .or_default() += 1;
        }
        figures
    }
}

/// The prefixed codes of a commune and of every territory above it.
pub(crate) fn territories_of(commune: &str) -> Vec<String> {
    let mut codes = vec![commune.to_owned()];
    let Some(place) = commune
        .strip_prefix("COM:")
        .and_then(|c| domain::territory::reference().place_of_commune(c))
    else {
        return codes;
    };
    codes.extend(place.epci.map(|e| format!("EPCI:{e}")));
    codes.push(format!("DEP:{}", place.departement));
    codes.extend(place.region.map(|r| format!("REG:{r}")));
    codes
}

/// The synthesis of one theme of a concertation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemeSynthesis {
    /// The theme.
    pub theme: ThemeId,
    /// Its label.
    pub label: String,
    /// Published contributions tagged with it, by kind.
    pub contributions_by_kind: BTreeMap<String, u64>,
    /// Its most supported proposals and amendments (supports minus oppositions).
    pub most_supported: Vec<ContributionId>,
    /// The commission's answers to its contributions: (contribution, outcome).
    pub answers: Vec<(ContributionId, domain::contribution::AnswerOutcome)>,
}

/// The amendments of one doctrine article.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArticleAmendments {
    /// The article.
    pub article: String,
    /// Its published amendments, most supported first.
    pub amendments: Vec<ContributionRow>,
}

impl ReadModel {
    /// The synthesis per theme of a concertation, in the themes' order.
    pub fn synthesis_by_theme(
        &self,
        concertation: ConcertationId,
        top: usize,
    ) -> Vec<ThemeSynthesis> {
        let Some(row) = self.concertations.get(&concertation) else {
            return Vec::new();
        };
        row.themes
            .iter()
            .map(|theme| {
                let published: Vec<&ContributionRow> = self
                    .contributions
                    .iter()
                    .filter(|c| c.concertation == concertation && c.themes.contains(&theme.id))
                    .filter(|c| c.status == ContributionStatusRow::Published)
                    .collect();
                let mut by_kind = BTreeMap::new();
                for c in &published {
                    *by_kind.entry(kind_code(c.kind)).or_default() += 1;
                }
                let mut ranked: Vec<&&ContributionRow> = published
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.kind,
                            ContributionKind::Proposal | ContributionKind::Amendment
                        )
                    })
                    .collect();
                ranked.sort_by(|a, b| support_order(a, b));
                let mut answers: Vec<(
                    ContributionId,
                    domain::contribution::AnswerOutcome,
                    eventstore::Position,
                )> = published
                    .iter()
                    .filter_map(|c| c.answer.as_ref().map(|a| (c.id, a.outcome, c.position)))
                    .collect();
                answers.sort_by_key(|a| a.2);
                ThemeSynthesis {
                    theme: theme.id,
                    label: theme.label.clone(),
                    contributions_by_kind: by_kind,
                    most_supported: ranked.into_iter().take(top).map(|c| c.id).collect(),
                    answers: answers
                        .into_iter()
                        .map(|(id, outcome, _)| (id, outcome))
                        .collect(),
                }
            })
            .collect()
    }

    /// Published amendments to a doctrine, grouped by article (articles in code order),
    /// most supported first within each.
    pub fn amendments_by_article(
        &self,
        doctrine: domain::values::DoctrineId,
    ) -> Vec<ArticleAmendments> {
        let mut by_article: BTreeMap<String, Vec<ContributionRow>> = BTreeMap::new();
        for c in self
            .contributions
            .iter()
            .filter(|c| c.status == ContributionStatusRow::Published)
        {
            if let Some(anchor) = c.amendment.as_ref().filter(|a| a.doctrine == doctrine) {
                by_article
                    .entry(anchor.article.as_str().to_owned())
                    .or_default()
                    .push(c.clone());
            }
        }
        by_article
            .into_iter()
            .map(|(article, mut amendments)| {
                amendments.sort_by(support_order);
                ArticleAmendments {
                    article,
                    amendments,
                }
            })
            .collect()
    }
}

/// A contribution kind's stored code (`proposal`, …).
fn kind_code(kind: ContributionKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(code)) => code,
        _ => format!("{kind:?}").to_lowercase(),
    }
}

/// Most supported first: supports minus oppositions, then supports, then oldest.
fn support_order(a: &ContributionRow, b: &ContributionRow) -> std::cmp::Ordering {
    let score = |c: &ContributionRow| c.supports as i64 - c.oppositions as i64;
    score(b)
        .cmp(&score(a))
        .then(b.supports.cmp(&a.supports))
        .then(a.position.cmp(&b.position))
}
