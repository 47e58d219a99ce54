//! The revision of one doctrine by a concertation, article by article: the text at the
//! version the concertation's amendments targeted, the amendments with their support
//! by kind of participant and the commission's decision, the current text with the
//! words added and removed since, and the contributions each change came from.
//!
//! It is written in the report's document model ([`Report`]), so that the Markdown and
//! OpenDocument renderers only translate it.

use std::collections::{BTreeMap, BTreeSet};

use domain::doctrine::{Article, ArticleEdit, Doctrine};
use domain::support::Stance;
use domain::values::{ContributionId, DoctrineId};

use crate::export::report::format::{date_time, excerpt, number};
use crate::export::report::labels;
use crate::export::report::model::{heading, paragraph, strong, text, Inline, Item, Report, Table};
use crate::export::tables::{public_contributions, Scope};
use crate::model::rows::{ContributionRow, ContributionStatusRow, ParticipantKindRow};
use crate::text_diff::{self, Piece};

/// How many characters of a source contribution a change cites.
const SOURCE_EXCERPT: usize = 120;

/// The doctrines the concertation's amendments questions amend, in the questions'
/// order, each once.
pub fn amended_doctrines(scope: &Scope<'_>) -> Vec<DoctrineId> {
    let mut seen = BTreeSet::new();
    scope
        .concertation
        .questions
        .iter()
        .filter_map(|q| match q.kind {
            domain::concertation::QuestionKind::Amendments { doctrine } => Some(doctrine),
            _ => None,
        })
        .filter(|d| seen.insert(*d))
        .collect()
}

/// The version the concertation's amendments to `doctrine` were written against: the
/// earliest anchor among them (whatever their status, since the anchor is a fact of
/// the submission), or the current version when none was submitted.
pub fn base_version(scope: &Scope<'_>, doctrine: &Doctrine) -> u32 {
    let model = &scope.snapshot.model;
    let known = scope.snapshot.doctrine_versions.get(&doctrine.id);
    model
        .contributions
        .iter()
        .filter(|c| c.concertation == scope.concertation.id)
        .filter_map(|c| c.amendment.as_ref())
        .filter(|a| a.doctrine == doctrine.id)
        .map(|a| a.version)
        .filter(|v| known.is_some_and(|k| k.contains_key(v)))
        .min()
        .unwrap_or(doctrine.version)
}

/// Supports and oppositions of each contribution, by kind of participant.
type SupportsByKind = BTreeMap<ContributionId, BTreeMap<ParticipantKindRow, (u64, u64)>>;

/// Counts the supports held now; summing makes the map's iteration order irrelevant.
fn supports_by_kind(scope: &Scope<'_>) -> SupportsByKind {
    let model = &scope.snapshot.model;
    let mut out = SupportsByKind::new();
    for ((participant, contribution), stance) in &model.supports {
        let Some(kind) = model.participants.get(participant).map(|p| p.kind) else {
            continue;
        };
        let cell = out
            .entry(*contribution)
            .or_default()
            .entry(kind)
            .or_default();
        match stance {
            Stance::Support => cell.0 += 1,
            Stance::Oppose => cell.1 += 1,
        }
    }
    out
}

