//! The report's framing sections: the context of the concertation and the export, the
//! participation figures, and the method and its limits.

use std::collections::BTreeMap;

use domain::concertation::QuestionKind;

use super::format::{self, date_time, number};
use super::labels;
use super::model::{heading, paragraph, strong, text, Chart, Drawing, Inline, Item, Table};
use crate::export::tables::Scope;
use crate::model::rows::ContributionStatusRow;

/// The title and the "Contexte" section.
pub fn context(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let c = scope.concertation;
    let snapshot = scope.snapshot;
    items.push(Item::Paragraph(vec![
        text("Rapport de synthèse de la concertation "),
        strong(format!("« {} »", c.title)),
        text(format!(
            ", établi à partir du journal des événements arrêté au {} (position {}). Toutes \
             les dates sont à l'heure de Paris et proviennent des événements enregistrés.",
            date_time(snapshot.recorded_at),
            snapshot.position
        )),
    ]));
    items.push(heading(2, "Contexte"));
    items.push(paragraph(c.description.clone()));
    let territories = if c.territories.is_empty() {
        "non précisé".to_owned()
    } else {
        c.territories
            .iter()
            .map(|t| labels::territory(t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let row = |label: &str, value: String| vec![label.to_owned(), value];
    items.push(Item::Table(Table::new(
        "La concertation et l'état du journal exporté",
        &["Élément", "Valeur"],
        vec![
            row("Titre", c.title.clone()),
            row("Collectivité organisatrice (SIREN)", c.collectivite.clone()),
            row("Territoire", territories),
            row("Ouverture", date_time(c.opens_at)),
            row("Clôture", date_time(c.closes_at)),
            row("Phase", labels::phase(c.phase).to_owned()),
            row("Modération", labels::moderation(c.moderation).to_owned()),
            row("Position du journal", snapshot.position.to_string()),
            row(
                "Dernier événement pris en compte",
                date_time(snapshot.recorded_at),
            ),
            row(
                "Événements dans l'arbre d'audit",
                number(snapshot.tree_size),
            ),
            row(
                "Racine de l'arbre d'audit (RFC 9162, SHA-256)",
                crate::merkle::to_hex(&snapshot.root),
            ),
        ],
    )));
    if !c.themes.is_empty() {
        items.push(paragraph("Thèmes de la concertation :"));
        items.push(Item::List(
            c.themes
                .iter()
                .map(|t| vec![text(t.label.clone())])
                .collect(),
        ));
    }
    if !c.questions.is_empty() {
        items.push(paragraph("Questions posées :"));
        items.push(Item::List(
            c.questions
                .iter()
                .map(|q| {
                    vec![
                        strong(q.prompt.clone()),
                        text(format!(" — {}", labels::question_kind(&q.kind))),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(summary) = &c.synthesis {
        items.push(paragraph("Synthèse publiée par la commission :"));
        items.push(Item::Quote(summary.clone()));
    }
}

/// The "Participation" section.
pub fn participation(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let model = &scope.snapshot.model;
    let figures = scope.participation;
    items.push(heading(2, "Participation"));
    let contributions: u64 = figures.contributions_by_kind.values().sum();
    items.push(paragraph(format!(
        "{} contribué, voté ou soutenu une contribution ; {} tous statuts confondus.",
        format::count(
            figures.participants,
            "participant distinct a",
            "participants distincts ont"
        ),
        format::count(
            contributions,
            "contribution déposée,",
            "contributions déposées,"
        )
    )));

    items.push(heading(
        3,
        "Par type de participant et niveau de vérification",
    ));
    let by_kind: Vec<(String, u64)> = labels::PARTICIPANT_KINDS
        .iter()
        .map(|kind| {
            let n = figures.by_kind.get(kind).map_or(0, |l| l.values().sum());
            (labels::participant_kind(*kind).to_owned(), n)
        })
        .collect();
    let mut header = vec!["Type", "Participants"];
    header.extend(
        labels::VERIFICATION_LEVELS
            .iter()
            .map(|l| labels::verification(l)),
    );
    let rows = labels::PARTICIPANT_KINDS
        .iter()
        .zip(&by_kind)
        .map(|(kind, (label, total))| {
            let levels = figures.by_kind.get(kind);
            let mut row = vec![label.clone(), number(*total)];
            row.extend(
                labels::VERIFICATION_LEVELS
                    .iter()
                    .map(|level| number(levels.and_then(|l| l.get(*level)).copied().unwrap_or(0))),
            );
            row
        })
        .collect();
    items.push(Item::Chart(Chart {
        description: format!("Participants par type : {}.", listing(&by_kind)),
        drawing: Drawing::Bars(by_kind.clone()),
        table: Table::new(
            "Participants par type et niveau de vérification",
            &header,
            rows,
        ),
    }));

    items.push(heading(3, "Par territoire"));
    let territories: Vec<(String, u64, Option<u64>)> = figures
        .by_commune
        .iter()
        .map(|(code, n)| (code.clone(), *n))
        .chain(
            figures
                .by_territory
                .iter()
                .filter(|(code, _)| !code.starts_with("COM:"))
                .map(|(code, t)| (code.clone(), t.participants)),
        )
        .map(|(code, n)| {
            let population = figures
                .by_territory
                .get(&code)
                .and_then(|t| t.population)
                .or_else(|| domain::territory::reference().population(&code));
            (code, n, population)
        })
        .collect();
    if territories.is_empty() {
        items.push(paragraph(
            "Aucun participant n'a indiqué de commune : pas de répartition par territoire.",
        ));
    } else {
        let bars: Vec<(String, u64)> = territories
            .iter()
            .map(|(code, n, _)| (labels::territory(code), *n))
            .collect();
        let rows = territories
            .iter()
            .zip(&bars)
            .map(|((_, n, population), (label, _))| {
                let rate = population
                    .filter(|p| *p > 0)
                    .map(|p| *n as f64 * 1000.0 / p as f64);
                vec![
                    label.clone(),
                    number(*n),
                    population.map(number).unwrap_or_default(),
                    rate.map(format::rate).unwrap_or_default(),
                ]
            })
            .collect();
        items.push(Item::Chart(Chart {
            description: format!(
                "Participants ayant indiqué une commune, par territoire : {}.",
                listing(&bars)
            ),
            drawing: Drawing::Bars(bars),
            table: Table::new(
                "Participants par territoire (communes, puis EPCI, départements et régions)",
                &[
                    "Territoire",
                    "Participants",
                    "Population municipale",
                    "Pour 1 000 habitants",
                ],
                rows,
            ),
        }));
    }

    items.push(heading(3, "Contributions par jour"));
    // Paris days, not the UTC days of `Participation`: a contribution at 0 h 30 in
    // Paris belongs to the day its author lived.
    let mut per_day: BTreeMap<time::Date, u64> = BTreeMap::new();
    for c in model
        .contributions
        .iter()
        .filter(|c| c.concertation == scope.concertation.id)
    {
        *per_day
            .entry(format::paris_day(c.submitted_at))
            .or_default() += 1;
    }
    let days: Vec<(String, u64)> = per_day
        .iter()
        .map(|(day, n)| (format::iso_day(*day), *n))
        .collect();
    if days.is_empty() {
        items.push(paragraph("Aucune contribution n'a été déposée."));
    } else {
        let busiest = per_day
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(day, n)| format!("{} ({})", format::day(*day), number(*n)))
            .unwrap_or_default();
        items.push(Item::Chart(Chart {
            description: format!(
                "Contributions déposées par jour, du {} au {} ; le jour le plus actif : {}.",
                format::day(*per_day.keys().next().expect("not empty")),
                format::day(*per_day.keys().last().expect("not empty")),
                busiest
            ),
            drawing: Drawing::Columns(days.clone()),
            table: Table::new(
                "Contributions déposées par jour (heure de Paris, tous statuts)",
                &["Jour", "Contributions"],
                days.iter()
                    .map(|(day, n)| vec![day.clone(), number(*n)])
                    .collect(),
            ),
        }));
    }
    items.push(Item::Table(Table::new(
        "Contributions par type (tous statuts)",
        &["Type", "Contributions"],
        figures
            .contributions_by_kind
            .iter()
            .map(|(code, n)| vec![labels::contribution_kind_code(code).to_owned(), number(*n)])
            .collect(),
    )));
}

/// "label : n" pairs joined for a text alternative.
fn listing(rows: &[(String, u64)]) -> String {
    rows.iter()
        .map(|(label, n)| format!("{label} : {}", number(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The "Méthode et limites" section.
pub fn method(scope: &Scope<'_>, items: &mut Vec<Item>) {
    let model = &scope.snapshot.model;
    let concertation = scope.concertation;
    let mut left_out: BTreeMap<&str, u64> = BTreeMap::new();
    for c in model
        .contributions
        .iter()
        .filter(|c| c.concertation == concertation.id)
    {
        let why = match (&c.status, c.body.is_some()) {
            (_, false) => "effacées à la demande de leur auteur",
            (ContributionStatusRow::Pending, _) => "en attente de modération",
            (ContributionStatusRow::Hidden { .. }, _) => "masquées par la modération",
            (ContributionStatusRow::Withdrawn, _) => "retirées par leur auteur",
            (ContributionStatusRow::Published | ContributionStatusRow::Duplicate { .. }, _) => {
                continue
            }
        };
        *left_out.entry(why).or_default() += 1;
    }
    items.push(heading(2, "Méthode et limites"));
    items.push(paragraph(
        "Les participants se sont inscrits d'eux-mêmes : ils ne forment pas un échantillon \
         représentatif de la population, et les chiffres de ce rapport décrivent ce qu'ils ont \
         exprimé, non l'opinion du territoire.",
    ));
    items.push(paragraph(
        "Les participants sont pseudonymes : le rapport ne contient aucune donnée à caractère \
         personnel. Leur type (citoyen, entreprise, agent public) et leur commune sont \
         déclarés ; le niveau de vérification indiqué dans la participation dit lesquels ont \
         été vérifiés par un animateur ou par un fournisseur d'identité.",
    ));
    items.push(paragraph(format!(
        "Modération {}.",
        labels::moderation(concertation.moderation)
    )));
    let has_statements = concertation
        .questions
        .iter()
        .any(|q| q.kind == QuestionKind::Statements);
    if has_statements {
        let mut spans = vec![text(
            "Les groupes d'opinion sont calculés comme le fait Polis : les votes forment une \
             matrice participants × énoncés, réduite à deux dimensions par une analyse en \
             composantes principales, puis les participants sont regroupés par k-moyennes ; le \
             nombre de groupes est celui dont la silhouette est la meilleure. Le calcul est \
             déterministe : les mêmes votes donnent les mêmes groupes.",
        )];
        if let Some(p) = scope.groups.values().next().map(|g| &g.parameters) {
            spans.push(text(format!(
                " Paramètres : un participant est placé dans un groupe à partir de {} votes \
                 (au moins {} participants placés), {} groupes de base, au plus {} groupes{}, \
                 seuil de signification z = {}, {} énoncés représentatifs par groupe au plus.",
                p.min_votes,
                p.min_clustered,
                p.base_k,
                p.max_k,
                p.fixed_k
                    .map(|k| format!(" (fixé à {k})"))
                    .unwrap_or_default(),
                format::decimal(p.significance_z, 4),
                p.max_representative
            )));
        }
        items.push(Item::Paragraph(spans));
    }
    let mut spans: Vec<Inline> = vec![text(
        "Ce que le rapport ne montre pas : le texte des contributions effacées, masquées, \
         retirées ou en attente de modération, ni l'identité des participants et des \
         animateurs. Les chiffres de participation comptent toutes les contributions \
         déposées ; les textes cités sont ceux des contributions publiées.",
    )];
    if !left_out.is_empty() {
        let counts = left_out
            .iter()
            .map(|(why, n)| format!("{} {why}", number(*n)))
            .collect::<Vec<_>>()
            .join(", ");
        spans.push(text(format!(" Contributions non citées : {counts}.")));
    }
    items.push(Item::Paragraph(spans));
    items.push(paragraph(format!(
        "Les jours sont ceux de l'heure de Paris ; le tableau ouvert \
         participation_par_jour les compte en jours UTC. Le rapport est calculé à partir du \
         journal à la position {} : la commande « concerto verify export » le recalcule et \
         vérifie qu'il est identique. Les données ouvertes et ce rapport sont publiés sous la \
         Licence Ouverte / Open Licence 2.0 (Etalab).",
        scope.snapshot.position
    )));
}
