//! The tree as kept between batches: every leaf's position, event id and time, every
//! perfect-subtree node (what proofs read), the compact append state and every signed
//! head. In memory, and, when given a folder, also in four append-only files there so a
//! restart reloads them instead of rehashing the log.
//!
//! Files (integers big-endian): `leaves.bin`, 36 bytes a leaf (commit u64, index u32,
//! event id 16 bytes, recorded_at ms i64); `nodes.bin`, 32 bytes a node in the order
//! [`CompactTree::push`] creates them (`2n − popcount(n)` nodes for `n` leaves);
//! `heads.jsonl`, one signed head a line; `state.json`, the committed size and
//! checkpoint, replaced atomically after the other files are synced. Bytes past the
//! committed size (a batch torn by a crash) are cut off at the next open.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use eventstore::Position;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::heads::SignedTreeHead;
use super::{AuditLogError, LeafEntry};
use crate::merkle::{
    consistency_proof, inclusion_proof, root_of, CompactTree, Hash, MemoryNodes, MerkleError, Nodes,
};

const LEAF_RECORD: usize = 36;
const NODE_RECORD: usize = 32;

/// How many nodes a tree of `size` leaves has stored.
fn node_count(size: u64) -> u64 {
    2 * size - u64::from(size.count_ones())
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    format: u32,
    size: u64,
    checkpoint: Option<String>,
}

struct Files {
    dir: PathBuf,
    leaves: File,
    nodes: File,
    heads: File,
}

