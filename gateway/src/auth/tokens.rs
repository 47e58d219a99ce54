//! Signed tokens: `<kind>.<payload>.<signature>`, payload JSON in base64url, signature
//! HMAC-SHA-256 over kind and payload with the server's secret. Staff sessions (`s1`)
//! and participant pseudonyms (`p1`) are self-contained, so no session table grows with
//! visitors; the staff account is still looked up on every request, so a deleted
//! account stops working at once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;

use domain::values::{ParticipantId, StaffId};

use super::PendingRegistration;
use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

/// How long a staff session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// How long a participant token lasts (renewed by the recovery code on another device).
pub const PARTICIPANT_SECONDS: i64 = 365 * 24 * 3600;

const STAFF_KIND: &str = "s1";
const PARTICIPANT_KIND: &str = "p1";

/// A staff session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// Random session id (CSRF tokens derive from it).
    pub sid: String,
    /// The account.
    pub staff: StaffId,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

/// A participant's pseudonym.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantClaims {
    /// The pseudonym.
    pub participant: ParticipantId,
    /// What they declared, for their registration on first contribution or vote
    /// (`None` for a token issued by recovery: the participant is already registered).
    pub pending: Option<PendingRegistration>,
    /// Expiry, Unix seconds.
    pub exp: i64,
}

/// Signs and checks tokens with the server's secret.
#[derive(Clone)]
pub struct Tokens {
    key: std::sync::Arc<[u8]>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(…)")
    }
}

impl Tokens {
    /// Tokens signed with `key` (at least 32 bytes of secret).
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.into() }
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part);
            mac.update(b"\x1f");
        }
        mac
    }

    fn sign<T: Serialize>(&self, kind: &str, claims: &T) -> String {
        let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let signature = self
            .mac(&[kind.as_bytes(), payload.as_bytes()])
            .finalize()
            .into_bytes();
        format!("{kind}.{payload}.{}", B64.encode(signature))
    }

    fn open<T: DeserializeOwned>(&self, kind: &str, token: &str) -> Result<T, AppError> {
        let invalid = AppError::Unauthenticated("auth.invalid");
        let mut parts = token.trim().splitn(3, '.');
        let (Some(k), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid);
        };
        if k != kind {
            return Err(invalid);
        }
        let signature = B64
            .decode(signature)
            .map_err(|_| AppError::Unauthenticated("auth.invalid"))?;
        // verify_slice compares in constant time.
        self.mac(&[k.as_bytes(), payload.as_bytes()])
            .verify_slice(&signature)
            .map_err(|_| AppError::Unauthenticated("auth.invalid"))?;
        let bytes = B64
            .decode(payload)
            .map_err(|_| AppError::Unauthenticated("auth.invalid"))?;
        serde_json::from_slice(&bytes).map_err(|_| AppError::Unauthenticated("auth.invalid"))
    }

    /// The kind of a token, to route it to the right check.
    pub fn kind_of(token: &str) -> Option<TokenKind> {
        match token.trim().split('.').next() {
            Some(STAFF_KIND) => Some(TokenKind::Staff),
            Some(PARTICIPANT_KIND) => Some(TokenKind::Participant),
            _ => None,
        }
    }

    /// A new staff session for `staff`.
    pub fn new_session(&self, staff: StaffId) -> (SessionClaims, String) {
        use rand::RngCore;
        let mut sid = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut sid);
        let claims = SessionClaims {
            sid: B64.encode(sid),
            staff,
            exp: OffsetDateTime::now_utc().unix_timestamp() + SESSION_SECONDS,
        };
        let token = self.sign(STAFF_KIND, &claims);
        (claims, token)
    }

    /// Checks a staff session token (signature, then expiry).
    pub fn session(&self, token: &str) -> Result<SessionClaims, AppError> {
        let claims: SessionClaims = self.open(STAFF_KIND, token)?;
        if claims.exp <= OffsetDateTime::now_utc().unix_timestamp() {
            return Err(AppError::Unauthenticated("auth.expired"));
        }
        Ok(claims)
    }

    /// A participant token.
    pub fn participant_token(&self, claims: &ParticipantClaims) -> String {
        self.sign(PARTICIPANT_KIND, claims)
    }

    /// Claims for a participant, valid for [`PARTICIPANT_SECONDS`].
    pub fn participant_claims(
        participant: ParticipantId,
        pending: Option<PendingRegistration>,
    ) -> ParticipantClaims {
        ParticipantClaims {
            participant,
            pending,
            exp: OffsetDateTime::now_utc().unix_timestamp() + PARTICIPANT_SECONDS,
        }
    }

    /// Checks a participant token (signature, then expiry).
    pub fn participant(&self, token: &str) -> Result<ParticipantClaims, AppError> {
        let claims: ParticipantClaims = self.open(PARTICIPANT_KIND, token)?;
        if claims.exp <= OffsetDateTime::now_utc().unix_timestamp() {
            return Err(AppError::Unauthenticated("auth.expired"));
        }
        Ok(claims)
    }

    /// The CSRF token bound to a session (or a participant pseudonym): forms and
    /// cookie-authenticated API calls must echo it.
    pub fn csrf(&self, subject: &str) -> String {
        B64.encode(
            self.mac(&[b"csrf", subject.as_bytes()])
                .finalize()
                .into_bytes(),
        )
    }

    /// Checks a CSRF token in constant time.
    pub fn csrf_ok(&self, subject: &str, presented: &str) -> bool {
        B64.decode(presented.trim())
            .map(|sig| {
                self.mac(&[b"csrf", subject.as_bytes()])
                    .verify_slice(&sig)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Signs arbitrary claims with an explicit expiry (tests of expired tokens).
    #[doc(hidden)]
    pub fn sign_participant_raw(&self, claims: &ParticipantClaims) -> String {
        self.sign(PARTICIPANT_KIND, claims)
    }
}

/// Which kind of token a string is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A staff session.
    Staff,
    /// A participant pseudonym.
    Participant,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32])
    }

    #[test]
    fn a_session_token_round_trips_and_a_forged_one_fails() {
        let t = tokens();
        let staff = StaffId::from_uuid(Uuid::now_v7());
        let (claims, token) = t.new_session(staff);
        assert_eq!(t.session(&token).unwrap(), claims);
        let forged = Tokens::new(&[8u8; 32]).new_session(staff).1;
        assert!(matches!(
            t.session(&forged),
            Err(AppError::Unauthenticated("auth.invalid"))
        ));
        let mut tampered = token.clone();
        tampered.insert(5, 'x');
        assert!(t.session(&tampered).is_err());
        assert!(
            t.participant(&token).is_err(),
            "kinds are not interchangeable"
        );
    }

    #[test]
    fn an_expired_participant_token_is_refused_as_expired() {
        let t = tokens();
        let mut claims = Tokens::participant_claims(ParticipantId::from_uuid(Uuid::now_v7()), None);
        claims.exp = OffsetDateTime::now_utc().unix_timestamp() - 1;
        let token = t.participant_token(&claims);
        assert!(matches!(
            t.participant(&token),
            Err(AppError::Unauthenticated("auth.expired"))
        ));
    }

    #[test]
    fn csrf_tokens_are_bound_to_their_subject() {
        let t = tokens();
        let csrf = t.csrf("session-a");
        assert!(t.csrf_ok("session-a", &csrf));
        assert!(!t.csrf_ok("session-b", &csrf));
        assert!(!t.csrf_ok("session-a", "garbage"));
    }
}
