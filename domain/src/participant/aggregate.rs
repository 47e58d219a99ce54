//! Commands, events, state and rules of a participant.

use super::types::{ParticipantKind, PersonalData, VerificationLevel};
use crate::actor::Actor;
use crate::aggregate::{Aggregate, StreamName};
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::sealed::{unseal, SealKey, Sealed, SealedPart};
use crate::territory::reference;
use crate::values::{ParticipantId, Siren, StaffId, TextHash};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// Where a participant took part, as the read model knows it: the participant
/// stream knows no concertation, so staff commands on a participant carry this
/// view, as other aggregates' commands carry a concertation snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParticipantScope {
    /// The collectivités (SIREN) organising the concertations in which the
    /// participant contributed, voted or supported.
    pub collectivites: BTreeSet<Siren>,
    /// The facilitators assigned to those concertations.
    pub facilitators: BTreeSet<StaffId>,
}

impl ParticipantScope {
    /// Whether staff of `collectivite` may act on participant `p`: `p` took part
    /// in one of its concertations, or is a public agent of that collectivité.
    fn covers(&self, p: &Participant, collectivite: &Siren) -> bool {
        self.collectivites.contains(collectivite)
            || matches!(&p.kind, ParticipantKind::AgentPublic { collectivite: c } if c == collectivite)
    }

    /// Requires `actor` (staff) to act within the participant's scope: a
    /// facilitator of one of their concertations, or the commission or an
    /// administrator of one of their collectivités. Returns the staff id.
    fn require_staff_in_scope(
        &self,
        p: &Participant,
        actor: &Actor,
        action: &'static str,
    ) -> Result<StaffId, Rejection> {
        let (id, in_scope) = match actor {
            Actor::Facilitator { id } => (*id, self.facilitators.contains(id)),
            Actor::Commission { id, collectivite } | Actor::Administrator { id, collectivite } => {
                (*id, self.covers(p, collectivite))
            }
            Actor::Participant { .. } | Actor::System => {
                return Err(Rejection::Forbidden { action })
            }
        };
        if in_scope {
            Ok(id)
        } else {
            Err(Rejection::ParticipantOutOfScope)
        }
    }
}

/// A command on a participant.
#[derive(Debug, Clone, PartialEq)]
pub enum ParticipantCommand {
    /// Registers the pseudonym, on its first contribution or vote (by the
    /// participant themself, or the system actor for an import).
    Register {
        /// The new participant.
        id: ParticipantId,
        /// Their kind.
        kind: ParticipantKind,
        /// Hash of the recovery code handed to them once.
        recovery_code_hash: TextHash,
        /// Optional personal data (sealed).
        personal: PersonalData,
    },
    /// Replaces the personal data.
    ChangePersonalData {
        /// The participant.
        id: ParticipantId,
        /// The new data.
        personal: PersonalData,
    },
    /// Replaces the recovery code.
    RotateRecoveryCode {
        /// The participant.
        id: ParticipantId,
        /// Hash of the new code.
        recovery_code_hash: TextHash,
    },
    /// Raises the verification level (staff within the participant's scope, or
    /// the system for an identity provider).
    Verify {
        /// The participant.
        id: ParticipantId,
        /// The new level.
        level: VerificationLevel,
        /// Where the participant took part (read model); checked for staff.
        scope: ParticipantScope,
    },
    /// Asks for erasure: the store then destroys the participant's key.
    RequestErasure {
        /// The participant.
        id: ParticipantId,
        /// Where the participant took part (read model); checked for an administrator.
        scope: ParticipantScope,
    },
}

impl ParticipantCommand {
    /// The participant targeted.
    pub fn id(&self) -> ParticipantId {
        match self {
            ParticipantCommand::Register { id, .. }
            | ParticipantCommand::ChangePersonalData { id, .. }
            | ParticipantCommand::RotateRecoveryCode { id, .. }
            | ParticipantCommand::Verify { id, .. }
            | ParticipantCommand::RequestErasure { id, .. } => *id,
        }
    }
}

/// The recovery code hash and the personal data given at registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationSecrets {
    /// Hash of the recovery code; sealed so that erasure also destroys it.
    pub recovery_code_hash: TextHash,
    /// Personal data.
    pub personal: PersonalData,
}

