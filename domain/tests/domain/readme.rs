//! The README documents every event type and every catalogue code; these
//! tests keep it from drifting.

use concerto_domain::ballot::BallotEvent;
use concerto_domain::concertation::ConcertationEvent;
use concerto_domain::contribution::ContributionEvent;
use concerto_domain::doctrine::DoctrineEvent;
use concerto_domain::i18n::CATALOGUE;
use concerto_domain::participant::ParticipantEvent;
use concerto_domain::session::SessionEvent;
use concerto_domain::slug_reservation::SlugEvent;
use concerto_domain::support::SupportEvent;

const README: &str = include_str!("../../README.md");

#[test]
fn every_event_type_is_documented() {
    let all = [
        SlugEvent::EVENT_TYPES,
        ConcertationEvent::EVENT_TYPES,
        ParticipantEvent::EVENT_TYPES,
        ContributionEvent::EVENT_TYPES,
        BallotEvent::EVENT_TYPES,
        SupportEvent::EVENT_TYPES,
        SessionEvent::EVENT_TYPES,
        DoctrineEvent::EVENT_TYPES,
    ];
    for t in all.iter().flat_map(|ts| ts.iter()) {
        assert!(
            README.contains(&format!("`{t}`")),
            "README misses event {t}"
        );
    }
}

#[test]
fn every_catalogue_code_is_documented() {
    for (code, _, _) in CATALOGUE {
        assert!(
            README.contains(&format!("`{code}`")),
            "README misses code {code}"
        );
    }
}
