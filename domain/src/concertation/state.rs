//! The state folded from a concertation stream, and the snapshot other
//! aggregates' commands carry to check cross-stream rules.

use super::event::ConcertationEvent as E;
use super::types::{ModerationMode, Phase, Question, QuestionKind};
use crate::actor::Actor;
use crate::rejection::Rejection;
use crate::territory::TerritoryCode;
use crate::values::{
    ConcertationId, Description, QuestionId, Siren, Slug, StaffId, ThemeId, ThemeLabel, Title,
};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// A created concertation. Built only by folding events.
#[derive(Debug, Clone, PartialEq)]
pub struct Concertation {
    /// Its id.
    pub id: ConcertationId,
    /// Its slug.
    pub slug: Slug,
    /// SIREN of the organising collectivité.
    pub collectivite: Siren,
    /// Title.
    pub title: Title,
    /// Description.
    pub description: Description,
    /// Territory scope.
    pub territories: Vec<TerritoryCode>,
    /// Moderation mode.
    pub moderation: ModerationMode,
    /// Scheduled opening.
    pub opens_at: OffsetDateTime,
    /// Scheduled (or extended) closing.
    pub closes_at: OffsetDateTime,
    /// Current phase.
    pub phase: Phase,
    /// Themes by id.
    pub themes: BTreeMap<ThemeId, ThemeLabel>,
    /// Questions by id.
    pub questions: BTreeMap<QuestionId, Question>,
    /// Assigned facilitators.
    pub facilitators: BTreeSet<StaffId>,
}

/// The state of a concertation stream: `None` before creation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConcertationState {
    /// The concertation, once created.
    pub concertation: Option<Concertation>,
}

/// Applies one event.
pub(super) fn evolve(mut state: ConcertationState, event: &E) -> ConcertationState {
    if let E::ConcertationCreated {
        id,
        slug,
        collectivite,
        title,
        description,
        territories,
        moderation,
        opens_at,
        closes_at,
        ..
    } = event
    {
        state.concertation = Some(Concertation {
            id: *id,
            slug: slug.clone(),
            collectivite: collectivite.clone(),
            title: title.clone(),
            description: description.clone(),
            territories: territories.clone(),
            moderation: *moderation,
            opens_at: *opens_at,
            closes_at: *closes_at,
            phase: Phase::Draft,
            themes: BTreeMap::new(),
            questions: BTreeMap::new(),
            facilitators: BTreeSet::new(),
        });
        return state;
    }
    // Events before creation cannot be produced by `decide`; ignoring them
    // keeps the fold total.
    let Some(c) = state.concertation.as_mut() else {
        return state;
    };
    match event {
        E::ConcertationCreated { .. } => {}
        E::DetailsEdited {
            title,
            description,
            territories,
            ..
        } => {
            c.title = title.clone();
            c.description = description.clone();
            c.territories = territories.clone();
        }
        E::ThemeAdded { theme, label } => {
            c.themes.insert(*theme, label.clone());
        }
        E::QuestionAdded {
            question,
            kind,
            prompt,
        } => {
            c.questions.insert(
                *question,
                Question {
                    kind: kind.clone(),
                    prompt: prompt.clone(),
                },
            );
        }
        E::ModerationModeChanged { mode } => c.moderation = *mode,
        E::Rescheduled {
            opens_at,
            closes_at,
        } => {
            c.opens_at = *opens_at;
            c.closes_at = *closes_at;
        }
        E::FacilitatorAssigned { facilitator } => {
            c.facilitators.insert(*facilitator);
        }
        E::FacilitatorUnassigned { facilitator } => {
            c.facilitators.remove(facilitator);
        }
        E::ConcertationOpened { .. } => c.phase = Phase::Open,
        E::ConcertationClosed { .. } => c.phase = Phase::Closed,
        E::ConcertationClosedEarly { at, .. } => {
            c.phase = Phase::Closed;
            c.closes_at = *at;
        }
        E::ConcertationExtended { closes_at, .. } => c.closes_at = *closes_at,
        E::SynthesisPublished { .. } => c.phase = Phase::SynthesisPublished,
        E::ConcertationArchived { .. } => c.phase = Phase::Archived,
    }
    state
}

