//! [`ShardedMap`]: a map from stream names to per-stream cache entries, split in shards
//! so that concurrent requests on different streams rarely contend.
//!
//! Each shard is a short `std::sync::Mutex` held only for a lookup or an update, never
//! across an `.await`, and sits on a cache line of its own, so that two cores locking
//! neighbouring shards do not fight over one line. A shard that reaches its share of
//! the capacity is cleared before a new stream enters it: what the map holds is a cache
//! that the next use rebuilds. The JetStream backend's stream cache and the fold cache
//! share it.
//!
//! Names are hashed with foldhash, seeded at random per map: a stream name is hashed
//! twice per append (shard, then entry), and SipHash, the standard one, cost a
//! measurable part of an append on the development machine. The random seed keeps
//! names chosen to collide from piling into one bucket.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard};

use foldhash::fast::RandomState;

use crate::stream_name::StreamName;

const SHARDS: usize = 64;

/// One shard's map, with the hasher every shard of a map shares.
pub(crate) type Shard<V> = HashMap<StreamName, V, RandomState>;

/// A shard's lock, alone on its cache line (128 bytes: two 64-byte lines, since
/// adjacent-line prefetching pairs them).
#[repr(align(128))]
struct Padded<V>(Mutex<Shard<V>>);

/// A sharded map of per-stream entries, bounded to about its capacity.
pub(crate) struct ShardedMap<V> {
    shards: Vec<Padded<V>>,
    /// Picks the shard; seeded apart from the maps' hasher so that the entries of one
    /// shard do not all share the bits their map's buckets are chosen by.
    picker: RandomState,
    per_shard: usize,
}

impl<V> ShardedMap<V> {
    /// A map for about `capacity` streams (at least 16 per shard).
    pub fn new(capacity: usize) -> Self {
        let hasher = RandomState::default();
        Self {
            shards: (0..SHARDS)
                .map(|_| Padded(Mutex::new(HashMap::with_hasher(hasher.clone()))))
                .collect(),
            picker: RandomState::default(),
            per_shard: capacity.div_ceil(SHARDS).max(16),
        }
    }

    /// The shard that holds `stream`, locked.
    pub fn shard(&self, stream: &StreamName) -> MutexGuard<'_, Shard<V>> {
        let shard = &self.shards[(self.picker.hash_one(stream) as usize) % SHARDS];
        // A cache: a panic elsewhere cannot make an entry wrong, only stale.
        shard
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes room for a new stream in `shard`: clears it when full.
    pub fn make_room(&self, shard: &mut Shard<V>) {
        if shard.len() >= self.per_shard {
            shard.clear();
        }
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        for shard in &self.shards {
            shard
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clear();
        }
    }
}
