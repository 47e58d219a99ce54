//! The checks behind `concerto verify`: the whole log against the event store (every
//! leaf recomputed, every head's signature and root, consistency between consecutive
//! heads), and a participant's receipt on its own.

use std::fmt;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use eventstore::{Backend, Position, ReadFrom, StreamFilter};
use uuid::Uuid;

use super::heads::{public_key_from_hex, LogSigner, SignedTreeHead};
use super::ledger::Ledger;
use super::service::{ConsistencyAnswer, Receipt, RECEIPT_FORMAT};
use super::{AuditLogError, LeafEntry};
use crate::merkle::{
    from_hex, root_of, to_hex, verify_consistency, verify_inclusion, Hash, MemoryNodes,
};

const PAGE: usize = 4096;

/// One thing `verify log` found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogProblem {
    /// The leaf recomputed from the stored event differs from the one in the tree.
    LeafChanged {
        /// The leaf index.
        index: u64,
        /// The event's position.
        position: Position,
        /// The event id.
        event_id: Uuid,
    },
    /// The tree's leaf names another event than the store has at that place.
    LeafMisplaced {
        /// The leaf index.
        index: u64,
        /// The event the store has there.
        event_id: Uuid,
    },
    /// The tree has more leaves than the store has events: events disappeared.
    EventsMissing {
        /// Leaves in the tree.
        leaves: u64,
        /// Events in the store.
        events: u64,
    },
    /// A head's signature does not verify.
    HeadSignature {
        /// The head's size.
        tree_size: u64,
    },
    /// A head's root is not the root of the events the store holds.
    HeadRoot {
        /// The head's size.
        tree_size: u64,
    },
    /// Two consecutive heads are not on one append-only tree.
    HeadsInconsistent {
        /// The older head's size.
        first: u64,
        /// The newer head's size.
        second: u64,
    },
}

impl fmt::Display for LogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LeafChanged { index, position, event_id } => write!(
                f,
                "feuille {index} (événement {event_id}, position {position}) : l'événement stocké ne correspond plus à la feuille de l'arbre"
            ),
            Self::LeafMisplaced { index, event_id } => write!(
                f,
                "feuille {index} : le journal a l'événement {event_id} à cette place, l'arbre un autre"
            ),
            Self::EventsMissing { leaves, events } => write!(
                f,
                "l'arbre a {leaves} feuilles mais le journal seulement {events} événements"
            ),
            Self::HeadSignature { tree_size } => {
                write!(f, "tête de taille {tree_size} : signature invalide")
            }
            Self::HeadRoot { tree_size } => write!(
                f,
                "tête de taille {tree_size} : sa racine n'est pas celle des événements du journal"
            ),
            Self::HeadsInconsistent { first, second } => write!(
                f,
                "têtes {first} et {second} : l'arbre n'a pas seulement grandi entre elles"
            ),
        }
    }
}

/// What `verify log` checked and found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogReport {
    /// Events read from the store.
    pub events: u64,
    /// Leaves in the tree.
    pub leaves: u64,
    /// Signed heads checked.
    pub heads: u64,
    /// Everything wrong, in log order; empty when the log verifies.
    pub problems: Vec<LogProblem>,
}

/// The public key of the log kept in `dir`, read from its key file (never created).
pub fn stored_public_key(dir: &Path) -> Result<VerifyingKey, AuditLogError> {
    let path = dir.join("signing.key");
    if !path.exists() {
        return Err(AuditLogError::Invalid(format!(
            "{} absent : donnez la clé publique",
            path.display()
        )));
    }
    Ok(LogSigner::load(&path)?.public_key())
}

