//! The report's result sections: what each theme and each question produced, the most
//! supported proposals and the commission's answers (the opinion groups are in
//! `groups`). Only published contributions are cited, never an erased text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use domain::concertation::QuestionKind;
use domain::contribution::ContributionKind;
use domain::values::ContributionId;

use super::format::{self, excerpt, number, signed};
use super::labels;
use super::model::{heading, paragraph, strong, text, Item, Table};
use crate::export::tables::{public_contributions, Scope};
use crate::model::rows::{ContributionRow, QuestionRow, StatementTally};

/// How many contributions a ranking lists.
const TOP: usize = 5;
/// How many characters of a contribution a table cites.
pub(super) const EXCERPT: usize = 160;

/// The text of a published contribution, unless erased or not public.
pub(super) fn public_text<'a>(scope: &'a Scope<'a>, id: ContributionId) -> Option<Cow<'a, str>> {
    let c = scope.snapshot.model.contributions.get(&id)?;
    let public = c.concertation == scope.concertation.id
        && matches!(
            c.status,
            crate::model::rows::ContributionStatusRow::Published
                | crate::model::rows::ContributionStatusRow::Duplicate { .. }
        );
    public.then(|| scope.body(c)).flatten()
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
fn supported_table(scope: &Scope<'_>, caption: String, rows: &[&ContributionRow]) -> Table {
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
                    excerpt(&scope.body(c).unwrap_or_default(), EXCERPT),
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
                scope,
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
                    text(excerpt(&body, EXCERPT)),
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
                        scope,
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
                        excerpt(&scope.body(c).unwrap_or_default(), EXCERPT),
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
        scope,
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
        items.push(Item::Quote(scope.body(c).unwrap_or_default().into_owned()));
        items.push(Item::Paragraph(vec![
            strong("Justification : "),
            text(answer.justification.clone()),
        ]));
    }
}
