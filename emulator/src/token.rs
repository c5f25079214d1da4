//! Chat tokens: an HMAC-SHA256 signed claims document that the emulator can verify.
//!
//! Form: `ivschat-local.v1.<base64url(claims json)>.<base64url(hmac)>`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;

const PREFIX: &str = "ivschat-local.v1.";

/// What a chat token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatTokenClaims {
    /// ARN of the room the token opens.
    pub room_arn: String,
    /// `userId` of the request.
    pub user_id: String,
    /// Granted capabilities (`SEND_MESSAGE`, `DISCONNECT_USER`, `DELETE_MESSAGE`).
    pub capabilities: Vec<String>,
    /// `attributes` of the request.
    pub attributes: BTreeMap<String, String>,
    /// Session duration in minutes.
    pub session_duration_in_minutes: i64,
    /// Issue time, ms since the epoch.
    pub issued_at_ms: i64,
    /// Token expiry (tokenExpirationTime), ms since the epoch.
    pub token_expires_at_ms: i64,
    /// Session expiry (sessionExpirationTime), ms since the epoch.
    pub session_expires_at_ms: i64,
    /// Unique token id.
    pub token_id: String,
}

/// Why a chat token is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this emulator, or altered.
    #[error("malformed or forged chat token")]
    Invalid,
    /// Its tokenExpirationTime has passed.
    #[error("chat token expired")]
    Expired,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], payload: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty key anyway.
    let mut m = HmacSha256::new_from_slice(key)
        .unwrap_or_else(|_| HmacSha256::new_from_slice(&[]).expect("empty hmac key"));
    m.update(payload);
    m
}

pub(crate) fn sign(key: &[u8], claims: &ChatTokenClaims) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let tag = mac(key, payload.as_bytes()).finalize().into_bytes();
    format!("{PREFIX}{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
}

pub(crate) fn verify(key: &[u8], token: &str, now_ms: i64) -> Result<ChatTokenClaims, TokenError> {
    let rest = token.strip_prefix(PREFIX).ok_or(TokenError::Invalid)?;
    let (payload, tag) = rest.split_once('.').ok_or(TokenError::Invalid)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| TokenError::Invalid)?;
    mac(key, payload.as_bytes())
        .verify_slice(&tag)
        .map_err(|_| TokenError::Invalid)?;
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Invalid)?;
    let claims: ChatTokenClaims = serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
    if now_ms >= claims.token_expires_at_ms {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_forgery_expiry() {
        let c = ChatTokenClaims {
            room_arn: "arn:aws:ivschat:us-east-1:123456789012:room/abcdefghijkl".into(),
            user_id: "u".into(),
            capabilities: vec!["SEND_MESSAGE".into()],
            attributes: BTreeMap::new(),
            session_duration_in_minutes: 60,
            issued_at_ms: 0,
            token_expires_at_ms: 1000,
            session_expires_at_ms: 3_600_000,
            token_id: "x".into(),
        };
        let t = sign(b"k", &c);
        assert_eq!(verify(b"k", &t, 10), Ok(c));
        assert_eq!(verify(b"other", &t, 10), Err(TokenError::Invalid));
        assert_eq!(verify(b"k", &t, 1000), Err(TokenError::Expired));
        assert_eq!(verify(b"k", "garbage", 0), Err(TokenError::Invalid));
    }
}
