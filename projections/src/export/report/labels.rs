//! French names of the codes a report shows: kinds of participant and contribution,
//! verification levels, phases, moderation modes, answers, territories.

use domain::concertation::{ModerationMode, Phase, QuestionKind};
use domain::contribution::{AmendmentOperation, AnswerOutcome, ContributionKind};

use crate::model::rows::ParticipantKindRow;
use crate::opinion_groups::Direction;

/// Participants of a kind, plural: "Citoyens".
pub fn participant_kind(kind: ParticipantKindRow) -> &'static str {
    match kind {
        ParticipantKindRow::Citoyen => "Citoyens",
        ParticipantKindRow::Entreprise => "Entreprises",
        ParticipantKindRow::AgentPublic => "Agents publics",
    }
}

/// Every kind of participant, in the order tables list them.
pub const PARTICIPANT_KINDS: [ParticipantKindRow; 3] = [
    ParticipantKindRow::Citoyen,
    ParticipantKindRow::Entreprise,
    ParticipantKindRow::AgentPublic,
];

/// The verification levels' codes (as `Participation::by_kind` keys them), in order.
pub const VERIFICATION_LEVELS: [&str; 3] = [
    "self_declared",
    "verified_by_facilitator",
    "verified_by_identity_provider",
];

/// A verification level's name, from its code.
pub fn verification(code: &str) -> &str {
    match code {
        "self_declared" => "Déclaratif",
        "verified_by_facilitator" => "Vérifié par un animateur",
        "verified_by_identity_provider" => "Vérifié par un fournisseur d'identité",
        other => other,
    }
}

/// A kind of contribution, singular.
pub fn contribution_kind(kind: ContributionKind) -> &'static str {
    match kind {
        ContributionKind::Opinion => "avis",
        ContributionKind::Proposal => "proposition",
        ContributionKind::Statement => "énoncé",
        ContributionKind::Amendment => "amendement",
        ContributionKind::Comment => "commentaire",
    }
}

/// A kind of contribution, plural.
pub fn contribution_kind_plural(kind: ContributionKind) -> &'static str {
    match kind {
        ContributionKind::Opinion => "Avis",
        ContributionKind::Proposal => "Propositions",
        ContributionKind::Statement => "Énoncés",
        ContributionKind::Amendment => "Amendements",
        ContributionKind::Comment => "Commentaires",
    }
}

/// A kind of contribution, plural, from its stored code (`proposal`…).
pub fn contribution_kind_code(code: &str) -> &str {
    match code {
        "opinion" => "Avis",
        "proposal" => "Propositions",
        "statement" => "Énoncés",
        "amendment" => "Amendements",
        "comment" => "Commentaires",
        other => other,
    }
}

/// A phase.
pub fn phase(phase: Phase) -> &'static str {
    match phase {
        Phase::Draft => "en préparation",
        Phase::Open => "ouverte",
        Phase::Closed => "close",
        Phase::SynthesisPublished => "synthèse publiée",
        Phase::Archived => "archivée",
    }
}

/// A moderation mode, with what it means for a reader.
pub fn moderation(mode: ModerationMode) -> &'static str {
    match mode {
        ModerationMode::APriori => {
            "a priori : chaque contribution est lue par un animateur avant d'être publiée"
        }
        ModerationMode::APosteriori => {
            "a posteriori : les contributions sont publiées aussitôt, puis modérées sur \
             signalement ou relecture"
        }
    }
}

/// A kind of question.
pub fn question_kind(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Open => "question ouverte (avis et propositions)",
        QuestionKind::Statements => "énoncés soumis au vote (d'accord, pas d'accord, je passe)",
        QuestionKind::Amendments { .. } => "amendements à la doctrine",
    }
}

/// The commission's answer, as a noun (it answers proposals and amendments alike).
pub fn outcome(outcome: AnswerOutcome) -> &'static str {
    match outcome {
        AnswerOutcome::Adopted => "Adoption",
        AnswerOutcome::AdoptedWithChanges => "Adoption avec modifications",
        AnswerOutcome::Rejected => "Rejet",
    }
}

/// What an amendment proposes.
pub fn operation(operation: AmendmentOperation) -> &'static str {
    match operation {
        AmendmentOperation::Replace => "remplacer le texte de l'article",
        AmendmentOperation::Insert => "insérer un article après celui-ci",
        AmendmentOperation::Delete => "supprimer l'article",
    }
}

/// Which way a group or the groups lean on a statement.
pub fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Agree => "d'accord",
        Direction::Disagree => "pas d'accord",
    }
}

/// An opinion group's name: "Groupe A" for group 0.
pub fn group(id: usize) -> String {
    let letter = char::from_u32('A' as u32 + (id % 26) as u32).unwrap_or('?');
    if id < 26 {
        format!("Groupe {letter}")
    } else {
        format!("Groupe {}", id + 1)
    }
}

/// A territory's name from the official list, with its code; the code alone when the
/// list does not know it.
pub fn territory(code: &str) -> String {
    let r = domain::territory::reference();
    let (level, bare) = code.split_once(':').unwrap_or(("", code));
    let name = match level {
        "COM" => r.commune(bare).map(|c| c.name.to_owned()),
        "EPCI" => r.epci(bare).map(|e| e.name.to_owned()),
        "DEP" => r.departement(bare).map(|d| d.name.to_owned()),
        "REG" => r.region(bare).map(|g| g.name.to_owned()),
        _ if code == "FR" => return "France".into(),
        _ => None,
    };
    match name {
        Some(name) => format!("{name} ({code})"),
        None => code.to_owned(),
    }
}
