//! The state an export is computed from: the event log replayed up to a position.
//!
//! An export never reads a live read model: it folds the log from the start into a
//! private [`ReadModel`] (the same `apply` every projection uses) and the doctrines,
//! stopping at the position asked for. Replaying to the same position therefore gives
//! the same state, which is what makes an export reproducible and `concerto verify
//! export` possible. While folding, it also computes the RFC 9162 root over the same
//! leaves as the audit log, so the bundle names the tree it was computed from.

use std::collections::BTreeMap;

use domain::aggregate::Aggregate;
use domain::doctrine::{Article, Doctrine, DoctrineAggregate, DoctrineState};
use domain::values::DoctrineId;
use eventstore::{EventStore, Position, ReadFrom, StreamFilter};
use time::OffsetDateTime;

use super::ExportError;
use crate::audit_log::leaf_bytes;
use crate::codec::{AnyEvent, DecodeError};
use crate::merkle::{leaf_hash, CompactTree, Hash};
use crate::model::body_spill::BodySpill;
use crate::model::ReadModel;

/// Events read per page of `$all`.
const PAGE: usize = 250;

/// The log folded up to a position.
#[derive(Debug)]
pub struct Snapshot {
    /// Every read model row, as of [`Snapshot::position`].
    pub model: ReadModel,
    /// Every doctrine, folded from its stream.
    pub doctrines: BTreeMap<DoctrineId, Doctrine>,
    /// The articles of every version of every doctrine, in order, up to the position:
    /// a doctrine's change log holds only the new texts, so the text an amendment was
    /// written against cannot be worked back from the current version.
    pub doctrine_versions: BTreeMap<DoctrineId, BTreeMap<u32, Vec<Article>>>,
    /// The position of the last event folded.
    pub position: Position,
    /// How many events were folded: the audit tree's size at that position.
    pub tree_size: u64,
    /// The RFC 9162 root hash of those events' leaves.
    pub root: Hash,
    /// When the store recorded the last event folded: the export's date, so that no
    /// file ever carries the clock's time.
    pub recorded_at: OffsetDateTime,
}

/// Replays the log up to `at` (inclusive; the newest event when `None`), calling
/// `progress(events_folded)` after each page.
///
/// Errors: an empty log, a position beyond the log's end or that is no event's
/// position, an event this release cannot read, a store failure.
pub async fn replay(
    store: &EventStore,
    at: Option<Position>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Snapshot, ExportError> {
    let head = store.head().await?.ok_or(ExportError::EmptyLog)?;
    let target = match at {
        Some(at) if at > head => return Err(ExportError::PositionBeyondLog { at, head }),
        Some(at) => at,
        None => head,
    };
    // Bodies wait in a temporary file until the bundle is written, not in memory.
    let mut model = ReadModel {
        body_spill: Some(BodySpill::new()?),
        ..ReadModel::default()
    };
    let mut doctrines: BTreeMap<DoctrineId, DoctrineState> = BTreeMap::new();
    let mut doctrine_versions: BTreeMap<DoctrineId, BTreeMap<u32, Vec<Article>>> = BTreeMap::new();
    let mut tree = CompactTree::default();
    let mut last: Option<(Position, OffsetDateTime)> = None;
    let mut from = ReadFrom::Start;
    'pages: loop {
        let page = store.read_all(from, &StreamFilter::All, PAGE).await?;
        let Some(page_end) = page.last() else { break };
        from = ReadFrom::After(page_end.position());
        for event in &page {
            if event.position() > target {
                break 'pages;
            }
            let leaf = leaf_bytes(&event.record).map_err(|e| ExportError::Unreadable {
                position: event.position(),
                reason: e.to_string(),
            })?;
            tree.push(leaf_hash(&leaf));
            last = Some((event.position(), event.record.recorded_at));
            let decoded = match AnyEvent::decode(event) {
                Ok(decoded) => decoded,
                // Categories outside the domain (staff accounts' facts, tests' own
                // streams) carry nothing an export shows; the audit tree has them.
                Err(DecodeError::UnknownCategory(_)) => continue,
                Err(e) => {
                    return Err(ExportError::Unreadable {
                        position: event.position(),
                        reason: e.to_string(),
                    })
                }
            };
            if let AnyEvent::Doctrine(doctrine_event) = &decoded {
                if let Some(id) = doctrine_id(event.stream().as_str()) {
                    let state = doctrines.remove(&id).unwrap_or_default();
                    let state = DoctrineAggregate::evolve(state, doctrine_event);
                    if let Some(d) = &state.doctrine {
                        doctrine_versions
                            .entry(id)
                            .or_default()
                            .insert(d.version, d.articles.clone());
                    }
                    doctrines.insert(id, state);
                }
            }
            model.apply(event, &decoded);
        }
        progress(tree.size());
    }
    let Some((position, recorded_at)) = last else {
        return Err(ExportError::EmptyLog);
    };
    if position != target {
        return Err(ExportError::NoSuchPosition { at: target });
    }
    spill_failure(&model)?;
    Ok(Snapshot {
        model,
        doctrines: doctrines
            .into_iter()
            .filter_map(|(id, state)| Some((id, state.doctrine?)))
            .collect(),
        doctrine_versions,
        position,
        tree_size: tree.size(),
        root: tree.root(),
        recorded_at,
    })
}

/// The first failure of the model's body spill, as an error: a bundle written from a
/// spill that lost a text would miss it silently.
pub(crate) fn spill_failure(model: &ReadModel) -> Result<(), ExportError> {
    match model.body_spill.as_ref().and_then(BodySpill::error) {
        Some(reason) => Err(ExportError::Io(std::io::Error::other(format!(
            "fichier temporaire des textes : {reason}"
        )))),
        None => Ok(()),
    }
}

/// The doctrine id of a `doctrine-<uuid>` stream.
fn doctrine_id(stream: &str) -> Option<DoctrineId> {
    stream
        .strip_prefix("doctrine-")
        .and_then(|id| id.parse::<uuid::Uuid>().ok())
        .map(DoctrineId::from_uuid)
}
