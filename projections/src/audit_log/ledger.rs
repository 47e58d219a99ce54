//! The tree as kept between batches: the compact append state (O(log n) hashes), the
//! checkpoint and every signed head in memory; the leaves and perfect-subtree nodes
//! that proofs read in a [`LeafStore`] (in memory for tests, or files of a folder
//! read on demand, so the process holds none of them).
//!
//! In a folder: `leaves.bin` and `nodes.bin` ([`super::storage`]), `heads.jsonl` (one
//! signed head a line) and `state.json` (the committed size and checkpoint, replaced
//! atomically after the other files are synced). Bytes past the committed size (a
//! batch torn by a crash) are cut off at the next open, which reads one node per set
//! bit of the size to resume the append state: nothing is rehashed.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use eventstore::Position;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::heads::SignedTreeHead;
use super::storage::{FileLeaves, LeafStore};
use super::{AuditLogError, LeafEntry};
use crate::merkle::{
    consistency_proof, inclusion_proof, root_of, CompactTree, Hash, MerkleError, Nodes,
};

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: u32,
    size: u64,
    checkpoint: Option<String>,
}

struct Files {
    dir: PathBuf,
    heads: File,
}

/// The audit log's tree and heads; see the module documentation.
pub struct Ledger {
    tree: CompactTree,
    store: LeafStore,
    checkpoint: Option<Position>,
    heads: Vec<SignedTreeHead>,
    files: Option<Files>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self::memory()
    }
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> AuditLogError {
    AuditLogError::Corrupt(format!("{} : {why}", path.display()))
}

impl Ledger {
    /// An empty ledger kept in memory only.
    pub fn memory() -> Self {
        Self {
            tree: CompactTree::default(),
            store: LeafStore::default(),
            checkpoint: None,
            heads: Vec::new(),
            files: None,
        }
    }

    /// Opens (or creates) the ledger kept in `dir`. With `writable`, bytes a crash left
    /// past the committed size are cut off and later appends go to the files; without,
    /// nothing in `dir` changes (for `concerto verify log`).
    pub fn open(dir: &Path, writable: bool) -> Result<Self, AuditLogError> {
        if writable {
            std::fs::create_dir_all(dir)?;
        }
        let state_path = dir.join("state.json");
        let state = match std::fs::read(&state_path) {
            Ok(bytes) => {
                serde_json::from_slice::<StateFile>(&bytes).map_err(|e| corrupt(&state_path, e))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile {
                format: 1,
                size: 0,
                checkpoint: None,
            },
            Err(e) => return Err(e.into()),
        };
        if state.format != 1 {
            return Err(corrupt(
                &state_path,
                format!("format {} inconnu", state.format),
            ));
        }
        let checkpoint = state
            .checkpoint
            .as_deref()
            .map(str::parse::<Position>)
            .transpose()
            .map_err(|e| corrupt(&state_path, e))?;
        let store = if writable || state.size > 0 {
            LeafStore::Files(FileLeaves::open(dir, state.size, writable)?)
        } else {
            // Reading a folder whose tree is empty: there may be no file to open.
            LeafStore::default()
        };
        let tree = CompactTree::resume(state.size, &store)
            .map_err(|e| corrupt(&dir.join("nodes.bin"), e))?;
        let heads_path = dir.join("heads.jsonl");
        let mut heads = Vec::new();
        if let Ok(file) = File::open(&heads_path) {
            for (number, line) in BufReader::new(file).lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<SignedTreeHead>(&line) {
                    Ok(head) if head.tree_size <= state.size => heads.push(head),
                    Ok(head) => {
                        return Err(corrupt(
                            &heads_path,
                            format!("tête de taille {} au-delà de l'arbre", head.tree_size),
                        ))
                    }
                    // A head whose line a crash cut short was never acknowledged.
                    Err(_) if !writable => {
                        return Err(corrupt(&heads_path, format!("ligne {}", number + 1)))
                    }
                    Err(_) => break,
                }
            }
        }
        let files = if writable {
            let heads_file = OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(&heads_path)?;
            // Rewrite the heads file when a torn line was dropped, so appends stay valid.
            let mut text = String::new();
            for head in &heads {
                text.push_str(&serde_json::to_string(head).map_err(|e| corrupt(&heads_path, e))?);
                text.push('\n');
            }
            if heads_file.metadata()?.len() != text.len() as u64 {
                heads_file.set_len(0)?;
                (&heads_file).write_all(text.as_bytes())?;
                heads_file.sync_data()?;
            }
            Some(Files {
                dir: dir.to_path_buf(),
                heads: heads_file,
            })
        } else {
            None
        };
        Ok(Self {
            tree,
            store,
            checkpoint,
            heads,
            files,
        })
    }

