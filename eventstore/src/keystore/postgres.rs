//! A key store in a PostgreSQL table, for production.
//!
//! Table `concerto_keys(key_id text primary key, material bytea null, destroyed_at
//! timestamptz null)`: destroying a key sets `material` to NULL and stamps the time, so
//! the key is never created again. The table lives in the schema given at open.

use async_trait::async_trait;
use tokio_postgres::Client;

use crate::error::StoreError;
use crate::keys::{destroyed_key, KeyId, KeyLookup, KeyMaterial, KeyStore};

/// Keys in PostgreSQL.
pub struct PostgresKeyStore {
    client: Client,
    table: String,
}

fn pg(e: tokio_postgres::Error) -> StoreError {
    StoreError::KeyStore(format!("PostgreSQL : {e}"))
}

impl PostgresKeyStore {
    /// Connects to `url` and creates the table in `schema` if missing.
    pub async fn connect(url: &str, schema: &str) -> Result<Self, StoreError> {
        if !schema
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || schema.is_empty()
        {
            return Err(StoreError::KeyStore(format!(
                "nom de schéma invalide « {schema} »"
            )));
        }
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .map_err(pg)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "connexion PostgreSQL du magasin de clés perdue");
            }
        });
        let table = format!("\"{schema}\".concerto_keys");
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
                 CREATE TABLE IF NOT EXISTS {table} (
                   key_id text PRIMARY KEY,
                   material bytea,
                   destroyed_at timestamptz,
                   CHECK ((material IS NULL) = (destroyed_at IS NOT NULL)));
                 COMMENT ON TABLE {table} IS 'Clés de scellement de Concerto : détruire une clé efface ce qu''elle scellait (RGPD).';"
            ))
            .await
            .map_err(pg)?;
        Ok(Self { client, table })
    }
}

#[async_trait]
impl KeyStore for PostgresKeyStore {
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        if let KeyLookup::Present(key) = self.get(id).await? {
            return Ok(key);
        }
        let fresh = KeyMaterial::generate();
        let inserted = self
            .client
            .query_opt(
                &format!("INSERT INTO {} (key_id, material) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING RETURNING key_id", self.table),
                &[&id.as_str(), &fresh.as_bytes().as_slice()],
            )
            .await
            .map_err(pg)?;
        if inserted.is_some() {
            return Ok(fresh);
        }
        // Another creator won, or the key was destroyed: read what was committed.
        match self.get(id).await? {
            KeyLookup::Present(key) => Ok(key),
            _ => Err(destroyed_key(id)),
        }
    }

    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        let row = self
            .client
            .query_opt(
                &format!("SELECT material FROM {} WHERE key_id = $1", self.table),
                &[&id.as_str()],
            )
            .await
            .map_err(pg)?;
        Ok(match row.map(|r| r.get::<_, Option<Vec<u8>>>(0)) {
            None => KeyLookup::Unknown,
            Some(None) => KeyLookup::Destroyed,
            Some(Some(bytes)) => KeyLookup::Present(
                KeyMaterial::from_slice(&bytes)
                    .ok_or_else(|| StoreError::KeyStore(format!("clé « {id} » illisible")))?,
            ),
        })
    }

    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError> {
        self.client
            .execute(
                &format!(
                    "INSERT INTO {t} (key_id, material, destroyed_at) VALUES ($1, NULL, now())
                     ON CONFLICT (key_id) DO UPDATE SET material = NULL, destroyed_at = COALESCE({t}.destroyed_at, now())",
                    t = self.table
                ),
                &[&id.as_str()],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }
}
