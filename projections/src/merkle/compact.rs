//! The compact append state: the roots of the perfect subtrees that make up the tree
//! (one per set bit of its size), O(log n) hashes whatever the size.

use super::{empty_root, node_hash, Hash, MerkleError, Nodes};

/// A tree's size and frontier; appending a leaf costs O(log n) hashes (amortised two).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactTree {
    size: u64,
    /// Perfect subtree roots, largest (leftmost) first.
    frontier: Vec<Hash>,
}

impl CompactTree {
    /// Resumes the state of a tree of `size` leaves from its stored nodes: reads one
    /// node per set bit of `size`, hashes nothing.
    pub fn resume(size: u64, nodes: &impl Nodes) -> Result<Self, MerkleError> {
        let mut frontier = Vec::with_capacity(size.count_ones() as usize);
        for level in (0..64u32).rev() {
            if size & (1u64 << level) != 0 {
                frontier.push(nodes.node(level, (size >> level) - 1)?);
            }
        }
        Ok(Self { size, frontier })
    }

    /// How many leaves the tree has.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier, largest subtree first (what [`CompactTree::resume`] reads back).
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// Appends a leaf hash; returns the nodes it completes as `(level, index, hash)`,
    /// the leaf itself first, for the node storage that proofs read.
    pub fn push(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let index = self.size;
        let merges = index.trailing_ones();
        let mut created = Vec::with_capacity(merges as usize + 1);
        created.push((0, index, leaf));
        let mut hash = leaf;
        for level in 1..=merges {
            let left = self.frontier.pop().expect("one frontier root per set bit");
            hash = node_hash(&left, &hash);
            created.push((level, index >> level, hash));
        }
        self.frontier.push(hash);
        self.size += 1;
        created
    }

    /// The root hash (RFC 9162 MTH) of the tree as it stands.
    pub fn root(&self) -> Hash {
        let mut roots = self.frontier.iter().rev();
        let Some(last) = roots.next() else {
            return empty_root();
        };
        roots.fold(*last, |right, left| node_hash(left, &right))
    }
}
