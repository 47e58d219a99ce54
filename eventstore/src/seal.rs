//! Sealing and opening event parts with XChaCha20-Poly1305.
//!
//! The associated data binds a ciphertext to its event id and part name, so a sealed
//! part copied into another event does not open.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde_json::Value;
use uuid::Uuid;

use crate::envelope::{SealRequest, SealedPart};
use crate::error::StoreError;
use crate::keys::KeyMaterial;

fn associated_data(event_id: Uuid, part: &str) -> Vec<u8> {
    let mut aad = event_id.as_bytes().to_vec();
    aad.extend_from_slice(part.as_bytes());
    aad
}

/// Encrypts one part of event `event_id`.
pub(crate) fn seal(
    event_id: Uuid,
    request: &SealRequest,
    key: &KeyMaterial,
) -> Result<SealedPart, StoreError> {
    let plaintext =
        serde_json::to_vec(&request.value).map_err(|e| StoreError::Encoding(e.to_string()))?;
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.0.as_slice().into());
    let aad = associated_data(event_id, &request.part);
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| StoreError::Encoding("chiffrement impossible".into()))?;
    Ok(SealedPart {
        part: request.part.clone(),
        key: request.key.clone(),
        nonce: BASE64.encode(nonce),
        ciphertext: BASE64.encode(ciphertext),
    })
}

/// Decrypts one part; an error means the log or the key is not what it should be.
pub(crate) fn open(
    event_id: Uuid,
    sealed: &SealedPart,
    key: &KeyMaterial,
) -> Result<Value, StoreError> {
    let broken = |why: &str| {
        StoreError::Encoding(format!(
            "partie scellée « {} » de l'événement {event_id} : {why}",
            sealed.part
        ))
    };
    let nonce = BASE64
        .decode(&sealed.nonce)
        .map_err(|_| broken("nonce illisible"))?;
    if nonce.len() != 24 {
        return Err(broken("nonce de mauvaise taille"));
    }
    let ciphertext = BASE64
        .decode(&sealed.ciphertext)
        .map_err(|_| broken("chiffré illisible"))?;
    let cipher = XChaCha20Poly1305::new(key.0.as_slice().into());
    let aad = associated_data(event_id, &sealed.part);
    let plaintext = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| broken("authentification échouée"))?;
    serde_json::from_slice(&plaintext).map_err(|e| broken(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyId;
    use serde_json::json;

    #[test]
    fn sealed_part_opens_only_with_its_key_event_and_part() {
        let key = KeyMaterial::generate();
        let request = SealRequest {
            part: "body".into(),
            key: KeyId::parse("contribution-1").unwrap(),
            value: json!({"texte": "Bonjour"}),
        };
        let id = Uuid::now_v7();
        let sealed = seal(id, &request, &key).unwrap();
        assert!(!sealed.ciphertext.contains("Bonjour"));
        assert_eq!(
            open(id, &sealed, &key).unwrap(),
            json!({"texte": "Bonjour"})
        );
        assert!(open(Uuid::now_v7(), &sealed, &key).is_err());
        assert!(open(id, &sealed, &KeyMaterial::generate()).is_err());
        let renamed = SealedPart {
            part: "other".into(),
            ..sealed
        };
        assert!(open(id, &renamed, &key).is_err());
    }
}
