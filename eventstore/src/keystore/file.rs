//! A key store in a directory: one small file per key, a tombstone per destroyed key.
//!
//! Layout: `DIR/<shard>/<key id>.key` holds the 32 key bytes; `DIR/<shard>/<key id>.destroyed`
//! marks a destroyed key (so it is never created again). The shard (two hex digits from
//! a checksum of the id) keeps directories small. Every change is fsynced, file and
//! directory, before it is reported done.
//!
//! Reads are cached, up to [`CACHE_KEYS`] keys (the cache is only a shortcut: every
//! answer is on disk), and [`KeyStore::get_many`] reads every missing key of a batch
//! in a few blocking tasks side by side (one for a small batch), so a replay opening a
//! page of sealed parts costs a few tasks and one lock, not two per key, and the disk
//! serves several cold key files at once.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::StoreError;
use crate::keys::{destroyed_key, KeyId, KeyLookup, KeyMaterial, KeyStore};

/// The most keys kept in memory: about 1 MiB. A replay reads each key about once, so a
/// larger cache only holds memory (65,536 keys cost an export 6 MB for nothing), and a
/// miss costs one small file read; a replay of a million contributions would otherwise
/// keep every one of its 1.3 million keys.
pub const CACHE_KEYS: usize = 8_192;

/// The most blocking tasks one [`KeyStore::get_many`] reads missing keys with.
const PARALLEL_READS: usize = 8;
/// Below this many keys a task is not worth starting: one reads them all.
const MIN_READS_PER_TASK: usize = 16;

/// Keys as files under one directory, cached in memory once read.
pub struct FileKeyStore {
    dir: PathBuf,
    cache: Arc<Mutex<HashMap<KeyId, KeyLookup>>>,
}

impl FileKeyStore {
    /// Opens (creating if needed) the key store in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            cache: Arc::default(),
        })
    }

    fn paths(&self, id: &KeyId) -> (PathBuf, PathBuf, PathBuf) {
        let shard = format!("{:02x}", crc32c::crc32c(id.as_str().as_bytes()) & 0xff);
        let shard_dir = self.dir.join(shard);
        let key = shard_dir.join(format!("{id}.key"));
        let tombstone = shard_dir.join(format!("{id}.destroyed"));
        (shard_dir, key, tombstone)
    }

    /// Another handle on the same directory and cache, for a blocking task.
    fn handle(&self) -> Self {
        Self {
            dir: self.dir.clone(),
            cache: self.cache.clone(),
        }
    }

    fn read(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        if let Some(found) = self.cache.lock().expect("key cache").get(id) {
            return Ok(found.clone());
        }
        let found = self.read_disk(id)?;
        self.remember(&[(id.clone(), found.clone())]);
        Ok(found)
    }

    /// Caches what was read, except unknown keys (they may be created by then), and
    /// never over a destruction: a read that raced `destroy` must not bring it back.
    fn remember(&self, read: &[(KeyId, KeyLookup)]) {
        let mut cache = self.cache.lock().expect("key cache");
        for (id, found) in read {
            if *found == KeyLookup::Unknown || cache.get(id) == Some(&KeyLookup::Destroyed) {
                continue;
            }
            if cache.len() >= CACHE_KEYS {
                // Bounded the simplest way: a replay reads most keys once, so which
                // ones are dropped matters little.
                cache.clear();
            }
            cache.insert(id.clone(), found.clone());
        }
    }

    fn read_disk(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        let (_, key_path, tombstone) = self.paths(id);
        let found = if tombstone.exists() {
            KeyLookup::Destroyed
        } else {
            match read_small(&key_path) {
                Ok(bytes) => {
                    KeyLookup::Present(KeyMaterial::from_slice(&bytes).ok_or_else(|| {
                        StoreError::KeyStore(format!(
                            "clé « {id} » illisible ({} octets) dans {}",
                            bytes.len(),
                            key_path.display()
                        ))
                    })?)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => KeyLookup::Unknown,
                Err(e) => return Err(e.into()),
            }
        };
        Ok(found)
    }

    fn create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        let (shard_dir, key_path, _) = self.paths(id);
        fs::create_dir_all(&shard_dir)?;
        let key = KeyMaterial::generate();
        // Write under a temporary name then rename, so a crash never leaves a short key.
        let temporary = shard_dir.join(format!("{id}.key.tmp"));
        write_synced(&temporary, key.as_bytes())?;
        fs::rename(&temporary, &key_path)?;
        sync_dir(&shard_dir)?;
        self.remember(&[(id.clone(), KeyLookup::Present(key.clone()))]);
        Ok(key)
    }
}

