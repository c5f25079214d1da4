//! AWS Signature Version 4 verification of incoming requests (header form).

use crate::config::Credentials;
use crate::error::ApiError;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

const SERVICE: &str = "ivschat";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Allowed clock difference between the signer and the emulator.
const MAX_SKEW_SECS: i64 = 15 * 60;

/// Characters SigV4 leaves unencoded: `A-Za-z0-9-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AuthHeader {
    pub access_key: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn incomplete(msg: &str) -> ApiError {
    ApiError::Auth {
        status: StatusCode::BAD_REQUEST,
        error_type: "IncompleteSignatureException",
        message: msg.to_owned(),
    }
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::Auth {
        status: StatusCode::FORBIDDEN,
        error_type: "InvalidSignatureException",
        message: msg.into(),
    }
}

pub(crate) fn parse_authorization(h: &str) -> Result<AuthHeader, ApiError> {
    let rest = h.strip_prefix(ALGORITHM).ok_or_else(|| {
        incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
    })?;
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            cred = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            sig = Some(v);
        }
    }
    let (Some(cred), Some(signed), Some(sig)) = (cred, signed, sig) else {
        return Err(incomplete(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
        ));
    };
    let mut c = cred.split('/');
    let (Some(access_key), Some(date), Some(region), Some(service), Some("aws4_request"), None) =
        (c.next(), c.next(), c.next(), c.next(), c.next(), c.next())
    else {
        return Err(incomplete(
            "Credential should be scoped to a valid region, service and terminated by aws4_request.",
        ));
    };
    Ok(AuthHeader {
        access_key: access_key.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: sig.to_owned(),
    })
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(&[]).expect("hmac"));
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            let enc = |s: String| utf8_percent_encode(&s, UNRESERVED).to_string();
            (enc(dec(k)), enc(dec(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn collapse(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'` into seconds since the epoch.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> { s.get(r)?.parse().ok() };
    let month = time::Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(num(0..4)?, month, u8::try_from(num(6..8)?).ok()?).ok()?;
    let t = time::Time::from_hms(
        u8::try_from(num(9..11)?).ok()?,
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(13..15)?).ok()?,
    )
    .ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Checks the signature of a request with a buffered body.
pub(crate) fn verify(
    creds: &Credentials,
    auth: &AuthHeader,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now_secs: i64,
) -> Result<(), ApiError> {
    if auth.access_key != creds.access_key_id {
        return Err(ApiError::Auth {
            status: StatusCode::FORBIDDEN,
            error_type: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.".to_owned(),
        });
    }
    if auth.service != SERVICE {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{SERVICE}'."
        )));
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        incomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    })?;
    if !amz_date.starts_with(&auth.date) {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            auth.date,
            &amz_date[..amz_date.len().min(8)]
        )));
    }
    if (now_secs - signed_at).abs() > MAX_SKEW_SECS {
        return Err(invalid(format!(
            "Signature expired: {amz_date} is now earlier or later than the allowed skew of {} minutes.",
            MAX_SKEW_SECS / 60
        )));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(invalid(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    // The signature covers the payload hash; it must be the body's, whatever a header says.
    let payload_hash = sha256_hex(body);
    if let Some(claimed) = headers.get("x-amz-content-sha256")
        && !claimed
            .as_bytes()
            .eq_ignore_ascii_case(payload_hash.as_bytes())
    {
        return Err(invalid(
            "The x-amz-content-sha256 header does not match the SHA-256 of the request body.",
        ));
    }
    let canonical_request = canonical_request(auth, method, uri, headers, &payload_hash);
    let expected = signature(creds, auth, amz_date, &canonical_request);
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(())
}

fn canonical_request(
    auth: &AuthHeader,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    payload_hash: &str,
) -> String {
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let values: Vec<String> = if name == "host" && headers.get("host").is_none() {
            uri.authority().map(|a| a.to_string()).into_iter().collect()
        } else {
            headers
                .get_all(name.as_str())
                .iter()
                .map(|v| collapse(&String::from_utf8_lossy(v.as_bytes())))
                .collect()
        };
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    // Services other than S3 sign the already-encoded path encoded once more.
    let path = uri.path();
    let canonical_uri = utf8_percent_encode(
        if path.is_empty() { "/" } else { path },
        UNRESERVED_AND_SLASH,
    )
    .to_string();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.as_str(),
        canonical_uri,
        canonical_query(uri.query().unwrap_or("")),
        canonical_headers,
        auth.signed_headers.join(";"),
        payload_hash
    )
}

fn signature(
    creds: &Credentials,
    auth: &AuthHeader,
    amz_date: &str,
    canonical_request: &str,
) -> String {
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        auth.date.as_bytes(),
    );
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_and_query() {
        let a = parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/ivschat/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc").unwrap();
        assert_eq!(a.region, "us-west-2");
        assert_eq!(a.signed_headers, vec!["host", "x-amz-date"]);
        assert_eq!(
            canonical_query("tagKeys=b&tagKeys=a%20c"),
            "tagKeys=a%20c&tagKeys=b"
        );
        assert!(parse_authorization("Basic xyz").is_err());
    }

    /// A request signed correctly over an `x-amz-content-sha256` that is not the body's hash.
    fn signed_with_payload_hash(claimed: &str) -> (Credentials, AuthHeader, HeaderMap, Uri) {
        let creds = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "secret".into(),
        };
        let date = "20260102T030405Z";
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1:4510".parse().unwrap());
        headers.insert("x-amz-date", date.parse().unwrap());
        headers.insert("x-amz-content-sha256", claimed.parse().unwrap());
        let mut auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/ivschat/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=x",
        )
        .unwrap();
        let uri: Uri = "/GetRoom".parse().unwrap();
        let creq = canonical_request(&auth, &Method::POST, &uri, &headers, claimed);
        auth.signature = signature(&creds, &auth, date, &creq);
        (creds, auth, headers, uri)
    }

    #[test]
    fn content_sha256_header_must_match_the_body() {
        let body = br#"{"identifier":"x"}"#;
        let now = parse_amz_date("20260102T030405Z").unwrap();
        let (creds, auth, headers, uri) = signed_with_payload_hash(&sha256_hex(b"{}"));
        let err = verify(&creds, &auth, &Method::POST, &uri, &headers, body, now).unwrap_err();
        assert!(err.to_string().contains("x-amz-content-sha256"), "{err}");
        let (creds, auth, headers, uri) = signed_with_payload_hash(&sha256_hex(body));
        verify(&creds, &auth, &Method::POST, &uri, &headers, body, now).unwrap();
    }
}
