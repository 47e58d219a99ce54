//! The event store's errors: one variant per failure a caller can act on.
//!
//! Policy: a business conflict (`WrongExpectedVersion`) is apart from failures of the
//! storage itself (`Io`, `Backend`, `Corrupt`); callers map the first to a 409 and the
//! others to an opaque 500. Messages are French, as they reach operators of French
//! local authorities first.

use std::path::PathBuf;

use uuid::Uuid;

use crate::expected::{CurrentRevision, ExpectedRevision};

/// Everything that can go wrong in the event store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream was not at the revision the append expected (optimistic concurrency).
    #[error("version inattendue du flux « {stream} » : attendue {expected}, actuelle {actual}")]
    WrongExpectedVersion {
        /// The stream appended to.
        stream: String,
        /// What the append expected.
        expected: ExpectedRevision,
        /// What the stream actually was.
        actual: CurrentRevision,
    },
    /// Some but not all events of the append were already written: a retry that does
    /// not match the first attempt.
    #[error("réessai incohérent sur le flux « {stream} » : une partie seulement des événements existe déjà")]
    PartialRetry {
        /// The stream appended to.
        stream: String,
    },
    /// An event id is already used by another event, elsewhere in the log.
    #[error("l'identifiant d'événement {id} est déjà utilisé (flux « {stream} »)")]
    DuplicateEventId {
        /// The reused id.
        id: Uuid,
        /// The stream holding the event that has it.
        stream: String,
    },
    /// A stream name broke the naming rules.
    #[error("nom de flux invalide « {name} » : {why}")]
    InvalidStreamName {
        /// The (possibly shortened) offending name.
        name: String,
        /// The rule it broke.
        why: String,
    },
    /// An append or an event was larger than the backend accepts.
    #[error("écriture trop volumineuse : {size} octets (maximum {max})")]
    TooLarge {
        /// Encoded size in bytes.
        size: usize,
        /// The backend's limit.
        max: usize,
    },
    /// Another process holds the log for writing.
    #[error("le journal {path} est déjà ouvert en écriture par un autre processus (serveur `concerto serve` en cours ?) ; arrêtez-le ou passez par son API")]
    Locked {
        /// The locked log file.
        path: PathBuf,
    },
    /// The log failed a checksum or is malformed before its tail; nothing was changed.
    #[error("journal corrompu {path} à l'octet {offset} : {why} ; rien n'a été modifié, restaurez une sauvegarde")]
    Corrupt {
        /// The log file.
        path: PathBuf,
        /// Byte offset of the bad record.
        offset: u64,
        /// What is wrong there.
        why: String,
    },
    /// An event could not be encoded or decoded.
    #[error("encodage d'événement : {0}")]
    Encoding(String),
    /// The key store failed (not: a key was destroyed, which is not an error).
    #[error("magasin de clés : {0}")]
    KeyStore(String),
    /// The backend (NATS, file system) failed; the append may or may not have happened,
    /// so retry with the same event ids.
    #[error("stockage indisponible : {0}")]
    Backend(String),
    /// An input/output error of the file log.
    #[error("entrée/sortie : {0}")]
    Io(#[from] std::io::Error),
    /// The log was opened for a replay only (an export): it reads `$all` and writes
    /// nothing.
    #[error("le journal {path} est ouvert pour une relecture seulement (export) : {what} n'y est pas possible")]
    ReplayOnly {
        /// The log file.
        path: PathBuf,
        /// What was asked of it.
        what: &'static str,
    },
    /// The store is shutting down and accepts no more appends.
    #[error("le magasin d'événements est fermé")]
    Closed,
}

impl StoreError {
    /// Whether the same append may succeed if retried unchanged (same event ids).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Backend(_) | Self::Io(_))
    }
}
