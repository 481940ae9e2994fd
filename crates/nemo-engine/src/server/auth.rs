//! Tokens: anonymous-token issuing, bearer parsing, claim tokens.
//!
//! Tokens are `nmv_usr_` + 256 random bits (URL-safe base64). Only their sha256 is stored and
//! they are never logged.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use base64::Engine as _;
use nemo_protocol::envelope::CodeEnvelope;
use nemo_protocol::{AnonymousToken, ClaimToken, ClaimTokenRequest};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::error::ApiError;
use crate::store::{StoreError, now_ms};

const TOKEN_PREFIX: &str = "nmv_usr_";
const CLAIM_PREFIX: &str = "clm_";
const CLAIM_TTL_SECS: i64 = 7 * 24 * 3600;
/// The protocol caps client ids at 64 characters.
const MAX_CLIENT_ID_LEN: usize = 64;

/// 256 random bits, URL-safe base64 without padding.
fn random_suffix() -> String {
    let mut bytes = [0_u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization: Bearer nmv_usr_...` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(nemo_protocol::headers::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && token.starts_with(TOKEN_PREFIX)).then_some(token)
}

/// ISO-8601 UTC (`2026-03-18T00:00:00Z`) of a millisecond timestamp, without a date crate:
/// the civil-from-days conversion is a dozen lines (Howard Hinnant's algorithm).
pub(crate) fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub(crate) async fn anonymous_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<CodeEnvelope<AnonymousToken>>, ApiError> {
    let client_id = headers
        .get(nemo_protocol::headers::X_CLIENT_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                "the X-Client-Id header is required (a UUID or another stable id)",
            )
        })?;
    if client_id.len() > MAX_CLIENT_ID_LEN {
        return Err(ApiError::bad_request(
            "X-Client-Id must be at most 64 characters",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_suffix());
    let ttl_ms = i64::try_from(state.config.token_ttl.as_millis()).unwrap_or(i64::MAX / 2);
    let expires_at = now_ms() + ttl_ms;
    let user = match state
        .store
        .issue_token(
            client_id,
            &hash_token(&token),
            state.config.initial_credits(),
            expires_at,
        )
        .await
    {
        Ok(user) => user,
        Err(StoreError::TokenAlreadyIssued) => {
            return Err(ApiError::rate_limited(
                "a token was already issued for this client id; keep using it until it expires",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let credits = super::sessions::balance(&state, &user).available;
    Ok(Json(CodeEnvelope::ok(AnonymousToken {
        token,
        user_id: Some(user.id),
        credits: Some(credits),
        expires_at: Some(iso8601(expires_at)),
    })))
}

pub(crate) async fn claim_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<ClaimTokenRequest>,
) -> Result<Json<CodeEnvelope<ClaimToken>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    state.owned_session(&user, &body.session_id).await?;
    // Claim tokens only open a project in the cloud's web app; the engine has none, so the
    // token is handed out for parity and not stored.
    Ok(Json(CodeEnvelope::ok(ClaimToken {
        claim_token: format!("{CLAIM_PREFIX}{}", random_suffix()),
        expires_in: Some(CLAIM_TTL_SECS),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_773_792_000_000), "2026-03-18T00:00:00Z");
        assert_eq!(iso8601(951_782_400_000 + 3_723_000), "2000-02-29T01:02:03Z");
    }

    #[test]
    fn tokens_have_the_prefix_and_enough_entropy() {
        let a = format!("{TOKEN_PREFIX}{}", random_suffix());
        let b = format!("{TOKEN_PREFIX}{}", random_suffix());
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {a}").parse().unwrap());
        assert_eq!(bearer(&headers), Some(a.as_str()));
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
