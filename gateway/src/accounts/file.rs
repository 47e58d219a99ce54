//! Accounts in a JSON file under the data directory: the embedded default.
//!
//! The whole file is rewritten on every change (to a temporary file, synced, then
//! renamed, so a crash leaves the old or the new file, never half of one): accounts
//! and logouts are rare, and a town's staff is a few dozen people.

use std::collections::BTreeMap;
use std::path::PathBuf;

use async_trait::async_trait;
use domain::values::StaffId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::{login_key, AccountStore, StaffAccount};
use crate::error::{AppError, AppResult};

/// The file's content.
#[derive(Default, Serialize, Deserialize)]
struct AccountFile {
    accounts: Vec<StaffAccount>,
    /// Sessions ended by a logout: session id → the token's expiry. Absent from files
    /// written before sessions could be revoked.
    #[serde(default)]
    revoked_sessions: BTreeMap<String, Revoked>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Revoked {
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// What the store holds, under one lock.
#[derive(Default)]
struct State {
    /// By [`login_key`].
    accounts: BTreeMap<String, StaffAccount>,
    revoked_sessions: BTreeMap<String, Revoked>,
}

/// Accounts in a JSON file, or only in memory (tests).
pub struct FileAccountStore {
    path: Option<PathBuf>,
    state: Mutex<State>,
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
            state: Mutex::new(State {
                accounts: file
                    .accounts
                    .into_iter()
                    .map(|a| (login_key(&a.login), a))
                    .collect(),
                revoked_sessions: file.revoked_sessions,
            }),
        })
    }

    /// Accounts kept in memory only (tests).
    pub fn in_memory() -> Self {
        Self {
            path: None,
            state: Mutex::new(State::default()),
        }
    }

    fn persist(&self, state: &State) -> AppResult<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut accounts: Vec<StaffAccount> = state.accounts.values().cloned().collect();
        accounts.sort_by_key(|a| a.created_at);
        let bytes = serde_json::to_vec_pretty(&AccountFile {
            accounts,
            revoked_sessions: state.revoked_sessions.clone(),
        })
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
        let mut state = self.state.lock().await;
        let key = login_key(&account.login);
        if state.accounts.contains_key(&key) || state.accounts.values().any(|a| a.id == account.id)
        {
            return Err(AppError::Conflict("account.exists"));
        }
        state.accounts.insert(key.clone(), account);
        if let Err(e) = self.persist(&state) {
            state.accounts.remove(&key);
            return Err(e);
        }
        Ok(())
    }

    async fn by_login(&self, login: &str) -> AppResult<Option<StaffAccount>> {
        Ok(self
            .state
            .lock()
            .await
            .accounts
            .get(&login_key(login))
            .cloned())
    }

    async fn by_id(&self, id: StaffId) -> AppResult<Option<StaffAccount>> {
        Ok(self
            .state
            .lock()
            .await
            .accounts
            .values()
            .find(|a| a.id == id)
            .cloned())
    }

    async fn list(&self) -> AppResult<Vec<StaffAccount>> {
        let mut list: Vec<_> = self.state.lock().await.accounts.values().cloned().collect();
        list.sort_by_key(|a| a.created_at);
        Ok(list)
    }

    async fn revoke_session(&self, sid: &str, expires_at: OffsetDateTime) -> AppResult<()> {
        let mut state = self.state.lock().await;
        let before = state.revoked_sessions.clone();
        // Records whose token has expired are no longer needed: dropped at each write,
        // so the file holds at most the sessions ended in the last session lifetime.
        let now = OffsetDateTime::now_utc();
        state.revoked_sessions.retain(|_, r| r.expires_at > now);
        state
            .revoked_sessions
            .insert(sid.to_owned(), Revoked { expires_at });
        if let Err(e) = self.persist(&state) {
            state.revoked_sessions = before;
            return Err(e);
        }
        Ok(())
    }

    async fn session_revoked(&self, sid: &str) -> AppResult<bool> {
        let now = OffsetDateTime::now_utc();
        Ok(self
            .state
            .lock()
            .await
            .revoked_sessions
            .get(sid)
            .is_some_and(|r| r.expires_at > now))
    }
}
