//! Who issues a command, as the gateway authenticated them. The domain checks
//! the role on every command; it never sees credentials.

use crate::rejection::Rejection;
use crate::values::{ParticipantId, Siren, StaffId};
use serde::{Deserialize, Serialize};

/// The acting person or process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    /// A pseudonymous participant (citoyen, entreprise or agent public: the kind
    /// is recorded on the participant's own stream, not trusted from the session).
    Participant {
        /// The participant.
        id: ParticipantId,
    },
    /// An animateur: facilitates and moderates the concertations that assigned
    /// them (the assignment lives in the concertation stream).
    Facilitator {
        /// The staff member.
        id: StaffId,
    },
    /// A member of the commission of a collectivité.
    Commission {
        /// The staff member.
        id: StaffId,
        /// SIREN of the collectivité the role is scoped to.
        collectivite: Siren,
    },
    /// An administrator of a collectivité.
    Administrator {
        /// The staff member.
        id: StaffId,
        /// SIREN of the collectivité the role is scoped to.
        collectivite: Siren,
    },
    /// The platform itself: imports, demo seeding, scheduled phase changes.
    System,
}

/// The role of an actor, without its identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// See [`Actor::Participant`].
    Participant,
    /// See [`Actor::Facilitator`].
    Facilitator,
    /// See [`Actor::Commission`].
    Commission,
    /// See [`Actor::Administrator`].
    Administrator,
    /// See [`Actor::System`].
    System,
}

impl Actor {
    /// The actor's role.
    pub fn role(&self) -> Role {
        match self {
            Actor::Participant { .. } => Role::Participant,
            Actor::Facilitator { .. } => Role::Facilitator,
            Actor::Commission { .. } => Role::Commission,
            Actor::Administrator { .. } => Role::Administrator,
            Actor::System => Role::System,
        }
    }

    /// The participant id, when the actor is one.
    pub fn participant(&self) -> Option<ParticipantId> {
        match self {
            Actor::Participant { id } => Some(*id),
            _ => None,
        }
    }

    /// The staff id, when the actor is staff.
    pub fn staff(&self) -> Option<StaffId> {
        match self {
            Actor::Facilitator { id }
            | Actor::Commission { id, .. }
            | Actor::Administrator { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Requires the actor to be the given participant.
    pub fn require_participant(
        &self,
        who: ParticipantId,
        action: &'static str,
    ) -> Result<(), Rejection> {
        match self {
            Actor::Participant { id } if *id == who => Ok(()),
            Actor::Participant { .. } => Err(Rejection::NotAuthor),
            _ => Err(Rejection::Forbidden { action }),
        }
    }

    /// Requires commission or administrator rights over `collectivite`.
    /// `with_admin` says whether an administrator may act too.
    pub fn require_commission(
        &self,
        collectivite: &Siren,
        with_admin: bool,
        action: &'static str,
    ) -> Result<StaffId, Rejection> {
        match self {
            Actor::Commission {
                id,
                collectivite: c,
            } => {
                if c == collectivite {
                    Ok(*id)
                } else {
                    Err(Rejection::OtherCollectivite)
                }
            }
            Actor::Administrator {
                id,
                collectivite: c,
            } if with_admin => {
                if c == collectivite {
                    Ok(*id)
                } else {
                    Err(Rejection::OtherCollectivite)
                }
            }
            _ => Err(Rejection::Forbidden { action }),
        }
    }
}
