//! A key store in memory, for tests and benchmarks: keys vanish with the process.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::error::StoreError;
use crate::keys::{destroyed_key, KeyId, KeyLookup, KeyMaterial, KeyStore};

/// Keys in a map; destroyed keys are remembered as such.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<KeyId, KeyLookup>>,
}

impl MemoryKeyStore {
    /// An empty key store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl KeyStore for MemoryKeyStore {
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        let mut keys = self.keys.lock().expect("key store lock");
        match keys
            .entry(id.clone())
            .or_insert_with(|| KeyLookup::Present(KeyMaterial::generate()))
        {
            KeyLookup::Present(key) => Ok(key.clone()),
            _ => Err(destroyed_key(id)),
        }
    }

    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        Ok(self
            .keys
            .lock()
            .expect("key store lock")
            .get(id)
            .cloned()
            .unwrap_or(KeyLookup::Unknown))
    }

    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError> {
        self.keys
            .lock()
            .expect("key store lock")
            .insert(id.clone(), KeyLookup::Destroyed);
        Ok(())
    }
}