/// The revision of `doctrine` by the scope's concertation.
pub fn build(scope: &Scope<'_>, doctrine: &Doctrine) -> Report {
    let base = base_version(scope, doctrine);
    let versions = scope.snapshot.doctrine_versions.get(&doctrine.id);
    let base_articles: &[Article] = versions
        .and_then(|v| v.get(&base))
        .map_or(&doctrine.articles, Vec::as_slice);
    let title = format!("Doctrine révisée — {}", doctrine.title.as_str());
    let mut items = vec![heading(1, title.clone())];
    items.push(Item::Paragraph(vec![
        strong("Convention : "),
        text("les mots ajoutés depuis la version de référence sont marqués "),
        Inline::Inserted("ainsi".to_owned()),
        text(", les mots supprimés "),
        Inline::Deleted("ainsi".to_owned()),
        text(" (dans le fichier Markdown : <ins>…</ins> et ~~…~~)."),
    ]));
    items.push(paragraph(format!(
        "Révision issue de la concertation « {} ». Version de référence : {} (celle que \
         visaient les amendements) ; version actuelle : {}. Journal arrêté au {} (position \
         {}).",
        scope.concertation.title,
        base,
        doctrine.version,
        date_time(scope.snapshot.recorded_at),
        scope.snapshot.position
    )));
    if doctrine.demonstration {
        items.push(paragraph(
            "Texte de démonstration : cette doctrine ne reproduit pas le manifeste.",
        ));
    }

    let mut amendments: BTreeMap<String, Vec<&ContributionRow>> = BTreeMap::new();
    for c in public_contributions(scope) {
        if let Some(anchor) = c.amendment.as_ref().filter(|a| a.doctrine == doctrine.id) {
            amendments
                .entry(anchor.article.as_str().to_owned())
                .or_default()
                .push(c);
        }
    }
    for list in amendments.values_mut() {
        list.sort_by(|a, b| {
            let score = |c: &ContributionRow| c.supports as i64 - c.oppositions as i64;
            score(b)
                .cmp(&score(a))
                .then(b.supports.cmp(&a.supports))
                .then(a.position.cmp(&b.position))
        });
    }
    let supports = supports_by_kind(scope);

    // The current order, then the articles deleted since the base version, then any
    // article amended but in neither version (inserted and deleted in between).
    let mut order: Vec<String> = doctrine
        .articles
        .iter()
        .map(|a| a.id.as_str().to_owned())
        .collect();
    for a in base_articles {
        if !order.iter().any(|id| id == a.id.as_str()) {
            order.push(a.id.as_str().to_owned());
        }
    }
    for id in amendments.keys() {
        if !order.contains(id) {
            order.push(id.clone());
        }
    }
    for id in &order {
        let before = base_articles.iter().find(|a| a.id.as_str() == id);
        let after = doctrine.articles.iter().find(|a| a.id.as_str() == id);
        article(
            scope,
            doctrine,
            base,
            id,
            (before, after),
            amendments.get(id).map_or(&[][..], Vec::as_slice),
            &supports,
            &mut items,
        );
    }
    Report { title, items }
}

/// One article's part of the revision.
#[allow(clippy::too_many_arguments)]
fn article(
    scope: &Scope<'_>,
    doctrine: &Doctrine,
    base: u32,
    id: &str,
    (before, after): (Option<&Article>, Option<&Article>),
    amendments: &[&ContributionRow],
    supports: &SupportsByKind,
    items: &mut Vec<Item>,
) {
    let name = after
        .or(before)
        .map(|a| a.title.as_str().to_owned())
        .unwrap_or_default();
    let status = match (before, after) {
        (Some(b), Some(a)) if b.text == a.text => "inchangé",
        (Some(_), Some(_)) => "modifié",
        (None, Some(_)) => "ajouté",
        (Some(_), None) => "supprimé",
        (None, None) => "absent des deux versions",
    };
    items.push(heading(2, format!("Article {id} — {name} ({status})")));

    items.push(heading(3, format!("Texte de la version {base}")));
    match before {
        Some(b) => items.push(Item::Quote(b.text.as_str().to_owned())),
        None => items.push(paragraph(format!(
            "L'article n'existait pas dans la version {base}."
        ))),
    }

    items.push(heading(3, "Amendements proposés"));
    if amendments.is_empty() {
        items.push(paragraph("Aucun amendement publié sur cet article."));
    }
    for c in amendments {
        amendment(scope, c, supports, items);
    }

    items.push(heading(
        3,
        format!("Texte révisé (version {})", doctrine.version),
    ));
    let old = before.map_or("", |a| a.text.as_str());
    let new = after.map_or("", |a| a.text.as_str());
    if before.is_none() && after.is_none() {
        items.push(paragraph(
            "L'article ne figure dans aucune des deux versions.",
        ));
    } else if old == new {
        items.push(paragraph("Texte inchangé :"));
        items.push(Item::Quote(new.to_owned()));
    } else {
        if after.is_none() {
            items.push(paragraph(format!(
                "L'article a été supprimé depuis la version {base}."
            )));
        }
        items.push(Item::Paragraph(
            text_diff::words(old, new)
                .into_iter()
                .map(|piece| match piece {
                    Piece::Same(t) => Inline::Text(t),
                    Piece::Added(t) => Inline::Inserted(t),
                    Piece::Removed(t) => Inline::Deleted(t),
                })
                .collect(),
        ));
    }

    let changes: Vec<Vec<Inline>> = doctrine
        .changelog
        .range(base + 1..)
        .flat_map(|(version, changes)| {
            changes
                .iter()
                .filter(|change| change.article.as_str() == id)
                .map(move |change| (version, change))
        })
        .map(|(version, change)| {
            let what = match change.edit {
                ArticleEdit::Replace { .. } => "texte modifié",
                ArticleEdit::Insert { .. } => "article ajouté",
                ArticleEdit::Delete => "article supprimé",
            };
            let mut line = vec![strong(format!("Version {version} : {what}"))];
            if change.sources.is_empty() {
                line.push(text(" — sans contribution source."));
            } else {
                let sources = change
                    .sources
                    .iter()
                    .map(|source| source_line(scope, *source))
                    .collect::<Vec<_>>()
                    .join(" ; ");
                line.push(text(format!(" — issu de : {sources}.")));
            }
            line
        })
        .collect();
    if !changes.is_empty() {
        items.push(heading(3, "Modifications et contributions sources"));
        items.push(Item::List(changes));
    }
}