/// What happened to a participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ParticipantEvent {
    /// The pseudonym exists.
    ParticipantRegistered {
        /// The participant.
        id: ParticipantId,
        /// Their kind (public: the synthesis counts by kind).
        kind: ParticipantKind,
        /// Verification level at registration.
        verification: VerificationLevel,
        /// Year of the territory list a commune was checked against.
        territory_list_year: u16,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Sealed under `participant-<uuid>`.
        #[serde(skip)]
        secrets: Sealed<RegistrationSecrets>,
    },
    /// Personal data replaced.
    PersonalDataChanged {
        /// The participant.
        id: ParticipantId,
        /// Sealed under `participant-<uuid>`.
        #[serde(skip)]
        personal: Sealed<PersonalData>,
    },
    /// Recovery code replaced.
    RecoveryCodeRotated {
        /// The participant.
        id: ParticipantId,
        /// Sealed under `participant-<uuid>`.
        #[serde(skip)]
        recovery_code_hash: Sealed<TextHash>,
    },
    /// Verification level raised.
    ParticipantVerified {
        /// The participant.
        id: ParticipantId,
        /// The new level.
        level: VerificationLevel,
        /// The staff member who checked, if not an identity provider.
        by: Option<StaffId>,
    },
    /// Erasure requested: the key is to be destroyed; the pseudonym stays, inert.
    ErasureRequested {
        /// The participant.
        id: ParticipantId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

crate::event_types!(ParticipantEvent {
    ParticipantRegistered,
    PersonalDataChanged,
    RecoveryCodeRotated,
    ParticipantVerified,
    ErasureRequested,
});

impl DomainEvent for ParticipantEvent {
    fn event_type(&self) -> &'static str {
        self.type_name()
    }

    fn sealed_part(&self) -> Option<SealedPart> {
        match self {
            ParticipantEvent::ParticipantRegistered { id, secrets, .. } => {
                SealedPart::of(SealKey::participant(*id), secrets)
            }
            ParticipantEvent::PersonalDataChanged { id, personal } => {
                SealedPart::of(SealKey::participant(*id), personal)
            }
            ParticipantEvent::RecoveryCodeRotated {
                id,
                recovery_code_hash,
            } => SealedPart::of(SealKey::participant(*id), recovery_code_hash),
            _ => None,
        }
    }

    fn restore_sealed(&mut self, sealed: Option<&Value>) {
        match self {
            ParticipantEvent::ParticipantRegistered { secrets, .. } => *secrets = unseal(sealed),
            ParticipantEvent::PersonalDataChanged { personal, .. } => *personal = unseal(sealed),
            ParticipantEvent::RecoveryCodeRotated {
                recovery_code_hash, ..
            } => *recovery_code_hash = unseal(sealed),
            _ => {}
        }
    }
}

/// A registered participant. Built only by folding events.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// The pseudonym.
    pub id: ParticipantId,
    /// Their kind.
    pub kind: ParticipantKind,
    /// Verification level.
    pub verification: VerificationLevel,
    /// Personal data, or erased.
    pub personal: Sealed<PersonalData>,
    /// Recovery code hash, or erased.
    pub recovery_code_hash: Sealed<TextHash>,
    /// Whether erasure was requested.
    pub erased: bool,
}

/// The state of a participant stream.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParticipantState {
    /// The participant, once registered.
    pub participant: Option<Participant>,
}

/// The participant aggregate.
pub struct ParticipantAggregate;

/// The stream of a participant: `participant-<uuid>`.
pub fn stream(id: ParticipantId) -> StreamName {
    StreamName::new(ParticipantAggregate::CATEGORY, id)
}

impl Aggregate for ParticipantAggregate {
    const CATEGORY: &'static str = "participant";
    type State = ParticipantState;
    type Command = ParticipantCommand;
    type Event = ParticipantEvent;

    fn stream(command: &ParticipantCommand) -> StreamName {
        stream(command.id())
    }

