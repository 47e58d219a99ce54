//! The tables of the statements questions (Polis-style votes): tallies per statement,
//! opinion groups, their representative statements and the consensus.

use std::borrow::Cow;

use domain::values::ContributionId;

use super::{code_of, col, opt, public_contributions, ColumnType::*, Rows, Scope, TableDef};
use crate::export::Cell;
use crate::model::rows::{ParticipantKindRow, Tally};

/// Votes per statement.
pub const TALLIES: TableDef = TableDef {
    name: "votes_par_enonce",
    title: "Votes par énoncé",
    description: "Une ligne par énoncé publié : le dernier vote de chaque participant, \
                  au total et par type de participant.",
    columns: &[
        col("enonce_id", Text, "Identifiant de l'énoncé."),
        col("question_id", Text, "Identifiant de la question."),
        col("texte", Text, "Texte de l'énoncé."),
        col("pour", Integer, "Votes « d'accord »."),
        col("contre", Integer, "Votes « pas d'accord »."),
        col("passe", Integer, "Votes « je passe »."),
        col("total", Integer, "Votes exprimés."),
        col(
            "clivage",
            Decimal,
            "1 quand les « pour » égalent les « contre », 0 quand un camp est vide.",
        ),
        col("citoyen_pour", Integer, "Votes « d'accord » des citoyens."),
        col(
            "citoyen_contre",
            Integer,
            "Votes « pas d'accord » des citoyens.",
        ),
        col(
            "entreprise_pour",
            Integer,
            "Votes « d'accord » des entreprises.",
        ),
        col(
            "entreprise_contre",
            Integer,
            "Votes « pas d'accord » des entreprises.",
        ),
        col(
            "agent_public_pour",
            Integer,
            "Votes « d'accord » des agents publics.",
        ),
        col(
            "agent_public_contre",
            Integer,
            "Votes « pas d'accord » des agents publics.",
        ),
    ],
};

/// Opinion groups.
pub const GROUPS: TableDef = TableDef {
    name: "groupes_d_opinion",
    title: "Groupes d'opinion",
    description: "Une ligne par groupe d'opinion de chaque question à énoncés (analyse \
                  en composantes principales et k-moyennes, comme Polis).",
    columns: &[
        col("question_id", Text, "Identifiant de la question."),
        col("groupe", Integer, "Numéro du groupe (0 : le plus grand)."),
        col("taille", Integer, "Nombre de participants du groupe."),
        col(
            "centre_x",
            Decimal,
            "Position moyenne sur la première composante.",
        ),
        col(
            "centre_y",
            Decimal,
            "Position moyenne sur la seconde composante.",
        ),
    ],
};

/// Representative statements of each group.
pub const GROUP_STATEMENTS: TableDef = TableDef {
    name: "enonces_representatifs",
    title: "Énoncés représentatifs des groupes",
    description: "Ce qui caractérise chaque groupe : les énoncés sur lesquels il se \
                  distingue des autres, les meilleurs d'abord.",
    columns: &[
        col("question_id", Text, "Identifiant de la question."),
        col("groupe", Integer, "Numéro du groupe."),
        col(
            "rang",
            Integer,
            "Rang dans le groupe (1 : le plus représentatif).",
        ),
        col("enonce_id", Text, "Identifiant de l'énoncé."),
        opt("texte", Text, "Texte de l'énoncé (vide s'il a été effacé)."),
        col("sens", Text, "agree (le groupe est d'accord) ou disagree."),
        col(
            "probabilite",
            Decimal,
            "Part du groupe dans ce sens (lissée).",
        ),
        col(
            "representativite",
            Decimal,
            "Rapport à la part hors du groupe.",
        ),
        col("significatif", Bool, "Significatif au seuil de 90 %."),
    ],
};

