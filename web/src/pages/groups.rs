//! The opinion groups of a concertation's statements questions, for the commission's
//! dashboard: a scatter of the participants in the opinion space (server-drawn SVG,
//! each group with its own colour and shape), the groups with their sizes and
//! representative statements, what most groups agree on and what splits them, and
//! what the result was computed from (log position, parameters).

use gateway::http::AppState;
use gateway::opinion_groups::{opinion_groups, StatementRef};
use gateway::queries::ConcertationView;
use projections::opinion_groups::Direction;

use crate::charts;
use crate::error::PageError;
use crate::i18n::Tr;

/// A statement with a share, written out.
pub struct StatementShare {
    /// The text (or why there is none).
    pub text: String,
    /// "82 % d'accord".
    pub share: String,
}

/// One group.
pub struct GroupBlock {
    /// "Groupe A".
    pub name: String,
    /// The mark's class, matching the scatter (`g0`…).
    pub class: String,
    /// The mark's shape, in words (for those who cannot tell colours apart).
    pub shape: String,
    /// Members.
    pub size: usize,
    /// Its representative statements.
    pub representative: Vec<StatementShare>,
}

/// The groups of one statements question.
pub struct GroupsBlock {
    /// The question.
    pub prompt: String,
    /// Whether a result exists yet.
    pub computed: bool,
    /// The scatter.
    pub chart: String,
    /// "312 participants, 280 placed in 3 groups…".
    pub summary: String,
    /// What it was computed from.
    pub provenance: String,
    /// The groups.
    pub groups: Vec<GroupBlock>,
    /// Statements most groups agree with.
    pub consensus: Vec<StatementShare>,
    /// Statements that split the groups.
    pub divisive: Vec<StatementShare>,
}

const SHAPES: [&str; 5] = [
    "groups.shape.circle",
    "groups.shape.square",
    "groups.shape.triangle",
    "groups.shape.diamond",
    "groups.shape.cross",
];

fn text(statement: &StatementRef, t: Tr) -> String {
    statement
        .text
        .clone()
        .unwrap_or_else(|| t.get("contribution.not_visible"))
}

fn group_name(id: usize) -> String {
    char::from(b'A' + (id % 26) as u8).to_string()
}

fn percent(p: f64) -> String {
    format!("{:.0}", (p * 100.0).clamp(0.0, 100.0))
}

/// The groups of every statements question of `c`.
pub fn blocks(
    state: &AppState,
    c: &ConcertationView,
    t: Tr,
) -> Result<Vec<GroupsBlock>, PageError> {
    let mut blocks = Vec::new();
    for q in c.questions.iter().filter(|q| q.kind == "statements") {
        let view = opinion_groups(&state.app, q.id)?;
        let points: Vec<(f64, f64, Option<usize>)> =
            view.points.iter().map(|p| (p.x, p.y, p.group)).collect();
        let groups = view
            .groups
            .iter()
            .map(|g| GroupBlock {
                name: t.fmt("groups.name", &[("name", group_name(g.id))]),
                class: format!("g{}", g.id % SHAPES.len()),
                shape: t.get(SHAPES[g.id % SHAPES.len()]),
                size: g.size,
                representative: g
                    .representative
                    .iter()
                    .map(|r| StatementShare {
                        text: text(&r.statement, t),
                        share: t.fmt(
                            match r.direction {
                                Direction::Agree => "groups.agree_share",
                                Direction::Disagree => "groups.disagree_share",
                            },
                            &[("pct", percent(r.probability))],
                        ),
                    })
                    .collect(),
            })
            .collect();
        let consensus = view
            .consensus_agree
            .iter()
            .map(|s| StatementShare {
                text: text(&s.statement, t),
                share: t.get("groups.consensus_agree"),
            })
            .chain(view.consensus_disagree.iter().map(|s| StatementShare {
                text: text(&s.statement, t),
                share: t.get("groups.consensus_disagree"),
            }))
            .collect();
        let divisive = view
            .divisive
            .iter()
            .map(|d| StatementShare {
                text: text(&d.statement, t),
                share: t.fmt(
                    "groups.split",
                    &[
                        ("agree", group_name(d.agreeing_group)),
                        ("disagree", group_name(d.disagreeing_group)),
                    ],
                ),
            })
            .collect();
        let summary = t.fmt(
            "groups.summary",
            &[
                ("participants", view.participants.to_string()),
                ("clustered", view.clustered.to_string()),
                ("groups", view.groups.len().to_string()),
                ("statements", view.statements.to_string()),
                ("votes", view.votes.to_string()),
            ],
        );
        blocks.push(GroupsBlock {
            prompt: q.prompt.clone(),
            // No result yet and no voter yet read the same: nothing to show.
            computed: view.computed && view.participants > 0,
            chart: charts::scatter(&summary, &points),
            provenance: t.fmt(
                "groups.provenance",
                &[
                    (
                        "position",
                        view.position.map(|p| p.to_string()).unwrap_or_default(),
                    ),
                    ("min_votes", view.parameters.min_votes.to_string()),
                    ("max_k", view.parameters.max_k.to_string()),
                ],
            ),
            summary,
            groups,
            consensus,
            divisive,
        });
    }
    Ok(blocks)
}
