//! The rows of the read models: plain data that pages, the API and exports read.

use std::collections::{BTreeMap, BTreeSet};

use domain::ballot::Vote;
use domain::concertation::{ModerationMode, Phase, QuestionKind};
use domain::contribution::{AnswerOutcome, CharterReason, ContributionKind, ModerationDecision};
use domain::participant::VerificationLevel;
use domain::values::{ConcertationId, ContributionId, ParticipantId, QuestionId, StaffId, ThemeId};
use eventstore::Position;
use serde::Serialize;
use time::OffsetDateTime;

/// A concertation as its pages show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConcertationRow {
    /// Its id.
    pub id: ConcertationId,
    /// Its unique slug.
    pub slug: String,
    /// The organising collectivité's SIREN.
    pub collectivite: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Territory codes of the scope (`COM:…`, `EPCI:…`, `DEP:…`, `REG:…`, `FR`).
    pub territories: Vec<String>,
    /// Phase.
    pub phase: Phase,
    /// A priori or a posteriori.
    pub moderation: ModerationMode,
    /// Scheduled opening.
    pub opens_at: OffsetDateTime,
    /// Scheduled (or extended) closing.
    pub closes_at: OffsetDateTime,
    /// Themes, in the order added.
    pub themes: Vec<ThemeRow>,
    /// Questions, in the order added.
    pub questions: Vec<QuestionRow>,
    /// Assigned facilitators.
    pub facilitators: BTreeSet<StaffId>,
    /// Distinct participants who contributed, voted or supported.
    pub participants: BTreeSet<ParticipantId>,
    /// Contributions submitted (all statuses).
    pub contribution_count: u64,
    /// Votes currently held (latest per participant and statement).
    pub vote_count: u64,
    /// The synthesis summary, once published.
    pub synthesis: Option<String>,
}

/// A theme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemeRow {
    /// Its id.
    pub id: ThemeId,
    /// Its label.
    pub label: String,
}

/// A question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionRow {
    /// Its id.
    pub id: QuestionId,
    /// Open, statements or amendments.
    pub kind: QuestionKind,
    /// The prompt.
    pub prompt: String,
}

/// Where a contribution stands in moderation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ContributionStatusRow {
    /// Awaiting approval (a priori moderation).
    Pending,
    /// Visible.
    Published,
    /// Hidden by a facilitator, with the charter reason.
    Hidden {
        /// The charter reason.
        reason: CharterReason,
    },
    /// Marked as a duplicate of another contribution.
    Duplicate {
        /// The original.
        of: ContributionId,
    },
    /// Withdrawn by its author.
    Withdrawn,
}

/// A moderation status without its details, to filter on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Awaiting approval.
    Pending,
    /// Visible.
    Published,
    /// Hidden by a facilitator.
    Hidden,
    /// Marked as a duplicate.
    Duplicate,
    /// Withdrawn by its author.
    Withdrawn,
}

impl ContributionStatusRow {
    /// The status without its details.
    pub fn kind(&self) -> StatusKind {
        match self {
            Self::Pending => StatusKind::Pending,
            Self::Published => StatusKind::Published,
            Self::Hidden { .. } => StatusKind::Hidden,
            Self::Duplicate { .. } => StatusKind::Duplicate,
            Self::Withdrawn => StatusKind::Withdrawn,
        }
    }
}

