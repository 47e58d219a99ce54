//! The public record of what the organisers did: the moderation log, the commission's
//! answers and the sessions.

use std::borrow::Cow;

use super::{code_of, col, opt, public_contributions, ColumnType::*, Rows, Scope, TableDef};
use crate::export::Cell;
use domain::contribution::ModerationDecision;

/// The moderation log.
pub const LOG: TableDef = TableDef {
    name: "journal_de_moderation",
    title: "Journal de modération",
    description: "Chaque décision de modération, dans l'ordre du journal, avec son motif \
                  et le rôle de qui l'a prise (jamais son identité).",
    columns: &[
        col("contribution_id", Text, "La contribution concernée."),
        col(
            "decision",
            Text,
            "approve, hide, restore, mark_duplicate, tag_themes ou feature.",
        ),
        opt(
            "motif_charte",
            Text,
            "Pour un masquage : le motif de la charte.",
        ),
        opt(
            "doublon_de",
            Text,
            "Pour un doublon : la contribution d'origine.",
        ),
        col(
            "note",
            Text,
            "La note de l'animateur, telle que l'auteur l'a reçue.",
        ),
        col(
            "role",
            Text,
            "animateur (affecté à la concertation) ou equipe (autre membre de l'équipe).",
        ),
        col("decidee_le", Instant, "Date de la décision."),
    ],
};

/// The commission's answers.
pub const ANSWERS: TableDef = TableDef {
    name: "reponses_de_la_commission",
    title: "Réponses de la commission",
    description: "Les propositions et amendements auxquels la commission a répondu, dans \
                  l'ordre de dépôt.",
    columns: &[
        col("contribution_id", Text, "La contribution."),
        col(
            "type",
            Text,
            "proposal ou amendment (ou autre type de contribution).",
        ),
        col("texte", Text, "Le texte de la contribution."),
        col("soutiens", Integer, "Nombre de soutiens."),
        col(
            "reponse",
            Text,
            "adopted (adoptée), adopted_with_changes (adoptée avec modifications) ou \
             rejected (rejetée).",
        ),
        col("justification", Text, "La justification de la commission."),
    ],
};

/// Sessions.
pub const SESSIONS: TableDef = TableDef {
    name: "seances",
    title: "Séances et ateliers",
    description: "Les séances en ligne et en présentiel de la concertation, par date.",
    columns: &[
        col("seance_id", Text, "Identifiant de la séance."),
        col("titre", Text, "Titre."),
        opt(
            "lieu",
            Text,
            "Lieu d'une séance en présentiel ; vide en ligne.",
        ),
        col("debut", Instant, "Début prévu."),
        col("ouverte", Bool, "Ouverte au moment de l'export."),
        opt(
            "compte_rendu",
            Text,
            "Compte rendu, une fois la séance close.",
        ),
    ],
};

/// Moderation log rows.
pub fn log_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    let model = &scope.snapshot.model;
    let facilitators = &scope.concertation.facilitators;
    Box::new(
        model
            .moderation_log(scope.concertation.id)
            .into_iter()
            .map(move |e| {
                let (reason, of) = match &e.decision {
                    ModerationDecision::Hide { reason } => {
                        (Cell::text(code_of(reason)), Cell::Empty)
                    }
                    ModerationDecision::MarkDuplicate { of } => {
                        (Cell::Empty, Cell::text(of.to_string()))
                    }
                    _ => (Cell::Empty, Cell::Empty),
                };
                let role = if facilitators.contains(&e.facilitator) {
                    "animateur"
                } else {
                    "equipe"
                };
                vec![
                    Cell::text(e.contribution.to_string()),
                    Cell::text(code_of(&e.decision)),
                    reason,
                    of,
                    Cell::text(e.note.clone()),
                    Cell::text(role),
                    Cell::Instant(e.at),
                ]
            }),
    )
}

/// Answer rows.
pub fn answer_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    Box::new(public_contributions(scope).filter_map(|c| {
        let answer = c.answer.as_ref()?;
        Some(vec![
            Cell::text(c.id.to_string()),
            Cell::text(code_of(&c.kind)),
            Cell::text_or_empty(scope.body(c).map(Cow::into_owned)),
            Cell::Integer(c.supports as i64),
            Cell::text(code_of(&answer.outcome)),
            Cell::text(answer.justification.clone()),
        ])
    }))
}

/// Session rows.
pub fn session_rows<'a>(scope: &'a Scope<'a>) -> Rows<'a> {
    Box::new(
        scope
            .snapshot
            .model
            .sessions(scope.concertation.id)
            .into_iter()
            .map(|s| {
                vec![
                    Cell::text(s.id.to_string()),
                    Cell::text(s.title.clone()),
                    Cell::text_or_empty(s.place.clone()),
                    Cell::Instant(s.starts_at),
                    Cell::Bool(s.open),
                    Cell::text_or_empty(s.minutes.clone()),
                ]
            }),
    )
}
