//! The report's "Groupes d'opinion et consensus": for each statements question, the
//! map of opinions with the groups' sizes, what characterises each group and the
//! statements the groups share. Statements are cited only when published.

use domain::values::ContributionId;

use super::format::{self, excerpt, number};
use super::labels;
use super::model::{heading, paragraph, Chart, Drawing, Item, Table};
use super::results::{public_text, EXCERPT};
use crate::export::tables::Scope;
use crate::model::rows::QuestionRow;
use crate::opinion_groups::OpinionGroups;

/// "Groupes d'opinion et consensus".
pub fn groups(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let questions: Vec<(&QuestionRow, &OpinionGroups)> = scope
        .concertation
        .questions
        .iter()
        .filter_map(|q| Some((q, scope.groups.get(&q.id)?)))
        .collect();
    if questions.is_empty() {
        return;
    }
    items.push(heading(2, "Groupes d'opinion et consensus"));
    for (question, groups) in questions {
        items.push(heading(3, format!("« {} »", question.prompt)));
        if groups.groups.is_empty() {
            items.push(paragraph(format!(
                "Pas de groupes d'opinion : {} sur {}, trop peu pour les distinguer.",
                format::count(
                    groups.n_participants as u64,
                    "participant a voté",
                    "participants ont voté"
                ),
                format::count(groups.n_statements as u64, "énoncé", "énoncés")
            )));
            continue;
        }
        items.push(paragraph(format!(
            "{} sur {} ({}) ; {} d'entre eux, assez actifs, sont répartis en {}.",
            format::count(
                groups.n_participants as u64,
                "participant a voté",
                "participants ont voté"
            ),
            format::count(groups.n_statements as u64, "énoncé", "énoncés"),
            format::count(groups.n_votes as u64, "vote", "votes"),
            number(groups.n_clustered as u64),
            format::count(groups.groups.len() as u64, "groupe", "groupes")
        )));
        let sizes = groups
            .groups
            .iter()
            .map(|g| format!("{} : {}", labels::group(g.id), number(g.size as u64)))
            .collect::<Vec<_>>()
            .join(", ");
        items.push(Item::Chart(Chart {
            description: format!(
                "Carte des opinions : chaque marque est un participant, placé selon ses votes \
                 sur les deux premières composantes ; une forme par groupe. Taille des \
                 groupes : {sizes}."
            ),
            drawing: Drawing::Scatter(
                groups
                    .participants
                    .iter()
                    .map(|p| (p.x, p.y, p.group))
                    .collect(),
            ),
            table: Table::new(
                "Les groupes d'opinion : taille et position moyenne",
                &["Groupe", "Participants", "Centre (axe 1)", "Centre (axe 2)"],
                groups
                    .groups
                    .iter()
                    .map(|g| {
                        vec![
                            labels::group(g.id),
                            number(g.size as u64),
                            format::decimal(g.center[0], 3),
                            format::decimal(g.center[1], 3),
                        ]
                    })
                    .collect(),
            ),
        }));
        for group in &groups.groups {
            items.push(heading(
                4,
                format!(
                    "{} ({})",
                    labels::group(group.id),
                    format::count(group.size as u64, "participant", "participants")
                ),
            ));
            if group.representative.is_empty() {
                items.push(paragraph("Aucun énoncé ne distingue ce groupe des autres."));
                continue;
            }
            items.push(Item::Table(Table::new(
                format!(
                    "Ce qui caractérise le {}",
                    labels::group(group.id).to_lowercase()
                ),
                &["Énoncé", "Le groupe est", "Part du groupe", "Significatif"],
                group
                    .representative
                    .iter()
                    .map(|r| {
                        vec![
                            statement_text(scope, &r.statement),
                            labels::direction(r.direction).to_owned(),
                            format::percent(r.probability),
                            if r.significant { "oui" } else { "non" }.to_owned(),
                        ]
                    })
                    .collect(),
            )));
        }
        let consensus: Vec<_> = groups
            .consensus_agree
            .iter()
            .chain(&groups.consensus_disagree)
            .collect();
        items.push(heading(4, "Consensus entre les groupes"));
        if consensus.is_empty() {
            items.push(paragraph("Aucun énoncé ne rassemble tous les groupes."));
        } else {
            items.push(Item::Table(Table::new(
                "Les énoncés sur lesquels les groupes se rejoignent",
                &["Énoncé", "Les groupes sont", "Accord des groupes"],
                consensus
                    .iter()
                    .map(|c| {
                        vec![
                            statement_text(scope, &c.statement),
                            labels::direction(c.direction).to_owned(),
                            format::percent(c.group_aware),
                        ]
                    })
                    .collect(),
            )));
        }
    }
}

/// A statement's text by its key in the opinion groups, or why it is not shown.
fn statement_text(scope: &Scope<'_>, key: &str) -> String {
    key.parse::<ContributionId>()
        .ok()
        .and_then(|id| public_text(scope, id))
        .map_or_else(
            || "(énoncé non publié)".to_owned(),
            |t| excerpt(&t, EXCERPT),
        )
}
