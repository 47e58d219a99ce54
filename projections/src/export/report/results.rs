//! The report's result sections: what each theme and each question produced, the
//! opinion groups and the consensus, the most supported proposals and the commission's
//! answers. Only published contributions are cited, never an erased text.

use std::collections::BTreeMap;

use domain::concertation::QuestionKind;
use domain::contribution::ContributionKind;
use domain::values::ContributionId;

use super::format::{self, excerpt, number, signed};
use super::labels;
use super::model::{heading, paragraph, strong, text, Chart, Drawing, Item, Table};
use crate::export::tables::{public_contributions, Scope};
use crate::model::rows::{ContributionRow, QuestionRow, StatementTally};
use crate::opinion_groups::OpinionGroups;

/// How many contributions a ranking lists.
const TOP: usize = 5;
/// How many characters of a contribution a table cites.
const EXCERPT: usize = 160;

/// The text of a published contribution, unless erased or not public.
fn public_text<'a>(scope: &'a Scope<'a>, id: ContributionId) -> Option<&'a str> {
    let c = scope.snapshot.model.contributions.get(&id)?;
    let public = c.concertation == scope.concertation.id
        && matches!(
            c.status,
            crate::model::rows::ContributionStatusRow::Published
                | crate::model::rows::ContributionStatusRow::Duplicate { .. }
        );
    public.then_some(c.body.as_deref()).flatten()
}

/// The most supported published proposals and amendments, `question` alone if given.
fn supported<'a>(
    scope: &'a Scope<'a>,
    question: Option<domain::values::QuestionId>,
    limit: usize,
) -> Vec<&'a ContributionRow> {
    scope
        .snapshot
        .model
        .most_supported(scope.concertation.id, usize::MAX)
        .into_iter()
        .filter(|c| c.body.is_some() && question.is_none_or(|q| c.question == q))
        .take(limit)
        .collect()
}

/// A ranking of proposals as a table.
fn supported_table(caption: String, rows: &[&ContributionRow]) -> Table {
    Table {
        caption,
        header: [
            "Rang",
            "Contribution",
            "Type",
            "Soutiens",
            "Oppositions",
            "Solde",
            "Réponse",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(rank, c)| {
                vec![
                    (rank + 1).to_string(),
                    excerpt(c.body.as_deref().unwrap_or_default(), EXCERPT),
                    labels::contribution_kind(c.kind).to_owned(),
                    number(c.supports),
                    number(c.oppositions),
                    signed(c.supports as i64 - c.oppositions as i64),
                    c.answer
                        .as_ref()
                        .map_or("sans réponse", |a| labels::outcome(a.outcome))
                        .to_owned(),
                ]
            })
            .collect(),
        row_headers: true,
    }
}

/// "Ce que chaque thème a produit".
pub fn themes(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let model = &scope.snapshot.model;
    let themes = model.synthesis_by_theme(scope.concertation.id, TOP);
    if themes.is_empty() {
        return;
    }
    items.push(heading(2, "Ce que chaque thème a produit"));
    for theme in themes {
        items.push(heading(3, format!("Thème « {} »", theme.label)));
        let total: u64 = theme.contributions_by_kind.values().sum();
        if total == 0 {
            items.push(paragraph("Aucune contribution publiée n'a reçu ce thème."));
            continue;
        }
        items.push(Item::Table(Table::new(
            format!(
                "Contributions publiées du thème « {} », par type",
                theme.label
            ),
            &["Type", "Contributions"],
            theme
                .contributions_by_kind
                .iter()
                .map(|(code, n)| vec![labels::contribution_kind_code(code).to_owned(), number(*n)])
                .collect(),
        )));
        let ranked: Vec<&ContributionRow> = theme
            .most_supported
            .iter()
            .filter_map(|id| model.contributions.get(id))
            .filter(|c| c.body.is_some())
            .collect();
        if !ranked.is_empty() {
            items.push(Item::Table(supported_table(
                format!(
                    "Les propositions les plus soutenues du thème « {} »",
                    theme.label
                ),
                &ranked,
            )));
        }
        let answers: Vec<Vec<_>> = theme
            .answers
            .iter()
            .filter_map(|(id, outcome)| {
                let body = public_text(scope, *id)?;
                Some(vec![
                    strong(format!("{} : ", labels::outcome(*outcome))),
                    text(excerpt(body, EXCERPT)),
                ])
            })
            .collect();
        if !answers.is_empty() {
            items.push(paragraph("Réponses de la commission sur ce thème :"));
            items.push(Item::List(answers));
        }
    }
}

/// "Ce que chaque question a produit".
pub fn questions(scope: &Scope<'_>, items: &mut Vec<Item>) {
    if scope.concertation.questions.is_empty() {
        return;
    }
    items.push(heading(2, "Ce que chaque question a produit"));
    for question in &scope.concertation.questions {
        items.push(heading(3, format!("« {} »", question.prompt)));
        items.push(paragraph(format!(
            "Type : {}.",
            labels::question_kind(&question.kind)
        )));
        let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
        for c in public_contributions(scope).filter(|c| c.question == question.id) {
            *by_kind
                .entry(labels::contribution_kind_plural(c.kind))
                .or_default() += 1;
        }
        if by_kind.is_empty() {
            items.push(paragraph("Aucune contribution publiée."));
            continue;
        }
        items.push(Item::Table(Table::new(
            "Contributions publiées, par type",
            &["Type", "Contributions"],
            by_kind
                .iter()
                .map(|(kind, n)| vec![(*kind).to_owned(), number(*n)])
                .collect(),
        )));
        match &question.kind {
            QuestionKind::Statements => statements(scope, question, items),
            QuestionKind::Open => {
                let ranked = supported(scope, Some(question.id), TOP);
                if !ranked.is_empty() {
                    items.push(Item::Table(supported_table(
                        "Les propositions les plus soutenues".to_owned(),
                        &ranked,
                    )));
                }
            }
            QuestionKind::Amendments { doctrine } => items.push(paragraph(format!(
                "Les amendements, leurs soutiens et les décisions de la commission sont \
                 détaillés article par article dans la doctrine révisée \
                 (doctrine/{doctrine}.md et doctrine/{doctrine}.odt)."
            ))),
        }
    }
}

