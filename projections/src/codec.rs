//! The one conversion between domain events and the event store's envelopes: the
//! gateway encodes with it, the projections decode with it.
//!
//! A domain event's public JSON becomes the envelope's `data`, its type and schema
//! version the envelope's; its sealed part (personal data, a body) is sealed under the
//! key it names, as the part [`SEALED_PART`]. Decoding hands the opened part (or `None`
//! when its key was destroyed) back to the domain, which folds it as erased.

use domain::ballot::BallotEvent;
use domain::concertation::ConcertationEvent;
use domain::contribution::ContributionEvent;
use domain::doctrine::DoctrineEvent;
use domain::participant::ParticipantEvent;
use domain::session::SessionEvent;
use domain::slug_reservation::SlugEvent;
use domain::support::SupportEvent;
use domain::{DomainEvent, SchemaError};
use eventstore::{KeyId, Metadata, NewEvent, RecordedEvent, StoreError, StreamName};
use uuid::Uuid;

/// The name of the sealed part of every domain event in the envelope.
pub const SEALED_PART: &str = "sealed";

/// The envelope of a domain event, with the given id and metadata.
pub fn encode<E: DomainEvent>(
    event: &E,
    id: Uuid,
    metadata: Metadata,
) -> Result<NewEvent, StoreError> {
    let mut envelope = NewEvent::new(event.event_type(), event.public_data())
        .with_id(id)
        .with_schema_version(event.schema_version())
        .with_metadata(metadata);
    if let Some(part) = event.sealed_part() {
        envelope = envelope.with_sealed(SEALED_PART, KeyId::parse(part.key.as_str())?, part.data);
    }
    Ok(envelope)
}

/// Reads a domain event back from a recorded envelope (upcasting old versions).
pub fn decode<E: DomainEvent>(event: &RecordedEvent) -> Result<E, SchemaError> {
    E::from_stored(
        event.event_type(),
        event.record.event.schema_version,
        event.data().clone(),
        event.sealed(SEALED_PART),
    )
}

/// The event store's name for a domain stream.
pub fn stream_name(name: &domain::StreamName) -> Result<StreamName, StoreError> {
    StreamName::parse(name.as_str())
}

/// Any domain event, told apart by its stream's category.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyEvent {
    /// `slug-…`
    Slug(SlugEvent),
    /// `concertation-…`
    Concertation(ConcertationEvent),
    /// `participant-…`
    Participant(ParticipantEvent),
    /// `contribution-…`
    Contribution(ContributionEvent),
    /// `ballot-…`
    Ballot(BallotEvent),
    /// `supports-…`
    Supports(SupportEvent),
    /// `session-…`
    Session(SessionEvent),
    /// `doctrine-…`
    Doctrine(DoctrineEvent),
}

/// Why a recorded event is not a domain event this release can read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The stream's category belongs to no aggregate.
    #[error("catégorie de flux inconnue « {0} »")]
    UnknownCategory(String),
    /// The aggregate could not read the event.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

impl AnyEvent {
    /// Decodes a recorded event by its stream's category.
    pub fn decode(event: &RecordedEvent) -> Result<Self, DecodeError> {
        Ok(match event.stream().category() {
            "slug" => Self::Slug(decode(event)?),
            "concertation" => Self::Concertation(decode(event)?),
            "participant" => Self::Participant(decode(event)?),
            "contribution" => Self::Contribution(decode(event)?),
            "ballot" => Self::Ballot(decode(event)?),
            "supports" => Self::Supports(decode(event)?),
            "session" => Self::Session(decode(event)?),
            "doctrine" => Self::Doctrine(decode(event)?),
            other => return Err(DecodeError::UnknownCategory(other.to_owned())),
        })
    }
}
