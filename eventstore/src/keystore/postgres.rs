//! A key store in a PostgreSQL table, for production.
//!
//! Table `concerto_keys(key_id text primary key, material bytea null, destroyed_at
//! timestamptz null)`: destroying a key sets `material` to NULL and stamps the time, so
//! the key is never created again. The table lives in the schema given at open.
//!
//! Every statement is prepared once, at connect, on the store's one connection
//! (tokio-postgres pipelines concurrent queries on it): a lookup is one round trip, a
//! creation too (insert and read back in one statement).

use async_trait::async_trait;
use tokio_postgres::{Client, Statement};

use crate::error::StoreError;
use crate::keys::{destroyed_key, KeyId, KeyLookup, KeyMaterial, KeyStore};

/// Keys in PostgreSQL.
pub struct PostgresKeyStore {
    client: Client,
    statements: Statements,
}

/// The prepared statements.
struct Statements {
    /// `$1` key id → material (NULL: destroyed); no row: unknown.
    get: Statement,
    /// `$1` key ids → (key id, material) of those that exist.
    get_many: Statement,
    /// `$1` key id, `$2` fresh material → (material, created): the fresh material
    /// when it was inserted, else the committed row (material NULL: destroyed).
    get_or_create: Statement,
    /// `$1` key id.
    destroy: Statement,
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
        let statements = Statements {
            get: client
                .prepare(&format!("SELECT material FROM {table} WHERE key_id = $1"))
                .await
                .map_err(pg)?,
            get_many: client
                .prepare(&format!(
                    "SELECT key_id, material FROM {table} WHERE key_id = ANY($1)"
                ))
                .await
                .map_err(pg)?,
            // The outer read sees the snapshot from before the insert: it returns the
            // committed row only when the insert found one and did nothing.
            get_or_create: client
                .prepare(&format!(
                    "WITH created AS (
                       INSERT INTO {table} (key_id, material) VALUES ($1, $2)
                       ON CONFLICT (key_id) DO NOTHING RETURNING material)
                     SELECT material, true FROM created
                     UNION ALL
                     SELECT material, false FROM {table} WHERE key_id = $1"
                ))
                .await
                .map_err(pg)?,
            destroy: client
                .prepare(&format!(
                    "INSERT INTO {table} (key_id, material, destroyed_at) VALUES ($1, NULL, now())
                     ON CONFLICT (key_id) DO UPDATE SET material = NULL, destroyed_at = COALESCE({table}.destroyed_at, now())"
                ))
                .await
                .map_err(pg)?,
        };
        Ok(Self { client, statements })
    }
}

fn material(id: &KeyId, stored: Option<Vec<u8>>) -> Result<KeyLookup, StoreError> {
    Ok(match stored {
        None => KeyLookup::Destroyed,
        Some(bytes) => KeyLookup::Present(
            KeyMaterial::from_slice(&bytes)
                .ok_or_else(|| StoreError::KeyStore(format!("clé « {id} » illisible")))?,
        ),
    })
}

#[async_trait]
impl KeyStore for PostgresKeyStore {
    async fn get_or_create(&self, id: &KeyId) -> Result<KeyMaterial, StoreError> {
        let fresh = KeyMaterial::generate();
        let row = self
            .client
            .query_opt(
                &self.statements.get_or_create,
                &[&id.as_str(), &fresh.as_bytes().as_slice()],
            )
            .await
            .map_err(pg)?;
        let found = match row {
            Some(row) => material(id, row.get::<_, Option<Vec<u8>>>(0))?,
            // Neither inserted nor visible: another creator committed after this
            // statement's snapshot was taken; read what was committed.
            None => self.get(id).await?,
        };
        match found {
            KeyLookup::Present(key) => Ok(key),
            _ => Err(destroyed_key(id)),
        }
    }

    async fn get(&self, id: &KeyId) -> Result<KeyLookup, StoreError> {
        let row = self
            .client
            .query_opt(&self.statements.get, &[&id.as_str()])
            .await
            .map_err(pg)?;
        match row {
            None => Ok(KeyLookup::Unknown),
            Some(row) => material(id, row.get::<_, Option<Vec<u8>>>(0)),
        }
    }

    async fn get_many(&self, ids: &[KeyId]) -> Result<Vec<KeyLookup>, StoreError> {
        let names: Vec<&str> = ids.iter().map(KeyId::as_str).collect();
        let rows = self
            .client
            .query(&self.statements.get_many, &[&names])
            .await
            .map_err(pg)?;
        let stored: std::collections::HashMap<String, Option<Vec<u8>>> = rows
            .into_iter()
            .map(|row| (row.get::<_, String>(0), row.get::<_, Option<Vec<u8>>>(1)))
            .collect();
        ids.iter()
            .map(|id| match stored.get(id.as_str()) {
                None => Ok(KeyLookup::Unknown),
                Some(bytes) => material(id, bytes.clone()),
            })
            .collect()
    }

    async fn destroy(&self, id: &KeyId) -> Result<(), StoreError> {
        self.client
            .execute(&self.statements.destroy, &[&id.as_str()])
            .await
            .map_err(pg)?;
        Ok(())
    }
}
