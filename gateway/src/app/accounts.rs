//! Staff account services: login, creation by an administrator (or by the operator's
//! `concerto admin create` for the first administrator), and listing.

use domain::values::{Siren, StaffId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::check::Check;
use super::{App, Ctx};
use crate::accounts::{StaffAccount, StaffRole};
use crate::auth::password::{self, MIN_PASSWORD_CHARS};
use crate::auth::{Caller, SessionClaims};
use crate::error::{AppError, AppResult};

/// A new staff account.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountInput {
    /// Login (an e-mail address or a short name).
    pub login: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role.
    pub role: StaffRole,
    /// SIREN of the collectivité (commission, administrator); the creator's by default.
    #[serde(default)]
    pub collectivite: Option<String>,
    /// Password (at least 12 characters).
    pub password: String,
}

impl std::fmt::Debug for NewAccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccountInput")
            .field("login", &self.login)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Credentials.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// Login.
    pub login: String,
    /// Password.
    pub password: String,
}

/// A new staff session.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    /// The account.
    pub account: StaffAccount,
    /// The session.
    pub session: SessionClaims,
    /// The session token (cookie or bearer).
    pub token: String,
    /// The CSRF token forms and cookie-authenticated calls must echo.
    pub csrf: String,
}

fn valid_login(login: &str) -> bool {
    let n = login.chars().count();
    (3..=100).contains(&n)
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+'))
}

impl App {
    /// Checks credentials and opens a session.
    pub async fn login(&self, input: LoginInput) -> AppResult<LoggedIn> {
        let account = self.accounts().by_login(&input.login).await?;
        let ok = password::verify(
            input.password,
            account.as_ref().map(|a| a.password_hash.clone()),
        )
        .await;
        let account = match (ok, account) {
            (true, Some(account)) => account,
            _ => return Err(AppError::Unauthenticated("auth.bad_credentials")),
        };
        let (session, token) = self.tokens().new_session(account.id);
        let csrf = self.tokens().csrf(&session.sid);
        tracing::info!(staff = %account.id, "connexion");
        Ok(LoggedIn {
            account,
            session,
            token,
            csrf,
        })
    }

    /// The caller for a staff session token (the account must still exist, and the
    /// session must not have been ended by a logout).
    pub async fn staff_caller(&self, token: &str) -> AppResult<Caller> {
        let session = self.tokens().session(token)?;
        let (account, revoked) = tokio::join!(
            self.accounts().by_id(session.staff),
            self.accounts().session_revoked(&session.sid)
        );
        if revoked? {
            return Err(AppError::Unauthenticated("auth.session_revoked"));
        }
        let account = account?.ok_or(AppError::Unauthenticated("auth.account_disabled"))?;
        Ok(Caller::Staff { account, session })
    }

    /// Ends a staff caller's session for good: its token, even copied elsewhere, is
    /// refused from now on. Nothing to do for other callers (a participant's token is
    /// their pseudonym, kept by their device).
    pub async fn logout(&self, caller: &Caller) -> AppResult<()> {
        let Caller::Staff { account, session } = caller else {
            return Ok(());
        };
        let expires_at = OffsetDateTime::from_unix_timestamp(session.exp)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.accounts()
            .revoke_session(&session.sid, expires_at)
            .await?;
        tracing::info!(staff = %account.id, "déconnexion");
        Ok(())
    }

    /// Creates a staff account: by an administrator, or by the system (the operator's
    /// command line). Nothing enters the event log.
    pub async fn create_account(
        &self,
        ctx: &Ctx,
        input: NewAccountInput,
    ) -> AppResult<StaffAccount> {
        let default_collectivite = match &ctx.caller {
            Caller::System => None,
            Caller::Staff { account, .. } if account.role == StaffRole::Administrator => {
                account.collectivite.clone()
            }
            _ => return Err(AppError::Forbidden("auth.admin_only")),
        };
        let mut check = Check::new();
        if !valid_login(input.login.trim()) {
            check.fail("/login", "account.login_invalid", Vec::new());
        }
        let display_name = check.field(
            "/display_name",
            domain::values::DisplayName::parse(&input.display_name),
        );
        if input.password.chars().count() < MIN_PASSWORD_CHARS {
            check.fail(
                "/password",
                "account.password_too_short",
                vec![("min", MIN_PASSWORD_CHARS.to_string())],
            );
        }
        let collectivite = check
            .optional("/collectivite", input.collectivite.as_deref(), Siren::parse)
            .flatten()
            .or(default_collectivite);
        if input.role != StaffRole::Facilitator && collectivite.is_none() {
            check.fail("/collectivite", "account.collectivite_required", Vec::new());
        }
        check.finish()?;
        if self.accounts().by_login(&input.login).await?.is_some() {
            return Err(AppError::Conflict("account.exists"));
        }
        let account = StaffAccount {
            id: StaffId::from_uuid(Uuid::now_v7()),
            login: input.login.trim().to_owned(),
            display_name: display_name
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            role: input.role,
            collectivite,
            password_hash: password::hash(input.password).await?,
            // To the microsecond, PostgreSQL's precision, so every store gives back
            // exactly the account it was given.
            created_at: crate::accounts::now_to_microsecond(),
        };
        self.accounts().create(account.clone()).await?;
        tracing::info!(staff = %account.id, role = ?account.role, by = %ctx.caller.label(), "compte créé");
        Ok(account)
    }
}
