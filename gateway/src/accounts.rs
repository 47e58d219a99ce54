//! Staff accounts (animateurs, commission, administrateurs) and their password hashes:
//! kept outside the immutable event log, in a file under the data directory on the
//! embedded default (PostgreSQL in production, see `accounts_pg`).
//!
//! The domain has no event for an account's existence or role, so nothing about
//! accounts enters the log; their actions carry the staff id in event metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use domain::values::{Siren, StaffId};
use domain::Actor;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::error::{AppError, AppResult};

/// What a staff member does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Animateur: runs sessions and moderates the concertations that assign them.
    Facilitator,
    /// Commission: configures concertations, answers, publishes the synthesis.
    Commission,
    /// Administrateur: accounts, assignments, erasure.
    Administrator,
}

impl StaffRole {
    /// The role's name as French operators read it.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Facilitator => "animateur",
            Self::Commission => "commission",
            Self::Administrator => "administrateur",
        }
    }
}

/// A staff account. `Debug` never shows the password hash.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffAccount {
    /// The staff id used in events.
    pub id: StaffId,
    /// Login (unique, compared case-insensitively).
    pub login: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role.
    pub role: StaffRole,
    /// The collectivité (commission and administrators).
    pub collectivite: Option<Siren>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffAccount")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("role", &self.role)
            .field("collectivite", &self.collectivite)
            .finish_non_exhaustive()
    }
}

impl StaffAccount {
    /// The domain actor of this account.
    pub fn actor(&self) -> Actor {
        let collectivite = self
            .collectivite
            .clone()
            .unwrap_or_else(domain::demo::demo_collectivite);
        match self.role {
            StaffRole::Facilitator => Actor::Facilitator { id: self.id },
            StaffRole::Commission => Actor::Commission {
                id: self.id,
                collectivite,
            },
            StaffRole::Administrator => Actor::Administrator {
                id: self.id,
                collectivite,
            },
        }
    }
}

/// Normalises a login for lookups.
pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Where staff accounts live.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Adds an account; [`AppError::Conflict`] (`account.exists`) if the login is taken.
    async fn create(&self, account: StaffAccount) -> AppResult<()>;
    /// The account with this login.
    async fn by_login(&self, login: &str) -> AppResult<Option<StaffAccount>>;
    /// The account with this id.
    async fn by_id(&self, id: StaffId) -> AppResult<Option<StaffAccount>>;
    /// Every account, oldest first.
    async fn list(&self) -> AppResult<Vec<StaffAccount>>;
}

#[derive(Default, Serialize, Deserialize)]
struct AccountFile {
    accounts: Vec<StaffAccount>,
}

/// Accounts in a JSON file (written to a temporary file, synced, then renamed, so a
/// crash leaves the old or the new file, never half of one), or only in memory.
pub struct FileAccountStore {
    path: Option<PathBuf>,
    accounts: Mutex<BTreeMap<String, StaffAccount>>,
}

impl FileAccountStore {
    /// Opens (or starts) `path`.
    pub fn open(path: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let path = path.into();
        let file: AccountFile = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("comptes {} illisibles : {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => AccountFile::default(),
            Err(e) => return Err(anyhow::anyhow!("comptes {} : {e}", path.display())),
        };
        Ok(Self {
            path: Some(path),
            accounts: Mutex::new(
                file.accounts
                    .into_iter()
                    .map(|a| (login_key(&a.login), a))
                    .collect(),
            ),
        })
    }

    /// Accounts kept in memory only (tests).
    pub fn in_memory() -> Self {
        Self {
            path: None,
            accounts: Mutex::new(BTreeMap::new()),
        }
    }

    fn persist(&self, accounts: &BTreeMap<String, StaffAccount>) -> AppResult<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut list: Vec<StaffAccount> = accounts.values().cloned().collect();
        list.sort_by_key(|a| a.created_at);
        let bytes = serde_json::to_vec_pretty(&AccountFile { accounts: list })
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("json.tmp");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // Password hashes: readable by the server's user only.
                options.mode(0o600);
            }
            let mut file = options.open(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| AppError::Internal(format!("écriture des comptes : {e}")))
    }
}

#[async_trait]
impl AccountStore for FileAccountStore {
    async fn create(&self, account: StaffAccount) -> AppResult<()> {
        let mut accounts = self.accounts.lock().await;
        let key = login_key(&account.login);
        if accounts.contains_key(&key) || accounts.values().any(|a| a.id == account.id) {
            return Err(AppError::Conflict("account.exists"));
        }
        accounts.insert(key.clone(), account);
        if let Err(e) = self.persist(&accounts) {
            accounts.remove(&key);
            return Err(e);
        }
        Ok(())
    }

    async fn by_login(&self, login: &str) -> AppResult<Option<StaffAccount>> {
        Ok(self.accounts.lock().await.get(&login_key(login)).cloned())
    }

    async fn by_id(&self, id: StaffId) -> AppResult<Option<StaffAccount>> {
        Ok(self
            .accounts
            .lock()
            .await
            .values()
            .find(|a| a.id == id)
            .cloned())
    }

    async fn list(&self) -> AppResult<Vec<StaffAccount>> {
        let mut list: Vec<_> = self.accounts.lock().await.values().cloned().collect();
        list.sort_by_key(|a| a.created_at);
        Ok(list)
    }
}

/// A shared account store.
pub type Accounts = Arc<dyn AccountStore>;

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn account(login: &str) -> StaffAccount {
        StaffAccount {
            id: StaffId::from_uuid(Uuid::now_v7()),
            login: login.into(),
            display_name: "Camille".into(),
            role: StaffRole::Facilitator,
            collectivite: None,
            password_hash: "$argon2id$secret-hash".into(),
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[tokio::test]
    async fn accounts_survive_a_reopen_and_logins_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        let store = FileAccountStore::open(&path).unwrap();
        let camille = account("Camille@Example.fr");
        store.create(camille.clone()).await.unwrap();
        assert!(matches!(
            store.create(account("camille@example.fr")).await,
            Err(AppError::Conflict("account.exists"))
        ));
        let reopened = FileAccountStore::open(&path).unwrap();
        assert_eq!(
            reopened.by_login("camille@example.fr").await.unwrap(),
            Some(camille.clone())
        );
        assert_eq!(reopened.by_id(camille.id).await.unwrap(), Some(camille));
        assert!(!format!("{:?}", reopened.list().await.unwrap()).contains("secret-hash"));
    }
}
