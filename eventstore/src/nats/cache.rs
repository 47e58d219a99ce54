//! What the JetStream backend remembers of each event stream, so that an append needs
//! no lookup first and a stream read finds its commits without scanning.
//!
//! Per stream: the revision and JetStream sequence of its last known commit, and a
//! *commit index* — the first revision and sequence of each commit, for a prefix of
//! the stream starting at revision 0. Everything here may lag behind the server (other
//! processes append too) but is never wrong: revisions and sequences only grow, and the
//! server checks every append against `Nats-Expected-Last-Subject-Sequence`.
//!
//! The map is a [`ShardedMap`] (short locks, never across an `.await`), so concurrent
//! appends to different streams rarely contend. Memory: about 130 bytes per stream (its slot included) plus 16 bytes per indexed
//! commit; when a shard exceeds its share of [`StreamCache::new`]'s capacity it is
//! cleared (the next append or read of those streams looks them up again).

use std::sync::{Arc, Mutex, MutexGuard};

use crate::sharded::ShardedMap;
use crate::stream_name::StreamName;

/// The known tail and commit index of one stream.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamState {
    /// Revision and sequence of the last known commit's last event.
    pub last: Option<(u64, u64)>,
    /// The stream's subject, once an append has made it.
    pub subject: Option<async_nats::Subject>,
    /// `(first revision, sequence)` of the commits covering revisions `0..indexed_next`.
    pub commits: Vec<(u64, u64)>,
    /// The revision after the last indexed commit (0: nothing indexed).
    pub indexed_next: u64,
}

impl StreamState {
    /// Records a commit of `count` events at `first_revision`, stored at `sequence`.
    pub fn record(&mut self, first_revision: u64, count: u64, sequence: u64) {
        let last_revision = first_revision + count.max(1) - 1;
        if self.last.is_none_or(|(_, seq)| seq < sequence) {
            self.last = Some((last_revision, sequence));
        }
        if first_revision == self.indexed_next
            && self.commits.last().is_none_or(|&(_, seq)| seq < sequence)
        {
            self.commits.push((first_revision, sequence));
            self.indexed_next = first_revision + count.max(1);
        }
    }

    /// The sequence of the indexed commit holding `revision`, if indexed.
    pub fn commit_holding(&self, revision: u64) -> Option<usize> {
        if revision >= self.indexed_next {
            return None;
        }
        let after = self
            .commits
            .partition_point(|&(first, _)| first <= revision);
        after.checked_sub(1)
    }

    /// The sequence of the last indexed commit, if any.
    pub fn indexed_last_sequence(&self) -> Option<u64> {
        self.commits.last().map(|&(_, seq)| seq)
    }
}

/// One stream's state, shared between the map and the appends that looked it up.
type Slot = Arc<Mutex<StreamState>>;

fn lock(slot: &Mutex<StreamState>) -> MutexGuard<'_, StreamState> {
    // A cache: a panic elsewhere cannot make an entry wrong, only stale.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What an append learns of its stream before publishing, and the handle that records
/// its commit afterwards without a second lookup.
pub(crate) struct Tail {
    /// Revision and sequence of the last known commit's last event (`None`: the cache
    /// knows nothing of the stream).
    pub last: Option<(u64, u64)>,
    /// The stream's subject, once an append has made it.
    pub subject: Option<async_nats::Subject>,
    slot: Slot,
}

/// The sharded map of stream states.
///
/// Each stream's state sits in a slot of its own: an append looks its stream up once,
/// before publishing, and records its commit through the slot it was given, after the
/// acknowledgement. A second lookup there (hashing the name, locking the shard, probing,
/// comparing the name) was a few percent of the client's CPU per append at concurrency
/// 256 (`BENCHMARKS.md`): by the time the acknowledgement comes, those lines have left
/// the core's caches. A slot dropped from the map meanwhile (its shard cleared) takes
/// the record with it, which costs the next append a lookup, never a wrong answer.
pub(crate) struct StreamCache {
    streams: ShardedMap<Slot>,
}

impl StreamCache {
    /// A cache for about `capacity` streams.
    pub fn new(capacity: usize) -> Self {
        Self {
            streams: ShardedMap::new(capacity),
        }
    }