    /// The last position whose event is a leaf.
    pub fn checkpoint(&self) -> Option<Position> {
        self.checkpoint
    }

    /// Appends leaves (those at or before the checkpoint are skipped: a replayed batch
    /// adds nothing) and moves the checkpoint to `up_to`; on the file ledger, durably,
    /// before the leaves become visible.
    pub fn append(
        &mut self,
        entries: Vec<LeafEntry>,
        up_to: Position,
    ) -> Result<(), AuditLogError> {
        let after = self.checkpoint;
        let fresh: Vec<LeafEntry> = entries
            .into_iter()
            .filter(|e| after.is_none_or(|c| e.position > c))
            .collect();
        let mut tree = self.tree.clone();
        let created: Vec<_> = fresh.iter().map(|e| tree.push(e.leaf_hash)).collect();
        self.store.write(self.tree.size(), &fresh, &created)?;
        if let Some(files) = &self.files {
            let state = StateFile {
                format: 1,
                size: tree.size(),
                checkpoint: Some(up_to.to_string()),
            };
            let temporary = files.dir.join("state.json.partial");
            let mut file = File::create(&temporary)?;
            file.write_all(&serde_json::to_vec(&state).map_err(|e| corrupt(&temporary, e))?)?;
            file.sync_all()?;
            std::fs::rename(&temporary, files.dir.join("state.json"))?;
        }
        self.store.commit(tree.size());
        self.tree = tree;
        self.checkpoint = Some(up_to);
        Ok(())
    }

    /// Keeps a signed head (durably on the file ledger).
    pub fn add_head(&mut self, head: SignedTreeHead) -> Result<(), AuditLogError> {
        if let Some(files) = &mut self.files {
            let mut line =
                serde_json::to_vec(&head).map_err(|e| AuditLogError::Invalid(e.to_string()))?;
            line.push(b'\n');
            files.heads.write_all(&line)?;
            files.heads.sync_data()?;
        }
        self.heads.push(head);
        Ok(())
    }

