//! Keys for sealed parts, and the key store contract: keys live outside the log, so
//! destroying one erases what it sealed without rewriting history (crypto-shredding).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// The name of a sealing key, e.g. `participant-<uuid>` or `contribution-<uuid>`.
///
/// Contract: 1 to 200 characters among ASCII letters, digits, `-`, `_` and `.`, not
/// starting with `.`, so that every key store can use it as a file name or a row key.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    /// Parses a key id.
    pub fn parse(id: impl Into<String>) -> Result<Self, StoreError> {
        let id = id.into();
        let valid = !id.is_empty()
            && id.len() <= 200
            && !id.starts_with('.')
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if valid {
            Ok(Self(id))
        } else {
            Err(StoreError::KeyStore(format!(
                "identifiant de clé invalide « {} »",
                id.chars().take(80).collect::<String>()
            )))
        }
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KeyId {
    type Error = StoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<KeyId> for String {
    fn from(value: KeyId) -> Self {
        value.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

/// 256 bits of key material. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMaterial(pub(crate) [u8; 32]);

impl KeyMaterial {
    /// Fresh random key material from the operating system's generator.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Key material from stored bytes; `None` unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The raw bytes, to store.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(…)")
    }
}

/// The state of a key in a key store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyLookup {
    /// The key exists.
    Present(KeyMaterial),
    /// The key was destroyed: what it sealed is erased for good.
    Destroyed,
    /// No such key was ever created here.
    Unknown,
}

/// Where sealing keys live, outside the event log.
///
/// Contracts: `get_or_create` returns the same material for the same id until the key
/// is destroyed, and a destroyed key is never created again (so an erased participant
/// cannot be silently re-keyed); `destroy` is idempotent and durable when it returns.
#[async_trait]
pub trait KeyStore: Send + Sync + 'static {
    /// The key, creating it on first use; an error if it was destroyed.
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError>;
    /// Looks a key up without creating it.
    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError>;
    /// Looks several keys up at once: one answer per id, in the order given. The
    /// default asks [`KeyStore::get`] for each; a store with round trips answers in one.
    async fn get_many(&self, ids: &[KeyId]) -> Result<Vec<KeyLookup>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.push(self.get(id).await?);
        }
        Ok(found)
    }
    /// Destroys the key for good.
    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError>;
}

/// The error for sealing under a destroyed key.
pub(crate) fn destroyed_key(id: &KeyId) -> StoreError {
    StoreError::KeyStore(format!(
        "la clé « {id} » a été détruite : rien ne peut plus être scellé avec elle"
    ))
}