/// Consensus statements.
pub const CONSENSUS: TableDef = TableDef {
    name: "consensus",
    title: "Consensus entre les groupes",
    description: "Les énoncés sur lesquels les groupes s'accordent (ou se rejoignent \
                  dans le désaccord).",
    columns: &[
        col("question_id", Text, "Identifiant de la question."),
        col("enonce_id", Text, "Identifiant de l'énoncé."),
        opt("texte", Text, "Texte de l'énoncé (vide s'il a été effacé)."),
        col(
            "sens",
            Text,
            "agree (accord partagé) ou disagree (désaccord partagé).",
        ),
        col(
            "accord_des_groupes",
            Decimal,
            "Produit des probabilités de chaque groupe dans ce sens.",
        ),
    ],
};

/// Tally rows.
pub fn tally_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let model = &scope.snapshot.model;
    Box::new(
        public_contributions(scope)
            .filter(|c| c.kind == domain::contribution::ContributionKind::Statement)
            .map(move |c| {
                let tally = model.tallies.get(&c.id).cloned().unwrap_or_default();
                let of = |kind| tally.by_kind.get(&kind).copied().unwrap_or_default();
                let (citoyen, entreprise, agent): (Tally, Tally, Tally) = (
                    of(ParticipantKindRow::Citoyen),
                    of(ParticipantKindRow::Entreprise),
                    of(ParticipantKindRow::AgentPublic),
                );
                let n = |v: u64| Cell::Integer(v as i64);
                vec![
                    Cell::text(c.id.to_string()),
                    Cell::text(c.question.to_string()),
                    Cell::text_or_empty(scope.body(c).map(Cow::into_owned)),
                    n(tally.overall.agree),
                    n(tally.overall.disagree),
                    n(tally.overall.pass),
                    n(tally.overall.total()),
                    Cell::Decimal(tally.overall.divisiveness()),
                    n(citoyen.agree),
                    n(citoyen.disagree),
                    n(entreprise.agree),
                    n(entreprise.disagree),
                    n(agent.agree),
                    n(agent.disagree),
                ]
            }),
    )
}

/// Group rows.
pub fn group_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    Box::new(scope.groups.iter().flat_map(|(question, groups)| {
        groups.groups.iter().map(move |g| {
            vec![
                Cell::text(question.to_string()),
                Cell::Integer(g.id as i64),
                Cell::Integer(g.size as i64),
                Cell::Decimal(g.center[0]),
                Cell::Decimal(g.center[1]),
            ]
        })
    }))
}

/// The text of a statement named by its key in the opinion groups, unless erased.
fn statement_text(scope: &Scope<'_>, key: &str) -> Cell {
    let text = key
        .parse::<ContributionId>()
        .ok()
        .and_then(|id| scope.snapshot.model.contributions.get(&id))
        .and_then(|c| scope.body(c).map(Cow::into_owned));
    Cell::text_or_empty(text)
}

/// Representative statement rows.
pub fn group_statement_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    Box::new(scope.groups.iter().flat_map(move |(question, groups)| {
        groups.groups.iter().flat_map(move |g| {
            g.representative.iter().enumerate().map(move |(rank, r)| {
                vec![
                    Cell::text(question.to_string()),
                    Cell::Integer(g.id as i64),
                    Cell::Integer(rank as i64 + 1),
                    Cell::text(r.statement.clone()),
                    statement_text(scope, &r.statement),
                    Cell::text(code_of(&r.direction)),
                    Cell::Decimal(r.probability),
                    Cell::Decimal(r.repness),
                    Cell::Bool(r.significant),
                ]
            })
        })
    }))
}

/// Consensus rows.
pub fn consensus_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    Box::new(scope.groups.iter().flat_map(move |(question, groups)| {
        groups
            .consensus_agree
            .iter()
            .chain(&groups.consensus_disagree)
            .map(move |c| {
                vec![
                    Cell::text(question.to_string()),
                    Cell::text(c.statement.clone()),
                    statement_text(scope, &c.statement),
                    Cell::text(code_of(&c.direction)),
                    Cell::Decimal(c.group_aware),
                ]
            })
    }))
}