    /// The last known (revision, sequence) of a stream, its subject if known, and its
    /// slot for [`StreamCache::record_append`].
    ///
    /// A stream the cache does not hold gets an empty slot here, which reads as unknown
    /// everywhere (no tail, nothing indexed): the append that asked records its commit
    /// into it, so a new stream's first append costs one lookup, not two. Half the
    /// appends of the benchmark over 100,000 streams are first appends; the second
    /// lookup there (hash, shard lock, probe, then the insertion) was about 2 % of the
    /// client's CPU (`BENCHMARKS.md`).
    pub fn tail(&self, stream: &StreamName) -> Tail {
        let slot = self.slot(stream);
        let state = lock(&slot);
        let (last, subject) = (state.last, state.subject.clone());
        drop(state);
        Tail {
            last,
            subject,
            slot,
        }
    }

    /// Runs `f` on a copy-free view of the stream's state, if known.
    pub fn with<R>(&self, stream: &StreamName, f: impl FnOnce(Option<&StreamState>) -> R) -> R {
        let shard = self.streams.shard(stream);
        // Bound before returning: the slot's guard must end before the shard's.
        let result = match shard.get(stream) {
            Some(slot) => f(Some(&lock(slot))),
            None => f(None),
        };
        result
    }

    /// Updates (creating if needed) the stream's state.
    pub fn update<R>(&self, stream: &StreamName, f: impl FnOnce(&mut StreamState) -> R) -> R {
        f(&mut lock(&self.slot(stream)))
    }

    /// The stream's slot, made empty (unknown) when the cache does not hold it; the
    /// shard is locked only for the lookup.
    fn slot(&self, stream: &StreamName) -> Slot {
        let mut shard = self.streams.shard(stream);
        if let Some(slot) = shard.get(stream) {
            return slot.clone();
        }
        self.streams.make_room(&mut shard);
        shard.entry(stream.clone()).or_default().clone()
    }

    /// Records a commit of `count` events at `first_revision`, stored at `sequence`.
    pub fn record(&self, stream: &StreamName, first_revision: u64, count: u64, sequence: u64) {
        self.update(stream, |state| {
            state.record(first_revision, count, sequence)
        });
    }

    /// Records an append's commit (as [`StreamCache::record`]) and keeps its subject,
    /// through the slot `tail` gave.
    pub fn record_append(
        &self,
        tail: &Tail,
        subject: &async_nats::Subject,
        first_revision: u64,
        count: u64,
        sequence: u64,
    ) {
        let mut state = lock(&tail.slot);
        state.subject.get_or_insert_with(|| subject.clone());
        state.record(first_revision, count, sequence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_stays_a_contiguous_prefix() {
        let mut state = StreamState::default();
        state.record(0, 2, 5);
        state.record(3, 1, 9); // a gap: revision 2 unknown, not indexed
        assert_eq!(state.last, Some((3, 9)));
        assert_eq!(state.indexed_next, 2);
        state.record(2, 1, 7);
        state.record(3, 1, 9);
        assert_eq!(state.commits, vec![(0, 5), (2, 7), (3, 9)]);
        assert_eq!(state.commit_holding(1), Some(0));
        assert_eq!(state.commit_holding(3), Some(2));
        assert_eq!(state.commit_holding(4), None);
        state.record(0, 2, 5); // replayed: ignored
        assert_eq!(state.commits.len(), 3);
        assert_eq!(state.last, Some((3, 9)));
    }

    #[test]
    fn an_append_records_through_the_slot_it_looked_up() {
        let cache = StreamCache::new(1000);
        let stream = StreamName::parse("contribution-1").unwrap();
        let subject = async_nats::Subject::from("s.contribution.1");
        // Unknown stream: the lookup makes its empty slot, the record fills it.
        let tail = cache.tail(&stream);
        assert_eq!(tail.last, None);
        cache.with(&stream, |state| {
            let state = state.expect("the lookup made the slot");
            assert_eq!((state.last, state.indexed_next), (None, 0));
            assert_eq!(state.commit_holding(0), None);
        });
        cache.record_append(&tail, &subject, 0, 1, 4);
        let tail = cache.tail(&stream);
        assert_eq!(tail.last, Some((0, 4)));
        assert_eq!(tail.subject.as_deref(), Some("s.contribution.1"));
        // Known stream: the record goes through the slot and the map sees it.
        cache.record_append(&tail, &subject, 1, 2, 9);
        assert_eq!(cache.tail(&stream).last, Some((2, 9)));
        cache.with(&stream, |state| {
            assert_eq!(state.map(|s| s.commits.clone()), Some(vec![(0, 4), (1, 9)]));
        });
    }
}