/// The audit log's tree and heads; see the module documentation.
pub struct Ledger {
    tree: CompactTree,
    nodes: MemoryNodes,
    leaves: Vec<LeafEntry>,
    by_event: HashMap<Uuid, u64>,
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

fn open_append(path: &Path) -> Result<File, AuditLogError> {
    Ok(OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?)
}

/// Reads the first `len` bytes of `path`, which must have at least that many.
fn read_prefix(path: &Path, len: u64) -> Result<Vec<u8>, AuditLogError> {
    let mut bytes = Vec::with_capacity(len as usize);
    File::open(path)?.take(len).read_to_end(&mut bytes)?;
    if (bytes.len() as u64) < len {
        return Err(corrupt(
            path,
            format!("{} octets au lieu de {len}", bytes.len()),
        ));
    }
    Ok(bytes)
}

impl Ledger {
    /// An empty ledger kept in memory only.
    pub fn memory() -> Self {
        Self {
            tree: CompactTree::default(),
            nodes: MemoryNodes::default(),
            leaves: Vec::new(),
            by_event: HashMap::new(),
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
        let (leaves_path, nodes_path, heads_path) = (
            dir.join("leaves.bin"),
            dir.join("nodes.bin"),
            dir.join("heads.jsonl"),
        );
        let mut ledger = Self::memory();
        if state.size > 0 {
            let leaf_bytes = read_prefix(&leaves_path, state.size * LEAF_RECORD as u64)?;
            let node_bytes = read_prefix(&nodes_path, node_count(state.size) * NODE_RECORD as u64)?;
            let mut node_chunks = node_bytes.chunks_exact(NODE_RECORD);
            for (index, record) in leaf_bytes.chunks_exact(LEAF_RECORD).enumerate() {
                let index = index as u64;
                let mut created = Vec::new();
                for level in 0..=index.trailing_ones() {
                    let hash: Hash = node_chunks
                        .next()
                        .and_then(|c| c.try_into().ok())
                        .ok_or_else(|| corrupt(&nodes_path, "nœud manquant"))?;
                    created.push((level, index >> level, hash));
                }
                let entry = LeafEntry {
                    position: Position::new(
                        u64::from_be_bytes(record[0..8].try_into().expect("8 bytes")),
                        u32::from_be_bytes(record[8..12].try_into().expect("4 bytes")),
                    ),
                    event_id: Uuid::from_bytes(record[12..28].try_into().expect("16 bytes")),
                    recorded_at: i64::from_be_bytes(record[28..36].try_into().expect("8 bytes")),
                    leaf_hash: created[0].2,
                };
                ledger.push_in_memory(entry, created);
            }
            // The frontier must be what the stored nodes say; a mismatch is a bug or a
            // tampered file, not something to paper over.
            let resumed = CompactTree::resume(state.size, &ledger.nodes)?;
            if resumed != ledger.tree {
                return Err(corrupt(&nodes_path, "frontière incohérente"));
            }
        }
        ledger.checkpoint = checkpoint;
        if let Ok(file) = File::open(&heads_path) {
            for (number, line) in BufReader::new(file).lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<SignedTreeHead>(&line) {
                    Ok(head) if head.tree_size <= state.size => ledger.heads.push(head),
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
        if writable {
            let leaves = open_append(&leaves_path)?;
            leaves.set_len(state.size * LEAF_RECORD as u64)?;
            let nodes = open_append(&nodes_path)?;
            nodes.set_len(node_count(state.size) * NODE_RECORD as u64)?;
            let heads = open_append(&heads_path)?;
            // Rewrite the heads file when a torn line was dropped, so appends stay valid.
            let mut text = String::new();
            for head in &ledger.heads {
                text.push_str(&serde_json::to_string(head).map_err(|e| corrupt(&heads_path, e))?);
                text.push('\n');
            }
            if heads.metadata()?.len() != text.len() as u64 {
                heads.set_len(0)?;
                (&heads).write_all(text.as_bytes())?;
                heads.sync_data()?;
            }
            ledger.files = Some(Files {
                dir: dir.to_path_buf(),
                leaves,
                nodes,
                heads,
            });
        }
        Ok(ledger)
    }

    fn push_in_memory(&mut self, entry: LeafEntry, created: Vec<(u32, u64, Hash)>) {
        let index = self.leaves.len() as u64;
        self.tree.push(entry.leaf_hash);
        for (level, i, hash) in created {
            self.nodes.put(level, i, hash);
        }
        self.by_event.insert(entry.event_id, index);
        self.leaves.push(entry);
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
        let mut created = Vec::with_capacity(fresh.len());
        for entry in &fresh {
            created.push(tree.push(entry.leaf_hash));
        }
        if let Some(files) = &mut self.files {
            let mut leaf_bytes = Vec::with_capacity(fresh.len() * LEAF_RECORD);
            let mut node_bytes = Vec::with_capacity(fresh.len() * 2 * NODE_RECORD);
            for (entry, nodes) in fresh.iter().zip(&created) {
                leaf_bytes.extend_from_slice(&entry.position.commit().to_be_bytes());
                leaf_bytes.extend_from_slice(&entry.position.index().to_be_bytes());
                leaf_bytes.extend_from_slice(entry.event_id.as_bytes());
                leaf_bytes.extend_from_slice(&entry.recorded_at.to_be_bytes());
                for (_, _, hash) in nodes {
                    node_bytes.extend_from_slice(hash);
                }
            }
            files.leaves.write_all(&leaf_bytes)?;
            files.nodes.write_all(&node_bytes)?;
            files.leaves.sync_data()?;
            files.nodes.sync_data()?;
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
        for (entry, nodes) in fresh.into_iter().zip(created) {
            self.push_in_memory(entry, nodes);
        }
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

    /// The root of the tree of the first `size` leaves.
    pub fn root_of(&self, size: u64) -> Result<Hash, AuditLogError> {
        self.check_size(size)?;
        Ok(root_of(&self.nodes, size)?)
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

    /// The leaf of `index`.
    pub fn leaf(&self, index: u64) -> Option<&LeafEntry> {
        self.leaves.get(usize::try_from(index).ok()?)
    }

    /// The leaf index of an event.
    pub fn index_of(&self, event_id: Uuid) -> Option<u64> {
        self.by_event.get(&event_id).copied()
    }

    /// The leaf index of the event at `position`.
    pub fn index_at(&self, position: Position) -> Option<u64> {
        // Leaves are in log order, so positions are sorted.
        let index = self.leaves.partition_point(|e| e.position < position);
        (self.leaves.get(index)?.position == position).then_some(index as u64)
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, AuditLogError> {
        self.check_size(size)?;
        Ok(inclusion_proof(&self.nodes, index, size)?)
    }

    /// The consistency proof between the trees of `old` and `new` leaves.
    pub fn consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, AuditLogError> {
        self.check_size(new)?;
        Ok(consistency_proof(&self.nodes, old, new)?)
    }

    /// The stored hash of leaf `index`.
    pub fn leaf_hash(&self, index: u64) -> Result<Hash, AuditLogError> {
        Ok(self.nodes.node(0, index)?)
    }

    /// The largest prefix of the tree whose last event was recorded at or before
    /// `cutoff` (ms since the epoch): what a head may cover when the backend makes an
    /// event durable only some time after acknowledging it.
    pub fn size_recorded_by(&self, cutoff: i64) -> u64 {
        // Positions follow acknowledgement order, so once a leaf is old enough every
        // earlier one is durable too, whatever its own (writer-stamped) time.
        self.leaves
            .iter()
            .rposition(|e| e.recorded_at <= cutoff)
            .map_or(0, |i| i as u64 + 1)
    }
}