/// An amendment with its support by kind of participant and the commission's answer.
fn amendment(
    scope: &Scope<'_>,
    c: &ContributionRow,
    supports: &SupportsByKind,
    items: &mut Vec<Item>,
) {
    let operation = c
        .amendment
        .as_ref()
        .map_or("", |a| labels::operation(a.operation));
    let version = c.amendment.as_ref().map_or(0, |a| a.version);
    items.push(heading(
        4,
        format!("Amendement {} — proposer de {operation}", c.id),
    ));
    items.push(paragraph(format!(
        "Déposé le {} sur la version {version}.",
        date_time(c.submitted_at)
    )));
    items.push(Item::Quote(scope.body(c).unwrap_or_default().into_owned()));
    if let Some(proposed) = &c.proposed_text {
        items.push(paragraph("Texte proposé :"));
        items.push(Item::Quote(proposed.clone()));
    }
    let by_kind = supports.get(&c.id);
    let mut rows: Vec<Vec<String>> = labels::PARTICIPANT_KINDS
        .iter()
        .map(|kind| {
            let (s, o) = by_kind
                .and_then(|k| k.get(kind))
                .copied()
                .unwrap_or_default();
            vec![
                labels::participant_kind(*kind).to_owned(),
                number(s),
                number(o),
            ]
        })
        .collect();
    rows.push(vec![
        "Total".to_owned(),
        number(c.supports),
        number(c.oppositions),
    ]);
    items.push(Item::Table(Table::new(
        format!("Soutiens de l'amendement {} par type de participant", c.id),
        &["Type de participant", "Soutiens", "Oppositions"],
        rows,
    )));
    match &c.answer {
        Some(answer) => items.push(Item::Paragraph(vec![
            strong("Décision de la commission : "),
            text(format!("{}. ", labels::outcome(answer.outcome))),
            strong("Justification : "),
            text(answer.justification.clone()),
        ])),
        None => items.push(paragraph(
            "Décision de la commission : pas encore de réponse.",
        )),
    }
}

/// "contribution <id> « excerpt »", or why the text is not cited. A source may come
/// from another concertation: a published text is public wherever it was written.
fn source_line(scope: &Scope<'_>, id: ContributionId) -> String {
    let public_body = scope
        .snapshot
        .model
        .contributions
        .get(&id)
        .filter(|c| {
            matches!(
                c.status,
                ContributionStatusRow::Published | ContributionStatusRow::Duplicate { .. }
            )
        })
        .and_then(|c| scope.body(c));
    match public_body {
        Some(body) => format!("contribution {id} « {} »", excerpt(&body, SOURCE_EXCERPT)),
        None => format!("contribution {id} (texte non publié)"),
    }
}