/// Recomputes every leaf from the events in `backend` and checks them against the tree
/// kept in `dir`, then every head's signature (against `key`) and root, and the
/// consistency of each head with the next. Changes nothing.
pub async fn verify_log(
    backend: &dyn Backend,
    dir: &Path,
    key: &VerifyingKey,
) -> Result<LogReport, AuditLogError> {
    let ledger = Ledger::open(dir, false)?;
    let mut report = LogReport {
        leaves: ledger.size(),
        heads: ledger.heads().len() as u64,
        ..LogReport::default()
    };
    let mut recomputed: Vec<Hash> = Vec::new();
    let mut from = ReadFrom::Start;
    loop {
        let page = backend.read_all(from, &StreamFilter::All, PAGE).await?;
        let Some(last) = page.last() else { break };
        from = ReadFrom::After(last.position);
        for record in &page {
            let index = recomputed.len() as u64;
            let entry = LeafEntry::of(record)?;
            if let Some(kept) = ledger.leaf(index)? {
                if kept.event_id != entry.event_id || kept.position != entry.position {
                    report.problems.push(LogProblem::LeafMisplaced {
                        index,
                        event_id: entry.event_id,
                    });
                } else if kept.leaf_hash != entry.leaf_hash {
                    report.problems.push(LogProblem::LeafChanged {
                        index,
                        position: entry.position,
                        event_id: entry.event_id,
                    });
                }
            }
            recomputed.push(entry.leaf_hash);
        }
    }
    report.events = recomputed.len() as u64;
    if report.leaves > report.events {
        report.problems.push(LogProblem::EventsMissing {
            leaves: report.leaves,
            events: report.events,
        });
    }
    let nodes = MemoryNodes::from_leaf_hashes(&recomputed);
    let mut previous: Option<(u64, Hash)> = None;
    for head in ledger.heads() {
        if head.verify(key).is_err() {
            report.problems.push(LogProblem::HeadSignature {
                tree_size: head.tree_size,
            });
        }
        let root = head.root()?;
        let from_store = (head.tree_size <= report.events)
            .then(|| root_of(&nodes, head.tree_size))
            .transpose()?;
        if from_store != Some(root) {
            report.problems.push(LogProblem::HeadRoot {
                tree_size: head.tree_size,
            });
        }
        // Consistency from the tree as kept (what the server proves to auditors), so a
        // rewritten tree shows even where the store was rewritten to match it.
        if let Some((first, first_root)) = previous {
            let consistent = ledger
                .consistency(first, head.tree_size)
                .ok()
                .is_some_and(|proof| {
                    verify_consistency(first, head.tree_size, &first_root, &root, &proof).is_ok()
                });
            if !consistent {
                report.problems.push(LogProblem::HeadsInconsistent {
                    first,
                    second: head.tree_size,
                });
            }
        }
        previous = Some((head.tree_size, root));
    }
    Ok(report)
}

/// Hashes from their hex form, as proofs carry them.
pub fn parse_path(path: &[String]) -> Result<Vec<Hash>, AuditLogError> {
    Ok(path
        .iter()
        .map(|h| from_hex(h))
        .collect::<Result<Vec<_>, _>>()?)
}

/// Checks that `second` extends `first` (same tree, only grown) with `proof`, a
/// consistency proof between their sizes. Signatures are checked apart.
pub fn verify_heads_consistent(
    first: &SignedTreeHead,
    second: &SignedTreeHead,
    proof: &ConsistencyAnswer,
) -> Result<(), AuditLogError> {
    if (proof.first, proof.second) != (first.tree_size, second.tree_size) {
        return Err(AuditLogError::Invalid(
            "la preuve de cohérence porte sur d'autres tailles".into(),
        ));
    }
    Ok(verify_consistency(
        first.tree_size,
        second.tree_size,
        &first.root()?,
        &second.root()?,
        &parse_path(&proof.consistency_path)?,
    )?)
}

/// What a verified receipt establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptReport {
    /// The event.
    pub event_id: Uuid,
    /// Its leaf hash, hex.
    pub leaf_hash: String,
    /// The leaf index and tree size proven, when the receipt carries a head.
    pub included: Option<(u64, u64)>,
}

/// Checks a receipt on its own: the promise's and the head's signatures under `key`
/// (the receipt's own key when `None`: then only a server or a published key tells
/// whether it is the log's), and the inclusion proof of the promised leaf in the head.
pub fn verify_receipt(
    receipt: &Receipt,
    key: Option<&VerifyingKey>,
) -> Result<ReceiptReport, AuditLogError> {
    if receipt.format != RECEIPT_FORMAT {
        return Err(AuditLogError::Invalid(format!(
            "format « {} » inconnu",
            receipt.format
        )));
    }
    let own = public_key_from_hex(&receipt.public_key)?;
    let key = key.unwrap_or(&own);
    if key != &own {
        return Err(AuditLogError::BadSignature(
            "le reçu annonce une autre clé que celle du journal".into(),
        ));
    }
    receipt.promise.verify(key)?;
    let leaf = from_hex(&receipt.promise.leaf_hash)?;
    let included = match (&receipt.tree_head, &receipt.inclusion) {
        (None, None) => None,
        (Some(head), Some(inclusion)) => {
            head.verify(key)?;
            if inclusion.event_id != receipt.promise.event_id
                || inclusion.leaf_hash != receipt.promise.leaf_hash
                || inclusion.tree_size != head.tree_size
            {
                return Err(AuditLogError::Invalid(
                    "la preuve ne porte pas sur l'événement promis ou sur la tête donnée".into(),
                ));
            }
            let path = parse_path(&inclusion.audit_path)?;
            verify_inclusion(
                &leaf,
                inclusion.leaf_index,
                head.tree_size,
                &path,
                &head.root()?,
            )?;
            Some((inclusion.leaf_index, head.tree_size))
        }
        _ => {
            return Err(AuditLogError::Invalid(
                "un reçu porte une tête et sa preuve, ou aucune des deux".into(),
            ))
        }
    };
    Ok(ReceiptReport {
        event_id: receipt.promise.event_id,
        leaf_hash: to_hex(&leaf),
        included,
    })
}
