//! `manifest.json`: what a bundle holds and what it was computed from, so anyone can
//! check it (`concerto verify export`).
//!
//! It names every file with its SHA-256 and size, the log position and the audit tree
//! (size, RFC 9162 root, and a head signed by the log's key when the exporting
//! process holds it), the projection versions and the parameters. Its own dates come
//! from the log, like every file's, so exporting again at the same position gives the
//! same manifest, byte for byte.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ExportError, ExportOptions};
use crate::audit_log::heads::SignedTreeHead;

/// The manifest's format version.
pub const MANIFEST_FORMAT: u32 = 1;

/// The manifest of a bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// The program that wrote it (`concerto 0.1.0`).
    pub generator: String,
    /// The concertation exported.
    pub concertation: ExportedConcertation,
    /// The log position the export was computed at (`commit:index`).
    pub position: String,
    /// When the store recorded the event at that position (RFC 3339, UTC).
    pub recorded_at: String,
    /// The audit tree at that position.
    pub audit: AuditAnchor,
    /// Projection versions the export's logic corresponds to.
    pub projections: std::collections::BTreeMap<String, u32>,
    /// The options the export was made with (a verification reuses them).
    pub options: ExportOptions,
    /// Every file of the bundle but this one, in path order.
    pub files: Vec<FileEntry>,
}

/// The concertation an export covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedConcertation {
    /// Its id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
}

/// The audit tree the export was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    /// Events up to and including the position: the tree's size.
    pub tree_size: u64,
    /// RFC 9162 root hash, hex.
    pub root_hash: String,
    /// A head over that tree signed by the log's key, timestamped with the event's
    /// recording time (so it is reproducible); `None` when exported without the key.
    pub signed_tree_head: Option<SignedTreeHead>,
    /// The Ed25519 public key (hex) the head verifies with.
    pub public_key: Option<String>,
}

/// One file of the bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the bundle, with `/`.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The SHA-256 (hex) and size of a file, read in chunks.
pub fn hash_file(path: &Path) -> Result<(String, u64), ExportError> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((crate::merkle::to_hex(&hasher.finalize()), bytes))
}

/// Every file under `root` but `manifest.json`, hashed, in path order.
pub fn list_files(root: &Path) -> Result<Vec<FileEntry>, ExportError> {
    let mut entries = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .map_err(|_| ExportError::Invalid(format!("chemin hors du dossier : {path:?}")))?;
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if relative == MANIFEST_FILE {
                continue;
            }
            let (sha256, bytes) = hash_file(&path)?;
            entries.push(FileEntry {
                path: relative,
                sha256,
                bytes,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Writes the manifest, pretty-printed with a final newline.
pub fn write(root: &Path, manifest: &Manifest) -> Result<(), ExportError> {
    let mut text = serde_json::to_vec_pretty(manifest)?;
    text.push(b'\n');
    std::fs::write(root.join(MANIFEST_FILE), text)?;
    Ok(())
}

/// Reads a bundle's manifest.
pub fn read(root: &Path) -> Result<Manifest, ExportError> {
    let path = root.join(MANIFEST_FILE);
    let text = std::fs::read(&path)
        .map_err(|e| ExportError::Invalid(format!("{} illisible : {e}", path.display())))?;
    serde_json::from_slice(&text)
        .map_err(|e| ExportError::Invalid(format!("{} invalide : {e}", path.display())))
}
