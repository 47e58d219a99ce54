//! The `contributions` table: every public contribution with what the synthesis ranks
//! it by, and the commission's answer.

use std::borrow::Cow;

use super::{code_of, col, opt, public_contributions, ColumnType::*, Rows, Scope, TableDef};
use crate::export::Cell;
use crate::model::rows::ContributionStatusRow;

/// The table.
pub const CONTRIBUTIONS: TableDef = TableDef {
    name: "contributions",
    title: "Contributions publiées",
    description: "Une ligne par contribution publique (publiée ou marquée comme doublon), \
                  dans l'ordre de dépôt ; les contributions effacées, masquées, retirées \
                  ou en attente de modération n'y sont pas.",
    columns: &[
        col("id", Text, "Identifiant de la contribution (UUID)."),
        col("question_id", Text, "Identifiant de la question."),
        col("question", Text, "Intitulé de la question."),
        col(
            "type",
            Text,
            "opinion, proposal (proposition), statement (énoncé), amendment \
             (amendement) ou comment (commentaire).",
        ),
        col(
            "statut",
            Text,
            "published (publiée) ou duplicate (doublon).",
        ),
        opt(
            "doublon_de",
            Text,
            "Pour un doublon : la contribution d'origine.",
        ),
        opt(
            "parent_id",
            Text,
            "Pour un commentaire : la contribution commentée.",
        ),
        col(
            "type_d_auteur",
            Text,
            "citoyen, entreprise ou agent_public (l'auteur reste anonyme).",
        ),
        col(
            "verification_auteur",
            Text,
            "self_declared, verified_by_facilitator ou verified_by_identity_provider.",
        ),
        opt(
            "commune_auteur",
            Text,
            "Code INSEE de la commune déclarée (COM:…).",
        ),
        col("themes", Text, "Thèmes, séparés par « ; »."),
        col("langue", Text, "Étiquette de langue (BCP 47)."),
        col(
            "texte",
            Text,
            "Texte de la contribution, dans sa dernière version.",
        ),
        opt(
            "texte_propose",
            Text,
            "Pour un amendement : le texte d'article proposé.",
        ),
        opt(
            "article",
            Text,
            "Pour un amendement : l'article de la doctrine visé.",
        ),
        col("soutiens", Integer, "Nombre de soutiens."),
        col("oppositions", Integer, "Nombre d'oppositions."),
        col(
            "mise_en_avant",
            Bool,
            "Mise en avant par l'équipe d'animation.",
        ),
        col(
            "recueillie_en_seance",
            Bool,
            "Recueillie en séance par un animateur.",
        ),
        col("revisions", Integer, "Nombre de révisions par l'auteur."),
        col(
            "deposee_le",
            Instant,
            "Date de dépôt (horodatage de l'événement).",
        ),
        opt(
            "reponse",
            Text,
            "Réponse de la commission : adopted, adopted_with_changes ou rejected.",
        ),
        opt(
            "justification",
            Text,
            "Justification de la réponse de la commission.",
        ),
    ],
};

/// Its rows.
pub fn rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let model = &scope.snapshot.model;
    let concertation = scope.concertation;
    Box::new(public_contributions(scope).map(move |c| {
        let author = model.participants.get(&c.author);
        let question = concertation.questions.iter().find(|q| q.id == c.question);
        let themes: Vec<&str> = concertation
            .themes
            .iter()
            .filter(|t| c.themes.contains(&t.id))
            .map(|t| t.label.as_str())
            .collect();
        vec![
            Cell::text(c.id.to_string()),
            Cell::text(c.question.to_string()),
            Cell::text_or_empty(question.map(|q| q.prompt.clone())),
            Cell::text(code_of(&c.kind)),
            Cell::text(code_of(&c.status.kind())),
            match &c.status {
                ContributionStatusRow::Duplicate { of } => Cell::text(of.to_string()),
                _ => Cell::Empty,
            },
            Cell::text_or_empty(c.parent.map(|p| p.to_string())),
            Cell::text_or_empty(author.map(|a| code_of(&a.kind))),
            Cell::text_or_empty(author.map(|a| code_of(&a.verification))),
            Cell::text_or_empty(author.and_then(|a| a.commune.clone())),
            Cell::text(themes.join(" ; ")),
            Cell::text(c.language.clone()),
            Cell::text_or_empty(scope.body(c).map(Cow::into_owned)),
            Cell::text_or_empty(c.proposed_text.clone()),
            Cell::text_or_empty(c.amendment.as_ref().map(|a| a.article.as_str().to_owned())),
            Cell::Integer(c.supports as i64),
            Cell::Integer(c.oppositions as i64),
            Cell::Bool(c.featured),
            Cell::Bool(c.recorded_in_session),
            Cell::Integer(i64::from(c.revisions)),
            Cell::Instant(c.submitted_at),
            Cell::text_or_empty(c.answer.as_ref().map(|a| code_of(&a.outcome))),
            Cell::text_or_empty(c.answer.as_ref().map(|a| a.justification.clone())),
        ]
    }))
}
