//! Authentication: signed tokens (staff sessions, participant pseudonyms), passwords,
//! CSRF tokens, and the caller a request acts as.

pub mod password;
pub mod tokens;

use domain::participant::ParticipantKind;
use domain::values::{ParticipantId, TextHash};
use domain::Actor;

use crate::accounts::StaffAccount;

pub use tokens::{ParticipantClaims, SessionClaims, Tokens};

/// Who a command is carried out for.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A pseudonymous participant, as their signed token says.
    Participant(ParticipantClaims),
    /// A staff member logged in with a password.
    Staff {
        /// The account.
        account: StaffAccount,
        /// The session.
        session: SessionClaims,
    },
    /// The platform itself (demo seeding, imports).
    System,
}

impl Caller {
    /// The domain's view of the caller.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Participant(claims) => Actor::Participant {
                id: claims.participant,
            },
            Caller::Staff { account, .. } => account.actor(),
            Caller::System => Actor::System,
        }
    }

    /// How the caller is named in event metadata and logs (never personal data).
    pub fn label(&self) -> String {
        match self {
            Caller::Participant(claims) => format!("participant:{}", claims.participant),
            Caller::Staff { account, .. } => format!("staff:{}", account.id),
            Caller::System => "system".into(),
        }
    }

    /// The participant's claims, when the caller is one.
    pub fn participant(&self) -> Option<&ParticipantClaims> {
        match self {
            Caller::Participant(claims) => Some(claims),
            _ => None,
        }
    }

    /// The staff account, when the caller is one.
    pub fn staff(&self) -> Option<&StaffAccount> {
        match self {
            Caller::Staff { account, .. } => Some(account),
            _ => None,
        }
    }
}

/// What a new participant declares when joining, kept in their token until their first
/// contribution or vote registers them in the log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingRegistration {
    /// Their kind.
    pub kind: ParticipantKind,
    /// Hash of the recovery code they were given.
    pub recovery_code_hash: TextHash,
}

/// A fresh random recovery code: 20 characters from an alphabet without look-alikes,
/// in groups of five (about 100 bits).
pub fn new_recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The hash kept of a recovery code (case and separators do not matter when typed).
pub fn recovery_code_hash(code: &str) -> TextHash {
    let canonical: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    TextHash::of(&format!("concerto-recovery:{canonical}"))
}

/// A participant id for a new pseudonym.
pub fn new_participant_id() -> ParticipantId {
    ParticipantId::from_uuid(uuid::Uuid::now_v7())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_random_grouped_and_hash_regardless_of_typing() {
        let a = new_recovery_code();
        let b = new_recovery_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert_eq!(
            recovery_code_hash(&a),
            recovery_code_hash(&a.to_lowercase().replace('-', " "))
        );
        assert_ne!(recovery_code_hash(&a), recovery_code_hash(&b));
    }
}
