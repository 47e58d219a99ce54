//! The RFC 9162 Merkle tree: known answers (the RFC 6962 test vectors that Certificate
//! Transparency implementations share), a differential test against the independent
//! `ct-merkle` crate for every leaf and pair of sizes up to 64, and tampered proofs.

use concerto_projections::merkle::{
    consistency_proof, empty_root, from_hex, inclusion_proof, leaf_hash, root_of,
    verify_consistency, verify_inclusion, CompactTree, Hash, MemoryNodes, MerkleError,
};
use ct_merkle::consistency::ConsistencyProof;
use ct_merkle::inclusion::InclusionProof;
use ct_merkle::{CtMerkleTree, RootHash};
use sha2::{digest::Output, Sha256};

/// The eight leaves of the RFC 6962 test data, hex.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// The roots of the trees of the first 1..=8 leaves.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex in the test"))
        .collect()
}

fn h(hex: &str) -> Hash {
    from_hex(hex).expect("hash in the test")
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|x| h(x)).collect()
}

fn rfc_nodes() -> MemoryNodes {
    let leaves: Vec<Hash> = LEAVES.iter().map(|l| leaf_hash(&bytes(l))).collect();
    MemoryNodes::from_leaf_hashes(&leaves)
}

#[test]
fn empty_tree_root_is_the_hash_of_nothing() {
    assert_eq!(
        empty_root(),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(CompactTree::default().root(), empty_root());
}

#[test]
fn roots_match_the_rfc_6962_test_vectors() {
    let nodes = rfc_nodes();
    let mut compact = CompactTree::default();
    for (size, expected) in ROOTS.iter().enumerate() {
        compact.push(leaf_hash(&bytes(LEAVES[size])));
        assert_eq!(
            compact.root(),
            h(expected),
            "compact root of size {}",
            size + 1
        );
        assert_eq!(
            root_of(&nodes, size as u64 + 1).unwrap(),
            h(expected),
            "stored root of size {}",
            size + 1
        );
    }
}

#[test]
fn inclusion_proofs_match_the_test_vectors() {
    let nodes = rfc_nodes();
    let cases: [(u64, u64, Vec<Hash>); 4] = [
        (
            0,
            8,
            hashes(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            5,
            8,
            hashes(&[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            3,
            hashes(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        ),
        (
            1,
            5,
            hashes(&[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
    ];
    for (index, size, expected) in cases {
        let proof = inclusion_proof(&nodes, index, size).unwrap();
        assert_eq!(proof, expected, "proof of leaf {index} in {size}");
        let leaf = leaf_hash(&bytes(LEAVES[index as usize]));
        let root = h(ROOTS[size as usize - 1]);
        verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
    }
}

#[test]
fn consistency_proofs_match_the_test_vectors() {
    let nodes = rfc_nodes();
    let cases: [(u64, u64, Vec<Hash>); 4] = [
        (1, 1, vec![]),
        (
            1,
            8,
            hashes(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            6,
            8,
            hashes(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            5,
            hashes(&[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
    ];
    for (old, new, expected) in cases {
        let proof = consistency_proof(&nodes, old, new).unwrap();
        assert_eq!(proof, expected, "proof {old} → {new}");
        let (old_root, new_root) = (h(ROOTS[old as usize - 1]), h(ROOTS[new as usize - 1]));
        verify_consistency(old, new, &old_root, &new_root, &proof).unwrap();
    }
}

#[test]
fn compact_state_resumes_from_stored_nodes_without_rehashing() {
    let nodes = rfc_nodes();
    for size in 0..=8u64 {
        let resumed = CompactTree::resume(size, &nodes).unwrap();
        assert_eq!(resumed.size(), size);
        assert_eq!(resumed.frontier().len(), size.count_ones() as usize);
        assert_eq!(resumed.root(), root_of(&nodes, size).unwrap());
    }
}

fn leaf_value(i: usize) -> Vec<u8> {
    format!("feuille {i}").into_bytes()
}

fn trees(size: usize) -> (CtMerkleTree<Sha256, Vec<u8>>, MemoryNodes) {
    let mut theirs = CtMerkleTree::<Sha256, Vec<u8>>::new();
    let mut ours = Vec::with_capacity(size);
    for i in 0..size {
        theirs.push(leaf_value(i));
        ours.push(leaf_hash(&leaf_value(i)));
    }
    (theirs, MemoryNodes::from_leaf_hashes(&ours))
}

fn flat(proof: &[Hash]) -> Vec<u8> {
    proof.concat()
}

fn their_root(tree: &CtMerkleTree<Sha256, Vec<u8>>) -> Hash {
    (*tree.root().as_bytes()).into()
}

#[test]
fn agrees_with_ct_merkle_on_every_inclusion_proof_up_to_64_leaves() {
    for size in 1..=64usize {
        let (theirs, nodes) = trees(size);
        let root = root_of(&nodes, size as u64).unwrap();
        assert_eq!(root, their_root(&theirs), "root of {size}");
        for index in 0..size {
            let ours = inclusion_proof(&nodes, index as u64, size as u64).unwrap();
            let their_proof = theirs.prove_inclusion(index);
            assert_eq!(
                flat(&ours),
                their_proof.as_bytes(),
                "leaf {index} of {size}"
            );
            verify_inclusion(
                &leaf_hash(&leaf_value(index)),
                index as u64,
                size as u64,
                &ours,
                &root,
            )
            .unwrap();
            theirs
                .root()
                .verify_inclusion(
                    &leaf_value(index),
                    index,
                    &InclusionProof::<Sha256>::from_bytes(flat(&ours)),
                )
                .unwrap();
        }
    }
}

#[test]
fn agrees_with_ct_merkle_on_every_consistency_proof_up_to_64_leaves() {
    let (theirs, nodes) = trees(64);
    for new in 1..=64usize {
        let mut prefix = CtMerkleTree::<Sha256, Vec<u8>>::new();
        for i in 0..new {
            prefix.push(leaf_value(i));
        }
        let new_root = root_of(&nodes, new as u64).unwrap();
        for old in 1..new {
            let ours = consistency_proof(&nodes, old as u64, new as u64).unwrap();
            let their_proof = prefix.prove_consistency(old);
            assert_eq!(flat(&ours), their_proof.as_bytes(), "{old} → {new}");
            let old_root = root_of(&nodes, old as u64).unwrap();
            verify_consistency(old as u64, new as u64, &old_root, &new_root, &ours).unwrap();
            let their_old = RootHash::<Sha256>::new(Output::<Sha256>::from(old_root), old);
            prefix
                .root()
                .verify_consistency(
                    &their_old,
                    &ConsistencyProof::<Sha256>::from_bytes(flat(&ours)),
                )
                .unwrap();
        }
    }
    assert_eq!(root_of(&nodes, 64).unwrap(), their_root(&theirs));
}

#[test]
fn tampered_inclusion_proofs_fail() {
    let (_, nodes) = trees(13);
    let root = root_of(&nodes, 13).unwrap();
    for index in 0..13u64 {
        let proof = inclusion_proof(&nodes, index, 13).unwrap();
        let leaf = leaf_hash(&leaf_value(index as usize));
        // A mutated leaf.
        let mut other = leaf;
        other[0] ^= 1;
        assert_eq!(
            verify_inclusion(&other, index, 13, &proof, &root),
            Err(MerkleError::Mismatch)
        );
        // A wrong root.
        let mut wrong = root;
        wrong[31] ^= 0x80;
        assert_eq!(
            verify_inclusion(&leaf, index, 13, &proof, &wrong),
            Err(MerkleError::Mismatch)
        );
        // A truncated proof.
        assert!(verify_inclusion(&leaf, index, 13, &proof[..proof.len() - 1], &root).is_err());
        // A reordered pair.
        if proof.len() >= 2 {
            let mut swapped = proof.clone();
            swapped.swap(0, 1);
            assert!(verify_inclusion(&leaf, index, 13, &swapped, &root).is_err());
        }
        // The right proof for the wrong index.
        let elsewhere = (index + 1) % 13;
        assert!(verify_inclusion(&leaf, elsewhere, 13, &proof, &root).is_err());
    }
    assert!(matches!(
        inclusion_proof(&nodes, 13, 13),
        Err(MerkleError::OutOfRange(_))
    ));
}

#[test]
fn tampered_consistency_proofs_fail() {
    let (_, nodes) = trees(21);
    let new_root = root_of(&nodes, 21).unwrap();
    for old in 1..21u64 {
        let proof = consistency_proof(&nodes, old, 21).unwrap();
        let old_root = root_of(&nodes, old).unwrap();
        let mut wrong = old_root;
        wrong[5] ^= 4;
        assert!(verify_consistency(old, 21, &wrong, &new_root, &proof).is_err());
        assert!(verify_consistency(old, 21, &old_root, &wrong, &proof).is_err());
        assert!(
            verify_consistency(old, 21, &old_root, &new_root, &proof[..proof.len() - 1]).is_err()
        );
        if proof.len() >= 2 {
            let mut swapped = proof.clone();
            swapped.swap(0, 1);
            assert!(verify_consistency(old, 21, &old_root, &new_root, &swapped).is_err());
        }
        let mut mutated = proof.clone();
        mutated[0][0] ^= 1;
        assert!(verify_consistency(old, 21, &old_root, &new_root, &mutated).is_err());
    }
    assert!(consistency_proof(&nodes, 22, 21).is_err());
}
