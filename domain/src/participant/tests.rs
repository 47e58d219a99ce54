//! Every rule of participants, allowed and refused.

use super::*;
use crate::rejection::Rejection;
use crate::schema::DomainEvent;
use crate::sealed::Sealed;
use crate::territory::TerritoryCode;
use crate::testing::fixtures::*;
use crate::testing::given;
use crate::values::*;
use crate::{Actor, Aggregate};

type G = ParticipantAggregate;
type C = ParticipantCommand;

fn personal() -> PersonalData {
    PersonalData {
        display_name: Some(DisplayName::parse("Alice M.").unwrap()),
        email: Some(Email::parse("alice@exemple.fr").unwrap()),
        contact: None,
    }
}

fn register(kind: ParticipantKind) -> C {
    C::Register {
        id: alice(),
        kind,
        recovery_code_hash: TextHash::of("code-de-secours"),
        personal: personal(),
    }
}

fn citizen() -> ParticipantKind {
    ParticipantKind::Citoyen {
        commune: Some(TerritoryCode::parse_commune("2A004").unwrap()),
    }
}

fn registered() -> Vec<ParticipantEvent> {
    given::<G>([])
        .by(as_participant(alice()))
        .when(register(citizen()))
        .then_accepted()
}

#[test]
fn a_participant_registers_self_declared_with_sealed_personal_data() {
    let events = registered();
    let e = &events[0];
    let sealed = e.sealed_part().unwrap();
    assert_eq!(sealed.key.as_str(), format!("participant-{}", alice()));
    let public = e.public_data().to_string();
    assert!(
        !public.contains("alice@")
            && !public.contains("Alice M.")
            && !public.contains(TextHash::of("code-de-secours").as_str())
    );
    let p = G::fold(&events).participant.unwrap();
    assert_eq!(p.verification, VerificationLevel::SelfDeclared);
    assert_eq!(
        p.personal
            .present()
            .unwrap()
            .display_name
            .as_ref()
            .unwrap()
            .as_str(),
        "Alice M."
    );
}

#[test]
fn businesses_and_agents_carry_a_siren() {
    given::<G>([])
        .by(as_participant(alice()))
        .when(register(ParticipantKind::Entreprise {
            siren: other_collectivite(),
        }))
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(register(ParticipantKind::AgentPublic {
            collectivite: collectivite(),
        }))
        .then_accepted();
}

#[test]
fn registration_is_by_oneself_or_an_import_and_only_once() {
    given::<G>([])
        .by(Actor::System)
        .when(register(citizen()))
        .then_accepted();
    given::<G>([])
        .by(as_participant(bob()))
        .when(register(citizen()))
        .then_rejected(Rejection::NotAuthor);
    given::<G>([])
        .by(facilitator())
        .when(register(citizen()))
        .then_rejected_with("role.forbidden");
    given::<G>(registered())
        .by(as_participant(alice()))
        .when(register(citizen()))
        .then_rejected(Rejection::ParticipantExists);
}

#[test]
fn personal_data_and_recovery_code_change_only_by_the_participant() {
    given::<G>(registered())
        .by(as_participant(alice()))
        .when(C::ChangePersonalData {
            id: alice(),
            personal: PersonalData::default(),
        })
        .then_accepted();
    given::<G>(registered())
        .by(as_participant(bob()))
        .when(C::ChangePersonalData {
            id: alice(),
            personal: PersonalData::default(),
        })
        .then_rejected(Rejection::NotAuthor);
    given::<G>(registered())
        .by(as_participant(alice()))
        .when(C::RotateRecoveryCode {
            id: alice(),
            recovery_code_hash: TextHash::of("nouveau"),
        })
        .then_accepted();
    given::<G>([])
        .by(as_participant(alice()))
        .when(C::RotateRecoveryCode {
            id: alice(),
            recovery_code_hash: TextHash::of("x"),
        })
        .then_rejected(Rejection::ParticipantNotFound);
}

#[test]
fn verification_rises_by_staff_or_identity_provider() {
    let verify = |level| C::Verify {
        id: alice(),
        level,
        scope: took_part(),
    };
    let state = given::<G>(registered())
        .by(facilitator())
        .when(verify(VerificationLevel::VerifiedByFacilitator))
        .then_state();
    assert_eq!(
        state.participant.unwrap().verification,
        VerificationLevel::VerifiedByFacilitator
    );
    given::<G>(registered())
        .by(Actor::System)
        .when(verify(VerificationLevel::VerifiedByIdentityProvider))
        .then_accepted();
    given::<G>(registered())
        .by(facilitator())
        .when(verify(VerificationLevel::VerifiedByIdentityProvider))
        .then_rejected_with("role.forbidden");
    given::<G>(registered())
        .by(as_participant(alice()))
        .when(verify(VerificationLevel::VerifiedByFacilitator))
        .then_rejected_with("role.forbidden");
    given::<G>(registered())
        .by(facilitator())
        .when(verify(VerificationLevel::SelfDeclared))
        .then_rejected_with("role.forbidden");
    let mut verified = registered();
    verified.extend(
        given::<G>(registered())
            .by(Actor::System)
            .when(verify(VerificationLevel::VerifiedByIdentityProvider))
            .then_accepted(),
    );
    given::<G>(verified)
        .by(facilitator())
        .when(verify(VerificationLevel::VerifiedByFacilitator))
        .then_rejected(Rejection::VerificationUnchanged);
}

