//! The rules of a concertation's configuration and life cycle.

use super::command::{ConcertationCommand as C, CreateConcertation};
use super::event::ConcertationEvent as E;
use super::state::{Concertation, ConcertationState};
use super::types::Phase;
use crate::actor::Actor;
use crate::limits::{MAX_QUESTIONS, MAX_TERRITORIES, MAX_THEMES};
use crate::rejection::{Field, Rejection};
use crate::territory::{reference, TerritoryCode};
use time::OffsetDateTime;

const CONFIGURE: &str = "action.configure";
const SCHEDULE: &str = "action.phase_change";
const PUBLISH: &str = "action.publish_synthesis";

fn require_phase(c: &Concertation, allowed: &[Phase]) -> Result<(), Rejection> {
    if allowed.contains(&c.phase) {
        Ok(())
    } else {
        Err(Rejection::WrongPhase {
            phase: c.phase.code(),
        })
    }
}

fn check_territories(territories: &[TerritoryCode]) -> Result<(), Rejection> {
    if territories.is_empty() {
        return Err(Rejection::TextEmpty {
            field: Field::Territories,
        });
    }
    if territories.len() > MAX_TERRITORIES {
        return Err(Rejection::TooMany {
            field: Field::Territories,
            max: MAX_TERRITORIES,
        });
    }
    Ok(())
}

fn check_schedule(opens_at: OffsetDateTime, closes_at: OffsetDateTime) -> Result<(), Rejection> {
    if closes_at <= opens_at {
        Err(Rejection::ScheduleInvalid)
    } else {
        Ok(())
    }
}

fn create(
    state: &ConcertationState,
    c: CreateConcertation,
    actor: &Actor,
) -> Result<Vec<E>, Rejection> {
    let by = actor.require_commission(&c.collectivite, true, CONFIGURE)?;
    if state.concertation.is_some() {
        return Err(Rejection::ConcertationExists);
    }
    check_territories(&c.territories)?;
    check_schedule(c.opens_at, c.closes_at)?;
    let mut territories = c.territories;
    territories.sort();
    territories.dedup();
    Ok(vec![E::ConcertationCreated {
        id: c.id,
        slug: c.slug,
        collectivite: c.collectivite,
        title: c.title,
        description: c.description,
        territories,
        territory_list_year: Some(reference().year()),
        moderation: c.moderation,
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        by: Some(by),
    }])
}

