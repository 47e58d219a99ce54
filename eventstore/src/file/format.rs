//! The file log's byte format, and the scan that checks it on open.
//!
//! ```text
//! file   = FILE_MAGIC record*
//! record = len:u32le payload_crc:u32le header_crc:u32le payload[len]
//! ```
//! `payload` is one [`CommitBody`] (JSON); `payload_crc` is its CRC-32C and
//! `header_crc` the CRC-32C of the first eight header bytes, so that a damaged length
//! is detected rather than taken for a torn tail. Record number n (from 1) is commit n.
//!
//! On open, a final record cut short (fewer bytes than its header announces, or a
//! header cut short) is a write the crash interrupted: it was never acknowledged, and
//! is truncated (its bytes are first kept aside in `<log>.torn-<offset>`). A final
//! record whose payload fails its checksum is treated the same way, since a torn write
//! can leave a length followed by garbage. Any other failure refuses to open and
//! changes nothing.
//!
//! The scan parses of each payload only what the index needs ([`CommitSummary`]); the
//! records themselves are read back, one commit at a time, by [`read_commit`].

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;

use serde::Deserialize;
use uuid::Uuid;

use crate::commit::CommitBody;
use crate::error::StoreError;
use crate::log_index::Location;
use crate::stream_name::StreamName;

/// The first bytes of every log file: format name and version.
pub const FILE_MAGIC: &[u8; 16] = b"CONCERTO-LOG-v1\n";
/// Bytes of a record header.
pub const RECORD_HEADER: usize = 12;

/// Appends one record holding `payload` to `out`.
pub fn encode_record(out: &mut Vec<u8>, payload: &[u8]) {
    let len = (payload.len() as u32).to_le_bytes();
    let payload_crc = crc32c::crc32c(payload).to_le_bytes();
    let mut first = [0u8; 8];
    first[..4].copy_from_slice(&len);
    first[4..].copy_from_slice(&payload_crc);
    out.extend_from_slice(&first);
    out.extend_from_slice(&crc32c::crc32c(&first).to_le_bytes());
    out.extend_from_slice(payload);
}

/// What the index needs of a commit: the fields of [`CommitBody`] that say where its
/// events go, parsed without building the events' data (serde skips the rest).
#[derive(Debug, Deserialize)]
pub struct CommitSummary {
    /// The stream appended to.
    pub stream: StreamName,
    /// The revision of the first event.
    pub first_revision: u64,
    /// The events' ids, in order.
    pub events: Vec<EventId>,
}

/// An event's id, the only field of an event the index keeps.
#[derive(Debug, Deserialize)]
pub struct EventId {
    /// The event id.
    pub id: Uuid,
}

/// Where a scan stopped: the valid log ends there; bytes after it are a torn tail.
pub struct Scan {
    /// Where the valid log ends.
    pub valid_end: u64,
}

/// Reads and checks a whole log of `file_len` bytes from `reader`, handing each
/// commit's location (in order: commit n is the n-th call) and summary to `on_commit`.
/// An error from `on_commit` stops the scan and is returned.
pub(crate) fn scan(
    path: &Path,
    reader: &mut impl Read,
    file_len: u64,
    mut on_commit: impl FnMut(Location, CommitSummary) -> Result<(), StoreError>,
) -> Result<Scan, StoreError> {
    let corrupt = |offset: u64, why: &str| StoreError::Corrupt {
        path: path.to_owned(),
        offset,
        why: why.to_owned(),
    };
    let mut magic = [0u8; FILE_MAGIC.len()];
    if file_len < FILE_MAGIC.len() as u64 {
        let mut head = vec![0u8; file_len as usize];
        reader.read_exact(&mut head)?;
        // A creation cut short: the file holds a prefix of the magic and nothing else.
        return if FILE_MAGIC.starts_with(&head) {
            Ok(Scan { valid_end: 0 })
        } else {
            Err(corrupt(0, "en-tête de fichier inconnu"))
        };
    }
    reader.read_exact(&mut magic)?;
    if &magic != FILE_MAGIC {
        return Err(corrupt(
            0,
            "en-tête de fichier inconnu (ce n'est pas un journal Concerto v1)",
        ));
    }
    let mut offset = FILE_MAGIC.len() as u64;
    let mut payload = Vec::new();
    loop {
        let remaining = file_len - offset;
        if remaining == 0 {
            break;
        }
        if remaining < RECORD_HEADER as u64 {
            break; // torn header
        }
        let mut header = [0u8; RECORD_HEADER];
        reader.read_exact(&mut header)?;
        let len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes")) as u64;
        let payload_crc = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
        let header_crc = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if crc32c::crc32c(&header[..8]) != header_crc {
            if header.iter().all(|&b| b == 0)
                && rest_is_zero(reader, remaining - RECORD_HEADER as u64)?
            {
                break; // space allocated by the file system but never written
            }
            return Err(corrupt(
                offset,
                "en-tête d'enregistrement altéré (somme de contrôle)",
            ));
        }
        if len > remaining - RECORD_HEADER as u64 {
            break; // torn payload
        }
        payload.resize(len as usize, 0);
        reader.read_exact(&mut payload)?;
        let is_last = offset + RECORD_HEADER as u64 + len == file_len;
        if crc32c::crc32c(&payload) != payload_crc {
            if is_last {
                break; // torn final write
            }
            return Err(corrupt(
                offset,
                "contenu d'enregistrement altéré (somme de contrôle)",
            ));
        }
        let summary: CommitSummary = serde_json::from_slice(&payload)
            .map_err(|e| corrupt(offset, &format!("enregistrement illisible : {e}")))?;
        let location = Location {
            offset,
            len: len as u32,
        };
        on_commit(location, summary)?;
        offset += RECORD_HEADER as u64 + len;
    }
    Ok(Scan { valid_end: offset })
}