/// The tallies of a statements question: the most agreed and the most divisive.
fn statements(scope: &Scope<'_>, question: &QuestionRow, items: &mut Vec<Item>) {
    let model = &scope.snapshot.model;
    let tallies: Vec<(&ContributionRow, StatementTally)> = public_contributions(scope)
        .filter(|c| c.question == question.id && c.kind == ContributionKind::Statement)
        .map(|c| (c, model.tallies.get(&c.id).cloned().unwrap_or_default()))
        .collect();
    let votes: u64 = tallies.iter().map(|(_, t)| t.overall.total()).sum();
    items.push(paragraph(format!(
        "{}, {} (le dernier vote de chaque participant sur chaque énoncé).",
        format::count(tallies.len() as u64, "énoncé publié", "énoncés publiés"),
        format::count(votes, "vote", "votes")
    )));
    let table = |caption: &str, rows: &[&(&ContributionRow, StatementTally)]| {
        Item::Table(Table::new(
            caption,
            &[
                "Énoncé",
                "D'accord",
                "Pas d'accord",
                "Je passe",
                "Part d'accord",
                "Clivage",
            ],
            rows.iter()
                .map(|(c, t)| {
                    let sided = t.overall.agree + t.overall.disagree;
                    vec![
                        excerpt(c.body.as_deref().unwrap_or_default(), EXCERPT),
                        number(t.overall.agree),
                        number(t.overall.disagree),
                        number(t.overall.pass),
                        if sided == 0 {
                            "—".to_owned()
                        } else {
                            format::percent(t.overall.agree as f64 / sided as f64)
                        },
                        format::decimal(t.overall.divisiveness(), 2),
                    ]
                })
                .collect(),
        ))
    };
    let mut agreed: Vec<&(&ContributionRow, StatementTally)> = tallies
        .iter()
        .filter(|(_, t)| t.overall.agree > 0)
        .collect();
    agreed.sort_by(|a, b| {
        b.1.overall
            .agree
            .cmp(&a.1.overall.agree)
            .then(a.1.overall.disagree.cmp(&b.1.overall.disagree))
            .then(a.0.position.cmp(&b.0.position))
    });
    agreed.truncate(TOP);
    if !agreed.is_empty() {
        items.push(table(
            "Les énoncés qui recueillent le plus d'accords",
            &agreed,
        ));
    }
    // At least two sided votes, so that one lone vote is never called a split.
    let mut divisive: Vec<&(&ContributionRow, StatementTally)> = tallies
        .iter()
        .filter(|(_, t)| {
            t.overall.agree + t.overall.disagree >= 2 && t.overall.divisiveness() > 0.0
        })
        .collect();
    divisive.sort_by(|a, b| {
        b.1.overall
            .divisiveness()
            .total_cmp(&a.1.overall.divisiveness())
            .then(a.0.position.cmp(&b.0.position))
    });
    divisive.truncate(TOP);
    if !divisive.is_empty() {
        items.push(table("Les énoncés les plus clivants", &divisive));
    }
}

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
        .map_or_else(|| "(énoncé non publié)".to_owned(), |t| excerpt(t, EXCERPT))
}

/// "Les propositions les plus soutenues".
pub fn most_supported(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let ranked = supported(scope, None, 10);
    if ranked.is_empty() {
        return;
    }
    items.push(heading(2, "Les propositions les plus soutenues"));
    items.push(paragraph(
        "Propositions et amendements publiés, classés par solde (soutiens moins \
         oppositions), puis par nombre de soutiens.",
    ));
    items.push(Item::Table(supported_table(
        "Les dix propositions et amendements les plus soutenus".to_owned(),
        &ranked,
    )));
}

/// "Les réponses de la commission".
pub fn answers(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let answered: Vec<&ContributionRow> = public_contributions(scope)
        .filter(|c| c.answer.is_some())
        .collect();
    items.push(heading(2, "Les réponses de la commission"));
    if answered.is_empty() {
        items.push(paragraph(
            "La commission n'a encore répondu à aucune contribution.",
        ));
        return;
    }
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for c in &answered {
        if let Some(a) = &c.answer {
            *counts.entry(labels::outcome(a.outcome)).or_default() += 1;
        }
    }
    items.push(paragraph(format!(
        "La commission a répondu à {} : {}.",
        format::count(answered.len() as u64, "contribution", "contributions"),
        counts
            .iter()
            .map(|(outcome, n)| format!("{} {}", outcome.to_lowercase(), number(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    )));
    for c in answered {
        let Some(answer) = &c.answer else { continue };
        items.push(Item::Paragraph(vec![strong(format!(
            "{} — {} ({}, {})",
            labels::outcome(answer.outcome),
            labels::contribution_kind(c.kind),
            format::count(c.supports, "soutien", "soutiens"),
            format::count(c.oppositions, "opposition", "oppositions")
        ))]));
        items.push(Item::Quote(c.body.clone().unwrap_or_default()));
        items.push(Item::Paragraph(vec![
            strong("Justification : "),
            text(answer.justification.clone()),
        ]));
    }
}
