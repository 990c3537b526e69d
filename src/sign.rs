//! Signing helpers shared by the gateways' signing code (feature `signing`).
//! Only the proxy and the sandbox compile this; no key ever reaches `pkg/`.

use md5::{Digest, Md5};

/// Bytes as lowercase hex.
fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(digest.len() * 2);
    for &b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// MD5 of `input` as lowercase hex.
pub fn md5_hex(input: &[u8]) -> String {
    hex(&Md5::digest(input))
}

/// SHA-1 of `input` as lowercase hex (WeChat's JS-SDK and HK-wallet signatures).
pub fn sha1_hex(input: &[u8]) -> String {
    hex(&sha1::Sha1::digest(input))
}

/// MD5 of `input` as uppercase hex.
pub fn md5_hex_upper(input: &[u8]) -> String {
    md5_hex(input).to_ascii_uppercase()
}

/// Compares two signatures without an early exit on the first difference,
/// ignoring ASCII case (hex signatures are case-insensitive).
pub fn same_signature(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_known_values() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex_upper(b"1"), "C4CA4238A0B923820DCC509A6F75849B");
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn signature_comparison() {
        assert!(same_signature("ABCDEF", "abcdef"));
        assert!(!same_signature("ABCDEF", "ABCDEE"));
        assert!(!same_signature("ABC", "ABCD"));
    }
}
