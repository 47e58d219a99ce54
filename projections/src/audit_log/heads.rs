//! Signed tree heads and signed promises of inclusion (Ed25519), their exact signed
//! bytes, and the log's signing key (generated at first start, kept outside the log).
//!
//! Signed bytes (all integers big-endian; see docs/audit.md):
//! - tree head, 82 bytes: `version (1) ‖ kind 0x01 ‖ timestamp ms (u64) ‖ tree size (u64)
//!   ‖ root hash (32) ‖ key id (32)`;
//! - promise of inclusion, 90 bytes: `version (1) ‖ kind 0x02 ‖ timestamp ms (u64) ‖
//!   key id (32) ‖ event id (16) ‖ leaf hash (32)`.
//!
//! The key id is SHA-256 of the 32-byte Ed25519 public key.

use std::io::Write;
use std::path::Path;

/// The Ed25519 public key type heads and promises verify against.
pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AuditLogError;
use crate::merkle::{from_hex, to_hex, Hash};

/// The format version of heads and promises this code signs and reads.
pub const FORMAT_VERSION: u8 = 1;
const KIND_TREE_HEAD: u8 = 1;
const KIND_PROMISE: u8 = 2;

/// A tree head signed by the log: what a participant or an auditor keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    /// Format version (1).
    pub version: u8,
    /// How many leaves the tree has.
    pub tree_size: u64,
    /// When it was signed, milliseconds since the Unix epoch (UTC).
    pub timestamp: u64,
    /// The RFC 9162 root hash, hex.
    pub root_hash: String,
    /// SHA-256 of the public key, hex.
    pub key_id: String,
    /// Ed25519 signature over [`SignedTreeHead::signed_bytes`], hex.
    pub signature: String,
}

/// A promise that an event will be in the log (like CT's signed certificate timestamp),
/// given when a contribution or a vote is accepted, before a head covers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPromise {
    /// Format version (1).
    pub version: u8,
    /// The event promised.
    pub event_id: Uuid,
    /// Its leaf hash, hex.
    pub leaf_hash: String,
    /// When it was signed, milliseconds since the Unix epoch (UTC).
    pub timestamp: u64,
    /// SHA-256 of the public key, hex.
    pub key_id: String,
    /// Ed25519 signature over [`SignedPromise::signed_bytes`], hex.
    pub signature: String,
}

fn decode_hex(text: &str, what: &str) -> Result<Vec<u8>, AuditLogError> {
    if !text.len().is_multiple_of(2) {
        return Err(AuditLogError::Invalid(format!(
            "{what} : hexadécimal invalide"
        )));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| AuditLogError::Invalid(format!("{what} : hexadécimal invalide")))
        })
        .collect()
}

fn hash_field(text: &str, what: &str) -> Result<Hash, AuditLogError> {
    from_hex(text)
        .map_err(|_| AuditLogError::Invalid(format!("{what} : 64 chiffres hexadécimaux attendus")))
}

fn signature_field(text: &str) -> Result<Signature, AuditLogError> {
    let bytes = decode_hex(text, "signature")?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| AuditLogError::Invalid("signature : 64 octets attendus".into()))?;
    Ok(Signature::from_bytes(&bytes))
}

impl SignedTreeHead {
    /// The exact bytes the signature covers.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, AuditLogError> {
        let mut out = Vec::with_capacity(82);
        out.push(self.version);
        out.push(KIND_TREE_HEAD);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.tree_size.to_be_bytes());
        out.extend_from_slice(&hash_field(&self.root_hash, "root_hash")?);
        out.extend_from_slice(&hash_field(&self.key_id, "key_id")?);
        Ok(out)
    }

    /// The root hash as bytes.
    pub fn root(&self) -> Result<Hash, AuditLogError> {
        hash_field(&self.root_hash, "root_hash")
    }

    /// Checks the version, the key id and the signature against `key`.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), AuditLogError> {
        check_version_and_key(self.version, &self.key_id, key)?;
        key.verify(&self.signed_bytes()?, &signature_field(&self.signature)?)
            .map_err(|_| AuditLogError::BadSignature(format!("tête de taille {}", self.tree_size)))
    }
}

