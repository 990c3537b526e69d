//! `Paybridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`:
//! signing for the delivery worker, checking for a merchant's endpoint (the
//! demo shop uses [`verify`]).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "Paybridge-Signature";

/// How far `t` may be from the receiver's clock by default, in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// The header is missing, or has no `t=` or no `v1=`.
    Malformed,
    /// `t` is further than the tolerance from the receiver's clock (a replay or a wrong clock).
    Stale,
    /// No `v1` matches the body under the secret.
    Mismatch,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Malformed => "the Paybridge-Signature header is missing or malformed",
            SignatureError::Stale => "the Paybridge-Signature timestamp is outside the tolerance",
            SignatureError::Mismatch => "the Paybridge-Signature does not match the body",
        })
    }
}

impl std::error::Error for SignatureError {}

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `t` (Unix seconds).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let digest = mac(secret, t, body).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// Checks `header` against `body`: `t` within `tolerance_secs` of `now_secs`
/// and one of its `v1` values (several are allowed, e.g. while a secret is
/// rotated) the HMAC of `"<t>.<body>"`, compared in constant time.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now_secs: i64, tolerance_secs: i64) -> Result<(), SignatureError> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => candidates.push(v),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now_secs - t).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, t, body);
    let matches = candidates.iter().filter_map(|hex| decode_hex(hex)).any(|bytes| expected.clone().verify_slice(&bytes).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_fixture_not_a_credential";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment.succeeded"}"#;

    #[test]
    fn matches_an_independent_hmac() {
        // Computed with: printf '%s' '1700000000.{"id":"evt_1","type":"payment.succeeded"}' | openssl dgst -sha256 -hmac whsec_test_fixture_not_a_credential
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(header, "t=1700000000,v1=7a94783eef9f3586304ab7f9dc2e5e0f4e2584c0c53eee70e031a9062106e169");
    }

    #[test]
    fn verifies_its_own_signature_within_the_tolerance() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(verify(SECRET, &header, BODY, 1_700_000_100, 300), Ok(()));
        assert_eq!(verify(SECRET, &header, BODY, 1_700_000_301, 300), Err(SignatureError::Stale));
        assert_eq!(verify(SECRET, &header, BODY, 1_699_999_699, 300), Err(SignatureError::Stale));
    }

    #[test]
    fn refuses_other_bodies_secrets_and_malformed_headers() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(verify(SECRET, &header, b"{}", 1_700_000_000, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"other", &header, BODY, 1_700_000_000, 300), Err(SignatureError::Mismatch));
        for bad in ["", "t=1700000000", "v1=00", "t=x,v1=00", "garbage"] {
            assert_eq!(verify(SECRET, bad, BODY, 1_700_000_000, 300), Err(SignatureError::Malformed), "{bad:?}");
        }
        assert_eq!(verify(SECRET, "t=1700000000,v1=zz", BODY, 1_700_000_000, 300), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let rotated = header.replace("v1=", "v1=00ff,v1=");
        assert_eq!(verify(SECRET, &rotated, BODY, 1_700_000_000, 300), Ok(()));
    }
}
