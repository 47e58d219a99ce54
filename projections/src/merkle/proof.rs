//! Roots, inclusion proofs and consistency proofs (RFC 9162 §2.1.1–2.1.4), built from
//! stored nodes and verified from hashes alone.

use super::{empty_root, node_hash, Hash, MerkleError, Nodes};

/// The largest power of two strictly below `n` (`n ≥ 2`): RFC 9162's split point `k`.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH of leaves `start..end`. When `start` is aligned to the range's perfect subtrees
/// (as in every proof) this reads O(log n) stored nodes; otherwise it still answers,
/// descending to the leaves.
pub fn subtree_root(nodes: &impl Nodes, start: u64, end: u64) -> Result<Hash, MerkleError> {
    let n = end
        .checked_sub(start)
        .ok_or_else(|| MerkleError::OutOfRange(format!("{start}..{end}")))?;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    Ok(node_hash(
        &subtree_root(nodes, start, start + k)?,
        &subtree_root(nodes, start + k, end)?,
    ))
}

/// The root of the tree made of the first `size` leaves.
pub fn root_of(nodes: &impl Nodes, size: u64) -> Result<Hash, MerkleError> {
    subtree_root(nodes, 0, size)
}

/// The inclusion proof (audit path, RFC 9162 §2.1.3.1) of leaf `index` in the tree of
/// the first `size` leaves, nearest sibling first.
pub fn inclusion_proof(
    nodes: &impl Nodes,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, MerkleError> {
    if index >= size {
        return Err(MerkleError::OutOfRange(format!(
            "feuille {index} dans un arbre de {size}"
        )));
    }
    let mut out = Vec::new();
    path(nodes, index, 0, size, &mut out)?;
    Ok(out)
}

fn path(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), MerkleError> {
    let n = end - start;
    if n == 1 {
        return Ok(());
    }
    let k = split(n);
    if m < start + k {
        path(nodes, m, start, start + k, out)?;
        out.push(subtree_root(nodes, start + k, end)?);
    } else {
        path(nodes, m, start + k, end, out)?;
        out.push(subtree_root(nodes, start, start + k)?);
    }
    Ok(())
}

/// The consistency proof (RFC 9162 §2.1.4.1) that the tree of `old` leaves is a prefix
/// of the tree of `new` leaves. Empty when `old` is 0 or equal to `new`.
pub fn consistency_proof(nodes: &impl Nodes, old: u64, new: u64) -> Result<Vec<Hash>, MerkleError> {
    if old > new {
        return Err(MerkleError::OutOfRange(format!(
            "taille {old} plus grande que {new}"
        )));
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(nodes, old, 0, new, true, &mut out)?;
    }
    Ok(out)
}

fn subproof(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), MerkleError> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(subtree_root(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(nodes, m, start, start + k, whole, out)?;
        out.push(subtree_root(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, out)?;
        out.push(subtree_root(nodes, start, start + k)?);
    }
    Ok(())
}

/// Checks that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves whose
/// root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::OutOfRange(format!(
            "feuille {index} dans un arbre de {size}"
        )));
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(MerkleError::BadLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(MerkleError::BadLength);
    }
    if &r != root {
        return Err(MerkleError::Mismatch);
    }
    Ok(())
}

/// Checks that the tree of `old` leaves with root `old_root` is a prefix of the tree of
/// `new` leaves with root `new_root` (RFC 9162 §2.1.4.2). Equal sizes need an empty
/// proof and equal roots; the empty tree is a prefix of every tree.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if old > new {
        return Err(MerkleError::OutOfRange(format!(
            "taille {old} plus grande que {new}"
        )));
    }
    if old == 0 || old == new {
        if !proof.is_empty() {
            return Err(MerkleError::BadLength);
        }
        if old == new && old_root != new_root {
            return Err(MerkleError::Mismatch);
        }
        return Ok(());
    }
    let Some((first, rest)) = proof.split_first() else {
        return Err(MerkleError::BadLength);
    };
    // When `old` is a power of two its root is the first node and the proof omits it.
    let (start, rest) = if old.is_power_of_two() {
        (old_root, proof)
    } else {
        (first, rest)
    };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if s == 0 {
            return Err(MerkleError::BadLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(MerkleError::BadLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(MerkleError::Mismatch);
    }
    Ok(())
}
