//! Accounts in PostgreSQL, for production: tables `staff_accounts` and
//! `staff_session_revocations` (see `pg_schema` for their columns and comments).
//!
//! As the key store does, every statement is prepared once, at connect, on the store's
//! one connection (tokio-postgres pipelines concurrent queries on it), and each call is
//! one round trip.

use async_trait::async_trait;
use domain::values::{Siren, StaffId};
use time::OffsetDateTime;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Row, Statement};

use super::{login_key, AccountStore, StaffAccount, StaffRole};
use crate::error::{AppError, AppResult};
use crate::pg_schema::pg;

/// The columns every account query returns, in [`account`]'s order.
const COLUMNS: &str = "id, login, display_name, role, collectivite, password_hash, created_at";

/// Accounts in PostgreSQL.
pub struct PostgresAccountStore {
    client: Client,
    statements: Statements,
}

/// The prepared statements.
struct Statements {
    /// `$1..$8` the columns → nothing; a unique violation when login or id is taken.
    create: Statement,
    /// `$1` login key → the account.
    by_login: Statement,
    /// `$1` id → the account.
    by_id: Statement,
    /// Every account, oldest first.
    list: Statement,
    /// `$1` session id, `$2` the token's expiry; also forgets expired revocations.
    revoke: Statement,
    /// `$1` session id → a row when revoked and not yet expired.
    revoked: Statement,
}

fn role_name(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Facilitator => "facilitator",
        StaffRole::Commission => "commission",
        StaffRole::Administrator => "administrator",
    }
}

fn role_of(name: &str) -> AppResult<StaffRole> {
    match name {
        "facilitator" => Ok(StaffRole::Facilitator),
        "commission" => Ok(StaffRole::Commission),
        "administrator" => Ok(StaffRole::Administrator),
        other => Err(AppError::Internal(format!(
            "rôle inconnu « {other} » en base"
        ))),
    }
}

fn account(row: &Row) -> AppResult<StaffAccount> {
    let collectivite = row
        .get::<_, Option<String>>(4)
        .map(|s| Siren::parse(&s))
        .transpose()
        .map_err(|_| AppError::Internal("SIREN invalide en base".into()))?;
    Ok(StaffAccount {
        id: StaffId::from_uuid(row.get(0)),
        login: row.get(1),
        display_name: row.get(2),
        role: role_of(row.get(3))?,
        collectivite,
        password_hash: row.get(5),
        created_at: row.get(6),
    })
}

impl PostgresAccountStore {
    /// Connects to `url` and applies the gateway's migrations in `schema`.
    pub async fn connect(url: &str, schema: &str) -> AppResult<Self> {
        let (client, s) = crate::pg_schema::connect(url, schema).await?;
        let statements = Statements {
            create: client
                .prepare(&format!(
                    "INSERT INTO {s}.staff_accounts
                       (id, login, login_key, display_name, role, collectivite, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .await
                .map_err(pg)?,
            by_login: client
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM {s}.staff_accounts WHERE login_key = $1"
                ))
                .await
                .map_err(pg)?,
            by_id: client
                .prepare(&format!("SELECT {COLUMNS} FROM {s}.staff_accounts WHERE id = $1"))
                .await
                .map_err(pg)?,
            list: client
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM {s}.staff_accounts ORDER BY created_at, id"
                ))
                .await
                .map_err(pg)?,
            // Expired revocations are no longer needed (their tokens are refused for
            // their own expiry): each logout sweeps them, so the table stays small.
            revoke: client
                .prepare(&format!(
                    "WITH swept AS (DELETE FROM {s}.staff_session_revocations WHERE expires_at <= now())
                     INSERT INTO {s}.staff_session_revocations (session_id, expires_at)
                     VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING"
                ))
                .await
                .map_err(pg)?,
            revoked: client
                .prepare(&format!(
                    "SELECT 1 FROM {s}.staff_session_revocations
                     WHERE session_id = $1 AND expires_at > now()"
                ))
                .await
                .map_err(pg)?,
        };
        Ok(Self { client, statements })
    }
}

#[async_trait]
impl AccountStore for PostgresAccountStore {
    async fn create(&self, account: StaffAccount) -> AppResult<()> {
        let collectivite = account.collectivite.as_ref().map(|s| s.as_str());
        let inserted = self
            .client
            .execute(
                &self.statements.create,
                &[
                    &account.id.as_uuid(),
                    &account.login,
                    &login_key(&account.login),
                    &account.display_name,
                    &role_name(account.role),
                    &collectivite,
                    &account.password_hash,
                    &account.created_at,
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(AppError::Conflict("account.exists"))
            }
            Err(e) => Err(pg(e)),
        }
    }

    async fn by_login(&self, login: &str) -> AppResult<Option<StaffAccount>> {
        self.client
            .query_opt(&self.statements.by_login, &[&login_key(login)])
            .await
            .map_err(pg)?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn by_id(&self, id: StaffId) -> AppResult<Option<StaffAccount>> {
        self.client
            .query_opt(&self.statements.by_id, &[&id.as_uuid()])
            .await
            .map_err(pg)?
            .as_ref()
            .map(account)
            .transpose()
    }

    async fn list(&self) -> AppResult<Vec<StaffAccount>> {
        self.client
            .query(&self.statements.list, &[])
            .await
            .map_err(pg)?
            .iter()
            .map(account)
            .collect()
    }

    async fn revoke_session(&self, sid: &str, expires_at: OffsetDateTime) -> AppResult<()> {
        self.client
            .execute(&self.statements.revoke, &[&sid, &expires_at])
            .await
            .map_err(pg)?;
        Ok(())
    }

    async fn session_revoked(&self, sid: &str) -> AppResult<bool> {
        Ok(self
            .client
            .query_opt(&self.statements.revoked, &[&sid])
            .await
            .map_err(pg)?
            .is_some())
    }
}
