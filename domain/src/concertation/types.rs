//! Phases, moderation modes and question kinds of a concertation.

use crate::values::{DoctrineId, QuestionPrompt};
use serde::{Deserialize, Serialize};

/// The life cycle: draft → open → closed → synthesis published → archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Being configured; invisible to participants.
    Draft,
    /// Accepting contributions, votes and supports.
    Open,
    /// No more participation; the commission prepares the synthesis.
    Closed,
    /// The synthesis is public; the commission answers and revises the doctrine.
    SynthesisPublished,
    /// Read-only.
    Archived,
}

impl Phase {
    /// The catalogue code of the phase's name.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Draft => "phase.draft",
            Phase::Open => "phase.open",
            Phase::Closed => "phase.closed",
            Phase::SynthesisPublished => "phase.synthesis_published",
            Phase::Archived => "phase.archived",
        }
    }
}

/// When contributions become public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// Contributions wait for a facilitator's approval.
    APriori,
    /// Contributions are published at once and moderated afterwards.
    APosteriori,
}

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free-text opinions and proposals.
    Open,
    /// Polis-style short statements voted agree / disagree / pass.
    Statements,
    /// Amendments to the articles of a doctrine.
    Amendments {
        /// The doctrine amended.
        doctrine: DoctrineId,
    },
}

impl QuestionKind {
    /// The catalogue code of the kind's name.
    pub fn code(&self) -> &'static str {
        match self {
            QuestionKind::Open => "question_kind.open",
            QuestionKind::Statements => "question_kind.statements",
            QuestionKind::Amendments { .. } => "question_kind.amendments",
        }
    }
}

/// A question of a concertation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// What it asks for.
    pub kind: QuestionKind,
    /// The prompt shown to participants.
    pub prompt: QuestionPrompt,
}
