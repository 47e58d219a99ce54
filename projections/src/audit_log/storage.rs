//! Where the ledger keeps its leaves and perfect-subtree nodes: in memory (tests), or in
//! two files of the data folder read back with positioned reads, so the process holds
//! none of them (the embedded default: memory stays O(log n) whatever the tree's size).
//!
//! Files (integers big-endian): `leaves.bin`, [`LEAF_RECORD`] bytes a leaf (commit u64,
//! index u32, event id 16 bytes, recorded_at ms i64); `nodes.bin`, 32 bytes a node in
//! the order [`crate::merkle::CompactTree::push`] creates them, so node `(level, i)`
//! sits at a place computed from its last leaf ([`node_slot`]). Writes go to the place
//! of the committed size, never "at the end": bytes a failed or torn batch left past it
//! are overwritten by the next one.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use eventstore::Position;
use uuid::Uuid;

use super::{AuditLogError, LeafEntry};
use crate::merkle::{Hash, MemoryNodes, MerkleError, Nodes};

/// Bytes of one leaf record in `leaves.bin`.
pub const LEAF_RECORD: usize = 36;
const NODE_RECORD: u64 = 32;
/// Leaf records read at once when scanning `leaves.bin` from its end.
const SCAN_CHUNK: u64 = 4096;
/// The first window of a backward scan: what is looked for is almost always among the
/// newest leaves, so reading (and zeroing) a whole [`SCAN_CHUNK`] each time is waste.
const FIRST_SCAN_CHUNK: u64 = 64;

/// The windows `first..end` of a backward scan over `size` leaves, newest first: they
/// start at [`FIRST_SCAN_CHUNK`] leaves and double up to [`SCAN_CHUNK`].
fn backward_windows(size: u64) -> impl Iterator<Item = (u64, u64)> {
    let mut end = size;
    let mut chunk = FIRST_SCAN_CHUNK;
    std::iter::from_fn(move || {
        if end == 0 {
            return None;
        }
        let first = end.saturating_sub(chunk);
        let window = (first, end);
        end = first;
        chunk = (chunk * 2).min(SCAN_CHUNK);
        Some(window)
    })
}

/// How many nodes a tree of `size` leaves has stored.
pub fn node_count(size: u64) -> u64 {
    2 * size - u64::from(size.count_ones())
}

/// The slot of node `(level, index)` in creation order, and the leaf whose push
/// creates it (the node exists once that leaf does); `None` past any real tree.
fn node_slot(level: u32, index: u64) -> Option<(u64, u64)> {
    let span = 1u64.checked_shl(level)?;
    let last_leaf = index.checked_add(1)?.checked_mul(span)? - 1;
    // Pushing leaf `j` writes its nodes after the `node_count(j)` earlier ones, lowest
    // level first.
    Some((node_count(last_leaf) + u64::from(level), last_leaf))
}

fn encode_leaf(entry: &LeafEntry) -> [u8; LEAF_RECORD] {
    let mut out = [0u8; LEAF_RECORD];
    out[0..8].copy_from_slice(&entry.position.commit().to_be_bytes());
    out[8..12].copy_from_slice(&entry.position.index().to_be_bytes());
    out[12..28].copy_from_slice(entry.event_id.as_bytes());
    out[28..36].copy_from_slice(&entry.recorded_at.to_be_bytes());
    out
}

