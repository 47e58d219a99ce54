//! [`Folds`]: an in-process cache of folded aggregate states, each with the stream
//! revision it was folded up to, so that a command or a snapshot does not fold a whole
//! stream again on every request.
//!
//! The cache is never trusted on its own: [`crate::aggregate`] either reads the commits
//! after the cached revision before using a state (a snapshot), or decides on it and
//! lets the append's expected revision check it (a command: a `WrongExpectedVersion`
//! means "stale", and the state is caught up and the command decided again). An entry
//! may therefore lag behind the store (another process appended), never run ahead of
//! it: an entry is only stored after the commits it includes were read back or
//! acknowledged.
//!
//! Kept in a [`ShardedMap`], like the JetStream backend's stream cache: when a shard
//! exceeds its share of the capacity it is cleared (the next use folds again).

use std::any::Any;
use std::sync::Arc;

use crate::expected::CurrentRevision;
use crate::sharded::ShardedMap;
use crate::stream_name::StreamName;

/// One folded state and where it stands.
struct Entry {
    revision: CurrentRevision,
    state: Arc<dyn Any + Send + Sync>,
}

/// The cache of folded states; see the module documentation. Cheap to share by `Arc`.
pub struct Folds {
    entries: ShardedMap<Entry>,
}

impl Folds {
    /// A cache holding about `capacity` streams' states.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: ShardedMap::new(capacity),
        }
    }

    /// The cached state of `stream` and its revision, if any (and if it is an `S`).
    pub fn get<S: Clone + 'static>(&self, stream: &StreamName) -> Option<(S, CurrentRevision)> {
        // The clone is taken outside the lock: a large state never blocks the shard.
        let (state, revision) = {
            let shard = self.entries.shard(stream);
            let entry = shard.get(stream)?;
            (Arc::clone(&entry.state), entry.revision)
        };
        state
            .downcast_ref::<S>()
            .map(|state| (state.clone(), revision))
    }

    /// Stores `state` as `stream` folded up to `revision`, unless a state of a later
    /// revision is already there (concurrent commands race to store theirs).
    pub fn put<S: Send + Sync + 'static>(
        &self,
        stream: &StreamName,
        state: S,
        revision: CurrentRevision,
    ) {
        let entry = Entry {
            revision,
            state: Arc::new(state),
        };
        let mut shard = self.entries.shard(stream);
        if let Some(existing) = shard.get(stream) {
            if existing.revision.next() > revision.next() {
                return;
            }
        } else {
            self.entries.make_room(&mut shard);
        }
        shard.insert(stream.clone(), entry);
    }

    /// Forgets `stream`'s state (after an append whose result is not known exactly).
    pub fn forget(&self, stream: &StreamName) {
        self.entries.shard(stream).remove(stream);
    }

    /// Forgets every state: after a key was destroyed, so that no plaintext it sealed
    /// outlives it in this cache (states hold opened sealed parts).
    pub fn clear(&self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> StreamName {
        StreamName::parse(s).expect("valid stream name")
    }

    #[test]
    fn keeps_the_latest_revision_and_checks_the_type() {
        let folds = Folds::new(100);
        let s = name("ballot-a");
        assert!(folds.get::<u32>(&s).is_none());
        folds.put(&s, 3u32, CurrentRevision::Current(2));
        folds.put(&s, 1u32, CurrentRevision::Current(0)); // older: ignored
        assert_eq!(folds.get::<u32>(&s), Some((3, CurrentRevision::Current(2))));
        assert!(folds.get::<String>(&s).is_none());
        folds.put(&s, 4u32, CurrentRevision::Current(3));
        assert_eq!(folds.get::<u32>(&s), Some((4, CurrentRevision::Current(3))));
        folds.forget(&s);
        assert!(folds.get::<u32>(&s).is_none());
        folds.put(&s, 0u32, CurrentRevision::NoStream);
        folds.clear();
        assert!(folds.get::<u32>(&s).is_none());
    }
}
