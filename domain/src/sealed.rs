//! Sealed parts: the personal data and contribution bodies that the event store
//! encrypts under a key kept outside the log.
//!
//! An event's public part never holds personal data or a body; its sealed part
//! ([`SealedPart`]) names the key and carries the JSON to encrypt. Destroying the
//! key (crypto-shredding) leaves the event with its sealed value [`Sealed::Erased`],
//! and every fold must still succeed.

use serde::Serialize;
use serde_json::Value;

/// A value stored in the sealed part of an event: present, or erased because its
/// key was destroyed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sealed<T> {
    /// The value, decrypted.
    Present(T),
    /// The key was destroyed (RGPD erasure, court order, charter removal).
    #[default]
    Erased,
}

impl<T> Sealed<T> {
    /// The value, if not erased.
    pub fn present(&self) -> Option<&T> {
        match self {
            Sealed::Present(v) => Some(v),
            Sealed::Erased => None,
        }
    }

    /// Whether the value was erased.
    pub fn is_erased(&self) -> bool {
        matches!(self, Sealed::Erased)
    }
}

/// Names the key that seals a value: one per participant, one per contribution,
/// so erasing one leaves everything else readable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SealKey(String);

impl SealKey {
    /// The key of a participant's personal data: `participant-<uuid>`.
    pub fn participant(id: crate::values::ParticipantId) -> Self {
        Self(format!("participant-{id}"))
    }

    /// The key of a contribution's body: `contribution-<uuid>`.
    pub fn contribution(id: crate::values::ContributionId) -> Self {
        Self(format!("contribution-{id}"))
    }

    /// The key name, as the event store's envelope records it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the event store must encrypt for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedPart {
    /// The key to encrypt under.
    pub key: SealKey,
    /// The JSON to encrypt.
    pub data: Value,
}

impl SealedPart {
    /// Builds a sealed part from a serialisable value.
    pub(crate) fn of<T: Serialize>(key: SealKey, value: &Sealed<T>) -> Option<Self> {
        value.present().map(|v| SealedPart {
            key,
            data: serde_json::to_value(v).unwrap_or(Value::Null),
        })
    }
}

/// Reads a sealed value back; a missing or unreadable part counts as erased,
/// because an erased value must never stop a fold.
pub(crate) fn unseal<T: serde::de::DeserializeOwned>(data: Option<&Value>) -> Sealed<T> {
    match data.and_then(|v| serde_json::from_value(v.clone()).ok()) {
        Some(v) => Sealed::Present(v),
        None => Sealed::Erased,
    }
}
