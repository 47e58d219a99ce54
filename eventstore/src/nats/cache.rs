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
//! appends to different streams rarely contend. Memory: about 100 bytes per stream plus 16 bytes per indexed
//! commit; when a shard exceeds its share of [`StreamCache::new`]'s capacity it is
//! cleared (the next append or read of those streams looks them up again).

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

/// The sharded map of stream states.
pub(crate) struct StreamCache {
    streams: ShardedMap<StreamState>,
}

impl StreamCache {
    /// A cache for about `capacity` streams.
    pub fn new(capacity: usize) -> Self {
        Self {
            streams: ShardedMap::new(capacity),
        }
    }

    /// The last known (revision, sequence) of a stream, and its subject if known.
    pub fn tail(&self, stream: &StreamName) -> (Option<(u64, u64)>, Option<async_nats::Subject>) {
        match self.streams.shard(stream).get(stream) {
            Some(state) => (state.last, state.subject.clone()),
            None => (None, None),
        }
    }

    /// Runs `f` on a copy-free view of the stream's state, if known.
    pub fn with<R>(&self, stream: &StreamName, f: impl FnOnce(Option<&StreamState>) -> R) -> R {
        f(self.streams.shard(stream).get(stream))
    }

    /// Updates (creating if needed) the stream's state.
    pub fn update<R>(&self, stream: &StreamName, f: impl FnOnce(&mut StreamState) -> R) -> R {
        let mut shard = self.streams.shard(stream);
        if let Some(state) = shard.get_mut(stream) {
            return f(state);
        }
        self.streams.make_room(&mut shard);
        f(shard.entry(stream.clone()).or_default())
    }

    /// Records a commit of `count` events at `first_revision`, stored at `sequence`.
    pub fn record(&self, stream: &StreamName, first_revision: u64, count: u64, sequence: u64) {
        self.update(stream, |state| {
            state.record(first_revision, count, sequence)
        });
    }

    /// Records an append's commit (as [`StreamCache::record`]) and keeps its subject.
    pub fn record_append(
        &self,
        stream: &StreamName,
        subject: &async_nats::Subject,
        first_revision: u64,
        count: u64,
        sequence: u64,
    ) {
        self.update(stream, |state| {
            state.subject.get_or_insert_with(|| subject.clone());
            state.record(first_revision, count, sequence)
        });
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
}
