//! The opinion groups of a statements question, as the commission's dashboard and the
//! API show them: participants' positions and groups (without their ids), the groups'
//! sizes and representative statements with Polis's statistics, the consensus and the
//! divisive statements, and the position and parameters the result was computed at.

use std::borrow::Cow;

use domain::concertation::QuestionKind;
use domain::values::{ConcertationId, ContributionId, QuestionId};
use eventstore::Position;
use projections::model::rows::ContributionStatusRow;
use projections::model::ReadModel;
use projections::opinion_groups::{Candidate, Direction, Parameters, Representative};
use serde::Serialize;

use crate::app::App;
use crate::error::{AppError, AppResult};

/// A statement as the groups show it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StatementRef {
    /// The statement.
    pub id: ContributionId,
    /// Its text, when published (`None`: pending, hidden, withdrawn or erased).
    pub text: Option<String>,
}

/// One participant in the opinion space (anonymous: no id).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PointView {
    /// First principal component.
    pub x: f64,
    /// Second principal component.
    pub y: f64,
    /// Their group, or `None` when they voted too little to be clustered.
    pub group: Option<usize>,
}

/// What characterises a group.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RepresentativeView {
    /// The statement.
    pub statement: StatementRef,
    /// `agree` or `disagree`: how the group differs from the rest.
    pub direction: Direction,
    /// Share of the group voting that way (Laplace-smoothed).
    pub probability: f64,
    /// Polis's repness: that share over the rest's.
    pub repness: f64,
    /// Polis's repness test (z).
    pub repness_test: f64,
    /// Whether both tests pass at the significance threshold.
    pub significant: bool,
    /// Votes in the group: agree, disagree, seen.
    pub agree: u32,
    /// See `agree`.
    pub disagree: u32,
    /// See `agree`.
    pub seen: u32,
}

/// One opinion group.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GroupView {
    /// 0-based id; groups are numbered by decreasing size.
    pub id: usize,
    /// Members.
    pub size: usize,
    /// Mean position of the members.
    pub center: [f64; 2],
    /// Representative statements, best first.
    pub representative: Vec<RepresentativeView>,
}

/// A statement most groups agree (or disagree) on.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConsensusView {
    /// The statement.
    pub statement: StatementRef,
    /// Product of the groups' probabilities (Polis's group-aware consensus).
    pub group_aware: f64,
    /// Each group's probability, by group id.
    pub per_group: Vec<f64>,
}

/// A statement that splits the groups.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DivisiveView {
    /// The statement.
    pub statement: StatementRef,
    /// How far apart the groups stand.
    pub divisiveness: f64,
    /// The group agreeing most.
    pub agreeing_group: usize,
    /// The group disagreeing most.
    pub disagreeing_group: usize,
}

/// The opinion groups of one statements question.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OpinionGroupsView {
    /// The question.
    pub question: QuestionId,
    /// Its concertation.
    pub concertation: ConcertationId,
    /// Whether groups have been computed yet (they follow the votes by a few seconds).
    pub computed: bool,
    /// Every event up to this position counts (`None` before the first computation).
    pub position: Option<Position>,
    /// The parameters used.
    pub parameters: Parameters,
    /// Participants who voted.
    pub participants: usize,
    /// Participants placed in a group.
    pub clustered: usize,
    /// Statements voted on.
    pub statements: usize,
    /// Votes.
    pub votes: usize,
    /// Share of the variance on each of the two axes.
    pub explained: [f64; 2],
    /// Every number of groups tried, with its silhouette.
    pub candidates: Vec<Candidate>,
    /// Every participant's position, in a fixed order.
    pub points: Vec<PointView>,
    /// The groups, largest first.
    pub groups: Vec<GroupView>,
    /// Statements most groups agree with.
    pub consensus_agree: Vec<ConsensusView>,
    /// Statements most groups disagree with.
    pub consensus_disagree: Vec<ConsensusView>,
    /// Statements that split the groups.
    pub divisive: Vec<DivisiveView>,
}

fn statement(m: &ReadModel, key: &str) -> StatementRef {
    let id: Option<ContributionId> = key.parse().ok();
    let row = id.and_then(|id| m.contributions.get(&id));
    StatementRef {
        id: row.map_or_else(|| ContributionId::from_uuid(uuid::Uuid::nil()), |c| c.id),
        text: row
            .filter(|c| c.status == ContributionStatusRow::Published)
            .and_then(|c| m.body_text(c).map(Cow::into_owned)),
    }
}

fn representative(m: &ReadModel, r: &Representative) -> RepresentativeView {
    RepresentativeView {
        statement: statement(m, &r.statement),
        direction: r.direction,
        probability: r.probability,
        repness: r.repness,
        repness_test: r.repness_test,
        significant: r.significant,
        agree: r.stats.counts.agree,
        disagree: r.stats.counts.disagree,
        seen: r.stats.counts.seen,
    }
}

/// The opinion groups of a statements question (404 when it is none).
pub fn opinion_groups(app: &App, question: QuestionId) -> AppResult<OpinionGroupsView> {
    let projections = app.read_models()?;
    let snapshot = projections.opinion_groups().get(question);
    let m = projections.model().read();
    let concertation = m
        .concertations
        .values()
        .find(|c| {
            c.questions
                .iter()
                .any(|q| q.id == question && q.kind == QuestionKind::Statements)
        })
        .map(|c| c.id)
        .ok_or(AppError::Rejected(domain::Rejection::UnknownQuestion))?;
    let Some(snapshot) = snapshot else {
        return Ok(OpinionGroupsView {
            question,
            concertation,
            computed: false,
            position: None,
            parameters: Parameters::default(),
            participants: 0,
            clustered: 0,
            statements: 0,
            votes: 0,
            explained: [0.0, 0.0],
            candidates: Vec::new(),
            points: Vec::new(),
            groups: Vec::new(),
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            divisive: Vec::new(),
        });
    };
    let g = &snapshot.groups;
    let consensus = |list: &[projections::opinion_groups::Consensus]| {
        list.iter()
            .map(|c| ConsensusView {
                statement: statement(&m, &c.statement),
                group_aware: c.group_aware,
                per_group: c.per_group.clone(),
            })
            .collect()
    };
    Ok(OpinionGroupsView {
        question,
        concertation,
        computed: true,
        position: Some(snapshot.position),
        parameters: g.parameters.clone(),
        participants: g.n_participants,
        clustered: g.n_clustered,
        statements: g.n_statements,
        votes: g.n_votes,
        explained: g.pca.explained,
        candidates: g.candidates.clone(),
        points: g
            .participants
            .iter()
            .map(|p| PointView {
                x: p.x,
                y: p.y,
                group: p.group,
            })
            .collect(),
        groups: g
            .groups
            .iter()
            .map(|group| GroupView {
                id: group.id,
                size: group.size,
                center: group.center,
                representative: group
                    .representative
                    .iter()
                    .map(|r| representative(&m, r))
                    .collect(),
            })
            .collect(),
        consensus_agree: consensus(&g.consensus_agree),
        consensus_disagree: consensus(&g.consensus_disagree),
        divisive: g
            .divisive
            .iter()
            .map(|d| DivisiveView {
                statement: statement(&m, &d.statement),
                divisiveness: d.divisiveness,
                agreeing_group: d.agreeing_group,
                disagreeing_group: d.disagreeing_group,
            })
            .collect(),
    })
}
