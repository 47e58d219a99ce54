//! Contribution bodies kept in a temporary file instead of in memory, for a replay that
//! needs them only when it writes them out (an export).
//!
//! An export's replay held every body as a `String` until the bundle was written: 12.9
//! MB of its peak at Decidim Barcelona's size, about 400 MB at a million contributions. With a
//! spill, [`ReadModel::apply`](super::ReadModel::apply) appends each body's text to the
//! file and keeps in the row only where it lies ([`SpilledText`]); the writers read it
//! back with [`ReadModel::body_text`](super::ReadModel::body_text).
//!
//! The file is anonymous (`tempfile::tempfile`: unlinked at creation), so it disappears
//! with the process whatever happens, and it holds bodies in clear only as long as the
//! export runs. A body erased later in the log stays in the file until then, unread.
//!
//! Errors: `apply` cannot fail (events are facts), so the first write or read error is
//! kept and reported by [`BodySpill::error`]; an export checks it before it declares a
//! bundle complete, and a text that could not be read back reads as absent meanwhile.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

/// Bytes gathered before one write to the file.
const CHUNK: usize = 1 << 20;

/// Where a spilled text lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpilledText {
    at: u64,
    len: u32,
}

/// An append-only file of texts, read back by position.
#[derive(Debug)]
pub struct BodySpill {
    file: File,
    /// Texts not yet written, after the `written` bytes already in the file.
    pending: Vec<u8>,
    written: u64,
    /// The first failure, as a message (an `io::Error` is not `Clone`).
    error: Mutex<Option<String>>,
}

impl BodySpill {
    /// A spill in a new anonymous temporary file (in `TMPDIR`).
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            file: tempfile::tempfile()?,
            pending: Vec::with_capacity(CHUNK),
            written: 0,
            error: Mutex::new(None),
        })
    }

    /// Appends `text`; returns where it lies. A text of 4 GiB or more (far beyond any
    /// body limit) or a failed write is recorded as the spill's error.
    pub fn put(&mut self, text: &str) -> SpilledText {
        let at = self.written + self.pending.len() as u64;
        let len = u32::try_from(text.len()).unwrap_or_else(|_| {
            self.fail(format!("texte de {} octets : trop long", text.len()));
            0
        });
        self.pending
            .extend_from_slice(&text.as_bytes()[..len as usize]);
        if self.pending.len() >= CHUNK {
            if let Err(e) = self.file.write_all_at(&self.pending, self.written) {
                self.fail(e.to_string());
            }
            self.written += self.pending.len() as u64;
            self.pending.clear();
        }
        SpilledText { at, len }
    }

    /// The text at `spilled`; `None` (and the spill's error set) if it cannot be read.
    /// A text is never split between the file and the pending bytes: `put` writes the
    /// pending texts whole.
    pub fn get(&self, spilled: SpilledText) -> Option<String> {
        let bytes = if spilled.at >= self.written {
            let from = (spilled.at - self.written) as usize;
            match self.pending.get(from..from + spilled.len as usize) {
                Some(pending) => pending.to_vec(),
                None => {
                    self.fail("texte hors du fichier temporaire".to_owned());
                    return None;
                }
            }
        } else {
            let mut bytes = vec![0u8; spilled.len as usize];
            if let Err(e) = self.file.read_exact_at(&mut bytes, spilled.at) {
                self.fail(e.to_string());
                return None;
            }
            bytes
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                self.fail("texte relu altéré (UTF-8 invalide)".to_owned());
                None
            }
        }
    }

    /// The first write or read failure, if any.
    pub fn error(&self) -> Option<String> {
        self.error.lock().map_or_else(
            |_| Some("fichier temporaire des textes : verrou empoisonné".to_owned()),
            |e| e.clone(),
        )
    }

    fn fail(&self, message: String) {
        if let Ok(mut error) = self.error.lock() {
            error.get_or_insert(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_whole_from_the_file_and_from_the_pending_bytes() {
        let mut spill = BodySpill::new().expect("temporary file");
        // Over half a chunk of two-byte characters: the chunk is written with it.
        let long = "é".repeat(CHUNK / 2 + 7);
        let first = spill.put("premier texte");
        let long_one = spill.put(&long);
        let pending = spill.put("encore en mémoire");
        let empty = spill.put("");
        assert!(spill.written > 0, "the chunk was written to the file");
        assert_eq!(spill.get(first).as_deref(), Some("premier texte"));
        assert_eq!(spill.get(long_one).as_deref(), Some(long.as_str()));
        assert_eq!(spill.get(pending).as_deref(), Some("encore en mémoire"));
        assert_eq!(spill.get(empty).as_deref(), Some(""));
        assert_eq!(spill.error(), None);
    }

    #[test]
    fn a_place_outside_the_spill_reads_as_absent_and_is_reported() {
        let spill = BodySpill::new().expect("temporary file");
        assert_eq!(spill.get(SpilledText { at: 10, len: 5 }), None);
        assert!(spill.error().is_some());
    }
}