fn decode_leaf(record: &[u8], leaf_hash: Hash) -> LeafEntry {
    let field = |range: std::ops::Range<usize>| &record[range];
    LeafEntry {
        position: Position::new(
            u64::from_be_bytes(field(0..8).try_into().expect("8 bytes")),
            u32::from_be_bytes(field(8..12).try_into().expect("4 bytes")),
        ),
        event_id: Uuid::from_bytes(field(12..28).try_into().expect("16 bytes")),
        recorded_at: i64::from_be_bytes(field(28..36).try_into().expect("8 bytes")),
        leaf_hash,
    }
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> AuditLogError {
    AuditLogError::Corrupt(format!("{} : {why}", path.display()))
}

/// The leaves and nodes of a tree of `size` leaves.
pub enum LeafStore {
    /// Everything in memory, O(n): for tests and a ledger without a folder.
    Memory {
        /// The leaves, in order.
        leaves: Vec<LeafEntry>,
        /// Every perfect-subtree node.
        nodes: MemoryNodes,
        /// Leaf index of each event.
        by_event: HashMap<Uuid, u64>,
    },
    /// `leaves.bin` and `nodes.bin`, read on demand.
    Files(FileLeaves),
}

/// The two files of a folder ledger and the committed size they hold.
pub struct FileLeaves {
    leaves: File,
    nodes: File,
    leaves_path: PathBuf,
    nodes_path: PathBuf,
    size: u64,
}

impl FileLeaves {
    /// Opens the files of a tree of `size` committed leaves in `dir`. With `writable`,
    /// creates them and cuts off bytes past the committed size; without, changes
    /// nothing and requires them (unless the tree is empty).
    pub fn open(dir: &Path, size: u64, writable: bool) -> Result<Self, AuditLogError> {
        let (leaves_path, nodes_path) = (dir.join("leaves.bin"), dir.join("nodes.bin"));
        let open = |path: &Path| -> Result<File, AuditLogError> {
            Ok(OpenOptions::new()
                .read(true)
                .write(writable)
                .create(writable)
                .truncate(false)
                .open(path)?)
        };
        let (leaves, nodes) = (open(&leaves_path)?, open(&nodes_path)?);
        let needed = [
            (&leaves, &leaves_path, size * LEAF_RECORD as u64),
            (&nodes, &nodes_path, node_count(size) * NODE_RECORD),
        ];
        for (file, path, len) in needed {
            let actual = file.metadata()?.len();
            if actual < len {
                return Err(corrupt(path, format!("{actual} octets au lieu de {len}")));
            }
            if writable && actual > len {
                file.set_len(len)?;
            }
        }
        Ok(Self {
            leaves,
            nodes,
            leaves_path,
            nodes_path,
            size,
        })
    }

    fn read_leaves(&self, first: u64, count: u64) -> Result<Vec<u8>, AuditLogError> {
        let mut bytes = vec![0u8; (count as usize) * LEAF_RECORD];
        self.leaves
            .read_exact_at(&mut bytes, first * LEAF_RECORD as u64)
            .map_err(|e| corrupt(&self.leaves_path, e))?;
        Ok(bytes)
    }
}

impl Default for LeafStore {
    fn default() -> Self {
        Self::Memory {
            leaves: Vec::new(),
            nodes: MemoryNodes::default(),
            by_event: HashMap::new(),
        }
    }
}

impl LeafStore {
    /// Leaf `index` of a tree of `size` leaves.
    pub fn leaf(&self, index: u64, size: u64) -> Result<Option<LeafEntry>, AuditLogError> {
        if index >= size {
            return Ok(None);
        }
        match self {
            Self::Memory { leaves, .. } => Ok(leaves.get(index as usize).copied()),
            Self::Files(files) => {
                let record = files.read_leaves(index, 1)?;
                Ok(Some(decode_leaf(&record, self.node(0, index)?)))
            }
        }
    }

    /// The leaf index of `event_id` among the first `size` leaves. On files this scans
    /// `leaves.bin` from its end: receipts and promises ask for recent events.
    pub fn index_of(&self, event_id: Uuid, size: u64) -> Result<Option<u64>, AuditLogError> {
        match self {
            Self::Memory { by_event, .. } => Ok(by_event.get(&event_id).copied()),
            Self::Files(files) => {
                for (first, end) in backward_windows(size) {
                    let bytes = files.read_leaves(first, end - first)?;
                    let found = bytes
                        .chunks_exact(LEAF_RECORD)
                        .rposition(|r| &r[12..28] == event_id.as_bytes());
                    if let Some(i) = found {
                        return Ok(Some(first + i as u64));
                    }
                }
                Ok(None)
            }
        }
    }

    /// The largest `k ≤ size` whose leaf `k − 1` was recorded at or before `cutoff`,
    /// scanning back from the end (the answer is within the last few seconds' leaves).
    pub fn size_recorded_by(&self, cutoff: i64, size: u64) -> Result<u64, AuditLogError> {
        for (first, end) in backward_windows(size) {
            let times: Vec<i64> = match self {
                Self::Memory { leaves, .. } => leaves[first as usize..end as usize]
                    .iter()
                    .map(|e| e.recorded_at)
                    .collect(),
                Self::Files(files) => files
                    .read_leaves(first, end - first)?
                    .chunks_exact(LEAF_RECORD)
                    .map(|r| i64::from_be_bytes(r[28..36].try_into().expect("8 bytes")))
                    .collect(),
            };
            if let Some(i) = times.iter().rposition(|&t| t <= cutoff) {
                return Ok(first + i as u64 + 1);
            }
        }
        Ok(0)
    }

    /// Stores the leaves `fresh` appended after the first `size` ones and the nodes
    /// each created, durably on files (synced before returning).
    pub fn write(
        &mut self,
        size: u64,
        fresh: &[LeafEntry],
        created: &[Vec<(u32, u64, Hash)>],
    ) -> Result<(), AuditLogError> {
        match self {
            Self::Memory {
                leaves,
                nodes,
                by_event,
            } => {
                for (entry, made) in fresh.iter().zip(created) {
                    by_event.insert(entry.event_id, leaves.len() as u64);
                    leaves.push(*entry);
                    for &(level, index, hash) in made {
                        nodes.put(level, index, hash);
                    }
                }
            }
            Self::Files(files) => {
                let mut leaf_bytes = Vec::with_capacity(fresh.len() * LEAF_RECORD);
                let mut node_bytes = Vec::with_capacity(fresh.len() * 2 * NODE_RECORD as usize);
                for (entry, made) in fresh.iter().zip(created) {
                    leaf_bytes.extend_from_slice(&encode_leaf(entry));
                    for (_, _, hash) in made {
                        node_bytes.extend_from_slice(hash);
                    }
                }
                files
                    .leaves
                    .write_all_at(&leaf_bytes, size * LEAF_RECORD as u64)?;
                files
                    .nodes
                    .write_all_at(&node_bytes, node_count(size) * NODE_RECORD)?;
                files.leaves.sync_data()?;
                files.nodes.sync_data()?;
            }
        }
        Ok(())
    }

    /// Makes the leaves written up to `size` readable (once their checkpoint is kept).
    pub fn commit(&mut self, size: u64) {
        if let Self::Files(files) = self {
            files.size = size;
        }
    }
}

impl Nodes for LeafStore {
    fn node(&self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        match self {
            Self::Memory { nodes, .. } => nodes.node(level, index),
            Self::Files(files) => {
                let absent = || MerkleError::Storage(format!("nœud {level}/{index} absent"));
                let (slot, last_leaf) = node_slot(level, index).ok_or_else(absent)?;
                if last_leaf >= files.size {
                    return Err(absent());
                }
                let mut hash = [0u8; 32];
                files
                    .nodes
                    .read_exact_at(&mut hash, slot * NODE_RECORD)
                    .map_err(|e| {
                        MerkleError::Storage(format!("{} : {e}", files.nodes_path.display()))
                    })?;
                Ok(hash)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, CompactTree};

    #[test]
    fn backward_windows_cover_every_leaf_once_newest_first_and_grow() {
        for size in [0u64, 1, 63, 64, 65, 1000, 10_000] {
            let windows: Vec<(u64, u64)> = backward_windows(size).collect();
            let mut expected_end = size;
            for (i, &(first, end)) in windows.iter().enumerate() {
                assert_eq!(end, expected_end, "size {size}: windows must be contiguous");
                assert!(first < end);
                let limit = (FIRST_SCAN_CHUNK << i.min(6)).min(SCAN_CHUNK);
                assert!(end - first <= limit, "size {size}: window {i} too large");
                expected_end = first;
            }
            assert_eq!(expected_end, 0, "size {size}: every leaf scanned");
        }
        let sizes: Vec<u64> = backward_windows(100_000)
            .map(|(f, e)| e - f)
            .take(8)
            .collect();
        assert_eq!(sizes, vec![64, 128, 256, 512, 1024, 2048, 4096, 4096]);
    }

    #[test]
    fn node_slots_follow_the_order_push_creates_nodes_in() {
        let mut tree = CompactTree::default();
        let mut slot = 0u64;
        for leaf in 0..300u64 {
            for (level, index, _) in tree.push(leaf_hash(&leaf.to_be_bytes())) {
                assert_eq!(node_slot(level, index), Some((slot, leaf)));
                slot += 1;
            }
        }
        assert_eq!(slot, node_count(300));
        assert_eq!(node_slot(64, 0), None);
        assert_eq!(node_slot(3, u64::MAX), None);
    }
}