    fn decide(
        state: &ParticipantState,
        command: ParticipantCommand,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<ParticipantEvent>, Rejection> {
        use ParticipantCommand as C;
        use ParticipantEvent as E;
        if let C::Register {
            id,
            kind,
            recovery_code_hash,
            personal,
        } = command
        {
            if *actor != Actor::System {
                actor.require_participant(id, "action.participate")?;
            }
            if state.participant.is_some() {
                return Err(Rejection::ParticipantExists);
            }
            // A citizen's place is a commune, never a wider scope: the synthesis
            // counts participants by commune.
            if let ParticipantKind::Citoyen {
                commune: Some(code),
            } = &kind
            {
                if code.level() != Some(crate::territory::TerritoryLevel::Commune) {
                    return Err(Rejection::TerritoryLevel {
                        value: code.to_string(),
                    });
                }
            }
            return Ok(vec![E::ParticipantRegistered {
                id,
                kind,
                verification: VerificationLevel::SelfDeclared,
                territory_list_year: reference().year(),
                at: now,
                secrets: Sealed::Present(RegistrationSecrets {
                    recovery_code_hash,
                    personal,
                }),
            }]);
        }
        let p = state
            .participant
            .as_ref()
            .ok_or(Rejection::ParticipantNotFound)?;
        if p.erased {
            return Err(Rejection::ParticipantErased);
        }
        match command {
            C::Register { .. } => unreachable!("handled above"),
            C::ChangePersonalData { id, personal } => {
                actor.require_participant(id, "action.participate")?;
                Ok(vec![E::PersonalDataChanged {
                    id,
                    personal: Sealed::Present(personal),
                }])
            }
            C::RotateRecoveryCode {
                id,
                recovery_code_hash,
            } => {
                actor.require_participant(id, "action.participate")?;
                Ok(vec![E::RecoveryCodeRotated {
                    id,
                    recovery_code_hash: Sealed::Present(recovery_code_hash),
                }])
            }
            C::Verify { id, level, scope } => {
                let by = match (actor, level) {
                    (Actor::System, VerificationLevel::VerifiedByIdentityProvider) => None,
                    (
                        Actor::Facilitator { .. }
                        | Actor::Commission { .. }
                        | Actor::Administrator { .. },
                        VerificationLevel::VerifiedByFacilitator,
                    ) => Some(scope.require_staff_in_scope(p, actor, "action.verify")?),
                    _ => {
                        return Err(Rejection::Forbidden {
                            action: "action.verify",
                        })
                    }
                };
                // Verification only ever rises: an identity provider's check is
                // not downgraded by a facilitator's.
                if level <= p.verification {
                    return Err(Rejection::VerificationUnchanged);
                }
                Ok(vec![E::ParticipantVerified { id, level, by }])
            }
            C::RequestErasure { id, scope } => {
                match actor {
                    Actor::Administrator { .. } => {
                        scope.require_staff_in_scope(p, actor, "action.erase")?;
                    }
                    Actor::System => {}
                    _ => actor.require_participant(id, "action.erase")?,
                }
                Ok(vec![E::ErasureRequested { id, at: now }])
            }
        }
    }

    fn evolve(mut state: ParticipantState, event: &ParticipantEvent) -> ParticipantState {
        use ParticipantEvent as E;
        if let E::ParticipantRegistered {
            id,
            kind,
            verification,
            secrets,
            ..
        } = event
        {
            state.participant = Some(Participant {
                id: *id,
                kind: kind.clone(),
                verification: *verification,
                personal: match secrets {
                    Sealed::Present(s) => Sealed::Present(s.personal.clone()),
                    Sealed::Erased => Sealed::Erased,
                },
                recovery_code_hash: match secrets {
                    Sealed::Present(s) => Sealed::Present(s.recovery_code_hash.clone()),
                    Sealed::Erased => Sealed::Erased,
                },
                erased: false,
            });
            return state;
        }
        let Some(p) = state.participant.as_mut() else {
            return state;
        };
        match event {
            E::ParticipantRegistered { .. } => {}
            E::PersonalDataChanged { personal, .. } => p.personal = personal.clone(),
            E::RecoveryCodeRotated {
                recovery_code_hash, ..
            } => p.recovery_code_hash = recovery_code_hash.clone(),
            E::ParticipantVerified { level, .. } => p.verification = *level,
            E::ErasureRequested { .. } => {
                // Forget at once in memory; the store forgets when the key goes.
                p.erased = true;
                p.personal = Sealed::Erased;
                p.recovery_code_hash = Sealed::Erased;
            }
        }
        state
    }
}