/// Decides a concertation command.
pub(super) fn decide(
    state: &ConcertationState,
    command: C,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<E>, Rejection> {
    let command = match command {
        C::Create(c) => return create(state, c, actor),
        other => other,
    };
    let c = state
        .concertation
        .as_ref()
        .ok_or(Rejection::ConcertationNotFound)?;
    let staff = || actor.require_commission(&c.collectivite, true, CONFIGURE);
    match command {
        C::Create(_) => unreachable!("handled above"),
        C::EditDetails {
            title,
            description,
            mut territories,
            ..
        } => {
            staff()?;
            require_phase(c, &[Phase::Draft])?;
            check_territories(&territories)?;
            territories.sort();
            territories.dedup();
            Ok(vec![E::DetailsEdited {
                title,
                description,
                territories,
                territory_list_year: reference().year(),
            }])
        }
        C::AddTheme { theme, label, .. } => {
            staff()?;
            require_phase(c, &[Phase::Draft, Phase::Open])?;
            if c.themes.contains_key(&theme) || c.themes.values().any(|l| l == &label) {
                return Err(Rejection::ThemeExists);
            }
            if c.themes.len() >= MAX_THEMES {
                return Err(Rejection::TooMany {
                    field: Field::Themes,
                    max: MAX_THEMES,
                });
            }
            Ok(vec![E::ThemeAdded { theme, label }])
        }
        C::AddQuestion {
            question,
            kind,
            prompt,
            ..
        } => {
            staff()?;
            require_phase(c, &[Phase::Draft])?;
            if c.questions.contains_key(&question) {
                return Err(Rejection::QuestionExists);
            }
            if c.questions.len() >= MAX_QUESTIONS {
                return Err(Rejection::TooMany {
                    field: Field::Questions,
                    max: MAX_QUESTIONS,
                });
            }
            Ok(vec![E::QuestionAdded {
                question,
                kind,
                prompt,
            }])
        }
        C::ChangeModerationMode { mode, .. } => {
            staff()?;
            require_phase(c, &[Phase::Draft, Phase::Open])?;
            if c.moderation == mode {
                return Err(Rejection::ModerationModeUnchanged);
            }
            Ok(vec![E::ModerationModeChanged { mode }])
        }
        C::Reschedule {
            opens_at,
            closes_at,
            ..
        } => {
            staff()?;
            require_phase(c, &[Phase::Draft])?;
            check_schedule(opens_at, closes_at)?;
            Ok(vec![E::Rescheduled {
                opens_at,
                closes_at,
            }])
        }
        C::AssignFacilitator { facilitator, .. } => {
            staff()?;
            require_phase(
                c,
                &[
                    Phase::Draft,
                    Phase::Open,
                    Phase::Closed,
                    Phase::SynthesisPublished,
                ],
            )?;
            if c.facilitators.contains(&facilitator) {
                return Err(Rejection::AssignmentUnchanged);
            }
            Ok(vec![E::FacilitatorAssigned { facilitator }])
        }
        C::UnassignFacilitator { facilitator, .. } => {
            staff()?;
            if !c.facilitators.contains(&facilitator) {
                return Err(Rejection::AssignmentUnchanged);
            }
            Ok(vec![E::FacilitatorUnassigned { facilitator }])
        }
        C::Open { .. } => {
            let scheduled = match actor {
                Actor::System => {
                    if now < c.opens_at {
                        return Err(Rejection::NotDue);
                    }
                    true
                }
                _ => {
                    actor.require_commission(&c.collectivite, true, SCHEDULE)?;
                    false
                }
            };
            require_phase(c, &[Phase::Draft])?;
            if c.questions.is_empty() || now >= c.closes_at {
                return Err(Rejection::NotReadyToOpen);
            }
            Ok(vec![E::ConcertationOpened { at: now, scheduled }])
        }
        C::Close { .. } => {
            if *actor != Actor::System {
                return Err(Rejection::Forbidden { action: SCHEDULE });
            }
            require_phase(c, &[Phase::Open])?;
            if now < c.closes_at {
                return Err(Rejection::NotDue);
            }
            Ok(vec![E::ConcertationClosed { at: now }])
        }
        C::CloseEarly { reason, .. } => {
            let by = actor.require_commission(&c.collectivite, true, SCHEDULE)?;
            require_phase(c, &[Phase::Open])?;
            if now >= c.closes_at {
                return Err(Rejection::AlreadyDue);
            }
            Ok(vec![E::ConcertationClosedEarly {
                at: now,
                reason,
                by,
            }])
        }
        C::Extend {
            closes_at, reason, ..
        } => {
            let by = actor.require_commission(&c.collectivite, true, SCHEDULE)?;
            require_phase(c, &[Phase::Open])?;
            if closes_at <= c.closes_at || closes_at <= now {
                return Err(Rejection::ExtensionNotLater);
            }
            Ok(vec![E::ConcertationExtended {
                previous_closes_at: c.closes_at,
                closes_at,
                reason,
                by,
            }])
        }
        C::PublishSynthesis { summary, .. } => {
            // Only the commission signs a synthesis, never an administrator.
            let by = actor.require_commission(&c.collectivite, false, PUBLISH)?;
            require_phase(c, &[Phase::Closed])?;
            Ok(vec![E::SynthesisPublished {
                at: now,
                summary,
                by,
            }])
        }
        C::Archive { .. } => {
            staff()?;
            require_phase(c, &[Phase::SynthesisPublished])?;
            Ok(vec![E::ConcertationArchived { at: now }])
        }
    }
}
