//! Slug reservation: makes a concertation's slug unique across the deployment.
//! Stream `slug-<slug>`, appended with expected revision `NoStream`.
//!
//! The first reservation wins at the event store (NoStream), so two commissions
//! racing for one slug cannot both get it. Reserving again for the same
//! concertation is an idempotent no-op, so a retried creation goes through.

use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::values::{ConcertationId, Slug};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The slug reservation aggregate.
pub struct SlugReservation;

/// Reserves a slug for a concertation.
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveSlug {
    /// The slug.
    pub slug: Slug,
    /// The concertation that will use it.
    pub concertation: ConcertationId,
}

/// What happened to a slug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum SlugEvent {
    /// The slug now belongs to the concertation, forever.
    SlugReserved {
        /// The slug.
        slug: Slug,
        /// Its concertation.
        concertation: ConcertationId,
    },
}

crate::event_types!(SlugEvent { SlugReserved });

impl DomainEvent for SlugEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }
}

/// The concertation holding the slug, if any.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlugState {
    /// The holder.
    pub holder: Option<ConcertationId>,
}

/// The stream of a slug: `slug-<slug>`.
pub fn stream(slug: &Slug) -> StreamName {
    StreamName::new(SlugReservation::CATEGORY, slug)
}

impl Aggregate for SlugReservation {
    const CATEGORY: &'static str = "slug";
    type State = SlugState;
    type Command = ReserveSlug;
    type Event = SlugEvent;

    fn stream(command: &ReserveSlug) -> StreamName {
        stream(&command.slug)
    }

    fn decide(
        state: &SlugState,
        command: ReserveSlug,
        actor: &Actor,
        _now: OffsetDateTime,
    ) -> Result<Vec<SlugEvent>, Rejection> {
        // Only those who may create a concertation reserve slugs; the
        // collectivité is checked by the creation that follows.
        if !matches!(
            actor,
            Actor::Commission { .. } | Actor::Administrator { .. } | Actor::System
        ) {
            return Err(Rejection::Forbidden {
                action: "action.configure",
            });
        }
        match state.holder {
            Some(holder) if holder == command.concertation => Ok(vec![]),
            Some(_) => Err(Rejection::SlugTaken {
                slug: command.slug.to_string(),
            }),
            None => Ok(vec![SlugEvent::SlugReserved {
                slug: command.slug,
                concertation: command.concertation,
            }]),
        }
    }

    fn evolve(mut state: SlugState, event: &SlugEvent) -> SlugState {
        let SlugEvent::SlugReserved { concertation, .. } = event;
        state.holder = Some(*concertation);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn slug() -> Slug {
        Slug::parse("ia-territoriale").unwrap()
    }

    #[test]
    fn a_free_slug_is_reserved() {
        let id = ConcertationId::from_uuid(uuid::Uuid::now_v7());
        given::<SlugReservation>([])
            .when(ReserveSlug {
                slug: slug(),
                concertation: id,
            })
            .then_emits([SlugEvent::SlugReserved {
                slug: slug(),
                concertation: id,
            }]);
    }

    #[test]
    fn a_taken_slug_is_refused_and_a_retry_is_a_no_op() {
        let (a, b) = (
            ConcertationId::from_uuid(uuid::Uuid::now_v7()),
            ConcertationId::from_uuid(uuid::Uuid::now_v7()),
        );
        let taken = [SlugEvent::SlugReserved {
            slug: slug(),
            concertation: a,
        }];
        given::<SlugReservation>(taken.clone())
            .when(ReserveSlug {
                slug: slug(),
                concertation: b,
            })
            .then_rejected(Rejection::SlugTaken {
                slug: "ia-territoriale".into(),
            });
        given::<SlugReservation>(taken)
            .when(ReserveSlug {
                slug: slug(),
                concertation: a,
            })
            .then_emits([]);
    }

    #[test]
    fn participants_cannot_reserve() {
        given::<SlugReservation>([])
            .by(Actor::Participant {
                id: crate::values::ParticipantId::from_uuid(uuid::Uuid::now_v7()),
            })
            .when(ReserveSlug {
                slug: slug(),
                concertation: ConcertationId::from_uuid(uuid::Uuid::now_v7()),
            })
            .then_rejected_with("role.forbidden");
    }
}
