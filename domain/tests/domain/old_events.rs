//! A committed fixture of events written by schema v1 must still fold: upcast,
//! deserialise (sealed parts present or erased), fold.

use concerto_domain::ballot::{Ballot, BallotEvent, Vote};
use concerto_domain::concertation::{ConcertationAggregate, ConcertationEvent, Phase};
use concerto_domain::contribution::{ContributionAggregate, ContributionEvent, ContributionStatus};
use concerto_domain::participant::{ParticipantAggregate, ParticipantEvent};
use concerto_domain::slug_reservation::{SlugEvent, SlugReservation};
use concerto_domain::{Aggregate, DomainEvent, Sealed};
use serde_json::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = include_str!("../fixtures/events-v1.json");

fn streams() -> BTreeMap<String, Vec<Value>> {
    let doc: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in doc["events"].as_array().expect("events") {
        out.entry(e["stream"].as_str().expect("stream").to_owned())
            .or_default()
            .push(e.clone());
    }
    out
}

fn read<E: DomainEvent>(stored: &[Value]) -> Vec<E> {
    stored
        .iter()
        .map(|e| {
            E::from_stored(
                e["event_type"].as_str().expect("type"),
                e["schema_version"].as_u64().expect("version") as u32,
                e["data"].clone(),
                e.get("sealed"),
            )
            .unwrap_or_else(|err| panic!("{e}: {err}"))
        })
        .collect()
}

fn fold<A: Aggregate>(stream: &str) -> A::State {
    let all = streams();
    let stored = all
        .get(stream)
        .unwrap_or_else(|| panic!("no stream {stream}"));
    A::fold(&read::<A::Event>(stored))
}

#[test]
fn every_stream_of_the_fixture_folds() {
    for (name, stored) in streams() {
        match name.split('-').next().unwrap() {
            "slug" => drop(SlugReservation::fold(&read::<SlugEvent>(&stored))),
            "concertation" => drop(ConcertationAggregate::fold(&read::<ConcertationEvent>(
                &stored,
            ))),
            "participant" => drop(ParticipantAggregate::fold(&read::<ParticipantEvent>(
                &stored,
            ))),
            "contribution" => drop(ContributionAggregate::fold(&read::<ContributionEvent>(
                &stored,
            ))),
            "ballot" => drop(Ballot::fold(&read::<BallotEvent>(&stored))),
            other => panic!("unknown category {other}"),
        }
    }
}

#[test]
fn a_v1_concertation_upcasts_its_single_territory_even_a_merged_commune() {
    let state = fold::<ConcertationAggregate>("concertation-01900000-0000-7000-8000-000000000001");
    let c = state.concertation.unwrap();
    assert_eq!(c.phase, Phase::Closed);
    assert_eq!(c.territories.len(), 1);
    // COM:01015 was merged away long ago: the old event folds anyway.
    assert_eq!(c.territories[0].as_str(), "COM:01015");
    assert_eq!(c.questions.len(), 2);
}

#[test]
fn v1_contributions_default_to_french_and_erased_bodies_fold() {
    let k1 = fold::<ContributionAggregate>("contribution-01900000-0000-7000-8000-0000000000c1")
        .contribution
        .unwrap();
    assert_eq!(k1.language.as_str(), "fr");
    assert_eq!(k1.status, ContributionStatus::Published);
    assert!(k1
        .body
        .present()
        .unwrap()
        .text
        .as_str()
        .starts_with("Publier"));
    let k2 = fold::<ContributionAggregate>("contribution-01900000-0000-7000-8000-0000000000c2")
        .contribution
        .unwrap();
    assert_eq!(k2.body, Sealed::Erased);
    assert_eq!(k2.status, ContributionStatus::Hidden);
    let k3 = fold::<ContributionAggregate>("contribution-01900000-0000-7000-8000-0000000000c3")
        .contribution
        .unwrap();
    assert_eq!(
        k3.body.present().unwrap().text.as_str().chars().count(),
        300,
        "old limits do not apply to old events"
    );
}

#[test]
fn v1_votes_are_renamed_and_the_later_one_wins() {
    let state = fold::<Ballot>(
        "ballot-01900000-0000-7000-8000-0000000000b2-01900000-0000-7000-8000-0000000000a2",
    );
    assert_eq!(
        state.votes.values().copied().collect::<Vec<_>>(),
        vec![Vote::Disagree]
    );
}

#[test]
fn participants_fold_with_or_without_their_key() {
    let p1 = fold::<ParticipantAggregate>("participant-01900000-0000-7000-8000-0000000000b1")
        .participant
        .unwrap();
    assert!(p1.personal.is_erased());
    let p2 = fold::<ParticipantAggregate>("participant-01900000-0000-7000-8000-0000000000b2")
        .participant
        .unwrap();
    assert_eq!(
        p2.personal
            .present()
            .unwrap()
            .display_name
            .as_ref()
            .unwrap()
            .as_str(),
        "Société Exemple"
    );
}

#[test]
fn events_from_a_newer_release_are_refused_not_misread() {
    let err = BallotEvent::from_stored("VoteCast", 99, serde_json::json!({}), None).unwrap_err();
    assert!(matches!(
        err,
        concerto_domain::SchemaError::FromTheFuture { .. }
    ));
    let err = BallotEvent::from_stored("Nope", 1, serde_json::json!({}), None).unwrap_err();
    assert!(
        matches!(err, concerto_domain::SchemaError::UnknownType(_)),
        "{err:?}"
    );
}