impl SignedPromise {
    /// The exact bytes the signature covers.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, AuditLogError> {
        let mut out = Vec::with_capacity(90);
        out.push(self.version);
        out.push(KIND_PROMISE);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&hash_field(&self.key_id, "key_id")?);
        out.extend_from_slice(self.event_id.as_bytes());
        out.extend_from_slice(&hash_field(&self.leaf_hash, "leaf_hash")?);
        Ok(out)
    }

    /// Checks the version, the key id and the signature against `key`.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), AuditLogError> {
        check_version_and_key(self.version, &self.key_id, key)?;
        key.verify(&self.signed_bytes()?, &signature_field(&self.signature)?)
            .map_err(|_| AuditLogError::BadSignature(format!("promesse pour {}", self.event_id)))
    }
}

fn check_version_and_key(
    version: u8,
    key_id: &str,
    key: &VerifyingKey,
) -> Result<(), AuditLogError> {
    if version != FORMAT_VERSION {
        return Err(AuditLogError::Invalid(format!(
            "version {version} inconnue"
        )));
    }
    if key_id != to_hex(&key_id_of(key)) {
        return Err(AuditLogError::BadSignature(
            "signée par une autre clé".into(),
        ));
    }
    Ok(())
}

/// The key id of a public key: SHA-256 of its 32 bytes.
pub fn key_id_of(key: &VerifyingKey) -> Hash {
    Sha256::digest(key.as_bytes()).into()
}

/// A public key from its 64 hex digits.
pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, AuditLogError> {
    let bytes: [u8; 32] = decode_hex(text.trim(), "clé publique")?
        .try_into()
        .map_err(|_| AuditLogError::Invalid("clé publique : 32 octets attendus".into()))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| AuditLogError::Invalid("clé publique Ed25519 invalide".into()))
}

/// The log's signing key.
pub struct LogSigner {
    key: SigningKey,
    key_id: Hash,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret half is never printed.
        write!(f, "LogSigner({})", to_hex(&self.key_id))
    }
}

impl LogSigner {
    /// A signer from a secret key's 32 bytes.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&secret);
        let key_id = key_id_of(&key.verifying_key());
        Self { key, key_id }
    }

    /// A fresh random key (tests, and the first start).
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Self::from_secret(secret)
    }

    /// Reads the key at `path` (64 hex digits); never creates it.
    pub fn load(path: &Path) -> Result<Self, AuditLogError> {
        let text = std::fs::read_to_string(path)?;
        let bytes: [u8; 32] = decode_hex(text.trim(), "clé de signature du journal")?
            .try_into()
            .map_err(|_| {
                AuditLogError::Invalid(format!("{} : 32 octets attendus", path.display()))
            })?;
        Ok(Self::from_secret(bytes))
    }

    /// Reads the key at `path` (64 hex digits), or creates it there with mode 0600.
    pub fn load_or_create(path: &Path) -> Result<Self, AuditLogError> {
        match std::fs::read_to_string(path) {
            Ok(_) => Self::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signer = Self::generate();
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path)?;
                file.write_all(to_hex(signer.key.as_bytes()).as_bytes())?;
                file.sync_all()?;
                Ok(signer)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The key id (SHA-256 of the public key).
    pub fn key_id(&self) -> Hash {
        self.key_id
    }

    /// Signs the head of a tree of `tree_size` leaves with root `root` at `timestamp`.
    pub fn sign_head(&self, tree_size: u64, root: &Hash, timestamp: u64) -> SignedTreeHead {
        let mut head = SignedTreeHead {
            version: FORMAT_VERSION,
            tree_size,
            timestamp,
            root_hash: to_hex(root),
            key_id: to_hex(&self.key_id),
            signature: String::new(),
        };
        let bytes = head
            .signed_bytes()
            .expect("fields written just above are valid");
        head.signature = to_hex(&self.key.sign(&bytes).to_bytes());
        head
    }

    /// Signs a promise that `event_id`, with leaf hash `leaf`, is in the log.
    pub fn sign_promise(&self, event_id: Uuid, leaf: &Hash, timestamp: u64) -> SignedPromise {
        let mut promise = SignedPromise {
            version: FORMAT_VERSION,
            event_id,
            leaf_hash: to_hex(leaf),
            timestamp,
            key_id: to_hex(&self.key_id),
            signature: String::new(),
        };
        let bytes = promise
            .signed_bytes()
            .expect("fields written just above are valid");
        promise.signature = to_hex(&self.key.sign(&bytes).to_bytes());
        promise
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