/// A key file's bytes, read without `fs::read`'s size query (one system call less per
/// key: a replay reads tens of thousands of them). Reads at most 64 bytes: a key is
/// 32, and a longer file is reported with its first 64 as unreadable anyway.
fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(64);
    File::open(path)?.take(64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads each key of `ids` from disk, in order, over up to [`PARALLEL_READS`] blocking
/// tasks: a key is a small file that the page cache may have let go, and one task reading
/// them one after the other waits for each in turn while the disk could serve several.
async fn read_disk_many(
    store: &FileKeyStore,
    ids: Vec<KeyId>,
) -> Result<Vec<(KeyId, KeyLookup)>, StoreError> {
    let per_task = ids.len().div_ceil(PARALLEL_READS).max(MIN_READS_PER_TASK);
    let mut tasks = Vec::with_capacity(PARALLEL_READS);
    let mut ids = ids.into_iter().peekable();
    while ids.peek().is_some() {
        let chunk: Vec<KeyId> = ids.by_ref().take(per_task).collect();
        let store = store.handle();
        tasks.push(tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|id| store.read_disk(&id).map(|found| (id, found)))
                .collect::<Result<Vec<_>, StoreError>>()
        }));
    }
    let mut read = Vec::new();
    for task in tasks {
        read.extend(
            task.await
                .map_err(|e| StoreError::KeyStore(e.to_string()))??,
        );
    }
    Ok(read)
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[async_trait]
impl KeyStore for FileKeyStore {
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        match self.read(id)? {
            KeyLookup::Present(key) => Ok(key),
            KeyLookup::Destroyed => Err(destroyed_key(id)),
            KeyLookup::Unknown => {
                let id = id.clone();
                let store = self.handle();
                tokio::task::spawn_blocking(move || store.create(&id))
                    .await
                    .map_err(|e| StoreError::KeyStore(e.to_string()))?
            }
        }
    }

    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        self.read(id)
    }

    async fn get_many(&self, ids: &[KeyId]) -> Result<Vec<KeyLookup>, StoreError> {
        let mut found: Vec<Option<KeyLookup>> = {
            let cache = self.cache.lock().expect("key cache");
            ids.iter().map(|id| cache.get(id).cloned()).collect()
        };
        let missing: Vec<KeyId> = ids
            .iter()
            .zip(&found)
            .filter(|(_, known)| known.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        if !missing.is_empty() {
            let read = read_disk_many(self, missing).await?;
            self.remember(&read);
            let mut read = read.into_iter().map(|(_, found)| found);
            for slot in found.iter_mut().filter(|slot| slot.is_none()) {
                *slot = read.next();
            }
        }
        Ok(found
            .into_iter()
            .map(|slot| slot.expect("every missing key was read"))
            .collect())
    }

    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError> {
        let (shard_dir, key_path, tombstone) = self.paths(id);
        fs::create_dir_all(&shard_dir)?;
        write_synced(&tombstone, b"")?;
        if key_path.exists() {
            // Overwrite before unlinking: on most file systems this clears the blocks.
            write_synced(&key_path, &[0u8; 32])?;
            fs::remove_file(&key_path)?;
        }
        sync_dir(&shard_dir)?;
        self.remember(&[(id.clone(), KeyLookup::Destroyed)]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_persist_and_destroyed_keys_stay_destroyed_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let id = KeyId::parse("participant-42").unwrap();
        let key = FileKeyStore::open(dir.path())
            .unwrap()
            .get_or_create(&id)
            .await
            .unwrap();
        let reopened = FileKeyStore::open(dir.path()).unwrap();
        assert_eq!(reopened.get(&id).await.unwrap(), KeyLookup::Present(key));
        reopened.destroy(&id).await.unwrap();
        let again = FileKeyStore::open(dir.path()).unwrap();
        assert_eq!(again.get(&id).await.unwrap(), KeyLookup::Destroyed);
        assert!(again.get_or_create(&id).await.is_err());
        assert_eq!(
            again.get(&KeyId::parse("never").unwrap()).await.unwrap(),
            KeyLookup::Unknown
        );
    }

    #[tokio::test]
    async fn get_many_answers_in_order_from_disk_and_cache() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<KeyId> = ["a-1", "b-2", "c-3", "d-4"]
            .into_iter()
            .map(|id| KeyId::parse(id).unwrap())
            .collect();
        let writer = FileKeyStore::open(dir.path()).unwrap();
        let a = writer.get_or_create(&ids[0]).await.unwrap();
        let c = writer.get_or_create(&ids[2]).await.unwrap();
        writer.get_or_create(&ids[1]).await.unwrap();
        writer.destroy(&ids[1]).await.unwrap();
        let reader = FileKeyStore::open(dir.path()).unwrap();
        let expected = vec![
            KeyLookup::Present(a),
            KeyLookup::Destroyed,
            KeyLookup::Present(c),
            KeyLookup::Unknown,
        ];
        // Once from disk, once from the cache (and the cache never says more).
        assert_eq!(reader.get_many(&ids).await.unwrap(), expected);
        assert_eq!(reader.get_many(&ids).await.unwrap(), expected);
        assert_eq!(reader.cache.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn get_many_split_over_tasks_keeps_each_answer_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let writer = FileKeyStore::open(dir.path()).unwrap();
        // Enough keys for every task, in a pattern no chunk boundary lines up with:
        // present, destroyed, never created.
        let count = PARALLEL_READS * MIN_READS_PER_TASK * 3 + 5;
        let mut ids = Vec::new();
        let mut expected = Vec::new();
        for i in 0..count {
            let id = KeyId::parse(format!("participant-{i}")).unwrap();
            expected.push(match i % 3 {
                0 => KeyLookup::Present(writer.get_or_create(&id).await.unwrap()),
                1 => {
                    writer.get_or_create(&id).await.unwrap();
                    writer.destroy(&id).await.unwrap();
                    KeyLookup::Destroyed
                }
                _ => KeyLookup::Unknown,
            });
            ids.push(id);
        }
        let reader = FileKeyStore::open(dir.path()).unwrap();
        assert_eq!(reader.get_many(&ids).await.unwrap(), expected);
        // Known answers come from the cache now, unknown ones from disk again.
        assert_eq!(reader.get_many(&ids).await.unwrap(), expected);
    }
}