/// A contribution as lists and pages show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContributionRow {
    /// Its id.
    pub id: ContributionId,
    /// The concertation.
    pub concertation: ConcertationId,
    /// The question.
    pub question: QuestionId,
    /// Opinion, proposal, statement, amendment or comment.
    pub kind: ContributionKind,
    /// The pseudonymous author.
    pub author: ParticipantId,
    /// The parent, for a comment.
    pub parent: Option<ContributionId>,
    /// Themes (the author's, then the facilitators' tags).
    pub themes: BTreeSet<ThemeId>,
    /// Language tag.
    pub language: String,
    /// The current body; `None` once erased (its key destroyed). Read its text with
    /// [`ReadModel::body_text`](super::ReadModel::body_text), which also reads a
    /// spilled one.
    pub body: Option<RowBody>,
    /// For an amendment that replaces or inserts: the proposed article text; `None`
    /// otherwise or once erased.
    pub proposed_text: Option<String>,
    /// Moderation status.
    pub status: ContributionStatusRow,
    /// Featured by a facilitator.
    pub featured: bool,
    /// Revisions made by the author.
    pub revisions: u32,
    /// Supports.
    pub supports: u64,
    /// Oppositions.
    pub oppositions: u64,
    /// Reports received.
    pub reports: u64,
    /// Report reasons, with counts.
    pub report_reasons: BTreeMap<CharterReason, u64>,
    /// Whether an appeal is pending.
    pub appeal_pending: bool,
    /// The outcome of the last decided appeal (`true`: granted); `None` before any.
    pub appeal_granted: Option<bool>,
    /// The commission's answer.
    pub answer: Option<AnswerRow>,
    /// Recorded in a session by a facilitator.
    pub recorded_in_session: bool,
    /// For an amendment: the doctrine article it amends and how. Boxed: few rows have
    /// one, and inline it would make every row 64 bytes longer.
    pub amendment: Option<Box<domain::contribution::AmendmentAnchor>>,
    /// When it was submitted.
    pub submitted_at: OffsetDateTime,
    /// Position of the submission in the log.
    pub position: Position,
}

/// A contribution's current body, as its row keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowBody {
    /// The text, in memory (the server's read model).
    Kept(String),
    /// In the model's spill, to be read back (an export's replay).
    Spilled(super::body_spill::SpilledText),
}

/// A kept body serializes as its text; a spilled one, whose text is not at hand, as
/// `null`.
impl Serialize for RowBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Kept(text) => serializer.serialize_str(text),
            Self::Spilled(_) => serializer.serialize_none(),
        }
    }
}

/// The commission's answer to a proposal or amendment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerRow {
    /// Adopted, adopted with changes, rejected.
    pub outcome: AnswerOutcome,
    /// Why.
    pub justification: String,
}

/// A participant, without personal data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParticipantRow {
    /// Pseudonymous id.
    pub id: ParticipantId,
    /// `citoyen`, `entreprise` or `agent_public`.
    pub kind: ParticipantKindRow,
    /// The commune a citizen gave (`COM:…`), if any.
    pub commune: Option<String>,
    /// That commune and every territory above it (`EPCI:…`, `DEP:…`, `REG:…`),
    /// worked out once at registration for the tallies by territory.
    pub territories: Vec<String>,
    /// Verification level.
    pub verification: VerificationLevel,
    /// Erased at their request.
    pub erased: bool,
}

/// The kinds of participant.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKindRow {
    /// A citizen.
    Citoyen,
    /// A business.
    Entreprise,
    /// A public agent.
    AgentPublic,
}

/// Agree / disagree / pass counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Agree votes.
    pub agree: u64,
    /// Disagree votes.
    pub disagree: u64,
    /// Pass votes.
    pub pass: u64,
}

impl Tally {
    /// Adds (`+1`) or removes (`-1`) one vote.
    pub fn count(&mut self, vote: Vote, delta: i64) {
        let cell = match vote {
            Vote::Agree => &mut self.agree,
            Vote::Disagree => &mut self.disagree,
            Vote::Pass => &mut self.pass,
        };
        *cell = cell.saturating_add_signed(delta);
    }

    /// Votes cast.
    pub fn total(&self) -> u64 {
        self.agree + self.disagree + self.pass
    }

    /// How divided the voters who took a side are: 1 when agree equals disagree, 0
    /// when one side is empty.
    pub fn divisiveness(&self) -> f64 {
        let sided = self.agree + self.disagree;
        if sided == 0 {
            return 0.0;
        }
        1.0 - (self.agree as f64 - self.disagree as f64).abs() / sided as f64
    }
}

/// Tallies of one statement, overall and by participant kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StatementTally {
    /// All votes.
    pub overall: Tally,
    /// By kind of participant.
    pub by_kind: BTreeMap<ParticipantKindRow, Tally>,
    /// By territory of the voters who gave a commune (every level: `COM:`, `EPCI:`,
    /// `DEP:`, `REG:`).
    pub by_territory: BTreeMap<String, Tally>,
}

/// One moderation decision, as the moderation log shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModerationEntry {
    /// The contribution.
    pub contribution: ContributionId,
    /// The facilitator (shown to staff only; the public log omits it).
    pub facilitator: StaffId,
    /// What was decided.
    pub decision: ModerationDecision,
    /// The facilitator's note.
    pub note: String,
    /// When.
    pub at: OffsetDateTime,
}