    /// How many leaves the tree has.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The compact append state: what the ledger holds in memory besides the heads.
    pub fn compact(&self) -> &CompactTree {
        &self.tree
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_of(&self, size: u64) -> Result<Hash, AuditLogError> {
        self.check_size(size)?;
        Ok(root_of(&self.store, size)?)
    }

    fn check_size(&self, size: u64) -> Result<(), AuditLogError> {
        if size > self.size() {
            return Err(MerkleError::OutOfRange(format!(
                "taille {size} au-delà des {} feuilles",
                self.size()
            ))
            .into());
        }
        Ok(())
    }

    /// Every signed head, oldest first.
    pub fn heads(&self) -> &[SignedTreeHead] {
        &self.heads
    }

    /// The leaf of `index` (`None` past the tree).
    pub fn leaf(&self, index: u64) -> Result<Option<LeafEntry>, AuditLogError> {
        self.store.leaf(index, self.size())
    }

    /// The leaf index of an event.
    pub fn index_of(&self, event_id: Uuid) -> Result<Option<u64>, AuditLogError> {
        self.store.index_of(event_id, self.size())
    }

    /// The leaf index of the event at `position`: a binary search, O(log n) reads,
    /// since leaves are in log order.
    pub fn index_at(&self, position: Position) -> Result<Option<u64>, AuditLogError> {
        let (mut low, mut high) = (0, self.size());
        while low < high {
            let middle = low + (high - low) / 2;
            let leaf = self.leaf(middle)?.expect("within the tree");
            if leaf.position < position {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        Ok(self
            .leaf(low)?
            .filter(|leaf| leaf.position == position)
            .map(|_| low))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, AuditLogError> {
        self.check_size(size)?;
        Ok(inclusion_proof(&self.store, index, size)?)
    }

    /// The consistency proof between the trees of `old` and `new` leaves.
    pub fn consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, AuditLogError> {
        self.check_size(new)?;
        Ok(consistency_proof(&self.store, old, new)?)
    }

    /// The stored hash of leaf `index`.
    pub fn leaf_hash(&self, index: u64) -> Result<Hash, AuditLogError> {
        self.check_size(index + 1)?;
        Ok(self.store.node(0, index)?)
    }

    /// The largest prefix of the tree whose last event was recorded at or before
    /// `cutoff` (ms since the epoch): what a head may cover when the backend makes an
    /// event durable only some time after acknowledging it.
    pub fn size_recorded_by(&self, cutoff: i64) -> Result<u64, AuditLogError> {
        // Positions follow acknowledgement order, so once a leaf is old enough every
        // earlier one is durable too, whatever its own (writer-stamped) time.
        self.store.size_recorded_by(cutoff, self.size())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, MemoryNodes};

    fn entry(n: u64) -> LeafEntry {
        LeafEntry {
            position: Position::new(n + 1, 0),
            event_id: Uuid::from_u128(u128::from(n) + 1),
            recorded_at: 1_000 * n as i64,
            leaf_hash: leaf_hash(&n.to_be_bytes()),
        }
    }

    fn append_range(ledger: &mut Ledger, range: std::ops::Range<u64>) {
        let last = Position::new(range.end, 0);
        ledger.append(range.map(entry).collect(), last).unwrap();
    }

    /// The folder ledger answers what a tree held wholly in memory answers.
    fn assert_matches_memory(ledger: &Ledger, size: u64) {
        let hashes: Vec<Hash> = (0..size).map(|n| entry(n).leaf_hash).collect();
        let nodes = MemoryNodes::from_leaf_hashes(&hashes);
        assert_eq!(ledger.size(), size);
        assert_eq!(ledger.root(), root_of(&nodes, size).unwrap());
        for index in (0..size).step_by(7) {
            assert_eq!(ledger.leaf(index).unwrap(), Some(entry(index)));
            assert_eq!(
                ledger.inclusion(index, size).unwrap(),
                inclusion_proof(&nodes, index, size).unwrap()
            );
            assert_eq!(ledger.index_of(entry(index).event_id).unwrap(), Some(index));
            assert_eq!(ledger.index_at(entry(index).position).unwrap(), Some(index));
        }
        assert_eq!(
            ledger.consistency(size / 3, size).unwrap(),
            consistency_proof(&nodes, size / 3, size).unwrap()
        );
        assert_eq!(ledger.leaf(size).unwrap(), None);
        assert_eq!(ledger.index_of(Uuid::nil()).unwrap(), None);
        assert_eq!(ledger.index_at(Position::new(size + 5, 0)).unwrap(), None);
    }

    #[test]
    fn the_folder_ledger_reads_proofs_from_its_files_and_resumes_from_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path(), true).unwrap();
        append_range(&mut ledger, 0..100);
        append_range(&mut ledger, 100..133);
        assert_matches_memory(&ledger, 133);
        // Held in memory: one hash per set bit of the size, nothing per leaf.
        assert_eq!(
            ledger.compact().frontier().len(),
            133u32.count_ones() as usize
        );
        assert_eq!(ledger.size_recorded_by(50_500).unwrap(), 51);
        assert_eq!(ledger.size_recorded_by(-1).unwrap(), 0);
        drop(ledger);

        // A batch a crash tore: its bytes are past the committed size, cut at open.
        for name in ["leaves.bin", "nodes.bin"] {
            let mut file = OpenOptions::new()
                .append(true)
                .open(dir.path().join(name))
                .unwrap();
            file.write_all(&[0xAB; 100]).unwrap();
        }
        let mut ledger = Ledger::open(dir.path(), true).unwrap();
        assert_eq!(ledger.checkpoint(), Some(Position::new(133, 0)));
        assert_matches_memory(&ledger, 133);
        append_range(&mut ledger, 133..300);
        assert_matches_memory(&ledger, 300);

        // Read-only, as `verify log` opens it.
        let reader = Ledger::open(dir.path(), false).unwrap();
        assert_matches_memory(&reader, 300);
    }

    #[test]
    fn a_replayed_batch_adds_nothing_and_missing_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path(), true).unwrap();
        append_range(&mut ledger, 0..10);
        append_range(&mut ledger, 5..12);
        assert_matches_memory(&ledger, 12);
        drop(ledger);
        std::fs::write(dir.path().join("nodes.bin"), [0u8; 64]).unwrap();
        assert!(matches!(
            Ledger::open(dir.path(), false),
            Err(AuditLogError::Corrupt(_))
        ));
    }
}
