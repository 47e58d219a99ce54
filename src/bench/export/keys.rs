//! A key store for filling a benchmark's data directory fast: keys are created in
//! memory and written in [`FileKeyStore`]'s layout without its two `fsync`s per key
//! (a million contributions means a million keys, which the synced store would take
//! most of an hour to create on this machine). The export then opens the directory
//! with the real [`FileKeyStore`], as `concerto serve` does; [`BulkKeys::check`] proves
//! it reads back the keys that sealed the events.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use eventstore::keys::{KeyLookup, KeyMaterial};
use eventstore::keystore::file::FileKeyStore;
use eventstore::{KeyId, KeyStore, StoreError};

/// Keys created on first use, kept in memory and written once, unsynced.
pub struct BulkKeys {
    dir: PathBuf,
    keys: Mutex<HashMap<KeyId, KeyMaterial>>,
}

impl BulkKeys {
    /// Keys written under `dir` (the data directory's `keys`).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            keys: Mutex::default(),
        }
    }

    /// How many keys were created.
    pub fn count(&self) -> usize {
        self.keys.lock().expect("keys").len()
    }

    /// Where [`FileKeyStore`] looks for a key: `DIR/<shard>/<id>.key`, the shard being
    /// the low byte of the id's CRC-32C in hex.
    fn path(&self, id: &KeyId) -> PathBuf {
        let shard = format!("{:02x}", crc32c::crc32c(id.as_str().as_bytes()) & 0xff);
        self.dir.join(shard).join(format!("{id}.key"))
    }

    /// Reopens the directory with the real key store and checks that every `step`-th
    /// key reads back as the one that sealed the events (the layout above must match).
    pub async fn check(&self, step: usize) -> anyhow::Result<usize> {
        let store = FileKeyStore::open(&self.dir)?;
        let sample: Vec<(KeyId, KeyMaterial)> = self
            .keys
            .lock()
            .expect("keys")
            .iter()
            .step_by(step.max(1))
            .map(|(id, key)| (id.clone(), key.clone()))
            .collect();
        for (id, key) in &sample {
            let found = store.get(id).await?;
            anyhow::ensure!(
                found == KeyLookup::Present(key.clone()),
                "la clé {id} ne se relit pas depuis {} : la disposition de FileKeyStore a changé",
                self.dir.display()
            );
        }
        Ok(sample.len())
    }
}

#[async_trait]
impl KeyStore for BulkKeys {
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        let mut keys = self.keys.lock().expect("keys");
        if let Some(key) = keys.get(id) {
            return Ok(key.clone());
        }
        let key = KeyMaterial::generate();
        let path = self.path(id);
        if let Some(shard) = path.parent() {
            std::fs::create_dir_all(shard)?;
        }
        std::fs::write(&path, key.as_bytes())?;
        keys.insert(id.clone(), key.clone());
        Ok(key)
    }

    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        Ok(self
            .keys
            .lock()
            .expect("keys")
            .get(id)
            .map_or(KeyLookup::Unknown, |k| KeyLookup::Present(k.clone())))
    }

    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError> {
        Err(StoreError::KeyStore(format!(
            "le banc d'essai ne détruit pas de clé ({id})"
        )))
    }
}
