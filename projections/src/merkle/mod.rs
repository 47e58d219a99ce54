//! The Merkle tree of RFC 9162 (Certificate Transparency v2) section 2.1, pure: leaf and
//! node hashes, roots of any range, inclusion and consistency proofs and their
//! verification, and the compact O(log n) state that appends a leaf.
//!
//! Nothing here does IO. Proof generation reads stored nodes through [`Nodes`]: the hash
//! of every *perfect* aligned subtree (level `k`, index `i` covers leaves
//! `i·2^k .. (i+1)·2^k`). Every subtree an RFC 9162 proof names is either such a node
//! or the right edge of one, so a proof costs O(log² n) node reads, never a rehash.

mod compact;
mod proof;

pub use compact::CompactTree;
pub use proof::{
    consistency_proof, inclusion_proof, root_of, subtree_root, verify_consistency, verify_inclusion,
};

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// Why a proof could not be built or does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MerkleError {
    /// A leaf index or tree size lies outside the tree.
    #[error("hors de l'arbre : {0}")]
    OutOfRange(String),
    /// The proof does not lead to the expected root.
    #[error("la preuve ne correspond pas à la racine attendue")]
    Mismatch,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("preuve de longueur incorrecte")]
    BadLength,
    /// The node storage failed or lacks a node it should hold.
    #[error("stockage des nœuds : {0}")]
    Storage(String),
}

/// The hash of a leaf: SHA-256(0x00 ‖ leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: SHA-256 of no bytes.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Stored perfect-subtree hashes, read by proof generation.
pub trait Nodes {
    /// The hash of the perfect subtree at `level` (0 = leaf hashes) and `index`.
    /// Asking for a node that the tree does not (yet) have is a [`MerkleError::Storage`].
    fn node(&self, level: u32, index: u64) -> Result<Hash, MerkleError>;
}

/// Perfect-subtree hashes held in memory, one vector per level (tests and small trees).
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes {
    levels: Vec<Vec<Hash>>,
}

impl MemoryNodes {
    /// Every node of the tree whose leaf hashes are `leaves`.
    pub fn from_leaf_hashes(leaves: &[Hash]) -> Self {
        let mut nodes = Self::default();
        let mut tree = CompactTree::default();
        for leaf in leaves {
            for (level, index, hash) in tree.push(*leaf) {
                nodes.put(level, index, hash);
            }
        }
        nodes
    }

    /// Stores a node produced by [`CompactTree::push`]; nodes of a level come in order.
    pub fn put(&mut self, level: u32, index: u64, hash: Hash) {
        let level = level as usize;
        if self.levels.len() <= level {
            self.levels.resize_with(level + 1, Vec::new);
        }
        debug_assert_eq!(self.levels[level].len() as u64, index);
        self.levels[level].push(hash);
    }

    /// How many leaves are stored.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }
}

impl Nodes for MemoryNodes {
    fn node(&self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        self.levels
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or_else(|| MerkleError::Storage(format!("nœud {level}/{index} absent")))
    }
}

/// Hex of a hash (lower case), as the API and the documents print it.
pub fn to_hex(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// A hash from 64 hex digits.
pub fn from_hex(text: &str) -> Result<Hash, MerkleError> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err(MerkleError::BadLength);
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).map_err(|_| MerkleError::BadLength)?;
        out[i] = u8::from_str_radix(pair, 16).map_err(|_| MerkleError::BadLength)?;
    }
    Ok(out)
}