#[test]
fn erasure_leaves_an_inert_pseudonym() {
    let mut events = registered();
    events.extend(
        given::<G>(registered())
            .by(as_participant(alice()))
            .when(erase(ParticipantScope::default()))
            .then_accepted(),
    );
    let p = G::fold(&events).participant.unwrap();
    assert!(p.erased && p.personal.is_erased());
    given::<G>(events)
        .by(as_participant(alice()))
        .when(C::ChangePersonalData {
            id: alice(),
            personal: personal(),
        })
        .then_rejected(Rejection::ParticipantErased);
    given::<G>(registered())
        .by(administrator())
        .when(erase(took_part()))
        .then_accepted();
    given::<G>(registered())
        .by(Actor::System)
        .when(erase(ParticipantScope::default()))
        .then_accepted();
    given::<G>(registered())
        .by(as_participant(bob()))
        .when(erase(took_part()))
        .then_rejected(Rejection::NotAuthor);
}

/// Alice took part in the fixture concertation (collectivité and facilitators).
fn took_part() -> ParticipantScope {
    let snapshot = open_snapshot();
    ParticipantScope {
        collectivites: [snapshot.collectivite].into(),
        facilitators: snapshot.facilitators,
    }
}

fn erase(scope: ParticipantScope) -> C {
    C::RequestErasure { id: alice(), scope }
}

fn verify_in(scope: ParticipantScope) -> C {
    C::Verify {
        id: alice(),
        level: VerificationLevel::VerifiedByFacilitator,
        scope,
    }
}

#[test]
fn staff_verify_only_participants_of_their_concertations_or_collectivite() {
    for who in [
        facilitator(),
        second_facilitator(),
        commission(),
        administrator(),
    ] {
        given::<G>(registered())
            .by(who.clone())
            .when(verify_in(took_part()))
            .then_accepted();
        given::<G>(registered())
            .by(who)
            .when(verify_in(ParticipantScope::default()))
            .then_rejected(Rejection::ParticipantOutOfScope);
    }
    for who in [unassigned_facilitator(), foreign_commission()] {
        given::<G>(registered())
            .by(who)
            .when(verify_in(took_part()))
            .then_rejected(Rejection::ParticipantOutOfScope);
    }
    // A public agent of the collectivité is within its staff's remit.
    let agent = given::<G>([])
        .by(as_participant(alice()))
        .when(register(ParticipantKind::AgentPublic {
            collectivite: collectivite(),
        }))
        .then_accepted();
    given::<G>(agent.clone())
        .by(commission())
        .when(verify_in(ParticipantScope::default()))
        .then_accepted();
    given::<G>(agent)
        .by(foreign_commission())
        .when(verify_in(ParticipantScope::default()))
        .then_rejected(Rejection::ParticipantOutOfScope);
}

#[test]
fn an_administrator_erases_only_participants_of_their_collectivite() {
    let foreign_admin = Actor::Administrator {
        id: StaffId::from_uuid(uuid::Uuid::from_u128(0x2_0099)),
        collectivite: other_collectivite(),
    };
    given::<G>(registered())
        .by(administrator())
        .when(erase(took_part()))
        .then_accepted();
    given::<G>(registered())
        .by(administrator())
        .when(erase(ParticipantScope::default()))
        .then_rejected(Rejection::ParticipantOutOfScope);
    given::<G>(registered())
        .by(foreign_admin)
        .when(erase(took_part()))
        .then_rejected(Rejection::ParticipantOutOfScope);
    for who in [commission(), facilitator()] {
        given::<G>(registered())
            .by(who)
            .when(erase(took_part()))
            .then_rejected_with("role.forbidden");
    }
}

#[test]
fn a_destroyed_key_still_folds() {
    let e = &registered()[0];
    let back =
        ParticipantEvent::from_stored(e.event_type(), e.schema_version(), e.public_data(), None)
            .unwrap();
    let p = G::fold(&[back]).participant.unwrap();
    assert_eq!(p.personal, Sealed::Erased);
    assert_eq!(p.recovery_code_hash, Sealed::Erased);
    assert!(matches!(p.kind, ParticipantKind::Citoyen { .. }));
}

#[test]
fn a_citizen_gives_a_commune_not_a_wider_territory() {
    let kind = ParticipantKind::Citoyen {
        commune: Some(TerritoryCode::parse("DEP:2A").unwrap()),
    };
    given::<G>([])
        .by(as_participant(alice()))
        .when(register(kind))
        .then_rejected_with("territory.level");
    given::<G>([])
        .by(as_participant(alice()))
        .when(register(ParticipantKind::Citoyen { commune: None }))
        .then_accepted();
}
