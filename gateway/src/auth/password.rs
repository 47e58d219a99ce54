//! Staff passwords: argon2id with the crate's recommended parameters, hashed and
//! checked on the blocking pool so a login never stalls the async workers.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{AppError, AppResult};

/// Shortest password accepted (ANSSI recommends long passphrases over complexity rules).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Hashes a password (PHC string, argon2id).
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2 : {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash; `None` (unknown login) still runs a
/// verification against a dummy hash, so an unknown login takes as long as a wrong
/// password, and then fails.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(dummy_hash);
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && matches
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            Argon2::default()
                .hash_password(b"concerto-no-such-account", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(stored)).await);
        assert!(!verify("concerto-no-such-account".into(), None).await);
    }
}
