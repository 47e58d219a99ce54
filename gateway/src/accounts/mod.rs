//! Staff accounts (animateurs, commission, administrateurs), their password hashes and
//! their revoked sessions: kept outside the immutable event log, in a file under the
//! data directory on the embedded default ([`file`]), in PostgreSQL in production
//! ([`postgres`]).
//!
//! The domain has no event for an account's existence or role, so nothing about
//! accounts enters the log; their actions carry the staff id in event metadata.
//! Sessions themselves are signed tokens (`auth::tokens`): the store only remembers
//! the ones ended early (logout), until they would have expired anyway.

pub mod file;
pub mod postgres;
#[cfg(test)]
mod suite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use domain::values::{Siren, StaffId};
use domain::Actor;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppResult;

pub use file::FileAccountStore;
pub use postgres::PostgresAccountStore;

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

/// The current time, to the microsecond (what PostgreSQL keeps of a timestamp).
pub fn now_to_microsecond() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond())
        .expect("a microsecond is in range")
}

/// Normalises a login for lookups.
pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Where staff accounts live.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Adds an account; [`AppError::Conflict`](crate::error::AppError::Conflict)
    /// (`account.exists`) if its login (case-insensitively) or its id is taken.
    async fn create(&self, account: StaffAccount) -> AppResult<()>;
    /// The account with this login.
    async fn by_login(&self, login: &str) -> AppResult<Option<StaffAccount>>;
    /// The account with this id.
    async fn by_id(&self, id: StaffId) -> AppResult<Option<StaffAccount>>;
    /// Every account, oldest first.
    async fn list(&self) -> AppResult<Vec<StaffAccount>>;
    /// Ends session `sid` before its token expires (logout). The record is kept until
    /// `expires_at`, the token's own expiry, after which the token is refused anyway;
    /// revoking twice is not an error.
    async fn revoke_session(&self, sid: &str, expires_at: OffsetDateTime) -> AppResult<()>;
    /// Whether session `sid` was revoked (and its token has not yet expired).
    async fn session_revoked(&self, sid: &str) -> AppResult<bool>;
}

/// A shared account store.
pub type Accounts = Arc<dyn AccountStore>;
