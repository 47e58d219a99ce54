//! Commands on a concertation.

use super::types::{ModerationMode, QuestionKind};
use crate::territory::TerritoryCode;
use crate::values::{
    ConcertationId, Description, Minutes, QuestionId, QuestionPrompt, Reason, Siren, Slug, StaffId,
    ThemeId, ThemeLabel, Title,
};
use time::OffsetDateTime;

/// Creates a concertation as a draft. The slug must have been reserved first
/// through [`crate::slug_reservation`] for this id.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateConcertation {
    /// The new concertation.
    pub id: ConcertationId,
    /// Its reserved slug.
    pub slug: Slug,
    /// SIREN of the organising collectivité.
    pub collectivite: Siren,
    /// Title.
    pub title: Title,
    /// Description.
    pub description: Description,
    /// Territory scope: at least one code.
    pub territories: Vec<TerritoryCode>,
    /// Moderation mode.
    pub moderation: ModerationMode,
    /// Scheduled opening.
    pub opens_at: OffsetDateTime,
    /// Scheduled closing.
    pub closes_at: OffsetDateTime,
}

/// A command on a concertation.
#[derive(Debug, Clone, PartialEq)]
pub enum ConcertationCommand {
    /// Creates the draft (commission or administrator of the collectivité).
    Create(CreateConcertation),
    /// Edits title, description and scope while in draft.
    EditDetails {
        /// The concertation.
        id: ConcertationId,
        /// New title.
        title: Title,
        /// New description.
        description: Description,
        /// New scope.
        territories: Vec<TerritoryCode>,
    },
    /// Adds a theme (draft or open).
    AddTheme {
        /// The concertation.
        id: ConcertationId,
        /// The new theme's id.
        theme: ThemeId,
        /// Its label.
        label: ThemeLabel,
    },
    /// Adds a question (draft only: participants must not see questions change).
    AddQuestion {
        /// The concertation.
        id: ConcertationId,
        /// The new question's id.
        question: QuestionId,
        /// Its kind.
        kind: QuestionKind,
        /// Its prompt.
        prompt: QuestionPrompt,
    },
    /// Switches between a priori and a posteriori moderation (draft or open).
    ChangeModerationMode {
        /// The concertation.
        id: ConcertationId,
        /// The new mode.
        mode: ModerationMode,
    },
    /// Changes the schedule while in draft.
    Reschedule {
        /// The concertation.
        id: ConcertationId,
        /// New opening.
        opens_at: OffsetDateTime,
        /// New closing.
        closes_at: OffsetDateTime,
    },
    /// Assigns a facilitator (animateur) to the concertation.
    AssignFacilitator {
        /// The concertation.
        id: ConcertationId,
        /// The facilitator.
        facilitator: StaffId,
    },
    /// Removes a facilitator's assignment.
    UnassignFacilitator {
        /// The concertation.
        id: ConcertationId,
        /// The facilitator.
        facilitator: StaffId,
    },
    /// Opens: by the commission at any time, or by the system actor once due.
    Open {
        /// The concertation.
        id: ConcertationId,
    },
    /// Closes at the scheduled time (system actor only).
    Close {
        /// The concertation.
        id: ConcertationId,
    },
    /// Closes before the scheduled time, with a reason (commission).
    CloseEarly {
        /// The concertation.
        id: ConcertationId,
        /// Why.
        reason: Reason,
    },
    /// Moves the closing time later, with a reason (commission).
    Extend {
        /// The concertation.
        id: ConcertationId,
        /// The new closing time.
        closes_at: OffsetDateTime,
        /// Why.
        reason: Reason,
    },
    /// Publishes the synthesis (commission).
    PublishSynthesis {
        /// The concertation.
        id: ConcertationId,
        /// The synthesis summary.
        summary: Minutes,
    },
    /// Archives (commission or administrator).
    Archive {
        /// The concertation.
        id: ConcertationId,
    },
}

impl ConcertationCommand {
    /// The concertation the command targets.
    pub fn id(&self) -> ConcertationId {
        use ConcertationCommand::*;
        match self {
            Create(c) => c.id,
            EditDetails { id, .. }
            | AddTheme { id, .. }
            | AddQuestion { id, .. }
            | ChangeModerationMode { id, .. }
            | Reschedule { id, .. }
            | AssignFacilitator { id, .. }
            | UnassignFacilitator { id, .. }
            | Open { id }
            | Close { id }
            | CloseEarly { id, .. }
            | Extend { id, .. }
            | PublishSynthesis { id, .. }
            | Archive { id } => *id,
        }
    }
}