/// What other aggregates need to know about a concertation to decide: the
/// application layer folds the concertation stream (small and cold) and puts
/// this snapshot in their commands.
///
/// The snapshot may be stale by the time the other stream is appended; the
/// tolerated race is documented in the README's stream table.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcertationSnapshot {
    /// The concertation.
    pub id: ConcertationId,
    /// Its collectivité.
    pub collectivite: Siren,
    /// Its phase.
    pub phase: Phase,
    /// Its moderation mode.
    pub moderation: ModerationMode,
    /// Its themes.
    pub themes: BTreeSet<ThemeId>,
    /// Its questions' kinds.
    pub questions: BTreeMap<QuestionId, QuestionKind>,
    /// Its facilitators.
    pub facilitators: BTreeSet<StaffId>,
    /// Its scheduled (or extended) closing: participation stops then, even
    /// before the system actor has appended the `ConcertationClosed`.
    pub closes_at: OffsetDateTime,
}

impl Concertation {
    /// The snapshot carried by other aggregates' commands.
    pub fn snapshot(&self) -> ConcertationSnapshot {
        ConcertationSnapshot {
            id: self.id,
            collectivite: self.collectivite.clone(),
            phase: self.phase,
            moderation: self.moderation,
            themes: self.themes.keys().copied().collect(),
            questions: self
                .questions
                .iter()
                .map(|(id, q)| (*id, q.kind.clone()))
                .collect(),
            facilitators: self.facilitators.clone(),
            closes_at: self.closes_at,
        }
    }
}

impl ConcertationSnapshot {
    /// Refuses unless participation is open at `now`: the phase is open and
    /// the closing time has not come (the scheduler may append the
    /// `ConcertationClosed` a little late; participation stops on time anyway).
    ///
    /// The opening time is not checked: the commission may open a concertation
    /// before its scheduled opening, and once open it is open.
    pub fn require_open(&self, now: OffsetDateTime) -> Result<(), Rejection> {
        self.require_phase(&[Phase::Open])?;
        if now >= self.closes_at {
            return Err(Rejection::ClosingPassed);
        }
        Ok(())
    }

    /// Refuses unless the phase is one of `allowed`.
    pub fn require_phase(&self, allowed: &[Phase]) -> Result<(), Rejection> {
        if allowed.contains(&self.phase) {
            Ok(())
        } else {
            Err(Rejection::WrongPhase {
                phase: self.phase.code(),
            })
        }
    }

    /// The kind of one of the concertation's questions.
    pub fn question(&self, id: QuestionId) -> Result<&QuestionKind, Rejection> {
        self.questions.get(&id).ok_or(Rejection::UnknownQuestion)
    }

    /// Refuses themes that are not the concertation's.
    pub fn require_themes(&self, themes: &BTreeSet<ThemeId>) -> Result<(), Rejection> {
        if themes.is_subset(&self.themes) {
            Ok(())
        } else {
            Err(Rejection::UnknownTheme)
        }
    }

    /// Requires an animateur assigned to this concertation; returns their id.
    pub fn require_facilitator(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<StaffId, Rejection> {
        match actor {
            Actor::Facilitator { id } if self.facilitators.contains(id) => Ok(*id),
            Actor::Facilitator { .. } => Err(Rejection::NotAssigned),
            _ => Err(Rejection::Forbidden { action }),
        }
    }

    /// Requires an assigned facilitator or the commission of the collectivité.
    pub fn require_facilitator_or_commission(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<StaffId, Rejection> {
        match actor {
            Actor::Commission { .. } => actor.require_commission(&self.collectivite, false, action),
            _ => self.require_facilitator(actor, action),
        }
    }
}
