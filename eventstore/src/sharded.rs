//! [`ShardedMap`]: a map from stream names to per-stream cache entries, split in shards
//! so that concurrent requests on different streams rarely contend.
//!
//! Each shard is a short `std::sync::Mutex` held only for a lookup or an update, never
//! across an `.await`. A shard that reaches its share of the capacity is cleared before
//! a new stream enters it: what the map holds is a cache that the next use rebuilds.
//! The JetStream backend's stream cache and the fold cache share it.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use crate::stream_name::StreamName;

const SHARDS: usize = 64;

/// A sharded map of per-stream entries, bounded to about its capacity.
pub(crate) struct ShardedMap<V> {
    shards: Vec<Mutex<HashMap<StreamName, V>>>,
    per_shard: usize,
}

impl<V> ShardedMap<V> {
    /// A map for about `capacity` streams (at least 16 per shard).
    pub fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(16),
        }
    }

    /// The shard that holds `stream`, locked.
    pub fn shard(&self, stream: &StreamName) -> MutexGuard<'_, HashMap<StreamName, V>> {
        let mut hasher = DefaultHasher::new();
        stream.hash(&mut hasher);
        let shard = &self.shards[(hasher.finish() as usize) % SHARDS];
        // A cache: a panic elsewhere cannot make an entry wrong, only stale.
        shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes room for a new stream in `shard`: clears it when full.
    pub fn make_room(&self, shard: &mut HashMap<StreamName, V>) {
        if shard.len() >= self.per_shard {
            shard.clear();
        }
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        for shard in &self.shards {
            shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clear();
        }
    }
}