/// Reads back the commit stored at `location` of the log `file` (at `path`), checking
/// its checksums again: the file may have been damaged since the scan. A positioned
/// read, so readers share the file without a lock or a seek.
pub(crate) fn read_commit(
    path: &Path,
    file: &File,
    location: Location,
) -> Result<CommitBody, StoreError> {
    let mut bytes = vec![0u8; RECORD_HEADER + location.len as usize];
    file.read_exact_at(&mut bytes, location.offset)?;
    let (header, payload) = bytes.split_at(RECORD_HEADER);
    let len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
    let payload_crc = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
    let header_crc = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    let intact = crc32c::crc32c(&header[..8]) == header_crc
        && len == location.len
        && crc32c::crc32c(payload) == payload_crc;
    if !intact {
        return Err(StoreError::Corrupt {
            path: path.to_owned(),
            offset: location.offset,
            why: "enregistrement altéré depuis l'ouverture (somme de contrôle)".to_owned(),
        });
    }
    CommitBody::decode(payload)
}

fn rest_is_zero(reader: &mut impl Read, mut count: u64) -> Result<bool, StoreError> {
    let mut buffer = [0u8; 8192];
    while count > 0 {
        let take = count.min(buffer.len() as u64) as usize;
        reader.read_exact(&mut buffer[..take])?;
        if buffer[..take].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        count -= take as u64;
    }
    Ok(true)
}

/// Rewrites commit `number` (from 1) of the file log at `path` with `change` applied to
/// its JSON body, recomputing the record's checksums so the store still opens it: how
/// tests play an attacker who edits the log (the audit log must notice). Returns false,
/// changing nothing, when the log has no such commit.
#[cfg(any(test, feature = "test"))]
pub fn rewrite_commit(
    path: &Path,
    number: usize,
    change: impl FnOnce(&mut serde_json::Value),
) -> Result<bool, StoreError> {
    let bytes = std::fs::read(path)?;
    let mut out = bytes[..FILE_MAGIC.len().min(bytes.len())].to_vec();
    let mut offset = FILE_MAGIC.len();
    let mut change = Some(change);
    let mut current = 0;
    while offset + RECORD_HEADER <= bytes.len() {
        current += 1;
        let len = u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"));
        let end = offset + RECORD_HEADER + len as usize;
        let payload = bytes
            .get(offset + RECORD_HEADER..end)
            .ok_or_else(|| StoreError::Encoding("enregistrement tronqué".into()))?;
        match change.take_if(|_| current == number) {
            Some(change) => {
                let mut body: serde_json::Value = serde_json::from_slice(payload)
                    .map_err(|e| StoreError::Encoding(e.to_string()))?;
                change(&mut body);
                let payload =
                    serde_json::to_vec(&body).map_err(|e| StoreError::Encoding(e.to_string()))?;
                encode_record(&mut out, &payload);
            }
            None => out.extend_from_slice(&bytes[offset..end]),
        }
        offset = end;
    }
    if change.is_some() {
        return Ok(false);
    }
    std::fs::write(path, out)?;
    Ok(true)
}
