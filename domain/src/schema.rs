//! Events as a stored schema: a type name per variant, a schema version per
//! type, and upcasters that bring old JSON to the current shape before it is
//! deserialised.
//!
//! Contract with the event store: it stores `event_type()`, `schema_version()`,
//! `public_data()` in the clear and `sealed_part()` encrypted; reading back, it
//! hands all four (the sealed JSON as `None` when the key was destroyed) to
//! [`DomainEvent::from_stored`], which upcasts then deserialises.

use crate::sealed::SealedPart;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Debug;

/// Why a stored event could not be read back. This is a failure (corrupt or
/// foreign data, or a version from a newer release), not a business rejection.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemaError {
    /// The event type is not one this aggregate knows.
    #[error("unknown event type {0}")]
    UnknownType(String),
    /// The stored version is newer than this code understands.
    #[error("event {event_type} has version {version}, newer than {current}")]
    FromTheFuture {
        /// The event type.
        event_type: String,
        /// The stored version.
        version: u32,
        /// The newest version this code knows.
        current: u32,
    },
    /// The JSON does not match the schema after upcasting.
    #[error("event {event_type} does not match its schema: {message}")]
    Invalid {
        /// The event type.
        event_type: String,
        /// The deserialiser's message.
        message: String,
    },
}

/// One upcaster: turns version `from` of an event type into version `from + 1`.
pub type Upcaster = fn(Value) -> Value;

/// Current schema versions of the types that have moved past version 1.
const VERSIONS: &[(&str, u32)] = &[
    ("ConcertationCreated", 2),
    ("ContributionSubmitted", 2),
    ("VoteCast", 2),
];

/// Upcasters, by (event type, version they read).
const UPCASTERS: &[(&str, u32, Upcaster)] = &[
    ("ConcertationCreated", 1, upcast_concertation_created_v1),
    ("ContributionSubmitted", 1, upcast_contribution_submitted_v1),
    ("VoteCast", 1, upcast_vote_cast_v1),
];

/// The current schema version of an event type (1 unless it changed).
pub fn current_version(event_type: &str) -> u32 {
    VERSIONS
        .iter()
        .find(|(t, _)| *t == event_type)
        .map(|(_, v)| *v)
        .unwrap_or(1)
}

/// The upcasting hook: brings `data` stored at `version` to the current version
/// of `event_type`, one step at a time.
pub fn upcast(event_type: &str, version: u32, data: Value) -> Result<Value, SchemaError> {
    let current = current_version(event_type);
    if version > current {
        return Err(SchemaError::FromTheFuture {
            event_type: event_type.into(),
            version,
            current,
        });
    }
    let mut data = data;
    for v in version..current {
        if let Some((_, _, f)) = UPCASTERS
            .iter()
            .find(|(t, from, _)| *t == event_type && *from == v)
        {
            data = f(data);
        }
    }
    Ok(data)
}

/// v1 held one territory in `territory` and did not record the list's year.
fn upcast_concertation_created_v1(mut data: Value) -> Value {
    if let Some(obj) = data.as_object_mut() {
        let single = obj.remove("territory").unwrap_or(Value::Null);
        let list = if single.is_null() {
            json!([])
        } else {
            json!([single])
        };
        obj.entry("territories").or_insert(list);
        obj.entry("territory_list_year").or_insert(Value::Null);
    }
    data
}

/// v1 had no language tag (everything was French) and no session recording.
fn upcast_contribution_submitted_v1(mut data: Value) -> Value {
    if let Some(obj) = data.as_object_mut() {
        obj.entry("language").or_insert(json!("fr"));
        obj.entry("recorded").or_insert(Value::Null);
    }
    data
}

/// v1 called the vote `choice` and did not say which vote it replaced.
fn upcast_vote_cast_v1(mut data: Value) -> Value {
    if let Some(obj) = data.as_object_mut() {
        if let Some(choice) = obj.remove("choice") {
            obj.insert("vote".into(), choice);
        }
        obj.entry("replaces").or_insert(Value::Null);
    }
    data
}

/// An event of an aggregate, as stored.
///
/// Implementations are serde enums tagged `{"type": …, "data": …}` whose sealed
/// fields are `#[serde(skip)]`; the provided methods do the rest.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + PartialEq + Debug {
    /// The type name stored beside the event (`ContributionSubmitted`).
    fn event_type(&self) -> &'static str;

    /// The part to encrypt, if the event carries personal data or a body.
    fn sealed_part(&self) -> Option<SealedPart> {
        None
    }

    /// Puts a decrypted sealed part back (or marks it erased when `None`).
    fn restore_sealed(&mut self, _sealed: Option<&Value>) {}

    /// The schema version this code writes for the event's type.
    fn schema_version(&self) -> u32 {
        current_version(self.event_type())
    }

    /// The public JSON: named fields, no personal data, no body.
    fn public_data(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut o)) => o.remove("data").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Reads a stored event back: upcast, deserialise, restore the sealed part.
    fn from_stored(
        event_type: &str,
        version: u32,
        data: Value,
        sealed: Option<&Value>,
    ) -> Result<Self, SchemaError> {
        let data = upcast(event_type, version, data)?;
        let mut event: Self = serde_json::from_value(json!({ "type": event_type, "data": data }))
            .map_err(|e| {
            let message = e.to_string();
            if message.contains("unknown variant") {
                SchemaError::UnknownType(event_type.into())
            } else {
                SchemaError::Invalid {
                    event_type: event_type.into(),
                    message,
                }
            }
        })?;
        event.restore_sealed(sealed);
        Ok(event)
    }

    /// Serialises then reads back, as the store would; used by replay tests.
    fn round_trip(&self) -> Result<Self, SchemaError> {
        let sealed = self.sealed_part().map(|p| p.data);
        Self::from_stored(
            self.event_type(),
            self.schema_version(),
            self.public_data(),
            sealed.as_ref(),
        )
    }
}

/// Implements `event_type` for a serde-tagged event enum whose variants are
/// struct variants; the stored type name is the variant name.
#[macro_export]
#[doc(hidden)]
macro_rules! event_types {
    ($enum:ident { $($variant:ident),* $(,)? }) => {
        impl $enum {
            /// Every event type name of this aggregate.
            pub const EVENT_TYPES: &'static [&'static str] = &[$(stringify!($variant)),*];

            fn type_name(&self) -> &'static str {
                match self {
                    $($enum::$variant { .. } => stringify!($variant)),*
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn future_versions_are_refused_and_old_ones_upcast() {
        assert!(matches!(
            upcast("VoteCast", 3, json!({})),
            Err(SchemaError::FromTheFuture { .. })
        ));
        let v = upcast("VoteCast", 1, json!({"choice": "agree"})).unwrap();
        assert_eq!(v, json!({"vote": "agree", "replaces": null}));
        let unchanged = upcast("SlugReserved", 1, json!({"a": 1})).unwrap();
        assert_eq!(unchanged, json!({"a": 1}));
    }
}
